"""The two array namespaces the backward rules run on (both satisfy base.ArrayNamespace).

* `NUMPY_F`: plain numpy on the saved arrays. Nothing is recorded and nothing is allocated that
  is not needed: the ordinary, fast backward.
* `TENSOR_F`: the ops of this package on Tensors. With recording on (`create_graph=True`) every
  step of a backward rule is itself recorded, so the gradient is a Tensor with a graph and can be
  differentiated again, with no second set of rules.

The entries of the elementwise math ops (F.exp, F.log, F.tanh, ...) are not written here: they are
derived from unary.UNARY_MATH at the bottom (the kernel for NUMPY_F, the recorded op for TENSOR_F).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..product_sum import product_sum
from ..tape import make_tensor
from .base import Shape, np_zero_where
from .binary import FloorDivide, Pow, Where, np_floor_divide, np_pow_scalar, pow_
from .matmul import Matmul
from .movement import Concat, Expand, GetItem, Reshape, Scatter, Split, Stack, Transpose, Unbind, np_scatter
from .reductions import Sum
from .unary import UNARY_MATH, Cast, ReluBackward, SigmoidBackward, np_relu_backward, np_sigmoid_backward


class TransposeCache:
    """Contiguous copies of 2-D matrices' transposes, each kept while its matrix lives.

    A weight used at every time step is the same array in T backward products; copying its
    transpose once instead of handing BLAS a strided view T times is measurably faster. The
    engine clears the cache after each backward walk, so no copy outlives the walk.
    """

    def __init__(self) -> None:
        self.copies: dict[int, tuple[Any, np.ndarray]] = {}

    def get(self, b: np.ndarray) -> np.ndarray:
        """b^T (last two axes), contiguous for a 2-D float b."""
        if b.ndim != 2 or b.dtype.kind not in "fc":
            return np.swapaxes(b, -1, -2)
        hit = self.copies.get(id(b))
        if hit is not None and hit[0]() is b:
            return hit[1]
        key = id(b)
        ref = weakref.ref(b, lambda _r, key=key: self.copies.pop(key, None))
        self.copies[key] = (ref, bt := np.ascontiguousarray(b.T))
        return bt

    def clear(self) -> None:
        """Forget every copy (the end of a backward walk)."""
        self.copies.clear()


TRANSPOSES = TransposeCache()


class NUMPY_F:
    """Backward on plain arrays: nothing recorded, nothing allocated that is not needed."""

    tensor_mode = False

    @staticmethod
    def const(a: np.ndarray, like: Any) -> np.ndarray:
        return a

    @staticmethod
    def data(x: np.ndarray) -> np.ndarray:
        return x

    @staticmethod
    def zeros(shape: Shape, like: np.ndarray) -> np.ndarray:
        return np.zeros(shape, dtype=like.dtype)

    @staticmethod
    def sum(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
        return np.asarray(np.sum(x, axis=axes, keepdims=keepdims))

    @staticmethod
    def where(mask: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(mask, a, b)

    @staticmethod
    def select(mask: np.ndarray, g: np.ndarray) -> np.ndarray:
        """g where mask, else 0: a select, never g * mask (inf * 0 would be NaN where torch gives 0)."""
        return np_zero_where(np.logical_not(mask), g)

    @staticmethod
    def pow_scalar(a: np.ndarray, e: Any) -> np.ndarray:
        return np_pow_scalar(a, np.asarray(e, dtype=a.dtype))

    sigmoid_backward = staticmethod(np_sigmoid_backward)
    relu_backward = staticmethod(np_relu_backward)
    reshape = staticmethod(np.reshape)
    broadcast_to = staticmethod(np.broadcast_to)
    transpose = staticmethod(np.transpose)
    matmul = staticmethod(np.matmul)
    pow = staticmethod(np.power)
    floor_divide = staticmethod(np_floor_divide)
    getitem = staticmethod(lambda x, idx: x[idx])
    scatter = staticmethod(np_scatter)

    @staticmethod
    def swap(x: np.ndarray) -> np.ndarray:
        return np.swapaxes(x, -1, -2)

    @staticmethod
    def matmul_tn(a: np.ndarray, g: np.ndarray) -> Any:
        """a^T @ g, left unevaluated (a ProductSum) so the walk can batch a weight's many products."""
        return product_sum(a, g)

    @staticmethod
    def matmul_nt(g: np.ndarray, b: np.ndarray) -> np.ndarray:
        """g @ b^T, with b^T made contiguous once per backward (BLAS is slower on the strided view)."""
        return np.matmul(g, TRANSPOSES.get(b))

    @staticmethod
    def end_walk() -> None:
        """Drop what this walk cached (the transposed copies)."""
        TRANSPOSES.clear()

    @staticmethod
    def cast(x: np.ndarray, dtype: Any) -> np.ndarray:
        return x.astype(dtype)

    @staticmethod
    def stack(xs: list[np.ndarray], axis: int) -> np.ndarray:
        return np.stack(xs, axis=axis)

    @staticmethod
    def concat(xs: list[np.ndarray], axis: int) -> np.ndarray:
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def split(x: np.ndarray, sizes: list[int], axis: int) -> list[np.ndarray]:
        return np.split(x, np.cumsum(sizes)[:-1], axis=axis)

    @staticmethod
    def unbind(x: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
        return tuple(np.moveaxis(x, axis, 0))


class TENSOR_F:
    """Backward with create_graph=True: the same rules, run as recorded Tensor ops."""

    tensor_mode = True

    @staticmethod
    def end_walk() -> None:
        """Nothing is cached when recording."""

    @staticmethod
    def const(a: np.ndarray, like: Any) -> Any:
        proto = like if isinstance(like, type) else like.result_type
        return make_tensor(proto, np.asarray(a), None, 0)

    @staticmethod
    def data(x: Any) -> np.ndarray:
        return x.array

    @staticmethod
    def zeros(shape: Shape, like: Any) -> Any:
        return make_tensor(like.result_type, np.zeros(shape, dtype=like.array.dtype), None, 0)

    @staticmethod
    def sum(x: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
        return Sum.apply(x, axes=tuple(axes), keepdims=keepdims)

    @staticmethod
    def where(mask: np.ndarray, a: Any, b: Any) -> Any:
        """A Where node, so the select is differentiable again (its backward selects too)."""
        return Where.apply(a, b, cond=np.asarray(mask, dtype=bool))

    @staticmethod
    def select(mask: np.ndarray, g: Any) -> Any:
        """g where mask, else 0, as a Where node."""
        return Where.apply(g, np.zeros((), dtype=g.array.dtype), cond=np.asarray(mask, dtype=bool))

    @staticmethod
    def pow_scalar(a: Any, e: Any) -> Any:
        return Pow.apply(a, np.asarray(e, dtype=a.array.dtype))

    sigmoid_backward = staticmethod(lambda g, y: SigmoidBackward.apply(g, y))
    relu_backward = staticmethod(lambda g, a: ReluBackward.apply(g, a))

    @staticmethod
    def reshape(x: Any, shape: Shape) -> Any:
        return Reshape.apply(x, shape=tuple(shape))

    @staticmethod
    def broadcast_to(x: Any, shape: Shape) -> Any:
        return Expand.apply(x, shape=tuple(shape))

    @staticmethod
    def transpose(x: Any, perm: tuple[int, ...]) -> Any:
        return Transpose.apply(x, perm=tuple(perm))

    @staticmethod
    def swap(x: Any) -> Any:
        perm = list(range(x.array.ndim))
        perm[-1], perm[-2] = perm[-2], perm[-1]
        return Transpose.apply(x, perm=tuple(perm))

    matmul = staticmethod(lambda a, b: Matmul.apply(a, b))
    matmul_tn = staticmethod(lambda a, g: Matmul.apply(TENSOR_F.swap(a), g))
    matmul_nt = staticmethod(lambda g, b: Matmul.apply(g, TENSOR_F.swap(b)))
    pow = staticmethod(lambda a, b: pow_(a, b))
    floor_divide = staticmethod(lambda a, b: FloorDivide.apply(a, b))
    getitem = staticmethod(lambda x, idx: GetItem.apply(x, idx=idx))
    scatter = staticmethod(lambda g, idx, shape: Scatter.apply(g, idx=idx, shape=shape))
    cast = staticmethod(lambda x, dtype: Cast.apply(x, dtype=np.dtype(dtype)))
    stack = staticmethod(lambda xs, axis: Stack.apply(*xs, axis=axis))
    concat = staticmethod(lambda xs, axis: Concat.apply(*xs, axis=axis))
    split = staticmethod(lambda x, sizes, axis: Split.apply(x, sizes=tuple(sizes), axis=axis))
    unbind = staticmethod(lambda x, axis: Unbind.apply(x, axis=axis))


# F.exp, F.log, F.tanh, ...: each elementwise math op's kernel (NUMPY_F) and recorded op (TENSOR_F)
for _name, _cls in UNARY_MATH.items():
    setattr(NUMPY_F, _name, staticmethod(_cls.kernel))
    setattr(TENSOR_F, _name, staticmethod(_cls.apply))
