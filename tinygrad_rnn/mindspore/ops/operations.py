"""mindspore.ops.operations: the primitives, operator classes configured at construction and applied by
calling (``ops.ReduceSum(keep_dims=False)(x, axis)``, ``ops.MatMul(transpose_b=True)(a, b)``); each runs
the functional op of the same name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import ops as core_ops
from .. import _checks as check
from ..common.tensor import Tensor
from ..common.tensor_methods import mean_of
from ._utils import checked_matmul, extreme_values, reduction_axes
from .function.array_func import (
    cast,
    concat,
    expand_dims,
    one_hot,
    ones,
    ones_like,
    reshape,
    select,
    squeeze,
    stack,
    transpose,
    unstack,
    zeros,
    zeros_like,
)
from .function.math_func import add, div, exp, log, mul, sqrt, square, sub, tanh
from .function.nn_func import relu, sigmoid, softmax
from .primitive import Primitive


def _primitive(name: str, fn: Any) -> type[Primitive]:
    cls = type(name, (Primitive,), {"__call__": lambda self, *a: fn(*a), "__doc__": fn.__doc__})
    return cls


Tanh = _primitive("Tanh", tanh)
ReLU = _primitive("ReLU", relu)
Sigmoid = _primitive("Sigmoid", sigmoid)
Exp = _primitive("Exp", exp)
Log = _primitive("Log", log)
Sqrt = _primitive("Sqrt", sqrt)
Square = _primitive("Square", square)
Add = _primitive("Add", add)
Sub = _primitive("Sub", sub)
Mul = _primitive("Mul", mul)
Div = _primitive("Div", div)
Reshape = _primitive("Reshape", reshape)
Transpose = _primitive("Transpose", transpose)
ExpandDims = _primitive("ExpandDims", expand_dims)
Select = _primitive("Select", select)
Cast = _primitive("Cast", cast)
ZerosLike = _primitive("ZerosLike", zeros_like)
OnesLike = _primitive("OnesLike", ones_like)
Zeros = _primitive("Zeros", lambda shape, dtype: zeros(shape, dtype))
Ones = _primitive("Ones", lambda shape, dtype: ones(shape, dtype))
Shape = _primitive("Shape", lambda x: tuple(x.shape))


class _Reduce(Primitive):
    fn: Any = None

    def __init__(self, keep_dims: bool = False):
        self.keep_dims = keep_dims

    def __call__(self, x: Any, axis: Any = ()) -> Tensor:
        op = type(self).__name__
        check.boolean(op, "keep_dims", self.keep_dims)
        axis = reduction_axes(axis, x, op)
        if x.array.size == 0 and type(self).fn in (core_ops.max_, core_ops.min_):
            return extreme_values(type(self).fn, op, x, axis, self.keep_dims)
        return type(self).fn(x, axis, self.keep_dims)


class ReduceSum(_Reduce):
    """``ReduceSum(keep_dims=False)(x, axis=())``: sum over axis (() = all)."""

    fn = staticmethod(core_ops.sum_)

    def __init__(self, keep_dims: bool = False, skip_mode: bool = False):
        super().__init__(keep_dims)


class ReduceMean(_Reduce):
    """``ReduceMean(keep_dims=False)(x, axis=())``."""

    fn = staticmethod(mean_of)


class ReduceMax(_Reduce):
    """``ReduceMax(keep_dims=False)(x, axis=())``."""

    fn = staticmethod(core_ops.max_)


class ReduceMin(_Reduce):
    """``ReduceMin(keep_dims=False)(x, axis=())``."""

    fn = staticmethod(core_ops.min_)


class MatMul(Primitive):
    """``MatMul(transpose_a=False, transpose_b=False)(a, b)`` on 2-D operands."""

    def __init__(self, transpose_a: bool = False, transpose_b: bool = False):
        self.transpose_a, self.transpose_b = transpose_a, transpose_b

    def __call__(self, a: Any, b: Any) -> Tensor:
        check.tensor("MatMul", "input", a)
        check.tensor("MatMul", "mat2", b)
        a, b = (a.T if self.transpose_a else a), (b.T if self.transpose_b else b)
        return checked_matmul("MatMul", a, b, ValueError)


class BatchMatMul(MatMul):
    """``BatchMatMul(transpose_a=False, transpose_b=False)(a, b)``: the last two axes transposed."""

    def __call__(self, a: Any, b: Any) -> Tensor:
        check.tensor("BatchMatMul", "x", a)
        check.tensor("BatchMatMul", "y", b)
        a = a.swapaxes(-1, -2) if self.transpose_a else a
        return checked_matmul("BatchMatMul", a, b.swapaxes(-1, -2) if self.transpose_b else b, ValueError)


class Concat(Primitive):
    """``Concat(axis=0)(tensors)``."""

    def __init__(self, axis: int = 0):
        self.axis = axis

    def __call__(self, tensors: Sequence[Any]) -> Tensor:
        return concat(tensors, self.axis)


class Stack(Concat):
    """``Stack(axis=0)(tensors)``."""

    def __call__(self, tensors: Sequence[Any]) -> Tensor:
        return stack(tensors, self.axis)


class Unstack(Primitive):
    """``Unstack(axis=0)(x)``."""

    def __init__(self, axis: int = 0, num: Any = None):
        self.axis = axis

    def __call__(self, x: Any) -> tuple[Tensor, ...]:
        return unstack(x, self.axis)


class Squeeze(Primitive):
    """``Squeeze(axis=())(x)``."""

    def __init__(self, axis: Any = ()):
        self.axis = axis

    def __call__(self, x: Any) -> Tensor:
        return squeeze(x, self.axis if self.axis != () else None)


class OneHot(Primitive):
    """``OneHot(axis=-1)(indices, depth, on_value, off_value)``."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def __call__(self, indices: Any, depth: int, on_value: Any, off_value: Any) -> Tensor:
        return one_hot(indices, depth, on_value, off_value, self.axis)


class Softmax(Primitive):
    """``Softmax(axis=-1)(x)``."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def __call__(self, x: Any) -> Tensor:
        return softmax(x, self.axis)


__all__ = [
    "Add",
    "BatchMatMul",
    "Cast",
    "Concat",
    "Div",
    "Exp",
    "ExpandDims",
    "Log",
    "MatMul",
    "Mul",
    "OneHot",
    "Ones",
    "OnesLike",
    "ReduceMax",
    "ReduceMean",
    "ReduceMin",
    "ReduceSum",
    "ReLU",
    "Reshape",
    "Select",
    "Shape",
    "Sigmoid",
    "Softmax",
    "Sqrt",
    "Square",
    "Squeeze",
    "Stack",
    "Sub",
    "Tanh",
    "Transpose",
    "Unstack",
    "Zeros",
    "ZerosLike",
]
