"""mindspore.ops.function.array_func: making Tensors, selecting, casting, reshaping, joining and
splitting them, and max / min / argmax with indices (where MindSpore keeps them too)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from .... import ops as core_ops
from ... import _checks as check
from ...common import dtype as mstype
from ...common.tensor import Tensor
from ...common.topk import topk  # noqa: F401  (ops.topk: (values, int32 indices) of the k largest)
from .._utils import binary_operands, reduction_axes


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
    return Tensor(np.full(shape, fill_value, mstype.to_np(dtype) or Tensor(fill_value).array.dtype))


def zeros_like(input: Any, *, dtype: Any = None) -> Tensor:
    """Zeros of input's shape (and dtype unless given)."""
    check.tensor("zeros_like", "input", input)
    return Tensor(np.zeros(input.shape, mstype.to_np(dtype) or input.array.dtype))


def ones_like(input: Any, *, dtype: Any = None) -> Tensor:
    """Ones of input's shape (and dtype unless given)."""
    check.tensor("ones_like", "input", input)
    return Tensor(np.ones(input.shape, mstype.to_np(dtype) or input.array.dtype))


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None) -> Tensor:
    """Evenly spaced values in [start, end)."""
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        check.tensor("arange", name, v, numbers=True)
    start, end, step = (v.array.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise ValueError("For 'arange', the 'step' cannot be equal to zero.")
    out = np.arange(start, end, step, dtype=mstype.to_np(dtype))
    if dtype is None:  # MindSpore: any float argument gives float32, integers int64
        out = out.astype(np.float32 if out.dtype.kind == "f" else np.int64)
    return Tensor(out)


def select(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition, else other."""
    check.tensor("select", "condition", condition)
    if condition.array.dtype != np.bool_:
        raise TypeError(f"For 'select', the 'condition' must be a bool Tensor, but got {condition.dtype}.")
    binary_operands("select", input, other)
    check.broadcast("select", ("condition", "input"), condition, input)
    check.broadcast("select", ("condition", "other"), condition, other)
    return core_ops.where(condition, input, other)


where = select


def cast(input: Any, dtype: Any) -> Tensor:
    """Convert to `dtype` (differentiable)."""
    check.tensor("cast", "input", input)
    return core_ops.cast(input, mstype.to_np(dtype))


def reshape(input: Any, shape: Sequence[int]) -> Tensor:
    """Same data, new shape (one -1 allowed)."""
    check.tensor("reshape", "input", input)
    shape = check.shape("reshape", "shape", shape)
    known = int(np.prod([s for s in shape if s != -1]))
    free = shape.count(-1)
    size = input.array.size
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


def _arg(fn: Any, input: Any, axis: Any, keepdims: bool) -> Tensor:
    data = input.array
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
    check.no_initial_or_where("max", initial, where)
    axis = _reduce_axis("max", input, axis)
    return core_ops.max_(input, axis, keepdims), _arg(np.argmax, input, axis, keepdims)


def min(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> tuple[Tensor, Tensor]:
    """(values, indices) of the min over `axis`."""
    check.no_initial_or_where("min", initial, where)
    axis = _reduce_axis("min", input, axis)
    return core_ops.min_(input, axis, keepdims), _arg(np.argmin, input, axis, keepdims)


def _reduce_axis(op: str, input: Any, axis: Any) -> Any:
    """max / min with indices: a non-empty Tensor, an int axis (or None)."""
    check.tensor(op, "input", input)
    if input.ndim == 0:  # MindSpore takes any int axis of a 0-d tensor
        if axis is not None:
            check.integer(op, "axis", axis)
        return None
    axis = reduction_axes(axis, input, op)
    if input.array.size == 0:
        raise ValueError(f"For '{op}', the 'input' must not be empty, but got shape {input.shape}.")
    return None if input.ndim == 0 else axis  # a 0-d tensor is its own max, as in MindSpore


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Indices of the max along `dim` (of the flattened input by default)."""
    dim = _reduce_axis("argmax", input, dim)
    return _arg(np.argmax, input, dim, keepdim)


def argmin(input: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Indices (int32, as MindSpore's) of the min along `axis` (of the flattened input by default)."""
    axis = _reduce_axis("argmin", input, axis)
    return Tensor(np.asarray(_arg(np.argmin, input, axis, keepdims).array, np.int32))


def one_hot(indices: Any, depth: int, on_value: Any = 1, off_value: Any = 0, axis: int = -1) -> Tensor:
    """on_value at each index along a new axis of size `depth`, off_value elsewhere (out-of-range indices:
    all off); the dtype is on_value's (a Python int gives int64, a float float32)."""
    check.tensor("one_hot", "indices", indices)
    if indices.array.dtype not in (np.int32, np.int64):
        raise TypeError(
            "For primitive[OneHot], the input argument[indices] must be a type of {Tensor[Int32], "
            f"Tensor[Int64]}}, but got Tensor[{indices.dtype}]."
        )
    depth = check.integer("one_hot", "depth", depth)
    if depth < 0:
        raise ValueError(
            f"For primitive[OneHot], the depth value must be greater than or equal to 0, but got {depth}."
        )
    on, off = (Tensor(v) if not isinstance(v, Tensor) else v for v in (on_value, off_value))
    hot = indices.array[..., None] == np.arange(depth)
    out = np.where(hot, on.array, off.array).astype(on.array.dtype)
    axis = check.axis("one_hot", "axis", axis, indices.ndim + 1) % (indices.ndim + 1)
    return Tensor(np.moveaxis(out, -1, axis))


def stop_gradient(value: Any) -> Any:
    """value cut from the graph (Tensors detached; tuples and lists element by element; others as given)."""
    if isinstance(value, (tuple, list)):
        return type(value)(stop_gradient(v) for v in value)
    return value.detach() if isinstance(value, Tensor) else value
