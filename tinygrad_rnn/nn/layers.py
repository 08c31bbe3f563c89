"""Layers: Linear, Dropout, Sequential, RNNCell and RNN (the RNN math lives in tinygrad_rnn.rnn)."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from .. import functional, ops
from ..random import generator
from ..rnn import rnn, rnn_cell
from ..tape import make_tensor
from ..tensor import Tensor
from .module import Module, Parameter

# the scalar type names torch's matmul uses in its dtype-mismatch message
_BLAS_NAME = {np.dtype(np.float16): "Half", np.dtype(np.float32): "Float", np.dtype(np.float64): "Double"}


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill in place from U(a, b) with the package generator."""
    t.data = generator().uniform(a, b, t.data.shape).astype(t.data.dtype)
    return t


def _check_positive_int(name: str, v: Any) -> None:
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError(f"{name} should be of type int, got: {type(v).__name__}")
    if v <= 0:
        raise ValueError(f"{name} must be greater than zero")


def as_input(x: Any) -> Any:
    """A layer's input as a Tensor: the core takes numpy arrays (and nested lists) as constants."""
    return x if x is None or isinstance(x, Tensor) else Tensor(np.asarray(x))


def _check_bool(name: str, v: Any) -> None:
    if not isinstance(v, bool):
        raise TypeError(f"{name} should be of type bool, got: {type(v).__name__}")


class Linear(Module):
    """y = x W^T + b, initialised U(-1/sqrt(in), 1/sqrt(in)) like torch."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = np.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features) if in_features > 0 else 0.0  # torch: no error for 0 features
        self.weight = uniform_(self.param_class(np.empty((out_features, in_features), dtype)), -k, k)
        if bias:
            self.bias = uniform_(self.param_class(np.empty((out_features,), dtype)), -k, k)
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return functional.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
        )


class Dropout(Module):
    """Zero elements with probability p in training (scaled by 1/(1-p)); identity in eval."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return functional.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace=False"


class Sequential(Module):
    """Modules applied one after another."""

    def __init__(self, *mods: Module):
        super().__init__()
        for i, m in enumerate(mods):
            setattr(self, str(i), m)

    def forward(self, x: Any) -> Any:
        for m in self.children():
            x = m(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return list(self.children())[i]

    def __len__(self) -> int:
        return len(self._modules)


class RNNCell(Module):
    """One Elman step h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = np.float32,
    ):
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.input_size, self.hidden_size, self.bias, self.nonlinearity = (
            input_size,
            hidden_size,
            bias,
            nonlinearity,
        )
        self.weight_ih = self.param_class(np.empty((hidden_size, input_size), dtype))
        self.weight_hh = self.param_class(np.empty((hidden_size, hidden_size), dtype))
        if bias:
            self.bias_ih = self.param_class(np.empty((hidden_size,), dtype))
            self.bias_hh = self.param_class(np.empty((hidden_size,), dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(H), 1/sqrt(H)) for every parameter."""
        k = 1 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            uniform_(p, -k, k)

    def forward(self, x: Tensor, hx: Tensor | None = None) -> Tensor:
        x, hx = as_input(x), as_input(hx)
        if x.ndim not in (1, 2):
            raise ValueError(f"RNNCell: Expected input to be 1D or 2D, got {x.ndim}D instead")
        if hx is not None and hx.ndim != x.ndim:
            raise ValueError(f"RNNCell: Expected hidden to be {x.ndim}D, got {hx.ndim}D instead")
        batched = x.ndim == 2
        if not batched:
            x = ops.reshape(x, (1,) + x.shape)
        if hx is None:
            hx = make_tensor(x.result_type, np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype), None, 0)
        elif not batched:
            hx = ops.reshape(hx, (1,) + hx.shape)
        self.check_forward_args(x, hx)
        h = rnn_cell(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity)
        return h if batched else ops.reshape(h, h.shape[1:])

    def check_forward_args(self, x: Tensor, hx: Tensor) -> None:
        """torch's RNNCell checks: feature size, batch and hidden size, then matching dtypes."""
        if x.shape[1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}"
            )
        if hx.shape[0] != x.shape[0]:
            raise RuntimeError(
                f"Input batch size {x.shape[0]} doesn't match hidden0 batch size {hx.shape[0]}"
            )
        if hx.shape[1] != self.hidden_size:
            raise RuntimeError(
                f"hidden0 has inconsistent hidden_size: got {hx.shape[1]}, expected {self.hidden_size}"
            )
        w = self.weight_ih.dtype
        for t in (x, hx):
            if t.dtype != w:
                raise RuntimeError(
                    f"mat1 and mat2 must have the same dtype, but got {_BLAS_NAME.get(t.dtype, t.dtype)} "
                    f"and {_BLAS_NAME.get(w, w)}"
                )

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNN(Module):
    """Multi-layer Elman RNN, h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), per layer/direction.

    Parameters are named weight_ih_l{k}[_reverse], weight_hh_l{k}[_reverse], bias_ih_l{k}[_reverse],
    bias_hh_l{k}[_reverse] and registered in torch's order (per layer, per direction).
    forward(input, hx=None, lengths=None) -> (output, h_n); see tinygrad_rnn.rnn for `lengths`.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = np.float32,
    ):
        super().__init__()
        _check_positive_int("input_size", input_size)
        _check_positive_int("hidden_size", hidden_size)
        _check_positive_int("num_layers", num_layers)
        _check_bool("bias", bias)
        _check_bool("batch_first", batch_first)
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                UserWarning,
                stacklevel=2,
            )
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.nonlinearity, self.bias, self.batch_first = nonlinearity, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        D = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        for k in range(num_layers):
            for d in range(D):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                in_k = input_size if k == 0 else hidden_size * D
                shapes = {
                    "weight_ih": (hidden_size, in_k),
                    "weight_hh": (hidden_size, hidden_size),
                    "bias_ih": (hidden_size,),
                    "bias_hh": (hidden_size,),
                }
                for kind, shape in shapes.items():
                    if kind.startswith("bias") and not bias:
                        continue
                    setattr(self, kind + sfx, self.param_class(np.empty(shape, dtype)))
                    self._flat_weights_names.append(kind + sfx)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(H), 1/sqrt(H)) for every parameter, as torch and MindSpore do."""
        k = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            uniform_(p, -k, k)

    @property
    def num_directions(self) -> int:
        """1, or 2 when bidirectional."""
        return 2 if self.bidirectional else 1

    def layer_weights(self) -> list[tuple[Any, Any, Any, Any]]:
        """(w_ih, w_hh, b_ih, b_hh) per layer and direction, in h_n order."""
        out = []
        for k in range(self.num_layers):
            for d in range(self.num_directions):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                out.append(
                    tuple(
                        getattr(self, n + sfx, None) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                    )
                )
        return out

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """Parameters grouped per layer and direction (torch's all_weights)."""
        return [[p for p in w if p is not None] for w in self.layer_weights()]

    # -- validation (torch's messages: "Expected X, got Y") ------------------------------------
    def _fmt_dtype(self, dt: np.dtype) -> str:
        return str(dt)

    def check_forward_args(self, x: Tensor, hx: Tensor | None, batched: bool) -> None:
        """Raise on a bad input / hidden state, naming what was expected and what was given."""
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {x.shape[-1]}"
            )
        w = self.weight_ih_l0
        if x.dtype != w.dtype:
            raise ValueError(
                f"RNN input dtype ({self._fmt_dtype(x.dtype)}) does not match weight dtype "
                f"({self._fmt_dtype(w.dtype)}). Convert input: input.to({self._fmt_dtype(w.dtype)}), "
                f"or convert model: model.to({self._fmt_dtype(x.dtype)})"
            )
        if hx is None:
            return
        if batched and hx.ndim != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.ndim}-D tensor")
        if not batched and hx.ndim != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.ndim}-D tensor")
        B = x.shape[0 if self.batch_first else 1] if batched else 1
        expected = (self.num_layers * self.num_directions, B, self.hidden_size)
        got = hx.shape if batched else (hx.shape[0], 1, hx.shape[1])
        if tuple(got) != expected:
            shown = list(hx.shape) if batched else [hx.shape[0], hx.shape[1]]
            want = expected if batched else (expected[0], expected[2])
            raise RuntimeError(f"Expected hidden size {want}, got {shown}")

    def check_lengths(self, lengths: Any, T: int, B: int) -> np.ndarray:
        """lengths must be B integers in [0, T]."""
        arr = np.asarray(getattr(lengths, "data", lengths))
        if arr.dtype.kind not in "iu":
            raise TypeError(f"lengths: expected integers, got dtype {arr.dtype}")
        if arr.shape != (B,):
            raise ValueError(f"lengths: expected shape ({B},) (one length per sequence), got {arr.shape}")
        if arr.size and (arr.min() < 0 or arr.max() > T):
            raise ValueError(
                f"lengths: expected every length in [0, {T}] (the padded sequence length), got {arr.tolist()}"
            )
        return arr.astype(np.int64)

    def forward(self, input: Tensor, hx: Tensor | None = None, lengths: Any = None) -> tuple[Tensor, Tensor]:
        input, hx = as_input(input), as_input(hx)
        if input.ndim not in (2, 3):
            raise ValueError(f"RNN: Expected input to be 2D or 3D, got {input.ndim}D tensor instead")
        batched = input.ndim == 3
        self.check_forward_args(input, hx, batched)
        if not batched:  # one sequence (T, I): add the batch axis and take it off again
            ax = 0 if self.batch_first else 1
            input = ops.reshape(input, input.shape[:ax] + (1,) + input.shape[ax:])
            if hx is not None:
                hx = ops.reshape(hx, (hx.shape[0], 1, hx.shape[1]))
        if hx is not None and hx.dtype != input.dtype:
            raise RuntimeError(
                f"hx dtype ({self._fmt_dtype(hx.dtype)}) does not match input dtype "
                f"({self._fmt_dtype(input.dtype)})"
            )
        T, B = (input.shape[1], input.shape[0]) if self.batch_first else input.shape[:2]
        if lengths is not None:
            lengths = self.check_lengths(lengths, T, B)
        out, h_n = rnn(
            input,
            self.layer_weights(),
            hx,
            num_layers=self.num_layers,
            nonlinearity=self.nonlinearity,
            bidirectional=self.bidirectional,
            batch_first=self.batch_first,
            dropout=self.dropout,
            training=self.training,
            lengths=lengths,
        )
        if not batched:
            ax = 0 if self.batch_first else 1
            out = ops.reshape(out, out.shape[:ax] + out.shape[ax + 1 :])
            h_n = ops.reshape(h_n, (h_n.shape[0], h_n.shape[2]))
        return out, h_n

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s
