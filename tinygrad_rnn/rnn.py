"""The recurrent cells (Elman RNN, LSTM, GRU), composed only from the core's primitive ops.

For each layer k and direction, at every time step t (torch's equations and gate order):

    RNN:   h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),      act = tanh or relu
    LSTM:  i, f, g, o = split(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh, 4)
           c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
           h_t = sigmoid(o) * tanh(c_t)                 (then h_t W_hr^T when proj_size > 0)
    GRU:   r, z, n come from gi = x_t W_ih^T + b_ih and gh = h_{t-1} W_hh^T + b_hh, split in 3:
           r = sigmoid(gi_r + gh_r),  z = sigmoid(gi_z + gh_z),  n = tanh(gi_n + r * gh_n)
           h_t = (1 - z) * n + z * h_{t-1}

x_t is the input (layer 0) or the previous layer's output (directions concatenated, with dropout
between layers in training). The tape sees ordinary matmul / add / sigmoid / tanh nodes, so
backward through time is just the generic reverse walk. The cell functions are pure; only
`run_direction` and `rnn` loop over steps, layers and directions, the same loop for all three.

Per-sequence `lengths`: for sequence b, steps t >= lengths[b] leave its state unchanged and give a
zero output, so h_n (and c_n) is the state at its last valid step; the reverse direction runs over
the valid prefix only (time reversed within [0, lengths[b])). This is MindSpore's `seq_length`
and torch's packed-sequence semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import ops
from .functional import dropout as _dropout
from .tape import current_scope, name_scope, set_scope
from .tensor import Tensor

ACTIVATIONS = {"tanh": ops.tanh, "relu": ops.relu}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # rows of W_ih / W_hh per hidden unit
State = tuple[Tensor, ...]  # (h,) or, for the LSTM, (h, c)


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


def lstm_cell(
    x: Tensor,
    hx: tuple[Tensor, Tensor],
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    w_hr: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One LSTM step: i, f, g, o gates; c' = f*c + i*g; h' = o*tanh(c') (times W_hr^T if given)."""
    xp = _input_projection(x, w_ih, _bias_sum(b_ih, b_hh))
    return lstm_step(xp, hx, ops.transpose(w_hh), None, None if w_hr is None else ops.transpose(w_hr))


def gru_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """One GRU step: r, z, n gates; h' = (1 - z) * n + z * h with n = tanh(gi_n + r * gh_n)."""
    return gru_step(_input_projection(x, w_ih, b_ih), (h,), ops.transpose(w_hh), b_hh)[0]


# -- steps on a precomputed input projection xp = x W_ih^T + (folded biases) -------------------
def rnn_step(xp: Tensor, state: State, w_hh_t: Tensor, act: Callable[[Tensor], Tensor]) -> State:
    """h' = act(xp + h W_hh^T), both biases already in xp."""
    return (act(ops.addmm(xp, state[0], w_hh_t)),)


def lstm_step(xp: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None, w_hr_t: Tensor | None) -> State:
    """(h', c') from gates = xp + h W_hh^T (+ b_hh when it was not folded into xp)."""
    h, c = state
    gates = ops.addmm(xp, h, w_hh_t)
    if b_hh is not None:
        gates = gates + b_hh
    i, f, g, o = ops.split(gates, gates.shape[1] // 4, 1)
    # a scope per gate and one for the cell-state update: graph export labels them (values unchanged)
    with name_scope("i"):
        i = ops.sigmoid(i)
    with name_scope("f"):
        f = ops.sigmoid(f)
    with name_scope("g"):
        g = ops.tanh(g)
    with name_scope("o"):
        o = ops.sigmoid(o)
    with name_scope("c"):
        c_new = f * c + i * g
    h_new = o * ops.tanh(c_new)
    if w_hr_t is not None:
        h_new = ops.matmul(h_new, w_hr_t)
    return h_new, c_new


def gru_step(xp: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None) -> State:
    """h' from gi = xp (b_ih folded in) and gh = h W_hh^T + b_hh (kept apart: r scales gh_n)."""
    h = state[0]
    gh = ops.matmul(h, w_hh_t) if b_hh is None else ops.addmm(b_hh, h, w_hh_t)
    H = gh.shape[1] // 3
    xr, xz, xn = ops.split(xp, H, 1)
    hr, hz, hn = ops.split(gh, H, 1)
    # a scope per gate: graph export labels them (values unchanged)
    with name_scope("r"):
        r = ops.sigmoid(xr + hr)
    with name_scope("z"):
        z = ops.sigmoid(xz + hz)
    with name_scope("n"):
        n = ops.tanh(xn + r * hn)
    return ((1 - z) * n + z * h,)


def _bias_sum(b_ih: Tensor | None, b_hh: Tensor | None) -> Tensor | None:
    return b_ih if b_hh is None else b_hh if b_ih is None else b_ih + b_hh


def _input_projection(x: Tensor, w_ih: Tensor, bias: Tensor | None) -> Tensor:
    """x W_ih^T + bias for 2-D x, as one addmm (one matmul without a bias)."""
    w_t = ops.transpose(w_ih)
    return ops.matmul(x, w_t) if bias is None else ops.addmm(bias, x, w_t)


def _reverse_index(lengths: np.ndarray, T: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pair that reverses each sequence inside its valid prefix (padding stays in place)."""
    t = np.arange(T)[:, None]
    L = lengths[None, :]
    rev = np.where(t < L, L - 1 - t, t)
    return rev, np.broadcast_to(np.arange(lengths.size)[None, :], rev.shape)


def _step_fn(mode: str, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None, nonlinearity: str) -> Any:
    """The per-step function of `mode` with its transposed weights bound (made once per direction)."""
    w_hh_t = ops.transpose(w_hh)
    if mode == "lstm":
        w_hr_t = None if w_hr is None else ops.transpose(w_hr)
        return lambda xp, st: lstm_step(xp, st, w_hh_t, None, w_hr_t)
    if mode == "gru":
        return lambda xp, st: gru_step(xp, st, w_hh_t, b_hh)
    act = ACTIVATIONS[nonlinearity]
    return lambda xp, st: rnn_step(xp, st, w_hh_t, act)


def run_direction(
    x: Tensor,
    state0: State | None,
    weights: Sequence[Tensor | None],
    mode: str = "rnn",
    nonlinearity: str = "tanh",
    reverse: bool = False,
    lengths: np.ndarray | None = None,
) -> tuple[Tensor, State]:
    """One layer, one direction over time-major x (T, B, I): returns (output (T, B, H), final state).

    weights = (w_ih, w_hh, b_ih, b_hh[, w_hr]); state0 = (h0,) or (h0, c0), None for zeros.
    """
    w_ih, w_hh, b_ih, b_hh = weights[:4]
    w_hr = weights[4] if len(weights) > 4 else None
    T, B, I = x.shape
    if reverse and lengths is not None:
        ridx = _reverse_index(lengths, T)
        x = ops.getitem(x, ridx)  # run "forward" over each sequence's reversed valid prefix
    # The input projection of every step at once: one large matmul instead of T small ones, with
    # the biases that can be folded in added in the same pass (the GRU's b_hh cannot: r scales it).
    bias = b_ih if mode == "gru" else _bias_sum(b_ih, b_hh)
    G = w_ih.shape[0]
    xp = ops.reshape(_input_projection(ops.reshape(x, (T * B, I)), w_ih, bias), (T, B, G))
    steps = ops.unbind(xp, 0)  # one node whose backward stacks once (per-step slicing would be O(T^2))
    step = _step_fn(mode, w_hh, b_hh, w_hr, nonlinearity)
    state = state0 if state0 is not None else _zero_state(mode, x, B, w_hh, w_hr)
    if lengths is not None:
        valid = np.arange(T)[:, None] < lengths[None, :]  # (T, B)
    order = range(T - 1, -1, -1) if reverse and lengths is None else range(T)
    outs: list[Any] = [None] * T
    scope = current_scope()
    try:
        for t in order:
            # tag this step's nodes for graph export (set directly: a `with` per step costs more)
            set_scope(scope + (f"t{t}",))
            new = step(steps[t], state)
            if lengths is not None and not valid[t].all():
                m = valid[t][:, None]  # past its length a sequence keeps its state and outputs zeros
                outs[t] = ops.where(m, new[0], 0.0)
                state = tuple(ops.where(m, a, b) for a, b in zip(new, state))
            else:
                outs[t], state = new[0], new
    finally:
        set_scope(scope)
    # nothing saved the steps of the input projection (addmm keeps only mat1 and mat2): free that
    # (T, B, G) array now, so that the outputs' stack below can reuse its memory
    del xp, steps
    out = ops.stack(outs, 0)
    if reverse and lengths is not None:
        out = ops.getitem(out, ridx)
    return out, state


def _zero_state(mode: str, x: Tensor, B: int, w_hh: Tensor, w_hr: Tensor | None) -> State:
    """Zeros for h0 (and c0). The first step still multiplies them by W_hh, as torch does: W_hh is
    then in the graph even when T == 1, and its gradient is zeros rather than missing."""
    H = w_hh.shape[0] // GATES[mode]
    P = w_hr.shape[0] if w_hr is not None else H
    h = Tensor(np.zeros((B, P), dtype=x.array.dtype))
    return (h, Tensor(np.zeros((B, H), dtype=x.array.dtype))) if mode == "lstm" else (h,)


def rnn(
    x: Tensor,
    weights: Sequence[Sequence[Tensor | None]],
    h0: Any = None,
    *,
    mode: str = "rnn",
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bidirectional: bool = False,
    batch_first: bool = False,
    dropout: float = 0.0,
    training: bool = False,
    lengths: Any = None,
    rng: Any = None,
) -> tuple[Tensor, Any]:
    """Multi-layer (bi)directional RNN, LSTM or GRU (`mode`) over x (T, B, I) or (B, T, I) if batch_first.

    weights[k * D + d] = (w_ih, w_hh, b_ih, b_hh[, w_hr]) for layer k, direction d (biases may be
    None; w_hr only for an LSTM with projections). h0: (num_layers * D, B, H) or None for zeros; for
    the LSTM a pair (h0, c0) or None. lengths: (B,) ints in [0, T] or None.
    Returns output (T, B, D * H) (batch-first if batch_first) and h_n (num_layers * D, B, H), or
    for the LSTM (h_n, c_n).
    """
    D = 2 if bidirectional else 1
    if batch_first:
        x = ops.swapaxes(x, 0, 1)
    if lengths is not None:
        lengths = np.asarray(getattr(lengths, "array", lengths)).astype(np.int64).reshape(-1)
    init = None
    if h0 is not None:  # per layer and direction: (h,) or (h, c)
        init = list(zip(*(ops.unbind(s, 0) for s in (h0 if mode == "lstm" else (h0,)))))
    finals: list[State] = []
    layer_in = x
    for k in range(num_layers):
        outs = []
        for d in range(D):
            st = init[k * D + d] if init is not None else None
            with name_scope(mode), name_scope(f"l{k}" + ("_reverse" if d else "")):
                o, fin = run_direction(layer_in, st, weights[k * D + d], mode, nonlinearity, d == 1, lengths)
            outs.append(o)
            finals.append(fin)
        layer_in = outs[0] if D == 1 else ops.concat(outs, 2)
        if dropout and training and k < num_layers - 1:
            layer_in = _dropout(layer_in, dropout, True, rng)
    out = layer_in
    if batch_first:
        out = ops.swapaxes(out, 0, 1)
    h_n = ops.stack([f[0] for f in finals], 0)
    return out, ((h_n, ops.stack([f[1] for f in finals], 0)) if mode == "lstm" else h_n)
