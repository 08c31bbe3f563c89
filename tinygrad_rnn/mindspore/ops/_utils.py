"""Operand checks and kernels shared by several mindspore.ops modules (the functions and the primitives)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ops as core_ops
from .. import _checks as check
from ..common.tensor import Tensor


def reduction_axes(axis: Any, x: Any = None, op: str = "reduce", name: str = "axis") -> Any:
    """MindSpore spells 'all axes' as () too; with `x`, the Tensor and the axes are checked first."""
    if x is not None:
        check.tensor(op, "input", x)
        axis = check.axes(op, name, axis, x.ndim)
    return None if axis == () else axis


def binary_operands(op: str, a: Any, b: Any, names: tuple[str, str] = ("input", "other")) -> tuple[Any, Any]:
    """Tensor or number operands whose shapes broadcast (MindSpore: TypeError / ValueError)."""
    check.tensor(op, names[0], a, numbers=True)
    check.tensor(op, names[1], b, numbers=True)
    check.broadcast(op, names, a, b)
    return a, b


def unary_operand(op: str, x: Any, floating: bool = False) -> Any:
    """A Tensor operand (a floating one for the transcendental kernels)."""
    return check.floating(op, "input", x) if floating else check.tensor(op, "input", x)


def checked_matmul(op: str, a: Any, b: Any, error: type[Exception] = RuntimeError) -> Tensor:
    """a @ b after MindSpore's checks: Tensors of one dtype (TypeError), matching inner sizes (`error`)."""
    check.tensor(op, "input", a)
    check.tensor(op, "other", b)
    check.same_dtype(op, ("input", "other"), a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"For '{op}', the inputs must be at least 1-D, but got shapes {a.shape} and {b.shape}."
        )
    check.broadcast(op, ("input batch dims", "other batch dims"), a.array.shape[:-2], b.array.shape[:-2])
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise error(
            f"For '{op}', the last dimension of 'input' ({k_a}) must equal the second-to-last dimension of "
            f"'other' ({k_b}), but got shapes {a.shape} and {b.shape}."
        )
    return core_ops.matmul(a, b)


def extreme_values(fn: Any, op: str, input: Any, axis: Any, keepdims: bool) -> Tensor:
    """Max / min values: over an empty axis MindSpore gives an empty result, not an error."""
    axis = reduction_axes(axis, input, op)
    if input.array.size == 0:
        axes = range(input.ndim) if axis is None else [a % input.ndim for a in np.atleast_1d(axis)]
        shape = [1 if i in axes else s for i, s in enumerate(input.shape)]
        out = np.zeros(shape, input.array.dtype)
        return Tensor(out if keepdims else out.reshape([s for i, s in enumerate(shape) if i not in axes]))
    return fn(input, axis, keepdims)
