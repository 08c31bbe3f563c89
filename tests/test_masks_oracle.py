"""Backward rules that route gradient must select, never multiply by a 0/1 mask (issue 10, item 2).

`g * mask` turns an infinite upstream gradient into NaN where the mask is 0 (inf * 0), where torch's
rules (where / masked_fill / threshold_backward) give 0. Each case below feeds +-inf upstream
gradients (and NaN in the branch a select drops) through one op, in float64 and float32, and
compares with real torch run here:

1. forward values (NaN positions must agree);
2. first order, both a plain backward (numpy rules) and create_graph=True (the rules as Tensor ops);
3. second order: the first gradients differentiated again w.r.t. the inputs *and* the upstream
   gradient, under a second upstream gradient that is itself +-inf, so the backward of the select
   (a Where node under create_graph) must select too.

Where torch itself multiplies (amax/amin, the exponent's gradient of pow at 0 ** b) it gives NaN,
and so must we: those cases pin torch's NaN, not a cleaner answer. Each case also asserts the fact it
is about on torch's own numbers (e.g. a 0 where the upstream gradient is inf), so it cannot pass
vacuously.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_rnn.torch as tt
from tinygrad_rnn import Tensor, grad, ops

INF, NAN = np.inf, np.nan
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
TOL = {np.dtype(np.float64): dict(rtol=1e-12, atol=1e-12), np.dtype(np.float32): dict(rtol=1e-6, atol=1e-6)}


def _np(x: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    if x is None:
        return np.zeros(shape, dtype)
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x.data)


def _same(ours: Any, theirs: Any, shape: tuple[int, ...], dtype: Any, what: str) -> np.ndarray:
    a, b = _np(ours, shape, dtype), _np(theirs, shape, dtype)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != torch {b.dtype}"
    # assert_allclose: NaN where torch has NaN (equal_nan), +-inf exactly where torch has it
    np.testing.assert_allclose(a, b, err_msg=what, equal_nan=True, **TOL[np.dtype(dtype)])
    return b


def compare(
    torch_fn: Callable[..., Any],
    our_fn: Callable[..., Any],
    arrays: Sequence[Any],
    go: Any,
    dtype: Any,
    vv: Sequence[Any] | None = None,
) -> list[np.ndarray]:
    """Forward, first and second order of one op against torch; returns torch's first gradients.

    `go` is the upstream gradient (broadcast to the output), `vv` the second upstream gradient for
    each input's first gradient (default: alternating +inf / -inf everywhere).
    """
    arrays = [np.asarray(a, dtype=dtype) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    t_out, o_out = torch_fn(*ts), our_fn(*xs)
    _same(o_out, t_out, tuple(t_out.shape), dtype, "forward")
    go = np.broadcast_to(np.asarray(go, dtype=dtype), tuple(t_out.shape)).copy()

    # first order, plain backward (the numpy rules)
    xs_plain = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    o_plain = grad(our_fn(*xs_plain), xs_plain, Tensor(go.copy()), allow_unused=True)
    # first order with create_graph (the rules as recorded Tensor ops)
    t_go = torch.tensor(go, requires_grad=True)
    o_go = Tensor(go.copy(), requires_grad=True)
    t_g = torch.autograd.grad(t_out, ts, t_go, create_graph=True, allow_unused=True)
    o_g = grad(o_out, xs, o_go, create_graph=True, allow_unused=True)
    firsts = []
    for k, a in enumerate(arrays):
        firsts.append(_same(o_plain[k], t_g[k], a.shape, dtype, f"grad of input {k} (plain backward)"))
        _same(o_g[k], t_g[k], a.shape, dtype, f"grad of input {k} (create_graph)")

    # second order: d/d(inputs, upstream) of the first gradients under an infinite second upstream
    if vv is None:
        vv = [np.where(np.arange(a.size).reshape(a.shape) % 2 == 0, INF, -INF) for a in arrays]
    vv = [np.asarray(v, dtype=dtype) for v in vv]
    pairs = [
        (k, tg, og)
        for k, (tg, og) in enumerate(zip(t_g, o_g))
        if tg is not None and tg.requires_grad and og is not None and og.requires_grad
    ]
    t_flags = [tg is not None and tg.requires_grad for tg in t_g]
    o_flags = [og is not None and og.requires_grad for og in o_g]
    assert t_flags == o_flags, f"which first gradients are differentiable: ours {o_flags}, torch {t_flags}"
    if not pairs:
        return firsts
    t_gg = torch.autograd.grad(
        [tg for _, tg, _ in pairs], ts + [t_go], [torch.tensor(vv[k]) for k, _, _ in pairs], allow_unused=True
    )
    o_gg = grad(
        [og for _, _, og in pairs], xs + [o_go], [Tensor(vv[k]) for k, _, _ in pairs], allow_unused=True
    )
    shapes = [a.shape for a in arrays] + [go.shape]
    for k, (og, tg, shp) in enumerate(zip(o_gg, t_gg, shapes)):
        name = f"input {k}" if k < len(arrays) else "the upstream gradient"
        _same(og, tg, shp, dtype, f"second order w.r.t. {name}")
    return firsts


# -- elementwise masks -----------------------------------------------------------------------------
@DTYPES
def test_relu_inf_upstream_where_off(dtype):
    x = [-1.0, 0.0, 2.0, NAN, -3.0]
    g = compare(torch.relu, ops.relu, [x], [INF, -INF, INF, INF, NAN], dtype)
    assert g[0][0] == 0 and g[0][1] == 0  # inf upstream where relu is off (and at the kink): 0
    assert g[0][3] == INF  # torch's threshold_backward lets the gradient through a NaN input


@DTYPES
def test_issue_repro_clamp_sqrt(dtype):
    g = compare(
        lambda x: x.clamp(min=0).sqrt(), lambda x: ops.pow_(ops.clip(x, 0.0), 0.5), [[-1.0, 4.0]], 1, dtype
    )
    assert g[0].tolist() == [0.0, 0.25]


@DTYPES
@pytest.mark.parametrize("lo,hi", [(0.0, None), (None, 1.0), (-1.0, 1.0), (2.0, 1.0)], ids=str)
def test_clamp_inf_upstream_outside(lo, hi, dtype):
    x = [-2.0, -1.0, 0.0, 0.5, 1.0, 3.0, NAN]
    go = [INF, -INF, INF, INF, -INF, INF, INF]
    g = compare(lambda t: t.clamp(lo, hi), lambda o: ops.clip(o, lo, hi), [x], go, dtype)
    assert g[0][-1] == 0 and (g[0] == 0).sum() >= 2


@DTYPES
@pytest.mark.parametrize("ca,cb", [((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)), ((), (2, 3))], ids=str)
def test_where_nan_in_dropped_branch(ca, cb, dtype):
    rng = np.random.default_rng(0)
    cond = np.array([[True, False, True], [False, False, True]])
    a = np.where(cond, rng.standard_normal((2, 3)), NAN) if ca == (2, 3) else rng.standard_normal(ca)
    b = np.where(cond, NAN, rng.standard_normal((2, 3))) if cb == (2, 3) else rng.standard_normal(cb)
    go = np.where(cond, -INF, INF)
    g = compare(
        lambda x, y: torch.where(torch.tensor(cond), x, y),
        lambda x, y: ops.where(cond, x, y),
        [a, b],
        go,
        dtype,
    )
    if ca == (2, 3):
        assert (g[0][~cond] == 0).all()  # +inf upstream where b was picked: a gets 0
    if cb == (2, 3):
        assert (g[1][cond] == 0).all()


@DTYPES
def test_masked_fill_inf_upstream(dtype):
    mask = np.array([True, False, True, False])
    g = compare(
        lambda x: x.masked_fill(torch.tensor(mask), 0.0),
        lambda x: ops.where(mask, 0.0, x),
        [[NAN, 1.0, INF, -2.0]],
        [INF, -INF, -INF, INF],
        dtype,
    )
    assert (g[0][mask] == 0).all()


@DTYPES
@pytest.mark.parametrize("which", ["maximum", "minimum"])
def test_maximum_minimum_ties_nan_inf_upstream(which, dtype):
    a = [-1.0, 0.0, 2.0, NAN, 1.0, NAN, INF, -INF]
    b = [0.0, 0.0, 1.0, 1.0, NAN, NAN, INF, 5.0]
    go = [INF, INF, -INF, INF, INF, -INF, INF, INF]
    g = compare(getattr(torch, which), getattr(ops, which), [a, b], go, dtype)
    assert 0.0 in g[0] and 0.0 in g[1]  # the loser of an inf upstream gets 0
    assert g[0][1] == g[1][1] == INF  # a tie splits inf in half: inf each
    assert g[0][3] == g[1][3] == INF  # a NaN operand: both sides get all of g


@DTYPES
@pytest.mark.parametrize("sa,sb", [((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3))], ids=str)
def test_maximum_broadcast_inf_upstream(sa, sb, dtype):
    rng = np.random.default_rng(1)
    a = np.round(rng.standard_normal(sa))  # rounded: some ties
    b = np.round(rng.standard_normal(sb))
    go = np.where(rng.random((2, 3)) > 0.5, INF, -INF)
    compare(torch.maximum, ops.maximum, [a, b], go, dtype)
    compare(torch.minimum, ops.minimum, [a, b], go, dtype)


# -- reductions ------------------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize("which", ["amax", "amin"])
@pytest.mark.parametrize("dim", [None, 0, 1], ids=str)
def test_amax_amin_match_torch_nan(which, dim, dtype):
    # torch's amax multiplies by the mask: an inf upstream gives NaN off the maxima; we match it
    x = np.array([[1.0, 3.0, 3.0], [NAN, -1.0, 2.0]])
    dims = (0, 1) if dim is None else dim
    out_shape = np.amax(x, axis=dim).shape
    go = np.full(out_shape, INF)
    our = ops.max_ if which == "amax" else ops.min_
    g = compare(lambda t: getattr(t, which)(dims), lambda o: our(o, dim), [x], go, dtype)
    assert np.isnan(g[0]).any()  # torch's own NaN, which we must reproduce


@DTYPES
@pytest.mark.parametrize("which", ["max", "min"])
@pytest.mark.parametrize(
    "x", [[1.0, 3.0, 3.0, -2.0], [1.0, NAN, 3.0, NAN], [[2.0, -1.0], [0.5, 2.0]]], ids=str
)
def test_max_all_selects(which, x, dtype):
    # torch.max() without dim (MaxBackward1) selects, NaN-aware; ops.MaxAll / MinAll are that rule
    node = ops.MaxAll if which == "max" else ops.MinAll
    nd = np.ndim(x)
    g = compare(
        lambda t: getattr(t, which)(),
        lambda o: node.apply(o, axes=tuple(range(nd)), keepdims=False),
        [x],
        INF,
        dtype,
    )
    assert (g[0] == 0).any() and not np.isnan(g[0]).any()


# -- pow -------------------------------------------------------------------------------------------
@DTYPES
def test_pow_tensor_exponent_zero_selects(dtype):
    a = [0.0, 0.0, 2.0, 0.0, 3.0, -1.0]
    b = [0.0, 1.0, 0.0, -1.0, 2.0, 0.0]
    go = [INF, INF, INF, 1.0, -INF, NAN]
    g = compare(lambda x, y: x**y, lambda x, y: x**y, [a, b], go, dtype, vv=[np.ones(6), np.ones(6)])
    assert g[0][0] == 0 and g[0][2] == 0 and g[0][5] == 0  # exponent 0: 0 whatever the upstream
    assert np.isnan(g[1][0])  # torch multiplies g by the 0**b limit: inf * 0 = NaN, as ours


@DTYPES
@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, -1.0])
def test_pow_scalar_exponent(p, dtype):
    x = [0.0, 1.0, -2.0, 4.0]
    go = [INF, 0.0, 1.0, -INF]
    exp = np.asarray(p, dtype=dtype)
    g = compare(lambda t: t**p, lambda o: ops.pow_(o, exp), [x], go, dtype, vv=[np.ones(4)])
    if p == 0.0:
        assert (g[0] == 0).all()


@DTYPES
def test_pow_scalar_base_zero(dtype):
    # 0 ** b with a tensor exponent: torch's limit 0 where b >= 0, multiplied by g (inf * 0 = NaN)
    b = [0.0, 1.0, -1.0, 2.5]
    zero = np.asarray(0.0, dtype=dtype)
    g = compare(
        lambda y: torch.tensor(zero) ** y, lambda y: ops.pow_(zero, y), [b], [1.0, INF, 1.0, 2.0], dtype
    )
    assert g[0][0] == 0 and np.isnan(g[0][1])


# -- indexing --------------------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize(
    "idx",
    [
        (1,),
        (slice(0, 2),),
        (np.array([0, 2, 2]),),
        (np.array([True, False, True]),),
        (slice(None), np.array([1, 1])),
    ],
    ids=["int", "slice", "array-repeat", "bool", "cols"],
)
def test_getitem_inf_upstream(idx, dtype):
    x = np.array([[1.0, NAN, 3.0], [4.0, 5.0, INF], [-1.0, 0.0, 2.0]])
    out_shape = x[idx].shape
    go = np.where(np.arange(int(np.prod(out_shape))).reshape(out_shape) % 2 == 0, INF, -INF)
    g = compare(lambda t: t[idx], lambda o: o[idx], [x], go, dtype)
    assert (g[0] == 0).any()


@DTYPES
def test_split_unbind_unused_outputs(dtype):
    x = np.array([[1.0, 2.0], [NAN, 4.0], [5.0, INF]])
    g = compare(lambda t: t.split(1, 0)[1] * 2, lambda o: ops.split(o, 1, 0)[1] * 2, [x], INF, dtype)
    assert (g[0][[0, 2]] == 0).all()
    compare(lambda t: t.unbind(1)[0], lambda o: ops.unbind(o, 1)[0], [x], -INF, dtype)


# -- through the torch frontend, against real torch -----------------------------------------------
@DTYPES
def test_frontend_issue_repro(dtype):
    for op in ("clamp", "relu", "masked_fill"):
        got = {}
        for m in (torch, tt):
            x = m.tensor(np.array([-1.0, 4.0], dtype=dtype), requires_grad=True)
            if op == "clamp":
                y = x.clamp(min=0)
            elif op == "relu":
                y = m.relu(x)
            else:
                y = m.where(x > 0, x, m.zeros_like(x)).masked_fill(m.tensor([False, False]), 1.0)
            y.sqrt().sum().backward()
            got[m.__name__] = np.asarray(x.grad.numpy())
        np.testing.assert_array_equal(got["tinygrad_rnn.torch"], got["torch"], err_msg=op)
        assert got["torch"].tolist() == [0.0, 0.25]


def _rnn_body(m: Any, weights: dict[str, np.ndarray], x: np.ndarray, dtype: Any, mode: str) -> dict[str, Any]:
    rnn = m.nn.RNN(3, 4, 2, nonlinearity="relu", dtype=getattr(m, np.dtype(dtype).name))
    rnn.load_state_dict({k: m.tensor(v) for k, v in weights.items()})
    xt = m.tensor(x, requires_grad=True)
    out, h_n = rnn(xt)
    res = {"out": out.detach().numpy().copy(), "h_n": h_n.detach().numpy().copy()}
    if mode == "sqrt":
        # d sqrt(h)/dh = inf where the relu is off (h == 0): the relu's backward must select it away
        (out.sqrt().sum() + h_n.sqrt().sum()).backward()
    else:
        off = res["out"] == 0
        g_out = np.where(off, INF, 1.0).astype(dtype)
        g_h = np.where(res["h_n"] == 0, -INF, 0.5).astype(dtype)
        m.autograd.backward([out, h_n], [m.tensor(g_out), m.tensor(g_h)])
    res["x.grad"] = xt.grad.numpy().copy()
    for name, p in rnn.named_parameters():
        res[name] = p.grad.numpy().copy()
    return res


@DTYPES
@pytest.mark.parametrize("mode", ["sqrt", "inf-upstream"])
def test_relu_rnn_infinite_upstream_where_off(mode, dtype):
    torch.manual_seed(3)
    ref = torch.nn.RNN(3, 4, 2, nonlinearity="relu", dtype=getattr(torch, np.dtype(dtype).name))
    weights = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    x = np.random.default_rng(3).standard_normal((5, 2, 3)).astype(dtype)
    theirs = _rnn_body(torch, weights, x, dtype, mode)
    ours = _rnn_body(tt, weights, x, dtype, mode)
    assert (theirs["out"] == 0).any(), "the case needs some relu units off"
    for k, v in theirs.items():
        np.testing.assert_allclose(ours[k], v, err_msg=k, equal_nan=True, **TOL[np.dtype(dtype)])
    assert np.isfinite(theirs["weight_hh_l0"]).all()  # torch: finite weight gradients, no NaN


# -- 0-d operands keep their dtype (numpy promotes 0-d float32 with Python numbers to float64) ------
ZERO_D = {
    "relu": (torch.relu, ops.relu, [-1.0]),
    "clamp": (lambda t: t.clamp(0.0, 1.0), lambda o: ops.clip(o, 0.0, 1.0), [2.0]),
    "where": (
        lambda a, b: torch.where(torch.tensor(False), a, b),
        lambda a, b: ops.where(False, a, b),
        [NAN, 1.0],
    ),
    "maximum": (torch.maximum, ops.maximum, [1.0, 1.0]),
    "amax": (lambda t: t.amax(), ops.max_, [3.0]),
    "sigmoid": (torch.sigmoid, ops.sigmoid, [0.5]),
    "pow": (lambda a, b: a**b, lambda a, b: a**b, [0.0, 0.0]),
}


@DTYPES
@pytest.mark.parametrize("name", list(ZERO_D))
def test_zero_d_inf_upstream(name, dtype):
    tf, of, xs = ZERO_D[name]
    compare(tf, of, [np.asarray(x) for x in xs], INF, dtype, vv=[np.asarray(-INF)] * len(xs))
