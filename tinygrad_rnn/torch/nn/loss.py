"""torch.nn.NLLLoss / F.nll_loss and nn.LogSoftmax: torch's checks, a gather of the target log-probs.

nll_loss picks -input[n, target[n], ...] (scaled by weight[target]) with the core's getitem, so its
gradient (a scatter) and double backward are the core's. torch's reductions: 'mean' divides by the
summed weights of the targets that count (NaN when none do), 'sum' adds, 'none' keeps the shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import functional as _F
from ... import ops
from ...tape import TensorBase
from .. import _check
from .._tensor import Tensor
from .modules import Module

__all__ = ["LogSoftmax", "NLLLoss", "nll_loss"]


def legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """torch's reading of the deprecated size_average / reduce pair (reduction when both are None)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def _check_shapes(xs: tuple[int, ...], ts: tuple[int, ...]) -> None:
    """torch's nll_loss_nd shape checks (1-D / 2-D input: nll_loss; more: nll_loss2d)."""
    if not xs:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if len(xs) == 1:
        if ts not in ((), (1,)):
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {ts[0] if ts else 0}"
            )
        return
    if not ts or xs[0] != ts[0]:
        raise ValueError(
            f"Expected input batch_size ({xs[0]}) to match target batch_size ({ts[0] if ts else 0})."
        )
    if len(xs) == 2 and len(ts) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if len(xs) == 4 and len(ts) != 3:
        raise RuntimeError(
            f"only batches of spatial targets supported (3D tensors) but got targets of dimension: {len(ts)}"
        )
    if len(xs) == 4 and ts[1:] != xs[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(xs)} , target: {list(ts)}")
    if len(xs) > 2 and ts[1:] != xs[2:]:
        raise RuntimeError(f"Expected target size {[xs[0], *xs[2:]]}, got {list(ts)}")


def _check_args(input: Any, target: Any, weight: Any, ignore_index: Any) -> None:
    _check.tensor("nll_loss_nd", "input", 1, input)
    _check.tensor("nll_loss_nd", "target", 2, target)
    if weight is not None:
        _check.tensor("nll_loss_nd", "weight", 3, weight)
    _check.integer("nll_loss_nd", "ignore_index", 5, ignore_index)
    xs = input.array.shape
    _check_shapes(xs, target.array.shape)
    if target.array.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_check.scalar_name(target)}")
    n_classes = xs[1] if len(xs) > 1 else xs[0]
    if weight is not None and weight.array.shape != (n_classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes but got weight "
            f"tensor of shape: {list(weight.array.shape)}"
            if len(xs) <= 2
            else "weight tensor should be defined either for all or no classes"
        )
    _check.kernel("nll_loss_out_frame" if len(xs) <= 2 else "nll_loss2d_forward_out_frame", input)
    if weight is not None and weight.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"expected scalar type {_check.scalar_name(input)} but found {_check.scalar_name(weight)}"
        )


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class targets given log-probabilities (classes on dim 1)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_args(input, target, weight, ignore_index)
    ignore_index = int(ignore_index.array.item() if isinstance(ignore_index, TensorBase) else ignore_index)
    x, t = input, target.array.astype(np.int64)
    if x.array.ndim == 1:  # one sample: a batch of one
        x, t = ops.reshape(x, (1, -1)), t.reshape(1)
    n_classes = x.array.shape[1]
    counted = t != ignore_index
    bad = t[counted & ((t < 0) | (t >= n_classes))]
    if bad.size:
        raise IndexError(f"Target {int(bad.reshape(-1)[0])} is out of bounds.")
    safe = np.where(counted, t, 0)
    w = np.ones(n_classes, x.array.dtype) if weight is None else weight.array
    scale = np.where(counted, w[safe], 0).astype(x.array.dtype)
    perm = (0, *range(2, x.array.ndim), 1)  # classes last, then one row per sample
    rows = ops.reshape(ops.transpose(x, perm), (-1, n_classes))
    picked = ops.reshape(ops.getitem(rows, (np.arange(safe.size), safe.reshape(-1))), safe.shape)
    losses = -picked * scale
    if reduction == "none":
        return ops.reshape(losses, ()) if input.array.ndim == 1 else losses
    total = losses.sum()
    if reduction == "sum":
        return total
    with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0 / 0 = NaN, as torch
        return total / scale.sum(dtype=x.array.dtype)


class NLLLoss(Module):
    """nll_loss as a module (weight is kept as a plain attribute: this frontend has no buffers)."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        self.weight = weight
        self.ignore_index = ignore_index
        self.reduction = legacy_reduction(size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class LogSoftmax(Module):
    """log(softmax(input)) along dim."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, TensorBase):  # torch's F.log_softmax calls input.dim() / input.log_softmax
            attr = "dim" if self.dim is None else "log_softmax"
            raise AttributeError(f"'{type(input).__name__}' object has no attribute '{attr}'")
        nd = input.array.ndim
        dim = (0 if nd in (0, 1, 3) else 1) if self.dim is None else self.dim  # torch's legacy implicit dim
        d = _check.norm_dim(dim, nd, "log_softmax")
        last = nd == 0 or d == nd - 1
        _check.kernel("log_softmax_lastdim_kernel_impl" if last else "log_softmax_kernel_impl", input)
        if not nd:
            return ops.reshape(_F.log_softmax(ops.reshape(input, (1,)), 0), ())
        return _F.log_softmax(input, d)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
