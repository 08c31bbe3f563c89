"""Primitive ops: each a Node subclass with its numpy forward and its backward rule side by side.

Every op class says its math in its first docstring line, e.g. for Tanh

    y = tanh(a);  da = g * (1 - y^2)

(g is the gradient arriving at the output y, da the one the rule returns for input a), and its
public function follows it (`tanh(a)` right after `class Tanh`). Read the modules in this order:

* base.py: `ArrayNamespace`, the namespace `F` every backward rule is written against, and the
  handling of number operands (`add(x, 2.0)`) the public functions share;
* unary.py: elementwise y = f(a) (neg, exp, log, tanh, sigmoid, relu, sqrt, abs, clip, cast);
* binary.py: elementwise y = f(a, b) with broadcasting (add, sub, mul, div, remainder, pow, maximum,
  minimum, where);
* matmul.py: matmul and addmm;
* reductions.py: sum, mean, max, min;
* movement.py: reshape, transpose, expand, getitem / scatter, stack, concat, split, unbind;
* namespaces.py: the two `F`s, NUMPY_F (plain arrays) and TENSOR_F (these ops on Tensors, for
  create_graph=True), so every rule is automatically differentiable again.

Composites (softmax, losses, ...) live in functional.py and are built from these functions.
docs/contributing.md shows how to add an op.
"""

from .base import ArrayNamespace, const_array
from .binary import (
    Add,
    Div,
    FloorDivide,
    Maximum,
    Minimum,
    Mul,
    Pow,
    PowTensor,
    Remainder,
    RemainderTensor,
    Sub,
    Where,
    add,
    div,
    maximum,
    minimum,
    mul,
    pow_,
    remainder,
    sub,
    where,
)
from .matmul import Addmm, Matmul, addmm, matmul
from .movement import (
    Concat,
    Expand,
    GetItem,
    Reshape,
    Scatter,
    Split,
    Stack,
    Transpose,
    Unbind,
    concat,
    expand,
    getitem,
    plain_index,
    reshape,
    split,
    stack,
    swapaxes,
    transpose,
    unbind,
)
from .namespaces import NUMPY_F, TENSOR_F
from .reductions import Max, MaxAll, Mean, Min, MinAll, Sum, max_, max_all, mean, min_, min_all, sum_
from .unary import (
    OBJECT_MATH,
    UNARY_MATH,
    Abs,
    Cast,
    Clip,
    Exp,
    Log,
    Neg,
    Relu,
    ReluBackward,
    Sigmoid,
    SigmoidBackward,
    Sqrt,
    Tanh,
    UnaryMath,
    abs,
    cast,
    clip,
    exp,
    log,
    neg,
    np_abs,
    np_exp,
    np_log,
    np_relu,
    np_relu_mask,
    np_sigmoid,
    np_sign,
    np_sqrt,
    np_tanh,
    relu,
    sigmoid,
    sqrt,
    tanh,
)

__all__ = [
    # the F namespaces and their protocol
    "ArrayNamespace",
    "NUMPY_F",
    "TENSOR_F",
    # elementwise unary
    "UNARY_MATH",
    "UnaryMath",
    "Neg",
    "neg",
    "Exp",
    "exp",
    "Log",
    "log",
    "Tanh",
    "tanh",
    "Sigmoid",
    "sigmoid",
    "SigmoidBackward",
    "Relu",
    "relu",
    "ReluBackward",
    "Sqrt",
    "sqrt",
    "Abs",
    "abs",
    "Clip",
    "clip",
    "Cast",
    "cast",
    "OBJECT_MATH",
    "np_exp",
    "np_log",
    "np_tanh",
    "np_sigmoid",
    "np_relu",
    "np_relu_mask",
    "np_sqrt",
    "np_abs",
    "np_sign",
    # elementwise binary
    "Add",
    "add",
    "Sub",
    "sub",
    "Mul",
    "mul",
    "Div",
    "div",
    "FloorDivide",
    "Remainder",
    "RemainderTensor",
    "remainder",
    "Pow",
    "PowTensor",
    "pow_",
    "Maximum",
    "maximum",
    "Minimum",
    "minimum",
    "Where",
    "where",
    "const_array",
    # matmul
    "Matmul",
    "matmul",
    "Addmm",
    "addmm",
    # reductions
    "Sum",
    "sum_",
    "Mean",
    "mean",
    "Max",
    "max_",
    "Min",
    "min_",
    "MaxAll",
    "max_all",
    "MinAll",
    "min_all",
    # movement
    "Reshape",
    "reshape",
    "Transpose",
    "transpose",
    "swapaxes",
    "Expand",
    "expand",
    "GetItem",
    "getitem",
    "plain_index",
    "Scatter",
    "Stack",
    "stack",
    "Concat",
    "concat",
    "Split",
    "split",
    "Unbind",
    "unbind",
]
