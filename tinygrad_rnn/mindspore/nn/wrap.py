"""mindspore.nn wrappers: WithLossCell (network + loss) and TrainOneStepCell (one optimiser step per call)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops._autodiff import Call
from .cell import Cell


class WithLossCell(Cell):
    """``WithLossCell(backbone, loss_fn)``: construct(data, label) = loss_fn(backbone(data), label)."""

    def __init__(self, backbone: Cell, loss_fn: Cell):
        super().__init__(auto_prefix=False)
        self._backbone, self._loss_fn = backbone, loss_fn

    def construct(self, data: Any, label: Any) -> Any:
        return self._loss_fn(self._backbone(data), label)

    @property
    def backbone_network(self) -> Cell:
        """The wrapped network."""
        return self._backbone


class TrainOneStepCell(Cell):
    """``TrainOneStepCell(network, optimizer, sens=None)``: each call computes the loss, its gradients
    w.r.t. ``optimizer.parameters`` (scaled by ``sens``, default 1.0), applies the optimiser and returns
    the loss."""

    def __init__(self, network: Cell, optimizer: Any, sens: Any = None, return_grad: bool = False):
        super().__init__(auto_prefix=False)
        self.network, self.optimizer = network, optimizer
        self.weights = optimizer.parameters
        self.sens = 1.0 if sens is None else sens
        self.return_grad = return_grad

    def construct(self, *inputs: Any) -> Any:
        call = Call(self.network, inputs, (), self.weights)
        loss = call.out
        _, grads = call.grads(loss, np.full(loss.shape, self.sens, dtype=loss.array.dtype))
        self.optimizer(grads)
        return (loss.detach(), tuple(grads)) if self.return_grad else loss.detach()
