"""mindspore.nn.RNN, LSTM, GRU and RNNCell, LSTMCell, GRUCell: MindSpore's signatures, checks and
parameter layout on the core recurrences.

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
  x == hx[1]); GRU hx a tuple -> TypeError naming 'h' (as for the RNN);
- cells: ``LSTMCell(input_size, hidden_size, has_bias=True, dtype=mstype.float32)``, ``construct(x, hx)``
  with hx required and a tuple (h, c), returning the tuple (h', c'); ``GRUCell`` the same signature
  with ``construct(x, hx) -> h'``; parameters weight_ih (G, I), weight_hh (G, H), bias_ih, bias_hh;
  LSTMCell logs "LSTMCell has been changed from 'single LSTM layer' ..." on construction and raises
  ValueError for the pre-1.6 arguments (more than 3 positional arguments, or batch_size / dropout /
  bidirectional by keyword). Cells' initial weights are drawn by MindSpore's C++ initializer, which we
  do not reproduce (ours come from the package generator, as RNNCell's always have).

Where real MindSpore fails deep inside an op (x not 3-D, wrong feature size, wrong hx shape, an empty
sequence, a cell's x or state whose dtype differs from the weights'), we raise the same exception type
with a message naming the argument.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np

from ... import ops as core_ops
from ...nn import layers as core_layers
from ...rnn import gru_cell as core_gru_cell
from ...rnn import lstm_cell as core_lstm_cell
from ...rnn import rnn as core_rnn
from ...rnn import rnn_cell as core_rnn_cell
from ...tensor import Tensor as CoreTensor
from .. import _checks
from ..common import dtype as mstype
from ..common.parameter import ParameterTuple
from .basic import Dropout
from .cell import Cell

_KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_FLOAT_INPUT = (mstype.float32, mstype.float16)
_TUPLE_TYPE = "<class 'mindspore._c_expression.typing.Tuple'>"


def _typeof(v: Any) -> str:
    """MindSpore's name for the type of an argument (as its errors print it: ops.typeof)."""
    if isinstance(v, bool):
        return "Bool"
    if isinstance(v, int):
        return "Int64"
    if isinstance(v, float):
        return "Float32"
    if isinstance(v, CoreTensor):
        return f"Tensor[{v.dtype}]"
    if isinstance(v, (tuple, list)):
        names = [_typeof(e) for e in v]
        inner = f"{names[0]}*{len(names)}" if names and len(set(names)) == 1 else ",".join(names)
        return f"{'Tuple' if isinstance(v, tuple) else 'List'}[{inner}]"
    return "External"


def _check_is_tensor(name: str, v: Any, cls: str) -> None:
    if v is not None and not isinstance(v, CoreTensor):
        raise TypeError(
            f"For '{cls}', the '{name}' must be '<class 'mindspore._c_expression.typing.TensorType'>', "
            f"but got '{_typeof(v)}'"
        )


def _check_hx_pair(hx: Any, cls: str) -> tuple[Any, Any]:
    """An LSTM's hx: a tuple of two Tensors (MindSpore's _check_is_tuple / _check_tuple_length)."""
    if not isinstance(hx, tuple):
        raise TypeError(f"For '{cls}', the 'hx' must be '{_TUPLE_TYPE}', but got '{_typeof(hx)}'")
    if len(hx) != 2:
        raise TypeError(f"For '{cls}', the length of 'hx' must be '2', but got '{len(hx)}'")
    for i, t in enumerate(hx):
        _check_is_tensor(f"hx[{i}]", t, cls)
    for t in hx:
        if t is None:  # MindSpore's check lets None through, then reads its dtype
            raise AttributeError("'NoneType' object has no attribute 'dtype'")
    return hx[0], hx[1]


def _check_float_dtype(name: str, dt: mstype.Type, cls: str) -> None:
    if dt not in _FLOAT_INPUT:
        raise TypeError(
            f"For '{cls}', the element of '{name}' must be one of Float32, Float16, but got {dt}.The supported "
            "data types depend on the hardware that executes the operator, for more details, please refer to "
            "the MindSpore official website to get more information about the data type."
        )


def _check_same_float(args: list[tuple[str, Any]], cls: str) -> None:
    """MindSpore's check_types_same_and_valid: each dtype valid, then equal to the first one's, in turn."""
    first, first_dt = args[0]
    _check_float_dtype(first, first_dt, cls)
    for name, dt in args[1:]:
        _check_float_dtype(name, dt, cls)
        if dt != first_dt:
            raise TypeError(
                f"For '{cls}', the type of '{name}' should be same as '{first}', but got '{first}' with type "
                f"{first_dt} and '{name}' with type {dt}."
            )


def _check_type_name(name: str, dt: Any, valid: tuple[mstype.Type, ...], cls: str) -> None:
    if not (isinstance(dt, mstype.Type) and dt in valid):
        shown = getattr(dt, "__name__", repr(dt))
        raise TypeError(f"For '{cls}', the '{name}' should be one of {list(valid)}, but got '{shown}'.")


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
        np_dtype = mstype.to_np(dtype)
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
                    draw = np.random.uniform(-stdv, stdv, p.data.shape).astype(np.float32)
                    p.data = draw.astype(target)

    # -- forward -------------------------------------------------------------------------------
    def construct(self, x: Any, hx: Any = None, seq_length: Any = None) -> tuple[Any, Any]:
        cls = type(self).__name__
        D = self.num_directions
        layout = (
            "(batch_size, seq_len, input_size)" if self.batch_first else "(seq_len, batch_size, input_size)"
        )
        if not hasattr(x, "shape"):  # MindSpore reads x.shape first
            raise AttributeError(f"'{type(x).__name__}' object has no attribute 'shape'")
        if isinstance(x, CoreTensor) and x.ndim != 3:  # MindSpore: an IndexError or a MatMul/Transpose error
            raise ValueError(
                f"For '{cls}', 'x' must be a 3-D Tensor of shape {layout}, but got a {x.ndim}-D Tensor of "
                f"shape {tuple(x.shape)}."
            )
        _check_is_tensor("x", x, cls)
        B = x.shape[0] if self.batch_first else x.shape[1]
        T = x.shape[1] if self.batch_first else x.shape[0]
        states: tuple[tuple[str, Any], ...] = ()
        if hx is not None:
            if self.is_lstm:
                states = tuple(zip(("hx[0]", "hx[1]"), _check_hx_pair(hx, cls)))
            else:
                _check_is_tensor("h", hx, cls)
                states = (("hx", hx),)
            _check_same_float([("x", x.dtype)] + [(n, t.dtype) for n, t in states], cls)
        lengths = None
        if seq_length is not None:
            # MindSpore reads seq_length.dtype, then seq_length.shape[0]: its errors, word for word
            if not hasattr(seq_length, "dtype"):
                raise AttributeError(f"'{type(seq_length).__name__}' object has no attribute 'dtype'")
            if np.ndim(getattr(seq_length, "data", seq_length)) == 0:
                raise IndexError("tuple index out of range")
            _check_type_name("seq_length", seq_length.dtype, (mstype.int32, mstype.int64), cls)
            if seq_length.shape[0] != B:
                raise ValueError(
                    f"For '{cls}' batch size of x and seq_length must be equal, but got {B} of x and "
                    f"{seq_length.shape[0]} of seq_length."
                )
            lengths = self._lengths(np.asarray(seq_length.data).reshape(-1), T)
        # what MindSpore leaves to its ops (failing there with messages about MatMul, AddExt, LSTM, ...)
        if x.dtype.dtype.kind != "f":
            raise TypeError(
                f"For '{cls}', 'x' must be a floating-point Tensor (float16/32/64), but got {x.dtype}."
            )
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"For '{cls}', the last dimension of 'x' must be input_size={self.input_size}, but got 'x' of "
                f"shape {tuple(x.shape)}."
            )
        if T == 0:
            raise ValueError(
                f"For '{cls}', 'x' must have at least one time step, but got shape {tuple(x.shape)}."
            )
        want = (self.num_layers * D, B, self.hidden_size)
        for name, t in states:
            if tuple(t.shape) != want:
                raise ValueError(
                    f"For '{cls}', '{name}' must have shape (num_directions * num_layers, batch_size, "
                    f"hidden_size) = {want}, but got {tuple(t.shape)}."
                )
        np_dtype = x.data.dtype
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


# =============================================================================================
# the cells
# =============================================================================================
class _RNNCellBase(Cell):
    """MindSpore's RNNCellBase checks (has_bias, hidden_size, input_size) and construct's input checks."""

    def _check_args(self, input_size: Any, hidden_size: Any, has_bias: Any) -> str:
        cls = type(self).__name__
        _checks.value_type("has_bias", has_bias, (bool,), cls)
        _checks.positive_int(hidden_size, "hidden_size", cls)
        _checks.positive_int(input_size, "input_size", cls)
        return cls

    def _as_mindspore_cell(self, has_bias: bool) -> None:
        """After the core cell's construction: MindSpore's `has_bias` and inference mode until set_train()."""
        object.__setattr__(self, "training", False)
        self.has_bias = has_bias

    def _check_inputs(self, x: Any, states: tuple[tuple[str, Any], ...]) -> None:
        """x and the states: Tensors of float32/float16, 2-D (batch, features), the weights' dtype."""
        cls = type(self).__name__
        _check_type_name("x", x.dtype, _FLOAT_INPUT, cls)
        for name, t in states:
            _check_type_name(name, t.dtype, _FLOAT_INPUT, cls)
        lead = x.shape[:1] or (None,)
        for name, t, size in (("x", x, self.input_size),) + tuple(
            (n, t, self.hidden_size) for n, t in states
        ):
            if t.ndim != 2 or t.shape[-1] != size or t.shape[0] != lead[0]:  # MindSpore: MatMul's ValueError
                raise ValueError(
                    f"For '{cls}', '{name}' must have shape (batch_size, {size}) matching 'x', but got {t.shape}."
                )
        w = self.weight_ih.dtype
        for name, t in (("x", x),) + states:  # MindSpore: MatMul's TypeError
            if t.dtype != w:
                raise TypeError(
                    f"For '{cls}', the dtype of '{name}' ({t.dtype}) must be the parameters' dtype ({w})."
                )


class RNNCell(_RNNCellBase, core_layers.RNNCell):
    """One Elman step, MindSpore's interface: ``RNNCell(input_size, hidden_size, has_bias=True,
    nonlinearity='tanh', dtype=mstype.float32)``, ``construct(x, hx)`` (hx required)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        has_bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = mstype.float32,
    ):
        cls = self._check_args(input_size, hidden_size, has_bias)
        _checks.value_type("nonlinearity", nonlinearity, (str,), cls)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"For '{cls}', the 'nonlinearity' must be str and must be in '['tanh', 'relu']', but got "
                f"'{nonlinearity}'."
            )
        core_layers.RNNCell.__init__(
            self, input_size, hidden_size, has_bias, nonlinearity, mstype.to_np(dtype)
        )
        self._as_mindspore_cell(has_bias)

    def construct(self, x: Any, hx: Any) -> Any:
        cls = type(self).__name__
        _check_is_tensor("x", x, cls)
        _check_is_tensor("hx", hx, cls)
        self._check_inputs(x, (("hx", hx),))
        return core_rnn_cell(x, hx, *self.weights(), self.nonlinearity)


def _check_lstmcell_init(func: Any) -> Any:
    """MindSpore's guard against the pre-1.6 LSTMCell arguments (a single LSTM layer), and its log line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _checks.warning(
            "LSTMCell has been changed from 'single LSTM layer' to 'single LSTM cell', if you still need use "
            "single LSTM layer, please use `nn.LSTM` instead.",
            "mindspore/nn/layer/rnn_cells.py:62",
        )
        if len(args) > 4 or "batch_size" in kwargs or "dropout" in kwargs or "bidirectional" in kwargs:
            raise ValueError(
                "The arguments of `nn.LSTMCell` from old MindSpore version(<1.6) are detected, if you still "
                "need use single LSTM layer, please use `nn.LSTM` instead."
            )
        return func(*args, **kwargs)

    return wrapper


class LSTMCell(_RNNCellBase, core_layers.LSTMCell):
    """One LSTM step, MindSpore's interface: ``LSTMCell(input_size, hidden_size, has_bias=True,
    dtype=mstype.float32)``, ``construct(x, hx) -> (h', c')`` with hx the tuple (h, c), required."""

    @_check_lstmcell_init
    def __init__(self, input_size: int, hidden_size: int, has_bias: bool = True, dtype: Any = mstype.float32):
        self._check_args(input_size, hidden_size, has_bias)
        core_layers.LSTMCell.__init__(self, input_size, hidden_size, has_bias, mstype.to_np(dtype))
        self._as_mindspore_cell(has_bias)

    def construct(self, x: Any, hx: Any) -> tuple[Any, Any]:
        cls = type(self).__name__
        _check_is_tensor("x", x, cls)
        h, c = _check_hx_pair(hx, cls)
        self._check_inputs(x, (("hx[0]", h), ("hx[1]", c)))
        return core_lstm_cell(x, (h, c), *self.weights())


class GRUCell(_RNNCellBase, core_layers.GRUCell):
    """One GRU step, MindSpore's interface: ``GRUCell(input_size, hidden_size, has_bias=True,
    dtype=mstype.float32)``, ``construct(x, hx) -> h'`` (hx required)."""

    def __init__(self, input_size: int, hidden_size: int, has_bias: bool = True, dtype: Any = mstype.float32):
        self._check_args(input_size, hidden_size, has_bias)
        core_layers.GRUCell.__init__(self, input_size, hidden_size, has_bias, mstype.to_np(dtype))
        self._as_mindspore_cell(has_bias)

    def construct(self, x: Any, hx: Any) -> Any:
        cls = type(self).__name__
        _check_is_tensor("x", x, cls)
        _check_is_tensor("hx", hx, cls)
        self._check_inputs(x, (("hx", hx),))
        return core_gru_cell(x, hx, *self.weights())
