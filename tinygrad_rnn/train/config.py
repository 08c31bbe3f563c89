"""What a run is: its settings (TrainConfig), the learning-rate schedule, the curve and the result."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..tasks import TASKS, Task, get_task

FRONTENDS = ("core", "torch", "mindspore")
CELLS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}  # --cell -> the nn class every frontend has
OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("cosine", "step", "none")


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used (missing, corrupt, or from another configuration)."""


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
    cell: str = "rnn"

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
            lr=(d.quick_lr or d.lr) if quick else d.lr,
            epochs=d.quick_epochs if quick else d.epochs,
            steps=d.quick_steps if quick else d.steps,
            batch=d.batch,
            length=((d.quick_length or d.length) if quick else d.length) or None,
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
        if self.cell not in CELLS:
            raise ValueError(f"--cell must be one of {', '.join(CELLS)}, got {self.cell!r}")
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


def lr_schedule(cfg: TrainConfig) -> list[float]:
    """The learning rate of each epoch (index 0 = the first epoch) from the core's schedulers."""
    from .. import optim
    from ..tensor import Tensor

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
