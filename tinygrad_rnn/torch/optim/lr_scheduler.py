"""torch.optim.lr_scheduler: the core's StepLR and CosineAnnealingLR under torch's signatures."""

from __future__ import annotations

from typing import Any

from ... import optim as _optim

__all__ = ["CosineAnnealingLR", "StepLR"]


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, _optim.Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


class StepLR(_optim.StepLR):
    """lr = base * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if last_epoch != -1:
            raise NotImplementedError(
                "tinygrad_rnn.torch: resuming a scheduler via last_epoch is not supported"
            )
        _check_optimizer(optimizer)
        super().__init__(optimizer, step_size, gamma)


class CosineAnnealingLR(_optim.CosineAnnealingLR):
    """lr = eta_min + (base - eta_min) * (1 + cos(pi * epoch / T_max)) / 2."""

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if last_epoch != -1:
            raise NotImplementedError(
                "tinygrad_rnn.torch: resuming a scheduler via last_epoch is not supported"
            )
        _check_optimizer(optimizer)
        super().__init__(optimizer, T_max, eta_min)
