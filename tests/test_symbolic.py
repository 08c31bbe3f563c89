"""tinygrad_rnn.symbolic: the independent sympy RNN, its exact derivatives, and our tape on symbols.

tests/test_rnn_references.py runs the main grid (every option combination, B=2, lengths (3, 1)).
This file checks the reference itself (against numbers worked out by hand), runs a second grid
with other sizes and lengths (a zero length, a prefix shorter than T reversed, I != H, B=3),
checks the generic exact differentiator, the core ops on object arrays, and the tape's symbolic
expressions against independent derivations (sympy.expand / sympy.simplify identities).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy

import tinygrad_rnn as tg
from tinygrad_rnn import Tensor, grad, ops, symbolic
from tinygrad_rnn.nn import RNN
from tinygrad_rnn.symbolic import (
    evaluate,
    evaluate_derivatives,
    reference_gradients,
    reference_rnn,
    symbolic_rnn,
)


def _rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)) if a.size else 0.0


# ---------------------------------------------------------------------------------------------
# The reference itself, against arithmetic done by hand
# ---------------------------------------------------------------------------------------------
def test_reference_lengths_semantics_against_hand_computation():
    """relu with positive pre-activations is the identity, so the recurrence is exact rationals.

    T=3, B=2, lengths (3, 2), bidirectional, one unit, no bias.
    forward: h_t = 2 x_t + h_{t-1}/2; reverse: h_t = 3 x_t + h_{t+1}/3 over the valid prefix.
    """
    R = sympy.Rational
    x = np.array([[[1], [4]], [[2], [5]], [[3], [6]]], dtype=object)  # (T, B, I); x[2, 1] is padding
    weights = {
        "weight_ih_l0": np.array([[2]], dtype=object),
        "weight_hh_l0": np.array([[R(1, 2)]], dtype=object),
        "weight_ih_l0_reverse": np.array([[3]], dtype=object),
        "weight_hh_l0_reverse": np.array([[R(1, 3)]], dtype=object),
    }
    h0 = np.array([[[1], [2]], [[3], [4]]], dtype=object)  # (L*D, B, H)
    out, h_n = reference_rnn(
        x, weights, h0, nonlinearity="relu", bias=False, bidirectional=True, lengths=[3, 2]
    )
    F = Fraction
    # sequence 0, forward over t = 0, 1, 2 from h0 = 1
    f0 = [2 * 1 + F(1, 2) * 1]
    f0.append(2 * 2 + F(1, 2) * f0[0])
    f0.append(2 * 3 + F(1, 2) * f0[1])
    # sequence 0, reverse over t = 2, 1, 0 from h0 = 3
    r0 = {2: 3 * 3 + F(1, 3) * 3}
    r0[1] = 3 * 2 + F(1, 3) * r0[2]
    r0[0] = 3 * 1 + F(1, 3) * r0[1]
    # sequence 1 (length 2), forward over t = 0, 1 from h0 = 2; t = 2 is padding
    f1 = [2 * 4 + F(1, 2) * 2]
    f1.append(2 * 5 + F(1, 2) * f1[0])
    # sequence 1, reverse over its valid prefix: t = 1, then t = 0, from h0 = 4 (x[2, 1] unused)
    r1 = {1: 3 * 5 + F(1, 3) * 4}
    r1[0] = 3 * 4 + F(1, 3) * r1[1]

    def q(v):
        return sympy.Rational(v.numerator, v.denominator)

    expected_out = np.array(
        [
            [[q(f0[0]), q(r0[0])], [q(f1[0]), q(r1[0])]],
            [[q(f0[1]), q(r0[1])], [q(f1[1]), q(r1[1])]],
            [[q(f0[2]), q(r0[2])], [0, 0]],  # past its length: output zero
        ],
        dtype=object,
    )
    assert (out == expected_out).all(), out
    # h_n: forward = last valid step, reverse = step 0 (where the reverse pass ends)
    expected_hn = np.array([[[q(f0[2])], [q(f1[1])]], [[q(r0[0])], [q(r1[0])]]], dtype=object)
    assert (h_n == expected_hn).all(), h_n


def test_reference_zero_length_and_negative_relu():
    x = symbolic.symbol_array("x", (2, 2, 1))
    w = {"weight_ih_l0": np.array([[-1]]), "weight_hh_l0": np.array([[1]])}
    h0 = symbolic.symbol_array("h0", (1, 2, 1))
    out, h_n = reference_rnn(x, w, h0, bias=False, lengths=[0, 2])
    assert (out[:, 0] == 0).all()  # a length-0 sequence outputs nothing ...
    assert h_n[0, 0, 0] == h0[0, 0, 0]  # ... and keeps its initial state
    inner = sympy.tanh(-x[0, 1, 0] + h0[0, 1, 0], evaluate=False)
    assert h_n[0, 1, 0] == sympy.tanh(-x[1, 1, 0] + inner, evaluate=False)
    out, _ = reference_rnn(np.array([[[2]]]), w, None, bias=False, nonlinearity="relu")
    assert out[0, 0, 0] == 0  # relu(-2) = 0


def test_reference_batch_first_is_a_transpose():
    rng = np.random.default_rng(0)
    w = {k: rng.uniform(-1, 1, s) for k, s in symbolic.param_shapes(2, 2, 1, True, True).items()}
    x = symbolic.symbol_array("x", (3, 2, 2))
    a, ha = reference_rnn(x, w, bidirectional=True, lengths=[1, 3])
    b, hb = reference_rnn(x.transpose(1, 0, 2), w, bidirectional=True, batch_first=True, lengths=[1, 3])
    assert (a == b.transpose(1, 0, 2)).all() and (ha == hb).all()


# ---------------------------------------------------------------------------------------------
# The exact differentiator
# ---------------------------------------------------------------------------------------------
def test_evaluate_derivatives_on_a_generic_expression():
    """The DAG walk (sum/product rules + sympy.diff of each function) == sympy.diff == mpmath.diff."""
    import mpmath

    x, y, z = sympy.symbols("x y z", real=True)
    shared = sympy.tanh(x * y + z)
    e = shared**3 * sympy.exp(x) / (1 + y**2) + sympy.Max(shared, z, evaluate=False) + sympy.log(2 + x * z)
    vals = {x: 0.3, y: -0.7, z: 0.25}
    dag, (val,) = evaluate_derivatives(e, [x, y, z], vals, extra=[e], dps=40)
    direct, _ = evaluate_derivatives(e, [x, y, z], vals, method="diff", dps=40)
    f = sympy.lambdify([x, y, z], e, "mpmath")
    with mpmath.workdps(40):
        for k, s in enumerate([x, y, z]):
            point = [mpmath.mpf(vals[v]) for v in (x, y, z)]
            num = mpmath.diff(lambda t, k=k, point=point: f(*(point[:k] + [t] + point[k + 1 :])), point[k])
            assert abs(dag[k] - num) < mpmath.mpf(10) ** -30, s
            assert abs(dag[k] - direct[k]) < mpmath.mpf(10) ** -35, s
        assert abs(val - f(*[mpmath.mpf(vals[v]) for v in (x, y, z)])) < mpmath.mpf(10) ** -35


def test_evaluate_needs_every_symbol():
    x, y = sympy.symbols("x y", real=True)
    with pytest.raises(KeyError, match="y"):
        evaluate([x + y], {x: 1.0})


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_dag_and_sympy_diff_agree_on_relu_and_two_layers(nonlinearity):
    rng = np.random.default_rng(3)
    m = RNN(1, 1, 2, nonlinearity=nonlinearity, bidirectional=True, dtype=np.float64)
    w = {k: rng.uniform(-0.9, 0.9, v.shape) for k, v in m.state_dict().items()}
    x, h0 = rng.standard_normal((3, 2, 1)), rng.standard_normal((4, 2, 1))
    kw = dict(
        out_weight=rng.standard_normal((3, 2, 2)),
        hn_weight=rng.standard_normal((4, 2, 1)),
        num_layers=2,
        nonlinearity=nonlinearity,
        bidirectional=True,
        lengths=[2, 3],
    )
    a = reference_gradients(x, w, h0, method="dag", **kw)
    b = reference_gradients(x, w, h0, method="diff", **kw)
    assert a.keys() == b.keys()
    for k in a:
        assert _rel(a[k], b[k]) <= 1e-14, k


# ---------------------------------------------------------------------------------------------
# A second grid: other sizes, B=3 with lengths (2, 0, 3): a reversed prefix shorter than T, an
# empty sequence and a full one; I=3 != H=2 so a transposed weight cannot go unnoticed
# ---------------------------------------------------------------------------------------------
GRID = list(
    itertools.product(["tanh", "relu"], [True, False], [False, True], [False, True], [1, 2], [True, False])
)


@pytest.mark.parametrize("combo", GRID, ids=lambda c: "-".join(map(str, c)))
def test_tape_matches_reference_with_empty_and_short_sequences(combo):
    nl, bias, bf, bi, layers, with_h0 = combo
    T, B, I, H = 3, 3, 3, 2
    lengths = (2, 0, 3)
    rng = np.random.default_rng(7)
    D = 2 if bi else 1
    m = RNN(I, H, layers, nonlinearity=nl, bias=bias, batch_first=bf, bidirectional=bi, dtype=np.float64)
    weights = {k: rng.uniform(-0.9, 0.9, v.shape) for k, v in m.state_dict().items()}
    m.load_state_dict(weights)
    x = rng.standard_normal((B, T, I) if bf else (T, B, I))
    h0 = rng.standard_normal((layers * D, B, H)) * 0.5 if with_h0 else None
    out_shape = (B, T, D * H) if bf else (T, B, D * H)
    g_out, g_hn = rng.standard_normal(out_shape), rng.standard_normal((layers * D, B, H))

    xt = Tensor(x, requires_grad=True)
    ht = None if h0 is None else Tensor(h0, requires_grad=True)
    out, h_n = m(xt, ht, lengths=np.array(lengths))
    params = dict(m.named_parameters())
    leaves = [xt] + ([ht] if ht is not None else []) + list(params.values())
    names = ["input"] + (["h0"] if ht is not None else []) + list(params)
    ours = dict(zip(names, grad((out * g_out).sum() + (h_n * g_hn).sum(), leaves)))

    ref = reference_gradients(
        x,
        weights,
        h0,
        out_weight=g_out,
        hn_weight=g_hn,
        num_layers=layers,
        nonlinearity=nl,
        bias=bias,
        batch_first=bf,
        bidirectional=bi,
        lengths=lengths,
    )
    assert _rel(out.data, ref["output"]) <= 1e-12 and _rel(h_n.data, ref["h_n"]) <= 1e-12
    assert set(ref) == set(names) | {"output", "h_n", "loss"}
    for name in names:
        assert _rel(ours[name].data, ref[name]) <= 1e-10, name
    # the empty sequence: no output, h_n is h0 (or 0), and its input gets no gradient
    seq1_x = ours["input"].data[1] if bf else ours["input"].data[:, 1]
    assert np.all(seq1_x == 0) and np.all((ref["input"][1] if bf else ref["input"][:, 1]) == 0)


def test_three_layers_relu_bidirectional_batch_first():
    rng = np.random.default_rng(11)
    m = RNN(2, 2, 3, nonlinearity="relu", batch_first=True, bidirectional=True, dtype=np.float64)
    weights = {k: rng.uniform(-0.9, 0.9, v.shape) for k, v in m.state_dict().items()}
    m.load_state_dict(weights)
    x, h0 = rng.standard_normal((2, 3, 2)), rng.standard_normal((6, 2, 2))
    g_out, g_hn = rng.standard_normal((2, 3, 4)), rng.standard_normal((6, 2, 2))
    xt, ht = Tensor(x, requires_grad=True), Tensor(h0, requires_grad=True)
    out, h_n = m(xt, ht, lengths=np.array([1, 3]))
    params = dict(m.named_parameters())
    gs = grad((out * g_out).sum() + (h_n * g_hn).sum(), [xt, ht, *params.values()])
    ref = reference_gradients(
        x,
        weights,
        h0,
        out_weight=g_out,
        hn_weight=g_hn,
        num_layers=3,
        nonlinearity="relu",
        batch_first=True,
        bidirectional=True,
        lengths=[1, 3],
    )
    for name, g in zip(["input", "h0", *params], gs):
        assert _rel(g.data, ref[name]) <= 1e-10, name


# ---------------------------------------------------------------------------------------------
# The core ops on object arrays
# ---------------------------------------------------------------------------------------------
def test_object_math_is_registered():
    assert {"exp", "log", "tanh", "sigmoid", "relu", "relu_mask"} <= set(ops.OBJECT_MATH)
    z = sympy.Symbol("z", real=True)
    assert ops.OBJECT_MATH["relu_mask"](sympy.Integer(0)) == 0  # relu'(0) = 0, as torch
    assert ops.OBJECT_MATH["relu"](sympy.Float(-2.0)) == 0 and ops.OBJECT_MATH["relu"](3) == 3
    assert ops.OBJECT_MATH["tanh"](z) == sympy.tanh(z)


def test_core_ops_on_sympy_arrays_match_sympy_diff():
    """Elementwise math, matmul, where, indexing, stack/unbind and 0-d arithmetic on object arrays."""
    xs = symbolic.symbol_array("a", (2, 3))
    ws = symbolic.symbol_array("w", (3, 2))
    x, w = Tensor(xs.copy(), requires_grad=True), Tensor(ws.copy(), requires_grad=True)
    y = (x @ w).tanh()  # (2, 2)
    y = tg.ops.where(np.array([[True, False], [False, True]]), y, y.sigmoid())
    y = y + x[:, np.array([0, 2])].relu() * x[np.array([1, 0]), :2].exp()
    parts = y.unbind(0)
    y = tg.ops.stack([parts[1], parts[0]], 0)
    s = y.sum()
    loss = s * s / 2 - s * 3 + 1  # 0-d object arithmetic stays an array
    assert isinstance(loss.data, np.ndarray) and loss.data.shape == ()
    gx, gw = grad(loss, [x, w])

    # the same function written directly in sympy
    xm, wm = sympy.Matrix(xs), sympy.Matrix(ws)
    t = (xm * wm).applyfunc(sympy.tanh)
    mask = [[True, False], [False, True]]
    direct = sympy.Matrix(2, 2, lambda i, j: t[i, j] if mask[i][j] else 1 / (1 + sympy.exp(-t[i, j])))
    cols, rows = [0, 2], [1, 0]
    direct = sympy.Matrix(
        2, 2, lambda i, j: direct[i, j] + sympy.Max(xs[i, cols[j]], 0) * sympy.exp(xs[rows[i], j])
    )
    sd = sum(direct)
    ld = sd * sd / 2 - sd * 3 + 1
    values = dict(zip(list(xs.ravel()) + list(ws.ravel()), np.random.default_rng(0).uniform(-1, 1, 12)))
    ours = evaluate([loss.data.item(), *gx.data.ravel(), *gw.data.ravel()], values)
    theirs = evaluate([ld, *[sympy.diff(ld, s) for s in [*xs.ravel(), *ws.ravel()]]], values)
    for a, b in zip(ours, theirs):
        assert abs(a - b) <= 1e-30 * max(1, abs(b))


# ---------------------------------------------------------------------------------------------
# Our tape on symbols: the expressions it computes, against independent derivations
# ---------------------------------------------------------------------------------------------
def _hand_written_one_unit(T):
    """L = h_1 + ... + h_T for h_t = tanh(w_ih x_t + b_ih + w_hh h_{t-1} + b_hh), h_0 = 0."""
    w_ih, w_hh, b_ih, b_hh = sympy.symbols("w_ih w_hh b_ih b_hh", real=True)
    xs = sympy.symbols(f"x_0:{T}", real=True)
    h, L = 0, 0
    for t in range(T):
        h = sympy.tanh(w_ih * xs[t] + b_ih + w_hh * h + b_hh)
        L += h
    return L, {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh, "bias_ih_l0": b_ih, "bias_hh_l0": b_hh}, xs


def test_tape_expression_for_one_unit_three_steps_equals_hand_derivation():
    s = symbolic_rnn(seq_len=3)  # 1 input, 1 unit, tanh, L = sum of the outputs
    L, params, xs = _hand_written_one_unit(3)
    assert sympy.expand(s.loss - L) == 0
    for name, sym in params.items():
        ours = s.grad(name)
        assert sympy.expand(ours - sympy.diff(L, sym)) == 0, name  # an exact identity
        assert s.equals_reference(name), name  # and the module's own reference agrees
    for t, sym in enumerate(xs):
        assert sympy.expand(s.grads["input"][t, 0, 0] - sympy.diff(L, sym)) == 0
    # what a learner prints
    text, tex = s.text("weight_hh_l0"), s.latex("weight_hh_l0")
    assert "tanh(b_hh + b_ih + w_ih*x_0)" in text and "w_hh" in text
    assert r"\tanh" in tex and "w_{hh}" in tex


def test_sympy_simplify_confirms_the_two_step_gradient():
    """simplify(a - b) == 0 (for 3 steps it takes minutes; expand above proves the same identity)."""
    s = symbolic_rnn(seq_len=2)
    L, params, _ = _hand_written_one_unit(2)
    assert sympy.simplify(s.grad("weight_hh_l0") - sympy.diff(L, params["weight_hh_l0"])) == 0
    assert s.equals_reference("weight_hh_l0", how="simplify")


def test_tape_on_symbols_with_lengths_bidirectional_h0_and_symbolic_loss_weights():
    s = symbolic_rnn(
        seq_len=3,
        batch=2,
        input_size=2,
        hidden_size=2,
        bidirectional=True,
        h0=True,
        lengths=[3, 1],
        out_weight="symbols",
        hn_weight="symbols",
    )
    out, hn, loss = s.reference()
    assert all(sympy.expand(a - b) == 0 for a, b in zip(s.output.ravel(), out.ravel()))
    assert all(sympy.expand(a - b) == 0 for a, b in zip(s.h_n.ravel(), hn.ravel()))
    assert sympy.expand(s.loss - loss) == 0
    assert (s.output[1:, 1] == 0).all()  # past length 1: zero output
    for name in s.grads:
        assert s.equals_reference(name), name
    # the loss weights are symbols too: d L / d W is linear in them
    assert any(
        str(sym).startswith("g_out") for sym in sympy.sympify(s.grad("weight_hh_l0")[0, 0]).free_symbols
    )


def test_tape_on_symbols_relu_equals_reference_numerically():
    """relu: ours has Heaviside(z, 0), sympy.diff of Max gives Heaviside(z) (1/2 at 0): equal a.e."""
    s = symbolic_rnn(seq_len=3, batch=2, hidden_size=2, nonlinearity="relu", h0=True, lengths=[2, 3])
    for name in s.grads:
        assert s.equals_reference(name, how="numeric"), name
    assert "Heaviside" in s.text("weight_hh_l0")


def test_equality_checks_can_fail():
    s = symbolic_rnn(seq_len=3)
    wrong = s.reference_grad("weight_ih_l0")
    assert sympy.expand(s.grad("weight_hh_l0") - wrong) != 0
    assert not symbolic.numerically_equal(s.grad("weight_hh_l0"), wrong)
    assert not symbolic.numerically_equal(
        s.grad("weight_hh_l0"), s.grad("weight_hh_l0") * (1 + sympy.Rational(1, 10**30))
    )
