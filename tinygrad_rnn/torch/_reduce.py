"""torch.Tensor's reductions (sum, mean, max / min with indices, amax / amin, argmax / argmin, sort, and
topk from _topk), as a mixin of the frontend TensorBase: torch's dim / keepdim names (axis / keepdims
accepted as aliases).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tape import TensorBase, make_tensor
from . import _check
from ._check import norm_dim
from ._grad_fn import MaxValues, MinValues, SortValues, ret_max, ret_min, ret_sort
from ._topk import topk_method


def _dims(dim: Any, axis: Any) -> Any:
    if axis is not None:
        if dim is not None:
            raise TypeError("got both 'dim' and its alias 'axis'")
        return axis
    return dim


def _keep(keepdim: bool, keepdims: bool | None) -> bool:
    return bool(keepdim if keepdims is None else keepdims)


class ReduceMethods:
    """The reductions of torch.Tensor."""

    __slots__ = ()

    # -- reductions (torch's dim / keepdim names; axis / keepdims are accepted aliases) ---------
    def sum(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: Any = None,
    ) -> TensorBase:
        """Sum over dim(s) (all by default)."""
        dim = _check.dims("sum", _dims(dim, axis))
        x = self if dtype is None else self.to(dtype)
        if dtype is None and x.array.dtype.kind in "biu":
            x = x.long()  # torch sums bool and every integer dtype (uint8 too) in int64
        return ops.sum_(x, dim, _keep(keepdim, keepdims))

    def mean(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: Any = None,
    ) -> TensorBase:
        """Mean over dim(s) (all by default)."""
        dim = _check.dims("mean", _dims(dim, axis))
        x = self if dtype is None else self.to(dtype)
        if x.array.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                f"complex dtype. Got: {_check.scalar_name(x)}"
            )
        return ops.mean(x, dim, _keep(keepdim, keepdims))

    def _select(self, fn: Any, ret: Any, dim: Any, keepdim: bool, node: Any = ops.GetItem) -> Any:
        d = norm_dim(dim, self.array.ndim, fn.__name__)
        if self.array.size == 0 and self.array.ndim and self.array.shape[d] == 0:
            raise IndexError(f"{fn.__name__[3:]}(): Expected reduction dim {d} to have non-zero size.")
        idx = fn(self.array, axis=d) if self.array.ndim else np.asarray(0)
        if self.array.ndim == 0:
            return ret(self, make_tensor(self.result_type, np.asarray(0, np.int64), None, 0))
        grids = list(np.indices(idx.shape, sparse=True))
        full = tuple(grids[:d] + [idx] + grids[d:])
        values = node.apply(self, idx=full)
        if keepdim:
            values = ops.reshape(values, self.array.shape[:d] + (1,) + self.array.shape[d + 1 :])
            idx = np.expand_dims(idx, d)
        return ret(values, make_tensor(self.result_type, idx.astype(np.int64), None, 0))

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Max of all elements; with dim, (values, indices) like torch; with a tensor, elementwise."""
        dim = _dims(dim, axis)
        if isinstance(dim, TensorBase) and dim.array.dtype.kind not in "iu":
            return ops.maximum(self, dim)
        if dim is None:
            return ops.max_all(self)
        return self._select(np.argmax, ret_max, dim, _keep(keepdim, keepdims), MaxValues)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Min of all elements; with dim, (values, indices) like torch; with a tensor, elementwise."""
        dim = _dims(dim, axis)
        if isinstance(dim, TensorBase) and dim.array.dtype.kind not in "iu":
            return ops.minimum(self, dim)
        if dim is None:
            return ops.min_all(self)
        return self._select(np.argmin, ret_min, dim, _keep(keepdim, keepdims), MinValues)

    def amax(self, dim: Any = (), keepdim: bool = False) -> TensorBase:
        """Max over dim(s); ties share the gradient."""
        return self._amax_amin("amax", ops.max_, dim, keepdim)

    def _amax_amin(self, name: str, fn: Any, dim: Any, keepdim: bool) -> TensorBase:
        axes = _check.dims(name, None if dim == () else dim)
        if self.array.size == 0:
            ax = range(self.array.ndim) if axes is None else (axes if isinstance(axes, tuple) else (axes,))
            ax = tuple(norm_dim(d, self.array.ndim, name) for d in ax)
            for d in ax:
                if self.array.shape[d] == 0:
                    raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
            out = (np.max if name == "amax" else np.min)(self.array, axis=ax, keepdims=keepdim)
            return make_tensor(self.result_type, np.asarray(out), None, 0)  # empty: nothing to differentiate
        return fn(self, axes, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> TensorBase:
        """Min over dim(s); ties share the gradient."""
        return self._amax_amin("amin", ops.min_, dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> TensorBase:
        """Index of the max (of the flattened tensor without dim)."""
        _check.not_bool("argmax", self)
        if dim is None:
            return make_tensor(self.result_type, np.asarray(np.argmax(self.array), np.int64), None, 0)
        return self._select(np.argmax, ret_max, dim, keepdim).indices

    def argmin(self, dim: Any = None, keepdim: bool = False) -> TensorBase:
        """Index of the min (of the flattened tensor without dim)."""
        _check.not_bool("argmin", self)
        if dim is None:
            return make_tensor(self.result_type, np.asarray(np.argmin(self.array), np.int64), None, 0)
        return self._select(np.argmin, ret_min, dim, keepdim).indices

    topk = topk_method  # (values, indices) of the k largest: _topk.py

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """(values, indices), stable like torch's CPU sort."""
        d = norm_dim(dim, self.array.ndim, "sort")
        if self.array.ndim == 0:
            return ret_sort(self.clone(), make_tensor(self.result_type, np.zeros((), np.int64), None, 0))
        key = -self.array if descending else self.array
        idx = np.argsort(key, axis=d, kind="stable")
        grids = list(np.indices(idx.shape, sparse=True))
        full = tuple(grids[:d] + [idx] + grids[d + 1 :])
        return ret_sort(
            SortValues.apply(self, idx=full), make_tensor(self.result_type, idx.astype(np.int64), None, 0)
        )
