"""Tape semantics against torch: deep graphs, retain_graph, accumulation, grad modes, errors,
detach, allow_unused, higher order (Hessian-vector products) and anomaly detection."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest
import torch

import tinygrad_rnn as tg
from tinygrad_rnn import Tensor, functional, grad, ops


def _torch_error(fn) -> str:
    """The message torch raises for the same misuse (the oracle for our error texts)."""
    with pytest.raises(Exception) as e:  # noqa: B017 - any exception type; we want its text
        fn()
    return str(e.value)


def _pair(shape, seed=0, low=-1.0, high=1.0):
    a = np.random.default_rng(seed).uniform(low, high, size=shape)
    return Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)


# ---------------------------------------------------------------------------------------------
# deep graphs: the backward walk is iterative
# ---------------------------------------------------------------------------------------------
def test_chain_of_100k_ops_backward_without_recursion_error():
    n = 100_000
    x = Tensor(np.array(0.3), requires_grad=True)
    y = x
    for i in range(n):
        y = y * 1.00001 if i % 2 else y + 0.5
    y.backward()
    # d/dx of n/2 multiplications by c, interleaved with additions of constants: c**(n/2)
    assert math.isclose(float(x.grad.data), 1.00001 ** (n // 2), rel_tol=1e-9)
    assert math.isclose(float(y.data), _closed_form_chain(0.3, n), rel_tol=1e-9)


def _closed_form_chain(x0: float, n: int) -> float:
    y = x0
    for i in range(n):
        y = y * 1.00001 if i % 2 else y + 0.5
    return y


def test_deep_chain_double_backward_without_recursion_error():
    # create_graph builds a second graph as deep; backward through it is iterative as well
    n = 2_000
    x = Tensor(np.array(0.5), requires_grad=True)
    y = x
    for _ in range(n):
        y = (y * y) * 0.5 + y * 0.5  # stays in (0, 1), every op non-linear in x
    (g,) = grad(y, x, create_graph=True)
    (gg,) = grad(g, x)
    xt = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    yt = xt
    for _ in range(n):
        yt = (yt * yt) * 0.5 + yt * 0.5
    (gt,) = torch.autograd.grad(yt, xt, create_graph=True)
    (ggt,) = torch.autograd.grad(gt, xt)
    np.testing.assert_allclose(g.data, gt.item(), rtol=1e-9)
    np.testing.assert_allclose(gg.data, ggt.item(), rtol=1e-9)


def test_wide_graph_with_many_reuses():
    x, xt = _pair((3,))
    ys = [x * float(k) for k in range(2000)]
    yts = [xt * float(k) for k in range(2000)]
    ops.stack(ys).tanh().sum().backward()
    torch.stack(yts).tanh().sum().backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10)


# ---------------------------------------------------------------------------------------------
# retain_graph and accumulation
# ---------------------------------------------------------------------------------------------
def test_second_backward_through_freed_graph_raises_like_torch():
    x, xt = _pair((2, 3))
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph") as e:
        y.backward()
    yt = (xt.exp() * xt).sum()
    yt.backward()
    assert str(e.value) == _torch_error(yt.backward)


def test_grad_twice_through_freed_graph_raises():
    x, _ = _pair((3,))
    y = x.tanh().sum()
    grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph"):
        grad(y, x)


def test_retain_graph_allows_second_backward_and_grads_accumulate():
    x, xt = _pair((2, 3))
    for a, y in ((x, (x.exp() * x.tanh()).sum()), (xt, (xt.exp() * xt.tanh()).sum())):
        y.backward(retain_graph=True)
        first = np.array(a.grad.detach().numpy() if isinstance(a, torch.Tensor) else a.grad.data)
        y.backward(retain_graph=True)
        y.backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, 3 * first, rtol=1e-12)


def test_backward_accumulates_into_grad_across_calls_like_torch():
    x, xt = _pair((3,))
    for a in (x, xt):
        (a * a).sum().backward()
        (a.exp()).sum().backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12)


def test_gradient_accumulation_for_reused_tensors():
    x, xt = _pair((2, 3), seed=1)
    w, wt = _pair((3, 3), seed=2)

    def f(x, w, mm, mx):
        h = x * x + x.exp() * x - x  # x used five times
        h = mm(h, w) + mm(x, w)  # w used twice
        return (h * h).sum() + mx(h, x).sum()

    f(x, w, ops.matmul, ops.maximum).backward()
    f(xt, wt, torch.matmul, torch.maximum).backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(w.grad.data, wt.grad.numpy(), rtol=1e-10)


def test_same_tensor_as_both_operands():
    x, xt = _pair((4,))
    for a in (x, xt):
        (a * a + a / (a * a + 1) - a).sum().backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12)


def test_grad_wrt_intermediate_and_multiple_outputs():
    x, xt = _pair((2, 3))
    h, ht = x.tanh(), xt.tanh()
    y1, y1t = (h * h).sum(1), (ht * ht).sum(1)
    y2, y2t = h.exp().sum(), ht.exp().sum()
    go = np.array([0.3, -1.2])
    ours = grad([y1, y2], [h, x], [Tensor(go), None])
    theirs = torch.autograd.grad(
        [y1t, y2t], [ht, xt], [torch.tensor(go), torch.tensor(1.0, dtype=torch.float64)]
    )
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.data, t.numpy(), rtol=1e-12)
    assert x.grad is None and h.grad is None  # grad() never touches .grad


def test_grad_wrt_intermediate_does_not_walk_below_it_like_torch():
    # the graph below h was freed by the first backward; torch runs only the nodes above the
    # inputs, so asking for d/dh again works (and never touches x.grad)
    x, xt = _pair((3,))
    results = []
    for a in (x, xt):
        h = a.exp()
        (h * h).sum().backward()
        z = (h * h.tanh()).sum()
        (gh,) = grad(z, h) if a is x else torch.autograd.grad(z, h)
        results.append(gh.data if a is x else gh.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12)  # only the first backward


def test_backward_with_explicit_gradient_and_shape_mismatch():
    x, xt = _pair((2, 3))
    g = np.random.default_rng(3).standard_normal((2, 3))
    x.tanh().backward(Tensor(g))
    xt.tanh().backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        x.tanh().backward(Tensor(np.ones(3)))


def test_backward_inputs_argument_accumulates_only_there():
    x, xt = _pair((3,))
    w, wt = _pair((3,), seed=1)
    (x * w).tanh().sum().backward(inputs=[x])
    (xt * wt).tanh().sum().backward(inputs=[xt])
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12)
    assert w.grad is None and wt.grad is None


def test_non_scalar_backward_without_gradient_raises_torchs_message():
    x, xt = _pair((2, 3))
    expected = _torch_error(lambda: xt.exp().backward())
    assert expected == "grad can be implicitly created only for scalar outputs"
    with pytest.raises(RuntimeError) as e:
        x.exp().backward()
    assert str(e.value) == expected
    with pytest.raises(RuntimeError) as e:
        grad(x.exp(), x)
    assert str(e.value) == expected
    # a one-element non-scalar is fine in both
    x[0:1, 0:1].exp().sum().backward()
    y = x.reshape(6)[2:3]
    y.backward()
    assert x.grad.data[0, 2] == 1.0 and x.grad.data[0, 0] == pytest.approx(math.exp(x.data[0, 0]))


def test_backward_on_tensor_without_grad_raises_like_torch():
    expected = _torch_error(lambda: torch.zeros(2).sum().backward())
    with pytest.raises(RuntimeError) as e:
        Tensor(np.zeros(2)).sum().backward()
    assert str(e.value) == expected


def test_requires_grad_on_integer_tensor_raises_like_torch():
    expected = _torch_error(lambda: torch.zeros(2, dtype=torch.long).requires_grad_())
    with pytest.raises(RuntimeError) as e:
        Tensor(np.zeros(2, dtype=np.int64), requires_grad=True)
    assert str(e.value) == expected


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_tensor_keeps_array_dtype_and_grads_match_it(dtype):
    x = Tensor(np.ones((2, 2), dtype=dtype), requires_grad=True)
    assert x.dtype == dtype and x.is_leaf and x.grad_fn is None
    y = (x * 2.0).exp().sum()
    assert y.dtype == dtype
    y.backward()
    assert x.grad.dtype == dtype


# ---------------------------------------------------------------------------------------------
# grad modes
# ---------------------------------------------------------------------------------------------
def test_no_grad_records_nothing():
    x, _ = _pair((2, 3))
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        ys = [
            x * 2,
            x.exp(),
            x.sum(),
            x[0],
            x.reshape(6),
            ops.stack([x, x]),
            *x.split(1, 0),
            ops.maximum(x, 0.0),
        ]
    assert tg.is_grad_enabled()
    for y in ys:
        assert y.requires_grad is False and y.grad_fn is None and y.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        ys[2].backward()
    # x itself is untouched
    assert x.requires_grad and x.grad is None


def test_no_grad_as_decorator():
    @tg.no_grad()
    def f(x):
        return x * 2

    x, _ = _pair((2,))
    assert f(x).grad_fn is None
    assert f(x).grad_fn is None  # reusable
    assert (x * 2).grad_fn is not None


def test_set_grad_enabled_and_enable_grad_nest_and_restore():
    x, _ = _pair((2,))
    with tg.set_grad_enabled(False):
        assert (x * 2).grad_fn is None
        with tg.enable_grad():
            assert tg.is_grad_enabled()
            y = x * 2
            assert y.requires_grad and y.grad_fn is not None
        with tg.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()
    with tg.set_grad_enabled(True):
        assert (x * 2).requires_grad
    # the previous state is restored even when the block raises
    with pytest.raises(ValueError), tg.no_grad():
        raise ValueError
    assert tg.is_grad_enabled()
    y.sum().backward()  # the graph recorded under enable_grad works
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_grad_mode_does_not_leak_out_of_backward():
    x, _ = _pair((2,))
    with tg.no_grad():
        pass
    (x * x).sum().backward()
    assert tg.is_grad_enabled()
    (g,) = grad((x * x).sum(), x, create_graph=True)
    assert tg.is_grad_enabled() and g.requires_grad


def test_backward_under_no_grad_still_computes_grads_like_torch():
    x, xt = _pair((3,))
    y, yt = (x * x).sum(), (xt * xt).sum()
    with tg.no_grad():
        y.backward()
    with torch.no_grad():
        yt.backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy())


# ---------------------------------------------------------------------------------------------
# detach, allow_unused, grad_fn names
# ---------------------------------------------------------------------------------------------
def test_detach_cuts_the_graph_and_shares_data():
    x, xt = _pair((2, 3))
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert np.shares_memory(d.data, x.data)  # torch's detach shares storage too
    (x * x.detach() + x.exp().detach() * x).sum().backward()
    (xt * xt.detach() + xt.exp().detach() * xt).sum().backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.tanh().detach().sum().backward()


def test_allow_unused():
    x, xt = _pair((3,))
    z, zt = _pair((3,), seed=1)
    expected = _torch_error(lambda: torch.autograd.grad((xt * 2).sum(), [xt, zt]))
    with pytest.raises(RuntimeError) as e:
        grad((x * 2).sum(), [x, z])
    assert str(e.value) == expected
    gx, gz = grad((x * 2).sum(), [x, z], allow_unused=True)
    gxt, gzt = torch.autograd.grad((xt * 2).sum(), [xt, zt], allow_unused=True)
    assert gz is None and gzt is None
    np.testing.assert_allclose(gx.data, gxt.numpy())


def test_grad_wrt_same_tensor_twice_like_torch():
    x, xt = _pair((3,))
    ours = grad((x * x.exp()).sum(), [x, x])
    theirs = torch.autograd.grad((xt * xt.exp()).sum(), [xt, xt])
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.data, t.numpy(), rtol=1e-12)


def test_grad_wrt_tensor_not_requiring_grad_raises_like_torch():
    x, xt = _pair((3,))
    expected = _torch_error(lambda: torch.autograd.grad((xt * 2).sum(), [xt, torch.zeros(3)]))
    with pytest.raises(RuntimeError) as e:
        grad((x * 2).sum(), [x, Tensor(np.zeros(3))])
    assert str(e.value) == expected


GRAD_FN_CASES = {
    "add": lambda x, y, m: x + y,
    "sub": lambda x, y, m: x - y,
    "mul": lambda x, y, m: x * y,
    "div": lambda x, y, m: x / y,
    "pow_scalar": lambda x, y, m: x**2,
    "pow_tensor": lambda x, y, m: x**y,
    "neg": lambda x, y, m: -x,
    "exp": lambda x, y, m: x.exp(),
    "log": lambda x, y, m: x.log(),
    "tanh": lambda x, y, m: x.tanh(),
    "sigmoid": lambda x, y, m: x.sigmoid(),
    "relu": lambda x, y, m: x.relu(),
    "clip": lambda x, y, m: x.clip(0, 1),
    "mm": lambda x, y, m: x @ y.T,
    "dot": lambda x, y, m: x[0] @ y[0],
    "sum_all": lambda x, y, m: x.sum(),
    "sum_axis": lambda x, y, m: x.sum(0),
    "reshape": lambda x, y, m: x.reshape(6),
    "permute": lambda x, y, m: x.permute(1, 0),
    "expand": lambda x, y, m: x[0:1].expand(4, 3),
    "select": lambda x, y, m: x[1],
    "slice": lambda x, y, m: x[:, 1:],
    "index": lambda x, y, m: x[[0, 0]],
    "mask": lambda x, y, m: x[m],
    "split": lambda x, y, m: x.split([1, 1])[0],
    "unbind": lambda x, y, m: x.unbind(0)[0],
}


@pytest.mark.parametrize("case", list(GRAD_FN_CASES))
def test_grad_fn_names_match_torch(case):
    fn = GRAD_FN_CASES[case]
    x, xt = _pair((2, 3), low=0.5, high=1.5)
    y, yt = _pair((2, 3), seed=1, low=0.5, high=1.5)
    mask = np.array([[True, False, True], [False, True, True]])
    assert fn(x, y, mask).grad_fn.name == fn(xt, yt, torch.tensor(mask)).grad_fn.name()


def test_grad_fn_names_of_functions_match_torch():
    x, xt = _pair((2, 3))
    y, yt = _pair((2, 3), seed=1)
    cond = np.array([[True, False, True], [False, True, True]])
    pairs = [
        (ops.maximum(x, y), torch.maximum(xt, yt)),
        (ops.minimum(x, y), torch.minimum(xt, yt)),
        (ops.where(cond, x, y), torch.where(torch.tensor(cond), xt, yt)),
        (x.max(0), xt.amax(0)),
        (x.min(), xt.amin()),
        (ops.stack([x, y]), torch.stack([xt, yt])),
        (ops.concat([x, y]), torch.cat([xt, yt])),
        (x.astype(np.float32), xt.float()),
    ]
    for o, t in pairs:
        assert o.grad_fn.name == t.grad_fn.name()


# ---------------------------------------------------------------------------------------------
# higher order
# ---------------------------------------------------------------------------------------------
def _f_ours(x, A):
    h = (A @ x).tanh()
    return (h * h).sum() + (x**3).sum() + functional.log_softmax(x, 0)[0] + ops.maximum(x, x * 0.5).sum()


def _f_torch(x, A):
    h = (A @ x).tanh()
    return (h * h).sum() + (x**3).sum() + torch.log_softmax(x, 0)[0] + torch.maximum(x, x * 0.5).sum()


def test_hessian_vector_product_equals_torch():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 5))
    x0, v = rng.standard_normal(5), rng.standard_normal(5)
    x = Tensor(x0.copy(), requires_grad=True)
    (g,) = grad(_f_ours(x, Tensor(A)), x, create_graph=True)
    assert g.requires_grad
    (hv,) = grad(g, x, grad_outputs=Tensor(v), retain_graph=True)
    _, hvt = torch.autograd.functional.hvp(
        lambda t: _f_torch(t, torch.tensor(A)), torch.tensor(x0), torch.tensor(v)
    )
    np.testing.assert_allclose(hv.data, hvt.numpy(), rtol=1e-10, atol=1e-12)
    # the gradient-dot-v form (Pearlmutter) gives the same
    (hv2,) = grad((g * Tensor(v)).sum(), x)
    np.testing.assert_allclose(hv2.data, hvt.numpy(), rtol=1e-10, atol=1e-12)


def test_full_hessian_and_third_derivative_equal_torch():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((3, 4))
    x0 = rng.standard_normal(4)
    x = Tensor(x0.copy(), requires_grad=True)
    (g,) = grad(_f_ours(x, Tensor(A)), x, create_graph=True)
    rows = [grad(g[i], x, retain_graph=True, create_graph=True)[0] for i in range(4)]
    H = np.stack([r.data for r in rows])
    Ht = torch.autograd.functional.hessian(lambda t: _f_torch(t, torch.tensor(A)), torch.tensor(x0))
    np.testing.assert_allclose(H, Ht.numpy(), rtol=1e-10, atol=1e-12)
    # third order: d/dx of the Hessian's trace
    tr = rows[0][0]
    for i in range(1, 4):
        tr = tr + rows[i][i]
    (t3,) = grad(tr, x)
    xt = torch.tensor(x0, requires_grad=True)
    (gt,) = torch.autograd.grad(_f_torch(xt, torch.tensor(A)), xt, create_graph=True)
    trt = sum(torch.autograd.grad(gt[i], xt, create_graph=True)[0][i] for i in range(4))
    (t3t,) = torch.autograd.grad(trt, xt)
    np.testing.assert_allclose(t3.data, t3t.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Using backward.. with create_graph=True:UserWarning")
def test_backward_create_graph_gives_differentiable_grad():
    x, xt = _pair((3,))
    for a in (x, xt):
        (a.tanh() ** 2).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    gx = x.grad
    gxt = xt.grad
    x.grad = None
    xt.grad = None
    (gx * gx).sum().backward()
    (gxt * gxt).sum().backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10)


# ---------------------------------------------------------------------------------------------
# anomaly detection
# ---------------------------------------------------------------------------------------------
def _here() -> int:
    return inspect.currentframe().f_back.f_lineno


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled:UserWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_detect_anomaly_never_checks_the_forward_like_torch(dtype):
    # exp(100.) is inf in float32 and log(-1) is nan: torch runs both, forward and backward, and
    # an infinite gradient is no anomaly either (only NaN out of a backward rule is)
    results = {}
    for name, mod, make in (("ours", tg, Tensor), ("torch", torch, torch.tensor)):
        x = make(np.array([100.0, -1.0], dtype=dtype), requires_grad=True)
        with mod.autograd.detect_anomaly() if name == "torch" else tg.detect_anomaly():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                e = x.exp()
                lg = x.log()
                (e.sum() + lg[0]).backward()
        results[name] = (
            np.asarray(e.detach().numpy() if name == "torch" else e.data),
            np.asarray(lg.detach().numpy() if name == "torch" else lg.data),
            np.asarray(x.grad.numpy() if name == "torch" else x.grad.data),
        )
    for ours, theirs in zip(results["ours"], results["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert np.isinf(results["torch"][0][0]) == (dtype == np.float32)
    assert np.isnan(results["torch"][1][1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_detect_anomaly_sees_zero_dim_results(dtype):
    # a ufunc on a 0-d array returns a numpy scalar, not an ndarray: still checked in backward
    with tg.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x = Tensor(np.array(-1.0, dtype=dtype), requires_grad=True)
        x.log()  # a NaN forward is not an anomaly (torch)
        y = Tensor(np.array(0.0, dtype=dtype), requires_grad=True) ** 0.5
        with pytest.raises(RuntimeError, match="PowBackward0"):
            (y * 0.0).backward()  # 0 * inf = nan inside PowBackward0


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled:UserWarning")
def test_detect_anomaly_names_backward_op_with_user_line_like_torch():
    x = Tensor(np.zeros(3), requires_grad=True)
    xt = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    with tg.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        line = _here() + 1
        y = x**0.5  # sqrt: finite forward (0), backward 0 * inf = nan
        z = (y * y).sum()
        with pytest.raises(RuntimeError) as e:
            z.backward()
    with torch.autograd.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = xt**0.5
        with pytest.raises(RuntimeError) as et:
            (yt * yt).sum().backward()
    msg = str(e.value)
    assert msg.splitlines()[0] == str(et.value).splitlines()[0]  # "Function 'PowBackward0' returned nan ..."
    assert __file__ in msg and f"line {line}" in msg and "y = x**0.5" in msg


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled:UserWarning")
@pytest.mark.parametrize(
    "case",
    [
        # sqrt at 0: an infinite gradient, not NaN
        (lambda m, x, b: (x**0.5).sum(), [0.0, 1.0], [1.0]),
        # forward 1 / 1e-200 is finite; the backward -g*a/(b*b) divides by 1e-400 = 0: -inf
        (lambda m, x, b: ((x * 1.0) / b * 1e-300).sum(), [1.0], [1e-200]),
    ],
)
def test_detect_anomaly_lets_infinite_gradients_through_like_torch(case):
    fn, xv, bv = case
    grads = {}
    for name, make, ctx in (
        ("ours", Tensor, tg.detect_anomaly),
        ("torch", lambda v, **k: torch.tensor(v, dtype=torch.float64, **k), torch.autograd.detect_anomaly),
    ):
        x = make(np.array(xv), requires_grad=True)
        b = make(np.array(bv), requires_grad=True)
        with ctx(), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fn(None, x, b).backward()
        grads[name] = [
            np.asarray(t.grad.numpy() if name == "torch" else t.grad.data)
            for t in (x, b)
            if t.grad is not None
        ]
    assert len(grads["ours"]) == len(grads["torch"])
    for ours, theirs in zip(grads["ours"], grads["torch"]):
        np.testing.assert_array_equal(ours, theirs)
    assert any(np.isinf(g).any() for g in grads["torch"])  # the case really has an infinite gradient


def test_detect_anomaly_is_off_by_default_and_restored():
    x = Tensor(np.zeros(2), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        (x**0.5).sum().backward()  # no error outside anomaly mode
        assert np.isinf(x.grad.data).all()
        with pytest.raises(RuntimeError), tg.detect_anomaly():
            ((x**0.5) * 0.0).sum().backward()  # 0 * inf = nan inside PowBackward0
        ((x**0.5) * 0.0).sum().backward()  # mode restored
