"""Matrix products: matmul (1-D, 2-D and batched with broadcast batch dims) and addmm.

For y = a @ b the gradients are da = g @ b^T and db = a^T @ g: each output element is a dot
product of a row of a and a column of b, so it sends g times the other operand to each.
The 2-D rules call `F.matmul_nt(g, b)` (g @ b^T) and `F.matmul_tn(a, g)` (a^T @ g; BLAS's names):
the plain namespace runs the first on a contiguous copy of b^T made once per backward, and
returns the second unevaluated so that the walk sums a weight's T products as one GEMM
(product_sum.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._shapes import broadcast_error, matmul_error, unbroadcast
from ..tape import Node, TensorBase
from .base import ArrayNamespace, Value, binary, const_array


def _check_matmul(a: np.ndarray, b: np.ndarray) -> None:
    """Raise the ShapeError when numpy failed because the operands cannot be multiplied."""
    err = matmul_error(np.shape(a), np.shape(b))
    if err is not None:
        raise err from None


class Matmul(Node):
    """y = a @ b;  da = g @ b^T,  db = a^T @ g  (1-D operands promoted, batch dims summed back)"""

    name = "MatmulBackward0"
    input_names = ("self", "mat2")
    keep_inputs = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 2 and b.ndim == 2:
            self.name = "MmBackward0"
        elif a.ndim == 1 and b.ndim == 1:
            self.name = "DotBackward0"
        try:
            return np.matmul(a, b)
        except ValueError:
            _check_matmul(a, b)
            raise

    def backward(self, F: ArrayNamespace, g: Value) -> tuple[Value | None, Value | None]:
        a, b = self.args(F)
        sa, sb = self.shapes
        if len(sa) == 2 and len(sb) == 2:  # the common case, kept short and fast
            ga = F.matmul_nt(g, b) if self.needs(0) else None
            gb = F.matmul_tn(a, g) if self.needs(1) else None
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


def matmul(a: Any, b: Any) -> Any:
    """Matrix product with numpy's 1-D / batched rules."""
    return binary(Matmul, a, b)


class Addmm(Node):
    """y = c + a @ b (2-D a, b);  dc = g,  da = g @ b^T,  db = a^T @ g

    One node (torch's addmm) for what would be a Matmul and an Add: an RNN step is addmm then tanh.
    """

    name = "AddmmBackward0"
    input_names = ("self", "mat1", "mat2")
    # not `self`: its gradient is g whatever its value, and an RNN's self is a step of the input
    # projection, whose (T, B, H) base could otherwise not be freed until the walk ends (as torch)
    keep_inputs = (1, 2)

    def forward(self, c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            m = np.matmul(a, b)
        except ValueError:
            _check_matmul(a, b)
            raise
        cs = c.shape  # (not np.shape: its dispatch costs more than the test)
        if cs == m.shape and (c.dtype is m.dtype or c.dtype == m.dtype):  # an RNN step's case: T times
            m += c  # m is fresh: add in place, saving one allocation
            return m
        err = broadcast_error("addmm", cs, m.shape)
        if err is not None:
            raise err
        if np.result_type(m, c) == m.dtype and np.broadcast_shapes(m.shape, cs) == m.shape:
            return np.add(m, c, out=m)
        return m + c

    def backward(self, F: ArrayNamespace, g: Value) -> tuple[Value | None, Value | None, Value | None]:
        _, a, b = self.args(F)  # (self is not saved)
        gc = unbroadcast(F, g, self.shapes[0]) if self.next[0] is not None else None
        ga = F.matmul_nt(g, b) if self.next[1] is not None else None
        gb = F.matmul_tn(a, g) if self.next[2] is not None else None
        return gc, ga, gb


def addmm(c: Any, a: Any, b: Any) -> Any:
    """c + a @ b with 2-D a and b, as one node."""
    if a.array.ndim != 2 or b.array.ndim != 2:
        raise RuntimeError(f"addmm: expected 2-D matrices, got {a.array.ndim}-D and {b.array.ndim}-D")
    if not isinstance(c, TensorBase):
        c = const_array(c, a.array.dtype)
    return Addmm.apply(c, a, b)
