"""mindspore.ops.function.nn_func: activations, (log_)softmax, losses and dropout."""

from __future__ import annotations

from typing import Any

import numpy as np

from .... import functional as core_functional
from .... import ops as core_ops
from ... import _checks as check
from ...common.tensor import Tensor
from .._utils import unary_operand
from .array_func import cast


def sigmoid(input: Any) -> Tensor:
    """Logistic sigmoid."""
    return core_ops.sigmoid(unary_operand("sigmoid", input, True))


def relu(input: Any, inplace: bool = False) -> Tensor:
    """max(input, 0)."""
    return core_ops.relu(unary_operand("relu", input))


def softmax(input: Any, axis: int = -1, *, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`."""
    return _softmax(core_functional.softmax, "softmax", input if dtype is None else cast(input, dtype), axis)


def _softmax(fn: Any, op: str, x: Any, axis: Any) -> Tensor:
    """(log_)softmax after MindSpore's checks: a float Tensor of rank >= 1, an axis in range."""
    check.floating(op, "input", x)
    if x.ndim == 0:
        raise ValueError(f"For '{op}', the 'input' must have rank >= 1, but got a 0-D Tensor.")
    one = isinstance(axis, (tuple, list)) and len(axis) == 1
    axis = check.axis(op, "axis", axis[0] if one else axis, x.ndim)
    if x.data.size == 0:
        return Tensor(np.zeros(x.shape, x.data.dtype))  # nothing to normalise
    return fn(x, axis)


def log_softmax(logits: Any, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along `axis`."""
    return _softmax(core_functional.log_softmax, "log_softmax", logits, axis)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error."""
    check.tensor("mse_loss", "input", input)
    check.tensor("mse_loss", "target", target)
    _reduction("mse_loss", reduction)
    check.broadcast("mse_loss", ("input", "target"), input, target)
    return core_functional.mse_loss(input, target, reduction)


def _reduction(op: str, reduction: Any) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"For '{op}', the 'reduction' must be in ['mean', 'sum', 'none'], but got {reduction}."
        )


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy of logits (classes on axis 1) against class indices."""
    check_class_targets("cross_entropy", input, target)
    _reduction("cross_entropy", reduction)
    return core_functional.cross_entropy(input, target, reduction)


def check_class_targets(op: str, logits: Any, labels: Any) -> None:
    """Float logits (N, C) and integer labels (N,) with N > 0: MindSpore's TypeError / ValueError."""
    check.floating(op, "input", logits)
    check.tensor(op, "target", labels)
    if logits.ndim != 2:
        raise ValueError(f"For '{op}', the 'input' must be 2-D (N, C), but got shape {logits.shape}.")
    if labels.data.dtype.kind not in "iu":
        raise TypeError(
            f"For '{op}', the 'target' must be a Tensor of int32 or int64, but got {labels.dtype}."
        )
    if labels.shape != logits.shape[:1] or labels.data.size == 0:
        raise ValueError(
            f"For '{op}', the 'target' must have shape (N,) = {logits.shape[:1]} with N > 0 for 'input' of "
            f"shape {logits.shape}, but got {labels.shape}."
        )


def dropout(input: Any, p: float = 0.5, training: bool = True, seed: Any = None) -> Tensor:
    """Zero elements with probability p (scaled by 1/(1-p)) when training."""
    check.floating("dropout", "input", input)
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"For 'dropout', the 'p' must be a float, but got {type(p).__name__}.")
    if not 0 <= p < 1:
        raise RuntimeError(f"For 'dropout', the 'p' must be in [0.0, 1.0), but got {p}.")
    return core_functional.dropout(input, p, training)
