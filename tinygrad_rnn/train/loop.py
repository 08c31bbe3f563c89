"""The training loop: batches, optimiser steps, an evaluation and a checkpoint per epoch, progress."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tasks import CharLM, Task, get_task
from .backends import Backend, make_backend
from .checkpoints import CheckpointError, restore, save_checkpoint
from .config import Curve, Result, TrainConfig, lr_schedule
from .plots import check_outputs, plot_curve


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


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Progress:
    """A tqdm bar with live loss (bar=True and tqdm installed), else one line per epoch to `out`."""

    def __init__(self, bar: bool, total: int, initial: int, desc: str, out: Callable[[str], None] | None):
        self.bar = None
        self.out = out
        if bar and not _is_terminal(sys.stderr):
            bar = False  # redirected to a log: carriage-return updates would fill it, print lines instead
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
        curve = restore(resume, backend, data_rng)
        if len(curve.epoch) > cfg.epochs:
            raise CheckpointError(
                f"checkpoint {resume} has already done {len(curve.epoch)} epochs, more than epochs={cfg.epochs}"
            )
    lrs = lr_schedule(cfg)
    start = len(curve.epoch)
    end = cfg.epochs if stop_after is None else min(cfg.epochs, start + stop_after)
    bar = Progress(progress, cfg.epochs * cfg.steps, start * cfg.steps, cfg.task, out)
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
            line = (
                f"epoch {ep + 1}/{cfg.epochs}: train loss {curve.train_loss[-1]:.4f}  val loss {val_loss:.4f}"
            )
            if task.metric != "loss":  # charlm's metric is its loss: print it once
                line += f"  val {task.metric} {metric:.4f}"
            bar.epoch(line)
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
