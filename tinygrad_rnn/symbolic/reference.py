"""The independent reference: the RNN, LSTM and GRU written out in sympy from their recurrences alone.

    RNN:   h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),      act = tanh or relu (= Max(z, 0))
    LSTM:  i, f, g, o rows of the same affine map; c_t = s(f) c_{t-1} + s(i) tanh(g); h_t = s(o) tanh(c_t)
           (then W_hr h_t with projections), s = 1 / (1 + exp(-z))
    GRU:   r = s(gi_r + gh_r), z = s(gi_z + gh_z), n = tanh(gi_n + r gh_n), h_t = (1 - z) n + z h_{t-1}
           with gi = x_t W_ih^T + b_ih, gh = h_{t-1} W_hh^T + b_hh

one scalar sympy expression per unit, sequence by sequence, layer by layer and direction by
direction, with the `lengths` semantics spelled out as loops. It imports neither the tape, the ops
nor `tinygrad_rnn.rnn`; `reference_gradients` differentiates the loss exactly (exact_diff.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .exact_diff import evaluate_derivatives
from .symbols import as_sympy, short_name, symbol_array, sympy_relu, sympy_tanh


def reference_rnn(
    x: Any,
    weights: Mapping[str, Any],
    h0: Any = None,
    *,
    mode: str = "rnn",
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bias: bool = True,
    batch_first: bool = False,
    bidirectional: bool = False,
    lengths: Sequence[int] | None = None,
    c0: Any = None,
) -> tuple[np.ndarray, Any]:
    """The RNN, LSTM or GRU (`mode`) as sympy expressions, from the recurrence alone (no tape).

    x: (T, B, I) array of sympy expressions or numbers ((B, T, I) if batch_first); weights: torch
    names -> arrays (weight_hr_l{k} present means an LSTM with projections); h0 (and c0 for the
    LSTM): (num_layers * D, B, size) or None for zeros; lengths: B ints in [0, T] or None.
    Returns (output, h_n), or for the LSTM (output, (h_n, c_n)), object arrays. Dropout is not
    modelled (it is training-only randomness).
    """
    import sympy

    cell = _cell(mode, nonlinearity)
    x = as_sympy(x)
    if batch_first:
        x = x.transpose(1, 0, 2)
    T, B, _ = x.shape
    D = 2 if bidirectional else 1
    w_hh0 = np.asarray(weights["weight_hh_l0"])
    H, P = w_hh0.shape[0] // GATE_ROWS[mode], w_hh0.shape[1]  # hidden size, size of h
    lens = [T] * B if lengths is None else [int(n) for n in lengths]
    zero = sympy.S.Zero
    init = [None if s is None else as_sympy(s) for s in (h0, c0)]
    h_n = np.full((num_layers * D, B, P), zero, dtype=object)
    c_n = np.full((num_layers * D, B, H), zero, dtype=object)
    layer_in = x  # (T, B, features): the input, then the previous layer's output
    for k in range(num_layers):
        out = np.full((T, B, D * P), zero, dtype=object)  # steps past a length stay 0
        for d in range(D):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            w = {
                n: as_sympy(weights[n + sfx])
                for n in ("weight_ih", "weight_hh", "weight_hr")
                if n + sfx in weights
            }
            for n in ("bias_ih", "bias_hh"):
                w[n] = as_sympy(weights[n + sfx]) if bias else np.full(w_hh0.shape[0], zero, dtype=object)
            for b in range(B):
                state = [
                    [s[k * D + d, b, j] if s is not None else zero for j in range(size)]
                    for s, size in zip(init, (P, H))
                ]
                # forward: t = 0, 1, ..., n-1; reverse: t = n-1, ..., 0 (the valid prefix only)
                steps = range(lens[b]) if d == 0 else range(lens[b] - 1, -1, -1)
                for t in steps:
                    state = cell(list(layer_in[t, b]), state, w)
                    out[t, b, d * P : (d + 1) * P] = state[0]
                h_n[k * D + d, b] = state[0]  # the state after the last valid step (h0 if n == 0)
                c_n[k * D + d, b] = state[1]
        layer_in = out
    output = layer_in.transpose(1, 0, 2) if batch_first else layer_in
    return output, ((h_n, c_n) if mode == "lstm" else h_n)


GATE_ROWS = {"rnn": 1, "lstm": 4, "gru": 3}  # rows of W_ih / W_hh per hidden unit


def _cell(mode: str, nonlinearity: str) -> Callable[..., list[list[Any]]]:
    """The one-step update of `mode` on lists of scalar expressions: (x, [h, c], weights) -> [h', c']."""
    if mode == "lstm":
        return _lstm_step
    if mode == "gru":
        return _gru_step
    if mode != "rnn":
        raise ValueError(f"mode: expected 'rnn', 'lstm' or 'gru', got {mode!r}")
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
    act = sympy_tanh if nonlinearity == "tanh" else sympy_relu
    return lambda xt, state, w: _rnn_step(xt, state, w, act)


def _affine(w: np.ndarray, v: Sequence[Any], *extra: Any) -> list[Any]:
    """sum_i w[j, i] v[i] (+ extra[j] ...) for every row j, as one sympy Add each."""
    import sympy

    return [
        sympy.Add(*(w[j, i] * v[i] for i in range(len(v))), *(e[j] for e in extra)) for j in range(w.shape[0])
    ]


def _sigmoid(z: Any) -> Any:
    """1 / (1 + exp(-z)), built unevaluated: sympy would distribute -1 over z's terms and rewrite
    exp at every gate of every step (the same reason tanh is unevaluated, symbols.py)."""
    import sympy

    z = sympy.sympify(z)
    if z.is_Number:
        return 1 / (1 + sympy.exp(-z))
    return sympy.Pow(1 + sympy.exp(sympy.Mul(-1, z, evaluate=False), evaluate=False), -1, evaluate=False)


def _rnn_step(
    xt: list[Any], state: list[list[Any]], w: Mapping[str, Any], act: Callable[[Any], Any]
) -> list[list[Any]]:
    """h' = act(W_ih x + b_ih + W_hh h + b_hh)."""
    import sympy

    h = state[0]
    pre = [
        sympy.Add(*(w["weight_ih"][j, i] * xt[i] for i in range(len(xt))), w["bias_ih"][j],
                  *(w["weight_hh"][j, m] * h[m] for m in range(len(h))), w["bias_hh"][j])
        for j in range(len(w["bias_ih"]))
    ]  # fmt: skip
    return [[act(p) for p in pre], state[1]]


def _lstm_step(xt: list[Any], state: list[list[Any]], w: Mapping[str, Any]) -> list[list[Any]]:
    """i, f, g, o rows of W_ih x + b_ih + W_hh h + b_hh; c' = f c + i g; h' = o tanh(c') (W_hr h')."""
    h, c = state
    pre = [
        a + b
        for a, b in zip(_affine(w["weight_ih"], xt, w["bias_ih"]), _affine(w["weight_hh"], h, w["bias_hh"]))
    ]
    H = len(c)
    c_new = [_sigmoid(pre[H + j]) * c[j] + _sigmoid(pre[j]) * sympy_tanh(pre[2 * H + j]) for j in range(H)]
    h_new = [_sigmoid(pre[3 * H + j]) * sympy_tanh(c_new[j]) for j in range(H)]
    if "weight_hr" in w:
        h_new = _affine(w["weight_hr"], h_new)
    return [h_new, c_new]


def _gru_step(xt: list[Any], state: list[list[Any]], w: Mapping[str, Any]) -> list[list[Any]]:
    """r, z, n from gi = W_ih x + b_ih, gh = W_hh h + b_hh; n = tanh(gi_n + r gh_n); h' = (1-z) n + z h."""
    h = state[0]
    gi, gh = _affine(w["weight_ih"], xt, w["bias_ih"]), _affine(w["weight_hh"], h, w["bias_hh"])
    H = len(h)
    r = [_sigmoid(gi[j] + gh[j]) for j in range(H)]
    z = [_sigmoid(gi[H + j] + gh[H + j]) for j in range(H)]
    n = [sympy_tanh(gi[2 * H + j] + r[j] * gh[2 * H + j]) for j in range(H)]
    return [[(1 - z[j]) * n[j] + z[j] * h[j] for j in range(H)], state[1]]


def reference_loss(output: np.ndarray, h_n: np.ndarray, out_weight: Any = None, hn_weight: Any = None) -> Any:
    """L = sum(output * out_weight) + sum(h_n * hn_weight); a None weight drops that term."""
    import sympy

    terms: list[Any] = []
    if out_weight is not None:
        terms += list((output * np.broadcast_to(as_sympy(out_weight), output.shape)).ravel())
    if hn_weight is not None:
        terms += list((h_n * np.broadcast_to(as_sympy(hn_weight), h_n.shape)).ravel())
    return sympy.Add(*terms)


def reference_gradients(
    x: np.ndarray,
    weights: Mapping[str, np.ndarray],
    h0: np.ndarray | None = None,
    *,
    out_weight: np.ndarray,
    hn_weight: np.ndarray,
    mode: str = "rnn",
    c0: np.ndarray | None = None,
    cn_weight: np.ndarray | None = None,
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bias: bool = True,
    batch_first: bool = False,
    bidirectional: bool = False,
    lengths: Sequence[int] | None = None,
    method: str = "dag",
    dps: int = 40,
) -> dict[str, np.ndarray]:
    """Exact gradients of L = sum(output * out_weight) + sum(h_n * hn_weight) (+ sum(c_n * cn_weight)).

    Every number (x, h0, c0, each weight, the loss weights) becomes a sympy symbol, `reference_rnn`
    builds L, and L is differentiated exactly and evaluated with `dps` digits. Returns float64
    arrays: "input", "h0" / "c0" (if given), one per weight, and the forward values "output",
    "h_n" (and "c_n" for the LSTM) and "loss".
    """
    named: dict[str, np.ndarray] = {"input": np.asarray(x, dtype=np.float64)}
    for name, a in (("h0", h0), ("c0", c0)):
        if a is not None:
            named[name] = np.asarray(a, dtype=np.float64)
    for name, w in weights.items():
        named[name] = np.asarray(w, dtype=np.float64)
    syms = {
        name: symbol_array(short_name(name, num_layers, bidirectional), a.shape) for name, a in named.items()
    }
    out, fin = reference_rnn(
        syms["input"],
        {k: v for k, v in syms.items() if k not in ("input", "h0", "c0")},
        syms.get("h0"),
        mode=mode,
        c0=syms.get("c0"),
        num_layers=num_layers,
        nonlinearity=nonlinearity,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        lengths=lengths,
    )
    finals = {"h_n": fin[0], "c_n": fin[1]} if mode == "lstm" else {"h_n": fin}
    weights_of = {"h_n": hn_weight, "c_n": cn_weight}
    loss_w = {"output": (out, out_weight)} | {k: (v, weights_of[k]) for k, v in finals.items()}
    loss_syms = {k: symbol_array("g_" + k.replace("_", ""), v.shape) for k, (v, _) in loss_w.items()}
    loss = reference_loss(out, fin[0] if mode == "lstm" else fin, loss_syms["output"], loss_syms["h_n"])
    if mode == "lstm" and cn_weight is not None:
        loss = loss + reference_loss(fin[1], fin[1], None, loss_syms["c_n"])
    values: dict[Any, Any] = {}
    for name, a in named.items():
        values.update(zip(syms[name].ravel(), a.ravel()))
    for k, (v, wv) in loss_w.items():
        wv = np.zeros(v.shape) if wv is None else np.asarray(wv, dtype=np.float64).reshape(v.shape)
        values.update(zip(loss_syms[k].ravel(), wv.ravel()))
    wrt = [s for name in named for s in syms[name].ravel()]
    extra = [loss] + [e for v, _ in loss_w.values() for e in v.ravel()]
    derivs, vals = evaluate_derivatives(loss, wrt, values, method=method, dps=dps, extra=extra)
    res: dict[str, np.ndarray] = {}
    pos = 0
    for name, a in named.items():
        res[name] = np.array([float(v) for v in derivs[pos : pos + a.size]]).reshape(a.shape)
        pos += a.size
    res["loss"] = np.array(float(vals[0]))
    pos = 1
    for k, (v, _) in loss_w.items():
        res[k] = np.array([float(e) for e in vals[pos : pos + v.size]]).reshape(v.shape)
        pos += v.size
    return res
