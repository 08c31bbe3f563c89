"""mindspore.ops.function.clip_func: clamp (clip_by_value)."""

from __future__ import annotations

from typing import Any

from .... import ops as core_ops
from ... import _checks as check
from ...common.tensor import Tensor
from ...common.tensor_methods import TensorMethods


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:
    """Clip into [min, max] (numbers, or Tensors broadcast against input)."""
    check.tensor("clamp", "input", input)
    for name, v in (("min", min), ("max", max)):
        if v is not None:
            check.tensor("clamp", name, v, numbers=True)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return TensorMethods.clamp(input, min, max)  # Tensor bounds broadcast against input
    return core_ops.clip(input, min, max)


clip_by_value = clamp
