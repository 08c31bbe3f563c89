"""mindspore.ops.function.math_func: elementwise arithmetic and math, matmul, and the reductions."""

from __future__ import annotations

from typing import Any

from .... import ops as core_ops
from ... import _checks as check
from ...common.tensor import Tensor
from ...common.tensor_methods import divide, mean_of
from .._utils import binary_operands, checked_matmul, extreme_values, reduction_axes, unary_operand
from .array_func import cast


def add(input: Any, other: Any) -> Tensor:
    """input + other."""
    return core_ops.add(*binary_operands("add", input, other))


def sub(input: Any, other: Any) -> Tensor:
    """input - other."""
    return core_ops.sub(*binary_operands("sub", input, other))


def mul(input: Any, other: Any) -> Tensor:
    """input * other."""
    return core_ops.mul(*binary_operands("mul", input, other))


def div(input: Any, other: Any, *, rounding_mode: Any = None) -> Tensor:
    """input / other (integers in float32); rounding_mode 'floor' / 'trunc' rounds the quotient."""
    return divide(*binary_operands("div", input, other), rounding_mode)


def floor_divide(input: Any, other: Any) -> Tensor:
    """The quotient rounded down (integers stay integer)."""
    return divide(*binary_operands("floor_divide", input, other), "floor")


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent."""
    return core_ops.pow_(*binary_operands("pow", input, exponent, ("input", "exponent")))


def neg(input: Any) -> Tensor:
    """-input."""
    return core_ops.neg(unary_operand("neg", input))


def exp(input: Any) -> Tensor:
    """e ** input."""
    return core_ops.exp(unary_operand("exp", input, True))


def log(input: Any) -> Tensor:
    """Natural logarithm."""
    return core_ops.log(unary_operand("log", input, True))


def tanh(input: Any) -> Tensor:
    """Hyperbolic tangent."""
    return core_ops.tanh(unary_operand("tanh", input, True))


def square(input: Any) -> Tensor:
    """input * input."""
    unary_operand("square", input)
    return input * input


def sqrt(x: Any) -> Tensor:
    """Square root (of integers and booleans in float32, as MindSpore)."""
    return unary_operand("sqrt", x).sqrt()


def abs(input: Any) -> Tensor:
    """|input|."""
    return unary_operand("abs", input).abs()


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise max."""
    return core_ops.maximum(*binary_operands("maximum", input, other))


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise min."""
    return core_ops.minimum(*binary_operands("minimum", input, other))


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product (numpy's rules for 1-D and batched operands)."""
    return checked_matmul("matmul", input, other)


def sum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over `dim` (all axes by default)."""
    axis = reduction_axes(dim, input, "sum", "dim")
    x = input if dtype is None else cast(input, dtype)
    return core_ops.sum_(x, axis, keepdim)


def mean(x: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    """Mean over `axis` (all axes by default)."""
    return mean_of(x, reduction_axes(axis, x, "mean"), keep_dims)


def amax(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> Tensor:
    """Max over `axis` (the values only)."""
    check.no_initial_or_where("amax", initial, where)
    return extreme_values(core_ops.max_, "amax", input, axis, keepdims)


def amin(
    input: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None, where: Any = None
) -> Tensor:
    """Min over `axis` (the values only)."""
    check.no_initial_or_where("amin", initial, where)
    return extreme_values(core_ops.min_, "amin", input, axis, keepdims)
