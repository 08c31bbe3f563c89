"""torch.Tensor's shape methods (view, reshape, transpose, permute, squeeze, expand, repeat, split,
chunk, unbind, ...), as a mixin of the frontend TensorBase: torch's argument names, checks and messages,
then one core op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tape import TensorBase
from . import _check, _dtype
from ._check import kw_size, norm_dim


class ShapeMethods:
    """The shape half of torch.Tensor."""

    __slots__ = ()

    # -- shape ops -----------------------------------------------------------------------------
    def view(self, *shape: Any, size: Any = None, dtype: Any = None) -> TensorBase:
        """Same data, new shape (one -1 allowed), or the same bytes as another dtype (view(dtype))."""
        if dtype is not None or (len(shape) == 1 and isinstance(shape[0], (_dtype.dtype, type, np.dtype))):
            return self.view_dtype(shape[0] if dtype is None else dtype)
        shape = kw_size("view", shape, size)
        return ops.reshape(self, _check.sizes("view", "size", shape))

    def view_as(self, other: TensorBase) -> TensorBase:
        """view(other.shape)."""
        _check.tensor("view_as", "other", 1, other)
        return ops.reshape(self, other.array.shape)

    def reshape(self, *shape: Any, **kw: Any) -> TensorBase:
        """Same data, new shape."""
        shape = kw_size("reshape", shape, kw.pop("shape", None), kw)
        return ops.reshape(self, _check.sizes("reshape", "shape", shape))

    def reshape_as(self, other: TensorBase) -> TensorBase:
        """reshape(other.shape)."""
        _check.tensor("reshape_as", "other", 1, other)
        return ops.reshape(self, other.array.shape)

    def transpose(self, dim0: int, dim1: int) -> TensorBase:  # type: ignore[override]
        """Swap two dimensions (torch's transpose, not numpy's)."""
        d0, d1 = norm_dim(dim0, self.array.ndim, "transpose"), norm_dim(dim1, self.array.ndim, "transpose")
        return self.clone() if self.array.ndim == 0 else ops.swapaxes(self, d0, d1)

    def swapdims(self, dim0: int, dim1: int) -> TensorBase:
        """Alias of transpose."""
        return self.transpose(dim0, dim1)

    swapaxes = swapdims  # type: ignore[assignment]

    def t(self) -> TensorBase:
        """Transpose a matrix (vectors and scalars are returned as is)."""
        if self.array.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.array.ndim}D")
        return ops.transpose(self) if self.array.ndim == 2 else self

    def permute(self, *dims: Any) -> TensorBase:  # type: ignore[override]
        """Reorder all dimensions."""
        perm = _check.sizes("permute", "dims", dims)
        nd = self.array.ndim
        if len(perm) != nd:
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
                f"the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(perm)}"
            )
        perm = tuple(norm_dim(p, nd, "permute") for p in perm)
        if len(set(perm)) != nd:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return ops.transpose(self, perm)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> TensorBase:
        """Merge dims start_dim..end_dim into one."""
        nd = self.array.ndim
        s, e = norm_dim(start_dim, nd, "flatten"), norm_dim(end_dim, nd, "flatten")
        if nd == 0:
            return ops.reshape(self, (1,))
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shp = self.array.shape
        return ops.reshape(self, shp[:s] + (int(np.prod(shp[s : e + 1])),) + shp[e + 1 :])

    def unsqueeze(self, dim: int) -> TensorBase:
        """Insert a size-1 dimension."""
        d = norm_dim(dim, self.array.ndim + 1, "unsqueeze")
        return ops.reshape(self, self.array.shape[:d] + (1,) + self.array.shape[d:])

    def squeeze(self, dim: Any = None) -> TensorBase:
        """Drop size-1 dimensions (all, or those in dim)."""
        shp = self.array.shape
        if dim is None:
            dims = {i for i, s in enumerate(shp) if s == 1}
        else:
            ds = _check.dims("squeeze", dim)
            ds = ds if isinstance(ds, tuple) else (ds,)
            dims = {norm_dim(d, len(shp), "squeeze") for d in ds}
            dims = {d for d in dims if shp and shp[d] == 1}
        return ops.reshape(self, tuple(s for i, s in enumerate(shp) if i not in dims))

    def expand(self, *sizes: Any, size: Any = None) -> TensorBase:
        """Broadcast to a larger shape (-1 keeps a dimension)."""
        sizes = _check.sizes("expand", "size", kw_size("expand", sizes, size))
        lead = len(sizes) - self.array.ndim
        for i, s in enumerate(sizes):
            if s < -1 or (s == -1 and i < lead):
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}"
                    if s == -1
                    else f"Trying to create tensor with negative dimension {s}: {list(sizes)}"
                )
        shp = tuple(self.array.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return ops.expand(self, shp)

    def expand_as(self, other: TensorBase) -> TensorBase:
        """expand(other.shape)."""
        _check.tensor("expand_as", "other", 1, other)
        return self.expand(other.array.shape)

    def repeat(self, *sizes: Any, repeats: Any = None) -> TensorBase:
        """Tile the tensor (torch's repeat)."""
        reps = _check.sizes("repeat", "repeats", kw_size("repeat", sizes, repeats))
        x = self
        lead = len(reps) - x.array.ndim
        if lead < 0:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
            )
        if any(r < 0 for r in reps):
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(reps)}: {list(reps)}")
        shp = (1,) * lead + x.array.shape
        x = ops.reshape(x, tuple(v for s in shp for v in (1, s)))
        x = ops.expand(x, tuple(v for r, s in zip(reps, shp) for v in (r, s)))
        return ops.reshape(x, tuple(r * s for r, s in zip(reps, shp)))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[TensorBase, ...]:  # type: ignore[override]
        """Chunks of the given size(s) along dim."""
        d = norm_dim(dim, self.array.ndim, "split")
        if self.array.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        n = self.array.shape[d]
        if isinstance(split_size_or_sections, (tuple, list)):
            sizes = _check.sizes("split_with_sizes", "split_sizes", (split_size_or_sections,))
            if any(s < 0 for s in sizes):
                raise RuntimeError(
                    "split_with_sizes expects split_sizes have only non-negative entries, but got "
                    f"split_sizes={list(sizes)}"
                )
            return ops.split(self, sizes, d)
        size = _check.integer("split", "split_size", 1, split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        if size == 0:
            if n:
                raise RuntimeError(
                    f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
                )
            return (self.clone(),)
        return ops.split(self, size, d) if n else (self.clone(),)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[TensorBase, ...]:
        """`chunks` nearly equal pieces along dim."""
        chunks = _check.integer("chunk", "chunks", 1, chunks)
        d = norm_dim(dim, self.array.ndim, "chunk")
        if self.array.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        n = self.array.shape[d]
        return self.split(-(-n // chunks), d)

    def unbind(self, dim: int = 0) -> tuple[TensorBase, ...]:  # type: ignore[override]
        """All slices along dim."""
        d = norm_dim(dim, self.array.ndim, "unbind")
        if self.array.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        return ops.unbind(self, d)
