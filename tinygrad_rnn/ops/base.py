"""What every op family shares: the namespace `F` that backward rules are written against, and the
dispatch of the public functions' non-Tensor operands.

A backward rule never calls numpy directly. It calls `F.<name>`, where `F` is one of the two
namespaces in namespaces.py: `NUMPY_F` (plain arrays, a fast backward that records nothing) or
`TENSOR_F` (these very ops on Tensors, recorded, for `create_graph=True`). `ArrayNamespace` below
lists what both provide; Python operators (`g * y`, `1 - y`, `-g`, `g / b`) work on both kinds of
value and need no `F`.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeAlias, runtime_checkable

import numpy as np

from .._shapes import broadcast_error
from ..tape import Node, ShapeError, TensorBase

# A value inside a backward rule: an np.ndarray under NUMPY_F, a Tensor under TENSOR_F.
Value: TypeAlias = Any
Shape: TypeAlias = tuple[int, ...]

OBJECT = np.dtype(object)  # sympy expressions live in object arrays (see tinygrad_rnn.symbolic)


@runtime_checkable
class ArrayNamespace(Protocol):
    """The array functions `F` a backward rule may call; NUMPY_F and TENSOR_F both provide them."""

    tensor_mode: bool  # True for TENSOR_F: values are Tensors and every call is recorded

    def const(self, a: np.ndarray, like: Any) -> Value:
        """`a` as a value of this namespace (a Tensor outside any graph under TENSOR_F)."""

    def data(self, x: Value) -> np.ndarray:
        """The numpy array behind a value (for masks and tests, never differentiated)."""

    def zeros(self, shape: Shape, like: Value) -> Value:
        """Zeros of `shape` with the dtype of `like`."""

    def sum(self, x: Value, axes: tuple[int, ...], keepdims: bool) -> Value: ...
    def reshape(self, x: Value, shape: Shape) -> Value: ...
    def broadcast_to(self, x: Value, shape: Shape) -> Value: ...
    def transpose(self, x: Value, perm: tuple[int, ...]) -> Value: ...
    def swap(self, x: Value) -> Value:
        """Exchange the last two axes."""

    def matmul(self, a: Value, b: Value) -> Value: ...
    def matmul_tn(self, a: Value, g: Value) -> Value:
        """a^T @ g for 2-D operands (NUMPY_F may return it unevaluated: product_sum.py)."""

    def matmul_nt(self, g: Value, b: Value) -> Value:
        """g @ b^T for 2-D operands."""

    def end_walk(self) -> None:
        """Called by the engine when a backward walk ends (drop per-walk caches)."""

    def pow(self, a: Value, b: Value) -> Value: ...
    def floor_divide(self, a: Value, b: Value) -> Value:
        """floor(a / b) (its gradient is zeros, as torch's)."""

    def pow_scalar(self, a: Value, e: Any) -> Value:
        """a ** e for a number e, with torch's sqrt kernels for e = +-0.5."""

    # one entry per elementwise math op (unary.UNARY_MATH), derived from the op class
    def exp(self, a: Value) -> Value: ...
    def log(self, a: Value) -> Value: ...
    def tanh(self, a: Value) -> Value: ...
    def sigmoid(self, a: Value) -> Value: ...
    def relu(self, a: Value) -> Value: ...
    def sqrt(self, a: Value) -> Value: ...
    def abs(self, a: Value) -> Value: ...

    def where(self, mask: np.ndarray, a: Value, b: Value) -> Value: ...
    def select(self, mask: np.ndarray, g: Value) -> Value:
        """g where mask, else 0: a select, never g * mask (inf * 0 would be NaN)."""

    def sigmoid_backward(self, g: Value, y: Value) -> Value: ...
    def relu_backward(self, g: Value, a: Value) -> Value: ...
    def cast(self, x: Value, dtype: Any) -> Value: ...
    def getitem(self, x: Value, idx: Any) -> Value: ...
    def scatter(self, g: Value, idx: Any, shape: Shape) -> Value: ...
    def stack(self, xs: list[Value], axis: int) -> Value: ...
    def concat(self, xs: list[Value], axis: int) -> Value: ...
    def split(self, x: Value, sizes: list[int], axis: int) -> tuple[Value, ...]: ...
    def unbind(self, x: Value, axis: int) -> tuple[Value, ...]: ...


def nd(x: Any) -> Any:
    """Arithmetic on 0-d object arrays returns the bare object (e.g. a sympy expression): re-wrap it.

    Node.apply does this for every forward's result; NUMPY_F's helpers call it for theirs."""
    return x if isinstance(x, (np.ndarray, np.generic)) else np.asarray(x, dtype=object)


def check_broadcast(op: str, *arrays: Any) -> None:
    """Raise the ShapeError when numpy failed because the operands do not broadcast."""
    err = broadcast_error(op, *(np.shape(x) for x in arrays))
    if err is not None:
        raise err from None


def fail(x: Any, err: ShapeError) -> ShapeError:
    """`err` worded by the Tensor class of x (or of x's first Tensor when x is a sequence)."""
    if not isinstance(x, TensorBase):
        x = next((t for t in x if isinstance(t, TensorBase)), None)
    return err if x is None else x.result_type.op_error(err)


# float dtype -> the integer of the same width, for np_zero_where's bitwise select
_BITS = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


def np_zero_where(off: Any, g: Any) -> Any:
    """g with 0 where `off`: a select, so an inf or NaN in g there is dropped, not multiplied by 0."""
    bits = _BITS.get(g.dtype)
    if bits is not None and g.size >= 4096:
        # AND each float's bits with zeros or all-ones: exact, and ~3x faster than np.where on a
        # large unpredictable mask (np.where is faster on small arrays)
        return np.bitwise_and(g.view(bits), np.subtract(off, 1, dtype=bits)).view(g.dtype)
    if g.dtype is OBJECT:  # sympy: 0/1 products keep expressions exact (and hold no inf)
        return nd(g * np.logical_not(off).astype(np.int8))
    return np.where(off, g.dtype.type(0), g)


# ---------------------------------------------------------------------------------------------
# Non-Tensor operands of the public functions (add(x, 2.0), where(m, x, 0.0), ...)
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


def binary(cls: type[Node], a: Any, b: Any) -> Any:
    """cls.apply(a, b) with a number or array operand turned into an array of the Tensor's dtype."""
    if isinstance(a, TensorBase):
        if not isinstance(b, TensorBase):
            b = const_array(b, a.array.dtype)
    elif isinstance(b, TensorBase):
        a = const_array(a, b.array.dtype)
    return cls.apply(a, b)
