"""Movement ops: they move, copy or select elements without arithmetic.

reshape, transpose, expand, indexing (getitem and its adjoint scatter), and joining / splitting
(stack, concat, split, unbind). Each backward moves the gradient back the opposite way: reshape
undoes reshape, transpose applies the inverse permutation, concat's gradient is split, split's
gradient is concatenated, and so on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._shapes import concat_error, index_error, normalize_axes, stack_error, unbroadcast
from ..tape import Node, ShapeError, TensorBase
from .base import ArrayNamespace, Shape, Value, fail


class Reshape(Node):
    """y = a with a new shape (same elements, same order);  da = g reshaped to a's shape"""

    name = "ViewBackward0"

    def forward(self, a: np.ndarray, shape: Shape = ()) -> np.ndarray:
        return np.reshape(a, shape)

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        return F.reshape(g, self.shapes[0])


def reshape(a: Any, shape: Sequence[int]) -> Any:
    """Same data, new shape (one -1 allowed)."""
    shape = tuple(int(s) for s in shape)
    size = a.array.size
    known = int(np.prod([s for s in shape if s != -1]))
    bad = shape.count(-1) > 1 or any(s < -1 for s in shape)
    if -1 in shape and not bad:
        bad = known == 0 or size % known
        shape = tuple(size // known if s == -1 and not bad else s for s in shape)
    elif not bad:
        bad = known != size
    if bad:
        msg = f"shape '{list(shape)}' is invalid for input of size {size}"
        raise fail(a, ShapeError("reshape", msg, kind="size", shape=shape, size=size))
    return Reshape.apply(a, shape=shape)


class Transpose(Node):
    """y = a with its axes permuted by perm;  da = g permuted by the inverse permutation"""

    name = "PermuteBackward0"

    def forward(self, a: np.ndarray, perm: tuple[int, ...] = ()) -> np.ndarray:
        if a.ndim == 2 and perm == (1, 0) and a.dtype.kind in "fc":
            # a matrix transpose is nearly always a matmul operand (x @ W^T), often one used at
            # every time step: BLAS runs measurably slower on the strided view than on a copy
            return np.ascontiguousarray(a.T)
        return np.transpose(a, perm)

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        return F.transpose(g, tuple(np.argsort(self.kw["perm"])))


def transpose(a: Any, perm: Sequence[int] | None = None) -> Any:
    """Permute the axes (reverse them by default)."""
    nd = a.array.ndim
    perm = tuple(reversed(range(nd))) if perm is None else tuple(p % nd for p in perm)
    if sorted(perm) != list(range(nd)):
        msg = f"axes {list(perm)} are not a permutation of the {nd} axes of the tensor"
        raise fail(a, ShapeError("transpose", msg, kind="perm", perm=perm, ndim=nd))
    return Transpose.apply(a, perm=perm)


def swapaxes(a: Any, i: int, j: int) -> Any:
    """Exchange two axes."""
    perm = list(range(a.array.ndim))
    i, j = normalize_axes(i, a.array.ndim)[0], normalize_axes(j, a.array.ndim)[0]
    perm[i], perm[j] = perm[j], perm[i]
    return Transpose.apply(a, perm=tuple(perm))


class Expand(Node):
    """y = a broadcast to a larger shape (no copy);  da = g summed over the broadcast axes"""

    name = "ExpandBackward0"

    def forward(self, a: np.ndarray, shape: Shape = ()) -> np.ndarray:
        return np.broadcast_to(a, shape)

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        return unbroadcast(F, g, self.shapes[0])


def expand(a: Any, shape: Sequence[int]) -> Any:
    """Broadcast to a larger shape without copying."""
    shape = tuple(int(s) for s in shape)
    try:
        if np.broadcast_shapes(a.array.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise fail(a, _expand_error(a.array.shape, shape)) from None
    return Expand.apply(a, shape=shape)


def _expand_error(have: Shape, target: Shape) -> ShapeError:
    lead = len(target) - len(have)
    if lead < 0:
        msg = (
            f"the number of sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(have)})"
        )
        return ShapeError("expand", msg, kind="ndim", shape=have, target=target)
    d = next(i for i in range(len(target)) if i >= lead and have[i - lead] not in (1, target[i]))
    msg = (
        f"The expanded size of the tensor ({target[d]}) must match the existing size ({have[d - lead]}) at "
        f"non-singleton dimension {d}.  Target sizes: {list(target)}.  Tensor sizes: {list(have)}"
    )
    sizes = (target[d], have[d - lead])
    return ShapeError("expand", msg, kind="size", shape=have, target=target, dim=d, sizes=sizes)


# ---------------------------------------------------------------------------------------------
# Indexing: getitem and its adjoint, scatter
# ---------------------------------------------------------------------------------------------
def _is_basic_index(idx: Any) -> bool:
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in items)


def np_scatter(g: np.ndarray, idx: Any, shape: Shape) -> np.ndarray:
    """Zeros of `shape` with g added in at idx (repeated integer indices add up)."""
    z = np.zeros(shape, dtype=g.dtype)
    if _is_basic_index(idx):
        z[idx] = g  # a basic index never repeats an element
    else:
        np.add.at(z, idx, g)  # integer arrays may repeat: accumulate
    return z


class GetItem(Node):
    """y = a[idx];  da = zeros of a's shape with g added in at idx (a Scatter)"""

    name = "IndexBackward0"

    def forward(self, a: np.ndarray, idx: Any = None) -> np.ndarray:
        if _is_basic_index(idx):
            self.name = "SelectBackward0" if isinstance(idx, (int, np.integer)) else "SliceBackward0"
        return np.asarray(a[idx])

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        return F.scatter(g, self.kw["idx"], self.shapes[0])


def plain_index(idx: Any) -> Any:
    """An index with Tensors and lists turned into the arrays numpy indexes with."""
    if isinstance(idx, tuple):
        return tuple(plain_index(i) for i in idx)
    if isinstance(idx, TensorBase):
        return idx.array
    if isinstance(idx, list):
        return np.asarray(idx)
    return idx


def getitem(a: Any, idx: Any) -> Any:
    """a[idx]: basic and integer/boolean-array indexing."""
    idx = plain_index(idx)
    try:
        return GetItem.apply(a, idx=idx)
    except IndexError as e:
        err = index_error(a.array.shape, idx)
        raise (IndexError(str(e)) if err is None else fail(a, err)) from None


class Scatter(Node):
    """y = zeros of `shape` with g added in at idx (getitem's adjoint);  dg = gg[idx]"""

    name = "IndexPutBackward0"

    def forward(self, g: np.ndarray, idx: Any = None, shape: Shape = ()) -> np.ndarray:
        return np_scatter(g, idx, shape)

    def backward(self, F: ArrayNamespace, gg: Value) -> Value:
        return F.getitem(gg, self.kw["idx"])


# ---------------------------------------------------------------------------------------------
# Joining and splitting
# ---------------------------------------------------------------------------------------------
class Stack(Node):
    """y = a_0, ..., a_n stacked along a new axis;  da_i = g's slice i along that axis"""

    name = "StackBackward0"

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        try:
            return np.stack(arrays, axis=axis)
        except ValueError:
            err = stack_error([np.shape(x) for x in arrays])
            if err is not None:
                raise err from None
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> tuple[Value, ...]:
        return tuple(F.unbind(g, self.kw["axis"]))


def stack(tensors: Sequence[Any], axis: int = 0) -> Any:
    """Join along a new axis."""
    tensors = list(tensors)
    if not tensors:
        raise stack_error([])
    nd = tensors[0].array.ndim + 1
    return Stack.apply(*tensors, axis=normalize_axes(axis, nd)[0])


class Concat(Node):
    """y = a_0, ..., a_n joined along an existing axis;  da_i = g's piece i along that axis"""

    name = "CatBackward0"

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        try:
            return np.concatenate(arrays, axis=axis)
        except ValueError:
            err = concat_error([np.shape(x) for x in arrays], axis)
            if err is not None:
                raise err from None
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> tuple[Value, ...]:
        axis = self.kw["axis"]
        sizes = [s[axis] for s in self.shapes]
        gs = F.split(g, sizes, axis)
        # torch's cat skips 1-D empty inputs: their gradient is a constant, not part of the graph
        return tuple(F.zeros((0,), g) if s == (0,) else x for s, x in zip(self.shapes, gs))


def concat(tensors: Sequence[Any], axis: int = 0) -> Any:
    """Join along an existing axis."""
    tensors = list(tensors)
    shapes = [np.shape(t.array if isinstance(t, TensorBase) else t) for t in tensors]  # arrays are constants
    if not tensors or any(not s for s in shapes):
        raise fail(tensors, concat_error(shapes, 0))
    return Concat.apply(*tensors, axis=normalize_axes(axis, len(shapes[0]))[0])


def _first(gs: Sequence[Any]) -> Any:
    return next(g for g in gs if g is not None)


class Split(Node):
    """y_i = the consecutive pieces of a of sizes[i] along an axis;  da = concat(g_0, ..., g_n)

    An output nobody used has no gradient: zeros stand in for it.
    """

    name = "SplitWithSizesBackward0"
    multi_output = True

    def forward(self, a: np.ndarray, sizes: tuple[int, ...] = (), axis: int = 0) -> tuple[np.ndarray, ...]:
        return tuple(np.split(a, np.cumsum(sizes)[:-1], axis=axis))

    def backward(self, F: ArrayNamespace, gs: list[Value | None]) -> Value:
        (shape,) = self.shapes
        axis = self.kw["axis"]
        parts = []
        for g, n in zip(gs, self.kw["sizes"]):
            if g is None:
                g = F.zeros(shape[:axis] + (n,) + shape[axis + 1 :], _first(gs))
            parts.append(g)
        return F.concat(parts, axis)


def split(a: Any, sizes: int | Sequence[int], axis: int = 0) -> tuple[Any, ...]:
    """Split into chunks of `sizes` (an int: equal chunks, the last possibly smaller)."""
    axis = normalize_axes(axis, a.array.ndim)[0]
    n = a.array.shape[axis]
    if isinstance(sizes, (int, np.integer)):
        size = int(sizes)
        if size < 0 or (size == 0 and n):
            raise ValueError(f"split: expected a chunk size > 0 (0 only for an empty axis), got {size}")
        sizes = [n] if size == 0 else [size] * (n // size) + ([n % size] if n % size else [])
    sizes = tuple(int(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise ValueError(f"split: expected sizes >= 0, got {list(sizes)}")
    if sum(sizes) != n:
        msg = f"split sizes {list(sizes)} do not sum to {n}, the size of axis {axis}"
        raise fail(a, ShapeError("split", msg, kind="sum", sizes=sizes, size=n, dim=axis))
    return Split.apply(a, sizes=sizes, axis=axis)


class Unbind(Node):
    """y_i = a's slice i along an axis (the axis removed);  da = stack(g_0, ..., g_n)

    One node for all slices, so an RNN's backward stacks once (not once per time step).
    """

    name = "UnbindBackward0"
    multi_output = True

    def forward(self, a: np.ndarray, axis: int = 0) -> tuple[np.ndarray, ...]:
        return tuple(np.moveaxis(a, axis, 0))

    def backward(self, F: ArrayNamespace, gs: list[Value | None]) -> Value:
        (shape,) = self.shapes
        axis = self.kw["axis"]
        zero = None
        parts = []
        for g in gs:
            if g is None:
                if zero is None:
                    zero = F.zeros(shape[:axis] + shape[axis + 1 :], _first(gs))
                g = zero
            parts.append(g)
        return F.stack(parts, axis)


def unbind(a: Any, axis: int = 0) -> tuple[Any, ...]:
    """All slices along an axis, as a tuple (one node, so backward stacks once)."""
    return Unbind.apply(a, axis=normalize_axes(axis, a.array.ndim)[0])
