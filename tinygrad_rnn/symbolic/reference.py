"""The independent reference: the Elman RNN written out in sympy from its recurrence alone.

    h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),      act = tanh or relu (= Max(z, 0)),

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
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bias: bool = True,
    batch_first: bool = False,
    bidirectional: bool = False,
    lengths: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The RNN as sympy expressions, from the recurrence alone (no tape, no tinygrad_rnn.rnn).

    x: (T, B, I) array of sympy expressions or numbers ((B, T, I) if batch_first); weights: torch
    names -> arrays; h0: (num_layers * D, B, H) or None for zeros; lengths: B ints in [0, T] or
    None. Returns (output (T, B, D*H) or (B, T, D*H), h_n (num_layers * D, B, H)), object arrays.
    Dropout is not modelled (it is training-only randomness).
    """
    import sympy

    if nonlinearity == "tanh":
        act: Callable[[Any], Any] = sympy_tanh
    elif nonlinearity == "relu":
        act = sympy_relu
    else:
        raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
    x = as_sympy(x)
    if batch_first:
        x = x.transpose(1, 0, 2)
    T, B, _ = x.shape
    D = 2 if bidirectional else 1
    H = np.asarray(weights["weight_hh_l0"]).shape[0]
    lens = [T] * B if lengths is None else [int(n) for n in lengths]
    h0 = None if h0 is None else as_sympy(h0)
    zero = sympy.S.Zero
    h_n = np.full((num_layers * D, B, H), zero, dtype=object)
    layer_in = x  # (T, B, features): the input, then the previous layer's output
    for k in range(num_layers):
        out = np.full((T, B, D * H), zero, dtype=object)  # steps past a length stay 0
        for d in range(D):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            w_ih, w_hh = as_sympy(weights["weight_ih" + sfx]), as_sympy(weights["weight_hh" + sfx])
            b_ih = as_sympy(weights["bias_ih" + sfx]) if bias else np.full(H, zero, dtype=object)
            b_hh = as_sympy(weights["bias_hh" + sfx]) if bias else np.full(H, zero, dtype=object)
            for b in range(B):
                n = lens[b]
                h = [h0[k * D + d, b, j] if h0 is not None else zero for j in range(H)]
                # forward: t = 0, 1, ..., n-1; reverse: t = n-1, ..., 0 (the valid prefix only)
                steps = range(n) if d == 0 else range(n - 1, -1, -1)
                for t in steps:
                    xt = layer_in[t, b]
                    h = [
                        act(
                            sympy.Add(
                                *(w_ih[j, i] * xt[i] for i in range(len(xt))),
                                b_ih[j],
                                *(w_hh[j, m] * h[m] for m in range(H)),
                                b_hh[j],
                            )
                        )
                        for j in range(H)
                    ]
                    out[t, b, d * H : (d + 1) * H] = h
                h_n[k * D + d, b] = h  # the state after the last valid step (h0 if n == 0)
        layer_in = out
    output = layer_in.transpose(1, 0, 2) if batch_first else layer_in
    return output, h_n


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
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bias: bool = True,
    batch_first: bool = False,
    bidirectional: bool = False,
    lengths: Sequence[int] | None = None,
    method: str = "dag",
    dps: int = 40,
) -> dict[str, np.ndarray]:
    """Exact gradients of L = sum(output * out_weight) + sum(h_n * hn_weight), from the reference.

    Every number (x, h0, each weight, the loss weights) becomes a sympy symbol, `reference_rnn`
    builds L, and L is differentiated exactly and evaluated with `dps` digits. Returns float64
    arrays: "input", "h0" (if h0 is given), one per weight, and the forward values "output",
    "h_n" and "loss".
    """
    x = np.asarray(x, dtype=np.float64)
    named: dict[str, np.ndarray] = {"input": x}
    if h0 is not None:
        named["h0"] = np.asarray(h0, dtype=np.float64)
    for name, w in weights.items():
        named[name] = np.asarray(w, dtype=np.float64)
    syms = {
        name: symbol_array(short_name(name, num_layers, bidirectional), a.shape) for name, a in named.items()
    }
    out, hn = reference_rnn(
        syms["input"],
        {k: v for k, v in syms.items() if k not in ("input", "h0")},
        syms.get("h0"),
        num_layers=num_layers,
        nonlinearity=nonlinearity,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        lengths=lengths,
    )
    g_out = symbol_array("g_out", out.shape)
    g_hn = symbol_array("g_hn", hn.shape)
    loss = reference_loss(out, hn, g_out, g_hn)
    values: dict[Any, Any] = {}
    for name, a in named.items():
        values.update(zip(syms[name].ravel(), a.ravel()))
    values.update(zip(g_out.ravel(), np.asarray(out_weight, dtype=np.float64).reshape(out.shape).ravel()))
    values.update(zip(g_hn.ravel(), np.asarray(hn_weight, dtype=np.float64).reshape(hn.shape).ravel()))
    wrt = [s for name in named for s in syms[name].ravel()]
    extra = [loss, *out.ravel(), *hn.ravel()]
    derivs, vals = evaluate_derivatives(loss, wrt, values, method=method, dps=dps, extra=extra)
    res: dict[str, np.ndarray] = {}
    pos = 0
    for name, a in named.items():
        res[name] = np.array([float(v) for v in derivs[pos : pos + a.size]]).reshape(a.shape)
        pos += a.size
    res["loss"] = np.array(float(vals[0]))
    res["output"] = np.array([float(v) for v in vals[1 : 1 + out.size]]).reshape(out.shape)
    res["h_n"] = np.array([float(v) for v in vals[1 + out.size :]]).reshape(hn.shape)
    return res
