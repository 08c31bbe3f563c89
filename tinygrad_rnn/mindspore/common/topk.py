"""ops.topk / Tensor.topk of MindSpore 2.10: (values, int32 indices) of the k largest along a dim.

The values are a gather (the core's GetItem), so gradients scatter back to the chosen positions and
differentiate again. Checked on MindSpore 2.10.0: k in (0, n] (a one-element Tensor k counts), dim
None is the last axis, a 0-d input is refused. Where MindSpore's kernel order is implementation-defined
(ties, `sorted=False`, NaN) ours is the sorted order, ties by ascending index, NaN largest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ops as core_ops
from ...functional import topk_indices
from ...tape import make_tensor
from ...tensor import Tensor as CoreTensor
from .. import _checks as check

_NUMERIC = (
    "{Tensor[BFloat16], Tensor[Float16], Tensor[Float32], Tensor[Float64], Tensor[Int16], Tensor[Int32], "
    "Tensor[Int64], Tensor[Int8], Tensor[UInt16], Tensor[UInt32], Tensor[UInt64], Tensor[UInt8]}"
)


def _k(k: Any) -> int:
    if isinstance(k, CoreTensor) and k.array.dtype.kind in "iu" and k.array.size == 1:
        return int(k.array.item())
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
        return int(k)
    got = {bool: "Bool", float: "Float32"}.get(type(k), type(k).__name__)
    raise TypeError(
        f"For primitive[TopK], the input argument[k] must be a type of {{Int32, Int64}}, but got {got}."
    )


def topk(input: Any, k: Any, dim: Any = None, largest: Any = True, sorted: Any = True) -> tuple:  # noqa: A002
    """(values, indices) of the k largest (smallest if not largest) elements along dim (last by default)."""
    if not isinstance(input, CoreTensor):
        raise TypeError(
            "For Primitive[TopK], the type of input argument[input_x] must be Tensor but got "
            f"{type(input).__name__}."
        )
    k = _k(k)
    check.value_type("largest", largest, (bool,), "topk")
    check.value_type("sorted", sorted, (bool,), "TopK")
    a = input.array
    if a.dtype == np.bool_:
        raise TypeError(
            f"For primitive[TopK], the input argument[input_x] must be a type of {_NUMERIC}, "
            "but got Tensor[Bool]."
        )
    if a.ndim == 0:
        raise RuntimeError("For 'TopK', the dimension of input must be greater than 0, but got empty input.")
    d = -1 if dim is None else check.integer("topk", "dim", dim)
    if not -a.ndim <= d < a.ndim:
        raise ValueError(f"The 'axis' must be in the range of [{-a.ndim}, {a.ndim}), but got {d}.")
    d %= a.ndim
    if not 0 < k <= a.shape[d]:
        raise ValueError(f"For primitive[TopK], the k must be in (0,{a.shape[d]}], but got {k}.")
    idx = topk_indices(a, k, d, bool(largest))
    grids = list(np.indices(idx.shape, sparse=True))
    values = core_ops.GetItem.apply(input, idx=tuple(grids[:d] + [idx] + grids[d + 1 :]))
    return values, make_tensor(input.result_type, idx.astype(np.int32), None, 0)
