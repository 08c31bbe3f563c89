"""mindspore.nn.RNN and RNNCell: MindSpore's signatures, checks and parameter layout on the core RNN.

The recurrence itself is the core's (`tinygrad_rnn.rnn.rnn`, built from primitive ops); this module only
adds what MindSpore does differently from torch:

- constructor: ``has_bias`` (not ``bias``), ``nonlinearity`` by keyword, ``dropout`` must be a float in
  [0, 1), MindSpore's exception types and messages; weights drawn like MindSpore's, from numpy's global
  generator (so ``set_seed(s)`` gives the weights real MindSpore draws after ``mindspore.set_seed(s)``);
- ``construct(x, hx=None, seq_length=None)``: seq_length is the core's ``lengths`` (state frozen and
  output zero past each length, h_n at the last valid step, reverse direction over the valid prefix);
  weights are cast to x's dtype; hx, when given, must have x's dtype (float32 or float16);
- ``trainable_params()`` grouped by kind (all weight_ih, then weight_hh, bias_ih, bias_hh), sub-cells
  ``rnn`` and ``dropout_op`` as MindSpore's, and ``training`` False until ``set_train()``.

Where real MindSpore fails deep inside an op (x not 3-D, wrong feature size, wrong hx shape, an empty
sequence), we raise the same exception type with a message naming the argument.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any

import numpy as np

from ... import ops as core_ops
from ...nn import layers as core_layers
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


def _typeof(v: Any) -> str:
    """MindSpore's name for the type of a non-Tensor argument (as its errors print it)."""
    if isinstance(v, bool):
        return "Bool"
    if isinstance(v, int):
        return "Int64"
    if isinstance(v, float):
        return "Float32"
    return "External"


def _check_is_tensor(name: str, v: Any, cls: str) -> None:
    if v is not None and not isinstance(v, CoreTensor):
        raise TypeError(
            f"For '{cls}', the '{name}' must be '<class 'mindspore._c_expression.typing.TensorType'>', "
            f"but got '{_typeof(v)}'"
        )


def _check_float_dtype(name: str, dt: mstype.Type, cls: str) -> None:
    if dt not in _FLOAT_INPUT:
        raise TypeError(
            f"For '{cls}', the element of '{name}' must be one of Float32, Float16, but got {dt}.The supported "
            "data types depend on the hardware that executes the operator, for more details, please refer to "
            "the MindSpore official website to get more information about the data type."
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


class RNN(Cell, core_layers.RNN):
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
        cls = type(self).__name__
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"For '{cls}', the 'nonlinearity' must be in ['tanh', 'relu'], but got {nonlinearity}."
            )
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
            core_layers.RNN.__init__(
                self,
                input_size,
                hidden_size,
                num_layers,
                nonlinearity,
                has_bias,
                batch_first,
                dropout,
                bidirectional,
                np_dtype if np_dtype.kind == "f" else np.float32,
            )
        object.__setattr__(self, "training", False)
        self.has_bias = has_bias
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
        self.rnn = _DynamicRNNTanh() if nonlinearity == "tanh" else _DynamicRNNRelu()
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
        if isinstance(x, CoreTensor) and x.ndim != 3:  # MindSpore: an IndexError or a MatMul/Transpose error
            raise ValueError(
                f"For '{cls}', 'x' must be a 3-D Tensor of shape {layout}, but got a {x.ndim}-D Tensor of "
                f"shape {tuple(x.shape)}."
            )
        _check_is_tensor("x", x, cls)
        B = x.shape[0] if self.batch_first else x.shape[1]
        T = x.shape[1] if self.batch_first else x.shape[0]
        if hx is not None:
            _check_is_tensor("h", hx, cls)
            _check_float_dtype("x", x.dtype, cls)
            _check_float_dtype("hx", hx.dtype, cls)
            if hx.dtype != x.dtype:
                raise TypeError(
                    f"For '{cls}', the type of 'hx' should be same as 'x', but got 'x' with type {x.dtype} "
                    f"and 'hx' with type {hx.dtype}."
                )
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
        # what MindSpore leaves to its ops (failing there with messages about MatMul, AddExt, ...)
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
        if hx is not None and tuple(hx.shape) != (self.num_layers * D, B, self.hidden_size):
            raise ValueError(
                f"For '{cls}', 'hx' must have shape (num_directions * num_layers, batch_size, hidden_size) = "
                f"{(self.num_layers * D, B, self.hidden_size)}, but got {tuple(hx.shape)}."
            )
        np_dtype = x.data.dtype
        weights = [
            tuple(None if w is None else core_ops.cast(w, np_dtype) for w in ws)
            for ws in self.layer_weights()
        ]
        return core_rnn(
            x,
            weights,
            hx,
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


class RNNCell(Cell, core_layers.RNNCell):
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
        cls = type(self).__name__
        _checks.value_type("has_bias", has_bias, (bool,), cls)
        _checks.positive_int(hidden_size, "hidden_size", cls)
        _checks.positive_int(input_size, "input_size", cls)
        _checks.value_type("nonlinearity", nonlinearity, (str,), cls)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"For '{cls}', the 'nonlinearity' must be str and must be in '['tanh', 'relu']', but got "
                f"'{nonlinearity}'."
            )
        core_layers.RNNCell.__init__(
            self, input_size, hidden_size, has_bias, nonlinearity, mstype.to_np(dtype)
        )
        object.__setattr__(self, "training", False)
        self.has_bias = has_bias

    def construct(self, x: Any, hx: Any) -> Any:
        cls = type(self).__name__
        _check_is_tensor("x", x, cls)
        _check_is_tensor("hx", hx, cls)
        _check_type_name("x", x.dtype, _FLOAT_INPUT, cls)
        _check_type_name("hx", hx.dtype, _FLOAT_INPUT, cls)
        want = {
            "x": (x.shape[:1] or (None,)) + (self.input_size,),
            "hx": (x.shape[:1] or (None,)) + (self.hidden_size,),
        }
        for name, t in (("x", x), ("hx", hx)):  # MindSpore: MatMul's ValueError
            if t.ndim != 2 or t.shape[-1] != want[name][-1] or t.shape[0] != want[name][0]:
                raise ValueError(
                    f"For '{cls}', '{name}' must have shape (batch_size, {want[name][-1]}) matching 'x', "
                    f"but got {t.shape}."
                )
        return core_rnn_cell(
            x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity
        )
