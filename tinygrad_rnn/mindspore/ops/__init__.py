"""mindspore.ops: the functional ops and primitives an RNN script reaches for, on the core's ops.

Functions take MindSpore's argument names (``ops.sum(input, dim=None, keepdim=False)``,
``ops.mean(x, axis=None, keep_dims=False)``, ``ops.concat(tensors, axis=0)`` ...); primitives are classes
configured at construction and applied by calling (``ops.ReduceSum(keep_dims=False)(x, axis)``,
``ops.MatMul(transpose_b=True)(a, b)``). All are differentiable through the core tape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import functional as core_functional
from ... import ops as core_ops
from ...tensor import Tensor as CoreTensor
from ..common import dtype as mstype
from ..common.tensor import Tensor
from .composite import GradOperation as GradOperation
from .composite import grad as grad
from .composite import jacfwd as jacfwd
from .composite import jacrev as jacrev
from .composite import value_and_grad as value_and_grad
from .composite import vjp as vjp


def _t(x: Any) -> Any:
    """Numbers and arrays as Tensors (MindSpore's functional ops accept them)."""
    return x if isinstance(x, CoreTensor) else Tensor(x)


def _axis(axis: Any) -> Any:
    """MindSpore spells 'all axes' as () too."""
    return None if axis == () else axis


# -- creation ----------------------------------------------------------------------------------
def _shape(size: Any) -> tuple[int, ...]:
    return (int(size),) if isinstance(size, (int, np.integer)) else tuple(int(s) for s in size)


def zeros(size: Any, dtype: Any = None) -> Tensor:
    """A zero Tensor (float32 by default)."""
    return Tensor(np.zeros(_shape(size), mstype.to_np(dtype) or np.float32))


def ones(shape: Any, dtype: Any = None) -> Tensor:
    """A Tensor of ones (float32 by default)."""
    return Tensor(np.ones(_shape(shape), mstype.to_np(dtype) or np.float32))


def full(size: Any, fill_value: Any, *, dtype: Any = None) -> Tensor:
    """A Tensor filled with `fill_value` (a Python float gives float32, an int int64 unless dtype is given)."""
    return Tensor(np.full(_shape(size), fill_value, mstype.to_np(dtype) or Tensor(fill_value).data.dtype))


def zeros_like(input: Any, *, dtype: Any = None) -> Tensor:
    """Zeros of input's shape (and dtype unless given)."""
    return Tensor(np.zeros(input.shape, mstype.to_np(dtype) or input.data.dtype))


def ones_like(input: Any, *, dtype: Any = None) -> Tensor:
    """Ones of input's shape (and dtype unless given)."""
    return Tensor(np.ones(input.shape, mstype.to_np(dtype) or input.data.dtype))


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None) -> Tensor:
    """Evenly spaced values in [start, end)."""
    if end is None:
        start, end = 0, start
    return Tensor(np.arange(start, end, step, dtype=mstype.to_np(dtype)))


# -- elementwise -------------------------------------------------------------------------------
def add(input: Any, other: Any) -> Tensor:
    """input + other."""
    return core_ops.add(input, other)


def sub(input: Any, other: Any) -> Tensor:
    """input - other."""
    return core_ops.sub(input, other)


def mul(input: Any, other: Any) -> Tensor:
    """input * other."""
    return core_ops.mul(input, other)


def div(input: Any, other: Any) -> Tensor:
    """input / other."""
    return core_ops.div(input, other)


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent."""
    return core_ops.pow_(input, exponent)


def neg(input: Any) -> Tensor:
    """-input."""
    return core_ops.neg(input)


def exp(input: Any) -> Tensor:
    """e ** input."""
    return core_ops.exp(input)


def log(input: Any) -> Tensor:
    """Natural logarithm."""
    return core_ops.log(input)


def tanh(input: Any) -> Tensor:
    """Hyperbolic tangent."""
    return core_ops.tanh(input)


def sigmoid(input: Any) -> Tensor:
    """Logistic sigmoid."""
    return core_ops.sigmoid(input)


def relu(input: Any, inplace: bool = False) -> Tensor:
    """max(input, 0)."""
    return core_ops.relu(input)


def square(input: Any) -> Tensor:
    """input * input."""
    return input * input


def sqrt(x: Any) -> Tensor:
    """x ** 0.5."""
    return core_ops.pow_(x, 0.5)


def abs(input: Any) -> Tensor:
    """|input|."""
    return _t(input).abs()


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise max."""
    return core_ops.maximum(input, other)


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise min."""
    return core_ops.minimum(input, other)


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:
    """Clip into [min, max]."""
    return core_ops.clip(input, min, max)


clip_by_value = clamp


def select(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition, else other."""
    return core_ops.where(condition, input, other)


where = select


def cast(input: Any, dtype: Any) -> Tensor:
    """Convert to `dtype` (differentiable)."""
    return core_ops.cast(input, mstype.to_np(dtype))


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product (numpy's rules for 1-D and batched operands)."""
    return core_ops.matmul(input, other)


# -- reductions --------------------------------------------------------------------------------
def sum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over `dim` (all axes by default)."""
    x = input if dtype is None else cast(input, dtype)
    return core_ops.sum_(x, _axis(dim), keepdim)


def mean(x: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    """Mean over `axis` (all axes by default)."""
    return core_ops.mean(x, _axis(axis), keep_dims)


def _arg(fn: Any, input: Any, axis: Any, keepdims: bool) -> Tensor:
    data = input.data
    if axis is None:
        return Tensor(np.asarray(fn(data), np.int64))
    return Tensor(np.asarray(fn(data, axis=axis, keepdims=keepdims), np.int64))


def max(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> tuple[Tensor, Tensor]:
    """(values, indices) of the max over `axis` (all axes by default; the index then counts the flattened
    input)."""
    return core_ops.max_(input, _axis(axis), keepdims), _arg(np.argmax, input, _axis(axis), keepdims)


def min(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> tuple[Tensor, Tensor]:
    """(values, indices) of the min over `axis`."""
    return core_ops.min_(input, _axis(axis), keepdims), _arg(np.argmin, input, _axis(axis), keepdims)


def amax(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> Tensor:
    """Max over `axis` (the values only)."""
    return core_ops.max_(input, _axis(axis), keepdims)


def amin(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> Tensor:
    """Min over `axis` (the values only)."""
    return core_ops.min_(input, _axis(axis), keepdims)


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Indices of the max along `dim` (of the flattened input by default)."""
    return _arg(np.argmax, input, dim, keepdim)


def softmax(input: Any, axis: int = -1, *, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`."""
    return core_functional.softmax(input if dtype is None else cast(input, dtype), axis)


def log_softmax(logits: Any, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along `axis`."""
    return core_functional.log_softmax(logits, axis)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error."""
    return core_functional.mse_loss(input, target, reduction)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy of logits (classes on axis 1) against class indices."""
    return core_functional.cross_entropy(input, target, reduction)


def dropout(input: Any, p: float = 0.5, training: bool = True, seed: Any = None) -> Tensor:
    """Zero elements with probability p (scaled by 1/(1-p)) when training."""
    return core_functional.dropout(input, p, training)


# -- shapes ------------------------------------------------------------------------------------
def reshape(input: Any, shape: Sequence[int]) -> Tensor:
    """Same data, new shape (one -1 allowed)."""
    return core_ops.reshape(input, shape)


def transpose(input: Any, dims: Sequence[int]) -> Tensor:
    """Permute the axes."""
    return core_ops.transpose(input, dims)


permute = transpose


def swapaxes(input: Any, axis0: int, axis1: int) -> Tensor:
    """Exchange two axes."""
    return core_ops.swapaxes(input, axis0, axis1)


def squeeze(input: Any, axis: Any = None) -> Tensor:
    """Drop size-1 axes (all, or those in `axis`)."""
    axes = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    nd = input.ndim
    axes = tuple(a % nd for a in axes)
    shape = tuple(s for i, s in enumerate(input.shape) if not (s == 1 and (not axes or i in axes)))
    return core_ops.reshape(input, shape)


def expand_dims(input_x: Any, axis: int) -> Tensor:
    """Insert a size-1 axis."""
    return input_x.unsqueeze(axis)


unsqueeze = expand_dims


def flatten(input: Any, order: str = "C", *, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Collapse axes start_dim..end_dim (all but the batch axis by default)."""
    return input.flatten(start_dim=start_dim, end_dim=end_dim)


def broadcast_to(input: Any, shape: Sequence[int]) -> Tensor:
    """Broadcast to `shape` (-1 keeps a dimension)."""
    lead = len(shape) - input.ndim
    full_shape = tuple(input.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    return core_ops.expand(input, full_shape)


def concat(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join along an existing axis."""
    return core_ops.concat(tensors, axis)


cat = concat


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join along a new axis."""
    return core_ops.stack(tensors, axis)


def unstack(input_x: Any, axis: int = 0) -> tuple[Tensor, ...]:
    """All slices along an axis."""
    return core_ops.unbind(input_x, axis)


def split(tensor: Any, split_size_or_sections: Any, axis: int = 0) -> tuple[Tensor, ...]:
    """Chunks of the given size(s) along `axis`."""
    return core_ops.split(tensor, split_size_or_sections, axis)


# -- primitives (configured at construction, applied by calling) --------------------------------
class Primitive:
    """Base of the operator classes: ``op = ops.Tanh(); y = op(x)``."""

    def __call__(self, *args: Any) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"Prim[{type(self).__name__}]"


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
        return type(self).fn(x, _axis(axis), self.keep_dims)


class ReduceSum(_Reduce):
    """``ReduceSum(keep_dims=False)(x, axis=())``: sum over axis (() = all)."""

    fn = staticmethod(core_ops.sum_)

    def __init__(self, keep_dims: bool = False, skip_mode: bool = False):
        super().__init__(keep_dims)


class ReduceMean(_Reduce):
    """``ReduceMean(keep_dims=False)(x, axis=())``."""

    fn = staticmethod(core_ops.mean)


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
        return core_ops.matmul(a.T if self.transpose_a else a, b.T if self.transpose_b else b)


class BatchMatMul(MatMul):
    """``BatchMatMul(transpose_a=False, transpose_b=False)(a, b)``: the last two axes transposed."""

    def __call__(self, a: Any, b: Any) -> Tensor:
        a = a.swapaxes(-1, -2) if self.transpose_a else a
        return core_ops.matmul(a, b.swapaxes(-1, -2) if self.transpose_b else b)


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


class Softmax(Primitive):
    """``Softmax(axis=-1)(x)``."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def __call__(self, x: Any) -> Tensor:
        return softmax(x, self.axis)
