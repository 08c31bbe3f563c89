"""Composites built only from the primitives in ops/ (the package): softmax, losses, dropout, linear."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .random import generator
from .tensor import Tensor


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)), shifted by the (constant) max for stability."""
    e = (x - ops.max_(x.detach(), axis, keepdims=True)).exp()  # ops.*, not methods a frontend may redefine
    return e / e.sum(axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - logsumexp(x), shifted by the (constant) max for stability."""
    shifted = x - ops.max_(x.detach(), axis, keepdims=True)
    return shifted - shifted.exp().sum(axis, keepdims=True).log()


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error."""
    d = input - target
    return _reduce(d * d, reduction)


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer class targets under softmax(logits) (classes on axis 1)."""
    t = np.asarray(getattr(target, "array", target))
    if t.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: expected integer class targets, got dtype {t.dtype}")
    lp = log_softmax(logits, axis=1 if logits.ndim > 1 else 0)
    n_classes = lp.shape[1 if lp.ndim > 1 else 0]
    bad = t[(t < 0) | (t >= n_classes)]
    if bad.size:  # name the first bad target, negative ones included, as torch does
        raise IndexError(f"Target {int(bad.reshape(-1)[0])} is out of bounds.")
    if lp.ndim == 1:
        picked = lp[int(t)]
    else:
        # move the class axis last, flatten the rest, pick each row's target
        perm = (0,) + tuple(range(2, lp.ndim)) + (1,)
        flat = ops.transpose(lp, perm).reshape(-1, lp.shape[1])
        tf = t.reshape(-1)
        picked = flat[np.arange(tf.size), tf].reshape(t.shape)
    return _reduce(-picked, reduction)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, rng: Any = None) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (identity in eval)."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * np.zeros((), dtype=x.dtype)
    keep = (rng or generator()).random(x.shape) >= p
    return x * (keep / (1 - p)).astype(x.dtype)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight^T + bias."""
    y = x @ weight.T
    return y + bias if bias is not None else y


def topk_indices(a: np.ndarray, k: int, axis: int, largest: bool = True) -> np.ndarray:
    """Indices of the k largest (smallest) entries along axis: stable, so ties keep ascending index,
    and NaN counts as the largest (as torch's topk). The frontends' topk gather with these."""
    if not largest:
        order = np.argsort(a, axis=axis, kind="stable")
    elif a.dtype.kind != "f":
        order = np.argsort(~a if a.dtype.kind in "iub" else -a, axis=axis, kind="stable")  # ~a: no overflow
    else:  # -a leaves NaN last: a second, primary key (not NaN) moves it first; lexsort sorts the last axis
        key, notnan = np.moveaxis(-a, axis, -1), np.moveaxis(~np.isnan(a), axis, -1)
        order = np.moveaxis(np.lexsort((key, notnan), axis=-1), -1, axis)
    return np.take(order, np.arange(k), axis=axis)
