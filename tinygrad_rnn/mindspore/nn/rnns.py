"""mindspore.nn.RNN, LSTM and GRU: MindSpore's signatures, checks and parameter layout on the core
recurrences (the cells RNNCell, LSTMCell, GRUCell are in `rnn_cells`, as in real MindSpore).

The recurrences themselves are the core's (`tinygrad_rnn.rnn`: rnn/lstm/gru cells and the layer loop,
built from primitive ops); this module only adds what MindSpore does differently from torch:

- constructor: ``has_bias`` (not ``bias``), ``nonlinearity`` by keyword (RNN only), ``dropout`` must be a
  float in [0, 1), MindSpore's exception types and messages; layer weights drawn like MindSpore's, from
  numpy's global generator per layer and direction in the order w_ih, w_hh, b_ih, b_hh (so
  ``set_seed(s)`` gives the weights real MindSpore draws after ``mindspore.set_seed(s)``, for RNN, LSTM
  and GRU alike);
- ``construct(x, hx=None, seq_length=None)``: seq_length is the core's ``lengths`` (state frozen and
  output zero past each length, h_n (and c_n) at the last valid step, reverse direction over the valid
  prefix); weights are cast to x's dtype; hx, when given, must have x's dtype (float32 or float16); for
  the LSTM hx is a tuple (h0, c0) (a list is rejected, as MindSpore does) and the result
  ``(output, (h_n, c_n))``;
- ``trainable_params()`` grouped by kind (all weight_ih, then weight_hh, bias_ih, bias_hh), sub-cells
  ``rnn`` and ``dropout_op`` as MindSpore's, and ``training`` False until ``set_train()``.

Verified against real MindSpore 2.10.0 (CPU) before writing the LSTM and GRU:

- parameter names, shapes and order are the RNN's with 4H (LSTM) or 3H (GRU) rows: weight_ih_l{k}[_reverse]
  (4H, I or D*H), weight_hh_l{k}[_reverse] (4H, H), bias_ih/bias_hh (4H,), grouped by kind in
  ``parameters_and_names()`` and ``trainable_params()``;
- gate order and packing are torch's (LSTM i, f, g, o; GRU r, z, n with n = tanh(W_in x + b_in +
  r * (W_hn h + b_hn))): torch's weights loaded by name into MindSpore give torch's outputs and final
  states (float64 torch vs float32 MindSpore: <1e-6), with and without seq_length, so no conversion
  is needed between MindSpore's layout and the core's. (On CPU MindSpore's LSTM runs its fused
  ``ops.LSTM`` kernel without seq_length, its Python cell loop with one; GRU always the cell loop.)
- seq_length gives torch's packed-sequence results for LSTM and GRU, uni- and bidirectional;
- LSTM/GRU take no ``nonlinearity`` and no ``proj_size`` (TypeError: unexpected keyword argument);
- LSTM hx: not a tuple -> TypeError "the 'hx' must be '<class '...Tuple'>', but got 'Tensor[Float32]'";
  length != 2 -> TypeError "the length of 'hx' must be '2'"; hx[i] not a Tensor, or a dtype other than
  x's float32/float16 -> TypeError naming 'hx[0]' / 'hx[1]' (checked x, hx[0], x == hx[0], hx[1],
  x == hx[1]); GRU hx a tuple -> TypeError naming 'h' (as for the RNN).

Checks in MindSpore's order and words: x's batch size is read first (an IndexError for a 0-d x, or a 1-d
one unless batch_first), then x and hx's types and dtypes, seq_length's dtype and batch size; ``dtype``
None means float32, anything but a MindSpore dtype is the TypeError of MindSpore's Tensor. Where real
MindSpore fails deep inside an op (x not 3-D, wrong feature size, wrong hx shape, an empty sequence, a 2-D
seq_length), we raise the same exception type with a message naming the argument
(tests/test_mindspore_error_grid_gated.py lists each such case and the few where we differ).
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any

import numpy as np

from ... import ops as core_ops
from ...nn import layers as core_layers
from ...rnn import rnn as core_rnn
from .. import _checks
from ..common import dtype as mstype
from ..common.parameter import ParameterTuple
from .basic import Dropout
from .cell import Cell
from .rnn_checks import check_hx_pair, check_is_tensor, check_same_float, check_type_name, parameter_dtype

_KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class _DynamicRNNBase(Cell):
    """MindSpore's per-layer recurrence cell (here a named placeholder: the core computes the layers)."""


class _DynamicRNNTanh(_DynamicRNNBase):
    pass


class _DynamicRNNRelu(_DynamicRNNBase):
    pass


class _DynamicLSTMCPUGPU(Cell):
    """MindSpore's LSTM layer cell on CPU/GPU (a named placeholder)."""


class _DynamicGRUCPUGPU(Cell):
    """MindSpore's GRU layer cell on CPU/GPU (a named placeholder)."""


_LAYER_CELLS = {
    "RNN_TANH": _DynamicRNNTanh,
    "RNN_RELU": _DynamicRNNRelu,
    "LSTM": _DynamicLSTMCPUGPU,
    "GRU": _DynamicGRUCPUGPU,
}


class _RNNBase(Cell, core_layers.RNNBase):
    """MindSpore's _RNNBase: the constructor checks, parameter layout and construct of RNN, LSTM and GRU.

    ``mode`` is torch's (and MindSpore's) cell name: "RNN_TANH", "RNN_RELU", "LSTM" or "GRU".
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        has_bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = mstype.float32,
    ):
        cls = type(self).__name__
        # MindSpore's checks, in its order
        _checks.positive_int(hidden_size, "hidden_size", cls)
        _checks.positive_int(input_size, "input_size", cls)
        _checks.positive_int(num_layers, "num_layers", cls)
        _checks.is_float(dropout, "dropout", cls)
        _checks.value_type("has_bias", has_bias, (bool,), cls)
        _checks.value_type("batch_first", batch_first, (bool,), cls)
        _checks.value_type("bidirectional", bidirectional, (bool,), cls)
        if not 0 <= dropout < 1:
            raise ValueError(
                f"For '{cls}', the 'dropout' must be a number in range [0, 1) representing the probability of "
                f"an element being zeroed, but got {dropout}."
            )
        if dropout > 0 and num_layers == 1:
            _checks.warning(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                "mindspore/nn/layer/rnns.py:391",
            )
        np_dtype = mstype.to_np(parameter_dtype(dtype, cell=False))
        object.__setattr__(self, "_param_dtype", np_dtype)
        with warnings.catch_warnings():  # the core's torch-worded dropout warning: MindSpore logged its own
            warnings.simplefilter("ignore")
            core_layers.RNNBase.__init__(
                self,
                mode,
                input_size,
                hidden_size,
                num_layers,
                has_bias,
                batch_first,
                dropout,
                bidirectional,
                0,
                np_dtype if np_dtype.kind == "f" else np.float32,
            )
        object.__setattr__(self, "training", False)
        self.has_bias = has_bias
        self.is_lstm = mode == "LSTM"
        # MindSpore keeps the parameters in four ParameterTuples: registration order is by kind
        names = list(self._parameters)
        grouped = [n for kind in _KINDS for n in names if n.startswith(kind + "_l")]
        ordered = OrderedDict((n, self._parameters[n]) for n in grouped)
        self._parameters.clear()
        self._parameters.update(ordered)
        for kind, attr in zip(_KINDS, ("w_ih_list", "w_hh_list", "b_ih_list", "b_hh_list")):
            object.__setattr__(
                self, attr, ParameterTuple(p for n, p in ordered.items() if n.startswith(kind))
            )
        self.rnn = _LAYER_CELLS[mode]()
        self.dropout_op = Dropout(p=float(dropout))

    def reset_parameters(self) -> None:
        """U(-1/sqrt(H), 1/sqrt(H)) from numpy's global generator, in MindSpore's draw order."""
        stdv = 1 / np.sqrt(self.hidden_size)
        target = self.__dict__.get("_param_dtype", np.dtype(np.float32))
        for weights in self.layer_weights():
            for p in weights:
                if p is not None:
                    draw = np.random.uniform(-stdv, stdv, p.array.shape).astype(np.float32)
                    p.array = draw.astype(target)

    # -- forward -------------------------------------------------------------------------------
    def construct(self, x: Any, hx: Any = None, seq_length: Any = None) -> tuple[Any, Any]:
        states = self._check_arguments(x, hx, seq_length)
        lengths = self._check_shapes(x, states, seq_length)
        np_dtype = x.array.dtype
        weights = [
            tuple(None if w is None else core_ops.cast(w, np_dtype) for w in ws)
            for ws in self.layer_weights()
        ]
        h0 = None if hx is None else (tuple(t for _, t in states) if self.is_lstm else hx)
        return core_rnn(
            x,
            weights,
            h0,
            mode=self.cell,
            num_layers=self.num_layers,
            nonlinearity=self.nonlinearity,
            bidirectional=self.bidirectional,
            batch_first=self.batch_first,
            dropout=self.dropout,
            training=self.training,
            lengths=lengths,
        )

    def _check_arguments(self, x: Any, hx: Any, seq_length: Any) -> tuple[tuple[str, Any], ...]:
        """MindSpore's own checks, in its order and words: x's batch size read first, x and hx's types and
        dtypes, seq_length's dtype and batch size. Returns the named states ((name, Tensor), ...)."""
        cls = type(self).__name__
        if not hasattr(x, "shape"):  # MindSpore reads x.shape[0] (batch_first) or x.shape[1] first
            raise AttributeError(f"'{type(x).__name__}' object has no attribute 'shape'")
        if len(x.shape) <= (0 if self.batch_first else 1):
            raise IndexError("tuple index out of range")
        check_is_tensor("x", x, cls)
        states: tuple[tuple[str, Any], ...] = ()
        if hx is not None:
            if self.is_lstm:
                states = tuple(zip(("hx[0]", "hx[1]"), check_hx_pair(hx, cls)))
            else:
                check_is_tensor("h", hx, cls)
                states = (("hx", hx),)
            check_same_float([("x", x.dtype)] + [(n, t.dtype) for n, t in states], cls)
        if seq_length is not None:
            if not hasattr(seq_length, "dtype"):
                raise AttributeError(f"'{type(seq_length).__name__}' object has no attribute 'dtype'")
            check_type_name("seq_length", seq_length.dtype, (mstype.int32, mstype.int64), cls)
            if np.ndim(getattr(seq_length, "array", seq_length)) == 0:  # MindSpore reads seq_length.shape[0]
                raise IndexError("tuple index out of range")
            B = x.shape[0] if self.batch_first else x.shape[1]
            if seq_length.shape[0] != B:
                raise ValueError(
                    f"For '{cls}' batch size of x and seq_length must be equal, but got {B} of x and "
                    f"{seq_length.shape[0]} of seq_length."
                )
        return states

    def _check_shapes(self, x: Any, states: tuple[tuple[str, Any], ...], seq_length: Any) -> Any:
        """What MindSpore leaves to its ops (failing there about MatMul, AddExt, Transpose, Stack, ...):
        the same exception type, with a message naming the argument. Returns the core's `lengths`."""
        cls = type(self).__name__
        layout = (
            "(batch_size, seq_len, input_size)" if self.batch_first else "(seq_len, batch_size, input_size)"
        )
        if x.ndim != 3:
            raise ValueError(
                f"For '{cls}', 'x' must be a 3-D Tensor of shape {layout}, but got a {x.ndim}-D Tensor of "
                f"shape {tuple(x.shape)}."
            )
        if seq_length is not None and seq_length.ndim != 1:
            raise ValueError(
                f"For '{cls}', 'seq_length' must be a 1-D Tensor of shape (batch_size,), but got shape "
                f"{tuple(seq_length.shape)}."
            )
        if x.dtype.dtype.kind != "f":
            raise TypeError(
                f"For '{cls}', 'x' must be a floating-point Tensor (float16/32/64), but got {x.dtype}."
            )
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"For '{cls}', the last dimension of 'x' must be input_size={self.input_size}, but got 'x' of "
                f"shape {tuple(x.shape)}."
            )
        T = x.shape[1] if self.batch_first else x.shape[0]
        lengths = None if seq_length is None else self._lengths(np.asarray(seq_length.array).reshape(-1), T)
        if T == 0:
            raise ValueError(
                f"For '{cls}', 'x' must have at least one time step, but got shape {tuple(x.shape)}."
            )
        want = (self.num_layers * self.num_directions, x.shape[0] if self.batch_first else x.shape[1])
        want += (self.hidden_size,)
        for name, t in states:
            if tuple(t.shape) != want:
                raise self._state_error(t, want)(
                    f"For '{cls}', '{name}' must have shape (num_directions * num_layers, batch_size, "
                    f"hidden_size) = {want}, but got {tuple(t.shape)}."
                )
        return lengths

    @staticmethod
    def _state_error(t: Any, want: tuple[int, int, int]) -> type[Exception]:
        """The type of MindSpore's error for a state of the wrong shape: it iterates over the state (a
        scalar: TypeError), reads one entry per layer and direction (too few: IndexError, once the entries
        it reads run), and fails in an op otherwise (ValueError)."""
        if t.ndim == 0:
            return TypeError
        if t.shape[0] < want[0] and (t.shape[0] == 0 or tuple(t.shape[1:]) == want[1:]):
            return IndexError
        return ValueError

    def _lengths(self, lengths: np.ndarray, T: int) -> np.ndarray:
        """MindSpore's handling of out-of-range lengths: clamped one way, rejected when bidirectional."""
        if self.bidirectional:  # MindSpore's ReverseSequence rejects them ("Invalid seq_lengths[i]")
            bad = np.flatnonzero((lengths < 0) | (lengths > T))
            if bad.size:
                i = int(bad[0])
                raise RuntimeError(
                    f"For '{type(self).__name__}', seq_length[{i}] = {int(lengths[i])} is outside [0, {T}] "
                    f"(0 to the padded sequence length of 'x'); a bidirectional RNN cannot reverse it."
                )
        return np.clip(lengths, 0, T)  # forward only: a length past T runs all T steps, < 0 none


class RNN(_RNNBase):
    """Stacked Elman RNN layers with tanh or ReLU, MindSpore's interface.

    ``RNN(input_size, hidden_size, num_layers=1, has_bias=True, batch_first=False, dropout=0.,
    bidirectional=False, dtype=mstype.float32)``, ``nonlinearity='tanh'|'relu'`` by keyword only.
    ``construct(x, hx=None, seq_length=None) -> (output, hx_n)``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        has_bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = mstype.float32,
        *,
        nonlinearity: str = "tanh",
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"For '{type(self).__name__}', the 'nonlinearity' must be in ['tanh', 'relu'], but got "
                f"{nonlinearity}."
            )
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(
            mode, input_size, hidden_size, num_layers, has_bias, batch_first, dropout, bidirectional, dtype
        )


class LSTM(_RNNBase):
    """Stacked LSTM layers (gates i, f, g, o as torch's), MindSpore's interface.

    ``LSTM(input_size, hidden_size, num_layers=1, has_bias=True, batch_first=False, dropout=0.,
    bidirectional=False, dtype=mstype.float32)``.
    ``construct(x, hx=None, seq_length=None) -> (output, (h_n, c_n))`` with hx a tuple (h0, c0).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        has_bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = mstype.float32,
    ):
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, has_bias, batch_first, dropout, bidirectional, dtype
        )


class GRU(_RNNBase):
    """Stacked GRU layers (gates r, z, n as torch's), MindSpore's interface.

    ``GRU(input_size, hidden_size, num_layers=1, has_bias=True, batch_first=False, dropout=0.,
    bidirectional=False, dtype=mstype.float32)``. ``construct(x, hx=None, seq_length=None) -> (output, hx_n)``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        has_bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = mstype.float32,
    ):
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, has_bias, batch_first, dropout, bidirectional, dtype
        )
