"""mindspore.nn losses: MSELoss, L1Loss, SoftmaxCrossEntropyWithLogits, CrossEntropyLoss, NLLLoss."""

from __future__ import annotations

from typing import Any

from ... import functional as core_functional
from .. import _checks
from ..common.tensor import Tensor
from ..ops.function.nn_func import cross_entropy, nll_loss
from .cell import Cell


def _pair(cls: str, logits: Any, labels: Any) -> None:
    """Two Tensors whose shapes broadcast (MindSpore: TypeError / ValueError)."""
    _checks.tensor(cls, "logits", logits)
    _checks.tensor(cls, "labels", labels)
    _checks.broadcast(cls, ("logits", "labels"), logits, labels)


class LossBase(Cell):
    """A loss cell with MindSpore's ``reduction`` in ('mean', 'sum', 'none')."""

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"For '{type(self).__name__}', the 'reduction' must be in ['mean', 'sum', 'none'], "
                f"but got {reduction}."
            )
        self.reduction = reduction

    def get_loss(self, x: Any) -> Any:
        """Apply the reduction."""
        if self.reduction == "mean":
            return x.mean()
        return x.sum() if self.reduction == "sum" else x


class MSELoss(LossBase):
    """(logits - labels) ** 2, reduced."""

    def construct(self, logits: Any, labels: Any) -> Any:
        _pair("MSELoss", logits, labels)
        return core_functional.mse_loss(logits, labels, self.reduction)


class L1Loss(LossBase):
    """|logits - labels|, reduced."""

    def construct(self, logits: Any, labels: Any) -> Any:
        _pair("L1Loss", logits, labels)
        return self.get_loss((logits - labels).abs())


class SoftmaxCrossEntropyWithLogits(LossBase):
    """-sum(labels * log_softmax(logits), -1); ``sparse=True`` takes class indices instead of one-hot labels.

    ``reduction`` defaults to 'none' (one loss per sample), as in MindSpore.
    """

    def __init__(self, sparse: bool = False, reduction: str = "none"):
        super().__init__(reduction)
        if not isinstance(sparse, bool):
            raise TypeError(
                f"For '{type(self).__name__}', the 'sparse' must be a bool, but got {type(sparse).__name__}."
            )
        self.sparse = sparse

    def construct(self, logits: Any, labels: Any) -> Any:
        self._check(logits, labels)
        if self.sparse:
            return core_functional.cross_entropy(logits, labels, self.reduction)
        per_sample = -(labels * core_functional.log_softmax(logits, -1)).sum(-1)
        return self.get_loss(per_sample)

    def _check(self, logits: Any, labels: Any) -> None:
        """2-D float logits; labels (N, C) of their dtype, or with sparse, (N,) class indices, N > 0."""
        cls = type(self).__name__
        _checks.tensor(cls, "logits", logits)
        _checks.tensor(cls, "labels", labels)
        if self.sparse:
            _checks.floating(cls, "logits", logits)
            if labels.array.dtype.kind not in "iu":
                raise TypeError(
                    f"For '{cls}', the 'labels' must be int32 or int64 with sparse, but got {labels.dtype}."
                )
        else:
            _checks.same_dtype(cls, ("logits", "labels"), logits, labels)
            _checks.floating(cls, "logits", logits)
        for name, x, rank in (("logits", logits, 2), ("labels", labels, 1 if self.sparse else 2)):
            if x.ndim != rank:
                raise ValueError(
                    f"For '{cls}', the dimension of '{name}' must be equal to {rank}, but got {x.ndim}."
                )
        want = logits.shape[:1] if self.sparse else logits.shape
        if labels.shape != want or labels.array.size == 0:
            error = RuntimeError if self.sparse and labels.array.size == 0 else ValueError
            raise error(
                f"For '{cls}', the 'labels' must have shape {want} (non-empty), but got {labels.shape}."
            )


class CrossEntropyLoss(LossBase):
    """Cross entropy of logits (classes on axis 1) against class indices or class probabilities, with
    ``weight``, ``ignore_index`` and ``label_smoothing`` (ops.cross_entropy)."""

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ):
        super().__init__(reduction)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def construct(self, logits: Any, labels: Any) -> Any:
        cls = type(self).__name__
        _checks.floating(cls, "logits", logits)
        _checks.tensor(cls, "labels", labels)
        if labels.array.dtype.kind == "f" and labels.array.dtype == logits.array.dtype:
            return cross_entropy(
                logits, labels, self.weight, self.ignore_index, self.reduction, self.label_smoothing
            )
        if labels.array.dtype.kind not in "iu":
            raise TypeError(
                f"For '{cls}', the 'labels' must be a Tensor of int32 or int64, but got {labels.dtype}."
            )
        if logits.ndim != 2 or labels.shape != logits.shape[:1] or labels.array.size == 0:
            raise ValueError(
                f"For '{cls}', the shape of 'logits' should be (N, C) and the shape of 'labels' (N,) with N > 0, "
                f"but got {logits.shape} and {labels.shape}."
            )
        return cross_entropy(
            logits, labels, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class NLLLoss(LossBase):
    """Negative log-likelihood of log-probabilities (classes on axis 1) at integer labels (ops.nll_loss),
    with ``weight`` (a float16 / float32 Tensor) and ``ignore_index``; checked on MindSpore 2.10."""

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        if weight is not None:
            _checks.value_type("weight", weight, (Tensor,), "NLLLoss")
            if weight.array.dtype.name not in ("float16", "float32"):
                raise TypeError(
                    "For 'NLLLoss', the 'weight' should be one of [mindspore.float16, mindspore.float32], "
                    f"but got 'mindspore.{weight.array.dtype.name}'."
                )
        _checks.value_type("ignore_index", ignore_index, (int,), "NLLLoss")
        self.weight, self.ignore_index = weight, ignore_index

    def construct(self, logits: Any, labels: Any) -> Any:
        return nll_loss(logits, labels, self.weight, self.ignore_index, self.reduction)
