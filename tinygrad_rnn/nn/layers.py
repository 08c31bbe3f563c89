"""Layers: Linear, Dropout, Sequential, the recurrent cells and layers (their math lives in tinygrad_rnn.rnn)."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from .. import functional, ops
from ..random import generator
from ..rnn import GATES, gru_cell, lstm_cell, rnn, rnn_cell
from ..tape import make_tensor
from ..tensor import Tensor
from .module import Module, Parameter

# the scalar type names torch's matmul uses in its dtype-mismatch message
_BLAS_NAME = {np.dtype(np.float16): "Half", np.dtype(np.float32): "Float", np.dtype(np.float64): "Double"}


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill in place from U(a, b) with the package generator."""
    t.array = generator().uniform(a, b, t.array.shape).astype(t.array.dtype)
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


class RNNCellBase(Module):
    """One step of a recurrent cell: parameters (torch's names and init), checks, unbatched input."""

    gates = 1  # rows of W_ih / W_hh per hidden unit

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = np.float32):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        G = self.gates * hidden_size
        self.weight_ih = self.param_class(np.empty((G, input_size), dtype))
        self.weight_hh = self.param_class(np.empty((G, hidden_size), dtype))
        if bias:
            self.bias_ih = self.param_class(np.empty((G,), dtype))
            self.bias_hh = self.param_class(np.empty((G,), dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(H), 1/sqrt(H)) for every parameter."""
        k = 1 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            uniform_(p, -k, k)

    def prepare(
        self, x: Any, states: tuple[Any, ...], n_states: int
    ) -> tuple[Tensor, tuple[Tensor, ...], bool]:
        """(2-D x, 2-D states (zeros when absent), batched?) after torch's checks."""
        x = as_input(x)
        name = type(self).__name__
        if x.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.ndim}D instead")
        states = tuple(as_input(h) for h in states)
        for h in states:
            if h.ndim != x.ndim:
                raise ValueError(f"{name}: Expected hidden to be {x.ndim}D, got {h.ndim}D instead")
        batched = x.ndim == 2
        if not batched:
            x = ops.reshape(x, (1,) + x.shape)
            states = tuple(ops.reshape(h, (1,) + h.shape) for h in states)
        if not states:
            zeros = np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype)
            states = tuple(make_tensor(x.result_type, zeros.copy(), None, 0) for _ in range(n_states))
        for h in states:
            self.check_forward_args(x, h)
        return x, states, batched

    def check_forward_args(self, x: Tensor, hx: Tensor) -> None:
        """torch's cell checks: feature size, batch and hidden size, then matching dtypes."""
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
        w = self.weight_ih.array.dtype  # numpy dtypes: a frontend's Tensor.dtype is its own type
        for t in (x, hx):
            if t.array.dtype != w:
                raise RuntimeError(
                    f"mat1 and mat2 must have the same dtype, but got "
                    f"{_BLAS_NAME.get(t.array.dtype, t.array.dtype)} and {_BLAS_NAME.get(w, w)}"
                )

    def weights(self) -> tuple[Any, Any, Any, Any]:
        """(w_ih, w_hh, b_ih, b_hh) for the cell functions."""
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        return s


def _unbatch(t: Tensor, batched: bool) -> Tensor:
    return t if batched else ops.reshape(t, t.shape[1:])


class RNNCell(RNNCellBase):
    """One Elman step h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = np.float32,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, x: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self.prepare(x, () if hx is None else (hx,), 1)
        return _unbatch(rnn_cell(x, h, *self.weights(), self.nonlinearity), batched)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s + (f", nonlinearity={self.nonlinearity}" if self.nonlinearity != "tanh" else "")


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') from x and (h, c), gates i, f, g, o (see tinygrad_rnn.rnn)."""

    gates = 4

    def forward(self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise RuntimeError("LSTMCell: expected hx to be a tuple (h_0, c_0), got " + type(hx).__name__)
        x, (h, c), batched = self.prepare(x, () if hx is None else tuple(hx), 2)
        h, c = lstm_cell(x, (h, c), *self.weights())
        return _unbatch(h, batched), _unbatch(c, batched)


class GRUCell(RNNCellBase):
    """One GRU step: h' from x and h, gates r, z, n (see tinygrad_rnn.rnn)."""

    gates = 3

    def forward(self, x: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self.prepare(x, () if hx is None else (hx,), 1)
        return _unbatch(gru_cell(x, h, *self.weights()), batched)


class RNNBase(Module):
    """The recurrent family's common layer: parameters, validation and the forward loop.

    `mode` picks the cell (torch's names: "RNN_TANH", "RNN_RELU", "LSTM", "GRU"); subclasses are
    thin declarations. Parameters are named weight_ih_l{k}[_reverse], weight_hh_l{k}[_reverse],
    bias_ih_l{k}[_reverse], bias_hh_l{k}[_reverse] (and weight_hr_l{k}[_reverse] for an LSTM
    with proj_size > 0), registered in torch's order (per layer, per direction).
    forward(input, hx=None, lengths=None) -> (output, h_n), for the LSTM (output, (h_n, c_n)).
    """

    CELLS = {"RNN_TANH": "rnn", "RNN_RELU": "rnn", "LSTM": "lstm", "GRU": "gru"}

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype: Any = np.float32,
    ):
        super().__init__()
        self.check_args(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size, mode)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self.mode, self.cell = mode, self.CELLS[mode]
        self.nonlinearity = "relu" if mode == "RNN_RELU" else "tanh"
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.proj_size = bias, batch_first, proj_size
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self._flat_weights_names: list[str] = []
        for k in range(num_layers):
            for d in range(self.num_directions):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                for kind, shape in self.param_shapes(k).items():
                    setattr(self, kind + sfx, self.param_class(np.empty(shape, dtype)))
                    self._flat_weights_names.append(kind + sfx)
        self.reset_parameters()

    def check_args(
        self,
        input_size: Any,
        hidden_size: Any,
        num_layers: Any,
        bias: Any,
        batch_first: Any,
        dropout: Any,
        proj_size: Any,
        mode: str,
    ) -> None:
        """torch's RNNBase constructor checks, in torch's order and words."""
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
        if not isinstance(proj_size, int) or isinstance(proj_size, bool) or proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                UserWarning,
                stacklevel=3,
            )

    def param_shapes(self, k: int) -> dict[str, tuple[int, ...]]:
        """Name -> shape of layer k's parameters of one direction, in torch's order."""
        H, G = self.hidden_size, GATES[self.cell] * self.hidden_size
        P = self.proj_size or H  # the size of h
        shapes = {
            "weight_ih": (G, self.input_size if k == 0 else P * self.num_directions),
            "weight_hh": (G, P),
        }
        if self.bias:
            shapes.update(bias_ih=(G,), bias_hh=(G,))
        if self.proj_size:
            shapes["weight_hr"] = (self.proj_size, H)
        return shapes

    def reset_parameters(self) -> None:
        """U(-1/sqrt(H), 1/sqrt(H)) for every parameter, as torch and MindSpore do."""
        k = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            uniform_(p, -k, k)

    @property
    def num_directions(self) -> int:
        """1, or 2 when bidirectional."""
        return 2 if self.bidirectional else 1

    @property
    def state_size(self) -> int:
        """The size of h: proj_size for a projected LSTM, else hidden_size."""
        return self.proj_size or self.hidden_size

    def layer_weights(self) -> list[tuple[Any, ...]]:
        """(w_ih, w_hh, b_ih, b_hh[, w_hr]) per layer and direction, in h_n order."""
        kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") + (("weight_hr",) if self.proj_size else ())
        out = []
        for k in range(self.num_layers):
            for d in range(self.num_directions):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                out.append(tuple(getattr(self, n + sfx, None) for n in kinds))
        return out

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """Parameters grouped per layer and direction (torch's all_weights)."""
        return [[p for p in w if p is not None] for w in self.layer_weights()]

    # -- validation (torch's messages: "Expected X, got Y") ------------------------------------
    def _fmt_dtype(self, dt: np.dtype) -> str:
        return str(dt)

    def check_forward_args(self, x: Tensor, hx: Any, batched: bool) -> None:
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
        B = x.shape[0 if self.batch_first else 1] if batched else 1
        if self.cell == "lstm":
            self.check_hidden(hx[0], batched, B, self.state_size, "Expected hidden[0] size")
            self.check_hidden(hx[1], batched, B, self.hidden_size, "Expected hidden[1] size")
        else:
            self.check_hidden(hx, batched, B, self.hidden_size, "Expected hidden size")

    def check_hidden(self, hx: Tensor, batched: bool, B: int, size: int, what: str) -> None:
        """One initial state: 3-D (2-D unbatched), (num_layers * D, B, size)."""
        if batched and hx.ndim != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.ndim}-D tensor")
        if not batched and hx.ndim != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.ndim}-D tensor")
        expected = (self.num_layers * self.num_directions, B, size)
        got = hx.shape if batched else (hx.shape[0], 1, hx.shape[1])
        if tuple(got) != expected:
            shown = list(hx.shape) if batched else [hx.shape[0], hx.shape[1]]
            want = expected if batched else (expected[0], expected[2])
            raise RuntimeError(f"{what} {want}, got {shown}")

    def check_lengths(self, lengths: Any, T: int, B: int) -> np.ndarray:
        """lengths must be B integers in [0, T]."""
        arr = np.asarray(getattr(lengths, "array", lengths))
        if arr.dtype.kind not in "iu":
            raise TypeError(f"lengths: expected integers, got dtype {arr.dtype}")
        if arr.shape != (B,):
            raise ValueError(f"lengths: expected shape ({B},) (one length per sequence), got {arr.shape}")
        if arr.size and (arr.min() < 0 or arr.max() > T):
            raise ValueError(
                f"lengths: expected every length in [0, {T}] (the padded sequence length), got {arr.tolist()}"
            )
        return arr.astype(np.int64)

    def forward(self, input: Tensor, hx: Any = None, lengths: Any = None) -> tuple[Tensor, Any]:
        input = as_input(input)
        if self.cell == "lstm" and hx is not None:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise RuntimeError("LSTM: expected hx to be a tuple (h_0, c_0), got " + type(hx).__name__)
            hx = (as_input(hx[0]), as_input(hx[1]))
        else:
            hx = as_input(hx)
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.ndim}D tensor instead"
            )
        batched = input.ndim == 3
        self.check_forward_args(input, hx, batched)
        states = () if hx is None else (hx if self.cell == "lstm" else (hx,))
        if not batched:  # one sequence (T, I): add the batch axis and take it off again
            ax = 0 if self.batch_first else 1
            input = ops.reshape(input, input.shape[:ax] + (1,) + input.shape[ax:])
            states = tuple(ops.reshape(s, (s.shape[0], 1, s.shape[1])) for s in states)
        for s in states:
            if s.dtype != input.dtype:
                raise RuntimeError(
                    f"hx dtype ({self._fmt_dtype(s.dtype)}) does not match input dtype "
                    f"({self._fmt_dtype(input.dtype)})"
                )
        T, B = (input.shape[1], input.shape[0]) if self.batch_first else input.shape[:2]
        if lengths is not None:
            lengths = self.check_lengths(lengths, T, B)
        h0 = None if not states else (states if self.cell == "lstm" else states[0])
        out, fin = rnn(
            input, self.layer_weights(), h0, mode=self.cell, num_layers=self.num_layers,
            nonlinearity=self.nonlinearity, bidirectional=self.bidirectional, batch_first=self.batch_first,
            dropout=self.dropout, training=self.training, lengths=lengths,
        )  # fmt: skip
        if not batched:
            ax = 0 if self.batch_first else 1
            out = ops.reshape(out, out.shape[:ax] + out.shape[ax + 1 :])
            fin = (
                tuple(ops.reshape(f, (f.shape[0], f.shape[2])) for f in fin)
                if self.cell == "lstm"
                else (ops.reshape(fin, (fin.shape[0], fin.shape[2])))
            )
        return out, fin

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
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


class RNN(RNNBase):
    """Multi-layer Elman RNN, h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), per layer/direction."""

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
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(
            mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0, dtype
        )


class LSTM(RNNBase):
    """Multi-layer LSTM (gates i, f, g, o; optional projection of h to proj_size): see tinygrad_rnn.rnn."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype: Any = np.float32,
    ):
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            dtype,
        )


class GRU(RNNBase):
    """Multi-layer GRU (gates r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn))): see tinygrad_rnn.rnn."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = np.float32,
    ):
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0, dtype
        )
