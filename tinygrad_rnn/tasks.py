"""Toy sequence tasks for training RNNs: data made in code (or the text shipped in data/), a trivial
baseline and a stated target for each.

Every task hands out float32 input batches of shape (batch, time, input_size) and targets for the
*scored* time steps only (the last ``n_scored`` steps of the output):

* regression tasks: targets (batch, n_scored, output_size) float32, loss = mean squared error;
* classification tasks: targets (batch, n_scored) int64 class ids, loss = cross-entropy over
  ``output_size`` classes.

A model maps the inputs to (batch, time, output_size) and is scored on ``out[:, -n_scored:]``. The
training batches come from a numpy Generator the training loop owns (its state is checkpointed);
the validation set is fixed by the task (the same for every training seed), so metrics of two runs
compare.
"""

from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass
from typing import Any

import numpy as np

DATA_DIR = pathlib.Path(__file__).resolve().parent / "data"
TEXT_FILE = DATA_DIR / "public_domain.txt"
VAL_SEED = 20240607  # fixed seed of every task's validation set


@dataclass(frozen=True)
class Defaults:
    """A task's default training settings: the full run that reaches the stated target."""

    hidden: int = 32
    layers: int = 1
    lr: float = 1e-2
    epochs: int = 20
    steps: int = 50  # optimiser steps per epoch
    batch: int = 32
    length: int = 0  # sequence length knob; 0: the task has none
    clip: float = 1.0
    # --quick: a run of a few seconds that ends clearly better than the trivial baseline (it shows
    # learning; it does not aim at the target), on an easier setting where the task has a knob
    quick_epochs: int = 3
    quick_steps: int = 20
    quick_length: int = 0  # 0: the full run's length
    quick_lr: float = 0.0  # 0: the full run's lr


class Task:
    """Base class: subclasses define the data, the baseline and the target."""

    name = ""
    summary = ""  # one line for --help
    classification = False
    metric = "mse"  # name of the validation metric
    unit = ""  # printed after metric values
    higher_is_better = False
    target = 0.0  # the full run's validation metric reaches this
    defaults = Defaults()
    baseline_name = ""  # what the trivial baseline does
    length_help = ""  # what --length means for this task ("" if it has no length)
    input_size = 1
    output_size = 1
    val_size = 512

    def __init__(self, length: int | None = None):
        if self.length_help:
            self.length = int(length if length is not None else self.defaults.length)
            self.check_length(self.length)
        else:
            self.length = 0
        self._val: tuple[np.ndarray, np.ndarray] | None = None

    # -- to override ---------------------------------------------------------------------------
    def check_length(self, length: int) -> None:
        """Raise ValueError when the length option is unusable for this task."""
        if length < 2:
            raise ValueError(f"--length must be at least 2 for {self.name}, got {length}")

    @property
    def n_scored(self) -> int:
        """How many of the last output steps the loss and metric look at."""
        raise NotImplementedError

    def batch(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """n fresh training examples: (inputs (n, T, input_size), targets)."""
        raise NotImplementedError

    def baseline(self) -> tuple[str, float, float]:
        """(what the trivial baseline does, its validation loss, its validation metric)."""
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        """The task's settings that change its data (saved in checkpoints)."""
        return {"length": self.length} if self.length_help else {}

    def val_set(self) -> tuple[np.ndarray, np.ndarray]:
        """The fixed validation set (the same for every training seed)."""
        if self._val is None:
            self._val = self.batch(np.random.default_rng(VAL_SEED), self.val_size)
        return self._val

    def loss_np(self, pred: np.ndarray, y: np.ndarray) -> float:
        """The training loss of predictions on the scored steps, in numpy (float64)."""
        if self.classification:
            return float(cross_entropy_np(pred, y))
        return float(np.mean((pred.astype(np.float64) - y) ** 2))

    def metric_np(self, pred: np.ndarray, y: np.ndarray) -> float:
        """The validation metric of predictions on the scored steps."""
        if self.metric == "accuracy":
            return float(np.mean(pred.argmax(-1) == y))
        return self.loss_np(pred, y)

    def reached(self, metric: float) -> bool:
        """Whether a metric value meets the target."""
        return metric >= self.target if self.higher_is_better else metric <= self.target

    @classmethod
    def target_text(cls) -> str:
        """The target as a phrase, e.g. 'mse <= 0.001'."""
        return f"{cls.metric} {'>=' if cls.higher_is_better else '<='} {cls.target:g}{cls.unit}"

    def describe(self) -> str:
        """A few lines for --help and the start of a run."""
        name, bl, bm = self.baseline()
        s = f"{self.name}: {self.summary}\n  target: {self.target_text()} (trivial baseline '{name}': "
        s += f"{self.metric} {bm:.4g}, loss {bl:.4g})"
        return s


def cross_entropy_np(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of integer targets under softmax(logits) (classes last)."""
    z = logits.reshape(-1, logits.shape[-1]).astype(np.float64)
    z = z - z.max(-1, keepdims=True)
    lse = np.log(np.exp(z).sum(-1))
    picked = z[np.arange(z.shape[0]), y.reshape(-1)]
    return float(np.mean(lse - picked))


# ---------------------------------------------------------------------------------------------
class Sine(Task):
    """Next-step prediction of sine waves with random amplitude, frequency and phase."""

    name = "sine"
    baseline_name = "repeat the last value"
    summary = (
        "next-step regression on sine waves (random amplitude 0.5-1.5, period 8-32 steps, phase); "
        "the first 8 steps are burn-in and not scored"
    )
    metric = "mse"
    target = 1e-3
    defaults = Defaults(
        hidden=32, layers=1, lr=1e-2, epochs=30, steps=40, batch=32, length=40, quick_epochs=3, quick_steps=20
    )
    length_help = "time steps per sequence (default 40; the first 8 are burn-in)"
    burn_in = 8

    def check_length(self, length: int) -> None:
        if length <= self.burn_in:
            raise ValueError(f"--length must be greater than {self.burn_in} for sine, got {length}")

    @property
    def n_scored(self) -> int:
        return self.length - self.burn_in

    def batch(self, rng, n):
        T = self.length
        amp = rng.uniform(0.5, 1.5, (n, 1))
        omega = 2 * np.pi / rng.uniform(8, 32, (n, 1))
        phase = rng.uniform(0, 2 * np.pi, (n, 1))
        s = amp * np.sin(omega * np.arange(T + 1)[None, :] + phase)
        x = s[:, :T, None].astype(np.float32)
        y = s[:, 1 + self.burn_in :, None].astype(np.float32)
        return x, y

    def baseline(self):
        x, y = self.val_set()
        loss = self.loss_np(x[:, self.burn_in :, :], y)  # "the next value equals this one"
        return self.baseline_name, loss, loss


class Adding(Task):
    """The adding problem (Hochreiter & Schmidhuber 1997, as in Le et al. 2015's IRNN paper)."""

    name = "adding"
    baseline_name = "always predict 1 (the mean sum)"
    summary = (
        "the adding problem: two input channels, random values in [0, 1] and a marker that is 1 at "
        "two positions (one in each half); predict the sum of the two marked values at the end"
    )
    metric = "mse"
    target = 0.01
    defaults = Defaults(
        hidden=64,
        layers=1,
        lr=3e-3,
        epochs=40,
        steps=100,
        batch=64,
        length=20,
        quick_epochs=8,
        quick_steps=100,
        quick_length=10,
        quick_lr=1e-2,
    )
    length_help = (
        "sequence length T (default 20; T=40 reaches the target with --epochs 100; from about T=50 on, "
        "whether a tanh RNN leaves the mse~0.16 plateau in time is a matter of luck)"
    )
    input_size = 2

    @property
    def n_scored(self) -> int:
        return 1

    def batch(self, rng, n):
        T = self.length
        vals = rng.uniform(0, 1, (n, T))
        half = T // 2
        i = rng.integers(0, half, n)
        j = rng.integers(half, T, n)
        mark = np.zeros((n, T))
        mark[np.arange(n), i] = 1
        mark[np.arange(n), j] = 1
        x = np.stack([vals, mark], -1).astype(np.float32)
        y = (vals[np.arange(n), i] + vals[np.arange(n), j]).astype(np.float32).reshape(n, 1, 1)
        return x, y

    def baseline(self):
        _, y = self.val_set()
        loss = self.loss_np(np.ones_like(y), y)  # E[sum] = 1: predict it always (mse 1/6)
        return self.baseline_name, loss, loss


class Parity(Task):
    """Running parity (XOR) of a bit string."""

    name = "parity"
    baseline_name = "guess the majority class"
    summary = (
        "parity / XOR: a random bit string; at every step output the parity (XOR) of all the bits "
        "so far. Metric: accuracy of the whole string's parity (the last step)"
    )
    classification = True
    metric = "accuracy"
    higher_is_better = True
    target = 0.99
    defaults = Defaults(
        hidden=32,
        layers=1,
        lr=1e-2,
        epochs=20,
        steps=40,
        batch=32,
        length=16,
        quick_epochs=5,
        quick_steps=50,
        quick_length=8,
        quick_lr=2e-2,
    )
    length_help = "bits per string (default 16)"
    input_size = 1
    output_size = 2

    @property
    def n_scored(self) -> int:
        return self.length

    def batch(self, rng, n):
        bits = rng.integers(0, 2, (n, self.length))
        x = bits[:, :, None].astype(np.float32)
        y = (np.cumsum(bits, 1) % 2).astype(np.int64)
        return x, y

    def metric_np(self, pred, y):
        return float(np.mean(pred[:, -1].argmax(-1) == y[:, -1]))

    def baseline(self):
        _, y = self.val_set()
        uniform = np.zeros(y.shape + (2,), np.float32)  # 50/50: loss log 2
        majority = int(np.bincount(y[:, -1], minlength=2).argmax())
        acc = float(np.mean(y[:, -1] == majority))
        return self.baseline_name, self.loss_np(uniform, y), acc


class Copy(Task):
    """The copy (memory) task: read K symbols, wait through blanks, then write them back."""

    name = "copy"
    baseline_name = "guess uniformly / the most common symbol"
    summary = (
        "copy / memory: read 5 random symbols (alphabet 8), then blanks and a go marker; "
        "write the 5 symbols back. Metric: per-symbol accuracy of the recall"
    )
    classification = True
    metric = "accuracy"
    higher_is_better = True
    target = 0.99
    defaults = Defaults(
        hidden=64,
        layers=1,
        lr=5e-3,
        epochs=40,
        steps=50,
        batch=64,
        length=5,
        quick_epochs=6,
        quick_steps=40,
        quick_length=2,
        quick_lr=1e-2,
    )
    length_help = "blank steps between reading and recalling (the delay; default 5)"
    n_symbols = 5
    alphabet = 8
    input_size = 8 + 2  # symbols, blank, go
    output_size = 8 + 1  # symbols, blank (never scored)

    def check_length(self, length: int) -> None:
        if length < 0:
            raise ValueError(f"--length (the copy delay) must be >= 0, got {length}")

    @property
    def n_scored(self) -> int:
        return self.n_symbols

    def batch(self, rng, n):
        K, A, D = self.n_symbols, self.alphabet, self.length
        T = K + D + 1 + K  # symbols, blanks, go, recall slots (blank inputs)
        sym = rng.integers(0, A, (n, K))
        ids = np.full((n, T), A, np.int64)  # blank
        ids[:, :K] = sym
        ids[:, K + D] = A + 1  # go
        x = np.eye(A + 2, dtype=np.float32)[ids]
        return x, sym.astype(np.int64)

    def baseline(self):
        _, y = self.val_set()
        logits = np.zeros(y.shape + (self.output_size,), np.float32)
        logits[..., self.alphabet] = -1e9  # uniform over the 8 symbols
        counts = np.bincount(y.reshape(-1), minlength=self.alphabet)
        acc = float(counts.max() / y.size)
        return self.baseline_name, self.loss_np(logits, y), acc


class CharLM(Task):
    """Character-level language model on the public-domain text in tinygrad_rnn/data/."""

    name = "charlm"
    baseline_name = "character frequencies (unigram)"
    summary = (
        "character-level language model on 33 KB of public-domain text shipped in "
        "tinygrad_rnn/data/ (Carroll, Shakespeare's sonnets, Poe's The Raven); predict each next "
        "character, then sample text. Metric: validation cross-entropy (nats/char) on a held-out "
        "10% (every 10th block of 500 characters)"
    )
    classification = True
    metric = "loss"
    unit = " nats/char"
    target = 2.1
    defaults = Defaults(
        hidden=96, layers=1, lr=1e-2, epochs=20, steps=40, batch=32, length=64, quick_epochs=3, quick_steps=20
    )
    length_help = "characters per training window (default 64; truncated backprop through time)"
    val_size = 64

    def __init__(self, length: int | None = None, text: str | None = None):
        self.text = TEXT_FILE.read_text(encoding="utf-8") if text is None else text
        self.chars = sorted(set(self.text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}
        self.ids = np.array([self.stoi[c] for c in self.text], np.int64)
        # every 10th block of 500 characters is held out, so both prose and verse are validated
        blocks = np.arange(len(self.ids)) // 500
        self.train_ids, self.val_ids = self.ids[blocks % 10 != 9], self.ids[blocks % 10 == 9]
        self.input_size = self.output_size = len(self.chars)
        super().__init__(length)

    def check_length(self, length: int) -> None:
        if not 2 <= length <= 1000:
            raise ValueError(f"--length must be in [2, 1000] for charlm, got {length}")

    @property
    def n_scored(self) -> int:
        return self.length

    def encode(self, ids: np.ndarray) -> np.ndarray:
        """One-hot float32 rows for character ids."""
        return np.eye(len(self.chars), dtype=np.float32)[ids]

    def decode(self, ids: Any) -> str:
        """Characters for ids."""
        return "".join(self.chars[int(i)] for i in ids)

    def _windows(self, ids: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        idx = starts[:, None] + np.arange(self.length + 1)[None, :]
        w = ids[idx]
        return self.encode(w[:, :-1]), w[:, 1:]

    def batch(self, rng, n):
        starts = rng.integers(0, len(self.train_ids) - self.length - 1, n)
        return self._windows(self.train_ids, starts)

    def val_set(self):
        if self._val is None:  # non-overlapping windows tiling the held-out text
            n = min(self.val_size, (len(self.val_ids) - 1) // self.length)
            self._val = self._windows(self.val_ids, np.arange(n) * self.length)
        return self._val

    def baseline(self):
        _, y = self.val_set()
        freq = np.bincount(self.train_ids, minlength=len(self.chars)) + 1.0
        logits = np.broadcast_to(np.log(freq / freq.sum()), y.shape + (len(self.chars),))
        loss = self.loss_np(logits, y)
        return self.baseline_name, loss, loss


TASKS: dict[str, type[Task]] = {t.name: t for t in (Sine, Adding, Parity, Copy, CharLM)}
DEFAULT_TASK = "sine"


def get_task(name: str, length: int | None = None) -> Task:
    """The task called `name` (KeyError naming the choices if there is none)."""
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}; choose one of: {', '.join(TASKS)}")
    return TASKS[name](length)


def bits(nats: float) -> float:
    """Nats to bits."""
    return nats / math.log(2)
