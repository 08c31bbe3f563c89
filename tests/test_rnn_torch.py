"""Our RNN / RNNCell against the real torch.nn.RNN / torch.nn.RNNCell (torch is the oracle).

Weights are copied from a torch module into ours with load_state_dict, then outputs, h_n and the
gradient of every input (x, h0 and every parameter) under a random upstream gradient on *both*
outputs are compared: to 1e-5 in float32 and 1e-10 in float64. Per-sequence `lengths` are compared
with torch's pack_padded_sequence(enforce_sorted=False) / pad_packed_sequence(total_length=T).
Validation errors are compared with the exception torch raises for the same bad call.
Nothing here is compared against numbers produced by tinygrad_rnn itself.
"""

from __future__ import annotations

import itertools
import re
import warnings
import zlib

import numpy as np
import pytest
import torch
from _oracle import TORCH_DTYPE, assert_close, torch_state
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import tinygrad_rnn
from tinygrad_rnn import Tensor, grad, nn

T, B, I, H = 5, 3, 3, 4
LENGTHS = {"none": None, "sorted": [T, 3, 1], "unsorted": [2, T, 1]}  # each has a 1 and a T


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def make_rnn_pair(dtype: np.dtype, input_size: int = I, hidden_size: int = H, seed: int = 0, **cfg):
    """A torch.nn.RNN and our RNN with the torch module's weights."""
    torch.manual_seed(seed)
    t = torch.nn.RNN(input_size, hidden_size, dtype=TORCH_DTYPE[dtype], **cfg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout with one layer warns in both
        o = nn.RNN(input_size, hidden_size, dtype=dtype, **cfg)
    o.load_state_dict(torch_state(t))
    return t, o


def run_both(t, o, x, h0, lengths, batch_first, rng, dtype):
    """Forward + backward in torch and in ours; returns two dicts name -> array / tensor."""
    Tn = x.shape[1] if batch_first else x.shape[0]
    # -- torch ---------------------------------------------------------------------------------
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0, requires_grad=True) if h0 is not None else None
    if lengths is None:
        out_t, hn_t = t(xt, h0t)
    else:
        packed = pack_padded_sequence(
            xt, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False
        )
        out_p, hn_t = t(packed, h0t)
        out_t, _ = pad_packed_sequence(out_p, batch_first=batch_first, total_length=Tn)
    g_out = rng.standard_normal(tuple(out_t.shape)).astype(dtype)
    g_h = rng.standard_normal(tuple(hn_t.shape)).astype(dtype)
    names = [n for n, _ in t.named_parameters()]
    wrt_t = [xt] + ([h0t] if h0t is not None else []) + [p for _, p in t.named_parameters()]
    gt = torch.autograd.grad([out_t, hn_t], wrt_t, [torch.tensor(g_out), torch.tensor(g_h)])
    theirs = {"output": out_t, "h_n": hn_t, "grad x": gt[0]}
    if h0t is not None:
        theirs["grad h0"] = gt[1]
    theirs.update({f"grad {n}": g for n, g in zip(names, gt[-len(names) :])})
    # -- ours ----------------------------------------------------------------------------------
    xo = Tensor(x.copy(), requires_grad=True)
    h0o = Tensor(h0.copy(), requires_grad=True) if h0 is not None else None
    lens = None if lengths is None else np.array(lengths)
    out_o, hn_o = o(xo, h0o, lengths=lens)
    onames = [n for n, _ in o.named_parameters()]
    assert onames == names, f"parameter names/order {onames} != torch {names}"
    wrt_o = [xo] + ([h0o] if h0o is not None else []) + [p for _, p in o.named_parameters()]
    go = grad([out_o, hn_o], wrt_o, [g_out, g_h])
    ours = {"output": out_o, "h_n": hn_o, "grad x": go[0]}
    if h0o is not None:
        ours["grad h0"] = go[1]
    ours.update({f"grad {n}": g for n, g in zip(onames, go[-len(onames) :])})
    return ours, theirs


def compare(ours, theirs, dtype, ctx: str = "") -> None:
    assert ours.keys() == theirs.keys()
    for k in theirs:
        assert_close(ours[k], theirs[k], dtype, f"{k} {ctx}")


# ---------------------------------------------------------------------------------------------
# the full option grid
# ---------------------------------------------------------------------------------------------
GRID = list(
    itertools.product(
        ["tanh", "relu"],  # nonlinearity
        [True, False],  # bias
        [False, True],  # batch_first
        [False, True],  # bidirectional
        [1, 2, 3],  # num_layers
        [False, True],  # h0 given
        list(LENGTHS),  # lengths
    )
)


def _grid_id(p) -> str:
    nl, bias, bf, bi, L, h0, lk = p
    return f"{nl}-{'bias' if bias else 'nobias'}-{'bf' if bf else 'tf'}-{'bi' if bi else 'uni'}-L{L}-{'h0' if h0 else 'noh0'}-len_{lk}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("params", GRID, ids=[_grid_id(p) for p in GRID])
def test_rnn_matches_torch(params, dtype):
    nl, bias, bf, bi, L, use_h0, lk = params
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(zlib.crc32(_grid_id(params).encode()))
    t, o = make_rnn_pair(dtype, num_layers=L, nonlinearity=nl, bias=bias, batch_first=bf, bidirectional=bi)
    D = 2 if bi else 1
    x = rng.uniform(-1.5, 1.5, (B, T, I) if bf else (T, B, I)).astype(dtype)
    h0 = rng.uniform(-1, 1, (L * D, B, H)).astype(dtype) if use_h0 else None
    ours, theirs = run_both(t, o, x, h0, LENGTHS[lk], bf, rng, dtype)
    compare(ours, theirs, dtype, _grid_id(params))


def test_lengths_with_zero_length_sequence():
    """torch cannot pack a length of 0; ours defines it: zero output, h_n = h0, grad h0 = upstream.

    The other sequences are checked against torch run on the batch without the empty one.
    """
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(7)
    t, o = make_rnn_pair(dtype, num_layers=2, bidirectional=True)
    x = rng.uniform(-1, 1, (T, B, I))
    h0 = rng.uniform(-1, 1, (4, B, H))
    lengths = np.array([3, 0, T])
    xo, h0o = Tensor(x, requires_grad=True), Tensor(h0, requires_grad=True)
    out, hn = o(xo, h0o, lengths=lengths)
    np.testing.assert_array_equal(out.data[:, 1], 0.0)
    np.testing.assert_array_equal(hn.data[:, 1], h0[:, 1])
    g_out, g_h = rng.standard_normal(out.shape), rng.standard_normal(hn.shape)
    gx, gh0 = grad([out, hn], [xo, h0o], [g_out, g_h])
    np.testing.assert_array_equal(gx.data[:, 1], 0.0)
    np.testing.assert_allclose(gh0.data[:, 1], g_h[:, 1], rtol=0, atol=0)
    # the non-empty sequences, against torch on the sub-batch
    keep = [0, 2]
    xt = torch.tensor(x[:, keep], requires_grad=True)
    h0t = torch.tensor(h0[:, keep], requires_grad=True)
    packed = pack_padded_sequence(xt, torch.tensor(lengths[keep]), enforce_sorted=False)
    out_p, hn_t = t(packed, h0t)
    out_t, _ = pad_packed_sequence(out_p, total_length=T)
    assert_close(out.data[:, keep], out_t, dtype, "output")
    assert_close(hn.data[:, keep], hn_t, dtype, "h_n")
    gxt, gh0t = torch.autograd.grad(
        [out_t, hn_t], [xt, h0t], [torch.tensor(g_out[:, keep]), torch.tensor(g_h[:, keep])]
    )
    assert_close(gx.data[:, keep], gxt, dtype, "grad x")
    assert_close(gh0.data[:, keep], gh0t, dtype, "grad h0")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("L, bi", [(1, False), (2, True)], ids=["L1-uni", "L2-bi"])
@pytest.mark.parametrize("Tn, Bn", [(1, 3), (4, 1), (1, 1)], ids=["T1", "B1", "T1B1"])
def test_degenerate_sizes(Tn, Bn, L, bi, dtype):
    """One time step and / or one sequence: single-output unbind / stack along every axis."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(Tn * 10 + Bn)
    t, o = make_rnn_pair(dtype, num_layers=L, bidirectional=bi)
    D = 2 if bi else 1
    x = rng.uniform(-1, 1, (Tn, Bn, I)).astype(dtype)
    h0s = (rng.uniform(-1, 1, (L * D, Bn, H)).astype(dtype), None)
    for lengths, h0 in itertools.product((None, [Tn] * Bn), h0s):
        # with no h0 at T=1, W_hh only multiplies the zero state: torch still gives it a (zeros)
        # gradient, and grad() here would raise for an input the graph does not reach
        ours, theirs = run_both(t, o, x, h0, lengths, False, rng, dtype)
        compare(ours, theirs, dtype, f"T={Tn} B={Bn} lengths={lengths} h0={h0 is not None}")


@pytest.mark.parametrize("nl", ["tanh", "relu"])
def test_one_step_without_h0_gives_every_parameter_a_grad_like_torch(nl):
    """`for p in model.parameters(): p.grad.norm()` must not meet a None where torch has zeros."""
    t, o = make_rnn_pair(np.dtype(np.float32), num_layers=2, bidirectional=True, nonlinearity=nl)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 2, I)).astype(np.float32)
    out_t, hn_t = t(torch.tensor(x))
    (out_t.sum() + hn_t.sum()).backward()
    out_o, hn_o = o(Tensor(x))
    (out_o.sum() + hn_o.sum()).backward()
    for (name, pt), (_, po) in zip(t.named_parameters(), o.named_parameters()):
        assert po.grad is not None, f"{name}: grad None, torch has {pt.grad}"
        assert_close(po.grad, pt.grad, np.float32, name)
    # the case really is the one at issue: torch's W_hh gradient of layer 0 is all zeros
    assert not t.weight_hh_l0.grad.any() and o.weight_hh_l0.grad.shape == (H, H)


# ---------------------------------------------------------------------------------------------
# unbatched input, RNNCell
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("use_h0", [False, True], ids=["noh0", "h0"])
@pytest.mark.parametrize("bf", [False, True], ids=["tf", "bf"])
@pytest.mark.parametrize("bi", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("L", [1, 2])
def test_unbatched_input(L, bi, bf, use_h0, dtype):
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(11)
    t, o = make_rnn_pair(dtype, num_layers=L, bidirectional=bi, batch_first=bf, nonlinearity="relu")
    D = 2 if bi else 1
    x = rng.uniform(-1, 1, (T, I)).astype(dtype)
    h0 = rng.uniform(-1, 1, (L * D, H)).astype(dtype) if use_h0 else None
    ours, theirs = run_both(t, o, x, h0, None, bf, rng, dtype)
    assert ours["output"].shape == (T, D * H) and ours["h_n"].shape == (L * D, H)
    compare(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("use_h", [False, True], ids=["nohx", "hx"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("nl", ["tanh", "relu"])
def test_rnncell_matches_torch(nl, bias, use_h, batched, dtype):
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(3)
    torch.manual_seed(1)
    t = torch.nn.RNNCell(I, H, bias=bias, nonlinearity=nl, dtype=TORCH_DTYPE[dtype])
    o = nn.RNNCell(I, H, bias=bias, nonlinearity=nl, dtype=dtype)
    o.load_state_dict(torch_state(t))
    xs = (B, I) if batched else (I,)
    hs = (B, H) if batched else (H,)
    x = rng.uniform(-2, 2, xs).astype(dtype)
    h = rng.uniform(-1, 1, hs).astype(dtype) if use_h else None
    g = rng.standard_normal(hs).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    ht = torch.tensor(h, requires_grad=True) if use_h else None
    yt = t(xt, ht)
    wt = [xt] + ([ht] if use_h else []) + list(t.parameters())
    gt = torch.autograd.grad(yt, wt, torch.tensor(g))
    xo = Tensor(x.copy(), requires_grad=True)
    ho = Tensor(h.copy(), requires_grad=True) if use_h else None
    yo = o(xo, ho)
    assert [n for n, _ in o.named_parameters()] == [n for n, _ in t.named_parameters()]
    wo = [xo] + ([ho] if use_h else []) + list(o.parameters())
    go = grad([yo], wo, [g])
    assert_close(yo, yt, dtype, "output")
    for k, (a, b) in enumerate(zip(go, gt)):
        assert_close(a, b, dtype, f"grad {k}")


# ---------------------------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------------------------
def _fwd_bwd(o, x, g_out):
    xo = Tensor(x.copy(), requires_grad=True)
    out, hn = o(xo)
    gs = grad([out, hn], [xo, *o.parameters()], [g_out, np.ones(hn.shape, hn.dtype)])
    return [out.data, hn.data] + [g.data for g in gs]


@pytest.mark.parametrize("bi", [False, True], ids=["uni", "bi"])
def test_dropout_eval_equals_no_dropout(bi):
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(5)
    t, o = make_rnn_pair(dtype, num_layers=3, dropout=0.6, bidirectional=bi)
    t.eval()
    o.eval()
    x = rng.uniform(-1, 1, (T, B, I))
    ours, theirs = run_both(t, o, x, None, None, False, rng, dtype)
    compare(ours, theirs, dtype, "eval with dropout=0.6")
    # and equal to a dropout-free model with the same weights, even in training mode
    t0, o0 = make_rnn_pair(dtype, num_layers=3, bidirectional=bi)
    o0.load_state_dict(o.state_dict())
    o0.train()
    g = rng.standard_normal((T, B, H * (2 if bi else 1)))
    for a, b in zip(_fwd_bwd(o, x, g), _fwd_bwd(o0, x, g)):
        np.testing.assert_array_equal(a, b)


def test_dropout_train_is_seeded_and_changes_outputs():
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(6)
    _, o = make_rnn_pair(dtype, num_layers=2, dropout=0.5)
    x = rng.uniform(-1, 1, (T, B, I))
    g = rng.standard_normal((T, B, H))
    o.train()
    tinygrad_rnn.manual_seed(123)
    r1 = _fwd_bwd(o, x, g)
    tinygrad_rnn.manual_seed(123)
    r2 = _fwd_bwd(o, x, g)
    for a, b in zip(r1, r2):
        np.testing.assert_array_equal(a, b)
    tinygrad_rnn.manual_seed(124)
    r3 = _fwd_bwd(o, x, g)
    assert not np.array_equal(r1[0], r3[0]), "another seed gives another mask"
    o.eval()
    r_eval = _fwd_bwd(o, x, g)
    assert not np.allclose(r1[0], r_eval[0]), "dropout in training must change the output"
    # layer 0 has no dropout before it: its part of h_n is the same in train and eval
    np.testing.assert_allclose(r1[1][0], r_eval[1][0], rtol=1e-12)
    assert not np.allclose(r1[1][1], r_eval[1][1])


def test_dropout_one_in_training_matches_torch():
    """p = 1 zeros every inter-layer activation: deterministic, so torch can be the oracle in train."""
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(8)
    t, o = make_rnn_pair(dtype, num_layers=3, dropout=1.0, bidirectional=True)
    t.train()
    o.train()
    x = rng.uniform(-1, 1, (T, B, I))
    h0 = rng.uniform(-1, 1, (6, B, H))
    ours, theirs = run_both(t, o, x, h0, None, False, rng, dtype)
    compare(ours, theirs, dtype, "train with dropout=1")


# ---------------------------------------------------------------------------------------------
# validation: the same exception type as torch, the same facts in the message
# ---------------------------------------------------------------------------------------------
def _numbers(msg: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", msg))


def _raise(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - we compare whatever is raised
            return e
    return None


def assert_same_error(ours_fn, torch_fn, facts=(), numbers=True):
    et = _raise(torch_fn)
    eo = _raise(ours_fn)
    assert et is not None, "torch raised nothing: the case is not a torch error"
    assert eo is not None, f"ours raised nothing; torch raised {type(et).__name__}: {et}"
    assert type(eo) is type(et), f"ours {type(eo).__name__}: {eo}\ntorch {type(et).__name__}: {et}"
    mo, mt = str(eo), str(et)
    missing = _numbers(mt) - _numbers(mo) if numbers else set()
    assert not missing, f"numbers {missing} of torch's message {mt!r} missing from ours {mo!r}"
    for f in facts:
        assert f in mo, f"{f!r} not in our message {mo!r}"
    return eo, et


CTOR_CASES = {
    "input_size float": dict(input_size=2.5),
    "hidden_size float": dict(hidden_size=3.0),
    "input_size zero": dict(input_size=0),
    "hidden_size zero": dict(hidden_size=0),
    "hidden_size negative": dict(hidden_size=-1),
    "num_layers zero": dict(num_layers=0),
    "num_layers float": dict(num_layers=1.5),
    "nonlinearity": dict(nonlinearity="sigmoid"),
    "dropout > 1": dict(dropout=1.5),
    "dropout < 0": dict(dropout=-0.1),
    "dropout bool": dict(dropout=True),
    "dropout str": dict(dropout="a"),
    "bias int": dict(bias=1),
    "batch_first int": dict(batch_first=1),
}
CTOR_FACTS = {
    "input_size float": ["input_size", "int", "float"],
    "hidden_size float": ["hidden_size", "int", "float"],
    "input_size zero": ["input_size", "greater than zero"],
    "hidden_size zero": ["hidden_size", "greater than zero"],
    "hidden_size negative": ["hidden_size", "greater than zero"],
    "num_layers zero": ["num_layers", "greater than zero"],
    "num_layers float": ["float"],
    "nonlinearity": ["sigmoid", "tanh", "relu"],
    "dropout > 1": ["dropout", "[0, 1]"],
    "dropout < 0": ["dropout", "[0, 1]"],
    "dropout bool": ["dropout", "[0, 1]"],
    "dropout str": ["dropout"],
    "bias int": ["bias", "bool", "int"],
    "batch_first int": ["batch_first", "bool", "int"],
}


@pytest.mark.parametrize("case", list(CTOR_CASES))
def test_constructor_errors_match_torch(case):
    kw = dict(input_size=2, hidden_size=3)
    kw.update(CTOR_CASES[case])
    assert_same_error(lambda: nn.RNN(**kw), lambda: torch.nn.RNN(**kw), CTOR_FACTS[case])


def test_dropout_single_layer_warns_like_torch():
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        torch.nn.RNN(2, 3, dropout=0.5)
    with warnings.catch_warnings(record=True) as wo:
        warnings.simplefilter("always")
        nn.RNN(2, 3, dropout=0.5)
    assert len(wt) == 1 and len(wo) == 1
    assert wo[0].category is wt[0].category
    assert str(wo[0].message) == str(wt[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.RNN(2, 3, num_layers=2, dropout=0.5)  # no warning with more than one layer
        nn.RNN(2, 3, dropout=0.0)


def _fwd_case(name):
    """(ours thunk, torch thunk, facts) for a bad forward call on RNN(2, 3, num_layers=2)."""
    f32, f64 = np.float32, np.float64
    bf = name.endswith("(batch_first)")
    mods = {}
    for lib in ("torch", "ours"):
        R = torch.nn.RNN if lib == "torch" else nn.RNN
        mods[lib] = R(2, 3, num_layers=2, batch_first=bf)
    cases = {
        "input 4-D": ((4, 3, 2, 2), f32, None, None, ["2D or 3D", "4D"]),
        "input 1-D": ((5,), f32, None, None, ["2D or 3D", "1D"]),
        "feature size": ((4, 3, 5), f32, None, None, ["input_size"]),
        "hx 2-D for batched input": ((4, 3, 2), f32, (3, 3), f32, ["3-D", "2-D"]),
        "hx 3-D for unbatched input": ((4, 2), f32, (2, 1, 3), f32, ["2-D", "3-D"]),
        "hx layers": ((4, 3, 2), f32, (1, 3, 3), f32, ["hidden size"]),
        "hx batch": ((4, 3, 2), f32, (2, 2, 3), f32, ["hidden size"]),
        "hx batch (batch_first)": ((3, 4, 2), f32, (2, 4, 3), f32, ["hidden size"]),
        "unbatched hx layers": ((4, 2), f32, (1, 3), f32, ["hidden size"]),
        "input dtype": ((4, 3, 2), f64, None, None, ["float64", "float32"]),
        "hx dtype": ((4, 3, 2), f32, (2, 3, 3), f64, ["float64", "float32"]),
    }
    xs, xd, hs, hd, facts = cases[name]
    x = np.zeros(xs, xd)
    h = None if hs is None else np.zeros(hs, hd)

    def ours():
        mods["ours"](Tensor(x), None if h is None else Tensor(h))

    def theirs():
        mods["torch"](torch.tensor(x), None if h is None else torch.tensor(h))

    return ours, theirs, facts


FWD_CASES = [
    "input 4-D",
    "input 1-D",
    "feature size",
    "hx 2-D for batched input",
    "hx 3-D for unbatched input",
    "hx layers",
    "hx batch",
    "hx batch (batch_first)",
    "unbatched hx layers",
    "input dtype",
    "hx dtype",
]


@pytest.mark.parametrize("case", FWD_CASES)
def test_forward_errors_match_torch(case):
    ours, theirs, facts = _fwd_case(case)
    # torch's hx-dtype error comes from its kernel ('mat1 and mat2 ... Double and Float'): its
    # numbers name matrices, not facts of the call; ours must name both dtypes instead
    assert_same_error(ours, theirs, facts, numbers=case != "hx dtype")


def _lengths_call(lengths, lib):
    x = np.zeros((4, 3, 2), np.float32)
    if lib == "torch":
        r = torch.nn.RNN(2, 3)
        return lambda: r(pack_padded_sequence(torch.tensor(x), torch.tensor(lengths), enforce_sorted=False))
    r = nn.RNN(2, 3)
    return lambda: r(Tensor(x), lengths=np.array(lengths))


@pytest.mark.parametrize(
    "lengths, facts",
    [
        ([4, 2], ["lengths", "(3,)", "(2,)"]),  # torch silently packs only 2 sequences
        ([5, 2, 1], ["lengths", "[0, 4]", "5"]),  # torch: an unrelated 'start + length' error
        ([4, 2, 9], ["lengths", "[0, 4]", "9"]),
        ([[4, 2, 1]], ["lengths", "(3,)", "(1, 3)"]),  # torch: IndexError from index_select
        ([4, 2, -1], ["lengths", "[0, 4]", "-1"]),  # torch: RuntimeError 'has to be greater than 0'
    ],
)
def test_lengths_errors_are_clear(lengths, facts):
    e = _raise(_lengths_call(lengths, "ours"))
    assert isinstance(e, ValueError), f"{type(e).__name__}: {e}"
    for f in facts:
        assert f in str(e), f"{f!r} not in {str(e)!r}"


def test_lengths_float_dtype_rejected():
    e = _raise(_lengths_call([4.0, 2.0, 1.0], "ours"))
    assert isinstance(e, TypeError) and "lengths" in str(e) and "float" in str(e), repr(e)


@pytest.mark.xfail(
    strict=True,
    reason="divergence: torch raises RuntimeError for a length <= 0 (pack_padded_sequence); "
    "ours raises ValueError for a negative length (0 is allowed by design)",
)
def test_negative_length_error_type_matches_torch():
    assert_same_error(_lengths_call([4, 2, -1], "ours"), _lengths_call([4, 2, -1], "torch"), ["lengths"])


CELL_CASES = {
    # name: (x shape, x dtype, h shape, h dtype)
    "input 3-D": ((3, 3, 2), np.float32, None, None),
    "feature size": ((3, 5), np.float32, None, None),
    "hx batch": ((3, 2), np.float32, (1, 3), np.float32),
    "hx hidden size": ((3, 2), np.float32, (3, 4), np.float32),
    "input dtype": ((3, 2), np.float64, None, None),
    "hx dtype": ((3, 2), np.float32, (3, 3), np.float64),
}


def _cell_thunks(spec):
    xs, xd, hs, hd = spec
    x = np.zeros(xs, xd)
    h = None if hs is None else np.zeros(hs, hd)
    t, o = torch.nn.RNNCell(2, 3), nn.RNNCell(2, 3)
    return (
        lambda: o(Tensor(x), None if h is None else Tensor(h)),
        lambda: t(torch.tensor(x), None if h is None else torch.tensor(h)),
    )


@pytest.mark.parametrize("case", list(CELL_CASES))
def test_rnncell_errors_match_torch(case):
    assert_same_error(*_cell_thunks(CELL_CASES[case]))


# ---------------------------------------------------------------------------------------------
# long sequences: the backward walk is iterative
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("steps", [1000, 10000])
def test_long_sequence_backward_no_recursion_error(steps):
    dtype = np.dtype(np.float64)
    rng = np.random.default_rng(steps)
    t, o = make_rnn_pair(dtype, input_size=1, hidden_size=2)
    x = rng.uniform(-1, 1, (steps, 1, 1))
    ours, theirs = run_both(t, o, x, None, None, False, rng, dtype)
    compare(ours, theirs, dtype, f"{steps} steps")
    if steps > 1000:
        return
    # and the .backward() path, accumulating into .grad
    xo = Tensor(x, requires_grad=True)
    out, hn = o(xo)
    (out.sum() + hn.sum()).backward()
    assert xo.grad is not None and np.isfinite(xo.grad.data).all()
    assert all(p.grad is not None for p in o.parameters())
