"""torch.nn.init: in-place initialisers (values drawn from the package generator, not torch's)."""

from __future__ import annotations

import math
from typing import Any

from ...tape import TensorBase
from .._functions import no_grad

__all__ = [
    "calculate_gain",
    "constant_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def _fill(tensor: TensorBase, fn: Any) -> TensorBase:
    with no_grad():
        return fn(tensor)


def uniform_(tensor: TensorBase, a: float = 0.0, b: float = 1.0, generator: Any = None) -> TensorBase:
    """Fill from U(a, b)."""
    return _fill(tensor, lambda t: t.uniform_(a, b))


def normal_(tensor: TensorBase, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> TensorBase:
    """Fill from N(mean, std^2)."""
    return _fill(tensor, lambda t: t.normal_(mean, std))


def constant_(tensor: TensorBase, val: float) -> TensorBase:
    """Fill with val."""
    return _fill(tensor, lambda t: t.fill_(val))


def zeros_(tensor: TensorBase) -> TensorBase:
    """Fill with 0."""
    return _fill(tensor, lambda t: t.zero_())


def ones_(tensor: TensorBase) -> TensorBase:
    """Fill with 1."""
    return _fill(tensor, lambda t: t.fill_(1.0))


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """torch's recommended gains."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fans(tensor: TensorBase) -> tuple[int, int]:
    shape = tensor.array.shape
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def xavier_uniform_(tensor: TensorBase, gain: float = 1.0, generator: Any = None) -> TensorBase:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor)
    a = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor: TensorBase, gain: float = 1.0, generator: Any = None) -> TensorBase:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))
