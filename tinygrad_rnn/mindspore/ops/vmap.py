"""mindspore.vmap: a batched map of a function (or Cell) over one axis of its inputs.

Honest and simple: the function runs once per slice, and the results are stacked along ``out_axes``
(differentiably, so ``grad`` of a vmapped function works). MindSpore compiles a vectorised graph
instead; the numbers are the same. Its argument checks and messages are MindSpore 2.10's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import ops as core_ops
from ...tape import TensorBase
from ..common.tensor import Tensor


def _abstract(v: Any) -> str:
    """How MindSpore's graph compiler shows a Python scalar in its messages."""
    kind = {bool: "Bool", int: "Int64", float: "Float32", str: "String"}.get(type(v), type(v).__name__)
    return f"AbstractScalar(Type: {kind}, Value: {v}, Shape: NoShape)"


def _axes_error(v: Any) -> RuntimeError:
    return RuntimeError(f"The axis in vmap`s 'in_axes' can only be of type Int or None, but got {v!r}.")


def _check_axis(axis: Any, x: Any) -> int | None:
    """A normalised axis of x, or None (RuntimeError as MindSpore's)."""
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise _axes_error(axis)
    nd = x.ndim if isinstance(x, TensorBase) else 0
    if not -nd <= axis < nd:
        raise RuntimeError(
            f"The axis: {axis} in 'in_axes' is out of bounds for array of dimension [{-nd},{nd})."
        )
    return axis % nd


def _pair_axes(args: Any, axes: Any) -> list[tuple[Any, Any]]:
    """(leaf, axis) for every Tensor leaf of the (nested) arguments."""
    if isinstance(args, (tuple, list)):
        if isinstance(axes, (tuple, list)):
            if len(axes) != len(args):
                raise RuntimeError(
                    "When vmap`s 'in_axes' is a tuple or list, and its size must be equal to the number of "
                    f"arguments of 'fn': {len(args)}, but got size: {len(axes)}."
                )
            return [p for a, ax in zip(args, axes) for p in _pair_axes(a, ax)]
        return [p for a in args for p in _pair_axes(a, axes)]
    if isinstance(axes, (tuple, list)):
        raise _axes_error(axes)
    return [(args, _check_axis(axes, args))]


def _slice(args: Any, axes: Any, i: int) -> Any:
    """Slice i of every batched leaf (the same structure)."""
    if isinstance(args, (tuple, list)):
        per = axes if isinstance(axes, (tuple, list)) else [axes] * len(args)
        return type(args)(_slice(a, ax, i) for a, ax in zip(args, per))
    if axes is None or not isinstance(args, TensorBase):
        return args
    ax = axes % args.ndim
    return core_ops.getitem(args, (slice(None),) * ax + (i,))


def _stack(outs: list[Any], out_axes: Any) -> Any:
    """Stack the per-slice results (tuples elementwise) along out_axes."""
    first = outs[0]
    if isinstance(first, (tuple, list)):
        per = out_axes if isinstance(out_axes, (tuple, list)) else [out_axes] * len(first)
        return type(first)(_stack([o[k] for o in outs], per[k]) for k in range(len(first)))
    items = [o if isinstance(o, TensorBase) else Tensor(o) for o in outs]
    if out_axes is None:
        return items[0]
    if isinstance(out_axes, bool) or not isinstance(out_axes, int):
        raise RuntimeError(
            f"The axis in vmap`s 'out_axes' can only be of type Int or None, but got {_abstract(out_axes)}."
        )
    nd = items[0].ndim + 1
    if not -nd <= out_axes < nd:
        raise RuntimeError(
            f"The axis: {out_axes} in 'out_axes' is out of bounds for array of dimension [{-nd},{nd})."
        )
    return core_ops.stack(items, out_axes % nd)


def vmap(fn: Callable[..., Any], in_axes: Any = 0, out_axes: Any = 0) -> Callable[..., Any]:
    """``vmap(fn, in_axes=0, out_axes=0)``: fn mapped over axis ``in_axes`` of its inputs (an int for all,
    None for an input not batched, or a tuple / list with one entry per argument, nested like the
    arguments); results stacked along ``out_axes``. Runs fn once per slice (eagerly)."""
    if in_axes is None:
        raise RuntimeError("The 'in_axes' of 'vmap' cannot be a single None while 'fn' is not a 'CellList'.")

    def wrapper(*args: Any) -> Any:
        if not callable(fn):
            raise RuntimeError(
                f"'VmapOperation' arg0 must be a 'Function' or 'Cell', but got {_abstract(fn)}."
            )
        axes = tuple(in_axes) if isinstance(in_axes, (tuple, list)) else in_axes
        pairs = [(x, ax) for x, ax in _pair_axes(args, axes) if ax is not None]
        sizes = [x.shape[ax] for x, ax in pairs]
        if not sizes:
            raise RuntimeError("The 'in_axes' of 'vmap' must batch at least one Tensor argument.")
        for s in sizes[1:]:
            if s != sizes[0]:
                raise RuntimeError(
                    f"The 'axis_size' of each argument in the scope of 'vmap' should be equal, but got {sizes[0]} "
                    f"and {s}."
                )
        outs = [fn(*_slice(args, axes, i)) for i in range(sizes[0])]
        if not outs:  # MindSpore's vectorised graph fails the same way: nothing to index
            raise ValueError("For primitive:'TupleGetItem', cannot get item by index from an empty sequence.")
        return _stack(outs, out_axes)

    return wrapper


__all__ = ["vmap"]
