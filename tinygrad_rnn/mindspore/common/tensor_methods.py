"""The everyday Tensor methods of MindSpore 2.10, with both of its overloads where it has two.

MindSpore's Tensor methods accept a numpy-style signature and a torch-style one, and pick by the
arguments given (checked on MindSpore 2.10.0):

- ``x.max(axis=1)`` / ``x.max()`` give the values; ``x.max(1)``, ``x.max(dim=1)`` or
  ``return_indices=True`` give ``(values, indices)`` (indices int64); ``min`` alike;
- ``x.argmax(axis | dim, keepdims | keepdim)`` gives int64 indices, ``x.argmin`` int32 ones;
- ``x.sum(axis, dtype, keepdims)`` or ``x.sum(dim, keepdim)``: a bool second argument is keepdim;
- ``x.mean(axis, keep_dims)`` or ``x.mean(dim, keepdim)``; the mean of integers keeps the integer
  dtype, truncated toward zero (``[-1, -2].mean()`` is -1);
- ``x.clip`` / ``x.clamp(min, max)`` take numbers or Tensors (broadcast).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ... import functional as core_functional
from ... import ops as core_ops
from ...tape import TensorBase, make_tensor
from .. import _checks as check
from . import dtype as mstype
from .topk import topk as topk_function


def int_mean(x: Any, axis: Any, keepdims: bool) -> Any:
    """The mean of an integer Tensor as MindSpore's ReduceMean gives it: its dtype, truncated to zero."""
    if x.array.dtype == np.bool_:
        raise RuntimeError("For 'ReduceMean', unsupported reduce operation for bool.")
    total = np.sum(x.array, axis=axis, keepdims=keepdims, dtype=np.float64)
    count = x.array.size // builtins.max(total.size, 1) if x.array.size else 1
    out = np.trunc(total / count).astype(x.array.dtype)
    return make_tensor(x.result_type, np.asarray(out))


def mean_of(x: Any, axis: Any, keepdims: bool) -> Any:
    """MindSpore's mean over `axis` (None or () = all): float means differentiable, integers truncated."""
    axis = None if axis == () else axis
    if x.array.dtype.kind in "biu":
        return int_mean(x, axis, keepdims)
    return core_ops.mean(x, axis, keepdims)


def arg_extreme(fn: Any, x: Any, axis: Any, keepdims: bool, dtype: Any) -> Any:
    """argmax / argmin over `axis` (the flattened tensor when None) as an int Tensor of `dtype`."""
    data = x.array
    if data.ndim == 0 or axis is None:
        out = np.asarray(fn(data), dtype)
    else:
        out = np.asarray(fn(data, axis=axis, keepdims=keepdims), dtype)
    return make_tensor(x.result_type, out)


def _axis_and_keep(op: str, args: tuple, kwargs: dict, keep_names: tuple[str, ...]) -> tuple[Any, bool, bool]:
    """(axis, keepdims, torch_style) from MindSpore's two overloads of a reduction method."""
    positional_int = bool(args) and not isinstance(args[0], (tuple, list))
    numpy_only = {"axis", "keepdims", "keep_dims", "initial", "where"} & set(kwargs)
    torch_style = (positional_int or "dim" in kwargs) and not numpy_only
    axis = args[0] if args else kwargs.pop("dim", kwargs.pop("axis", None))
    keep = args[1] if len(args) > 1 else False
    for name in keep_names:
        keep = kwargs.pop(name, keep)
    if kwargs:
        raise TypeError(f"Failed calling {op} with unexpected keyword arguments {sorted(kwargs)}.")
    return axis, bool(keep), torch_style


def divide(a: Any, b: Any, rounding_mode: Any = None) -> Any:
    """a / b; integers divide in float32; ``rounding_mode`` 'floor' or 'trunc' rounds the quotient (no
    gradient) and keeps integers integer."""
    if rounding_mode not in (None, "floor", "trunc"):
        raise ValueError("For ops.div, rounding_mode value should be None, 'floor' or 'trunc'.")
    ints = all(_data_kind(v) in "biu" for v in (a, b))
    if rounding_mode is None:
        if ints:
            a, b = (core_ops.cast(v, np.float32) if isinstance(v, TensorBase) else float(v) for v in (a, b))
        return core_ops.div(a, b)
    proto = a if isinstance(a, TensorBase) else b
    round_ = np.floor if rounding_mode == "floor" else np.trunc
    with np.errstate(divide="ignore", invalid="ignore"):
        if ints:
            ad, bd = _data(a), _data(b)
            out = np.floor_divide(ad, bd) if rounding_mode == "floor" else np.trunc(np.true_divide(ad, bd))
            out = np.asarray(out).astype(np.result_type(ad, bd))
        else:
            q = core_ops.div(_detached(a), _detached(b)).array
            out = round_(q).astype(q.dtype)
    return make_tensor(proto.result_type, np.asarray(out))


def _data_kind(v: Any) -> str:
    if isinstance(v, TensorBase):
        return v.array.dtype.kind
    return "i" if isinstance(v, (int, np.integer)) else "f"


def _detached(v: Any) -> Any:
    return v.detach() if isinstance(v, TensorBase) else v


class TensorMethods:
    """Mixin of mindspore.Tensor: reductions with both overloads, arg-extremes, clamp, casts, aliases."""

    __slots__ = ()

    # -- reductions ------------------------------------------------------------------------------
    def topk(self, k: Any, dim: Any = None, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        """(values, int32 indices) of the k largest along dim (common/topk.py)."""
        return topk_function(self, k, dim, largest, sorted)

    def sum(self, *args: Any, **kwargs: Any) -> Any:
        """``sum(axis=None, dtype=None, keepdims=False, initial=None)`` or ``sum(dim, keepdim=False)``."""
        axis = args[0] if args else kwargs.pop("dim", kwargs.pop("axis", None))
        second = args[1] if len(args) > 1 else None
        keep = second if isinstance(second, bool) else (args[2] if len(args) > 2 else False)
        dtype = kwargs.pop("dtype", None if isinstance(second, bool) else second)
        keep = kwargs.pop("keepdims", kwargs.pop("keepdim", keep))
        initial = kwargs.pop("initial", args[3] if len(args) > 3 else None)
        if kwargs:
            raise TypeError(f"Failed calling sum with unexpected keyword arguments {sorted(kwargs)}.")
        axis = check.axes("sum", "axis", axis, self.ndim)
        x = self if dtype is None else core_ops.cast(self, mstype.to_np(dtype))
        out = core_ops.sum_(x, None if axis == () else axis, bool(keep))
        return out if initial is None else out + initial

    def mean(self, *args: Any, **kwargs: Any) -> Any:
        """``mean(axis=None, keep_dims=False)`` or ``mean(dim, keepdim=False)``."""
        axis, keep, _ = _axis_and_keep("mean", args, kwargs, ("keep_dims", "keepdim"))
        return mean_of(self, check.axes("mean", "axis", axis, self.ndim), keep)

    def _extreme(self, op: str, args: tuple, kwargs: dict) -> Any:
        with_indices = kwargs.pop("return_indices", False)
        check.no_initial_or_where(op, kwargs.pop("initial", None), kwargs.pop("where", None))
        axis, keep, torch_style = _axis_and_keep(op, args, kwargs, ("keepdims", "keepdim"))
        axis = check.axes(op, "axis", axis, self.ndim)
        axis = None if axis == () else axis
        values = (core_ops.max_ if op == "max" else core_ops.min_)(self, axis, keep)
        if not (torch_style or with_indices):
            return values
        fn = np.argmax if op == "max" else np.argmin
        return values, arg_extreme(fn, self, axis, keep, np.int64)

    def max(self, *args: Any, **kwargs: Any) -> Any:
        """``max(axis=None, keepdims=False, return_indices=False)``: values; ``max(dim)``: (values, indices)."""
        return self._extreme("max", args, kwargs)

    def min(self, *args: Any, **kwargs: Any) -> Any:
        """``min(axis=None, keepdims=False, return_indices=False)``: values; ``min(dim)``: (values, indices)."""
        return self._extreme("min", args, kwargs)

    def argmax(self, *args: Any, **kwargs: Any) -> Any:
        """Indices (int64) of the max over ``axis``/``dim`` (of the flattened tensor by default)."""
        axis, keep, _ = _axis_and_keep("argmax", args, kwargs, ("keepdims", "keepdim"))
        if axis is not None:
            check.axis("argmax", "axis", axis, self.ndim)
        return arg_extreme(np.argmax, self, axis, keep, np.int64)

    def argmin(self, *args: Any, **kwargs: Any) -> Any:
        """Indices (int32, as MindSpore's Argmin) of the min over ``axis``/``dim``."""
        axis, keep, _ = _axis_and_keep("argmin", args, kwargs, ("keepdims", "keepdim"))
        if axis is not None:
            check.axis("argmin", "axis", axis, self.ndim)
        return arg_extreme(np.argmin, self, axis, keep, np.int32)

    def all(self, axis: Any = None, keep_dims: bool = False) -> Any:
        """True where every element (over `axis`) is non-zero."""
        return make_tensor(self.result_type, np.asarray(np.all(self.array, axis=axis, keepdims=keep_dims)))

    def any(self, axis: Any = None, keep_dims: bool = False) -> Any:
        """True where some element (over `axis`) is non-zero."""
        return make_tensor(self.result_type, np.asarray(np.any(self.array, axis=axis, keepdims=keep_dims)))

    # -- elementwise -----------------------------------------------------------------------------
    def clamp(self, min: Any = None, max: Any = None) -> Any:
        """Clip into [min, max]: numbers, or Tensors broadcast against self (gradient where inside)."""
        if min is None and max is None:
            raise ValueError("For 'clamp', at least one of 'min' and 'max' must not be None.")
        if not isinstance(min, TensorBase) and not isinstance(max, TensorBase):
            return core_ops.clip(self, min, max)
        out = self
        for bound, outside in ((min, np.less), (max, np.greater)):
            if bound is not None:
                value = core_ops.cast(bound, self.array.dtype) if isinstance(bound, TensorBase) else bound
                out = core_ops.where(outside(out.array, _data(bound)), value, out)
        shape = np.broadcast_shapes(self.shape, np.shape(_data(min)), np.shape(_data(max)))
        return out if out.shape == shape else core_ops.expand(out, shape)

    clip = clamp

    def neg(self) -> Any:
        """-self."""
        return core_ops.neg(self)

    def add(self, other: Any) -> Any:
        """self + other."""
        return self + other

    def sub(self, other: Any) -> Any:
        """self - other."""
        return self - other

    def mul(self, other: Any) -> Any:
        """self * other."""
        return self * other

    def div(self, other: Any, rounding_mode: Any = None) -> Any:
        """self / other, optionally rounded ('floor' or 'trunc')."""
        return divide(self, other, rounding_mode)

    def softmax(self, axis: int = -1) -> Any:
        """exp(x) / sum(exp(x)) along `axis`."""
        return core_functional.softmax(self, check.axis("softmax", "axis", axis, self.ndim))

    def maximum(self, other: Any) -> Any:
        """Elementwise max."""
        return core_ops.maximum(self, other)

    def minimum(self, other: Any) -> Any:
        """Elementwise min."""
        return core_ops.minimum(self, other)

    def masked_fill(self, mask: Any, value: Any) -> Any:
        """`value` where mask is True, self elsewhere."""
        return core_ops.where(_data(mask), value, self)

    def equal(self, other: Any) -> Any:
        """Elementwise ==, a bool Tensor."""
        return self == other

    # -- casts and facts -------------------------------------------------------------------------
    def int(self) -> Any:
        """As int32."""
        return core_ops.cast(self, np.int32)

    def long(self) -> Any:
        """As int64."""
        return core_ops.cast(self, np.int64)

    def bool(self) -> Any:
        """As bool."""
        return core_ops.cast(self, np.bool_)

    def half(self) -> Any:
        """As float16."""
        return core_ops.cast(self, np.float16)

    def to(self, dtype: Any) -> Any:
        """As `dtype`."""
        return core_ops.cast(self, mstype.to_np(dtype))

    def dim(self) -> int:
        """Number of axes."""
        return self.array.ndim

    def nelement(self) -> int:
        """Number of elements."""
        return int(self.array.size)

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.array.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of all elements."""
        return self.array.nbytes

    @property
    def strides(self) -> tuple[int, ...]:
        """Byte strides of a contiguous layout."""
        return np.ascontiguousarray(self.array).strides

    def is_contiguous(self) -> bool:
        """Always True: every Tensor here is laid out contiguously as far as users can tell."""
        return True

    def contiguous(self) -> Any:
        """self (already contiguous)."""
        return self

    def narrow(self, axis: int, start: int, length: int) -> Any:
        """``length`` elements from ``start`` along ``axis``."""
        axis = check.axis("narrow", "axis", axis, self.ndim) % builtins.max(self.ndim, 1)
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def expand_as(self, other: Any) -> Any:
        """Broadcast to other's shape."""
        return core_ops.expand(self, tuple(other.shape))

    def broadcast_to(self, shape: Any) -> Any:
        """Broadcast to `shape`."""
        return core_ops.expand(self, tuple(shape))


def _data(x: Any) -> Any:
    return x.array if isinstance(x, TensorBase) else x
