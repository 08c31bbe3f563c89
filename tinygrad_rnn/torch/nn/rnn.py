"""torch.nn.RNN and RNNCell over the core layers: torch's argument parsing, checks and messages.

The recurrence itself is the core's (tinygrad_rnn.rnn, composed from primitive ops). A
PackedSequence is mapped onto the core's per-sequence `lengths` (same semantics: a sequence stops
at its length, h_n is its state there, the reverse direction runs over its valid steps only).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ... import nn as _nn
from ... import ops
from ...tape import TensorBase
from .. import _check, _dtype
from .._tensor import Tensor
from .modules import Module
from .utils._packing import packed_layout
from .utils.rnn import PackedSequence


def _rnnbase_args(
    input_size: Any,
    hidden_size: Any,
    num_layers: Any = 1,
    bias: Any = True,
    batch_first: Any = False,
    dropout: Any = 0.0,
    bidirectional: Any = False,
    device: Any = None,
    dtype: Any = None,
) -> dict[str, Any]:
    return dict(locals())


# torch parses these in RNNBase.__init__, so a bad keyword reads "RNNBase.__init__() got an ..."
_rnnbase_args.__qualname__ = "RNNBase.__init__"


class RNN(Module, _nn.RNN):
    """RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, device=None, dtype=None)."""

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
        a = _rnnbase_args(*args, **kwargs)
        # torch's RNNBase checks, in torch's order (the core repeats them; these fire first)
        d = a["dropout"]
        if not isinstance(d, (str, numbers.Number)):  # torch's float(dropout)
            raise TypeError(f"float() argument must be a string or a real number, not '{type(d).__name__}'")
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
        if not isinstance(a["num_layers"], int):
            raise TypeError(f"'{type(a['num_layers']).__name__}' object cannot be interpreted as an integer")
        _dtype.check_device(a["device"])
        super().__init__(
            a["input_size"],
            a["hidden_size"],
            a["num_layers"],
            nonlinearity,
            a["bias"],
            a["batch_first"],
            a["dropout"],
            a["bidirectional"],
            dtype=_dtype.to_np(a["dtype"]) or np.float32,
        )
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self.proj_size = 0

    # -- torch's forward checks --------------------------------------------------------------
    def _check_input(self, input: Tensor, packed: bool) -> None:
        w = self.weight_ih_l0
        if input.data.dtype != w.data.dtype:
            i, wd = _dtype.from_np(input.data.dtype), _dtype.from_np(w.data.dtype)
            raise ValueError(
                f"RNN input dtype ({i}) does not match weight dtype ({wd}). "
                f"Convert input: input.to({wd}), or convert model: model.to({i})"
            )
        if packed and input.dim() != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {input.dim()}")
        if input.data.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.data.shape[-1]}"
            )

    def _check_hidden(self, hx: Tensor, shape: tuple[int, ...], batch: int) -> None:
        expected = (self.num_layers * self.num_directions, batch, self.hidden_size)
        if tuple(shape) != expected:
            raise RuntimeError(f"Expected hidden size {expected}, got {list(shape)}")
        if hx.data.dtype != self.weight_hh_l0.data.dtype:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {_check.scalar_name(hx)} and {_check.scalar_name(self.weight_hh_l0)}"
            )

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:  # type: ignore[override]
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        if input.dim() not in (2, 3):
            raise ValueError(f"RNN: Expected input to be 2D or 3D, got {input.dim()}D tensor instead")
        batched = input.dim() == 3
        if input.data.shape[1 if batched and self.batch_first else 0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        if hx is not None and not batched and hx.dim() != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
        if hx is not None and batched and hx.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        self._check_input(input, packed=False)
        if hx is not None:
            batch = input.data.shape[0 if self.batch_first else 1] if batched else 1
            shape = hx.data.shape if batched else (hx.data.shape[0], 1, hx.data.shape[1])
            self._check_hidden(hx, shape, batch)
        return super().forward(input, hx)

    def _forward_packed(self, input: PackedSequence, hx: Tensor | None) -> tuple[PackedSequence, Tensor]:
        data, batch_sizes, sorted_indices, unsorted_indices = input
        bs = np.asarray(batch_sizes.data, dtype=np.int64)
        if hx is not None and sorted_indices is not None:
            hx = hx.index_select(1, sorted_indices)
        self._check_input(data, packed=True)
        if hx is not None:
            self._check_hidden(hx, hx.data.shape, int(bs[0]))
        pad_index, lengths, rows = packed_layout(bs, data.data.shape[0])
        zero = np.zeros((1,) + data.data.shape[1:], dtype=data.data.dtype)
        padded = ops.concat([data, zero], 0)[pad_index.T if self.batch_first else pad_index]
        out, h_n = super().forward(padded, hx, lengths)
        t, b = rows
        out_data = out[(b, t) if self.batch_first else (t, b)]
        if unsorted_indices is not None:
            h_n = h_n.index_select(1, unsorted_indices)
        return PackedSequence(out_data, batch_sizes, sorted_indices, unsorted_indices), h_n


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
        _dtype.check_device(device)
        _check.new_weight_shape(hidden_size, input_size)
        _check.new_weight_shape(hidden_size, hidden_size)
        super().__init__(input_size, hidden_size, bias, "tanh", dtype=_dtype.to_np(dtype) or np.float32)
        self.nonlinearity = nonlinearity  # torch only rejects an unknown one when forward runs

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if input.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        batched = input.dim() == 2
        xs = input.data.shape if batched else (1,) + input.data.shape
        if xs[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {xs[1]} expected {self.input_size}")
        if hx is not None:
            hs = hx.data.shape if batched else (1,) + hx.data.shape
            if hs[0] != xs[0]:
                raise RuntimeError(f"Input batch size {xs[0]} doesn't match hidden0 batch size {hs[0]}")
            if len(hs) < 2:
                raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
            if hs[1] != self.hidden_size:
                raise RuntimeError(
                    f"hidden0 has inconsistent hidden_size: got {hs[1]}, expected {self.hidden_size}"
                )
            if len(hs) != 2:
                raise RuntimeError(f"RNNCell: Expected hidden to be {input.dim()}D, got {hx.dim()}D instead")
        for t in (input, hx):
            if isinstance(t, TensorBase) and t.data.dtype != self.weight_ih.data.dtype:
                raise RuntimeError(
                    f"mat1 and mat2 must have the same dtype, but got {_check.scalar_name(t)} and {_check.scalar_name(self.weight_ih)}"
                )
        return super().forward(input, hx)
