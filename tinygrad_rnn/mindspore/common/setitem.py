"""Item assignment on a mindspore.Tensor (``t[:] = 0``, ``t[0] = row``, ``g[:] *= 0.5``), as MindSpore 2.10 does it.

Checked on MindSpore 2.10.0 (PyNative):

- the value is a number, a Tensor, a tuple or a list (a numpy array is a TypeError), converted to the
  tensor's dtype (1.7 into an int tensor is 1) and broadcast to the indexed shape (ValueError if it
  cannot be);
- the write is in place: ``t.asnumpy()`` taken before and views such as ``t[0]`` see it;
- inside a function being differentiated, assigning into an intermediate result is differentiable
  (the overwritten elements get no gradient, the value gets theirs), and ops recorded before the write
  read the new values in the backward pass, as MindSpore's do; assigning into a differentiated input
  is MindSpore's RuntimeError. A Parameter's elements are overwritten in place, outside any graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ops as core_ops
from ...nn.module import Parameter as CoreParameter
from ...tape import TensorBase, bump_version

_INPUT_ERROR = (
    "Can not modify tensor id of input tensor from network by assign value, this may caused by slice op, "
    "please check your code to avoid this error!"
)


def _check_value(value: Any) -> None:
    ok = isinstance(value, (TensorBase, bool, int, float, tuple, list, np.number, np.bool_))
    if not ok:
        raise TypeError(
            f"only support numbers, Tensor, tuple, list as value, but got {value} with type {type(value)}"
        )


def _check_index(index: Any, shape: tuple[int, ...]) -> Any:
    """The index numpy takes, after MindSpore's type and bounds checks (IndexError)."""
    items = index if isinstance(index, tuple) else (index,)
    axis = 0
    for k in items:
        if isinstance(k, str) or (k is not None and not _indexable(k)):
            raise IndexError(
                f"Unsupported Python object type received: {type(k)}. Supported types for tensor indexing are: "
                "list, int, float, tuple, slice, ellipsis, None, array, bool, or Tensor. "
                f"Received value: {k!r}"
            )
        if isinstance(k, (int, np.integer)) and not isinstance(k, bool) and axis < len(shape):
            if not -shape[axis] <= k < shape[axis]:
                raise IndexError(f"Index {k} is out of bounds for axis {axis} with size {shape[axis]}")
        if k is not None:
            axis += 1
    return core_ops.plain_index(index)


def _indexable(k: Any) -> bool:
    return isinstance(k, (int, np.integer, slice, list, np.ndarray, TensorBase)) or k is Ellipsis


def _broadcast_value(arr: np.ndarray, target: tuple[int, ...]) -> None:
    try:
        np.broadcast_shapes(arr.shape, target)
        ok = len(arr.shape) <= len(target) or all(s == 1 for s in arr.shape[: len(arr.shape) - len(target)])
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            "For 'BroadcastTo', in order to broadcast, each dimension pair must be equal or input dimension is 1 "
            f"or target dimension is -1. But got x_shape: {_shape_text(arr.shape)}, target shape: "
            f"{_shape_text(target)}."
        )


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _write(t: Any, idx: Any, values: np.ndarray) -> None:
    """Overwrite t.array[idx] in place (a read-only array, such as a broadcast view, is copied first) and
    tell the tape (Tensor.saved_modified decides what a backward through older ops makes of it)."""
    if not t.array.flags.writeable:
        t.array = t.array.copy()
    t.array[idx] = values
    bump_version(t.array)


def setitem(t: Any, index: Any, value: Any) -> None:
    """``t[index] = value`` (see the module docstring)."""
    _check_value(value)
    idx = _check_index(index, t.shape)
    target = np.shape(t.array[idx])
    src = value.array if isinstance(value, TensorBase) else np.asarray(value)
    _broadcast_value(np.asarray(src), target)
    values = (
        np.asarray(src)
        .astype(t.array.dtype, copy=False)
        .reshape(np.shape(src)[-len(target) :] if target else ())
    )
    if t._node is None and t.requires_grad:
        if not isinstance(t, CoreParameter):  # a fresh leaf of grad / value_and_grad: MindSpore refuses
            raise RuntimeError(_INPUT_ERROR)
        _write(t, idx, values)
        return
    graph_value = isinstance(value, TensorBase) and value.requires_grad
    if t._node is None and not graph_value:
        _write(t, idx, values)
        return
    _differentiable_write(t, idx, value, values, target)


def _differentiable_write(t: Any, idx: Any, value: Any, values: np.ndarray, target: tuple[int, ...]) -> None:
    """t becomes where(mask, value scattered to idx, old t): the old t gets no gradient at idx."""
    mask = np.zeros(t.shape, dtype=bool)
    mask[idx] = True
    if isinstance(value, TensorBase):
        v = core_ops.cast(value, t.array.dtype)
        v = core_ops.reshape(v, v.shape[-len(target) :] if target else ()) if v.ndim > len(target) else v
        v = core_ops.expand(v, target) if v.shape != target else v
        placed = core_ops.Scatter.apply(v, idx=idx, shape=t.shape)
    else:
        placed = np.zeros(t.shape, t.array.dtype)
        placed[idx] = values
    new = core_ops.where(mask, placed, t)
    _write(t, idx, values)
    t._node, t._idx, t.requires_grad = new._node, new._idx, new.requires_grad
