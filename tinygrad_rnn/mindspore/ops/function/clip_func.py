"""mindspore.ops.function.clip_func: clamp (clip_by_value), clip_by_global_norm."""

from __future__ import annotations

from typing import Any

import numpy as np

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


def clip_by_global_norm(x: Any, clip_norm: Any = 1.0, use_norm: Any = None) -> Any:
    """Scale Tensors by clip_norm / max(global_norm, clip_norm), global_norm the float32 L2 norm of all.

    As MindSpore 2.10 computes it: each Tensor's sum of squares in its dtype, cast to float32, summed,
    sqrt; then (x * clip_norm) / norm in float32 (a shape (1,) norm: a 0-d Tensor comes back (1,)), cast
    back to x's dtype. A tuple / list gives a tuple, one Tensor a Tensor. Differentiable throughout.
    """
    c = float(clip_norm.array.item()) if isinstance(clip_norm, Tensor) else clip_norm
    if not c > 0.0:
        raise ValueError(f"For 'clip_by_global_norm', the argument 'clip_norm' must > 0.0, but got {c}.")
    if use_norm is not None:
        raise ValueError(
            "For '_ClipByGlobalNorm', input 'use_norm' only supports None currently, but got 'use_norm': "
            f"{float(getattr(use_norm, 'array', use_norm))}"
        )
    xs = list(x) if isinstance(x, (tuple, list)) else [x]
    if not xs:
        raise ValueError("For primitive[AddN], the input num must be greater than or equal to 1, but got 0.")
    for v in xs:
        check.tensor("clip_by_global_norm", "x", v)
    f32 = np.dtype(np.float32)
    squares = [core_ops.cast(core_ops.sum_(v * v), f32) for v in xs]
    total = squares[0]
    for s in squares[1:]:
        total = total + s
    norm = core_ops.reshape(core_ops.sqrt(total), (1,))
    clip = np.array([c], f32)
    norm = norm if norm.array[0] >= clip[0] else Tensor(clip)  # a select: no gradient when not clipping
    out = [_scaled(v, clip, norm) for v in xs]
    return tuple(out) if isinstance(x, (tuple, list)) else out[0]


def _scaled(x: Any, clip: np.ndarray, norm: Any) -> Any:
    """(x * clip) / norm in at least float32, cast back to x's dtype."""
    xf = x if x.array.dtype.kind == "f" else core_ops.cast(x, np.dtype(np.float32))
    return core_ops.cast(core_ops.div(core_ops.mul(xf, clip), norm), x.array.dtype)
