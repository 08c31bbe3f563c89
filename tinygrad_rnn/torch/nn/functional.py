"""torch.nn.functional: the core's composites under torch's names and signatures."""

from __future__ import annotations

from typing import Any

from ... import functional as _F
from ... import ops
from .._tensor import Tensor
from .modules import cross_entropy, mse_loss

__all__ = [
    "cross_entropy",
    "dropout",
    "linear",
    "log_softmax",
    "mse_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight^T + bias."""
    return _F.linear(input, weight, bias)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0)."""
    return ops.relu(input)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return ops.tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    """Logistic sigmoid."""
    return ops.sigmoid(input)


def _dim(dim: Any, ndim: int) -> int:
    # torch's legacy implicit dim (with a deprecation warning there): 0 for 0-, 1- and 3-D, else 1
    if dim is not None:
        return dim
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """exp / sum(exp) along dim."""
    x = input if dtype is None else input.to(dtype)
    return _F.softmax(x, _dim(dim, x.data.ndim))


def log_softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """log(softmax) along dim."""
    x = input if dtype is None else input.to(dtype)
    return _F.log_softmax(x, _dim(dim, x.data.ndim))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero elements with probability p (scaled by 1/(1-p)) when training."""
    return _F.dropout(input, p, training)
