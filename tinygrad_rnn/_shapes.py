"""Shape helpers shared by the primitives: broadcasting, axes normalisation, unbroadcast."""

from __future__ import annotations

from typing import Any

import numpy as np

from .tape import ShapeError


def normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Turn None, an int or a sequence of ints into a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise IndexError(
                f"Dimension out of range (expected to be in range of "
                f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {a})"
            )
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction over `axes` with keepdims=True."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def broadcast_axes(grad_shape: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """Axes of a gradient of `grad_shape` to sum over to get back to `shape` (any ndim gap)."""
    lead = len(grad_shape) - len(shape)
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and grad_shape[lead + i] != 1:
            axes.append(lead + i)
    return tuple(axes)


def unbroadcast(F: Any, g: Any, shape: tuple[int, ...]) -> Any:
    """Sum gradient `g` back to `shape`, undoing numpy broadcasting (F: numpy or tensor ops)."""
    if not hasattr(g, "shape"):  # arithmetic on 0-d object arrays (sympy) returns a bare object
        g = np.asarray(g, dtype=object)
    if g.shape == shape:
        return g
    axes = broadcast_axes(g.shape, shape)
    if axes:
        g = F.sum(g, axes, False)
    if g.shape != shape:
        g = F.reshape(g, shape)
    return g


# ---------------------------------------------------------------------------------------------
# Shape errors: found before numpy's own message can escape (see tape.ShapeError)
# ---------------------------------------------------------------------------------------------
# op         kind       facts
# add, sub, mul, div, pow, maximum, minimum, where, addmm
#            broadcast  shapes (all operands), dim (the output dim), sizes (the two clashing sizes)
# matmul     0d         shapes
#            inner      shapes, sizes (the two contracted sizes)
#            batch      shapes (batch dims that do not broadcast)
# concat     empty      -
#            0d         index (of the 0-d tensor)
#            ndim       ndims (the first and the offending tensor's)
#            size       dim, sizes (expected, got), index (of the offending tensor)
# stack      empty      -
#            size       shapes (the first and the offending), index
# reshape    size       shape (asked), size (number of elements)
# expand     size       shape (tensor), target, dim, sizes (target size, existing size)
# split      sum        sizes, size (of the split dim), dim
# index      dtype      dtype (of the index)                   (also an IndexError)
# index      range      index, dim, size                       (also an IndexError)
#            ndim       ndim, count (how many indices)         (also an IndexError)
#            mask       mask (its shape), shape (the tensor's), dim  (also an IndexError)


class IndexShapeError(ShapeError, IndexError):
    """A ShapeError that is also an IndexError: code catching IndexError around indexing catches it."""


def broadcast_error(op: str, *shapes: tuple[int, ...]) -> ShapeError | None:
    """The ShapeError for operands whose shapes do not broadcast (None when they do)."""
    nd = max(len(s) for s in shapes)
    for i in range(1, nd + 1):
        sizes = [s[-i] for s in shapes if len(s) >= i and s[-i] != 1]
        if len(set(sizes)) > 1:
            a, b = sizes[0], next(x for x in sizes if x != sizes[0])
            return ShapeError(
                op,
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
                f"dimension {nd - i}",
                kind="broadcast",
                shapes=shapes,
                dim=nd - i,
                sizes=(a, b),
            )
    return None


def matmul_error(sa: tuple[int, ...], sb: tuple[int, ...]) -> ShapeError | None:
    """The ShapeError for a matmul of these operand shapes (None when they multiply)."""
    if not sa or not sb:
        msg = f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D and {len(sb)}D"
        return ShapeError("matmul", msg, kind="0d", shapes=(sa, sb))
    k_a, k_b = sa[-1], sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        rows = int(np.prod(sa[:-1])) if len(sa) > 1 else 1
        cols = sb[-1] if len(sb) > 1 else 1
        msg = f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and {k_b}x{cols})"
        if len(sa) == 1 and len(sb) == 1:
            msg = (
                f"inconsistent tensor size, expected tensor [{k_a}] and src [{k_b}] to have the same "
                f"number of elements, but got {k_a} and {k_b} elements respectively"
            )
        return ShapeError("matmul", msg, kind="inner", shapes=(sa, sb), sizes=(k_a, k_b))
    err = broadcast_error("matmul", sa[:-2], sb[:-2])
    if err is not None:
        err.facts.update(kind="batch", shapes=(sa, sb))
    return err


def concat_error(shapes: list[tuple[int, ...]], axis: int) -> ShapeError | None:
    """The ShapeError for concatenating tensors of these shapes along axis (None when they join)."""
    if not shapes:
        return ShapeError("concat", "expected a non-empty list of Tensors", kind="empty")
    for i, s in enumerate(shapes):
        if not s:
            msg = f"zero-dimensional tensor (at position {i}) cannot be concatenated"
            return ShapeError("concat", msg, kind="0d", index=i)
    first = shapes[0]
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != len(first):
            msg = f"Tensors must have same number of dimensions: got {len(first)} and {len(s)}"
            return ShapeError("concat", msg, kind="ndim", ndims=(len(first), len(s)), index=i)
        for d, (x, y) in enumerate(zip(first, s)):
            if d != axis and x != y:
                msg = (
                    f"Sizes of tensors must match except in dimension {axis}. Expected size {x} but got "
                    f"size {y} for tensor number {i} in the list."
                )
                return ShapeError("concat", msg, kind="size", dim=d, sizes=(x, y), index=i)
    return None


def stack_error(shapes: list[tuple[int, ...]]) -> ShapeError | None:
    """The ShapeError for stacking tensors of these shapes (None when they are all equal)."""
    if not shapes:
        return ShapeError("stack", "stack expects a non-empty TensorList", kind="empty")
    for i, s in enumerate(shapes[1:], 1):
        if s != shapes[0]:
            msg = (
                f"stack expects each tensor to be equal size, but got {list(shapes[0])} at entry 0 and "
                f"{list(s)} at entry {i}"
            )
            return ShapeError("stack", msg, kind="size", shapes=(shapes[0], s), index=i)
    return None


def index_error(shape: tuple[int, ...], idx: Any) -> ShapeError | None:
    """The IndexShapeError for indexing an array of `shape` with a plain (numpy-ready) index."""
    items = idx if isinstance(idx, tuple) else (idx,)
    count = sum(
        (np.ndim(i) if isinstance(i, np.ndarray) and i.dtype == bool else 1)
        for i in items
        if i is not None and i is not Ellipsis
    )
    if count > len(shape):
        msg = f"too many indices for tensor of dimension {len(shape)}"
        return IndexShapeError("index", msg, kind="ndim", ndim=len(shape), count=count)
    dim = 0
    for i in items:
        if i is None:
            continue
        if i is Ellipsis:
            dim = len(shape) - (count - dim)
            continue
        arr = np.asarray(i) if not isinstance(i, slice) else None
        if arr is not None and arr.dtype.kind not in "iub":
            msg = "tensors used as indices must be long, int, byte or bool tensors"
            return IndexShapeError("index", msg, kind="dtype", dtype=arr.dtype)
        if arr is not None and arr.dtype == bool:
            want = shape[dim : dim + arr.ndim]
            if arr.shape != want:
                bad = next((k for k, (x, y) in enumerate(zip(arr.shape, want)) if x != y), 0)
                msg = (
                    f"The shape of the mask {list(arr.shape)} at index {bad} does not match the shape of "
                    f"the indexed tensor {list(shape)} at index {dim + bad}"
                )
                return IndexShapeError("index", msg, kind="mask", mask=arr.shape, shape=shape, dim=dim + bad)
            dim += arr.ndim
            continue
        if arr is not None and arr.dtype.kind in "iu" and arr.size:
            n = shape[dim]
            bad = arr[(arr >= n) | (arr < -n)]
            if bad.size:
                v = int(bad.reshape(-1)[0])
                msg = f"index {v} is out of bounds for dimension {dim} with size {n}"
                return IndexShapeError("index", msg, kind="range", index=v, dim=dim, size=n)
        dim += 1
    return None
