"""torch's top-level functions: tensor factories, grad-mode switches and the functional ops.

One idea, a little over 500 lines: the `torch.*` namespace, each entry a thin wrapper that parses
torch's arguments and calls a core op. It mirrors the one page of torch's docs a user reads them on.
"""

from __future__ import annotations

import builtins
import functools
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import ops, tape
from .._shapes import broadcast_error, stack_error
from ..random import generator as _generator
from ..random import manual_seed as _core_manual_seed
from ..tape import TensorBase, make_tensor
from . import _check, _dtype
from ._tensor import Tensor


def _make(arr: np.ndarray, requires_grad: bool = False) -> Tensor:
    t = make_tensor(Tensor, arr, None, 0)
    if requires_grad:
        _check.grad_dtype(arr.dtype)
        t.requires_grad = True
    return t


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
    return _make(np.array(_check.data_array(data, _dtype.to_np(dtype))), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Share a numpy array (or tensor) when no conversion is needed, else copy."""
    _dtype.check_device(device)
    d = _dtype.to_np(dtype)
    if isinstance(data, Tensor) and (d is None or data.data.dtype == d):
        return data
    if isinstance(data, np.ndarray) and (d is None or data.dtype == d):
        return _make(data)
    return _make(_check.data_array(getattr(data, "data", data), d))


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
    return _make(np.zeros(_check.new_sizes("zeros", size), _default_dtype(dtype)), requires_grad)


def ones(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, out: Any = None
) -> Tensor:
    """Ones (float32 by default)."""
    _dtype.check_device(device)
    return _make(np.ones(_check.new_sizes("ones", size), _default_dtype(dtype)), requires_grad)


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
    _check.number("full", "fill_value", 2, fill_value)
    return _make(
        np.full(_check.new_sizes("full", (size,)), _operand_num(fill_value), _dtype.to_np(dtype)),
        requires_grad,
    )


def _like(fn: Callable[..., np.ndarray], name: str, kernel: str | None = None) -> Callable[..., Tensor]:
    def like(
        input: TensorBase, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        _dtype.check_device(device)
        _check.tensor(name, "input", 1, input)
        d = _default_dtype(dtype, input.data.dtype)
        if kernel is not None and d.kind not in "fc":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_check.scalar_name(d)}'")
        return _make(fn(input.data.shape, d), requires_grad)

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
    return _make(
        np.full(input.data.shape, fill_value, _default_dtype(dtype, input.data.dtype)), requires_grad
    )


def randn(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, generator: Any = None
) -> Tensor:
    """N(0, 1) samples from the package generator (torch's random stream is not reproduced)."""
    _dtype.check_device(device)
    return _make(
        _generator().standard_normal(_check.new_sizes("randn", size)).astype(_default_dtype(dtype)),
        requires_grad,
    )


def rand(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, generator: Any = None
) -> Tensor:
    """U[0, 1) samples from the package generator."""
    _dtype.check_device(device)
    return _make(
        _generator().random(_check.new_sizes("rand", size)).astype(_default_dtype(dtype)), requires_grad
    )


_MISSING: Any = object()


def randint(
    low: int, high: Any = None, size: Any = _MISSING, *, dtype: Any = None, generator: Any = None
) -> Tensor:
    """Integers in [low, high) (randint(high, size) also accepted)."""
    if size is _MISSING:
        low, high, size = 0, low, high
    low = _check.integer("randint", "low", 1, low)
    high = _check.integer("randint", "high", 2, high)
    shape = _check.new_sizes("randint", (size,))
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _make(_generator().integers(low, high, shape).astype(_default_dtype(dtype, np.int64)))


def randperm(n: int, *, dtype: Any = None, generator: Any = None) -> Tensor:
    """A random permutation of 0..n-1."""
    n = _check.integer("randperm", "n", 1, n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
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
    _check.number("linspace", "start", 1, start)
    _check.number("linspace", "end", 2, end)
    steps = _check.integer("linspace", "steps", 3, steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = _operand_num(start), _operand_num(end)
    return _make(np.linspace(start, end, steps).astype(_default_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Identity matrix."""
    n = _check.integer("eye", "n", 1, n)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None:
        m = _check.integer("eye", "m", 2, m)
        if m < 0:
            raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _make(np.eye(n, m, dtype=_default_dtype(dtype)), requires_grad)


def manual_seed(seed: int) -> None:
    """Reseed the package generator (init, randn, dropout); torch's own stream is not reproduced."""
    seed = int(seed)  # torch's own conversion (and its ValueError / TypeError)
    if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
        raise RuntimeError(f"Overflow when unpacking long long, got {seed}")
    _core_manual_seed(seed % 2**64)


def get_default_dtype() -> _dtype.dtype:
    """torch.float32 (the only default this frontend supports)."""
    return _dtype.float32


def is_tensor(obj: Any) -> bool:
    """True for tensors."""
    return isinstance(obj, TensorBase)


def numel(input: TensorBase) -> int:
    """Number of elements."""
    _check.tensor("numel", "input", 1, input)
    return int(input.data.size)


# -- grad mode -----------------------------------------------------------------------------------
class _GradMode:
    """A grad-mode switch usable as a context manager and as a decorator, like torch's."""

    mode = False

    def __enter__(self) -> None:
        self._prev = tape.set_grad_mode(self.mode)

    def __exit__(self, *exc: Any) -> None:
        tape.set_grad_mode(self._prev)

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
        _check.boolean("set_grad_enabled", "enabled", 1, mode)
        self.mode = bool(mode)
        self._prev = tape.set_grad_mode(self.mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        tape.set_grad_mode(self._prev)


def is_grad_enabled() -> bool:
    """True when ops are being recorded."""
    return tape.is_grad_enabled()


# -- functional ops ------------------------------------------------------------------------------
def cat(tensors: Sequence[TensorBase], dim: int = 0, *, axis: Any = None) -> Tensor:
    """Join along an existing dimension."""
    return ops.concat(
        _tensor_list("cat", tensors), _check.integer("cat", "dim", 2, dim if axis is None else axis)
    )


concat = concatenate = cat


def stack(tensors: Sequence[TensorBase], dim: int = 0) -> Tensor:
    """Join along a new dimension."""
    ts = _tensor_list("stack", tensors)
    dim = _check.integer("stack", "dim", 2, dim)
    err = ts and stack_error([t.data.shape for t in ts])
    if err:
        raise ts[0].op_error(err)
    return ops.stack(ts, dim)


def _tensor_list(fn: str, tensors: Any) -> list[Any]:
    """A tuple / list of Tensors, or torch's TypeError; mixed dtypes are promoted as torch does."""
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not {_check.type_name(tensors)}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    if not tensors:
        if fn == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dt = np.result_type(*[t.data.dtype for t in tensors]) if tensors else None
    return [t if t.data.dtype == dt else t.to(dt) for t in tensors]


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition, else other."""
    _check.tensor("where", "condition", 1, condition)
    _check.tensor_or_number("where", "input", 2, input)
    _check.tensor_or_number("where", "other", 3, other)
    if condition.data.dtype != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_check.scalar_name(condition)}"
        )
    return ops.where(condition, input, other)


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise max."""
    _check.tensor("maximum", "input", 1, input)
    _check.tensor("maximum", "other", 2, other)
    return ops.maximum(input, other)


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise min."""
    _check.tensor("minimum", "input", 1, input)
    _check.tensor("minimum", "other", 2, other)
    return ops.minimum(input, other)


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product (numpy's batching rules)."""
    _check.tensor("matmul", "input", 1, input)
    _check.tensor("matmul", "other", 2, other)
    return input.matmul(other)


def mm(input: Any, mat2: Any) -> Tensor:
    """Product of two matrices (no broadcasting, no vectors)."""
    _check.tensor("mm", "input", 1, input)
    return input.mm(mat2)


def bmm(input: Any, mat2: Any) -> Tensor:
    """Batched product of two 3-D tensors of matrices."""
    _check.tensor("bmm", "input", 1, input)
    _check.tensor("bmm", "mat2", 2, mat2)
    for name, t in (("batch1", input), ("batch2", mat2)):
        if t.data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if input.data.dtype == np.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if input.data.dtype != mat2.data.dtype:
        raise RuntimeError(
            f"expected scalar type {_check.scalar_name(input)} but found {_check.scalar_name(mat2)}"
        )
    b, n, m = input.data.shape
    if mat2.data.shape[:2] != (b, m):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {m}] but got: "
            f"{list(mat2.data.shape[:2])}."
        )
    return ops.matmul(input, mat2)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001
    """input ** exponent."""
    if not isinstance(input, TensorBase):
        _check.tensor("pow", "exponent", 2, exponent)
        return exponent.__rpow__(input)
    return input.pow(exponent)


def isclose(
    input: TensorBase, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> Tensor:
    """Elementwise closeness."""
    _check.tensor("isclose", "input", 1, input)
    _check.tensor("isclose", "other", 2, other)
    _check.same_dtype(input, other, "{a} did not match {b}")
    err = broadcast_error("isclose", input.data.shape, other.data.shape)
    if err is not None:
        raise input.op_error(err)
    o = other.data if isinstance(other, TensorBase) else other
    return _make(np.isclose(input.data, o, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _method(name: str, check: bool = True) -> Callable[..., Any]:
    def fn(input: TensorBase, *args: Any, **kwargs: Any) -> Any:
        if check:  # torch.split / chunk-like Python functions just call the method (AttributeError)
            _check.tensor(name, "input", 1, input)
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
split = _method("split", check=False)
chunk = _method("chunk")
unbind = _method("unbind")
t = _method("t")
dot = _method("dot")
index_select = _method("index_select")
masked_fill = _method("masked_fill")
