"""torch.Tensor's elementwise math and products (abs, exp, ..., pow, clamp, softmax, mm, dot, ...), as
a mixin of the frontend TensorBase: torch's dtype rules and checks, then one core op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional, ops
from .._shapes import broadcast_error
from ..tape import TensorBase
from . import _check, _dtype
from ._check import norm_dim


def _operand(x: Any) -> Any:
    return x.array if isinstance(x, TensorBase) else x


def _clamp_to_tensors(x: TensorBase, lo: Any, hi: Any) -> TensorBase:
    """clamp with tensor bounds: x where lo <= x <= hi, else the bound it crosses (hi wins when lo > hi).

    As torch: the gradient goes to x where it is inside, to a bound where x crosses it, and a NaN in x
    or in a bound gives NaN; the dtype is torch's result type of the tensors (0-d ones included).
    """
    target = _dtype.result_type(*[v for v in (x, lo, hi) if isinstance(v, TensorBase)])
    if target.kind in "iub" and any(isinstance(v, float) for v in (lo, hi)):
        target = _dtype.default_float()  # a Python float bound makes integers float, as in torch
    x, lo, hi = (_dtype.cast_to(v, target) for v in (x, lo, hi))
    out = x
    nan = np.zeros(np.shape(x.array), bool)
    for bound, crosses in ((lo, np.less), (hi, np.greater)):
        if bound is None:
            continue
        b = _operand(bound) if isinstance(bound, TensorBase) else np.asarray(bound, target)
        out = ops.where(crosses(out.array, b), bound if isinstance(bound, TensorBase) else b, out)
        nan = nan | (np.isnan(b) if b.dtype.kind in "fc" else False)
    nan = nan | (np.isnan(x.array) if target.kind in "fc" else False)
    # a NaN anywhere gives NaN and no gradient to anyone (torch's masks are all False there)
    return ops.where(nan, np.asarray(np.nan, target), out) if nan.any() else out


class MathMethods:
    """The math half of torch.Tensor."""

    __slots__ = ()

    # -- elementwise math ----------------------------------------------------------------------
    def abs(self) -> TensorBase:
        """|x| (gradient sign(x), 0 at 0 and at NaN; AbsBackward0 as in torch)."""
        _check.kernel("abs_cpu", self, "fciu")
        return ops.abs(self)

    def _float_in(self) -> TensorBase:
        """torch computes exp, log, ... of integer and bool tensors in float32."""
        return self.float() if self.array.dtype.kind in "iub" else self

    def exp(self) -> TensorBase:
        """e ** x."""
        return ops.exp(self._float_in())

    def log(self) -> TensorBase:
        """Natural logarithm."""
        return ops.log(self._float_in())

    def tanh(self) -> TensorBase:
        """Hyperbolic tangent."""
        return ops.tanh(self._float_in())

    def sigmoid(self) -> TensorBase:
        """Logistic sigmoid."""
        return ops.sigmoid(self._float_in())

    def relu(self) -> TensorBase:
        """max(x, 0)."""
        _check.not_bool("relu", self, "Boolean inputs not supported for relu")
        return ops.relu(self)

    def sqrt(self) -> TensorBase:
        """Square root."""
        return ops.sqrt(self._float_in())

    def square(self) -> TensorBase:
        """x * x."""
        x = self.long() if self.array.dtype == np.bool_ else self
        return ops.mul(x, x)

    def neg(self) -> TensorBase:
        """-x."""
        _check.not_bool(
            "neg",
            self,
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
            "mask, use the `~` or `logical_not()` operator instead.",
        )
        return ops.neg(self)

    def pow(self, exponent: Any) -> TensorBase:
        """x ** exponent."""
        _check.tensor_or_number("pow", "exponent", 1, exponent)
        x = self.long() if self.array.dtype == np.bool_ else self  # torch raises bools to int64 powers
        # then the arithmetic operators' promotion: torch.result_type with a Tensor exponent (float32
        # ** int64 is float32), the default float for an integer to a float power
        x, exponent = x._pair(exponent)
        return ops.pow_(x, exponent)

    def matmul(self, other: Any) -> TensorBase:
        """Matrix product with torch's broadcasting rules."""
        _check.tensor("matmul", "other", 1, other)
        if self.array.ndim == 1 and other.array.ndim == 1:
            return self.dot(other)
        _check.same_dtype(self, other, "expected m1 and m2 to have the same dtype, but got: {a} != {b}")
        return ops.matmul(self, other)

    def clamp(self, min: Any = None, max: Any = None) -> TensorBase:  # noqa: A002
        """Clamp into [min, max]."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, TensorBase) or isinstance(max, TensorBase):
            return _clamp_to_tensors(self, min, max)
        _check.number("clamp", "min", 1, min, allow_none=True)
        _check.number("clamp", "max", 2, max, allow_none=True)
        to_float = self.array.dtype.kind in "iub" and (isinstance(min, float) or isinstance(max, float))
        x = self.float() if to_float else self
        lo, hi = (_operand(v) if v is None or isinstance(v, TensorBase) else v for v in (min, max))
        return ops.clip(x, lo, hi)

    clip = clamp  # type: ignore[assignment]

    def softmax(self, dim: int) -> TensorBase:
        """exp / sum(exp) along dim."""
        d = norm_dim(dim, self.array.ndim, "softmax")
        _check.kernel("softmax_lastdim_kernel_impl", self)
        return self if self.array.size == 0 else functional.softmax(self, d)

    def log_softmax(self, dim: int) -> TensorBase:
        """log(softmax) along dim."""
        d = norm_dim(dim, self.array.ndim, "log_softmax")
        _check.kernel("log_softmax_lastdim_kernel_impl", self)
        return self if self.array.size == 0 else functional.log_softmax(self, d)

    def mm(self, mat2: Any) -> TensorBase:
        """Matrix product of two matrices."""
        _check.tensor("mm", "mat2", 1, mat2)
        if self.array.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if mat2.array.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        _check.same_dtype(self, mat2, "expected m1 and m2 to have the same dtype, but got: {a} != {b}")
        return ops.matmul(self, mat2)

    def dot(self, tensor: Any) -> TensorBase:
        """Inner product of two vectors."""
        _check.tensor("dot", "tensor", 1, tensor)
        if self.array.ndim != 1 or tensor.array.ndim != 1:
            raise RuntimeError(
                f"1D tensors expected, but got {self.array.ndim}D and {tensor.array.ndim}D tensors"
            )
        if self.array.dtype != tensor.array.dtype:
            raise RuntimeError(
                "dot : expected both vectors to have same dtype, but found "
                f"{_check.scalar_name(self)} and {_check.scalar_name(tensor)}"
            )
        return ops.matmul(self, tensor)

    def allclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
        """numpy.allclose on the values."""
        _check.tensor("allclose", "other", 1, other)
        _check.same_dtype(self, other, "{a} did not match {b}")
        err = broadcast_error("allclose", self.array.shape, other.array.shape)
        if err is not None:
            raise self.op_error(err)
        return bool(np.allclose(self.array, _operand(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def equal(self, other: Any) -> bool:
        """Same shape and values."""
        _check.tensor("equal", "other", 1, other)
        o = _operand(other)
        return self.array.shape == np.shape(o) and bool(np.all(self.array == o))
