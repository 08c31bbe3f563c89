"""torch.nn.Parameter: the frontend Tensor that core Modules register (core Parameter underneath)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...nn import Parameter as _CoreParameter
from ...tape import TensorBase
from ...tensor import as_array
from .. import _check, _dtype
from .._tensor import Tensor


class Parameter(Tensor, _CoreParameter):
    """A leaf Tensor a Module registers; shares the data of the tensor it wraps, as in torch."""

    __slots__ = ()
    result_type = Tensor  # ops on a parameter give plain tensors

    def __init__(self, data: Any = None, requires_grad: bool = True):
        if data is not None and not isinstance(data, (TensorBase, np.ndarray)):  # torch calls data.detach()
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        arr = (
            np.zeros((0,), _dtype.default_float())
            if data is None
            else data.array
            if isinstance(data, TensorBase)
            else as_array(data)
        )
        self._set(arr)
        if requires_grad:
            _check.grad_dtype(arr.dtype)
        self.requires_grad = bool(requires_grad)

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__
