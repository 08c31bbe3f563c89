"""Our LSTM / GRU / LSTMCell / GRUCell against the real torch.nn modules (torch is the oracle).

Weights are copied from a torch module into ours with load_state_dict, then output, h_n (and c_n)
and the gradient of every input (x, h0, c0 and every parameter) under a random upstream gradient on
*every* output are compared: to 1e-5 in float32 and 1e-10 in float64. Per-sequence `lengths` are
compared with torch's pack_padded_sequence(enforce_sorted=False) / pad_packed_sequence(total_length=T).
Finite-difference gradcheck / gradgradcheck (float64, tiny sizes) check first and second derivatives.
Nothing here is compared against numbers produced by tinygrad_rnn itself, except where a property
needs no oracle (dropout: eval with p > 0 equals p = 0; training with p > 0 differs from eval).
"""

from __future__ import annotations

import itertools
import math
import warnings
import zlib

import numpy as np
import pytest
import torch
from _oracle import TORCH_DTYPE, assert_close, torch_state
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import tinygrad_rnn
from tinygrad_rnn import Tensor, grad, nn
from tinygrad_rnn.gradcheck import gradcheck, gradgradcheck

T, B, I, H = 5, 3, 3, 4
LENGTHS = {"none": None, "sorted": [T, 3, 1], "unsorted": [2, T, 1]}  # each has a 1 and a T
# torch's CPU LSTM with proj_size says it falls back from oneDNN: not a fact about the results
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def make_pair(kind: str, dtype, input_size: int = I, hidden_size: int = H, seed: int = 0, **cfg):
    """torch.nn.<kind> and our nn.<kind> holding the torch module's weights (kind: LSTM, GRU, *Cell)."""
    dtype = np.dtype(dtype)
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout with one layer warns in both
        t = getattr(torch.nn, kind)(input_size, hidden_size, dtype=TORCH_DTYPE[dtype], **cfg)
        o = getattr(nn, kind)(input_size, hidden_size, dtype=dtype, **cfg)
    o.load_state_dict(torch_state(t))
    return t, o


def state_shapes(kind: str, L: int, D: int, Bn: int | None, proj: int = 0) -> list[tuple[int, ...]]:
    """Shapes of (h0,) for GRU / (h0, c0) for LSTM; Bn None: unbatched (no batch axis)."""
    bt = () if Bn is None else (Bn,)
    if kind == "GRU":
        return [(L * D, *bt, H)]
    return [(L * D, *bt, proj or H), (L * D, *bt, H)]


def run_both(kind, t, o, x, state, lengths, batch_first, rng, dtype):
    """Forward + backward in torch and in ours; returns two dicts name -> array / tensor.

    kind: "LSTM" or "GRU"; state: None or the list of initial-state arrays ([h0] / [h0, c0]).
    The upstream gradient is random on output, h_n and (LSTM) c_n.
    """
    lstm = kind == "LSTM"
    Tn = x.shape[1] if batch_first and x.ndim == 3 else x.shape[0]
    final_names = ["h_n", "c_n"] if lstm else ["h_n"]
    state_names = ["h0", "c0"] if lstm else ["h0"]
    # -- torch ---------------------------------------------------------------------------------
    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s, requires_grad=True) for s in state] if state is not None else []
    hx_t = None if state is None else (tuple(st) if lstm else st[0])
    if lengths is None:
        out_t, fin_t = t(xt, hx_t)
    else:
        packed = pack_padded_sequence(
            xt, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False
        )
        out_p, fin_t = t(packed, hx_t)
        out_t, _ = pad_packed_sequence(out_p, batch_first=batch_first, total_length=Tn)
    fin_t = list(fin_t) if lstm else [fin_t]
    outs_t = [out_t, *fin_t]
    gs = [rng.standard_normal(tuple(v.shape)).astype(dtype) for v in outs_t]
    names = [n for n, _ in t.named_parameters()]
    wrt_t = [xt, *st] + [p for _, p in t.named_parameters()]
    gt = torch.autograd.grad(outs_t, wrt_t, [torch.tensor(g) for g in gs])
    theirs = {"output": out_t, **dict(zip(final_names, fin_t)), "grad x": gt[0]}
    theirs.update({f"grad {n}": g for n, g in zip(state_names, gt[1 : 1 + len(st)])})
    theirs.update({f"grad {n}": g for n, g in zip(names, gt[1 + len(st) :])})
    # -- ours ----------------------------------------------------------------------------------
    xo = Tensor(x.copy(), requires_grad=True)
    so = [Tensor(s.copy(), requires_grad=True) for s in state] if state is not None else []
    hx_o = None if state is None else (tuple(so) if lstm else so[0])
    lens = None if lengths is None else np.array(lengths)
    out_o, fin_o = o(xo, hx_o, lengths=lens)
    if lstm:
        assert isinstance(fin_o, tuple) and len(fin_o) == 2, (
            f"LSTM must return (output, (h_n, c_n)): {fin_o!r}"
        )
    fin_o = list(fin_o) if lstm else [fin_o]
    onames = [n for n, _ in o.named_parameters()]
    assert onames == names, f"parameter names/order {onames} != torch {names}"
    wrt_o = [xo, *so] + [p for _, p in o.named_parameters()]
    go = grad([out_o, *fin_o], wrt_o, gs)
    ours = {"output": out_o, **dict(zip(final_names, fin_o)), "grad x": go[0]}
    ours.update({f"grad {n}": g for n, g in zip(state_names, go[1 : 1 + len(so)])})
    ours.update({f"grad {n}": g for n, g in zip(onames, go[1 + len(so) :])})
    return ours, theirs


def compare(ours, theirs, dtype, ctx: str = "") -> None:
    assert ours.keys() == theirs.keys()
    for k in theirs:
        assert_close(ours[k], theirs[k], dtype, f"{k} {ctx}")


# ---------------------------------------------------------------------------------------------
# the option grid
# ---------------------------------------------------------------------------------------------
# (kind, proj_size): LSTM with and without projection (proj 2 < hidden 4), GRU
MODELS = [("LSTM", 0), ("LSTM", 2), ("GRU", 0)]

GRID = [
    (kind, proj, *p)
    for (kind, proj), p in itertools.product(
        MODELS,
        itertools.product(
            [1, 2],  # num_layers
            [True, False],  # bias
            [False, True],  # batch_first
            [False, True],  # bidirectional
            [False, True],  # initial state given
        ),
    )
]
# per-sequence lengths on a sub-grid (bias on): every model, layer count, layout, direction, state
LENGTHS_GRID = [
    (kind, proj, L, True, bf, bi, st, lk)
    for (kind, proj), L, bf, bi, st, lk in itertools.product(
        MODELS, [1, 2], [False, True], [False, True], [False, True], ["sorted", "unsorted"]
    )
]


def _cfg_id(kind, proj, L, bias, bf, bi, st, lk="none") -> str:
    return (
        f"{kind}{f'-proj{proj}' if proj else ''}-L{L}-{'bias' if bias else 'nobias'}-{'bf' if bf else 'tf'}"
        f"-{'bi' if bi else 'uni'}-{'hx' if st else 'nohx'}-len_{lk}"
    )


def _check_config(kind, proj, L, bias, bf, bi, use_state, lk, dtype):
    dtype = np.dtype(dtype)
    ident = _cfg_id(kind, proj, L, bias, bf, bi, use_state, lk)
    rng = np.random.default_rng(zlib.crc32(ident.encode()))
    cfg = dict(num_layers=L, bias=bias, batch_first=bf, bidirectional=bi)
    if proj:
        cfg["proj_size"] = proj
    t, o = make_pair(kind, dtype, seed=zlib.crc32(ident.encode()) % 1000, **cfg)
    D = 2 if bi else 1
    x = rng.uniform(-1.5, 1.5, (B, T, I) if bf else (T, B, I)).astype(dtype)
    state = (
        [rng.uniform(-1, 1, s).astype(dtype) for s in state_shapes(kind, L, D, B, proj)]
        if use_state
        else None
    )
    ours, theirs = run_both(kind, t, o, x, state, LENGTHS[lk], bf, rng, dtype)
    out_last = D * (proj or H)
    assert ours["output"].shape == ((B, T, out_last) if bf else (T, B, out_last))
    compare(ours, theirs, dtype, ident)
    if lk != "none":  # padding past each length is exactly zero, as pad_packed_sequence's
        out = ours["output"].data
        for b, n in enumerate(LENGTHS[lk]):
            np.testing.assert_array_equal(out[b, n:] if bf else out[n:, b], 0.0)


@DTYPES
@pytest.mark.parametrize("params", GRID, ids=[_cfg_id(*p) for p in GRID])
def test_lstm_gru_match_torch(params, dtype):
    _check_config(*params, "none", dtype)


@DTYPES
@pytest.mark.parametrize("params", LENGTHS_GRID, ids=[_cfg_id(*p) for p in LENGTHS_GRID])
def test_lstm_gru_lengths_match_torch(params, dtype):
    _check_config(*params, dtype)


@pytest.mark.parametrize("kind, proj", MODELS, ids=["LSTM", "LSTM-proj2", "GRU"])
@pytest.mark.parametrize("Tn, Bn", [(1, 3), (4, 1), (1, 1)], ids=["T1", "B1", "T1B1"])
def test_degenerate_sizes(Tn, Bn, kind, proj):
    """One time step and / or one sequence, 2 layers bidirectional, with and without lengths / state."""
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(Tn * 10 + Bn)
    cfg = dict(num_layers=2, bidirectional=True) | (dict(proj_size=proj) if proj else {})
    t, o = make_pair(kind, dtype, **cfg)
    x = rng.uniform(-1, 1, (Tn, Bn, I))
    states = ([rng.uniform(-1, 1, s) for s in state_shapes(kind, 2, 2, Bn, proj)], None)
    for lengths, state in itertools.product((None, [Tn] * Bn), states):
        ours, theirs = run_both(kind, t, o, x, state, lengths, False, rng, dtype)
        compare(ours, theirs, dtype, f"T={Tn} B={Bn} lengths={lengths} state={state is not None}")


@pytest.mark.parametrize("kind, proj", MODELS, ids=["LSTM", "LSTM-proj2", "GRU"])
def test_one_step_without_state_gives_every_parameter_a_grad_like_torch(kind, proj):
    """At T=1 with no initial state W_hh only meets zeros: torch still gives it a (zero) .grad."""
    cfg = dict(num_layers=2, bidirectional=True) | (dict(proj_size=proj) if proj else {})
    t, o = make_pair(kind, np.float32, **cfg)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 2, I)).astype(np.float32)
    out_t, fin_t = t(torch.tensor(x))
    fin_t = fin_t if kind == "LSTM" else (fin_t,)
    (out_t.sum() + sum(f.sum() for f in fin_t)).backward()
    out_o, fin_o = o(Tensor(x))
    fin_o = fin_o if kind == "LSTM" else (fin_o,)
    loss = out_o.sum()
    for f in fin_o:
        loss = loss + f.sum()
    loss.backward()
    for (name, pt), (_, po) in zip(t.named_parameters(), o.named_parameters()):
        assert po.grad is not None, f"{name}: grad None, torch has {pt.grad}"
        assert_close(po.grad, pt.grad, np.float32, name)
    assert not t.weight_hh_l0.grad.any()  # the case really is the one at issue


# ---------------------------------------------------------------------------------------------
# parameters: names, order, shapes, dtypes, initialisation
# ---------------------------------------------------------------------------------------------
PARAM_CONFIGS = [
    ("LSTM", {}),
    ("LSTM", dict(bias=False)),
    ("LSTM", dict(proj_size=2)),
    ("LSTM", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2)),
    ("LSTM", dict(num_layers=3, bias=False, proj_size=3, batch_first=True)),
    ("GRU", {}),
    ("GRU", dict(bias=False)),
    ("GRU", dict(num_layers=2, bidirectional=True)),
    ("GRU", dict(num_layers=3, bias=False, bidirectional=True)),
    ("LSTMCell", {}),
    ("LSTMCell", dict(bias=False)),
    ("GRUCell", {}),
    ("GRUCell", dict(bias=False)),
]


def _param_id(c) -> str:
    return c[0] + "".join(f"-{k}={v}" for k, v in c[1].items())


@DTYPES
@pytest.mark.parametrize("kind, cfg", PARAM_CONFIGS, ids=[_param_id(c) for c in PARAM_CONFIGS])
def test_parameters_like_torch(kind, cfg, dtype):
    dtype = np.dtype(dtype)
    t = getattr(torch.nn, kind)(I, H, dtype=TORCH_DTYPE[dtype], **cfg)
    o = getattr(nn, kind)(I, H, dtype=dtype, **cfg)
    theirs = [(n, tuple(p.shape), str(p.dtype).removeprefix("torch.")) for n, p in t.named_parameters()]
    ours = [(n, tuple(p.shape), str(p.dtype)) for n, p in o.named_parameters()]
    assert ours == theirs
    assert list(o.state_dict()) == list(t.state_dict())
    # every parameter is trainable and loading torch's values gives torch's values
    assert all(p.requires_grad for p in o.parameters())
    o.load_state_dict(torch_state(t))
    for (n, po), (_, pt) in zip(o.named_parameters(), t.named_parameters()):
        np.testing.assert_array_equal(po.data, pt.detach().numpy(), err_msg=n)


@pytest.mark.parametrize("kind, cfg", PARAM_CONFIGS, ids=[_param_id(c) for c in PARAM_CONFIGS])
def test_default_init_is_torchs_uniform(kind, cfg):
    """torch initialises every weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    hidden = 16
    tinygrad_rnn.manual_seed(0)  # deterministic draw: the spread check below cannot flake
    o = getattr(nn, kind)(I, hidden, **cfg)
    k = 1 / math.sqrt(hidden)
    for n, p in o.named_parameters():
        a = np.asarray(p.data)
        assert np.all(np.abs(a) <= k), f"{n}: outside [-{k}, {k}]"
        # a U(-k, k) sample of this size spreads over most of the interval
        assert a.max() > 0.5 * k and a.min() < -0.5 * k, f"{n}: range [{a.min()}, {a.max()}]"


# ---------------------------------------------------------------------------------------------
# unbatched input
# ---------------------------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize("use_state", [False, True], ids=["nohx", "hx"])
@pytest.mark.parametrize("bf", [False, True], ids=["tf", "bf"])
@pytest.mark.parametrize("bi", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("L", [1, 2])
@pytest.mark.parametrize("kind, proj", MODELS, ids=["LSTM", "LSTM-proj2", "GRU"])
def test_unbatched_input(kind, proj, L, bi, bf, use_state, dtype):
    """(T, I) input and 2-D states: batch_first does not apply, as in torch."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(11 + L + 2 * bi + 4 * bf)
    cfg = dict(num_layers=L, bidirectional=bi, batch_first=bf) | (dict(proj_size=proj) if proj else {})
    t, o = make_pair(kind, dtype, **cfg)
    D = 2 if bi else 1
    x = rng.uniform(-1, 1, (T, I)).astype(dtype)
    state = (
        [rng.uniform(-1, 1, s).astype(dtype) for s in state_shapes(kind, L, D, None, proj)]
        if use_state
        else None
    )
    ours, theirs = run_both(kind, t, o, x, state, None, bf, rng, dtype)
    assert ours["output"].shape == (T, D * (proj or H)) and ours["h_n"].shape == (L * D, proj or H)
    compare(ours, theirs, dtype)


# ---------------------------------------------------------------------------------------------
# LSTMCell, GRUCell
# ---------------------------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("use_h", [False, True], ids=["nohx", "hx"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell"])
def test_cell_matches_torch(kind, bias, use_h, batched, dtype):
    dtype = np.dtype(dtype)
    lstm = kind == "LSTMCell"
    rng = np.random.default_rng(3 + 2 * bias + 4 * use_h + 8 * batched)
    t, o = make_pair(kind, dtype, seed=1, bias=bias)
    xs = (B, I) if batched else (I,)
    hs = (B, H) if batched else (H,)
    x = rng.uniform(-2, 2, xs).astype(dtype)
    n_state = 2 if lstm else 1
    state = [rng.uniform(-1, 1, hs).astype(dtype) for _ in range(n_state)] if use_h else []
    gs = [rng.standard_normal(hs).astype(dtype) for _ in range(n_state)]
    # torch
    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s, requires_grad=True) for s in state]
    yt = t(xt, (tuple(st) if lstm else st[0]) if use_h else None)
    yt = list(yt) if lstm else [yt]
    wt = [xt, *st, *t.parameters()]
    gt = torch.autograd.grad(yt, wt, [torch.tensor(g) for g in gs])
    # ours
    xo = Tensor(x.copy(), requires_grad=True)
    so = [Tensor(s.copy(), requires_grad=True) for s in state]
    yo = o(xo, (tuple(so) if lstm else so[0]) if use_h else None)
    if lstm:
        assert isinstance(yo, tuple) and len(yo) == 2, f"LSTMCell must return (h', c'): {yo!r}"
    yo = list(yo) if lstm else [yo]
    assert [n for n, _ in o.named_parameters()] == [n for n, _ in t.named_parameters()]
    wo = [xo, *so, *o.parameters()]
    go = grad(yo, wo, gs)
    for k, (a, b) in enumerate(zip(yo, yt)):
        assert_close(a, b, dtype, ["h'", "c'"][k])
    names = ["x"] + ["h", "c"][: len(state)] + [n for n, _ in t.named_parameters()]
    assert len(go) == len(gt) == len(names)
    for n, a, b in zip(names, go, gt):
        assert_close(a, b, dtype, f"grad {n}")


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell"])
def test_cell_steps_equal_one_layer_model(kind):
    """A cell stepped over time, against torch's one-layer LSTM/GRU with the cell's weights."""
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(21)
    torch.manual_seed(2)
    seq = getattr(torch.nn, kind.removesuffix("Cell"))(I, H, dtype=torch.float64)
    o = getattr(nn, kind)(I, H, dtype=dtype)
    o.load_state_dict({k.removesuffix("_l0"): v for k, v in torch_state(seq).items()})
    x = rng.uniform(-1, 1, (T, B, I))
    out_t, fin_t = seq(torch.tensor(x))
    state = None
    for s in range(T):
        state = o(Tensor(x[s]), state)
        h = state[0] if kind == "LSTMCell" else state
        assert_close(h, out_t[s], dtype, f"h at step {s}")
    if kind == "LSTMCell":
        assert_close(state[1], fin_t[1][0], dtype, "c at the last step")


# ---------------------------------------------------------------------------------------------
# finite differences (float64, tiny sizes)
# ---------------------------------------------------------------------------------------------
GC_T, GC_B, GC_I, GC_H = 3, 2, 2, 2
GC_CASES = [
    ("LSTM", dict(num_layers=1, bidirectional=True, proj_size=1), None),
    ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=1, batch_first=True), None),
    ("LSTM", dict(num_layers=2), (3, 1)),
    ("GRU", dict(num_layers=2, bidirectional=True), None),
    ("GRU", dict(num_layers=2, bidirectional=True, batch_first=True, bias=False), (1, 3)),
]


def _gc_setup(kind, cfg, lengths, seed=4):
    rng = np.random.default_rng(seed)
    L, D, proj = cfg.get("num_layers", 1), 2 if cfg.get("bidirectional") else 1, cfg.get("proj_size", 0)
    m = getattr(nn, kind)(GC_I, GC_H, dtype=np.float64, **cfg)
    m.load_state_dict({k: rng.uniform(-0.9, 0.9, v.shape) for k, v in m.state_dict().items()})
    bf = cfg.get("batch_first", False)
    x = Tensor(rng.standard_normal((GC_B, GC_T, GC_I) if bf else (GC_T, GC_B, GC_I)), requires_grad=True)
    hs = [(L * D, GC_B, proj or GC_H), (L * D, GC_B, GC_H)][: 2 if kind == "LSTM" else 1]
    state = [Tensor(rng.standard_normal(s) * 0.5, requires_grad=True) for s in hs]
    ln = None if lengths is None else np.array(lengths)
    inputs = [x, *state, *m.parameters()]  # perturbing the parameters in place perturbs the model
    ns = len(state)

    def f(x, *rest):
        hx = tuple(rest[:ns]) if kind == "LSTM" else rest[0]
        out, fin = m(x, hx, lengths=ln)
        return (out, *fin) if kind == "LSTM" else (out, fin)

    return f, inputs, rng


@pytest.mark.parametrize(
    "kind, cfg, lengths", GC_CASES, ids=[f"{_param_id((k, c))}-lengths={ln}" for k, c, ln in GC_CASES]
)
def test_gradcheck_and_gradgradcheck(kind, cfg, lengths):
    f, inputs, rng = _gc_setup(kind, cfg, lengths)
    assert len(f(*inputs)) == (3 if kind == "LSTM" else 2)
    # d(output, h_n[, c_n]) / d(x, h0[, c0], every parameter), element by element
    assert gradcheck(f, inputs, eps=1e-6, atol=1e-6, rtol=1e-4)
    outs = f(*inputs)
    gs = [rng.standard_normal(v.shape) for v in outs]

    def loss(*args):
        total = None
        for v, g in zip(f(*args), gs):
            term = (v * g).sum()
            total = term if total is None else total + term
        return total

    # Hessian-vector products of the loss w.r.t. every input, parameters included
    assert gradgradcheck(loss, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell"])
def test_cell_gradcheck_and_gradgradcheck(kind):
    rng = np.random.default_rng(9)
    m = getattr(nn, kind)(GC_I, GC_H, dtype=np.float64)
    m.load_state_dict({k: rng.uniform(-0.9, 0.9, v.shape) for k, v in m.state_dict().items()})
    x = Tensor(rng.standard_normal((GC_B, GC_I)), requires_grad=True)
    ns = 2 if kind == "LSTMCell" else 1
    state = [Tensor(rng.standard_normal((GC_B, GC_H)), requires_grad=True) for _ in range(ns)]

    def f(x, *rest):
        y = m(x, tuple(rest[:ns]) if ns == 2 else rest[0])
        return tuple(y) if ns == 2 else y

    inputs = [x, *state, *m.parameters()]
    assert gradcheck(f, inputs, eps=1e-6, atol=1e-6, rtol=1e-4)
    assert gradgradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


# ---------------------------------------------------------------------------------------------
# dropout between layers
# ---------------------------------------------------------------------------------------------
def _fwd_bwd(kind, o, x, g_out):
    """output, h_n[, c_n] and the gradient of x and every parameter, as numpy arrays."""
    xo = Tensor(x.copy(), requires_grad=True)
    out, fin = o(xo)
    fin = list(fin) if kind == "LSTM" else [fin]
    gs = grad([out, *fin], [xo, *o.parameters()], [g_out] + [np.ones(f.shape, f.dtype) for f in fin])
    return [out.data, *(f.data for f in fin)] + [g.data for g in gs]


@pytest.mark.parametrize("kind, proj", MODELS, ids=["LSTM", "LSTM-proj2", "GRU"])
@pytest.mark.parametrize("bi", [False, True], ids=["uni", "bi"])
def test_dropout_eval_matches_torch_and_equals_no_dropout(kind, proj, bi):
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(5)
    cfg = dict(num_layers=3, bidirectional=bi) | (dict(proj_size=proj) if proj else {})
    t, o = make_pair(kind, dtype, dropout=0.5, **cfg)
    t.eval()
    o.eval()
    x = rng.uniform(-1, 1, (T, B, I))
    state = [rng.uniform(-1, 1, s) for s in state_shapes(kind, 3, 2 if bi else 1, B, proj)]
    ours, theirs = run_both(kind, t, o, x, state, None, False, rng, dtype)
    compare(ours, theirs, dtype, "eval with dropout=0.5")
    # a dropout-free model with the same weights, in training mode, is the same function
    _, o0 = make_pair(kind, dtype, **cfg)
    o0.load_state_dict(o.state_dict())
    o0.train()
    g = rng.standard_normal((T, B, (2 if bi else 1) * (proj or H)))
    for a, b in zip(_fwd_bwd(kind, o, x, g), _fwd_bwd(kind, o0, x, g)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind, proj", MODELS, ids=["LSTM", "LSTM-proj2", "GRU"])
def test_dropout_zero_in_training_matches_torch(kind, proj):
    """p = 0 in training is deterministic: torch in train mode is the oracle."""
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(12)
    cfg = dict(num_layers=2, bidirectional=True, dropout=0.0) | (dict(proj_size=proj) if proj else {})
    t, o = make_pair(kind, dtype, **cfg)
    t.train()
    o.train()
    x = rng.uniform(-1, 1, (T, B, I))
    ours, theirs = run_both(kind, t, o, x, None, None, False, rng, dtype)
    compare(ours, theirs, dtype, "train with dropout=0")


@pytest.mark.parametrize("kind, proj", MODELS, ids=["LSTM", "LSTM-proj2", "GRU"])
def test_dropout_one_layer_in_training_matches_torch(kind, proj):
    """Dropout only goes between layers: with one layer, training with p = 0.5 changes nothing."""
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(13)
    t, o = make_pair(kind, dtype, dropout=0.5, **(dict(proj_size=proj) if proj else {}))
    t.train()
    o.train()
    x = rng.uniform(-1, 1, (T, B, I))
    ours, theirs = run_both(kind, t, o, x, None, None, False, rng, dtype)
    compare(ours, theirs, dtype, "one layer, train with dropout=0.5")


@pytest.mark.parametrize("kind, proj", MODELS, ids=["LSTM", "LSTM-proj2", "GRU"])
def test_dropout_one_in_training_matches_torch(kind, proj):
    """p = 1 zeros every inter-layer activation: deterministic, so torch can be the oracle in train."""
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(8)
    cfg = dict(num_layers=3, bidirectional=True, dropout=1.0) | (dict(proj_size=proj) if proj else {})
    t, o = make_pair(kind, dtype, **cfg)
    t.train()
    o.train()
    x = rng.uniform(-1, 1, (T, B, I))
    state = [rng.uniform(-1, 1, s) for s in state_shapes(kind, 3, 2, B, proj)]
    ours, theirs = run_both(kind, t, o, x, state, None, False, rng, dtype)
    compare(ours, theirs, dtype, "train with dropout=1")


@pytest.mark.parametrize("kind, proj", MODELS, ids=["LSTM", "LSTM-proj2", "GRU"])
def test_dropout_train_is_seeded_and_changes_outputs(kind, proj):
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(6)
    _, o = make_pair(kind, dtype, num_layers=2, dropout=0.5, **(dict(proj_size=proj) if proj else {}))
    x = rng.uniform(-1, 1, (T, B, I))
    g = rng.standard_normal((T, B, proj or H))
    o.train()
    tinygrad_rnn.manual_seed(123)
    r1 = _fwd_bwd(kind, o, x, g)
    tinygrad_rnn.manual_seed(123)
    r2 = _fwd_bwd(kind, o, x, g)
    for a, b in zip(r1, r2):
        np.testing.assert_array_equal(a, b)
    tinygrad_rnn.manual_seed(124)
    r3 = _fwd_bwd(kind, o, x, g)
    assert not np.array_equal(r1[0], r3[0]), "another seed gives another mask"
    o.eval()
    r_eval = _fwd_bwd(kind, o, x, g)
    assert not np.allclose(r1[0], r_eval[0]), "dropout in training must change the output"
    # layer 0 has no dropout before it: its final state is the same in train and eval
    n_fin = 2 if kind == "LSTM" else 1
    for k in range(1, 1 + n_fin):
        np.testing.assert_allclose(r1[k][0], r_eval[k][0], rtol=1e-12)
        assert not np.allclose(r1[k][1], r_eval[k][1]), "layer 1 sees a dropped-out input"
