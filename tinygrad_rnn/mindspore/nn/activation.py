"""mindspore.nn activation cells that sit in MindSpore's nn/layer/activation.py: LogSoftmax."""

from __future__ import annotations

from typing import Any

from ... import functional as core_functional
from .. import _checks
from .cell import Cell


class LogSoftmax(Cell):
    """x - logsumexp(x) along `axis`, with MindSpore 2.10's errors (checked on it)."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def construct(self, x: Any) -> Any:
        _checks.tensor("LogSoftmax", "logits", x)
        axis = self.axis
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                f'Failed calling LogSoftmax with "LogSoftmax(axis={type(axis).__name__})(logits=Tensor)".'
            )
        if x.array.dtype.kind != "f":
            raise TypeError("Select CPU operator[LogSoftmax] fail! Unsupported data type!")
        if x.ndim == 0:  # MindSpore's oneDNN kernel refuses a 0-d input
            raise RuntimeError(
                "could not create a primitive descriptor for the softmax forward propagation primitive. "
                "Run workload with environment variable ONEDNN_VERBOSE=all to get additional diagnostic "
                "information."
            )
        if not -x.ndim <= axis < x.ndim:
            raise ValueError(
                f"For primitive[LogSoftmax], the axis must be in [{-x.ndim},{x.ndim}), but got {axis}."
            )
        return core_functional.log_softmax(x, axis)
