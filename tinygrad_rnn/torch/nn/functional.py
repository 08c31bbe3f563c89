"""torch.nn.functional: the core's composites under torch's names and signatures."""

from __future__ import annotations

from typing import Any

from ... import functional as _F
from .. import _check
from .._tensor import Tensor
from .loss import nll_loss
from .modules import cross_entropy, dropout, mse_loss
from .sparse import embedding, one_hot

__all__ = [
    "cross_entropy",
    "dropout",
    "embedding",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight^T + bias."""
    _check.tensor("linear", "input", 1, input)
    _check.tensor("linear", "weight", 2, weight)
    if bias is not None:
        _check.tensor("linear", "bias", 3, bias)
    if weight.array.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {weight.array.ndim}D")
    _check.same_dtype(input, weight, "mat1 and mat2 must have the same dtype, but got {a} and {b}")
    if bias is not None:
        _check.same_dtype(bias, weight, "self and mat2 must have the same dtype, but got {a} and {b}")
    return _F.linear(input, weight, bias)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0)."""
    _check.tensor("relu", "input", 1, input)
    return input.relu()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return input.tanh()  # torch calls the method too (AttributeError for a non-tensor)


def sigmoid(input: Tensor) -> Tensor:
    """Logistic sigmoid."""
    return input.sigmoid()  # torch calls the method too (AttributeError for a non-tensor)


def _dim(dim: Any, ndim: int) -> int:
    # torch's legacy implicit dim (with a deprecation warning there): 0 for 0-, 1- and 3-D, else 1
    if dim is not None:
        return dim
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """exp / sum(exp) along dim."""
    x = input if dtype is None else input.to(dtype)
    return x.softmax(_dim(dim, x.array.ndim))


def log_softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """log(softmax) along dim."""
    x = input if dtype is None else input.to(dtype)
    return x.log_softmax(_dim(dim, x.array.ndim))
