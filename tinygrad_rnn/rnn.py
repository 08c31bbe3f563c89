"""The Elman RNN, composed only from the core's primitive ops (no hand-written BPTT).

For each layer k and direction, at every time step t:

    h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),      act = tanh or relu

x_t is the input (layer 0) or the previous layer's output (directions concatenated, with dropout
between layers in training). The tape sees ordinary matmul / add / tanh nodes, so backward through
time is just the generic reverse walk.

Per-sequence `lengths`: for sequence b, steps t >= lengths[b] leave its state unchanged and give a
zero output, so h_n is the state at its last valid step; the reverse direction runs over the valid
prefix only (time reversed within [0, lengths[b])). This is MindSpore's `seq_length` and torch's
packed-sequence semantics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .functional import dropout as _dropout
from .tape import current_scope, name_scope, set_scope
from .tensor import Tensor

ACTIVATIONS = {"tanh": ops.tanh, "relu": ops.relu}


def rnn_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> Tensor:
    """One step: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    # ops.* rather than Tensor methods: a frontend's Tensor may redefine method semantics
    pre = ops.matmul(x, ops.transpose(w_ih))
    if b_ih is not None:
        pre = pre + b_ih
    pre = pre + ops.matmul(h, ops.transpose(w_hh))
    if b_hh is not None:
        pre = pre + b_hh
    return ACTIVATIONS[nonlinearity](pre)


def _reverse_index(lengths: np.ndarray, T: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pair that reverses each sequence inside its valid prefix (padding stays in place)."""
    t = np.arange(T)[:, None]
    L = lengths[None, :]
    rev = np.where(t < L, L - 1 - t, t)
    return rev, np.broadcast_to(np.arange(lengths.size)[None, :], rev.shape)


def run_direction(
    x: Tensor,
    h0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    nonlinearity: str = "tanh",
    reverse: bool = False,
    lengths: np.ndarray | None = None,
) -> tuple[Tensor, Tensor]:
    """One layer, one direction over time-major x (T, B, I): returns (output (T, B, H), h_T (B, H))."""
    act = ACTIVATIONS[nonlinearity]
    T, B, I = x.shape
    H = w_hh.shape[0]
    if reverse and lengths is not None:
        ridx = _reverse_index(lengths, T)
        x = ops.getitem(x, ridx)  # run "forward" over each sequence's reversed valid prefix
    # The input projection of every step at once: one large matmul instead of T small ones, with
    # both biases added in the same pass (their sum is a vector; adding them one by one to the
    # (T, B, H) result would cost two more passes over it, forward and backward).
    bias = b_ih if b_hh is None else b_hh if b_ih is None else b_ih + b_hh
    x2, w_ih_t = ops.reshape(x, (T * B, I)), ops.transpose(w_ih)
    xw = ops.reshape(ops.matmul(x2, w_ih_t) if bias is None else ops.addmm(bias, x2, w_ih_t), (T, B, H))
    steps = ops.unbind(xw, 0)  # one node whose backward stacks once (per-step slicing would be O(T^2))
    w_hh_t = ops.transpose(w_hh)
    if lengths is not None:
        valid = np.arange(T)[:, None] < lengths[None, :]  # (T, B)
    order = range(T - 1, -1, -1) if reverse and lengths is None else range(T)
    outs: list[Any] = [None] * T
    # h0=None means zeros. The first step still multiplies them by W_hh, as torch does: W_hh is then
    # in the graph even when T == 1, and its gradient is zeros rather than missing.
    h = h0 if h0 is not None else Tensor(np.zeros((B, H), dtype=x.data.dtype))
    scope = current_scope()
    try:
        for t in order:
            # tag this step's nodes for graph export (set directly: a `with` per step costs more)
            set_scope(scope + (f"t{t}",))
            h_new = act(ops.addmm(steps[t], h, w_hh_t))
            if lengths is not None:
                m = valid[t][:, None]
                # past its length a sequence keeps its state and outputs zeros
                out_t = h_new if m.all() else ops.where(m, h_new, 0.0)
                if not m.all():
                    h_new = ops.where(m, h_new, h)
            else:
                out_t = h_new
            outs[t] = out_t
            h = h_new
    finally:
        set_scope(scope)
    out = ops.stack(outs, 0)
    if reverse and lengths is not None:
        out = ops.getitem(out, ridx)
    return out, h


def rnn(
    x: Tensor,
    weights: Sequence[Sequence[Tensor | None]],
    h0: Tensor | None = None,
    *,
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bidirectional: bool = False,
    batch_first: bool = False,
    dropout: float = 0.0,
    training: bool = False,
    lengths: Any = None,
    rng: Any = None,
) -> tuple[Tensor, Tensor]:
    """Multi-layer (bi)directional Elman RNN over x (T, B, I) or (B, T, I) if batch_first.

    weights[k * D + d] = (w_ih, w_hh, b_ih, b_hh) for layer k, direction d (biases may be None).
    h0: (num_layers * D, B, H) or None for zeros. lengths: (B,) ints in [0, T] or None.
    Returns output (T, B, D * H) (batch-first if batch_first) and h_n (num_layers * D, B, H).
    """
    D = 2 if bidirectional else 1
    if batch_first:
        x = ops.swapaxes(x, 0, 1)
    if lengths is not None:
        lengths = np.asarray(getattr(lengths, "data", lengths)).astype(np.int64).reshape(-1)
    h_n = []
    h0s = ops.unbind(h0, 0) if h0 is not None else None
    layer_in = x
    for k in range(num_layers):
        outs = []
        for d in range(D):
            w_ih, w_hh, b_ih, b_hh = weights[k * D + d]
            hk = h0s[k * D + d] if h0s is not None else None
            with name_scope("rnn"), name_scope(f"l{k}" + ("_reverse" if d else "")):
                o, h = run_direction(layer_in, hk, w_ih, w_hh, b_ih, b_hh, nonlinearity, d == 1, lengths)
            outs.append(o)
            h_n.append(h)
        layer_in = outs[0] if D == 1 else ops.concat(outs, 2)
        if dropout and training and k < num_layers - 1:
            layer_in = _dropout(layer_in, dropout, True, rng)
    out = layer_in
    if batch_first:
        out = ops.swapaxes(out, 0, 1)
    return out, ops.stack(h_n, 0)
