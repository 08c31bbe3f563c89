"""torch.nn.utils: gradient clipping (the core's) and the rnn packing helpers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .... import optim as _optim
from ....tape import TensorBase, make_tensor
from ..._tensor import Tensor
from . import rnn

__all__ = ["clip_grad_norm_", "clip_grad_value_", "rnn"]


def _params(parameters: Any) -> list[TensorBase]:
    return [parameters] if isinstance(parameters, TensorBase) else list(parameters)


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    """Scale gradients so their joint norm is at most max_norm; returns the norm before clipping."""
    ps = _params(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)  # torch's conversions (and their errors)
    if error_if_nonfinite:
        total = _optim.clip_grad_norm_(ps, math.inf, norm_type)  # max_norm inf: measures, scales by 1
        if not np.isfinite(total.array):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot "
                "be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
                "`error_if_nonfinite=False`"
            )
    total = _optim.clip_grad_norm_(ps, max_norm, norm_type)
    return make_tensor(Tensor, total.array, None, 0)


def clip_grad_value_(parameters: Any, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    ps = _params(parameters)
    if not ps:
        raise RuntimeError("Expected !nested_tensorlist[0].empty() to be true, but got false.")
    for p in ps:
        if p.grad is not None:
            p.grad.array = np.clip(p.grad.array, -clip_value, clip_value)
