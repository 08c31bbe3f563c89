"""LSTM and GRU against the independent sympy derivation (symbolic/reference.py), in float64.

The reference writes each cell from its recurrence in scalar sympy expressions, with no tape, no
ops and no tinygrad_rnn.rnn; its exact derivatives are evaluated with 40 digits. Our tape's
gradients must agree to ~1e-10 over a generated grid of options. The reference's forward is also
checked against real torch in float64, so the reference itself is not only our own word.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from tinygrad_rnn import Tensor, grad, nn
from tinygrad_rnn.symbolic import reference_gradients, reference_rnn

T, B, I, H = 2, 2, 2, 2
TOL = dict(rtol=1e-10, atol=1e-10)

# every combination of the per-step options on one layer, one direction (fast) ...
GRID = [
    (mode, bias, bf, False, 1, state, lens, proj)
    for mode, bias, bf, state, lens, proj in itertools.product(
        ["lstm", "gru"], [True, False], [False, True], [True, False], [None, (2, 1)], [0, 1]
    )
    if not (mode == "gru" and proj)
]
# ... and stacked / bidirectional cases covering every pair of those options' values (each deep
# case is a much larger sympy expression: the full product would take minutes)
GRID += [
    ("lstm", True, False, True, 2, True, (2, 1), 1),
    ("lstm", False, True, True, 1, False, None, 0),
    ("lstm", True, True, False, 2, False, (2, 1), 0),
    ("lstm", False, False, True, 2, True, None, 1),
    ("gru", True, True, True, 2, True, (2, 1), 0),
    ("gru", False, False, False, 2, False, None, 0),
    ("gru", True, False, True, 1, True, None, 0),
    ("gru", False, True, True, 2, False, (2, 1), 0),
]


def _model(mode, bias, bf, bi, layers, proj, seed=0):
    rng = np.random.default_rng(seed)
    kw = dict(num_layers=layers, bias=bias, batch_first=bf, bidirectional=bi, dtype=np.float64)
    m = nn.LSTM(I, H, proj_size=proj, **kw) if mode == "lstm" else nn.GRU(I, H, **kw)
    for p in m.parameters():  # weights large enough that every gate matters
        p.data = rng.uniform(-0.9, 0.9, p.data.shape)
    return m


def _ours_and_reference(mode, bias, bf, bi, layers, state, lens, proj, seed=0):
    rng = np.random.default_rng(seed + 1)
    m = _model(mode, bias, bf, bi, layers, proj, seed)
    D, P = (2 if bi else 1), (proj or H)
    x = Tensor(rng.standard_normal((B, T, I) if bf else (T, B, I)), requires_grad=True)
    h0 = Tensor(rng.standard_normal((layers * D, B, P)) * 0.5, requires_grad=True) if state else None
    c0 = (
        Tensor(rng.standard_normal((layers * D, B, H)) * 0.5, requires_grad=True)
        if state and mode == "lstm"
        else None
    )
    lengths = None if lens is None else np.array(lens)
    out, fin = m(x, None if h0 is None else ((h0, c0) if mode == "lstm" else h0), lengths=lengths)
    h_n, c_n = fin if mode == "lstm" else (fin, None)
    g_out, g_hn = rng.standard_normal(out.shape), rng.standard_normal(h_n.shape)
    g_cn = rng.standard_normal(c_n.shape) if c_n is not None else None
    loss = (out * Tensor(g_out)).sum() + (h_n * Tensor(g_hn)).sum()
    if c_n is not None:
        loss = loss + (c_n * Tensor(g_cn)).sum()
    params = dict(m.named_parameters())
    leaves = (
        {"input": x}
        | ({"h0": h0} if h0 is not None else {})
        | ({"c0": c0} if c0 is not None else {})
        | params
    )
    ours = dict(zip(leaves, (g.data for g in grad(loss, list(leaves.values())))))
    ours |= {"output": out.data, "h_n": h_n.data} | ({"c_n": c_n.data} if c_n is not None else {})
    ref = reference_gradients(
        x.data,
        {n: p.data for n, p in params.items()},
        None if h0 is None else h0.data,
        out_weight=g_out,
        hn_weight=g_hn,
        mode=mode,
        c0=None if c0 is None else c0.data,
        cn_weight=g_cn,
        num_layers=layers,
        bias=bias,
        batch_first=bf,
        bidirectional=bi,
        lengths=lens,
    )
    return ours, ref


@pytest.mark.parametrize("combo", GRID, ids=lambda c: "-".join(map(str, c)))
def test_gradients_equal_the_exact_derivation(combo):
    ours, ref = _ours_and_reference(*combo)
    assert set(ours) <= set(ref) and "input" in ours and "weight_hh_l0" in ours
    for name, mine in ours.items():
        np.testing.assert_allclose(mine, ref[name], err_msg=f"{combo}: {name}", **TOL)


@pytest.mark.parametrize(("mode", "proj"), [("lstm", 0), ("lstm", 1), ("gru", 0)])
def test_the_reference_forward_is_torchs(mode, proj):
    """The reference alone (no tape) against real torch in float64, so it is not just our word."""
    torch.manual_seed(3)
    kw = dict(num_layers=2, bidirectional=True, dtype=torch.float64)
    t = torch.nn.LSTM(I, H, proj_size=proj, **kw) if mode == "lstm" else torch.nn.GRU(I, H, **kw)
    x = np.random.default_rng(4).standard_normal((T, B, I))
    out_t, fin_t = t(torch.tensor(x))
    weights = {k: v.detach().numpy() for k, v in t.state_dict().items()}
    out_r, fin_r = reference_rnn(x, weights, mode=mode, num_layers=2, bidirectional=True)
    as_f = np.vectorize(float)
    np.testing.assert_allclose(as_f(out_r), out_t.detach().numpy(), **TOL)
    pairs = zip(fin_r, fin_t) if mode == "lstm" else [(fin_r, fin_t)]
    for r, tt in pairs:
        np.testing.assert_allclose(as_f(r), tt.detach().numpy(), **TOL)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode: expected 'rnn', 'lstm' or 'gru', got 'lstmm'"):
        reference_rnn(np.zeros((1, 1, 1)), {"weight_hh_l0": np.zeros((1, 1))}, mode="lstmm")
