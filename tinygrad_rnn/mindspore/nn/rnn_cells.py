"""mindspore.nn.RNNCell, LSTMCell and GRUCell: one step of each recurrence, MindSpore's interface.

As in real MindSpore, the cells live apart from the layers (``mindspore/nn/layer/rnn_cells.py`` next to
``rnns.py``); the step itself is the core's (`tinygrad_rnn.rnn`: rnn_cell, lstm_cell, gru_cell).

Verified against real MindSpore 2.10.0 (CPU):

- ``RNNCell(input_size, hidden_size, has_bias=True, nonlinearity='tanh', dtype=mstype.float32)``,
  ``LSTMCell`` and ``GRUCell(input_size, hidden_size, has_bias=True, dtype=mstype.float32)``; checks
  in MindSpore's order (has_bias, hidden_size, input_size, then dtype: None is a ValueError, anything
  but a MindSpore dtype the TypeError of MindSpore's Tensor), with its exception types and messages;
- ``construct(x, hx)`` with hx required: a Tensor (RNNCell, GRUCell: returns h'), or for the LSTMCell
  the tuple (h, c) (returns the tuple (h', c')); parameters weight_ih (G, I), weight_hh (G, H),
  bias_ih, bias_hh with G = H, 4H, 3H;
- LSTMCell logs "LSTMCell has been changed from 'single LSTM layer' ..." on construction and raises
  ValueError for the pre-1.6 arguments (more than 3 positional arguments, or batch_size / dropout /
  bidirectional by keyword). Cells' initial weights are drawn by MindSpore's C++ initializer, which we
  do not reproduce (ours come from the package generator, as RNNCell's always have).

Where real MindSpore fails deep inside an op (x or a state of the wrong shape, or whose dtype differs
from the weights'), we raise the same exception type with a message naming the argument.
"""

from __future__ import annotations

import functools
from typing import Any

from ...nn import layers as core_layers
from ...rnn import gru_cell as core_gru_cell
from ...rnn import lstm_cell as core_lstm_cell
from ...rnn import rnn_cell as core_rnn_cell
from .. import _checks
from ..common import dtype as mstype
from .cell import Cell
from .rnn_checks import FLOAT_INPUT, check_hx_pair, check_is_tensor, check_type_name, parameter_dtype


class RNNCellBase(Cell):
    """MindSpore's RNNCellBase checks (has_bias, hidden_size, input_size, dtype) and construct's input checks."""

    def _check_args(self, input_size: Any, hidden_size: Any, has_bias: Any, dtype: Any) -> Any:
        """MindSpore's RNNCellBase checks, in its order; returns the parameters' numpy dtype."""
        cls = type(self).__name__
        _checks.value_type("has_bias", has_bias, (bool,), cls)
        _checks.positive_int(hidden_size, "hidden_size", cls)
        _checks.positive_int(input_size, "input_size", cls)
        return mstype.to_np(parameter_dtype(dtype, cell=True))

    def _as_mindspore_cell(self, has_bias: bool) -> None:
        """After the core cell's construction: MindSpore's `has_bias` and inference mode until set_train()."""
        object.__setattr__(self, "training", False)
        self.has_bias = has_bias

    def _check_inputs(self, x: Any, states: tuple[tuple[str, Any], ...]) -> None:
        """x and the states: Tensors of float32/float16, 2-D (batch, features), the weights' dtype."""
        cls = type(self).__name__
        check_type_name("x", x.dtype, FLOAT_INPUT, cls)
        for name, t in states:
            check_type_name(name, t.dtype, FLOAT_INPUT, cls)
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


class RNNCell(RNNCellBase, core_layers.RNNCell):
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
        np_dtype = self._check_args(input_size, hidden_size, has_bias, dtype)
        cls = type(self).__name__
        _checks.value_type("nonlinearity", nonlinearity, (str,), cls)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"For '{cls}', the 'nonlinearity' must be str and must be in '['tanh', 'relu']', but got "
                f"'{nonlinearity}'."
            )
        core_layers.RNNCell.__init__(self, input_size, hidden_size, has_bias, nonlinearity, np_dtype)
        self._as_mindspore_cell(has_bias)

    def construct(self, x: Any, hx: Any) -> Any:
        cls = type(self).__name__
        check_is_tensor("x", x, cls)
        check_is_tensor("hx", hx, cls)
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


class LSTMCell(RNNCellBase, core_layers.LSTMCell):
    """One LSTM step, MindSpore's interface: ``LSTMCell(input_size, hidden_size, has_bias=True,
    dtype=mstype.float32)``, ``construct(x, hx) -> (h', c')`` with hx the tuple (h, c), required."""

    @_check_lstmcell_init
    def __init__(self, input_size: int, hidden_size: int, has_bias: bool = True, dtype: Any = mstype.float32):
        np_dtype = self._check_args(input_size, hidden_size, has_bias, dtype)
        core_layers.LSTMCell.__init__(self, input_size, hidden_size, has_bias, np_dtype)
        self._as_mindspore_cell(has_bias)

    def construct(self, x: Any, hx: Any) -> tuple[Any, Any]:
        cls = type(self).__name__
        check_is_tensor("x", x, cls)
        h, c = check_hx_pair(hx, cls)
        self._check_inputs(x, (("hx[0]", h), ("hx[1]", c)))
        return core_lstm_cell(x, (h, c), *self.weights())


class GRUCell(RNNCellBase, core_layers.GRUCell):
    """One GRU step, MindSpore's interface: ``GRUCell(input_size, hidden_size, has_bias=True,
    dtype=mstype.float32)``, ``construct(x, hx) -> h'`` (hx required)."""

    def __init__(self, input_size: int, hidden_size: int, has_bias: bool = True, dtype: Any = mstype.float32):
        np_dtype = self._check_args(input_size, hidden_size, has_bias, dtype)
        core_layers.GRUCell.__init__(self, input_size, hidden_size, has_bias, np_dtype)
        self._as_mindspore_cell(has_bias)

    def construct(self, x: Any, hx: Any) -> Any:
        cls = type(self).__name__
        check_is_tensor("x", x, cls)
        check_is_tensor("hx", hx, cls)
        self._check_inputs(x, (("hx", hx),))
        return core_gru_cell(x, hx, *self.weights())
