"""Issue 3's exact references: our tape's float64 RNN gradients against an independent sympy
derivation (every option combination), the tape run on sympy symbols, finite-difference
gradcheck/gradgradcheck on the RNN, and the `tinygrad-rnn gradcheck` command."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tinygrad_rnn import Tensor, grad
from tinygrad_rnn.cli import main
from tinygrad_rnn.gradcheck import gradcheck, gradgradcheck
from tinygrad_rnn.nn import RNN
from tinygrad_rnn.symbolic import reference_gradients, symbolic_rnn

T, B, I, H = 3, 2, 2, 2

COMBOS = [
    (nl, bias, bf, bi, layers, h0, lens)
    for nl, bias, bf, bi, layers, h0, lens in itertools.product(
        ["tanh", "relu"], [True, False], [False, True], [False, True], [1, 2], [True, False], [None, (3, 1)]
    )
]
COMBOS += [("tanh", True, False, True, 3, True, (2, 3)), ("relu", True, True, False, 3, False, (1, 3))]


def _setup(nl, bias, bf, bi, layers, h0, lens, seed=0):
    rng = np.random.default_rng(seed)
    D = 2 if bi else 1
    m = RNN(I, H, layers, nonlinearity=nl, bias=bias, batch_first=bf, bidirectional=bi, dtype=np.float64)
    m.load_state_dict({k: rng.uniform(-0.9, 0.9, v.shape) for k, v in m.state_dict().items()})
    x = rng.standard_normal((B, T, I) if bf else (T, B, I))
    hx = rng.standard_normal((layers * D, B, H)) * 0.5 if h0 else None
    out_shape = (B, T, D * H) if bf else (T, B, D * H)
    g_out, g_hn = rng.standard_normal(out_shape), rng.standard_normal((layers * D, B, H))
    return m, x, hx, g_out, g_hn


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "-".join(map(str, c)))
def test_tape_gradients_equal_independent_sympy_derivation(combo):
    nl, bias, bf, bi, layers, h0, lens = combo
    m, x, hx, g_out, g_hn = _setup(*combo)
    xt = Tensor(x, requires_grad=True)
    ht = None if hx is None else Tensor(hx, requires_grad=True)
    out, hn = m(xt, ht, lengths=None if lens is None else np.array(lens))
    loss = (out * g_out).sum() + (hn * g_hn).sum()
    params = dict(m.named_parameters())
    leaves = [xt] + ([ht] if ht is not None else []) + list(params.values())
    ours = grad(loss, leaves)
    ref = reference_gradients(
        x,
        {k: p.data for k, p in params.items()},
        hx,
        out_weight=g_out,
        hn_weight=g_hn,
        num_layers=layers,
        nonlinearity=nl,
        bias=bias,
        batch_first=bf,
        bidirectional=bi,
        lengths=lens,
    )
    # relu's kink: with these random numbers no pre-activation sits at exactly 0
    assert _rel(out.data, ref["output"]) <= 1e-12 and _rel(hn.data, ref["h_n"]) <= 1e-12
    names = ["input"] + (["h0"] if ht is not None else []) + list(params)
    for name, g in zip(names, ours):
        assert _rel(g.data, ref[name]) <= 1e-10, name


def test_reference_is_independent_of_the_tape_and_differs_when_the_tape_is_wrong():
    """A perturbed weight gives a different reference: the comparison above can fail."""
    m, x, hx, g_out, g_hn = _setup("tanh", True, False, False, 1, True, None)
    w = {k: p.data for k, p in m.named_parameters()}
    a = reference_gradients(x, w, hx, out_weight=g_out, hn_weight=g_hn)
    w2 = dict(w, weight_hh_l0=w["weight_hh_l0"] + 1e-3)
    b = reference_gradients(x, w2, hx, out_weight=g_out, hn_weight=g_hn)
    assert _rel(a["weight_ih_l0"], b["weight_ih_l0"]) > 1e-6
    import tinygrad_rnn.symbolic as symbolic

    # the reference never touches the tape: no Tensor, ops, rnn or nn in its code
    names = set(symbolic.reference_rnn.__code__.co_names)
    assert not names & {"Tensor", "ops", "rnn", "run_direction", "RNN", "nn", "grad"}, names


def test_sympy_diff_and_dag_methods_agree():
    m, x, hx, g_out, g_hn = _setup("tanh", True, False, True, 1, True, (3, 2))
    w = {k: p.data for k, p in m.named_parameters()}
    kw = dict(out_weight=g_out, hn_weight=g_hn, bidirectional=True, lengths=(3, 2))
    a = reference_gradients(x, w, hx, method="dag", **kw)
    b = reference_gradients(x, w, hx, method="diff", **kw)
    for k in a:
        assert _rel(a[k], b[k]) <= 1e-12, k


def test_tape_on_symbols_prints_and_equals_the_reference():
    s = symbolic_rnn(seq_len=3)
    text = s.text("weight_hh_l0")
    assert "tanh" in text and "w_hh" in text
    assert "\\tanh" in s.latex("weight_hh_l0")
    for name in ("weight_hh_l0", "weight_ih_l0", "bias_hh_l0"):
        assert s.equals_reference(name), name


SMALL = [
    (nl, bias, bf, bi, layers, h0, lens)
    for nl, bias, bf, bi, layers, h0, lens in itertools.product(
        ["tanh", "relu"], [True, False], [False, True], [False, True], [1, 2], [True, False], [None, (3, 1)]
    )
]


@pytest.mark.parametrize("combo", SMALL, ids=lambda c: "-".join(map(str, c)))
def test_gradcheck_on_rnn(combo):
    nl, bias, bf, bi, layers, h0, lens = combo
    m, x, hx, g_out, g_hn = _setup(*combo, seed=1)
    ln = None if lens is None else np.array(lens)
    xt = Tensor(x, requires_grad=True)
    ht = None if hx is None else Tensor(hx, requires_grad=True)
    ps = list(m.parameters())

    def f(xx, *rest):
        hh = rest[0] if ht is not None else None
        out, hn = m(xx, hh, lengths=ln)
        return (out * g_out).sum() + (hn * g_hn).sum()

    ins = [xt] + ([ht] if ht is not None else []) + ps
    assert gradcheck(f, ins, eps=1e-6, atol=1e-6, rtol=1e-4)
    # second order w.r.t. the input and h0 (for relu the h-h block is zero almost everywhere,
    # the check still holds it to that)
    assert gradgradcheck(f, ins[:2] if ht is not None else ins[:1], atol=1e-5, rtol=1e-3)


def test_cli_gradcheck_table_and_exit_codes(capsys):
    rc = main(
        [
            "gradcheck",
            "--num-layers",
            "2",
            "--bidirectional",
            "--seq-len",
            "3",
            "--batch",
            "2",
            "--lengths",
            "3,1",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    for name in ("weight_hh_l0", "weight_ih_l1_reverse", "bias_hh_l1", "input", "h0"):
        assert name in out
    assert "all within tolerance" in out
    rc = main(["gradcheck", "--seq-len", "3", "--batch", "2", "--lengths", "5,1"])
    err = capsys.readouterr().err
    assert rc == 2 and "lengths" in err and "Traceback" not in err
