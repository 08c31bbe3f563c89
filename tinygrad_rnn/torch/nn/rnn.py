"""torch.nn.RNN / LSTM / GRU and RNNCell / LSTMCell / GRUCell over the core layers: torch's argument
parsing, checks and messages.

The recurrences are the core's (tinygrad_rnn.rnn, composed from primitive ops). A PackedSequence is
mapped onto the core's per-sequence `lengths` (same semantics: a sequence stops at its length, h_n
(and c_n) is its state there, the reverse direction runs over its valid steps only).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ... import nn as _nn
from ... import ops
from ...rnn import lstm_cell
from ...tape import TensorBase
from .. import _check, _dtype
from .._tensor import Tensor
from .modules import Module
from .utils._packing import packed_layout
from .utils.rnn import PackedSequence


def _rnnbase_args(
    self: Any,
    mode: str,
    input_size: Any,
    hidden_size: Any,
    num_layers: Any = 1,
    bias: Any = True,
    batch_first: Any = False,
    dropout: Any = 0.0,
    bidirectional: Any = False,
    proj_size: Any = 0,
    device: Any = None,
    dtype: Any = None,
) -> dict[str, Any]:
    a = dict(locals())
    del a["self"]
    return a


# torch parses these in RNNBase.__init__, so a bad keyword reads "RNNBase.__init__() got an ..."
_rnnbase_args.__qualname__ = "RNNBase.__init__"
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module, _nn.RNNBase):
    """torch's RNNBase(mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None); RNN, LSTM and GRU
    only pick the mode (and RNN its nonlinearity)."""

    def __init__(self, mode: str, *args: Any, **kwargs: Any):
        a = _rnnbase_args(None, mode, *args, **kwargs)
        # torch's RNNBase checks, in torch's order (the core repeats them; these fire first)
        d = a["dropout"]
        if not isinstance(d, (str, numbers.Number)):  # torch's float(dropout)
            raise TypeError(f"float() argument must be a string or a real number, not '{type(d).__name__}'")
        if isinstance(d, str):
            float(d)  # torch's float(dropout): "could not convert string to float: ..."
        if not isinstance(d, (int, float, np.number)) or isinstance(d, bool) or not 0 <= d <= 1:
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an element being zeroed"
            )
        for name in ("bias", "batch_first"):
            if not isinstance(a[name], bool):
                raise TypeError(f"{name} should be of type bool, got: {type(a[name]).__name__}")
        for name in ("input_size", "hidden_size"):
            if not isinstance(a[name], int):
                raise TypeError(f"{name} should be of type int, got: {type(a[name]).__name__}")
            if a[name] <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if a["num_layers"] <= 0:
            raise ValueError("num_layers must be greater than zero")
        p = a["proj_size"]
        if p < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if p >= a["hidden_size"]:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if not isinstance(a["num_layers"], int):
            raise TypeError(f"'{type(a['num_layers']).__name__}' object cannot be interpreted as an integer")
        _check.new_weight_shape(_GATES[mode] * a["hidden_size"], p or a["hidden_size"])  # torch's empty()
        _dtype.check_device(a["device"])
        _nn.RNNBase.__init__(
            self,
            mode,
            a["input_size"],
            a["hidden_size"],
            a["num_layers"],
            a["bias"],
            a["batch_first"],
            a["dropout"],
            a["bidirectional"],
            p,
            dtype=_dtype.to_np(a["dtype"]) or _dtype.default_float(),
        )

    def flatten_parameters(self) -> None:
        """torch's no-op off cuDNN."""

    # -- torch's forward checks --------------------------------------------------------------
    def _check_input(self, input: Tensor, packed: bool) -> None:
        w = self.weight_ih_l0
        if input.array.dtype != w.array.dtype:
            i, wd = _dtype.from_np(input.array.dtype), _dtype.from_np(w.array.dtype)
            raise ValueError(
                f"RNN input dtype ({i}) does not match weight dtype ({wd}). "
                f"Convert input: input.to({wd}), or convert model: model.to({i})"
            )
        if packed and input.dim() != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {input.dim()}")
        if input.array.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.array.shape[-1]}"
            )

    def _check_size(self, shape: tuple[int, ...], batch: int, size: int, what: str) -> None:
        expected = (self.num_layers * self.num_directions, batch, size)
        if tuple(shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(shape)}")

    def _check_hidden(self, hx: Any, shape: Any, batch: int, packed: bool) -> Any:
        """torch's hidden-size checks (shape: hx's shape(s) as batched), then its kernels' dtype checks;
        returns hx, an LSTM's c0 cast to a float64 model's dtype as torch promotes it."""
        w = self.weight_hh_l0
        if self.mode != "LSTM":
            self._check_size(shape, batch, self.hidden_size, "hidden")
            if hx.array.dtype != w.array.dtype:
                raise RuntimeError(
                    f"mat1 and mat2 must have the same dtype, but got {_check.scalar_name(hx)} and {_check.scalar_name(w)}"
                )
            return hx
        self._check_size(shape[0], batch, self.state_size, "hidden[0]")
        self._check_size(shape[1], batch, self.hidden_size, "hidden[1]")
        if not packed and len(hx) != 2:
            raise RuntimeError("lstm expects two hidden states")
        h0, c0 = hx[0], hx[1]
        if h0.array.dtype == w.array.dtype and c0.array.dtype == w.array.dtype:
            return h0, c0
        if not packed and w.array.dtype == np.float32 and not self.proj_size:
            raise RuntimeError("get_mkldnn_dtype: unsupported data type")  # torch's oneDNN LSTM
        wn = _check.scalar_name(w)
        if h0.array.dtype != w.array.dtype:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {_check.scalar_name(h0)} and {wn}"
            )
        if w.array.dtype == np.float64:
            return h0, c0.to(_dtype.float64)
        if packed:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {_check.scalar_name(c0)} and {wn}"
            )
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_check.cpp_name(c0)} != {_check.cpp_name(w)}"
        )

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:  # type: ignore[override]
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        lstm = self.mode == "LSTM"
        if input.dim() not in (2, 3):
            name, tensor = ("RNN", " tensor") if self.mode.startswith("RNN") else (self.mode, "")
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tensor} instead")
        batched = input.dim() == 3
        if hx is not None:
            dims = (hx[0].dim(), hx[1].dim()) if lstm else (hx.dim(),)
            want = 3 if batched else 2
            if any(d != want for d in dims):
                what = ("hx and cx", "s") if lstm else ("hx", "")
                got = f"({dims[0]}-D, {dims[1]}-D) tensors" if lstm else f"{dims[0]}-D tensor"
                kind = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(f"For {kind} input, {what[0]} should also be {want}-D but got {got}")
        self._check_input(input, packed=False)
        if hx is not None:
            batch = input.array.shape[0 if self.batch_first else 1] if batched else 1

            def shape(h: Tensor) -> tuple[int, ...]:
                s = h.array.shape
                return s if batched else (s[0], 1, s[1])

            hx = self._check_hidden(hx, (shape(hx[0]), shape(hx[1])) if lstm else shape(hx), batch, False)
        if input.array.shape[1 if batched and self.batch_first else 0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        return _nn.RNNBase.forward(self, input, hx)

    def _forward_packed(self, input: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        data, batch_sizes, sorted_indices, unsorted_indices = input
        bs = np.asarray(batch_sizes.array, dtype=np.int64)
        lstm = self.mode == "LSTM"
        if hx is not None and lstm:
            hx = (hx[0], hx[1])
        if hx is not None and sorted_indices is not None:
            if lstm:
                hx = tuple(h.index_select(1, sorted_indices) for h in hx)
            else:
                hx = hx.index_select(1, sorted_indices)
        self._check_input(data, packed=True)
        if hx is not None:
            shape = (hx[0].array.shape, hx[1].array.shape) if lstm else hx.array.shape
            hx = self._check_hidden(hx, shape, int(bs[0]), True)
        pad_index, lengths, rows = packed_layout(bs, data.array.shape[0])
        zero = np.zeros((1,) + data.array.shape[1:], dtype=data.array.dtype)
        padded = ops.concat([data, zero], 0)[pad_index.T if self.batch_first else pad_index]
        out, h_n = _nn.RNNBase.forward(self, padded, hx, lengths)
        t, b = rows
        out_data = out[(b, t) if self.batch_first else (t, b)]
        if unsorted_indices is not None:
            if lstm:
                h_n = tuple(h.index_select(1, unsorted_indices) for h in h_n)
            else:
                h_n = h_n.index_select(1, unsorted_indices)
        return PackedSequence(out_data, batch_sizes, sorted_indices, unsorted_indices), h_n


def _forward_of(name: str) -> Any:
    """RNNBase.forward under the subclass's own name: a bad keyword reads "LSTM.forward() got ...",
    as torch's message does (each torch class defines its own forward)."""

    def forward(self: RNNBase, input: Any, hx: Any = None) -> tuple[Any, Any]:
        return RNNBase.forward(self, input, hx)

    forward.__qualname__ = f"{name}.forward"
    return forward


class RNN(RNNBase, _nn.RNN):
    """RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, device=None, dtype=None)."""

    forward = _forward_of("RNN")

    def __init__(self, *args: Any, **kwargs: Any):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)


class LSTM(RNNBase, _nn.LSTM):
    """LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None); forward(input, (h_0, c_0))."""

    forward = _forward_of("LSTM")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase, _nn.GRU):
    """GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, device=None, dtype=None)."""

    forward = _forward_of("GRU")

    def __init__(self, *args: Any, **kwargs: Any):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# -- cells ---------------------------------------------------------------------------------------
def _cell_init(cell: Any, gates: int, input_size: Any, hidden_size: Any, device: Any) -> None:
    """torch allocates a cell's weights with empty() first, so its argument errors are empty()'s."""
    _dtype.check_device(device)
    rows = gates * hidden_size  # torch multiplies first: None fails here, a str repeats
    _check.new_weight_shape(rows, input_size)
    _check.new_weight_shape(rows, hidden_size)


def _check_cell_hidden(cell: Any, xs: tuple[int, ...], h: Tensor, idx: int, batched: bool) -> None:
    """torch's cell kernel checks of one state (hidden{idx}) against the input's shape xs (2-D)."""
    hs = h.array.shape if batched else (1,) + h.array.shape
    if hs[0] != xs[0]:
        raise RuntimeError(f"Input batch size {xs[0]} doesn't match hidden{idx} batch size {hs[0]}")
    if len(hs) < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if hs[1] != cell.hidden_size:
        raise RuntimeError(
            f"hidden{idx} has inconsistent hidden_size: got {hs[1]}, expected {cell.hidden_size}"
        )


def _check_cell_dtypes(cell: Any, *ts: Any) -> None:
    for t in ts:
        if isinstance(t, TensorBase) and t.array.dtype != cell.weight_ih.array.dtype:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {_check.scalar_name(t)} and {_check.scalar_name(cell.weight_ih)}"
            )


def _check_cell_input(cell: Any, input: Tensor, hx: Any) -> tuple[int, ...]:
    """torch's dimension checks of a one-state cell; returns the input's shape as 2-D."""
    name = type(cell).__name__
    if input.dim() not in (1, 2):
        raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
    if hx is not None and hx.dim() not in (1, 2):
        raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
    if getattr(cell, "nonlinearity", "tanh") not in ("tanh", "relu"):
        raise RuntimeError(f"Unknown nonlinearity: {cell.nonlinearity}")
    xs = input.array.shape if input.dim() == 2 else (1,) + input.array.shape
    if xs[1] != cell.input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {xs[1]} expected {cell.input_size}")
    if hx is not None:
        _check_cell_hidden(cell, xs, hx, 0, input.dim() == 2)
        if len(hx.array.shape if input.dim() == 2 else (1,) + hx.array.shape) != 2:
            raise RuntimeError(f"{name}: Expected hidden to be {input.dim()}D, got {hx.dim()}D instead")
    _check_cell_dtypes(cell, input, hx)
    return xs


class RNNCell(Module, _nn.RNNCell):
    """RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ):
        _cell_init(self, 1, input_size, hidden_size, device)
        super().__init__(
            input_size, hidden_size, bias, "tanh", dtype=_dtype.to_np(dtype) or _dtype.default_float()
        )
        self.nonlinearity = nonlinearity  # torch only rejects an unknown one when forward runs

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        _check_cell_input(self, input, hx)
        return super().forward(input, hx)


class GRUCell(Module, _nn.GRUCell):
    """GRUCell(input_size, hidden_size, bias=True, device=None, dtype=None)."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ):
        _cell_init(self, 3, input_size, hidden_size, device)
        super().__init__(input_size, hidden_size, bias, dtype=_dtype.to_np(dtype) or _dtype.default_float())

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        _check_cell_input(self, input, hx)
        return super().forward(input, hx)


class LSTMCell(Module, _nn.LSTMCell):
    """LSTMCell(input_size, hidden_size, bias=True, device=None, dtype=None); forward(input, (h, c))."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ):
        _cell_init(self, 4, input_size, hidden_size, device)
        super().__init__(input_size, hidden_size, bias, dtype=_dtype.to_np(dtype) or _dtype.default_float())

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Tensor]:  # type: ignore[override]
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(
                        f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead"
                    )
        batched = input.dim() == 2
        xs = input.array.shape if batched else (1,) + input.array.shape
        if hx is None:
            if xs[1] != self.input_size:
                raise RuntimeError(
                    f"input has inconsistent input_size: got {xs[1]} expected {self.input_size}"
                )
            _check_cell_dtypes(self, input)
            return super().forward(input)  # zeros of the input's dtype
        if not batched:
            hx = (hx[0], hx[1])
        if isinstance(hx, TensorBase):
            raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor")
        if len(hx) != 2:
            raise RuntimeError("lstm_cell expects two hidden states")
        if xs[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {xs[1]} expected {self.input_size}")
        _check_cell_hidden(self, xs, hx[0], 0, batched)
        _check_cell_hidden(self, xs, hx[1], 1, batched)
        _check_cell_dtypes(self, input, hx[0])
        x, h, c = input, hx[0], hx[1]
        if not batched:
            x, h, c = (ops.reshape(t, (1,) + t.array.shape) for t in (x, h, c))
        # c of another dtype is promoted, as torch's kernel does (the core cell would refuse it)
        h, c = lstm_cell(x, (h, c), *self.weights())
        if not batched:
            h, c = (ops.reshape(t, t.array.shape[1:]) for t in (h, c))
        return h, c
