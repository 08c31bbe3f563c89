"""The training loop for the toy tasks in tinygrad_rnn.tasks: an RNN + Linear head, trained with the
core optimisers, gradient clipping and a learning-rate schedule.

One loop, three interchangeable model backends (``frontend``):

* ``core``: ``tinygrad_rnn.nn.RNN`` + ``nn.Linear``, ``tinygrad_rnn.optim``, ``functional`` losses;
* ``torch``: the same model written against a torch-like module (``tinygrad_rnn.torch`` by default;
  the benchmark passes the real torch to time the very same loop there);
* ``mindspore``: the same model written against ``tinygrad_rnn.mindspore`` (``nn.Cell``, ``nn.Dense``,
  ``value_and_grad`` and ``optimizer(grads)``).

Reproducibility: the seed fixes the weights' initialisation and a numpy Generator that draws the
training batches. A checkpoint (``save``) holds the model, the optimiser state, that Generator's
state, the epoch and the curve so far, in one ``.npz`` written atomically (temporary file, then
``os.replace``, through a symlink) and read without pickle, every part checked (a damaged or
tampered file raises only CheckpointError); resuming from it continues to the same curve a run
without the interruption draws. Output paths are checked before the first epoch (check_outputs).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._io import (
    CorruptFileError,
    atomic_write,
    parse_json,
    probe_writable,
    read_npz,
    remove_stale_temps,
    resolve,
)
from .tasks import TASKS, CharLM, Task, get_task

FRONTENDS = ("core", "torch", "mindspore")
OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("cosine", "step", "none")
CKPT_FORMAT = "tinygrad_rnn.train/1"


MAX_DEPTH = 32  # an optimiser state nested deeper than this in a checkpoint is refused


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used (missing, corrupt, or from another configuration)."""


class OutputPathError(OSError):
    """An output path (checkpoint, plot) that cannot be written: found before any training."""


@dataclass
class TrainConfig:
    """Everything that determines a run's curve (saved in every checkpoint)."""

    task: str = "sine"
    hidden: int = 32
    layers: int = 1
    lr: float = 1e-2
    epochs: int = 20
    steps: int = 50  # optimiser steps per epoch
    batch: int = 32
    length: int | None = None  # the task's length option (None: the task's default)
    seed: int = 0
    clip: float = 1.0  # max global gradient norm (0: no clipping)
    optimizer: str = "adam"
    schedule: str = "cosine"
    frontend: str = "core"

    @classmethod
    def for_task(cls, task: str, quick: bool = False, **overrides: Any) -> TrainConfig:
        """The task's default settings (its quick smoke-run settings if `quick`), then `overrides`."""
        if task not in TASKS:
            raise KeyError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
        d = TASKS[task].defaults
        cfg = cls(
            task=task,
            hidden=d.hidden,
            layers=d.layers,
            lr=d.lr,
            epochs=d.quick_epochs if quick else d.epochs,
            steps=d.quick_steps if quick else d.steps,
            batch=d.batch,
            length=d.length or None,
            clip=d.clip,
        )
        return dataclasses.replace(cfg, **{k: v for k, v in overrides.items() if v is not None})

    def validate(self) -> None:
        """Raise ValueError naming the first unusable setting."""
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; choose one of: {', '.join(TASKS)}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"--seed must be a non-negative integer, got {self.seed}")
        for name in ("hidden", "layers", "steps", "batch"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"--{name} must be a positive integer, got {v}")
        if not isinstance(self.epochs, int) or self.epochs < 1:
            raise ValueError(f"--epochs must be a positive integer, got {self.epochs}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"--lr must be a positive number, got {self.lr}")
        if not (self.clip >= 0 and math.isfinite(self.clip)):
            raise ValueError(f"--clip must be >= 0 (0 turns clipping off), got {self.clip}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"--optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"--schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}")
        if self.frontend not in FRONTENDS:
            raise ValueError(f"--frontend must be one of {', '.join(FRONTENDS)}, got {self.frontend!r}")
        get_task(self.task, self.length)  # the task checks its length


@dataclass
class Curve:
    """Per-epoch history. `seconds` (wall time) is kept apart: it is not part of the curve proper."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def values(self) -> dict[str, list[Any]]:
        """The curve without wall times: two runs with the same seed give equal values()."""
        d = dataclasses.asdict(self)
        d.pop("seconds")
        return d

    def append(self, **row: Any) -> None:
        for k, v in row.items():
            getattr(self, k).append(v)


@dataclass
class Result:
    """What train() returns."""

    config: TrainConfig
    task: Task
    curve: Curve
    baseline: tuple[str, float, float]
    seconds: float  # wall time of this call's epochs
    backend: Any = None
    sample: str | None = None
    plot: str | None = None
    stopped_early: bool = False

    @property
    def metric(self) -> float:
        """The last validation metric (nan before the first epoch)."""
        return self.curve.metric[-1] if self.curve.metric else float("nan")

    @property
    def reached(self) -> bool:
        """Whether the last validation metric meets the task's target."""
        return bool(self.curve.metric) and self.task.reached(self.metric)


# ---------------------------------------------------------------------------------------------
# learning-rate schedule: the core's schedulers, driven on a one-parameter stand-in optimiser


def lr_schedule(cfg: TrainConfig) -> list[float]:
    """The learning rate of each epoch (index 0 = the first epoch) from the core's schedulers."""
    from . import optim
    from .tensor import Tensor

    opt = optim.SGD([Tensor(np.zeros(1, np.float32), requires_grad=True)], lr=cfg.lr)
    if cfg.schedule == "cosine":
        sched: optim.LRScheduler | None = optim.CosineAnnealingLR(
            opt, T_max=max(cfg.epochs, 1), eta_min=cfg.lr / 20
        )
    elif cfg.schedule == "step":
        sched = optim.StepLR(opt, step_size=max(cfg.epochs // 3, 1), gamma=0.3)
    else:
        sched = None
    out = []
    for _ in range(cfg.epochs):
        out.append(opt.param_groups[0]["lr"])
        if sched is not None:
            sched.step()
    return out


# ---------------------------------------------------------------------------------------------
# backends: build the model and run one optimiser step / a prediction in a given framework


class Backend:
    """Interface of a model backend (numpy arrays in, numpy arrays and floats out)."""

    name = ""

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One forward/backward/clip/update; returns the batch loss."""
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs on the scored steps, (batch, n_scored, output_size), without recording a graph."""
        raise NotImplementedError

    def set_lr(self, lr: float) -> None:
        raise NotImplementedError

    def step_state(self, x: np.ndarray, h: Any) -> tuple[np.ndarray, Any]:
        """One time step for sampling: x (1, 1, input_size) -> (outputs (output_size,), new state)."""
        raise NotImplementedError

    def model_arrays(self) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def load_model_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def optimizer_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def load_optimizer_state(self, sd: dict[str, Any]) -> None:
        raise NotImplementedError


def _make_core_optimizer(optim: Any, params: list[Any], cfg: TrainConfig) -> Any:
    if cfg.optimizer == "adam":
        return optim.Adam(params, lr=cfg.lr)
    if cfg.optimizer == "adamw":
        return optim.AdamW(params, lr=cfg.lr, weight_decay=1e-2)
    return optim.SGD(params, lr=cfg.lr, momentum=0.9, nesterov=True)


class CoreBackend(Backend):
    """The core: nn.RNN (batch_first) + nn.Linear on the scored steps, core optimisers."""

    name = "core"

    def __init__(self, task: Task, cfg: TrainConfig):
        from . import functional as F
        from . import nn, optim
        from .random import manual_seed
        from .tape import no_grad
        from .tensor import Tensor

        self.F, self.optim, self.Tensor, self.no_grad = F, optim, Tensor, no_grad
        self.task, self.cfg = task, cfg
        manual_seed(cfg.seed)
        self.rnn = nn.RNN(task.input_size, cfg.hidden, cfg.layers, batch_first=True)
        self.head = nn.Linear(cfg.hidden, task.output_size)
        self.params = list(self.rnn.parameters()) + list(self.head.parameters())
        self.opt = _make_core_optimizer(optim, self.params, cfg)

    def _forward(self, x: np.ndarray) -> Any:
        out, _ = self.rnn(self.Tensor(x))
        return self.head(out[:, -self.task.n_scored :])

    def train_step(self, x, y):
        pred = self._forward(x)
        if self.task.classification:
            loss = self.F.cross_entropy(pred.reshape(-1, self.task.output_size), y.reshape(-1))
        else:
            loss = self.F.mse_loss(pred, y)
        self.opt.zero_grad()
        loss.backward()
        if self.cfg.clip:
            self.optim.clip_grad_norm_(self.params, self.cfg.clip)
        self.opt.step()
        return float(loss.item())

    def predict(self, x):
        with self.no_grad():
            return self._forward(x).numpy()

    def set_lr(self, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr

    def step_state(self, x, h):
        with self.no_grad():
            out, h = self.rnn(self.Tensor(x), h)
            return self.head(out).numpy().reshape(-1), h

    def _modules(self) -> dict[str, Any]:
        return {"rnn": self.rnn, "head": self.head}

    def model_arrays(self):
        return {
            f"{m}.{k}": np.array(v.numpy())
            for m, mod in self._modules().items()
            for k, v in mod.state_dict().items()
        }

    def load_model_arrays(self, arrays):
        for m, mod in self._modules().items():
            mod.load_state_dict({k[len(m) + 1 :]: v for k, v in arrays.items() if k.startswith(m + ".")})

    def optimizer_state(self):
        return self.opt.state_dict()

    def load_optimizer_state(self, sd):
        self.opt.load_state_dict(sd)


def _to_numpy(t: Any) -> np.ndarray:
    for attr in ("numpy", "asnumpy"):
        if hasattr(t, attr):
            try:
                return np.array(getattr(t.detach() if hasattr(t, "detach") else t, attr)())
            except TypeError:
                continue
    return np.array(t)


class TorchBackend(Backend):
    """The model written against a torch-like module `T` (tinygrad_rnn.torch, or the real torch)."""

    name = "torch"

    def __init__(self, task: Task, cfg: TrainConfig, T: Any = None):
        if T is None:
            from . import torch as T  # noqa: N812 - the frontend is meant to be bound to "torch"
        self.T, self.task, self.cfg = T, task, cfg
        T.manual_seed(cfg.seed)
        n_scored, out_size = task.n_scored, task.output_size

        class Model(T.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.rnn = T.nn.RNN(task.input_size, cfg.hidden, cfg.layers, batch_first=True)
                self.head = T.nn.Linear(cfg.hidden, out_size)

            def forward(self, x: Any) -> Any:
                out, _ = self.rnn(x)
                return self.head(out[:, -n_scored:])

        self.model = Model()
        ps = list(self.model.parameters())
        if cfg.optimizer == "adam":
            self.opt = T.optim.Adam(ps, lr=cfg.lr)
        elif cfg.optimizer == "adamw":
            self.opt = T.optim.AdamW(ps, lr=cfg.lr, weight_decay=1e-2)
        else:
            self.opt = T.optim.SGD(ps, lr=cfg.lr, momentum=0.9, nesterov=True)
        self.loss_fn = T.nn.CrossEntropyLoss() if task.classification else T.nn.MSELoss()

    def train_step(self, x, y):
        T = self.T
        pred = self.model(T.from_numpy(x))
        yt = T.from_numpy(y)
        if self.task.classification:
            loss = self.loss_fn(pred.reshape(-1, self.task.output_size), yt.reshape(-1))
        else:
            loss = self.loss_fn(pred, yt)
        self.opt.zero_grad()
        loss.backward()
        if self.cfg.clip:
            T.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip)
        self.opt.step()
        return float(loss.item())

    def predict(self, x):
        with self.T.no_grad():
            return _to_numpy(self.model(self.T.from_numpy(x)))

    def set_lr(self, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr

    def step_state(self, x, h):
        with self.T.no_grad():
            out, h = self.model.rnn(self.T.from_numpy(x), h)
            return _to_numpy(self.model.head(out)).reshape(-1), h

    def model_arrays(self):
        return {k: _to_numpy(v) for k, v in self.model.state_dict().items()}

    def load_model_arrays(self, arrays):
        self.model.load_state_dict({k: self.T.from_numpy(np.array(v)) for k, v in arrays.items()})

    def optimizer_state(self):
        sd = self.opt.state_dict()
        return {
            "state": {
                int(i): {k: (_to_numpy(v) if hasattr(v, "shape") else v) for k, v in s.items()}
                for i, s in sd["state"].items()
            },
            "param_groups": sd["param_groups"],
        }

    def load_optimizer_state(self, sd):
        T = self.T
        state = {
            int(i): {k: (T.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v) for k, v in s.items()}
            for i, s in sd["state"].items()
        }
        self.opt.load_state_dict({"state": state, "param_groups": sd["param_groups"]})


class MindSporeBackend(Backend):
    """The model written against tinygrad_rnn.mindspore: nn.Cell, nn.RNN, nn.Dense, value_and_grad,
    optimizer(grads). The schedule is MindSpore's dynamic learning rate: one value per step."""

    name = "mindspore"
    _OPT_STATE = ("global_step", "beta1_power", "beta2_power", "moment1", "moment2")

    def __init__(self, task: Task, cfg: TrainConfig, ms: Any = None):
        if ms is None:
            from . import mindspore as ms
        self.ms, self.task, self.cfg = ms, task, cfg
        nn = ms.nn
        ms.set_seed(cfg.seed)
        n_scored, out_size, hidden = task.n_scored, task.output_size, cfg.hidden

        class Model(nn.Cell):
            def __init__(self) -> None:
                super().__init__()
                self.rnn = nn.RNN(task.input_size, hidden, cfg.layers, batch_first=True)
                self.head = nn.Dense(hidden, out_size)

            def construct(self, x: Any) -> Any:
                out, _ = self.rnn(x)
                out = out[:, -n_scored:]
                b, t = out.shape[0], out.shape[1]
                return self.head(out.reshape(b * t, hidden)).reshape(b, t, out_size)

        self.model = Model()
        self.model.set_train(True)
        ps = self.model.trainable_params()
        lr = [v for v in lr_schedule(cfg) for _ in range(cfg.steps)]  # per step, indexed by global_step
        if cfg.optimizer == "sgd":
            self.opt = nn.SGD(ps, learning_rate=lr, momentum=0.9, nesterov=True)
        elif cfg.optimizer == "adamw":
            self.opt = nn.Adam(ps, learning_rate=lr, weight_decay=1e-2)  # L2 decay: MindSpore's Adam
        else:
            self.opt = nn.Adam(ps, learning_rate=lr)
        if task.classification:
            self.loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
        else:
            self.loss_fn = nn.MSELoss()

        def forward_fn(x: Any, y: Any) -> Any:
            pred = self.model(x)
            if task.classification:
                return self.loss_fn(pred.reshape(-1, out_size), y.reshape(-1))
            return self.loss_fn(pred, y)

        self.grad_fn = ms.value_and_grad(forward_fn, None, self.opt.parameters)

    def _clip(self, grads: Any) -> Any:
        clip = getattr(self.ms.ops, "clip_by_global_norm", None)
        if clip is not None:
            return clip(grads, self.cfg.clip)
        arrays = [_to_numpy(g) for g in grads]  # the same rule by hand
        total = math.sqrt(sum(float(np.sum(a.astype(np.float64) ** 2)) for a in arrays))
        coef = min(self.cfg.clip / (total + 1e-6), 1.0)
        return tuple(self.ms.Tensor((a * coef).astype(a.dtype)) for a in arrays)

    def train_step(self, x, y):
        ms = self.ms
        loss, grads = self.grad_fn(ms.Tensor(x), ms.Tensor(y))
        if self.cfg.clip:
            grads = self._clip(grads)
        self.opt(grads)
        return float(_to_numpy(loss))

    def predict(self, x):
        self.model.set_train(False)
        try:
            return _to_numpy(self.model(self.ms.Tensor(x)))
        finally:
            self.model.set_train(True)

    def set_lr(self, lr):
        pass  # the per-step schedule was given to the optimiser

    def step_state(self, x, h):
        out, h = self.model.rnn(self.ms.Tensor(x), h)
        return _to_numpy(self.model.head(out.reshape(1, self.cfg.hidden))).reshape(-1), h

    def model_arrays(self):
        return {k: _to_numpy(v) for k, v in self.model.parameters_dict().items()}

    def load_model_arrays(self, arrays):
        params = {k: self.ms.Parameter(self.ms.Tensor(np.array(v)), name=k) for k, v in arrays.items()}
        not_loaded = self.ms.load_param_into_net(self.model, params)
        if any(not_loaded):
            raise CheckpointError(f"checkpoint does not fit the model: not loaded {not_loaded}")

    def optimizer_state(self):
        # MindSpore keeps an optimiser's state in attributes (moments, beta powers, step count)
        st: dict[str, Any] = {}
        for k in self._OPT_STATE:
            if hasattr(self.opt, k):
                v = getattr(self.opt, k)
                st[k] = [np.array(a) for a in v] if isinstance(v, list) else _to_numpy(v)
        core = getattr(self.opt, "_core", None)  # SGD's momentum buffers
        if core is not None:
            st["core"] = core.state_dict()
        return st

    def load_optimizer_state(self, sd):
        for k, v in sd.items():
            if k == "core":
                self.opt._core.load_state_dict(v)
            elif k not in self._OPT_STATE:
                raise CheckpointError(f"optimizer state {k!r} does not fit this optimizer")
            elif isinstance(v, list):
                setattr(self.opt, k, [np.array(a) for a in v])
            else:
                old = getattr(self.opt, k)
                setattr(self.opt, k, type(old)(v) if isinstance(old, (int, np.generic)) else v)


def make_backend(task: Task, cfg: TrainConfig, module: Any = None) -> Backend:
    """The backend for cfg.frontend; `module` replaces the frontend package (e.g. the real torch)."""
    if cfg.frontend == "core":
        return CoreBackend(task, cfg)
    try:
        if cfg.frontend == "torch":
            return TorchBackend(task, cfg, module)
        return MindSporeBackend(task, cfg, module)
    except ImportError as e:
        raise RuntimeError(f"the {cfg.frontend} frontend is not available: {e}") from e


# ---------------------------------------------------------------------------------------------
# checkpoints: one .npz (arrays) with a JSON string (everything else), written atomically


def _flatten_opt(sd: Any, prefix: str, arrays: dict[str, np.ndarray]) -> Any:
    """Replace every array in a nested structure by a reference, collecting arrays by key."""
    if isinstance(sd, dict):
        return {
            "__dict__": [
                [_flatten_opt(k, "", arrays), _flatten_opt(v, f"{prefix}/{k}", arrays)] for k, v in sd.items()
            ]
        }
    if isinstance(sd, (list, tuple)):
        return {
            "__" + type(sd).__name__ + "__": [
                _flatten_opt(v, f"{prefix}/{i}", arrays) for i, v in enumerate(sd)
            ]
        }
    if isinstance(sd, np.ndarray):
        key = f"opt{prefix}"
        arrays[key] = sd
        return {"__array__": key}
    if isinstance(sd, np.generic):
        return sd.item()
    if isinstance(sd, float) and not math.isfinite(sd):
        return {"__float__": repr(sd)}
    return sd


def _unflatten_opt(obj: Any, arrays: dict[str, np.ndarray], used: set[str], depth: int = 0) -> Any:
    """The structure _flatten_opt described; each array member it names is used once (else CheckpointError)."""
    if depth > MAX_DEPTH:
        raise CheckpointError(f"the optimiser state is nested more than {MAX_DEPTH} deep")
    if not isinstance(obj, dict):
        return obj
    if len(obj) != 1:
        raise CheckpointError(f"unexpected optimiser entry {str(obj)[:80]}")
    (kind, value), inner = next(iter(obj.items())), depth + 1
    if kind == "__dict__":
        return {
            _unflatten_opt(k, arrays, used, inner): _unflatten_opt(v, arrays, used, inner) for k, v in value
        }
    if kind == "__list__":
        return [_unflatten_opt(v, arrays, used, inner) for v in value]
    if kind == "__tuple__":
        return tuple(_unflatten_opt(v, arrays, used, inner) for v in value)
    if kind == "__array__":
        if not isinstance(value, str) or not value.startswith("opt") or value not in arrays or value in used:
            raise CheckpointError(
                f"the optimiser state names a missing or repeated array {str(value)[:80]!r}"
            )
        used.add(value)
        return np.array(arrays[value])
    if kind == "__float__" and value in ("inf", "-inf", "nan"):
        return float(value)
    raise CheckpointError(f"unexpected optimiser entry {str(obj)[:80]}")


def save_checkpoint(
    path: str, cfg: TrainConfig, backend: Backend, data_rng: np.random.Generator, curve: Curve
) -> None:
    """Write model, optimiser state, data RNG state, epoch and curve to `path` atomically (through a
    symlink; a directory, FIFO or device is refused with an OSError)."""
    arrays = {f"model/{k}": v for k, v in backend.model_arrays().items()}
    opt_meta = _flatten_opt(backend.optimizer_state(), "", arrays)
    meta = {
        "format": CKPT_FORMAT,
        "config": dataclasses.asdict(cfg),
        "epoch": len(curve.epoch),
        "curve": dataclasses.asdict(curve),
        "data_rng": data_rng.bit_generator.state,
        "optimizer": opt_meta,
    }
    arrays["meta"] = np.array(json.dumps(meta))
    os.makedirs(os.path.dirname(resolve(path)), exist_ok=True)
    atomic_write(path, lambda f: np.savez(f, **arrays))


def _check_meta(meta: Any) -> None:
    """CheckpointError unless meta has our format and a consistent curve and epoch count."""
    if not isinstance(meta, dict) or meta.get("format") != CKPT_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise CheckpointError(f"unknown format {str(found)[:40]!r}")
    missing = {"config", "epoch", "curve", "data_rng", "optimizer"} - meta.keys()
    if missing:
        raise CheckpointError(f"it lacks {sorted(missing)}")
    curve, epoch = meta["curve"], meta["epoch"]
    fields = {f.name for f in dataclasses.fields(Curve)}
    if (
        not isinstance(curve, dict)
        or curve.keys() != fields
        or not all(isinstance(v, list) for v in curve.values())
    ):
        raise CheckpointError("its curve is not a record of per-epoch lists")
    if type(epoch) is not int or any(len(v) != epoch for v in curve.values()):
        raise CheckpointError(f"its epoch count {str(epoch)[:20]} does not match its curve")
    if not isinstance(meta["config"], dict) or not isinstance(meta["data_rng"], dict):
        raise CheckpointError("its config or data RNG state is not a record")


def load_checkpoint(path: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(meta, arrays) of a checkpoint; for any unusable file (missing, a directory or device, damaged,
    tampered with, another format) only CheckpointError, with a one-line reason. Removes temp files a
    killed save of this path left behind."""
    if not os.path.exists(path):
        raise CheckpointError(f"checkpoint not found: {path}")
    if os.path.isdir(path):
        raise CheckpointError(f"checkpoint is a directory, not a file: {path}")
    remove_stale_temps(path)
    try:
        arrays = read_npz(path, text_members=("meta",), required="meta")
        meta = parse_json(arrays.pop("meta"), "its header")
        _check_meta(meta)
    except (CorruptFileError, CheckpointError, OSError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise CheckpointError(
            f"cannot read checkpoint {path}: not a tinygrad-rnn training checkpoint ({reason})"
        ) from None
    if not all(k.startswith(("model/", "opt/")) for k in arrays):
        raise CheckpointError(f"cannot read checkpoint {path}: unexpected arrays {sorted(arrays)[:5]}")
    return meta, arrays


def _restore(path: str, backend: Backend, data_rng: np.random.Generator) -> Curve:
    meta, arrays = load_checkpoint(path)
    used: set[str] = set()
    try:
        backend.load_model_arrays({k[6:]: v for k, v in arrays.items() if k.startswith("model/")})
        backend.load_optimizer_state(_unflatten_opt(meta["optimizer"], arrays, used))
        unused = [k for k in arrays if k.startswith("opt/") and k not in used]
        if unused:
            raise CheckpointError(f"arrays {unused[:5]} are not part of the optimiser state")
        data_rng.bit_generator.state = meta["data_rng"]
        curve = Curve(**meta["curve"])
    except CheckpointError as e:
        raise CheckpointError(f"checkpoint {path} does not fit this model: {e}") from None
    except Exception as e:  # any mismatch with this model / optimiser: one line, not a traceback
        raise CheckpointError(f"checkpoint {path} does not fit this model: {type(e).__name__}: {e}") from None
    return curve


def config_from_checkpoint(path: str) -> TrainConfig:
    """The TrainConfig a checkpoint was trained with (checked: CheckpointError if unusable)."""
    meta, _ = load_checkpoint(path)
    config = meta["config"]
    try:
        fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
        for k, v in config.items():
            want = fields[k].type  # "int", "float", "str", "int | None" (postponed annotations)
            ok = {"int": int, "float": (int, float), "str": str, "int | None": (int, type(None))}[want]
            if isinstance(v, bool) or not isinstance(v, ok):
                raise ValueError(f"{k} is {v!r}")
        cfg = TrainConfig(**config)
        cfg.validate()
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"checkpoint {path} has an unusable config: {e}") from None
    return cfg


def _plot_format(path: str) -> str:
    """The image format a plot path asks for (its extension; png without one), checked with matplotlib."""
    ext = os.path.splitext(path)[1][1:].lower() or "png"
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        return ext  # no matplotlib: the plot is skipped with a message anyway
    formats = FigureCanvasBase.get_supported_filetypes()
    if ext not in formats:
        raise OutputPathError(
            f"cannot write the plot to {path}: matplotlib cannot write .{ext} files (use one of "
            f"{', '.join('.' + f for f in sorted(formats))})"
        )
    return ext


def check_outputs(save: str | None = None, plot: str | None = None) -> None:
    """Before any training: OutputPathError with a one-line reason if `save` or `plot` cannot be
    written (a directory, FIFO or device, a parent that is a file, an unwritable folder, a plot format
    matplotlib lacks). Missing folders are fine: they are created when written."""
    if plot is not None:
        _plot_format(plot)
    for path, what in ((save, "the checkpoint"), (plot, "the plot")):
        if path is None:
            continue
        try:
            probe_writable(path, make_folders=True)
        except OSError as e:
            reason = f"{e.strerror}: {e.filename}" if e.strerror and e.filename else (e.strerror or str(e))
            raise OutputPathError(f"cannot write {what} to {path}: {reason}") from None


# ---------------------------------------------------------------------------------------------
# the loop


def evaluate(task: Task, backend: Backend) -> tuple[float, float]:
    """(validation loss, validation metric) on the task's fixed validation set."""
    x, y = task.val_set()
    pred = backend.predict(x)
    return task.loss_np(pred, y), task.metric_np(pred, y)


def sample_text(
    task: CharLM,
    backend: Backend,
    n: int = 200,
    prime: str = "Alice ",
    temperature: float = 0.7,
    seed: int = 0,
) -> str:
    """Generate n characters after `prime`, drawing each from softmax(logits / temperature)."""
    rng = np.random.default_rng(seed)
    prime = "".join(c for c in prime if c in task.stoi) or task.chars[0]
    h = None
    logits = None
    for c in prime:
        logits, h = backend.step_state(task.encode(np.array([[task.stoi[c]]])), h)
    out = []
    for _ in range(n):
        z = logits.astype(np.float64) / max(temperature, 1e-6)
        p = np.exp(z - z.max())
        i = int(rng.choice(len(p), p=p / p.sum()))
        out.append(task.chars[i])
        logits, h = backend.step_state(task.encode(np.array([[i]])), h)
    return prime + "".join(out)


class _Progress:
    """A tqdm bar with live loss (bar=True and tqdm installed), else one line per epoch to `out`."""

    def __init__(self, bar: bool, total: int, initial: int, desc: str, out: Callable[[str], None] | None):
        self.bar = None
        self.out = out
        if bar:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # tqdm is an optional dependency: fall back to plain lines
                pass
            else:
                self.bar = tqdm(
                    total=total, initial=initial, desc=desc, unit="step", dynamic_ncols=True, leave=True
                )

    def update(self, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def epoch(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text)
        elif self.out is not None:
            self.out(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def train(
    cfg: TrainConfig,
    *,
    save: str | None = None,
    resume: str | None = None,
    plot: str | None = None,
    progress: bool = True,
    stop_after: int | None = None,
    sample_chars: int = 300,
    module: Any = None,
    out: Callable[[str], None] = print,
) -> Result:
    """Train cfg.task; checkpoint to `save` after every epoch; continue from `resume`.

    progress: a tqdm bar with the live loss; else one line per epoch goes to `out` (None: silent).
    stop_after: end after that many epochs of this call (to simulate an interruption).
    module: a torch-like / mindspore-like module to build the model with instead of our frontend.
    """
    cfg.validate()
    check_outputs(save, plot)  # an unwritable output fails now, not after the training
    task = get_task(cfg.task, cfg.length)
    backend = make_backend(task, cfg, module)
    data_rng = np.random.default_rng(cfg.seed)
    curve = Curve()
    if resume is not None:
        curve = _restore(resume, backend, data_rng)
        if len(curve.epoch) > cfg.epochs:
            raise CheckpointError(
                f"checkpoint {resume} has already done {len(curve.epoch)} epochs, more than epochs={cfg.epochs}"
            )
    lrs = lr_schedule(cfg)
    start = len(curve.epoch)
    end = cfg.epochs if stop_after is None else min(cfg.epochs, start + stop_after)
    bar = _Progress(progress, cfg.epochs * cfg.steps, start * cfg.steps, cfg.task, out)
    t_all = time.perf_counter()
    try:
        for ep in range(start, end):
            t0 = time.perf_counter()
            backend.set_lr(lrs[ep])
            losses = []
            for _ in range(cfg.steps):
                x, y = task.batch(data_rng, cfg.batch)
                loss = backend.train_step(x, y)
                if not math.isfinite(loss):
                    raise FloatingPointError(f"the loss became {loss} at epoch {ep + 1}: try a smaller --lr")
                losses.append(loss)
                bar.update(float(np.mean(losses[-20:])))
            val_loss, metric = evaluate(task, backend)
            curve.append(
                epoch=ep + 1,
                train_loss=float(np.mean(losses)),
                val_loss=val_loss,
                metric=metric,
                lr=lrs[ep],
                seconds=time.perf_counter() - t0,
            )
            bar.epoch(
                f"epoch {ep + 1}/{cfg.epochs}: train loss {curve.train_loss[-1]:.4f}  val loss {val_loss:.4f}  "
                f"val {task.metric} {metric:.4f}"
            )
            if save is not None:
                save_checkpoint(save, cfg, backend, data_rng, curve)
    finally:
        bar.close()
    res = Result(
        cfg,
        task,
        curve,
        task.baseline(),
        time.perf_counter() - t_all,
        backend,
        stopped_early=end < cfg.epochs,
    )
    if isinstance(task, CharLM) and sample_chars > 0 and curve.epoch:
        res.sample = sample_text(task, backend, sample_chars, seed=cfg.seed)
    if plot:
        res.plot = plot_curve(res, plot)
    return res


# ---------------------------------------------------------------------------------------------
# the plot


def plot_curve(res: Result, path: str) -> str:
    """Save a PNG: loss per epoch (train, validation, baseline) and, beside it, the metric per epoch
    (accuracy tasks), the final model's predictions on validation data (regression tasks) or the
    learning rate per epoch (charlm, whose metric is its loss)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c, task, cfg = res.curve, res.task, res.config
    bname, bloss, bmetric = res.baseline
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot(c.epoch, c.train_loss, "o-", ms=3, label="train loss")
    a1.plot(c.epoch, c.val_loss, "s-", ms=3, label="validation loss")
    a1.axhline(bloss, color="grey", ls="--", label=f"baseline: {bname}")
    if task.metric in ("mse", "loss"):
        a1.axhline(task.target, color="C3", ls=":", label=f"target {task.target_text()}")
    a1.set_yscale("log")
    a1.set_xlabel("epoch")
    a1.set_ylabel("cross-entropy (nats)" if task.classification else "mean squared error")
    a1.set_title(f"{task.name}: loss ({cfg.frontend}, hidden {cfg.hidden}, seed {cfg.seed})")
    a1.legend(fontsize=8)
    if task.metric == "accuracy":
        a2.plot(c.epoch, c.metric, "o-", ms=3, color="C2", label=f"validation {task.metric}")
        a2.axhline(task.target, color="C3", ls=":", label=f"target {task.target_text()}")
        a2.axhline(bmetric, color="grey", ls="--", label=f"baseline: {bname}")
        a2.set_ylim(0, 1.02)
        a2.set_xlabel("epoch")
        a2.set_ylabel(task.metric)
        a2.set_title(f"{task.name}: validation {task.metric}")
    elif task.classification:  # charlm: the metric is the loss; show the schedule instead
        a2.plot(c.epoch, c.lr, "o-", ms=3, color="C4", label=f"{cfg.optimizer} lr ({cfg.schedule})")
        a2.set_xlabel("epoch")
        a2.set_ylabel("learning rate")
        a2.set_title("learning rate per epoch")
    else:
        x, y = task.val_set()
        pred = res.backend.predict(x[:64]) if res.backend is not None else None
        if pred is not None and task.n_scored > 1:  # sequences: targets and predictions over time
            t = np.arange(x.shape[1] - task.n_scored, x.shape[1]) + 1
            for i, col in ((0, "C0"), (1, "C1")):
                a2.plot(t, y[i, :, 0], "-", color=col, alpha=0.5, lw=3, label=f"target {i}")
                a2.plot(t, pred[i, :, 0], "k--", lw=1, label="prediction" if i == 0 else None)
            a2.set_xlabel("time step")
            a2.set_ylabel("value")
        elif pred is not None:  # one number per sequence: predicted against true
            a2.plot(y[:64, -1, 0], pred[:, -1, 0], "o", ms=3, label="validation sequences")
            lo, hi = float(y.min()), float(y.max())
            a2.plot([lo, hi], [lo, hi], "k:", lw=1, label="perfect")
            a2.set_xlabel("target")
            a2.set_ylabel("prediction")
        a2.set_title(f"{task.name}: the trained model on validation data")
    a2.legend(fontsize=8)
    fig.tight_layout()
    fmt = _plot_format(path)
    os.makedirs(os.path.dirname(resolve(path)), exist_ok=True)
    try:
        atomic_write(path, lambda fh: fig.savefig(fh, format=fmt, dpi=90))
    finally:
        plt.close(fig)
    return path
