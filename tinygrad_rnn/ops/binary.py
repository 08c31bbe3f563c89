"""Elementwise binary ops: y = f(a, b) with numpy broadcasting.

Broadcasting copies an operand along some axes in the forward, so in the backward the gradient
of that operand is summed back over those axes: `unbroadcast(F, g, shape)` does it in every rule.
The public functions accept a number or an array for one operand (`add(x, 1.0)`), which takes
the Tensor operand's dtype (base.binary).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._shapes import unbroadcast
from ..tape import Node, TensorBase
from .base import OBJECT, ArrayNamespace, Value, binary, check_broadcast, const_array

Grads = tuple[Value | None, Value | None]  # one gradient per operand (None: it needs none)


class Add(Node):
    """y = a + b;  da = g,  db = g"""

    name = "AddBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return a + b
        except ValueError:
            check_broadcast("add", a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        sa, sb = self.shapes
        ga = unbroadcast(F, g, sa) if self.next[0] is not None else None
        return ga, unbroadcast(F, g, sb) if self.next[1] is not None else None


def add(a: Any, b: Any) -> Any:
    """a + b with broadcasting."""
    return binary(Add, a, b)


class Sub(Node):
    """y = a - b;  da = g,  db = -g"""

    name = "SubBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return a - b
        except ValueError:
            check_broadcast("sub", a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        sa, sb = self.shapes
        ga = unbroadcast(F, g, sa) if self.next[0] is not None else None
        return ga, unbroadcast(F, -g, sb) if self.next[1] is not None else None


def sub(a: Any, b: Any) -> Any:
    """a - b with broadcasting."""
    return binary(Sub, a, b)


class Mul(Node):
    """y = a * b;  da = g * b,  db = g * a"""

    name = "MulBackward0"
    keep_inputs = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return a * b
        except ValueError:
            check_broadcast("mul", a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        a, b = self.args(F)
        sa, sb = self.shapes
        ga = unbroadcast(F, g * b, sa) if self.needs(0) else None
        gb = unbroadcast(F, g * a, sb) if self.needs(1) else None
        return ga, gb


def mul(a: Any, b: Any) -> Any:
    """a * b with broadcasting."""
    return binary(Mul, a, b)


class Div(Node):
    """y = a / b;  da = g / b,  db = -g * (a / b) / b"""

    name = "DivBackward0"
    keep_inputs = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return a / b
        except ValueError:
            check_broadcast("div", a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        a, b = self.args(F)
        sa, sb = self.shapes
        ga = unbroadcast(F, g / b, sa) if self.needs(0) else None
        # torch's formula and order, so overflow and NaN positions agree: -g * ((a / b) / b)
        gb = unbroadcast(F, -g * ((a / b) / b), sb) if self.needs(1) else None
        return ga, gb


def div(a: Any, b: Any) -> Any:
    """a / b with broadcasting."""
    return binary(Div, a, b)


def np_remainder(a: Any, b: Any) -> Any:
    """a mod b with b's sign, computed as torch does: fmod, then + b where the signs differ (so
    -0.0 % 3.0 is -0.0 as in torch, where numpy's np.mod gives +0.0)."""
    if getattr(a, "dtype", None) is OBJECT or getattr(b, "dtype", None) is OBJECT:
        return np.mod(a, b)  # sympy: Python's %, Mod(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.fmod(a, b)
        fix = (m != 0) & ((m < 0) != (b < 0))
    return np.where(fix, m + b, m) if np.any(fix) else m


def np_floor_divide(a: Any, b: Any) -> Any:
    """floor(a / b) (inf or NaN where b = 0, as torch's floor division, without numpy's warning)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor_divide(a, b)


class FloorDivide(Node):
    """y = floor(a / b);  da = 0,  db = 0  (zeros, not nothing, as torch's DivBackward2: they meet
    whatever inf or NaN lies further back exactly as torch's do)"""

    name = "DivBackward2"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np_floor_divide(a, b)

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        sa, sb = self.shapes
        return (F.zeros(sa, g) if self.needs(0) else None, F.zeros(sb, g) if self.needs(1) else None)


class Remainder(Node):
    """y = a mod b (the sign of b, as Python's %);  da = g,  db = -g * floor(a / b)

    RemainderBackward0 when b is a number, RemainderTensor (RemainderBackward1) when it is a Tensor,
    as torch names the two.
    """

    name = "RemainderBackward0"
    keep_inputs = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return np_remainder(a, b)
        except ValueError:
            check_broadcast("remainder", a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        a, b = self.args(F)
        sa, sb = self.shapes
        ga = unbroadcast(F, g, sa) if self.needs(0) else None
        gb = unbroadcast(F, -g * F.floor_divide(a, b), sb) if self.needs(1) else None
        return ga, gb


class RemainderTensor(Remainder):
    """y = a mod b;  da = g,  db = -g * floor(a / b)  (b a Tensor: torch's RemainderBackward1)"""

    name = "RemainderBackward1"


def remainder(a: Any, b: Any) -> Any:
    """a mod b with broadcasting (Python's %: the result has b's sign)."""
    return binary(RemainderTensor if isinstance(b, TensorBase) else Remainder, a, b)


def np_pow_scalar(a: Any, e: Any) -> Any:
    """a ** e for a scalar e as torch computes it: sqrt for 0.5, 1/sqrt for -0.5 (so (-inf) ** 0.5
    is NaN, as in torch, where C's pow gives inf)."""
    if getattr(a, "dtype", OBJECT).kind == "f" and np.ndim(e) == 0:
        if e == 0.5:
            return np.sqrt(a)
        if e == -0.5:
            return np.reciprocal(np.sqrt(a))
    return a**e


class Pow(Node):
    """y = a ** b;  da = g * b * a^(b - 1),  db = g * y * log(a)

    torch's selects included: da = 0 where b == 0, db = 0 where a == 0 and b >= 0.
    """

    name = "PowBackward0"
    keep_inputs = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return np_pow_scalar(a, b) if type(self) is Pow and np.ndim(b) == 0 else a**b
        except ValueError:
            check_broadcast("pow", a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        a, b = self.args(F)
        sa, sb = self.shapes
        ad, bd = F.data(a), F.data(b)
        ga = gb = None
        # torch's formulas, selects included; the branches a select drops may be inf or NaN
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs(0):
                if type(self) is Pow and bd.ndim == 0:  # torch's pow(Tensor, Scalar)
                    if bd == 0:
                        ga = F.zeros(sa, g)  # torch: a constant 0 for a ** 0, whatever g is (inf, NaN)
                    else:  # a ** (e - 1) with torch's scalar kernels (sqrt, 1/sqrt)
                        ga = unbroadcast(F, g * (b * F.pow_scalar(a, bd - 1)), sa)
                else:
                    ga = g * (b * F.pow(a, b - 1))
                    zero = bd == 0
                    if np.any(zero):  # select, never g * 0: 0 * 0 ** -1 would be NaN
                        ga = F.where(zero, F.zeros((), g), ga)
                    ga = unbroadcast(F, ga, sa)
            if self.needs(1):
                # where a == 0 and b >= 0 the limit of a**b * log(a) is 0, as torch defines it; torch
                # multiplies g by it (an infinite g there gives NaN in torch too)
                lim = (ad == 0) & (bd >= 0)
                # torch's saved result, not a recomputed a ** b: under create_graph, gradients
                # reaching the output from here and from elsewhere then add up before pow's backward
                t = self.output(F) * F.log(a)
                if np.any(lim):
                    t = F.where(lim, F.zeros((), g), t)
                gb = unbroadcast(F, g * t, sb)
        return ga, gb


class PowTensor(Pow):
    """y = a ** b for a Tensor b;  da = g * b * a^(b - 1),  db = g * y * log(a)  (Pow's rules)

    torch's second pow overload, the one with a Tensor exponent.
    """

    name = "PowBackward1"
    keep_output = True  # the exponent's gradient is g * a ** b * log(a)


def pow_(a: Any, b: Any) -> Any:
    """a ** b with broadcasting."""
    return binary(PowTensor if isinstance(b, TensorBase) else Pow, a, b)


class Maximum(Node):
    """y = max(a, b);  da = g where a > b,  db = g where b > a,  g / 2 to each where a == b"""

    name = "MaximumBackward0"
    keep_inputs = True
    pick = staticmethod(np.greater)
    lose = staticmethod(np.less)  # a gets no gradient where lose(a, b)

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return np.maximum(a, b) if self.pick is np.greater else np.minimum(a, b)
        except ValueError:
            check_broadcast("maximum" if self.pick is np.greater else "minimum", a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        a, b = self.args(F)
        ad, bd = F.data(a), F.data(b)
        # torch: where(a == b, g / 2, g) then 0 where the operand loses; selects, so an infinite g
        # gives 0 (not NaN) to the loser, and a NaN operand (never losing) gets all of g on both sides
        tie = ad == bd
        if np.any(tie):
            half = F.const(np.asarray(0.5, dtype=F.data(g).dtype), g)
            g = F.where(tie, g * half, g)
        ga = unbroadcast(F, F.select(~self.lose(ad, bd), g), self.shapes[0]) if self.needs(0) else None
        gb = unbroadcast(F, F.select(~self.lose(bd, ad), g), self.shapes[1]) if self.needs(1) else None
        return ga, gb


def maximum(a: Any, b: Any) -> Any:
    """Elementwise max (ties share the gradient)."""
    return binary(Maximum, a, b)


class Minimum(Maximum):
    """y = min(a, b);  da = g where a < b,  db = g where b < a,  g / 2 to each where a == b"""

    name = "MinimumBackward0"
    pick = staticmethod(np.less)
    lose = staticmethod(np.greater)


def minimum(a: Any, b: Any) -> Any:
    """Elementwise min (ties share the gradient)."""
    return binary(Minimum, a, b)


class Where(Node):
    """y = a where cond, else b;  da = g where cond,  db = g where not cond  (cond: no gradient)"""

    name = "WhereBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray, cond: Any = None) -> np.ndarray:
        try:
            return np.where(cond, a, b)
        except ValueError:
            check_broadcast("where", cond, a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> Grads:
        # selects (a Where again under create_graph): g * mask would turn an infinite g into NaN
        cond = self.kw["cond"]
        ga = unbroadcast(F, F.select(cond, g), self.shapes[0]) if self.needs(0) else None
        gb = unbroadcast(F, F.select(np.logical_not(cond), g), self.shapes[1]) if self.needs(1) else None
        return ga, gb


def where(cond: Any, a: Any, b: Any) -> Any:
    """Pick a where cond is true, else b (cond is not differentiated)."""
    cond = np.asarray(getattr(cond, "array", cond), dtype=bool)
    if isinstance(a, TensorBase) and not isinstance(b, TensorBase):
        b = const_array(b, a.array.dtype)
    elif isinstance(b, TensorBase) and not isinstance(a, TensorBase):
        a = const_array(a, b.array.dtype)
    return Where.apply(a, b, cond=cond)
