"""Primitive ops: each a Node subclass with its numpy forward and its backward rule side by side.

Backward rules are written against `F`, a namespace that is either plain numpy (`NUMPY_F`, used by
an ordinary backward) or these very ops on Tensors (`TENSOR_F`, used with create_graph=True), so
every rule is automatically differentiable again. Composites (softmax, losses, ...) live in
functional.py and are built from the functions at the bottom of this file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._shapes import (
    broadcast_error,
    concat_error,
    index_error,
    keepdims_shape,
    matmul_error,
    normalize_axes,
    stack_error,
    unbroadcast,
)
from .tape import Node, ShapeError, TensorBase, make_tensor

# Elementwise math on object arrays (e.g. sympy expressions) is looked up here; the core knows
# no symbolic library, tinygrad_rnn.symbolic registers sympy's functions.
OBJECT_MATH: dict[str, Callable[[Any], Any]] = {}
_OBJECT = np.dtype(object)


def _elementwise(name: str, fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[Any], Any]:
    def f(a: Any) -> Any:
        if getattr(a, "dtype", None) is _OBJECT:  # `is`: a dtype == comparison costs ~0.25 us
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


np_exp = _elementwise("exp", np.exp)
np_log = _elementwise("log", np.log)
np_tanh = _elementwise("tanh", np.tanh)
np_sigmoid = _elementwise("sigmoid", _np_sigmoid)
np_relu = _elementwise("relu", lambda a: np.maximum(a, np.zeros((), a.dtype)))
np_relu_mask = _elementwise("relu_mask", lambda a: (a > 0).astype(a.dtype))


def _check_broadcast(op: str, *arrays: Any) -> None:
    """Raise the ShapeError when numpy failed because the operands do not broadcast."""
    err = broadcast_error(op, *(np.shape(x) for x in arrays))
    if err is not None:
        raise err from None


def _np_pow_scalar(a: Any, e: Any) -> Any:
    """a ** e for a scalar e as torch computes it: sqrt for 0.5, 1/sqrt for -0.5 (so (-inf) ** 0.5
    is NaN, as in torch, where C's pow gives inf)."""
    if getattr(a, "dtype", _OBJECT).kind == "f" and np.ndim(e) == 0:
        if e == 0.5:
            return np.sqrt(a)
        if e == -0.5:
            return np.reciprocal(np.sqrt(a))
    return a**e


def _nd(x: Any) -> Any:
    """Arithmetic on 0-d object arrays returns the bare object (e.g. a sympy expression): re-wrap it."""
    return x if isinstance(x, (np.ndarray, np.generic)) else np.asarray(x, dtype=object)


# ---------------------------------------------------------------------------------------------
# Elementwise binary ops (numpy broadcasting; gradients summed back with unbroadcast)
# ---------------------------------------------------------------------------------------------
class Add(Node):
    name = "AddBackward0"

    def forward(self, a, b):
        try:
            return _nd(a + b)
        except ValueError:
            _check_broadcast("add", a, b)
            raise

    def backward(self, F, g):
        sa, sb = self.shapes
        ga = unbroadcast(F, g, sa) if self.next[0] is not None else None
        return ga, unbroadcast(F, g, sb) if self.next[1] is not None else None


class Sub(Node):
    name = "SubBackward0"

    def forward(self, a, b):
        try:
            return _nd(a - b)
        except ValueError:
            _check_broadcast("sub", a, b)
            raise

    def backward(self, F, g):
        sa, sb = self.shapes
        ga = unbroadcast(F, g, sa) if self.next[0] is not None else None
        return ga, unbroadcast(F, -g, sb) if self.next[1] is not None else None


class Mul(Node):
    name = "MulBackward0"
    keep_inputs = True

    def forward(self, a, b):
        try:
            return _nd(a * b)
        except ValueError:
            _check_broadcast("mul", a, b)
            raise

    def backward(self, F, g):
        a, b = self.args(F)
        sa, sb = self.shapes
        ga = unbroadcast(F, g * b, sa) if self.needs(0) else None
        gb = unbroadcast(F, g * a, sb) if self.needs(1) else None
        return ga, gb


class Div(Node):
    name = "DivBackward0"
    keep_inputs = True

    def forward(self, a, b):
        try:
            return _nd(a / b)
        except ValueError:
            _check_broadcast("div", a, b)
            raise

    def backward(self, F, g):
        a, b = self.args(F)
        sa, sb = self.shapes
        ga = unbroadcast(F, g / b, sa) if self.needs(0) else None
        # torch's formula and order, so overflow and NaN positions agree: -g * ((a / b) / b)
        gb = unbroadcast(F, -g * ((a / b) / b), sb) if self.needs(1) else None
        return ga, gb


class Pow(Node):
    name = "PowBackward0"
    keep_inputs = True

    def forward(self, a, b):
        try:
            return _nd(_np_pow_scalar(a, b) if type(self) is Pow and np.ndim(b) == 0 else a**b)
        except ValueError:
            _check_broadcast("pow", a, b)
            raise

    def backward(self, F, g):
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
    """a ** b where the exponent is a Tensor too (torch's second pow overload)."""

    name = "PowBackward1"
    keep_output = True  # the exponent's gradient is g * a ** b * log(a)


class Maximum(Node):
    name = "MaximumBackward0"
    keep_inputs = True
    pick = staticmethod(np.greater)
    lose = staticmethod(np.less)  # a gets no gradient where lose(a, b)

    def forward(self, a, b):
        try:
            return np.maximum(a, b) if self.pick is np.greater else np.minimum(a, b)
        except ValueError:
            _check_broadcast("maximum" if self.pick is np.greater else "minimum", a, b)
            raise

    def backward(self, F, g):
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


class Minimum(Maximum):
    name = "MinimumBackward0"
    pick = staticmethod(np.less)
    lose = staticmethod(np.greater)


# ---------------------------------------------------------------------------------------------
# Elementwise unary ops
# ---------------------------------------------------------------------------------------------
class Neg(Node):
    name = "NegBackward0"

    def forward(self, a):
        return _nd(-a)

    def backward(self, F, g):
        return -g


class Exp(Node):
    name = "ExpBackward0"
    keep_output = True

    def forward(self, a):
        return np_exp(a)

    def backward(self, F, g):
        return g * self.output(F)


class Log(Node):
    name = "LogBackward0"
    keep_inputs = True

    def forward(self, a):
        return np_log(a)

    def backward(self, F, g):
        (a,) = self.args(F)
        return g / a


class Tanh(Node):
    name = "TanhBackward0"
    keep_output = True

    def forward(self, a):
        return np_tanh(a)

    def backward(self, F, g):
        y = self.output(F)
        return g * (1 - y * y)


class Sigmoid(Node):
    name = "SigmoidBackward0"
    keep_output = True

    def forward(self, a):
        return np_sigmoid(a)

    def backward(self, F, g):
        return F.sigmoid_backward(g, self.output(F))


class SigmoidBackward(Node):
    """g * (1 - y) * y as one node (torch's sigmoid_backward), so its own backward is torch's too."""

    name = "SigmoidBackwardBackward0"
    keep_inputs = True

    def forward(self, g, y):
        return NUMPY_F.sigmoid_backward(g, y)

    def backward(self, F, gg):
        g, y = self.args(F)
        # one term, gg * g * (1 - 2y): the product rule's two terms would give inf - inf = NaN
        # where torch's formula gives +-inf
        dg = F.sigmoid_backward(gg, y) if self.needs(0) else None
        c = F.data(y).dtype.type  # typed constants: a 0-d float32 times a Python int is float64
        dy = gg * g * (y * c(-2) + c(1)) if self.needs(1) else None
        return dg, dy


class Relu(Node):
    name = "ReluBackward0"
    keep_inputs = True

    def forward(self, a):
        return np_relu(a)

    def backward(self, F, g):
        (a,) = self.args(F)
        ad = F.data(a)
        if ad.dtype is _OBJECT:  # sympy: the symbolic step Heaviside(a, 0) (no inf to guard)
            return g * F.const(np_relu_mask(ad), g)
        return F.relu_backward(g, a)


class ReluBackward(Node):
    """relu's gradient as one node (torch's threshold_backward): g where a > 0 or a is NaN, else 0."""

    name = "ThresholdBackwardBackward0"
    keep_inputs = True

    def forward(self, g, a):
        return NUMPY_F.relu_backward(g, a)

    def backward(self, F, gg):
        g, a = self.args(F)
        dg = F.relu_backward(gg, a) if self.needs(0) else None
        # torch sends explicit zeros to a (not nothing): further down they turn inf * 0 into NaN
        # exactly where torch's do
        da = F.zeros(self.shapes[1], gg) if self.needs(1) else None
        return dg, da


class Clip(Node):
    name = "ClampBackward1"
    keep_inputs = True

    def forward(self, a, lo=None, hi=None):
        out = np.clip(a, lo, hi)
        return out.astype(a.dtype) if a.dtype.kind == "f" else out  # 0-d float32 stays float32

    def backward(self, F, g):
        (a,) = self.args(F)
        ad = F.data(a)
        m = np.ones(ad.shape, dtype=bool)
        if self.kw.get("lo") is not None:
            m &= ad >= self.kw["lo"]
        if self.kw.get("hi") is not None:
            m &= ad <= self.kw["hi"]
        return F.select(m, g)  # not g * m: an infinite g outside [lo, hi] must give 0, as torch


class Where(Node):
    name = "WhereBackward0"

    def forward(self, a, b, cond=None):
        try:
            return np.where(cond, a, b)
        except ValueError:
            _check_broadcast("where", cond, a, b)
            raise

    def backward(self, F, g):
        # selects (a Where again under create_graph): g * mask would turn an infinite g into NaN
        cond = self.kw["cond"]
        ga = unbroadcast(F, F.select(cond, g), self.shapes[0]) if self.needs(0) else None
        gb = unbroadcast(F, F.select(np.logical_not(cond), g), self.shapes[1]) if self.needs(1) else None
        return ga, gb


class Cast(Node):
    name = "ToCopyBackward0"

    def forward(self, a, dtype=None):
        self.kw["src"] = a.dtype
        return a.astype(dtype)

    def backward(self, F, g):
        return F.cast(g, self.kw["src"])


# ---------------------------------------------------------------------------------------------
# Matmul (1-D, 2-D and batched with broadcast batch dims)
# ---------------------------------------------------------------------------------------------
class Matmul(Node):
    name = "MatmulBackward0"
    input_names = ("self", "mat2")
    keep_inputs = True

    def forward(self, a, b):
        if a.ndim == 2 and b.ndim == 2:
            self.name = "MmBackward0"
        elif a.ndim == 1 and b.ndim == 1:
            self.name = "DotBackward0"
        try:
            return _nd(np.matmul(a, b))
        except ValueError:
            err = matmul_error(np.shape(a), np.shape(b))
            if err is not None:
                raise err from None
            raise

    def backward(self, F, g):
        a, b = self.args(F)
        sa, sb = self.shapes
        if len(sa) == 2 and len(sb) == 2:  # the common case, kept short and fast
            ga = F.matmul(g, F.swap(b)) if self.needs(0) else None
            gb = F.matmul(F.swap(a), g) if self.needs(1) else None
            return ga, gb
        # promote 1-D operands the way matmul does, then undo the promotion on the way back
        a2 = a if len(sa) > 1 else F.reshape(a, (1,) + sa)
        b2 = b if len(sb) > 1 else F.reshape(b, sb + (1,))
        gshape = g.shape + ((1,) if len(sb) == 1 else ())
        if len(sa) == 1:
            gshape = gshape[:-1] + (1,) + gshape[-1:]
        g2 = F.reshape(g, gshape)
        ga = gb = None
        if self.needs(0):
            ga = F.reshape(unbroadcast(F, F.matmul(g2, F.swap(b2)), a2.shape), sa)
        if self.needs(1):
            gb = F.reshape(unbroadcast(F, F.matmul(F.swap(a2), g2), b2.shape), sb)
        return ga, gb


class Addmm(Node):
    """c + a @ b for 2-D a, b in one node (torch's addmm): an RNN step is addmm then tanh."""

    name = "AddmmBackward0"
    input_names = ("self", "mat1", "mat2")
    keep_inputs = True

    def forward(self, c, a, b):
        try:
            m = np.matmul(a, b)
        except ValueError:
            err = matmul_error(np.shape(a), np.shape(b))
            if err is not None:
                raise err from None
            raise
        err = broadcast_error("addmm", np.shape(c), m.shape)
        if err is not None:
            raise err
        if np.result_type(m, c) == m.dtype and np.broadcast_shapes(m.shape, c.shape) == m.shape:
            return np.add(m, c, out=m)  # m is fresh: add in place, saving one allocation
        return m + c

    def backward(self, F, g):
        _, a, b = self.args(F)
        gc = unbroadcast(F, g, self.shapes[0]) if self.next[0] is not None else None
        ga = F.matmul(g, F.swap(b)) if self.next[1] is not None else None
        gb = F.matmul(F.swap(a), g) if self.next[2] is not None else None
        return gc, ga, gb


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------
class Sum(Node):
    name = "SumBackward1"

    def forward(self, a, axes=(), keepdims=False):
        if len(axes) == a.ndim and not keepdims:
            self.name = "SumBackward0"
        return np.asarray(np.sum(a, axis=axes, keepdims=keepdims))

    def backward(self, F, g):
        (shape,) = self.shapes
        if not self.kw["keepdims"]:
            g = F.reshape(g, keepdims_shape(shape, self.kw["axes"]))
        return F.broadcast_to(g, shape)


class Mean(Node):
    """Sum over `axes` divided by the count, as one node (a Div after a Sum gets 0/0 on empty input)."""

    name = "MeanBackward1"

    def forward(self, a, axes=(), keepdims=False):
        if len(axes) == a.ndim and not keepdims:
            self.name = "MeanBackward0"
        n = int(np.prod([a.shape[i] for i in axes]))
        self.kw["n"] = n
        s = np.asarray(np.sum(a, axis=axes, keepdims=keepdims))
        return _nd(s / np.asarray(n, dtype=s.dtype)) if s.dtype.kind == "f" else _nd(s / n)

    def backward(self, F, g):
        # torch's mean_backward: expand, then divide, so an empty input divides nothing by 0
        (shape,) = self.shapes
        if not self.kw["keepdims"]:
            g = F.reshape(g, keepdims_shape(shape, self.kw["axes"]))
        dt = F.data(g).dtype
        n = self.kw["n"]
        return F.broadcast_to(g, shape) / F.const(np.asarray(n, dtype=dt) if dt.kind == "f" else n, g)


class Max(Node):
    """y = max over axes of a; da = g / (number of maxima) at the maxima (torch's amax)."""

    name = "AmaxBackward0"
    label = "amax"  # the op's name in error messages
    keep_inputs = True
    keep_output = True
    reduce = staticmethod(np.max)

    def forward(self, a, axes=(), keepdims=False):
        if a.size == 0:  # only an empty *reduced* dim has no max; other empty dims give empty results
            if len(axes) == a.ndim:
                raise RuntimeError(
                    f"{self.label}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            empty = next((d for d in axes if a.shape[d] == 0), None)
            if empty is not None:
                raise IndexError(f"{self.label}(): Expected reduction dim {empty} to have non-zero size.")
        return np.asarray(self.reduce(a, axis=axes, keepdims=keepdims))

    def backward(self, F, g):
        (shape,) = self.shapes
        kshape = keepdims_shape(shape, self.kw["axes"])
        xd = F.data(self.args(F)[0])
        dt = F.data(g).dtype
        mask = xd == np.reshape(self.out, kshape)
        count = np.sum(mask, axis=self.kw["axes"], keepdims=True).astype(dt)
        # ties share the gradient evenly. torch's amax multiplies, (g / count) * mask, rather than
        # selecting: an infinite g gives NaN off the maxima, and a NaN slice (count 0) NaN all over
        with np.errstate(divide="ignore", invalid="ignore"):
            gk = F.reshape(g, kshape) / F.const(count, g)
            return F.broadcast_to(gk, shape) * F.const(mask.astype(dt), g)


class Min(Max):
    name = "AminBackward0"
    label = "amin"
    reduce = staticmethod(np.min)


class MaxAll(Max):
    """Max of all elements (torch's max() without dim): unlike amax, the gradient is selected."""

    name = "MaxBackward1"
    label = "max"

    def backward(self, F, g):
        # torch's evenly_distribute_backward: g / count *into* the maxima (the NaNs if the max is
        # NaN), zeros elsewhere: an infinite g stays off the other elements
        (shape,) = self.shapes
        xd = F.data(self.args(F)[0])
        mask = np.isnan(xd) if np.isnan(self.out).any() else xd == np.reshape(self.out, (1,) * xd.ndim)
        count = np.asarray(np.count_nonzero(mask), dtype=F.data(g).dtype)
        gk = F.reshape(g / F.const(count, g), (1,) * len(shape))
        return F.where(mask, F.broadcast_to(gk, shape), F.zeros((), g))


class MinAll(MaxAll):
    name = "MinBackward1"
    label = "min"
    reduce = staticmethod(np.min)


# ---------------------------------------------------------------------------------------------
# Shape ops
# ---------------------------------------------------------------------------------------------
class Reshape(Node):
    name = "ViewBackward0"

    def forward(self, a, shape=()):
        return np.reshape(a, shape)

    def backward(self, F, g):
        return F.reshape(g, self.shapes[0])


class Transpose(Node):
    name = "PermuteBackward0"

    def forward(self, a, perm=()):
        return np.transpose(a, perm)

    def backward(self, F, g):
        return F.transpose(g, tuple(np.argsort(self.kw["perm"])))


class Expand(Node):
    name = "ExpandBackward0"

    def forward(self, a, shape=()):
        return np.broadcast_to(a, shape)

    def backward(self, F, g):
        return unbroadcast(F, g, self.shapes[0])


def _is_basic_index(idx: Any) -> bool:
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in items)


def _scatter_np(g: np.ndarray, idx: Any, shape: tuple[int, ...]) -> np.ndarray:
    z = np.zeros(shape, dtype=g.dtype)
    if _is_basic_index(idx):
        z[idx] = g  # a basic index never repeats an element
    else:
        np.add.at(z, idx, g)  # integer arrays may repeat: accumulate
    return z


class GetItem(Node):
    name = "IndexBackward0"

    def forward(self, a, idx=None):
        if _is_basic_index(idx):
            self.name = "SelectBackward0" if isinstance(idx, (int, np.integer)) else "SliceBackward0"
        return np.asarray(a[idx])

    def backward(self, F, g):
        return F.scatter(g, self.kw["idx"], self.shapes[0])


class Scatter(Node):
    """The adjoint of getitem: place `g` at `idx` of a zero array (repeated indices add)."""

    name = "IndexPutBackward0"

    def forward(self, g, idx=None, shape=()):
        return _scatter_np(g, idx, shape)

    def backward(self, F, gg):
        return F.getitem(gg, self.kw["idx"])


class Stack(Node):
    name = "StackBackward0"

    def forward(self, *arrays, axis=0):
        try:
            return np.stack(arrays, axis=axis)
        except ValueError:
            err = stack_error([np.shape(x) for x in arrays])
            if err is not None:
                raise err from None
            raise

    def backward(self, F, g):
        return tuple(F.unbind(g, self.kw["axis"]))


class Concat(Node):
    name = "CatBackward0"

    def forward(self, *arrays, axis=0):
        try:
            return np.concatenate(arrays, axis=axis)
        except ValueError:
            err = concat_error([np.shape(x) for x in arrays], axis)
            if err is not None:
                raise err from None
            raise

    def backward(self, F, g):
        axis = self.kw["axis"]
        sizes = [s[axis] for s in self.shapes]
        gs = F.split(g, sizes, axis)
        # torch's cat skips 1-D empty inputs: their gradient is a constant, not part of the graph
        return tuple(F.zeros((0,), g) if s == (0,) else x for s, x in zip(self.shapes, gs))


class Split(Node):
    name = "SplitWithSizesBackward0"
    multi_output = True

    def forward(self, a, sizes=(), axis=0):
        return tuple(np.split(a, np.cumsum(sizes)[:-1], axis=axis))

    def backward(self, F, gs):
        (shape,) = self.shapes
        axis = self.kw["axis"]
        parts = []
        for g, n in zip(gs, self.kw["sizes"]):
            if g is None:
                g = F.zeros(shape[:axis] + (n,) + shape[axis + 1 :], _first(gs))
            parts.append(g)
        return F.concat(parts, axis)


class Unbind(Node):
    name = "UnbindBackward0"
    multi_output = True

    def forward(self, a, axis=0):
        return tuple(np.moveaxis(a, axis, 0))

    def backward(self, F, gs):
        (shape,) = self.shapes
        axis = self.kw["axis"]
        zero = None
        parts = []
        for g in gs:
            if g is None:
                if zero is None:
                    zero = F.zeros(shape[:axis] + shape[axis + 1 :], _first(gs))
                g = zero
            parts.append(g)
        return F.stack(parts, axis)


def _first(gs: Sequence[Any]) -> Any:
    return next(g for g in gs if g is not None)


# ---------------------------------------------------------------------------------------------
# The two F namespaces the backward rules are written against
# ---------------------------------------------------------------------------------------------
# float dtype -> the integer of the same width, for _np_zero_where's bitwise select
_BITS = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


def _np_zero_where(off: Any, g: Any) -> Any:
    """g with 0 where `off`: a select, so an inf or NaN in g there is dropped, not multiplied by 0."""
    bits = _BITS.get(g.dtype)
    if bits is not None and g.size >= 4096:
        # AND each float's bits with zeros or all-ones: exact, and ~3x faster than np.where on a
        # large unpredictable mask (np.where is faster on small arrays)
        return np.bitwise_and(g.view(bits), np.subtract(off, 1, dtype=bits)).view(g.dtype)
    if g.dtype is _OBJECT:  # sympy: 0/1 products keep expressions exact (and hold no inf)
        return _nd(g * np.logical_not(off).astype(np.int8))
    return np.where(off, g.dtype.type(0), g)


class NUMPY_F:
    """Backward on plain arrays: nothing recorded, nothing allocated that is not needed."""

    tensor_mode = False

    @staticmethod
    def const(a, like):
        return a

    @staticmethod
    def data(x):
        return x

    @staticmethod
    def zeros(shape, like):
        return np.zeros(shape, dtype=like.dtype)

    @staticmethod
    def sum(x, axes, keepdims):
        return np.asarray(np.sum(x, axis=axes, keepdims=keepdims))

    @staticmethod
    def where(mask, a, b):
        return np.where(mask, a, b)

    @staticmethod
    def sigmoid_backward(g, y):
        return _nd(g * (y.dtype.type(1) - y) * y)  # torch's order, so inf * 0 lands alike

    @staticmethod
    def pow_scalar(a, e):
        return _np_pow_scalar(a, np.asarray(e, dtype=a.dtype))

    @staticmethod
    def relu_backward(g, a):
        # a select, not g * mask (inf * 0 = NaN); as torch, NaN inputs let the gradient through
        return _np_zero_where(a <= 0, g)

    @staticmethod
    def select(mask, g):
        """g where mask, else 0: a select, never g * mask (inf * 0 would be NaN where torch gives 0)."""
        return _np_zero_where(np.logical_not(mask), g)

    reshape = staticmethod(np.reshape)
    broadcast_to = staticmethod(np.broadcast_to)
    transpose = staticmethod(np.transpose)
    matmul = staticmethod(np.matmul)
    pow = staticmethod(np.power)
    log = staticmethod(np_log)
    getitem = staticmethod(lambda x, idx: x[idx])
    scatter = staticmethod(_scatter_np)

    @staticmethod
    def swap(x):
        return np.swapaxes(x, -1, -2)

    @staticmethod
    def cast(x, dtype):
        return x.astype(dtype)

    @staticmethod
    def stack(xs, axis):
        return np.stack(xs, axis=axis)

    @staticmethod
    def concat(xs, axis):
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def split(x, sizes, axis):
        return np.split(x, np.cumsum(sizes)[:-1], axis=axis)

    @staticmethod
    def unbind(x, axis):
        return tuple(np.moveaxis(x, axis, 0))


class TENSOR_F:
    """Backward with create_graph=True: the same rules, run as recorded Tensor ops."""

    tensor_mode = True

    @staticmethod
    def const(a, like):
        proto = like if isinstance(like, type) else like.result_type
        return make_tensor(proto, np.asarray(a), None, 0)

    @staticmethod
    def data(x):
        return x.data

    @staticmethod
    def zeros(shape, like):
        return make_tensor(like.result_type, np.zeros(shape, dtype=like.data.dtype), None, 0)

    @staticmethod
    def sum(x, axes, keepdims):
        return Sum.apply(x, axes=tuple(axes), keepdims=keepdims)

    @staticmethod
    def reshape(x, shape):
        return Reshape.apply(x, shape=tuple(shape))

    @staticmethod
    def broadcast_to(x, shape):
        return Expand.apply(x, shape=tuple(shape))

    @staticmethod
    def transpose(x, perm):
        return Transpose.apply(x, perm=tuple(perm))

    @staticmethod
    def swap(x):
        perm = list(range(x.data.ndim))
        perm[-1], perm[-2] = perm[-2], perm[-1]
        return Transpose.apply(x, perm=tuple(perm))

    matmul = staticmethod(lambda a, b: Matmul.apply(a, b))
    pow = staticmethod(lambda a, b: pow_(a, b))
    log = staticmethod(lambda a: Log.apply(a))
    getitem = staticmethod(lambda x, idx: GetItem.apply(x, idx=idx))
    scatter = staticmethod(lambda g, idx, shape: Scatter.apply(g, idx=idx, shape=shape))
    cast = staticmethod(lambda x, dtype: Cast.apply(x, dtype=np.dtype(dtype)))
    stack = staticmethod(lambda xs, axis: Stack.apply(*xs, axis=axis))
    concat = staticmethod(lambda xs, axis: Concat.apply(*xs, axis=axis))
    split = staticmethod(lambda x, sizes, axis: Split.apply(x, sizes=tuple(sizes), axis=axis))
    unbind = staticmethod(lambda x, axis: Unbind.apply(x, axis=axis))

    @staticmethod
    def where(mask, a, b):
        """A Where node, so the select is differentiable again (its backward selects too)."""
        return Where.apply(a, b, cond=np.asarray(mask, dtype=bool))

    sigmoid_backward = staticmethod(lambda g, y: SigmoidBackward.apply(g, y))
    pow_scalar = staticmethod(lambda a, e: Pow.apply(a, np.asarray(e, dtype=a.data.dtype)))
    relu_backward = staticmethod(lambda g, a: ReluBackward.apply(g, a))

    @staticmethod
    def select(mask, g):
        """g where mask, else 0, as a Where node."""
        return Where.apply(g, np.zeros((), dtype=g.data.dtype), cond=np.asarray(mask, dtype=bool))


# ---------------------------------------------------------------------------------------------
# Functional entry points (accept Tensors and plain numbers / arrays)
# ---------------------------------------------------------------------------------------------
_DEFAULT_FLOAT = np.dtype(np.float32)


_CONSTS: dict[tuple[type, Any, np.dtype], np.ndarray] = {}


def const_array(x: Any, like: np.dtype | None = None) -> np.ndarray:
    """A non-Tensor operand as an array: Python scalars take the Tensor operand's float dtype."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (bool, int, float)) and like is not None and like.kind in "fcO":
        if like.kind == "O" or x != x or x == 0:  # object, NaN (never equal to itself), +-0.0
            return np.asarray(x, dtype=like)
        # `y * 1.01` in a loop would build the same 0-d array every time: keep one, read-only
        key = (type(x), x, like)
        a = _CONSTS.get(key)
        if a is None:
            if len(_CONSTS) > 1024:
                _CONSTS.clear()
            a = _CONSTS[key] = np.asarray(x, dtype=like)
            a.flags.writeable = False
        return a
    a = np.asarray(x)
    if a.dtype == np.float64 and not isinstance(x, np.generic):
        a = a.astype(_DEFAULT_FLOAT)  # Python floats default to float32, as in torch
    return a


def _binary(cls: type[Node], a: Any, b: Any) -> Any:
    if isinstance(a, TensorBase):
        if not isinstance(b, TensorBase):
            b = const_array(b, a.data.dtype)
    elif isinstance(b, TensorBase):
        a = const_array(a, b.data.dtype)
    return cls.apply(a, b)


def add(a: Any, b: Any) -> Any:
    """a + b with broadcasting."""
    return _binary(Add, a, b)


def sub(a: Any, b: Any) -> Any:
    """a - b with broadcasting."""
    return _binary(Sub, a, b)


def mul(a: Any, b: Any) -> Any:
    """a * b with broadcasting."""
    return _binary(Mul, a, b)


def div(a: Any, b: Any) -> Any:
    """a / b with broadcasting."""
    return _binary(Div, a, b)


def pow_(a: Any, b: Any) -> Any:
    """a ** b with broadcasting."""
    return _binary(PowTensor if isinstance(b, TensorBase) else Pow, a, b)


def maximum(a: Any, b: Any) -> Any:
    """Elementwise max (ties share the gradient)."""
    return _binary(Maximum, a, b)


def minimum(a: Any, b: Any) -> Any:
    """Elementwise min (ties share the gradient)."""
    return _binary(Minimum, a, b)


def matmul(a: Any, b: Any) -> Any:
    """Matrix product with numpy's 1-D / batched rules."""
    return _binary(Matmul, a, b)


def addmm(c: Any, a: Any, b: Any) -> Any:
    """c + a @ b with 2-D a and b, as one node."""
    if a.data.ndim != 2 or b.data.ndim != 2:
        raise RuntimeError(f"addmm: expected 2-D matrices, got {a.data.ndim}-D and {b.data.ndim}-D")
    if not isinstance(c, TensorBase):
        c = const_array(c, a.data.dtype)
    return Addmm.apply(c, a, b)


def neg(a: Any) -> Any:
    """-a."""
    return Neg.apply(a)


def exp(a: Any) -> Any:
    """e ** a."""
    return Exp.apply(a)


def log(a: Any) -> Any:
    """Natural logarithm."""
    return Log.apply(a)


def tanh(a: Any) -> Any:
    """Hyperbolic tangent."""
    return Tanh.apply(a)


def sigmoid(a: Any) -> Any:
    """1 / (1 + e ** -a)."""
    return Sigmoid.apply(a)


def relu(a: Any) -> Any:
    """max(a, 0) (gradient 0 at 0, as torch)."""
    return Relu.apply(a)


def clip(a: Any, lo: float | None = None, hi: float | None = None) -> Any:
    """Clamp into [lo, hi] (gradient passes where lo <= a <= hi)."""
    return Clip.apply(a, lo=lo, hi=hi)


def where(cond: Any, a: Any, b: Any) -> Any:
    """Pick a where cond is true, else b (cond is not differentiated)."""
    cond = np.asarray(getattr(cond, "data", cond), dtype=bool)
    if isinstance(a, TensorBase) and not isinstance(b, TensorBase):
        b = const_array(b, a.data.dtype)
    elif isinstance(b, TensorBase) and not isinstance(a, TensorBase):
        a = const_array(a, b.data.dtype)
    return Where.apply(a, b, cond=cond)


def cast(a: Any, dtype: Any) -> Any:
    """Convert to another dtype (the gradient is converted back)."""
    dtype = np.dtype(dtype)
    if a.data.dtype == dtype:
        return a
    return Cast.apply(a, dtype=dtype)


def _reduce_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    axes = normalize_axes(axis, ndim)
    return axes if ndim else ()  # a 0-d tensor: dim 0 / -1 means the tensor itself, as in torch


def sum_(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Sum over the given axes (all by default)."""
    return Sum.apply(a, axes=_reduce_axes(axis, a.data.ndim), keepdims=keepdims)


def mean(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Mean over the given axes: a sum divided by the count."""
    return Mean.apply(a, axes=_reduce_axes(axis, a.data.ndim), keepdims=keepdims)


def max_all(a: Any) -> Any:
    """The largest element (0-d); its gradient goes only to the maxima (NaN if any, propagates)."""
    return MaxAll.apply(a, axes=tuple(range(a.data.ndim)), keepdims=False)


def min_all(a: Any) -> Any:
    """The smallest element (0-d); its gradient goes only to the minima."""
    return MinAll.apply(a, axes=tuple(range(a.data.ndim)), keepdims=False)


def max_(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Max over the given axes."""
    return Max.apply(a, axes=_reduce_axes(axis, a.data.ndim), keepdims=keepdims)


def min_(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Min over the given axes."""
    return Min.apply(a, axes=_reduce_axes(axis, a.data.ndim), keepdims=keepdims)


def _fail(x: Any, err: ShapeError) -> ShapeError:
    """`err` worded by the Tensor class of x (or of x's first Tensor when x is a sequence)."""
    if not isinstance(x, TensorBase):
        x = next((t for t in x if isinstance(t, TensorBase)), None)
    return err if x is None else x.result_type.op_error(err)


def reshape(a: Any, shape: Sequence[int]) -> Any:
    """Same data, new shape (one -1 allowed)."""
    shape = tuple(int(s) for s in shape)
    size = a.data.size
    known = int(np.prod([s for s in shape if s != -1]))
    bad = shape.count(-1) > 1 or any(s < -1 for s in shape)
    if -1 in shape and not bad:
        bad = known == 0 or size % known
        shape = tuple(size // known if s == -1 and not bad else s for s in shape)
    elif not bad:
        bad = known != size
    if bad:
        msg = f"shape '{list(shape)}' is invalid for input of size {size}"
        raise _fail(a, ShapeError("reshape", msg, kind="size", shape=shape, size=size))
    return Reshape.apply(a, shape=shape)


def transpose(a: Any, perm: Sequence[int] | None = None) -> Any:
    """Permute the axes (reverse them by default)."""
    nd = a.data.ndim
    perm = tuple(reversed(range(nd))) if perm is None else tuple(p % nd for p in perm)
    if sorted(perm) != list(range(nd)):
        raise RuntimeError(f"permute(): dims {list(perm)} are not a permutation of {nd} dims")
    return Transpose.apply(a, perm=perm)


def swapaxes(a: Any, i: int, j: int) -> Any:
    """Exchange two axes."""
    perm = list(range(a.data.ndim))
    i, j = normalize_axes(i, a.data.ndim)[0], normalize_axes(j, a.data.ndim)[0]
    perm[i], perm[j] = perm[j], perm[i]
    return Transpose.apply(a, perm=tuple(perm))


def expand(a: Any, shape: Sequence[int]) -> Any:
    """Broadcast to a larger shape without copying."""
    shape = tuple(int(s) for s in shape)
    try:
        np.broadcast_shapes(a.data.shape, shape)
        if np.broadcast_shapes(a.data.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise _fail(a, _expand_error(a.data.shape, shape)) from None
    return Expand.apply(a, shape=shape)


def _expand_error(have: tuple[int, ...], target: tuple[int, ...]) -> ShapeError:
    lead = len(target) - len(have)
    if lead < 0:
        msg = (
            f"the number of sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(have)})"
        )
        return ShapeError("expand", msg, kind="ndim", shape=have, target=target)
    d = next(i for i in range(len(target)) if i >= lead and have[i - lead] not in (1, target[i]))
    msg = (
        f"The expanded size of the tensor ({target[d]}) must match the existing size ({have[d - lead]}) at "
        f"non-singleton dimension {d}.  Target sizes: {list(target)}.  Tensor sizes: {list(have)}"
    )
    sizes = (target[d], have[d - lead])
    return ShapeError("expand", msg, kind="size", shape=have, target=target, dim=d, sizes=sizes)


def plain_index(idx: Any) -> Any:
    """An index with Tensors and lists turned into the arrays numpy indexes with."""
    if isinstance(idx, tuple):
        return tuple(plain_index(i) for i in idx)
    if isinstance(idx, TensorBase):
        return idx.data
    if isinstance(idx, list):
        return np.asarray(idx)
    return idx


def getitem(a: Any, idx: Any) -> Any:
    """a[idx]: basic and integer/boolean-array indexing."""
    idx = plain_index(idx)
    try:
        return GetItem.apply(a, idx=idx)
    except IndexError as e:
        err = index_error(a.data.shape, idx)
        raise (IndexError(str(e)) if err is None else _fail(a, err)) from None


def stack(tensors: Sequence[Any], axis: int = 0) -> Any:
    """Join along a new axis."""
    tensors = list(tensors)
    if not tensors:
        raise stack_error([])
    nd = tensors[0].data.ndim + 1
    return Stack.apply(*tensors, axis=normalize_axes(axis, nd)[0])


def concat(tensors: Sequence[Any], axis: int = 0) -> Any:
    """Join along an existing axis."""
    tensors = list(tensors)
    if not tensors or any(not t.data.ndim for t in tensors):
        raise _fail(tensors, concat_error([t.data.shape for t in tensors], 0))
    return Concat.apply(*tensors, axis=normalize_axes(axis, tensors[0].data.ndim)[0])


def split(a: Any, sizes: int | Sequence[int], axis: int = 0) -> tuple[Any, ...]:
    """Split into chunks of `sizes` (an int: equal chunks, the last possibly smaller)."""
    axis = normalize_axes(axis, a.data.ndim)[0]
    n = a.data.shape[axis]
    if isinstance(sizes, (int, np.integer)):
        sizes = [int(sizes)] * (n // int(sizes)) + ([n % int(sizes)] if n % int(sizes) else [])
    sizes = tuple(int(s) for s in sizes)
    if sum(sizes) != n:
        msg = (
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
            f"dimension {axis}), but got split_sizes={list(sizes)}"
        )
        raise _fail(a, ShapeError("split", msg, kind="sum", sizes=sizes, size=n, dim=axis))
    return Split.apply(a, sizes=sizes, axis=axis)


def unbind(a: Any, axis: int = 0) -> tuple[Any, ...]:
    """All slices along an axis, as a tuple (one node, so backward stacks once)."""
    return Unbind.apply(a, axis=normalize_axes(axis, a.data.ndim)[0])
