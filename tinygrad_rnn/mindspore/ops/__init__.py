"""mindspore.ops: the functional ops and primitives an RNN script reaches for, on the core's ops.

Functions take MindSpore's argument names (``ops.sum(input, dim=None, keepdim=False)``,
``ops.mean(x, axis=None, keep_dims=False)``, ``ops.concat(tensors, axis=0)`` ...); primitives are classes
configured at construction and applied by calling (``ops.ReduceSum(keep_dims=False)(x, axis)``,
``ops.MatMul(transpose_b=True)(a, b)``). All are differentiable through the core tape.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import functional as core_functional
from ... import ops as core_ops
from ...tensor import Tensor as CoreTensor
from .. import _checks as check
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


def _axis(axis: Any, x: Any = None, op: str = "reduce", name: str = "axis") -> Any:
    """MindSpore spells 'all axes' as () too; with `x`, the Tensor and the axes are checked first."""
    if x is not None:
        check.tensor(op, "input", x)
        axis = check.axes(op, name, axis, x.ndim)
    return None if axis == () else axis


# -- creation ----------------------------------------------------------------------------------
def _shape(size: Any, op: str = "zeros", name: str = "size") -> tuple[int, ...]:
    shape = check.shape(op, name, size)
    if any(s < 0 for s in shape):
        raise ValueError(f"For '{op}', each dimension of '{name}' must be >= 0, but got {shape}.")
    return shape


def zeros(size: Any, dtype: Any = None) -> Tensor:
    """A zero Tensor (float32 by default)."""
    return Tensor(np.zeros(_shape(size), mstype.to_np(dtype) or np.float32))


def ones(shape: Any, dtype: Any = None) -> Tensor:
    """A Tensor of ones (float32 by default)."""
    return Tensor(np.ones(_shape(shape, "ones", "shape"), mstype.to_np(dtype) or np.float32))


def full(size: Any, fill_value: Any, *, dtype: Any = None) -> Tensor:
    """A Tensor filled with `fill_value` (a Python float gives float32, an int int64 unless dtype is given)."""
    check.tensor("full", "fill_value", fill_value, numbers=True)
    shape = _shape(size, "full")
    return Tensor(np.full(shape, fill_value, mstype.to_np(dtype) or Tensor(fill_value).data.dtype))


def zeros_like(input: Any, *, dtype: Any = None) -> Tensor:
    """Zeros of input's shape (and dtype unless given)."""
    check.tensor("zeros_like", "input", input)
    return Tensor(np.zeros(input.shape, mstype.to_np(dtype) or input.data.dtype))


def ones_like(input: Any, *, dtype: Any = None) -> Tensor:
    """Ones of input's shape (and dtype unless given)."""
    check.tensor("ones_like", "input", input)
    return Tensor(np.ones(input.shape, mstype.to_np(dtype) or input.data.dtype))


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None) -> Tensor:
    """Evenly spaced values in [start, end)."""
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        check.tensor("arange", name, v, numbers=True)
    if step == 0:
        raise ValueError("For 'arange', the 'step' cannot be equal to zero.")
    return Tensor(np.arange(start, end, step, dtype=mstype.to_np(dtype)))


# -- elementwise -------------------------------------------------------------------------------
def _binary(op: str, a: Any, b: Any, names: tuple[str, str] = ("input", "other")) -> tuple[Any, Any]:
    """Tensor or number operands whose shapes broadcast (MindSpore: TypeError / ValueError)."""
    check.tensor(op, names[0], a, numbers=True)
    check.tensor(op, names[1], b, numbers=True)
    check.broadcast(op, names, a, b)
    return a, b


def _unary(op: str, x: Any, floating: bool = False) -> Any:
    """A Tensor operand (a floating one for the transcendental kernels)."""
    return check.floating(op, "input", x) if floating else check.tensor(op, "input", x)


def add(input: Any, other: Any) -> Tensor:
    """input + other."""
    return core_ops.add(*_binary("add", input, other))


def sub(input: Any, other: Any) -> Tensor:
    """input - other."""
    return core_ops.sub(*_binary("sub", input, other))


def mul(input: Any, other: Any) -> Tensor:
    """input * other."""
    return core_ops.mul(*_binary("mul", input, other))


def div(input: Any, other: Any) -> Tensor:
    """input / other."""
    return core_ops.div(*_binary("div", input, other))


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent."""
    return core_ops.pow_(*_binary("pow", input, exponent, ("input", "exponent")))


def neg(input: Any) -> Tensor:
    """-input."""
    return core_ops.neg(_unary("neg", input))


def exp(input: Any) -> Tensor:
    """e ** input."""
    return core_ops.exp(_unary("exp", input, True))


def log(input: Any) -> Tensor:
    """Natural logarithm."""
    return core_ops.log(_unary("log", input, True))


def tanh(input: Any) -> Tensor:
    """Hyperbolic tangent."""
    return core_ops.tanh(_unary("tanh", input, True))


def sigmoid(input: Any) -> Tensor:
    """Logistic sigmoid."""
    return core_ops.sigmoid(_unary("sigmoid", input, True))


def relu(input: Any, inplace: bool = False) -> Tensor:
    """max(input, 0)."""
    return core_ops.relu(_unary("relu", input))


def square(input: Any) -> Tensor:
    """input * input."""
    _unary("square", input)
    return input * input


def sqrt(x: Any) -> Tensor:
    """x ** 0.5."""
    return core_ops.pow_(_unary("sqrt", x), 0.5)


def abs(input: Any) -> Tensor:
    """|input|."""
    return _unary("abs", input).abs()


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise max."""
    return core_ops.maximum(*_binary("maximum", input, other))


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise min."""
    return core_ops.minimum(*_binary("minimum", input, other))


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:
    """Clip into [min, max]."""
    check.tensor("clamp", "input", input)
    for name, v in (("min", min), ("max", max)):
        if v is not None:
            check.tensor("clamp", name, v, numbers=True)
    return core_ops.clip(input, min, max)


clip_by_value = clamp


def select(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition, else other."""
    check.tensor("select", "condition", condition)
    if condition.data.dtype != np.bool_:
        raise TypeError(f"For 'select', the 'condition' must be a bool Tensor, but got {condition.dtype}.")
    _binary("select", input, other)
    check.broadcast("select", ("condition", "input"), condition, input)
    check.broadcast("select", ("condition", "other"), condition, other)
    return core_ops.where(condition, input, other)


where = select


def cast(input: Any, dtype: Any) -> Tensor:
    """Convert to `dtype` (differentiable)."""
    check.tensor("cast", "input", input)
    return core_ops.cast(input, mstype.to_np(dtype))


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product (numpy's rules for 1-D and batched operands)."""
    return _matmul("matmul", input, other)


def _matmul(op: str, a: Any, b: Any, error: type[Exception] = RuntimeError) -> Tensor:
    """a @ b after MindSpore's checks: Tensors of one dtype (TypeError), matching inner sizes (`error`)."""
    check.tensor(op, "input", a)
    check.tensor(op, "other", b)
    check.same_dtype(op, ("input", "other"), a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"For '{op}', the inputs must be at least 1-D, but got shapes {a.shape} and {b.shape}."
        )
    check.broadcast(op, ("input batch dims", "other batch dims"), a.data.shape[:-2], b.data.shape[:-2])
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise error(
            f"For '{op}', the last dimension of 'input' ({k_a}) must equal the second-to-last dimension of "
            f"'other' ({k_b}), but got shapes {a.shape} and {b.shape}."
        )
    return core_ops.matmul(a, b)


# -- reductions --------------------------------------------------------------------------------
def sum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over `dim` (all axes by default)."""
    axis = _axis(dim, input, "sum", "dim")
    x = input if dtype is None else cast(input, dtype)
    return core_ops.sum_(x, axis, keepdim)


def mean(x: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    """Mean over `axis` (all axes by default)."""
    return core_ops.mean(x, _axis(axis, x, "mean"), keep_dims)


def _arg(fn: Any, input: Any, axis: Any, keepdims: bool) -> Tensor:
    data = input.data
    if data.size == 0:
        raise ValueError(f"For '{fn.__name__}', the 'input' must not be empty, but got shape {data.shape}.")
    if data.ndim == 0:
        return Tensor(np.asarray(0, np.int64))
    if axis is None:
        return Tensor(np.asarray(fn(data), np.int64))
    return Tensor(np.asarray(fn(data, axis=axis, keepdims=keepdims), np.int64))


def max(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> tuple[Tensor, Tensor]:
    """(values, indices) of the max over `axis` (all axes by default; the index then counts the flattened
    input)."""
    axis = _reduce_axis("max", input, axis)
    return core_ops.max_(input, axis, keepdims), _arg(np.argmax, input, axis, keepdims)


def min(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> tuple[Tensor, Tensor]:
    """(values, indices) of the min over `axis`."""
    axis = _reduce_axis("min", input, axis)
    return core_ops.min_(input, axis, keepdims), _arg(np.argmin, input, axis, keepdims)


def _reduce_axis(op: str, input: Any, axis: Any) -> Any:
    """max / min with indices: a non-empty Tensor, an int axis (or None)."""
    check.tensor(op, "input", input)
    if input.ndim == 0:  # MindSpore takes any int axis of a 0-d tensor
        if axis is not None:
            check.integer(op, "axis", axis)
        return None
    axis = _axis(axis, input, op)
    if input.data.size == 0:
        raise ValueError(f"For '{op}', the 'input' must not be empty, but got shape {input.shape}.")
    return None if input.ndim == 0 else axis  # a 0-d tensor is its own max, as in MindSpore


def _extreme(fn: Any, op: str, input: Any, axis: Any, keepdims: bool) -> Tensor:
    """Max / min values: over an empty axis MindSpore gives an empty result, not an error."""
    axis = _axis(axis, input, op)
    if input.data.size == 0:
        axes = range(input.ndim) if axis is None else [a % input.ndim for a in np.atleast_1d(axis)]
        shape = [1 if i in axes else s for i, s in enumerate(input.shape)]
        out = np.zeros(shape, input.data.dtype)
        return Tensor(out if keepdims else out.reshape([s for i, s in enumerate(shape) if i not in axes]))
    return fn(input, axis, keepdims)


def amax(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> Tensor:
    """Max over `axis` (the values only)."""
    return _extreme(core_ops.max_, "amax", input, axis, keepdims)


def amin(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> Tensor:
    """Min over `axis` (the values only)."""
    return _extreme(core_ops.min_, "amin", input, axis, keepdims)


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Indices of the max along `dim` (of the flattened input by default)."""
    dim = _reduce_axis("argmax", input, dim)
    return _arg(np.argmax, input, dim, keepdim)


def softmax(input: Any, axis: int = -1, *, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`."""
    return _softmax(core_functional.softmax, "softmax", input if dtype is None else cast(input, dtype), axis)


def _softmax(fn: Any, op: str, x: Any, axis: Any) -> Tensor:
    """(log_)softmax after MindSpore's checks: a float Tensor of rank >= 1, an axis in range."""
    check.floating(op, "input", x)
    if x.ndim == 0:
        raise ValueError(f"For '{op}', the 'input' must have rank >= 1, but got a 0-D Tensor.")
    one = isinstance(axis, (tuple, list)) and len(axis) == 1
    axis = check.axis(op, "axis", axis[0] if one else axis, x.ndim)
    if x.data.size == 0:
        return Tensor(np.zeros(x.shape, x.data.dtype))  # nothing to normalise
    return fn(x, axis)


def log_softmax(logits: Any, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along `axis`."""
    return _softmax(core_functional.log_softmax, "log_softmax", logits, axis)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error."""
    check.tensor("mse_loss", "input", input)
    check.tensor("mse_loss", "target", target)
    _reduction("mse_loss", reduction)
    check.broadcast("mse_loss", ("input", "target"), input, target)
    return core_functional.mse_loss(input, target, reduction)


def _reduction(op: str, reduction: Any) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"For '{op}', the 'reduction' must be in ['mean', 'sum', 'none'], but got {reduction}."
        )


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy of logits (classes on axis 1) against class indices."""
    check_class_targets("cross_entropy", input, target)
    _reduction("cross_entropy", reduction)
    return core_functional.cross_entropy(input, target, reduction)


def check_class_targets(op: str, logits: Any, labels: Any) -> None:
    """Float logits (N, C) and integer labels (N,) with N > 0: MindSpore's TypeError / ValueError."""
    check.floating(op, "input", logits)
    check.tensor(op, "target", labels)
    if logits.ndim != 2:
        raise ValueError(f"For '{op}', the 'input' must be 2-D (N, C), but got shape {logits.shape}.")
    if labels.data.dtype.kind not in "iu":
        raise TypeError(
            f"For '{op}', the 'target' must be a Tensor of int32 or int64, but got {labels.dtype}."
        )
    if labels.shape != logits.shape[:1] or labels.data.size == 0:
        raise ValueError(
            f"For '{op}', the 'target' must have shape (N,) = {logits.shape[:1]} with N > 0 for 'input' of "
            f"shape {logits.shape}, but got {labels.shape}."
        )


def dropout(input: Any, p: float = 0.5, training: bool = True, seed: Any = None) -> Tensor:
    """Zero elements with probability p (scaled by 1/(1-p)) when training."""
    check.floating("dropout", "input", input)
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"For 'dropout', the 'p' must be a float, but got {type(p).__name__}.")
    if not 0 <= p < 1:
        raise RuntimeError(f"For 'dropout', the 'p' must be in [0.0, 1.0), but got {p}.")
    return core_functional.dropout(input, p, training)


# -- shapes ------------------------------------------------------------------------------------
def reshape(input: Any, shape: Sequence[int]) -> Tensor:
    """Same data, new shape (one -1 allowed)."""
    check.tensor("reshape", "input", input)
    shape = check.shape("reshape", "shape", shape)
    known = int(np.prod([s for s in shape if s != -1]))
    free = shape.count(-1)
    size = input.data.size
    if (
        free > 1
        or any(s < -1 for s in shape)
        or (free and (known == 0 or size % known))
        or (not free and known != size)
    ):
        raise ValueError(f"For 'reshape', the 'shape' {shape} is invalid for 'input' of size {size}.")
    return core_ops.reshape(input, shape)


def transpose(input: Any, dims: Sequence[int]) -> Tensor:
    """Permute the axes."""
    check.tensor("transpose", "input", input)
    perm = check.shape("transpose", "dims", dims)
    nd = input.ndim
    if len(perm) != nd:
        raise ValueError(
            f"For 'transpose', the 'dims' must have {nd} entries (the rank of 'input'), but got {perm}."
        )
    perm = tuple(check.axis("transpose", "dims", p, nd) % nd for p in perm)
    if len(set(perm)) != nd:
        raise ValueError(f"For 'transpose', the 'dims' must be a permutation of range({nd}), but got {dims}.")
    return core_ops.transpose(input, perm)


permute = transpose


def swapaxes(input: Any, axis0: int, axis1: int) -> Tensor:
    """Exchange two axes."""
    check.tensor("swapaxes", "input", input)
    for name, a in (("axis0", axis0), ("axis1", axis1)):
        check.integer("swapaxes", name, a)
        if not -input.ndim <= a < input.ndim:
            raise ValueError(
                f"For 'swapaxes', the '{name}' must be in the range of [{-input.ndim}, {input.ndim}), "
                f"but got {a}."
            )
    return core_ops.swapaxes(input, axis0, axis1)


def squeeze(input: Any, axis: Any = None) -> Tensor:
    """Drop size-1 axes (all, or those in `axis`)."""
    check.tensor("squeeze", "input", input)
    axes = () if axis is None else (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    nd = input.ndim
    if nd == 0:  # MindSpore squeezes a 0-d tensor to itself whatever the axis
        return input
    axes = tuple(check.axis("squeeze", "axis", a, nd) % nd for a in axes)
    shape = tuple(s for i, s in enumerate(input.shape) if not (s == 1 and (not axes or i in axes)))
    return core_ops.reshape(input, shape)


def expand_dims(input_x: Any, axis: int) -> Tensor:
    """Insert a size-1 axis."""
    check.tensor("expand_dims", "input_x", input_x)
    check.axis("expand_dims", "axis", axis, input_x.ndim + 1)
    return input_x.unsqueeze(axis)


unsqueeze = expand_dims


def flatten(input: Any, order: str = "C", *, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Collapse axes start_dim..end_dim (all but the batch axis by default)."""
    check.tensor("flatten", "input", input)
    if input.ndim == 0:  # MindSpore's functional flatten takes a 0-d tensor as one element
        return core_ops.reshape(input, (1,))
    return Tensor.flatten(input, start_dim=start_dim, end_dim=end_dim)


def broadcast_to(input: Any, shape: Sequence[int]) -> Tensor:
    """Broadcast to `shape` (-1 keeps a dimension)."""
    check.tensor("broadcast_to", "input", input)
    shape = check.shape("broadcast_to", "shape", shape)
    lead = len(shape) - input.ndim
    ok = lead >= 0 and all(
        s in (-1, input.shape[i - lead]) or input.shape[i - lead] == 1
        for i, s in enumerate(shape)
        if i >= lead
    )
    if not ok or any(s == -1 for s in shape[: builtins.max(lead, 0)]):
        raise ValueError(
            f"For 'broadcast_to', 'input' of shape {input.shape} cannot be broadcast to {shape}."
        )
    full_shape = tuple(input.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    return core_ops.expand(input, full_shape)


def _joined(op: str, tensors: Any, axis: Any, new_axis: bool) -> tuple[list[Any], int]:
    """concat / stack operands: Tensors of one dtype and rank, shapes matching off `axis`."""
    try:
        xs = check.tensors(op, "tensors", tensors)
    except TypeError as e:
        if op == "concat" and "type of" in str(e):  # MindSpore's Concat kernel fails at init
            raise RuntimeError(str(e)) from None
        raise
    nd = xs[0].ndim + (1 if new_axis else 0)
    a = check.axis(op, "axis", axis, nd) % builtins.max(nd, 1)
    for i, x in enumerate(xs):
        s0, s = list(xs[0].shape), list(x.shape)
        if not new_axis and len(s) == len(s0) and s0:
            s0.pop(a), s.pop(a)
        if s != s0:
            raise ValueError(
                f"For '{op}', the shapes of 'tensors' must match{'' if new_axis else ' except on the axis'}, "
                f"but got {xs[0].shape} for tensors[0] and {x.shape} for tensors[{i}]."
            )
    return xs, a


def concat(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join along an existing axis."""
    xs, a = _joined("concat", tensors, axis, False)
    return core_ops.concat(xs, a)


cat = concat


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join along a new axis."""
    xs, a = _joined("stack", tensors, axis, True)
    return core_ops.stack(xs, a)


def _along(op: str, x: Any, axis: Any) -> int:
    """A Tensor of rank >= 1 and an axis of it."""
    check.tensor(op, "input", x)
    if x.ndim == 0:
        raise ValueError(f"For '{op}', the 'input' must have rank >= 1, but got a 0-D Tensor.")
    return check.axis(op, "axis", axis, x.ndim)


def unstack(input_x: Any, axis: int = 0) -> tuple[Tensor, ...]:
    """All slices along an axis."""
    return core_ops.unbind(input_x, _along("unstack", input_x, axis))


def split(tensor: Any, split_size_or_sections: Any, axis: int = 0) -> tuple[Tensor, ...]:
    """Chunks of the given size(s) along `axis`."""
    axis = _along("split", tensor, axis)
    sizes = split_size_or_sections
    n = tensor.shape[axis]
    if isinstance(sizes, (tuple, list)):
        sizes = check.shape("split", "split_size_or_sections", sizes)
        if builtins.sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(
                f"For 'split', the sections {sizes} must be >= 0 and sum to {n}, the size of the axis."
            )
    elif check.integer("split", "split_size_or_sections", sizes) <= 0:
        raise ValueError(
            f"For 'split', the 'split_size_or_sections' must be more than zero, but got {sizes}."
        )
    return core_ops.split(tensor, sizes, axis)


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
        op = type(self).__name__
        check.boolean(op, "keep_dims", self.keep_dims)
        axis = _axis(axis, x, op)
        if x.data.size == 0 and type(self).fn in (core_ops.max_, core_ops.min_):
            return _extreme(type(self).fn, op, x, axis, self.keep_dims)
        return type(self).fn(x, axis, self.keep_dims)


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
        check.tensor("MatMul", "input", a)
        check.tensor("MatMul", "mat2", b)
        a, b = (a.T if self.transpose_a else a), (b.T if self.transpose_b else b)
        return _matmul("MatMul", a, b, ValueError)


class BatchMatMul(MatMul):
    """``BatchMatMul(transpose_a=False, transpose_b=False)(a, b)``: the last two axes transposed."""

    def __call__(self, a: Any, b: Any) -> Tensor:
        check.tensor("BatchMatMul", "x", a)
        check.tensor("BatchMatMul", "y", b)
        a = a.swapaxes(-1, -2) if self.transpose_a else a
        return _matmul("BatchMatMul", a, b.swapaxes(-1, -2) if self.transpose_b else b, ValueError)


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
