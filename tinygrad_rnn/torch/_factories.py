"""torch's tensor factories: torch.tensor, zeros, ones, full, rand, randn, arange, ... and their `size=`.

Each parses torch's arguments (sizes as ints, one sequence, or the `size=` keyword) and builds a leaf.
Floating results without an explicit dtype take the default dtype (`torch.set_default_dtype`), as in
torch: float32 at start, float64 after `set_default_dtype(torch.float64)`.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..random import generator as _generator
from ..tape import TensorBase, make_tensor
from . import _check, _dtype
from ._tensor import Tensor

_MISSING: Any = object()


def make(arr: np.ndarray, requires_grad: bool = False) -> Tensor:
    """A new leaf Tensor holding arr (checked to be floating when it must require grad)."""
    t = make_tensor(Tensor, arr, None, 0)
    if requires_grad:
        _check.grad_dtype(arr.dtype)
        t.requires_grad = True
    return t


def _default_dtype(dtype: Any, fallback: Any = None) -> np.dtype:
    d = _dtype.to_np(dtype)
    if d is not None:
        return d
    return _dtype.default_float() if fallback is None else np.dtype(fallback)


def python_data_array(data: Any, dtype: Any = None) -> np.ndarray:
    """torch.tensor's data as an array: Python floats / complex numbers take the default dtype."""
    if dtype is not None or isinstance(data, (np.ndarray, np.generic, TensorBase)):
        return _check.data_array(data, dtype)
    arr = _check.data_array(data, None)
    if arr.dtype.kind == "f":  # convert the Python data again: no detour through float32
        return _check.data_array(data, _dtype.default_float())
    if arr.dtype.kind == "c":
        return _check.data_array(data, _dtype.default_complex())
    return arr


def size_arg(fn: str, args: tuple[Any, ...], kw: dict[str, Any]) -> tuple[int, ...]:
    """A factory's size: positional ints / one sequence, or the `size=` keyword (not both), checked."""
    size = kw.pop("size", _MISSING)
    if kw:
        raise _check.unexpected_keyword(fn, next(iter(kw)))
    if size is not _MISSING:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, not {_check.type_name(size)}")
        args = (size,)
    elif not args:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    if fn == "zeros" and any(s < 0 for s in _check.sizes(fn, "size", args)):
        raise RuntimeError("zeros: Dimension size must be non-negative.")  # torch's zeros words its own
    return _check.new_sizes(fn, args)


# -- from data -----------------------------------------------------------------------------------
def tensor(
    data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """A new leaf holding a copy of data (Python floats take the default dtype, ints int64)."""
    _dtype.check_device(device)
    if isinstance(data, TensorBase):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data.array
    return make(np.array(python_data_array(data, _dtype.to_np(dtype))), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Share a numpy array (or tensor) when no conversion is needed, else copy."""
    _dtype.check_device(device)
    d = _dtype.to_np(dtype)
    if isinstance(data, Tensor) and (d is None or data.array.dtype == d):
        return data
    if isinstance(data, np.ndarray) and (d is None or data.dtype == d):
        return make(data)
    return make(python_data_array(getattr(data, "array", data), d))


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing the array's memory."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return make(ndarray)


# -- filled --------------------------------------------------------------------------------------
def zeros(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """Zeros (the default dtype unless dtype is given)."""
    _dtype.check_device(device)
    shape = size_arg("zeros", size, kw)
    return make(np.zeros(shape, _default_dtype(dtype)), requires_grad)


def ones(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """Ones (the default dtype unless dtype is given)."""
    _dtype.check_device(device)
    shape = size_arg("ones", size, kw)
    return make(np.ones(shape, _default_dtype(dtype)), requires_grad)


def empty(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    """Zeros here (torch leaves the memory uninitialised)."""
    _dtype.check_device(device)
    shape = size_arg("empty", size, kw)
    return make(np.zeros(shape, _default_dtype(dtype)), requires_grad)


def _fill_dtype(fill_value: Any) -> np.dtype:
    """torch's full() dtype for a fill value: bool, int64, the default complex, else the default float."""
    if isinstance(fill_value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(fill_value, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(fill_value, complex):
        return _dtype.default_complex()
    return _dtype.default_float()


def full(
    size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Every element fill_value (dtype from fill_value: the default float, int64, bool)."""
    _dtype.check_device(device)
    _check.number("full", "fill_value", 2, fill_value)
    value = _operand_num(fill_value)
    d = _dtype.to_np(dtype) if dtype is not None else _fill_dtype(value)
    return make(np.full(_check.new_sizes("full", (size,)), value, d), requires_grad)


def _like(fn: Callable[..., np.ndarray], name: str, kernel: str | None = None) -> Callable[..., Tensor]:
    def like(
        input: TensorBase, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        _dtype.check_device(device)
        _check.tensor(name, "input", 1, input)
        d = _default_dtype(dtype, input.array.dtype)
        if kernel is not None and d.kind not in "fc":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_check.scalar_name(d)}'")
        return make(fn(input.array.shape, d), requires_grad)

    like.__name__ = like.__qualname__ = name
    like.__doc__ = f"torch.{name}: a new tensor of input's shape (and dtype unless dtype is given)."
    return like


zeros_like = _like(np.zeros, "zeros_like")
ones_like = _like(np.ones, "ones_like")
empty_like = _like(np.zeros, "empty_like")
rand_like = _like(lambda s, d: _generator().random(s).astype(d), "rand_like", "check_uniform_bounds")
randn_like = _like(lambda s, d: _generator().standard_normal(s).astype(d), "randn_like", "normal_kernel_cpu")


def full_like(
    input: TensorBase, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """full(input.shape, fill_value) with input's dtype."""
    _check.tensor("full_like", "input", 1, input)
    _check.number("full_like", "fill_value", 2, fill_value)
    return make(
        np.full(input.array.shape, fill_value, _default_dtype(dtype, input.array.dtype)), requires_grad
    )


# -- random --------------------------------------------------------------------------------------
def randn(
    *size: Any,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """N(0, 1) samples from the package generator (torch's random stream is not reproduced)."""
    _dtype.check_device(device)
    shape = size_arg("randn", size, kw)
    return make(_generator().standard_normal(shape).astype(_default_dtype(dtype)), requires_grad)


def rand(
    *size: Any,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """U[0, 1) samples from the package generator."""
    _dtype.check_device(device)
    shape = size_arg("rand", size, kw)
    return make(_generator().random(shape).astype(_default_dtype(dtype)), requires_grad)


def randint(
    low: Any = _MISSING,
    high: Any = _MISSING,
    size: Any = _MISSING,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers in [low, high) (randint(high, size) and keyword forms also accepted)."""
    _dtype.check_device(device)
    if size is _MISSING and high is not _MISSING and low is not _MISSING:
        low, high, size = 0, low, high  # randint(high, size)
    elif high is _MISSING and low is not _MISSING:
        low, high = 0, low  # randint(high, size=...)
    if low is _MISSING:
        low = 0
    if high is _MISSING or size is _MISSING:
        raise TypeError("randint() missing required arguments: 'high' and 'size'")
    low = _check.integer("randint", "low", 1, low)
    high = _check.integer("randint", "high", 2, high)
    shape = _check.new_sizes("randint", (size,))
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return make(
        _generator().integers(low, high, shape).astype(_default_dtype(dtype, np.int64)), requires_grad
    )


def randperm(n: int, *, dtype: Any = None, generator: Any = None, device: Any = None) -> Tensor:
    """A random permutation of 0..n-1."""
    _dtype.check_device(device)
    n = _check.integer("randperm", "n", 1, n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    return make(_generator().permutation(n).astype(_default_dtype(dtype, np.int64)))


# -- ranges --------------------------------------------------------------------------------------
def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """start, start + step, ... < end (int64 for integer arguments, the default float otherwise)."""
    _dtype.check_device(device)
    if end is None:
        start, end = 0, start
    for name, v in zip(("start", "end", "step"), (start, end, step)):
        _check.number("arange", name, 1, v)
    vals = [_operand_num(v) for v in (start, end, step)]
    if any(v != v or v in (float("inf"), float("-inf")) for v in vals):
        raise RuntimeError(f"unsupported range: {vals[0]} -> {vals[1]}")
    if vals[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in vals)
    d = _default_dtype(dtype, None if is_float else np.int64)
    n = builtins.max(0, math.ceil((vals[1] - vals[0]) / vals[2]))
    arr = (
        (vals[0] + np.arange(n, dtype=np.float64) * vals[2])
        if is_float
        else np.arange(vals[0], vals[1], vals[2])
    )
    return make(arr.astype(d), requires_grad)


def _operand_num(v: Any) -> Any:
    return v.item() if isinstance(v, TensorBase) else v


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """steps evenly spaced values from start to end."""
    _dtype.check_device(device)
    _check.number("linspace", "start", 1, start)
    _check.number("linspace", "end", 2, end)
    steps = _check.integer("linspace", "steps", 3, steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = _operand_num(start), _operand_num(end)
    return make(np.linspace(start, end, steps).astype(_default_dtype(dtype)), requires_grad)


def eye(
    n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Identity matrix."""
    _dtype.check_device(device)
    n = _check.integer("eye", "n", 1, n)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None:
        m = _check.integer("eye", "m", 2, m)
        if m < 0:
            raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return make(np.eye(n, m, dtype=_default_dtype(dtype)), requires_grad)
