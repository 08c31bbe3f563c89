"""mindspore.common.initializer: ``initializer(init, shape, dtype)`` and the Initializer classes.

Each random initializer takes one seed from numpy's global generator and draws with MindSpore's Philox
stream (common.philox), so after ``set_seed(s)`` the values equal real MindSpore's, and the numpy state
is left where MindSpore leaves it (the RNN weights drawn afterwards match too). TruncatedNormal takes
its seed the same way but samples with numpy (right distribution, not MindSpore's numbers).

``initializer()`` returns a lazy Tensor, as MindSpore does: the values (and the seed from numpy) are drawn
on first use, so an initializer whose values are never used leaves numpy's state alone in both. Two
deviations: MindSpore refuses ops on a Tensor not yet drawn (ours draws it), and prints a drawn one in
numpy's layout (ours in its usual one).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from . import dtype as mstype
from . import philox
from .tensor import Tensor

_ALIASES: dict[str, type] = {}


def _register(*aliases: str) -> Any:
    """Make a class reachable by its lower-case name and by `aliases` (initializer('normal', ...))."""

    def add(cls: type) -> type:
        for name in (cls.__name__.lower(), *aliases):
            _ALIASES.setdefault(name, cls)
        return cls

    return add


class Initializer:
    """Base class: ``init(arr)`` fills the numpy array `arr` in place."""

    def __init__(self, **kwargs: Any):
        self._kwargs = kwargs
        self._seed = None

    def _initialize(self, arr: np.ndarray) -> None:
        raise NotImplementedError("Must be overridden!")

    def __call__(self, arr: np.ndarray) -> None:
        self._initialize(arr)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out): columns and rows, times the receptive field for more than 2 axes."""
    if len(shape) < 2:
        raise ValueError(
            "'fan_in' and 'fan_out' can not be computed for tensor with fewer than 2 dimensions, but got "
            f"dimensions {len(shape)}."
        )
    field = int(np.prod(shape[2:], dtype=np.int64)) if len(shape) > 2 else 1
    return shape[1] * field, shape[0] * field


def _fan(shape: tuple[int, ...], mode: str) -> int:
    if not isinstance(mode, str):  # MindSpore calls mode.lower(): its AttributeError, word for word
        raise AttributeError(f"'{type(mode).__name__}' object has no attribute 'lower'")
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"'mode' {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _fans(shape)
    return fan_in if mode == "fan_in" else fan_out


def _gain(nonlinearity: str, slope: Any) -> float:
    """The recommended gain of a nonlinearity (leaky_relu: sqrt(2 / (1 + slope^2)))."""
    if not isinstance(nonlinearity, str):
        raise ValueError(
            "For 'HeUniform', the argument 'nonlinearity' should be one of ['sigmoid', 'tanh', 'relu' or "
            f"'leaky_relu'], but got {nonlinearity}."
        )
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid") or nonlinearity.startswith(
        "conv_transpose"
    ):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity != "leaky_relu":
        raise ValueError(
            "For 'HeUniform', the argument 'nonlinearity' should be one of ['sigmoid', 'tanh', 'relu' or "
            f"'leaky_relu'], but got {nonlinearity}."
        )
    if slope is None:
        slope = 0.01
    elif isinstance(slope, bool) or not isinstance(slope, (int, float)):
        raise ValueError(f"For 'HeUniform', 'negative_slope' {slope} is not a valid number.")
    return math.sqrt(2.0 / (1 + slope**2))


# MindSpore computes with the arguments as given: a non-number fails in Python's arithmetic, and these
# are those errors, word for word
def _operand(v: Any, op: str) -> None:
    """TypeError as Python's for `v` in `v op float` (op '*'), `-v` (op '-') or `v < 0` (op '<')."""
    if isinstance(v, numbers.Real):
        return
    name = type(v).__name__
    if op == "-":
        raise TypeError(f"bad operand type for unary -: '{name}'")
    if op == "<":
        raise TypeError(f"'<' not supported between instances of '{name}' and 'int'")
    if isinstance(v, (str, list, tuple)):
        raise TypeError("can't multiply sequence by non-int of type 'float'")
    raise TypeError(f"unsupported operand type(s) for *: '{name}' and 'float'")


def _fill_uniform(arr: np.ndarray, bound: float) -> None:
    arr[...] = philox.uniform(arr.shape, -bound, bound, philox.numpy_seed())


def _fill_normal(arr: np.ndarray, mean: float, sigma: float) -> None:
    _operand(sigma, "<")
    if sigma < 0:
        raise ValueError("sigma < 0")
    arr[...] = philox.normal(arr.shape, mean, sigma, philox.numpy_seed())


@_register("zeros")
class Zero(Initializer):
    """All zeros."""

    def _initialize(self, arr: np.ndarray) -> None:
        arr.fill(0)


@_register("ones")
class One(Initializer):
    """All ones."""

    def _initialize(self, arr: np.ndarray) -> None:
        arr.fill(1)


class Constant(Initializer):
    """All `value`."""

    def __init__(self, value: Any):
        super().__init__(value=value)
        self.value = value

    def _initialize(self, arr: np.ndarray) -> None:
        if isinstance(self.value, str) and arr.dtype.kind == "f":  # numpy's fill: float(value)
            try:
                float(self.value)
            except ValueError:
                raise ValueError(f"could not convert string to float: {self.value!r}") from None
        arr.fill(self.value)


@_register()
class Uniform(Initializer):
    """U(-scale, scale)."""

    def __init__(self, scale: float = 0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _initialize(self, arr: np.ndarray) -> None:
        _operand(self.scale, "-")
        _fill_uniform(arr, self.scale)


@_register()
class Normal(Initializer):
    """N(mean, sigma^2)."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0):
        super().__init__(sigma=sigma, mean=mean)
        self.sigma, self.mean = sigma, mean

    def _initialize(self, arr: np.ndarray) -> None:
        _fill_normal(arr, self.mean, self.sigma)


@_register("xavier_uniform")
class XavierUniform(Initializer):
    """U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, gain: float = 1):
        super().__init__(gain=gain)
        self.gain = gain

    def _initialize(self, arr: np.ndarray) -> None:
        fan_in, fan_out = _fans(arr.shape)
        _operand(self.gain, "*")
        _fill_uniform(arr, self.gain * math.sqrt(6.0 / (fan_in + fan_out)))


@_register("xavier_normal")
class XavierNormal(Initializer):
    """N(0, s^2) with s = gain * sqrt(2 / (fan_in + fan_out))."""

    def __init__(self, gain: float = 1):
        super().__init__(gain=gain)
        self.gain = gain

    def _initialize(self, arr: np.ndarray) -> None:
        fan_in, fan_out = _fans(arr.shape)
        _operand(self.gain, "*")
        _fill_normal(arr, 0, self.gain * math.sqrt(2.0 / float(fan_in + fan_out)))


@_register("he_uniform")
class HeUniform(Initializer):
    """U(-b, b) with b = sqrt(3) * gain / sqrt(fan) (Kaiming uniform)."""

    def __init__(self, negative_slope: Any = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
        super().__init__(negative_slope=negative_slope, mode=mode, nonlinearity=nonlinearity)
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity

    def _initialize(self, arr: np.ndarray) -> None:
        std = _gain(self.nonlinearity, self.negative_slope) / math.sqrt(_fan(arr.shape, self.mode))
        _fill_uniform(arr, math.sqrt(3.0) * std)


@_register("he_normal")
class HeNormal(HeUniform):
    """N(0, s^2) with s = gain / sqrt(fan) (Kaiming normal)."""

    def _initialize(self, arr: np.ndarray) -> None:
        std = _gain(self.nonlinearity, self.negative_slope) / math.sqrt(_fan(arr.shape, self.mode))
        _fill_normal(arr, 0, std)


@_register()
class TruncatedNormal(Initializer):
    """N(mean, sigma^2) restricted to [a, b] (numpy draws: MindSpore's distribution, not its numbers)."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0, a: float = -2.0, b: float = 2.0):
        super().__init__(sigma=sigma, mean=mean, a=a, b=b)
        self.sigma, self.mean, self.a, self.b = sigma, mean, a, b

    def _initialize(self, arr: np.ndarray) -> None:
        _operand(self.sigma, "<")
        if self.sigma < 0:
            raise ValueError("sigma < 0")
        gen = np.random.default_rng(philox.numpy_seed())
        out = np.empty(arr.size)
        todo = np.arange(arr.size)
        while todo.size:  # rejection: redraw what fell outside [a, b]
            draw = gen.normal(self.mean, self.sigma, todo.size)
            ok = (draw >= self.a) & (draw <= self.b)
            out[todo[ok]] = draw[ok]
            todo = todo[~ok]
        arr[...] = out.astype(np.float32).reshape(arr.shape)


def _shape(shape: Any) -> tuple[int, ...] | None:
    if shape is None:
        return None
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    for v in shape:
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ValueError(
                "For 'initializer', the argument 'shape' is invalid, the value of 'shape' must be positive "
                f"integer, but got {shape}"
            )
    return shape


def initializer(init: Any, shape: Any = None, dtype: Any = mstype.float32) -> Tensor:
    """A Tensor of `shape` and `dtype` filled by `init`: an Initializer, its name ('normal', 'zeros',
    'xavier_uniform', ...), a number (Constant) or a Tensor (returned as is, its shape checked)."""
    if not isinstance(init, (Tensor, numbers.Number, str, Initializer)):  # a bool is a number: Constant
        raise TypeError(
            "For 'initializer', the type of the 'init' argument should be 'Tensor', 'number', 'string' or "
            f"'initializer', but got {type(init)}."
        )
    if isinstance(init, Tensor):
        if shape is not None and tuple(init.shape) != tuple(
            shape if isinstance(shape, (tuple, list)) else [shape]
        ):
            raise ValueError(
                "For 'initializer', the shape of the 'init' argument should be same as the argument 'shape', but "
                f"got the 'init' shape {list(init.shape)} and the 'shape' {shape}."
            )
        return init
    shape = _shape(shape)
    if isinstance(init, str):
        cls = _ALIASES.get(init.lower())
        if cls is None:
            raise ValueError(f"For 'initializer', the class corresponding to '{init}' was not found.")
        init = cls()
    elif isinstance(init, numbers.Number):
        init = Constant(init)
    if shape is None:
        raise AttributeError(f"'{type(init).__name__}' object has no attribute 'shape'")
    return LazyTensor.of(init, shape, mstype.to_np(dtype))


class LazyTensor(Tensor):
    """What ``initializer()`` returns: a Tensor whose values are drawn on first use, as MindSpore's are
    (``init_data()``, ``asnumpy()``, a Parameter made of it, any op). Shape and dtype are known before;
    printing before the draw shows ``<uninitialized>``. Ops on it give plain Tensors."""

    __slots__ = ("_values", "init", "_lazy_shape", "_lazy_dtype")
    result_type = Tensor

    @classmethod
    def of(cls, init: Initializer, shape: tuple[int, ...], dtype: np.dtype) -> LazyTensor:
        """An undrawn tensor of `shape` and `dtype` that `init` will fill."""
        t = cls.__new__(cls)
        t._set(None)
        t.init, t._lazy_shape, t._lazy_dtype = init, shape, np.dtype(dtype)
        return t

    @property  # type: ignore[override]
    def array(self) -> np.ndarray:
        """The storage (drawn now if not yet); ``.array`` and the tape read it."""
        if self._values is None:
            arr = np.zeros(self._lazy_shape, np.float32)  # MindSpore draws float32 and casts
            self.init(arr)
            self._values = arr.astype(self._lazy_dtype)
        return self._values

    @array.setter
    def array(self, values: np.ndarray) -> None:
        self._values = values

    def init_data(self, slice_index: Any = None, shape: Any = None, opt_shard_group: Any = None) -> Tensor:
        """Draw the values now; returns self."""
        _ = self.array
        return self

    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        """The shape (without drawing)."""
        return tuple(self._lazy_shape)

    @property
    def ndim(self) -> int:  # type: ignore[override]
        """Number of axes (without drawing)."""
        return len(self._lazy_shape)

    @property
    def size(self) -> int:  # type: ignore[override]
        """Number of elements (without drawing)."""
        return int(np.prod(self._lazy_shape, dtype=np.int64))

    @property
    def dtype(self) -> mstype.Type:  # type: ignore[override]
        """The MindSpore dtype (without drawing)."""
        return mstype.from_np(self._lazy_dtype)

    def __repr__(self) -> str:
        if self._values is not None:
            return super().__repr__()
        sep = "\n" if len(self._lazy_shape) > 1 else ""
        return f"Tensor(shape={list(self._lazy_shape)}, dtype={self.dtype}, value={sep}<uninitialized>)"

    __str__ = __repr__


__all__ = [
    "Constant",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "Normal",
    "One",
    "TruncatedNormal",
    "Uniform",
    "XavierNormal",
    "XavierUniform",
    "Zero",
    "initializer",
]
