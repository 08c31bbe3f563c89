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
    if x.array.size == 0:
        return Tensor(np.zeros(x.shape, x.array.dtype))  # nothing to normalise
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
    """Cross entropy of logits (classes on axis 1) against class indices, or against class probabilities
    (a float target of the logits' shape and dtype), with torch's weight / ignore_index / label_smoothing."""
    _reduction("cross_entropy", reduction)
    check.floating("cross_entropy", "input", input)
    check.tensor("cross_entropy", "target", target)
    if target.array.dtype.kind == "f":
        if target.array.dtype != input.array.dtype:  # MindSpore then takes it for indices (GatherD)
            raise TypeError(
                "For primitive[GatherD], the input argument[index] must be a type of {Tensor[Int32], "
                f"Tensor[Int64]}}, but got Tensor[{target.dtype}]."
            )
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    check_class_targets("cross_entropy", input, target)
    t = target.array
    if weight is None and not label_smoothing and not (t == ignore_index).any():
        return core_functional.cross_entropy(input, target, reduction)
    return _cross_entropy_indices(input, t, weight, ignore_index, reduction, label_smoothing)


def _class_weights(weight: Any, n_classes: int, ndim: int) -> np.ndarray:
    """The weight (C,) shaped to broadcast along the class axis 1 (ones when None)."""
    w = np.ones(n_classes) if weight is None else np.asarray(getattr(weight, "array", weight))
    return w.reshape((1, n_classes) + (1,) * (ndim - 2)) if ndim > 1 else w


def _cross_entropy_probs(input: Any, target: Any, weight: Any, reduction: str, smoothing: float) -> Tensor:
    axis = 1 if input.ndim > 1 else 0
    n_classes = input.shape[axis]
    t = target * (1 - smoothing) + smoothing / n_classes if smoothing else target
    w = _class_weights(weight, n_classes, input.ndim).astype(input.array.dtype)
    loss = -core_ops.sum_(core_functional.log_softmax(input, axis) * t * w, axis)
    if reduction == "mean":
        return core_ops.mean(loss)
    return core_ops.sum_(loss) if reduction == "sum" else loss


def _cross_entropy_indices(
    input: Any, t: np.ndarray, weight: Any, ignore_index: int, reduction: str, smoothing: float
) -> Tensor:
    """torch's weighted NLL (mean: divided by the weights of the non-ignored targets) plus smoothing."""
    flat = _classes_last(input)
    return _nll(input, core_functional.log_softmax(flat, 1), t, weight, ignore_index, reduction, smoothing)


def _nll(
    input: Any, lp: Any, t: np.ndarray, weight: Any, ignore_index: int, reduction: str, smoothing: float
) -> Tensor:
    """The weighted NLL of log-probabilities lp (rows, C) of `input`, with ignore_index and smoothing."""
    dtype = input.array.dtype
    n_classes = lp.shape[1]
    t = t.reshape(-1)
    keep = t != ignore_index
    hot = (np.where(keep, t, -1)[:, None] == np.arange(n_classes)).astype(dtype)
    w = _class_weights(weight, n_classes, 2).astype(dtype)
    nll = -core_ops.sum_(lp * (hot * w), 1)
    smooth = -core_ops.sum_(lp * (w * keep[:, None].astype(dtype)), 1)
    if reduction == "none":
        out = nll * (1 - smoothing) + smooth * (smoothing / n_classes) if smoothing else nll
        return core_ops.reshape(out, input.shape[:1] + input.shape[2:])
    nll_r, smooth_r = core_ops.sum_(nll), core_ops.sum_(smooth)
    if reduction == "mean":
        w_sum = dtype.type((hot * w).sum())
        nll_r = nll_r / w_sum
        smooth_r = smooth_r / (w_sum if weight is not None else dtype.type(keep.sum()))
    return nll_r * (1 - smoothing) + smooth_r * (smoothing / n_classes) if smoothing else nll_r


def nll_loss(
    inputs: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Negative log-likelihood of log-probabilities (classes on axis 1) at integer targets; a reduction
    other than 'mean' / 'sum' gives one loss per target, as MindSpore 2.10 does."""
    check.floating("nll_loss", "inputs", inputs)
    check.tensor("nll_loss", "target", target)
    if target.array.dtype.kind not in "iu":
        raise TypeError(
            "For primitive[GatherD], the input argument[index] must be a type of {Tensor[Int32], "
            f"Tensor[Int64]}}, but got Tensor[{target.dtype}]."
        )
    n_classes = inputs.shape[1] if inputs.ndim > 1 else inputs.shape[0]
    t = target.array.reshape(-1)
    bad = t[(t != ignore_index) & ((t < -n_classes) | (t >= n_classes))]
    if bad.size:
        raise RuntimeError(
            f"For 'GatherD', the value of 'index' must be in [{-n_classes}, {n_classes}), but got: {bad[0]}"
        )
    t = np.where(t < 0, t + n_classes, t)  # a gather: negative targets count from the end
    t = np.where(target.array.reshape(-1) == ignore_index, ignore_index, t)
    reduction = reduction if reduction in ("mean", "sum") else "none"
    return _nll(inputs, _classes_last(inputs), t, weight, ignore_index, reduction, label_smoothing)


def _classes_last(x: Any) -> Any:
    """(N, C, d1, ...) -> (N * d1 * ..., C); a 1-D input (C,) -> (1, C)."""
    if x.ndim == 1:
        return core_ops.reshape(x, (1, x.shape[0]))
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    return core_ops.reshape(core_ops.transpose(x, perm), (-1, x.shape[1]))


def check_class_targets(op: str, logits: Any, labels: Any) -> None:
    """Float logits (N, C, d1, ...) or (C,) and integer labels (N, d1, ...) or () with N > 0: MindSpore's
    TypeError / ValueError."""
    check.floating(op, "input", logits)
    check.tensor(op, "target", labels)
    if logits.ndim == 0:
        raise ValueError(f"For '{op}', the 'input' must have rank >= 1, but got shape {logits.shape}.")
    if labels.array.dtype.kind not in "iu":
        raise TypeError(
            f"For '{op}', the 'target' must be a Tensor of int32 or int64, but got {labels.dtype}."
        )
    want = () if logits.ndim == 1 else logits.shape[:1] + logits.shape[2:]
    if labels.shape != want or (logits.ndim > 1 and labels.array.size == 0):
        raise ValueError(
            f"For '{op}', the 'target' must have shape {want} with N > 0 for 'input' of shape {logits.shape}, "
            f"but got {labels.shape}."
        )


def dropout(input: Any, p: float = 0.5, training: bool = True, seed: Any = None) -> Tensor:
    """Zero elements with probability p (scaled by 1/(1-p)) when training."""
    check.floating("dropout", "input", input)
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"For 'dropout', the 'p' must be a float, but got {type(p).__name__}.")
    if not 0 <= p < 1:
        raise RuntimeError(f"For 'dropout', the 'p' must be in [0.0, 1.0), but got {p}.")
    return core_functional.dropout(input, p, training)
