"""mindspore.nn losses: MSELoss, L1Loss, SoftmaxCrossEntropyWithLogits, CrossEntropyLoss."""

from __future__ import annotations

from typing import Any

from ... import functional as core_functional
from .cell import Cell


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
        return core_functional.mse_loss(logits, labels, self.reduction)


class L1Loss(LossBase):
    """|logits - labels|, reduced."""

    def construct(self, logits: Any, labels: Any) -> Any:
        return self.get_loss((logits - labels).abs())


class SoftmaxCrossEntropyWithLogits(LossBase):
    """-sum(labels * log_softmax(logits), -1); ``sparse=True`` takes class indices instead of one-hot labels.

    ``reduction`` defaults to 'none' (one loss per sample), as in MindSpore.
    """

    def __init__(self, sparse: bool = False, reduction: str = "none"):
        super().__init__(reduction)
        self.sparse = sparse

    def construct(self, logits: Any, labels: Any) -> Any:
        if self.sparse:
            return core_functional.cross_entropy(logits, labels, self.reduction)
        per_sample = -(labels * core_functional.log_softmax(logits, -1)).sum(-1)
        return self.get_loss(per_sample)


class CrossEntropyLoss(LossBase):
    """Cross entropy of logits (classes on axis 1) against class indices."""

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ):
        super().__init__(reduction)
        if weight is not None or label_smoothing:
            raise NotImplementedError("CrossEntropyLoss: weight and label_smoothing are not supported here")

    def construct(self, logits: Any, labels: Any) -> Any:
        return core_functional.cross_entropy(logits, labels, self.reduction)
