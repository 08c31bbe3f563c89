"""MindSpore's argument checks and log lines, with its exact message templates (mindspore._checkparam)."""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

import numpy as np

from ..tensor import Tensor as CoreTensor


def positive_int(value: Any, name: str, cls: str) -> int:
    """An int > 0 (bools rejected): MindSpore's check_positive_int."""
    prefix = f"For '{cls}', the '{name}'"
    if not isinstance(value, int):
        raise TypeError(f"{prefix} must be int, but got '{type(value).__name__}'")
    if isinstance(value, bool) or value <= 0:
        msg = f"{prefix} must be int and must > 0, but got '{value}' with type '{type(value).__name__}'."
        raise (TypeError if isinstance(value, bool) else ValueError)(msg)
    return value


def is_float(value: Any, name: str, cls: str) -> float:
    """A (finite) Python float: MindSpore's check_is_float."""
    if not isinstance(value, float) or isinstance(value, bool):
        raise TypeError(
            f"For '{cls}', the type of '{name}' must be 'float', but got '{type(value).__name__}'."
        )
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"For '{cls}', the '{name}' must be a legal float, but got '{value}'.")
    return value


def value_type(name: str, value: Any, types: tuple[type, ...], cls: str) -> Any:
    """isinstance check (a bool is not an int unless bool is listed): MindSpore's check_value_type."""
    names = [t.__name__ for t in types]
    shown = f"one of '{names}'" if len(types) > 1 else f"'{names[0]}'"
    bad = (isinstance(value, bool) and bool not in types) or not isinstance(value, types)
    if bad:
        raise TypeError(
            f"For '{cls}', the type of '{name}' should be {shown}, but got type '{type(value).__name__}'."
        )
    return value


def warning(msg: str, where: str) -> None:
    """A MindSpore-style log line on stderr (silenced, like MindSpore's, by GLOG_v=3 or 4)."""
    if os.environ.get("GLOG_v", "2") in ("3", "4"):
        return
    stamp = time.strftime("%Y-%m-%d-%H:%M:%S")
    print(f"[WARNING] ME({os.getpid()},MainProcess):{stamp} [{where}] {msg}", file=sys.stderr)


# -- operand checks for the functional ops: MindSpore's exception types, messages naming the argument --
def _type_name(v: Any) -> str:
    return type(v).__name__


def _is_tensor(x: Any) -> bool:
    return isinstance(x, CoreTensor)  # the core class: frontend Tensors and Parameters are ones


def tensor(op: str, name: str, x: Any, numbers: bool = False) -> Any:
    """x must be a Tensor (or, with `numbers`, a Python number): TypeError otherwise."""
    if _is_tensor(x) or (numbers and isinstance(x, (bool, int, float))):
        return x
    kind = "a Tensor or a number" if numbers else "a Tensor"
    raise TypeError(f"For '{op}', the '{name}' must be {kind}, but got {_type_name(x)}.")


def floating(op: str, name: str, x: Any) -> Any:
    """x must be a floating-point Tensor (MindSpore's CPU kernels reject integers): TypeError otherwise."""
    tensor(op, name, x)
    if x.array.dtype.kind != "f":
        raise TypeError(
            f"For '{op}', the '{name}' must be a Tensor of float16, float32 or float64, but got {x.dtype}."
        )
    return x


def integer(op: str, name: str, v: Any) -> int:
    """A Python int (bools and numpy integers accepted as ints): TypeError otherwise."""
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"For '{op}', the '{name}' must be int, but got {_type_name(v)}.")
    return int(v)


def axis(op: str, name: str, v: Any, ndim: int) -> int:
    """An int axis in [-rank, rank) (a 0-d tensor's rank counted as 1): TypeError / ValueError."""
    v = integer(op, name, v)
    rank = max(ndim, 1)
    if not -rank <= v < rank:
        raise ValueError(f"For '{op}', the '{name}' must be in the range of [{-rank}, {rank}), but got {v}.")
    return v


def axes(op: str, name: str, v: Any, ndim: int) -> Any:
    """None, () or an int / tuple of int axes, each in range."""
    if v is None or v == ():
        return v
    if isinstance(v, (tuple, list)):
        return tuple(axis(op, name, a, ndim) for a in v)
    return axis(op, name, v, ndim)


def shape(op: str, name: str, v: Any) -> tuple[int, ...]:
    """A tuple / list of ints (or one int): TypeError otherwise."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),)
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"For '{op}', the '{name}' must be a tuple or list of int, but got {_type_name(v)}.")
    return tuple(integer(op, name, s) for s in v)


def same_dtype(op: str, names: tuple[str, str], a: Any, b: Any) -> None:
    """Two Tensors of one dtype (MindSpore's MatMul / Concat do not promote): TypeError."""
    if _is_tensor(a) and _is_tensor(b) and a.array.dtype != b.array.dtype:
        raise TypeError(
            f"For '{op}', the type of '{names[1]}' should be same as '{names[0]}', but got '{names[0]}' with "
            f"type {a.dtype} and '{names[1]}' with type {b.dtype}."
        )


def broadcast(op: str, names: tuple[str, str], a: Any, b: Any) -> None:
    """Shapes that broadcast: ValueError naming both otherwise."""
    sa, sb = np.shape(getattr(a, "array", a)), np.shape(getattr(b, "array", b))
    for da, db in zip(reversed(sa), reversed(sb)):
        if da != db and 1 not in (da, db):
            raise ValueError(
                f"For '{op}', '{names[0]}' of shape {sa} and '{names[1]}' of shape {sb} cannot be broadcast "
                "together."
            )


def tensors(op: str, name: str, xs: Any) -> list[Any]:
    """A non-empty tuple / list of Tensors of one dtype: TypeError / ValueError."""
    if not isinstance(xs, (tuple, list)):
        raise TypeError(
            f"For '{op}', the '{name}' must be a tuple or list of Tensors, but got {_type_name(xs)}."
        )
    if not xs:
        raise ValueError(f"For '{op}', the '{name}' must not be empty.")
    for i, x in enumerate(xs):
        tensor(op, f"{name}[{i}]", x)
        same_dtype(op, (f"{name}[0]", f"{name}[{i}]"), xs[0], x)
    return list(xs)


def boolean(op: str, name: str, v: Any) -> bool:
    """A bool: TypeError otherwise."""
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"For '{op}', the '{name}' should be bool, but got {_type_name(v)}.")
    return bool(v)


def _spread(v: tuple[Any, ...]) -> Any:
    """Method arguments given as ints or as one sequence, x.reshape(2, 3) or x.reshape((2, 3)): the ints."""
    return v[0] if len(v) == 1 and isinstance(v[0], (tuple, list)) else v


def reshape_target(op: str, v: Any, size: int) -> tuple[int, ...]:
    """A shape (one -1 allowed) holding `size` elements: TypeError / ValueError."""
    shape = globals()["shape"](op, "shape", _spread(v))
    known = int(np.prod([s for s in shape if s != -1]))
    free = shape.count(-1)
    bad_free = free > 1 or (free == 1 and (known == 0 or size % known))
    if bad_free or any(s < -1 for s in shape) or (not free and known != size):
        raise ValueError(f"For '{op}', the 'shape' {shape} is invalid for input of size {size}.")
    return shape


def permutation(op: str, v: Any, ndim: int) -> tuple[int, ...]:
    """A permutation of range(ndim): TypeError / ValueError."""
    perm = shape(op, "perm", _spread(v))
    if len(perm) != ndim:
        raise ValueError(f"For '{op}', the 'perm' must have {ndim} entries (the rank), but got {perm}.")
    perm = tuple(axis(op, "perm", p, ndim) % max(ndim, 1) for p in perm)
    if len(set(perm)) != ndim:
        raise ValueError(f"For '{op}', the 'perm' must be a permutation of range({ndim}), but got {perm}.")
    return perm


def no_initial_or_where(op: str, initial: Any, where: Any) -> None:
    """max / min / amax / amin: `initial=` and `where=` are not implemented (never silently ignored)."""
    if initial is not None or where is not None:
        raise NotImplementedError(
            f"For '{op}', the 'initial' and 'where' arguments are not supported by tinygrad_rnn.mindspore "
            f"(got initial={initial!r}, where={'a mask' if where is not None else None})."
        )
