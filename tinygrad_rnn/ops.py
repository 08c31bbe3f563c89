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

from ._shapes import keepdims_shape, normalize_axes, unbroadcast
from .tape import Node, TensorBase, _wrap

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


def _nd(x: Any) -> Any:
    """Arithmetic on 0-d object arrays returns the bare object (e.g. a sympy expression): re-wrap it."""
    return x if isinstance(x, (np.ndarray, np.generic)) else np.asarray(x, dtype=object)


# ---------------------------------------------------------------------------------------------
# Elementwise binary ops (numpy broadcasting; gradients summed back with unbroadcast)
# ---------------------------------------------------------------------------------------------
class Add(Node):
    name = "AddBackward0"

    def forward(self, a, b):
        return _nd(a + b)

    def backward(self, F, g):
        sa, sb = self.shapes
        ga = unbroadcast(F, g, sa) if self.next[0] is not None else None
        return ga, unbroadcast(F, g, sb) if self.next[1] is not None else None


class Sub(Node):
    name = "SubBackward0"

    def forward(self, a, b):
        return _nd(a - b)

    def backward(self, F, g):
        sa, sb = self.shapes
        ga = unbroadcast(F, g, sa) if self.next[0] is not None else None
        return ga, unbroadcast(F, -g, sb) if self.next[1] is not None else None


class Mul(Node):
    name = "MulBackward0"
    keep_inputs = True

    def forward(self, a, b):
        return _nd(a * b)

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
        return _nd(a / b)

    def backward(self, F, g):
        a, b = self.args(F)
        sa, sb = self.shapes
        ga = unbroadcast(F, g / b, sa) if self.needs(0) else None
        gb = unbroadcast(F, -g * a / (b * b), sb) if self.needs(1) else None
        return ga, gb


class Pow(Node):
    name = "PowBackward0"
    keep_inputs = True

    def forward(self, a, b):
        return _nd(a**b)

    def backward(self, F, g):
        a, b = self.args(F)
        sa, sb = self.shapes
        ga = gb = None
        if self.needs(0):
            bd = F.data(b)
            if not np.any(bd):  # d/da a**0 is 0 everywhere (not 0 * a**-1, which is nan at 0)
                ga = F.zeros(sa, g)
            else:
                ga = unbroadcast(F, g * b * F.pow(a, b - 1), sa)
        if self.needs(1):
            # where a == 0 and b >= 0 the limit of a**b * log(a) is 0 (as torch defines it)
            ad, bd = F.data(a), F.data(b)
            lim = (ad == 0) & (bd >= 0)
            keep = F.const((~lim).astype(ad.dtype), g)
            safe = a * keep + F.const(lim.astype(ad.dtype), g)  # a, or 1 where the limit is taken
            gb = unbroadcast(F, g * F.pow(a, b) * F.log(safe) * keep, sb)
        return ga, gb


class PowTensor(Pow):
    """a ** b where the exponent is a Tensor too (torch's second pow overload)."""

    name = "PowBackward1"


class Maximum(Node):
    name = "MaximumBackward0"
    keep_inputs = True
    pick = staticmethod(np.greater)

    def forward(self, a, b):
        return np.maximum(a, b) if self.pick is np.greater else np.minimum(a, b)

    def backward(self, F, g):
        a, b = self.args(F)
        ad, bd = F.data(a), F.data(b)
        # ties split the gradient in half, as torch does
        wa = (self.pick(ad, bd) + (ad == bd) / 2).astype(g.dtype)
        wb = (1 - wa).astype(g.dtype)  # 0-d: numpy scalar arithmetic would promote to float64
        ga = unbroadcast(F, g * F.const(wa, g), self.shapes[0]) if self.needs(0) else None
        gb = unbroadcast(F, g * F.const(wb, g), self.shapes[1]) if self.needs(1) else None
        return ga, gb


class Minimum(Maximum):
    name = "MinimumBackward0"
    pick = staticmethod(np.less)


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
        y = self.output(F)
        return g * y * (1 - y)


class Relu(Node):
    name = "ReluBackward0"
    keep_inputs = True

    def forward(self, a):
        return np_relu(a)

    def backward(self, F, g):
        (a,) = self.args(F)
        return g * F.const(np_relu_mask(F.data(a)), g)


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
        return g * F.const(m.astype(g.dtype), g)


class Where(Node):
    name = "WhereBackward0"

    def forward(self, a, b, cond=None):
        return np.where(cond, a, b)

    def backward(self, F, g):
        # object arrays (sympy) take 0/1, not Python bools
        m = np.broadcast_to(self.kw["cond"], g.shape).astype(np.int8 if g.dtype == object else g.dtype)
        ga = unbroadcast(F, g * F.const(m, g), self.shapes[0]) if self.needs(0) else None
        mb = (1 - m).astype(g.dtype)  # 0-d: numpy scalar arithmetic would promote to float64
        gb = unbroadcast(F, g * F.const(mb, g), self.shapes[1]) if self.needs(1) else None
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
    keep_inputs = True

    def forward(self, a, b):
        if a.ndim == 2 and b.ndim == 2:
            self.name = "MmBackward0"
        elif a.ndim == 1 and b.ndim == 1:
            self.name = "DotBackward0"
        return _nd(np.matmul(a, b))

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
    keep_inputs = True

    def forward(self, c, a, b):
        m = np.matmul(a, b)
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


class Max(Node):
    name = "AmaxBackward0"
    keep_inputs = True
    keep_output = True
    reduce = staticmethod(np.max)

    def forward(self, a, axes=(), keepdims=False):
        if a.size == 0:
            raise RuntimeError(
                f"{type(self).__name__.lower()}(): Expected reduction dim to be specified for "
                "input.numel() == 0. Specify the reduction dim with the 'dim' argument."
            )
        return np.asarray(self.reduce(a, axis=axes, keepdims=keepdims))

    def backward(self, F, g):
        (shape,) = self.shapes
        kshape = keepdims_shape(shape, self.kw["axes"])
        xd = F.data(self.args(F)[0])
        mask = xd == np.reshape(self.out, kshape)
        # ties share the gradient evenly (amax/amin semantics)
        w = (mask / np.sum(mask, axis=self.kw["axes"], keepdims=True)).astype(g.dtype)
        return F.broadcast_to(F.reshape(g, kshape), shape) * F.const(w, g)


class Min(Max):
    name = "AminBackward0"
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
        return np.stack(arrays, axis=axis)

    def backward(self, F, g):
        return tuple(F.unbind(g, self.kw["axis"]))


class Concat(Node):
    name = "CatBackward0"

    def forward(self, *arrays, axis=0):
        return np.concatenate(arrays, axis=axis)

    def backward(self, F, g):
        axis = self.kw["axis"]
        sizes = [s[axis] for s in self.shapes]
        return tuple(F.split(g, sizes, axis))


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
        return _wrap(proto, np.asarray(a), None, 0)

    @staticmethod
    def data(x):
        return x.data

    @staticmethod
    def zeros(shape, like):
        return _wrap(like.result_type, np.zeros(shape, dtype=like.data.dtype), None, 0)

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
    axes = _reduce_axes(axis, a.data.ndim)
    n = int(np.prod([a.data.shape[i] for i in axes])) if axes else 1
    return div(Sum.apply(a, axes=axes, keepdims=keepdims), n)


def max_(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Max over the given axes."""
    return Max.apply(a, axes=_reduce_axes(axis, a.data.ndim), keepdims=keepdims)


def min_(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Min over the given axes."""
    return Min.apply(a, axes=_reduce_axes(axis, a.data.ndim), keepdims=keepdims)


def reshape(a: Any, shape: Sequence[int]) -> Any:
    """Same data, new shape (one -1 allowed)."""
    shape = tuple(int(s) for s in shape)
    size = a.data.size
    known = int(np.prod([s for s in shape if s != -1]))
    if shape.count(-1) > 1 or any(s < -1 for s in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    if -1 in shape:
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    elif known != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
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
        raise RuntimeError(
            f"The expanded size of the tensor must match the existing size: cannot expand "
            f"{list(a.data.shape)} to {list(shape)}"
        ) from None
    return Expand.apply(a, shape=shape)


def _plain_index(idx: Any) -> Any:
    if isinstance(idx, tuple):
        return tuple(_plain_index(i) for i in idx)
    if isinstance(idx, TensorBase):
        return idx.data
    if isinstance(idx, list):
        return np.asarray(idx)
    return idx


def getitem(a: Any, idx: Any) -> Any:
    """a[idx]: basic and integer/boolean-array indexing."""
    idx = _plain_index(idx)
    try:
        a.data[idx]
    except IndexError as e:
        raise IndexError(str(e)) from None
    return GetItem.apply(a, idx=idx)


def stack(tensors: Sequence[Any], axis: int = 0) -> Any:
    """Join along a new axis."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    nd = tensors[0].data.ndim + 1
    return Stack.apply(*tensors, axis=normalize_axes(axis, nd)[0])


def concat(tensors: Sequence[Any], axis: int = 0) -> Any:
    """Join along an existing axis."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    return Concat.apply(*tensors, axis=normalize_axes(axis, tensors[0].data.ndim)[0])


def split(a: Any, sizes: int | Sequence[int], axis: int = 0) -> tuple[Any, ...]:
    """Split into chunks of `sizes` (an int: equal chunks, the last possibly smaller)."""
    axis = normalize_axes(axis, a.data.ndim)[0]
    n = a.data.shape[axis]
    if isinstance(sizes, (int, np.integer)):
        sizes = [int(sizes)] * (n // int(sizes)) + ([n % int(sizes)] if n % int(sizes) else [])
    sizes = tuple(int(s) for s in sizes)
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
            f"dimension {axis}), but got split_sizes={list(sizes)}"
        )
    return Split.apply(a, sizes=sizes, axis=axis)


def unbind(a: Any, axis: int = 0) -> tuple[Any, ...]:
    """All slices along an axis, as a tuple (one node, so backward stacks once)."""
    return Unbind.apply(a, axis=normalize_axes(axis, a.data.ndim)[0])
