"""Elementwise unary ops: y = f(a), one output element per input element, so no broadcasting.

Most are "math" ops (`UnaryMath`): the forward is one numpy kernel, and registering the class is
all it takes for the core Tensor to get a method (x.tanh()) and both F namespaces an entry
(F.tanh). Clip and Cast take extra arguments; SigmoidBackward and ReluBackward are the gradients
of sigmoid and relu as nodes of their own, so that their double backward matches torch's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from ..tape import Node, make_tensor
from .base import OBJECT, ArrayNamespace, Value, nd, np_zero_where

# ---------------------------------------------------------------------------------------------
# numpy kernels
# ---------------------------------------------------------------------------------------------
# Elementwise math on object arrays (e.g. sympy expressions) is looked up here; the core knows
# no symbolic library, tinygrad_rnn.symbolic registers sympy's functions.
OBJECT_MATH: dict[str, Callable[[Any], Any]] = {}


def elementwise_kernel(name: str, fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[Any], Any]:
    """`fn` on numeric arrays; on object arrays, OBJECT_MATH[name] applied to every element."""

    def f(a: Any) -> Any:
        if getattr(a, "dtype", None) is OBJECT:  # `is`: a dtype == comparison costs ~0.25 us
            impl = OBJECT_MATH.get(name)
            if impl is None:
                raise TypeError(
                    f"{name} on object arrays needs a registered implementation "
                    "(import tinygrad_rnn.symbolic to use sympy)"
                )
            return np.asarray(np.frompyfunc(impl, 1, 1)(a), dtype=object)
        return fn(a)

    f.__name__ = name
    return f


_EXP_SAFE = {np.dtype(np.float16): -11.0, np.dtype(np.float32): -88.0, np.dtype(np.float64): -709.0}


def _np_sigmoid(a: np.ndarray) -> np.ndarray:
    one = a.dtype.type(1)  # not the Python 1: numpy would promote a 0-d float32 to float64
    if a.size and a.min() < _EXP_SAFE.get(a.dtype, -11.0):
        # exp(-x) overflows to inf for x << 0 and 1/(1+inf) = 0 is the right answer: only then
        # silence the warning (an errstate per call would cost more than the sigmoid itself)
        with np.errstate(over="ignore"):
            return one / (one + np.exp(-a))
    return one / (one + np.exp(-a))


np_exp = elementwise_kernel("exp", np.exp)
np_log = elementwise_kernel("log", np.log)
np_tanh = elementwise_kernel("tanh", np.tanh)
np_sigmoid = elementwise_kernel("sigmoid", _np_sigmoid)
np_relu = elementwise_kernel("relu", lambda a: np.maximum(a, np.zeros((), a.dtype)))
np_relu_mask = elementwise_kernel("relu_mask", lambda a: (a > 0).astype(a.dtype))
np_sqrt = elementwise_kernel("sqrt", np.sqrt)
np_abs = elementwise_kernel("abs", np.abs)  # |-0.0| is +0.0 (max(a, -a) or a * sign(a) keep -0.0)


def _np_sign(a: np.ndarray) -> np.ndarray:
    s = np.sign(a)
    return np.where(s != s, s.dtype.type(0), s) if s.dtype.kind in "fc" else s  # 0 at NaN, as torch's sgn


np_sign = elementwise_kernel("sign", _np_sign)


def np_sigmoid_backward(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g * (1 - y) * y in torch's order, so an inf * 0 lands where torch's does."""
    return nd(g * (y.dtype.type(1) - y) * y)


def np_relu_backward(g: np.ndarray, a: np.ndarray) -> np.ndarray:
    """g where a > 0, else 0: a select, not g * mask (inf * 0 = NaN); NaN inputs let g through."""
    return np_zero_where(a <= 0, g)


# ---------------------------------------------------------------------------------------------
# Math ops: forward = one kernel
# ---------------------------------------------------------------------------------------------
UNARY_MATH: dict[str, type[UnaryMath]] = {}  # kernel name -> op class, filled as classes are defined


class UnaryMath(Node):
    """Base of the ops y = kernel(a): the forward is the class's numpy `kernel`.

    Each subclass is registered in UNARY_MATH under its kernel's name; from there the core Tensor
    gets the method (x.tanh() is ops.tanh(x), the function of the same name) and NUMPY_F / TENSOR_F
    get F.tanh (the kernel / the recorded op).
    """

    kernel: ClassVar[Callable[[np.ndarray], np.ndarray]]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "kernel" in cls.__dict__:
            UNARY_MATH[cls.kernel.__name__] = cls
            kernel = cls.kernel

            def forward(self: UnaryMath, a: np.ndarray) -> np.ndarray:
                return kernel(a)  # a closure: the hot path does not look `kernel` up per call

            cls.forward = forward  # type: ignore[method-assign]

    def forward(self, a: np.ndarray) -> np.ndarray:
        return self.kernel(a)


class Neg(Node):
    """y = -a;  da = -g"""

    name = "NegBackward0"

    def forward(self, a: np.ndarray) -> np.ndarray:
        return -a

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        return -g


def neg(a: Any) -> Any:
    """-a."""
    return Neg.apply(a)


class Exp(UnaryMath):
    """y = e^a;  da = g * y"""

    name = "ExpBackward0"
    kernel = staticmethod(np_exp)
    keep_output = True

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        return g * self.output(F)


def exp(a: Any) -> Any:
    """e ** a."""
    return Exp.apply(a)


class Log(UnaryMath):
    """y = log(a);  da = g / a"""

    name = "LogBackward0"
    kernel = staticmethod(np_log)
    keep_inputs = True

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        (a,) = self.args(F)
        return g / a


def log(a: Any) -> Any:
    """Natural logarithm."""
    return Log.apply(a)


class Tanh(UnaryMath):
    """y = tanh(a);  da = g * (1 - y^2)"""

    name = "TanhBackward0"
    kernel = staticmethod(np_tanh)
    keep_output = True

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        y = self.output(F)
        return g * (1 - y * y)


def tanh(a: Any) -> Any:
    """Hyperbolic tangent."""
    return Tanh.apply(a)


class Sigmoid(UnaryMath):
    """y = 1 / (1 + e^-a);  da = g * (1 - y) * y  (one SigmoidBackward node under create_graph)"""

    name = "SigmoidBackward0"
    kernel = staticmethod(np_sigmoid)
    keep_output = True

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        return F.sigmoid_backward(g, self.output(F))


def sigmoid(a: Any) -> Any:
    """1 / (1 + e ** -a)."""
    return Sigmoid.apply(a)


class SigmoidBackward(Node):
    """y = g * (1 - s) * s;  dg = gg * (1 - s) * s,  ds = gg * g * (1 - 2s)

    sigmoid's gradient as one node (torch's sigmoid_backward), so its own backward is torch's too.
    """

    name = "SigmoidBackwardBackward0"
    keep_inputs = True

    def forward(self, g: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np_sigmoid_backward(g, y)

    def backward(self, F: ArrayNamespace, gg: Value) -> tuple[Value | None, Value | None]:
        g, y = self.args(F)
        # one term, gg * g * (1 - 2y): the product rule's two terms would give inf - inf = NaN
        # where torch's formula gives +-inf
        dg = F.sigmoid_backward(gg, y) if self.needs(0) else None
        c = F.data(y).dtype.type  # typed constants: a 0-d float32 times a Python int is float64
        dy = gg * g * (y * c(-2) + c(1)) if self.needs(1) else None
        return dg, dy


class Relu(UnaryMath):
    """y = max(a, 0);  da = g where a > 0 (or a is NaN), else 0  (gradient 0 at 0, as torch)"""

    name = "ReluBackward0"
    kernel = staticmethod(np_relu)
    keep_inputs = True

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        (a,) = self.args(F)
        ad = F.data(a)
        if ad.dtype is OBJECT:  # sympy: the symbolic step Heaviside(a, 0) (no inf to guard)
            return g * F.const(np_relu_mask(ad), g)
        return F.relu_backward(g, a)


def relu(a: Any) -> Any:
    """max(a, 0) (gradient 0 at 0, as torch)."""
    return Relu.apply(a)


class ReluBackward(Node):
    """y = g where a > 0 (or a is NaN), else 0;  dg = gg where a > 0, else 0,  da = 0

    relu's gradient as one node (torch's threshold_backward).
    """

    name = "ThresholdBackwardBackward0"
    keep_inputs = True

    def forward(self, g: np.ndarray, a: np.ndarray) -> np.ndarray:
        return np_relu_backward(g, a)

    def backward(self, F: ArrayNamespace, gg: Value) -> tuple[Value | None, Value | None]:
        g, a = self.args(F)
        dg = F.relu_backward(gg, a) if self.needs(0) else None
        # torch sends explicit zeros to a (not nothing): further down they turn inf * 0 into NaN
        # exactly where torch's do
        da = F.zeros(self.shapes[1], gg) if self.needs(1) else None
        return dg, da


class Sqrt(UnaryMath):
    """y = sqrt(a);  da = g / (2y)"""

    name = "SqrtBackward0"
    kernel = staticmethod(np_sqrt)
    keep_output = True  # torch's formula uses the result: g / (2 * sqrt(a))

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        with np.errstate(divide="ignore", invalid="ignore"):  # at a = 0: inf (or NaN for g = 0), as torch
            return g / (2 * self.output(F))


def sqrt(a: Any) -> Any:
    """Square root (NaN below 0; the gradient at 0 is inf)."""
    return Sqrt.apply(a)


class Abs(UnaryMath):
    """y = |a|;  da = g * sign(a)  (0 at a = 0 and at NaN, as torch's and MindSpore's gradients)"""

    name = "AbsBackward0"
    kernel = staticmethod(np_abs)
    keep_inputs = True

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        (a,) = self.args(F)
        return g * F.const(np_sign(F.data(a)), g)  # sign is a constant: its own derivative is 0


def abs(a: Any) -> Any:  # noqa: A001 (the op's name, as torch.abs; builtins.abs is not used here)
    """Absolute value (|-0.0| = +0.0; the gradient is 0 at 0)."""
    return Abs.apply(a)


class Clip(Node):
    """y = min(max(a, lo), hi);  da = g where lo <= a <= hi, else 0"""

    name = "ClampBackward1"
    keep_inputs = True

    def forward(self, a: np.ndarray, lo: Any = None, hi: Any = None) -> np.ndarray:
        out = np.clip(a, lo, hi)
        return out.astype(a.dtype) if a.dtype.kind == "f" else out  # 0-d float32 stays float32

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        (a,) = self.args(F)
        ad = F.data(a)
        m = np.ones(ad.shape, dtype=bool)
        if self.kw.get("lo") is not None:
            m &= ad >= self.kw["lo"]
        if self.kw.get("hi") is not None:
            m &= ad <= self.kw["hi"]
        return F.select(m, g)  # not g * m: an infinite g outside [lo, hi] must give 0, as torch


def clip(a: Any, lo: float | None = None, hi: float | None = None) -> Any:
    """Clamp into [lo, hi] (gradient passes where lo <= a <= hi)."""
    return Clip.apply(a, lo=lo, hi=hi)


class Cast(Node):
    """y = a converted to dtype;  da = g converted back to a's dtype"""

    name = "ToCopyBackward0"

    def forward(self, a: np.ndarray, dtype: Any = None) -> np.ndarray:
        self.kw["src"] = a.dtype
        return a.astype(dtype)

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        return F.cast(g, self.kw["src"])


def cast(a: Any, dtype: Any) -> Any:
    """Convert to another dtype (the gradient is converted back)."""
    dtype = np.dtype(dtype)
    if a.array.dtype == dtype:
        return a
    if dtype.kind not in "fc" and a.array.dtype != object:
        # rounding to integers or bools has no gradient: the result is a constant, as in torch
        return make_tensor(a.result_type, a.array.astype(dtype))
    return Cast.apply(a, dtype=dtype)
