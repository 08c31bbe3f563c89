"""Weight gradients of many matrix products, summed as one GEMM (batched accumulation).

A weight W that is the right operand of T products y_t = a_t @ W (an RNN's W_hh at every time
step, a tied embedding, ...) gets the gradient

    dW = a_1^T g_1 + a_2^T g_2 + ... + a_T^T g_T = [a_1; ...; a_T]^T [g_1; ...; g_T]

Computed term by term that is T small GEMMs and T passes over a weight-sized sum; with the rows
stacked it is one GEMM, which BLAS runs near its peak. So a matmul's backward rule asks for
`F.matmul_t(a, g)` (a^T @ g) and the plain namespace answers with a `ProductSum` holding the two
factors. The backward walk adds ProductSums into each other (collecting the factors) and turns
the sum into an array when the node that consumes it runs, i.e. when the weight's gradient is
complete. The result is the same sum in another rounding order.

Memory stays bounded: the factors a_t are saved activations the graph holds anyway, the g_t are
gradients the walk would have computed anyway, and once the pending factors pass `FLUSH_BYTES`
they are multiplied and folded into a dense partial sum. The stacked copies a flush makes are the
only extra memory, so the bound is small. Measured on the benchmark's W4 (seq 200, batch 64,
256 -> 512): peak RSS of one forward+backward 100.1 MiB at 16 MiB (its 8 MiB stacks fit no hole the
walk had freed), 81.9 at 4 MiB, 78.9 at 2 MiB; 200 products of its shapes sum in 46-52 ms at
16 MiB and 43-47 ms at 2 MiB (512 stacked rows per GEMM are still plenty).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FLUSH_BYTES = 2 * 2**20  # pending factor bytes before a partial GEMM (the docstring says why 2 MiB)


class ProductSum:
    """dense + sum_t a_t^T g_t, with the products not yet computed (2-D float a_t and g_t)."""

    __slots__ = ("a", "g", "dense", "owned", "nbytes", "shape", "dtype")

    def __init__(self, a: np.ndarray, g: np.ndarray):
        self.a = [a]
        self.g = [g]
        self.dense: np.ndarray | None = None
        self.owned = False  # is `dense` an array made here, so safe to add into in place?
        self.nbytes = a.nbytes + g.nbytes
        self.shape = (a.shape[1], g.shape[1])
        self.dtype = a.dtype if a.dtype == g.dtype else np.result_type(a, g)

    def add(self, other: Any) -> ProductSum | np.ndarray:
        """self + other (a ProductSum or an array), reusing self where the factors stack."""
        if type(other) is ProductSum:
            if other.dtype != self.dtype or other.shape != self.shape:
                return self.evaluate() + other.evaluate()
            self.a += other.a
            self.g += other.g
            self.nbytes += other.nbytes
            if other.dense is not None:
                self._add_dense(other.dense, other.owned)
            if self.nbytes > FLUSH_BYTES:
                self._flush()
            return self
        if np.shape(other) != self.shape:  # broadcasting sums are rare: just evaluate
            return self.evaluate() + other
        self._add_dense(other, False)
        return self

    def evaluate(self) -> np.ndarray:
        """The sum as an array: one GEMM over the stacked factors, plus the dense part."""
        self._flush()
        return self.dense

    def _flush(self) -> None:
        if not self.a:
            return
        if len(self.a) == 1:
            part = np.matmul(self.a[0].T, self.g[0])
        else:
            part = np.matmul(np.concatenate(self.a).T, np.concatenate(self.g))
        self.a, self.g, self.nbytes = [], [], 0
        self._add_dense(part, True)

    def _add_dense(self, x: np.ndarray, owned: bool) -> None:
        if self.dense is None:
            self.dense, self.owned = x, owned
        elif self.owned and self.dense.dtype == np.result_type(self.dense, x):
            np.add(self.dense, x, out=self.dense)
        else:
            self.dense, self.owned = self.dense + x, True


def product_sum(a: np.ndarray, g: np.ndarray) -> ProductSum | np.ndarray:
    """a^T @ g, deferred when it can be batched (2-D floats), computed now otherwise."""
    if a.ndim == 2 and g.ndim == 2 and a.dtype.kind in "fc" and g.dtype.kind in "fc":
        return ProductSum(a, g)
    return np.matmul(np.swapaxes(a, -1, -2), g)


def evaluate(x: Any) -> Any:
    """An array for a ProductSum; anything else unchanged."""
    return x.evaluate() if type(x) is ProductSum else x
