"""torch's top-level functions: tensor factories, grad-mode switches and the functional ops."""

from __future__ import annotations

import builtins
import functools
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import ops, tape
from ..random import generator as _generator
from ..random import manual_seed as _core_manual_seed
from ..tape import TensorBase, _wrap
from ..tensor import as_array
from . import _dtype
from ._tensor import Tensor


def _make(arr: np.ndarray, requires_grad: bool = False) -> Tensor:
    t = _wrap(Tensor, arr, None, 0)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _size(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _default_dtype(dtype: Any, fallback: Any = np.float32) -> np.dtype:
    d = _dtype.to_np(dtype)
    return np.dtype(fallback) if d is None else d


# -- factories -----------------------------------------------------------------------------------
def tensor(
    data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """A new leaf holding a copy of data (Python floats become float32, ints int64)."""
    _dtype.check_device(device)
    if isinstance(data, TensorBase):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data.data
    return _make(np.array(as_array(data, _dtype.to_np(dtype))), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Share a numpy array (or tensor) when no conversion is needed, else copy."""
    _dtype.check_device(device)
    d = _dtype.to_np(dtype)
    if isinstance(data, Tensor) and (d is None or data.data.dtype == d):
        return data
    if isinstance(data, np.ndarray) and (d is None or data.dtype == d):
        return _make(data)
    return _make(as_array(getattr(data, "data", data), d))


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing the array's memory."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return _make(ndarray)


def zeros(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, out: Any = None
) -> Tensor:
    """Zeros (float32 by default)."""
    _dtype.check_device(device)
    return _make(np.zeros(_size(size), _default_dtype(dtype)), requires_grad)


def ones(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, out: Any = None
) -> Tensor:
    """Ones (float32 by default)."""
    _dtype.check_device(device)
    return _make(np.ones(_size(size), _default_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros here (torch leaves the memory uninitialised)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(
    size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Every element fill_value (float32 for a Python float, int64 for an int, bool for a bool)."""
    _dtype.check_device(device)
    if dtype is None:
        dtype = (
            np.bool_
            if isinstance(fill_value, bool)
            else np.int64
            if isinstance(fill_value, int)
            else np.float32
        )
    return _make(np.full(_size((size,)), fill_value, _dtype.to_np(dtype)), requires_grad)


def _like(fn: Callable[..., np.ndarray]) -> Callable[..., Tensor]:
    def like(
        input: TensorBase, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        _dtype.check_device(device)
        return _make(fn(input.data.shape, _default_dtype(dtype, input.data.dtype)), requires_grad)

    return like


zeros_like = _like(np.zeros)
ones_like = _like(np.ones)
empty_like = _like(np.zeros)
rand_like = _like(lambda s, d: _generator().random(s).astype(d))
randn_like = _like(lambda s, d: _generator().standard_normal(s).astype(d))


def full_like(
    input: TensorBase, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """full(input.shape, fill_value) with input's dtype."""
    return _make(
        np.full(input.data.shape, fill_value, _default_dtype(dtype, input.data.dtype)), requires_grad
    )


def randn(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, generator: Any = None
) -> Tensor:
    """N(0, 1) samples from the package generator (torch's random stream is not reproduced)."""
    _dtype.check_device(device)
    return _make(_generator().standard_normal(_size(size)).astype(_default_dtype(dtype)), requires_grad)


def rand(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, generator: Any = None
) -> Tensor:
    """U[0, 1) samples from the package generator."""
    _dtype.check_device(device)
    return _make(_generator().random(_size(size)).astype(_default_dtype(dtype)), requires_grad)


def randint(
    low: int, high: Any = None, size: Any = None, *, dtype: Any = None, generator: Any = None
) -> Tensor:
    """Integers in [low, high) (randint(high, size) also accepted)."""
    if size is None:
        low, high, size = 0, low, high
    return _make(_generator().integers(low, high, _size((size,))).astype(_default_dtype(dtype, np.int64)))


def randperm(n: int, *, dtype: Any = None, generator: Any = None) -> Tensor:
    """A random permutation of 0..n-1."""
    return _make(_generator().permutation(n).astype(_default_dtype(dtype, np.int64)))


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """start, start + step, ... < end (int64 for integer arguments, float32 otherwise)."""
    _dtype.check_device(device)
    if end is None:
        start, end = 0, start
    vals = [_operand_num(v) for v in (start, end, step)]
    is_float = any(isinstance(v, float) for v in vals)
    d = _default_dtype(dtype, np.float32 if is_float else np.int64)
    n = builtins.max(0, math.ceil((vals[1] - vals[0]) / vals[2]))
    arr = (
        (vals[0] + np.arange(n, dtype=np.float64) * vals[2])
        if is_float
        else np.arange(vals[0], vals[1], vals[2])
    )
    return _make(arr.astype(d), requires_grad)


def _operand_num(v: Any) -> Any:
    return v.item() if isinstance(v, TensorBase) else v


def linspace(
    start: float, end: float, steps: int, *, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """steps evenly spaced values from start to end."""
    return _make(np.linspace(start, end, steps).astype(_default_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Identity matrix."""
    return _make(np.eye(n, m, dtype=_default_dtype(dtype)), requires_grad)


def manual_seed(seed: int) -> None:
    """Reseed the package generator (init, randn, dropout); torch's own stream is not reproduced."""
    _core_manual_seed(int(seed))


def get_default_dtype() -> _dtype.dtype:
    """torch.float32 (the only default this frontend supports)."""
    return _dtype.float32


def is_tensor(obj: Any) -> bool:
    """True for tensors."""
    return isinstance(obj, TensorBase)


def numel(input: TensorBase) -> int:
    """Number of elements."""
    return int(input.data.size)


# -- grad mode -----------------------------------------------------------------------------------
class _GradMode:
    """A grad-mode switch usable as a context manager and as a decorator, like torch's."""

    mode = False

    def __enter__(self) -> None:
        self._prev = tape._Mode.grad_enabled
        tape._Mode.grad_enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        tape._Mode.grad_enabled = self._prev

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapped


class no_grad(_GradMode):  # noqa: N801
    """Context manager / decorator under which no op is recorded."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Context manager / decorator that turns recording back on."""

    mode = True


class inference_mode(_GradMode):  # noqa: N801
    """Like no_grad (this frontend has no separate inference tensors)."""

    def __init__(self, mode: bool = True):
        self.mode = not mode

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        mode = self.mode

        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(not mode):
                return fn(*args, **kwargs)

        return wrapped


class set_grad_enabled(_GradMode):  # noqa: N801
    """Sets the grad mode at once (also as a plain call); restores the previous one on exit."""

    def __init__(self, mode: bool):
        self._prev = tape._Mode.grad_enabled
        self.mode = bool(mode)
        tape._Mode.grad_enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        tape._Mode.grad_enabled = self._prev


def is_grad_enabled() -> bool:
    """True when ops are being recorded."""
    return tape.is_grad_enabled()


# -- functional ops ------------------------------------------------------------------------------
def cat(tensors: Sequence[TensorBase], dim: int = 0, *, axis: Any = None) -> Tensor:
    """Join along an existing dimension."""
    return ops.concat(list(tensors), dim if axis is None else axis)


concat = concatenate = cat


def stack(tensors: Sequence[TensorBase], dim: int = 0) -> Tensor:
    """Join along a new dimension."""
    return ops.stack(list(tensors), dim)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition, else other."""
    return ops.where(condition, input, other)


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise max."""
    return ops.maximum(input, other)


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise min."""
    return ops.minimum(input, other)


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product (numpy's batching rules)."""
    return ops.matmul(input, other)


mm = bmm = matmul


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001
    """input ** exponent."""
    return ops.pow_(input, exponent)


def isclose(
    input: TensorBase, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> Tensor:
    """Elementwise closeness."""
    o = other.data if isinstance(other, TensorBase) else other
    return _make(np.isclose(input.data, o, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _method(name: str) -> Callable[..., Any]:
    def fn(input: TensorBase, *args: Any, **kwargs: Any) -> Any:
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...) == input.{name}(...)"
    return fn


# torch.<name>(input, ...) is input.<name>(...) for these
tanh = _method("tanh")
relu = _method("relu")
sigmoid = _method("sigmoid")
exp = _method("exp")
log = _method("log")
sqrt = _method("sqrt")
abs = _method("abs")
neg = _method("neg")
square = _method("square")
sum = _method("sum")
mean = _method("mean")
max = _method("max")
min = _method("min")
amax = _method("amax")
amin = _method("amin")
argmax = _method("argmax")
argmin = _method("argmin")
sort = _method("sort")
transpose = _method("transpose")
permute = _method("permute")
reshape = _method("reshape")
flatten = _method("flatten")
squeeze = _method("squeeze")
unsqueeze = _method("unsqueeze")
clamp = _method("clamp")
clip = _method("clip")
softmax = _method("softmax")
log_softmax = _method("log_softmax")
allclose = _method("allclose")
equal = _method("equal")
split = _method("split")
chunk = _method("chunk")
unbind = _method("unbind")
t = _method("t")
dot = _method("dot")
index_select = _method("index_select")
masked_fill = _method("masked_fill")
