"""mindspore.nn basics: Dense, Dropout, Flatten and the activation cells."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import functional as core_functional
from ... import ops as core_ops
from ...nn import layers as core_layers
from .. import _checks
from ..common import dtype as mstype
from ..common.initializer import HeUniform, Uniform, initializer
from ..common.tensor import Tensor
from .cell import Cell


class Dropout(Cell):
    """``Dropout(keep_prob=0.5, p=None)``: zero elements with probability p (= 1 - keep_prob) in training."""

    def __init__(self, keep_prob: float = 0.5, p: float | None = None, dtype: Any = mstype.float32):
        super().__init__()
        cls = type(self).__name__
        if p is None:
            _checks.warning(
                "For Dropout, this parameter `keep_prob` will be deprecated, please use `p` instead.",
                "mindspore/nn/layer/basic.py:183",
            )
            _checks.value_type("keep_prob", keep_prob, (float,), cls)
            if keep_prob <= 0 or keep_prob > 1:
                raise ValueError(
                    f"For '{cls}', the 'keep_prob' must be a number in range (0, 1], but got {keep_prob}."
                )
        else:
            _checks.value_type("p", p, (float, int), cls)
            if p < 0 or p >= 1:
                raise ValueError(f"For '{cls}', the 'p' must be a number in range [0, 1), but got {p}.")
        self.p, self.keep_prob = p, keep_prob

    def construct(self, x: Any) -> Any:
        _checks.floating("Dropout", "x", x)
        drop = 1.0 - self.keep_prob if self.p is None else self.p
        if not self.training or drop == 0:
            return x
        return core_functional.dropout(x, drop, True)

    def extend_repr(self) -> str:
        return f"keep_prob={self.keep_prob}" if self.p is None else f"p={self.p}"


class ReLU(Cell):
    """max(x, 0)."""

    def construct(self, x: Any) -> Any:
        return core_ops.relu(_checks.tensor("ReLU", "input", x))


class Tanh(Cell):
    """tanh(x)."""

    def construct(self, x: Any) -> Any:
        return core_ops.tanh(_checks.floating("Tanh", "input", x))


class Sigmoid(Cell):
    """1 / (1 + exp(-x))."""

    def construct(self, x: Any) -> Any:
        return core_ops.sigmoid(_checks.floating("Sigmoid", "input", x))


class Softmax(Cell):
    """softmax over `axis`."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def construct(self, x: Any) -> Any:
        _checks.floating("Softmax", "x", x)
        return core_functional.softmax(x, _checks.axis("Softmax", "axis", self.axis, x.ndim))


class Flatten(Cell):
    """Collapse axes start_dim..end_dim (default: all but the batch axis)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def construct(self, x: Any) -> Any:
        _checks.tensor("Flatten", "x", x)
        return x.flatten(start_dim=self.start_dim, end_dim=self.end_dim)


_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "softmax": Softmax}


class Dense(Cell, core_layers.Linear):
    """``Dense(in_channels, out_channels, weight_init=None, bias_init=None, has_bias=True, activation=None)``:
    y = activation(x W^T + b), W of shape (out_channels, in_channels), inputs of any rank >= 2.

    Default initialisation MindSpore's: HeUniform(sqrt(5)) weights and U(-1/sqrt(in), 1/sqrt(in)) bias, drawn
    as MindSpore draws them (the same numbers after ``set_seed``); ``weight_init`` / ``bias_init`` take
    anything ``initializer()`` takes (a Tensor / array, a name such as 'normal' or 'zeros', an Initializer,
    a number).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        weight_init: Any = None,
        bias_init: Any = None,
        has_bias: bool = True,
        activation: Any = None,
        dtype: Any = mstype.float32,
    ):
        cls = type(self).__name__
        _checks.positive_int(in_channels, "in_channels", cls)
        _checks.positive_int(out_channels, "out_channels", cls)
        if not isinstance(has_bias, bool):
            raise TypeError(f"For '{cls}', the 'has_bias' must be a bool, but got {type(has_bias).__name__}.")
        core_layers.Linear.__init__(self, in_channels, out_channels, has_bias, mstype.to_np(dtype))
        object.__setattr__(self, "training", False)
        self.in_channels, self.out_channels, self.has_bias = in_channels, out_channels, has_bias
        # MindSpore's defaults, drawn as MindSpore draws them (equal after set_seed): HeUniform(sqrt(5))
        # weights and U(-1/sqrt(in), 1/sqrt(in)) bias
        weight_init = HeUniform(math.sqrt(5)) if weight_init is None else weight_init
        bias_init = Uniform(1 / math.sqrt(in_channels)) if bias_init is None else bias_init
        for p, init in ((self.weight, weight_init), (self.bias, bias_init)):
            if p is not None:
                p.set_data(_initial(init, p.array, dtype))
        if activation is not None and not isinstance(activation, (str, Cell)):
            raise TypeError(
                f"For '{cls}', the 'activation' must be str or Cell or Primitive, but got "
                f"{type(activation).__name__}."
            )
        if isinstance(activation, str):
            if activation.lower() not in _ACTIVATIONS:
                raise ValueError(f"For '{cls}', unsupported activation '{activation}'.")
            activation = _ACTIVATIONS[activation.lower()]()
        self.activation = activation

    def construct(self, x: Any) -> Any:
        cls = type(self).__name__
        _checks.tensor(cls, "x", x)
        _checks.same_dtype(cls, ("x", "weight"), x, self.weight)
        if x.ndim < 2 or x.shape[-1] != self.in_channels:  # MindSpore: an IndexError or MatMul's ValueError
            error = IndexError if x.ndim == 0 else ValueError
            raise error(
                f"For '{cls}', 'x' must have rank >= 2 and last dimension in_channels={self.in_channels}, "
                f"but got shape {x.shape}."
            )
        y = core_functional.linear(x, self.weight, self.bias)
        return self.activation(y) if self.activation is not None else y

    def extend_repr(self) -> str:
        s = f"input_channels={self.in_channels}, output_channels={self.out_channels}"
        if self.has_bias:
            s += f", has_bias={self.has_bias}"
        if self.activation is not None:
            s += f", activation={self.activation}"
        return s


def _initial(init: Any, like: np.ndarray, dtype: Any) -> np.ndarray:
    """The initial value for a parameter shaped like `like`: initializer(init, shape, dtype)'s array
    (a Tensor / array of the wrong shape is refused)."""
    if isinstance(init, np.ndarray):
        init = Tensor(init)
    if isinstance(init, Tensor) and init.shape != like.shape:
        raise ValueError(
            f"initial value of shape {init.shape} does not match the parameter's shape {like.shape}"
        )
    return initializer(init, list(like.shape), dtype).array
