"""Batched weight gradients: a weight used by many matmuls gets its gradient as one stacked GEMM.

The expected values are computed here independently (term-by-term numpy sums, float64), never
copied from our own output.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_rnn as tg
from tinygrad_rnn import Tensor, ops, product_sum
from tinygrad_rnn.gradcheck import gradgradcheck
from tinygrad_rnn.ops.namespaces import TRANSPOSES
from tinygrad_rnn.product_sum import ProductSum, evaluate


def _rand(shape, seed, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def test_product_sum_is_the_sum_of_the_products():
    a = [_rand((5, 3), k) for k in range(4)]
    g = [_rand((5, 2), 10 + k) for k in range(4)]
    s = ProductSum(a[0], g[0])
    for k in range(1, 4):
        s = s.add(ProductSum(a[k], g[k]))
    expected = sum(a[k].T @ g[k] for k in range(4))
    np.testing.assert_allclose(s.evaluate(), expected, rtol=1e-13, atol=1e-13)
    assert len(s.a) == 0  # evaluated: the factors are gone


def test_dense_terms_and_products_mix_in_any_order():
    a, g, d = _rand((4, 3), 0), _rand((4, 3), 1), _rand((3, 3), 2)
    left = ProductSum(a, g).add(d)
    right = ProductSum(a, g)
    right = right.add(ProductSum(a, g)).add(d).add(d)
    np.testing.assert_allclose(left.evaluate(), a.T @ g + d, rtol=1e-13)
    np.testing.assert_allclose(right.evaluate(), 2 * (a.T @ g) + 2 * d, rtol=1e-13)
    d_before = d.copy()
    ProductSum(a, g).add(d).evaluate()
    np.testing.assert_array_equal(d, d_before)  # a dense term we did not make is never written


def test_mismatched_terms_fall_back_to_plain_sums():
    a, g = _rand((4, 3), 0), _rand((4, 3), 1)
    a32, g32 = a.astype(np.float32), g.astype(np.float32)
    mixed = ProductSum(a, g).add(ProductSum(a32, g32))  # dtypes differ: no stacking
    assert isinstance(mixed, np.ndarray)
    np.testing.assert_allclose(mixed, a.T @ g + a32.T @ g32, rtol=1e-6)
    row = _rand((3,), 3)  # a broadcasting term
    np.testing.assert_allclose(ProductSum(a, g).add(row), a.T @ g + row, rtol=1e-13)


def test_flushes_keep_the_pending_factors_bounded(monkeypatch):
    monkeypatch.setattr(product_sum, "FLUSH_BYTES", 1000)  # a few pairs per partial GEMM
    a = [_rand((6, 4), k) for k in range(20)]
    g = [_rand((6, 5), 100 + k) for k in range(20)]
    s = ProductSum(a[0], g[0])
    for k in range(1, 20):
        s = s.add(ProductSum(a[k], g[k]))
        assert s.nbytes <= 1000
    np.testing.assert_allclose(s.evaluate(), sum(x.T @ y for x, y in zip(a, g)), rtol=1e-12)


def test_only_2d_float_operands_are_deferred():
    a, g = _rand((4, 3), 0), _rand((4, 2), 1)
    assert isinstance(product_sum.product_sum(a, g), ProductSum)
    ints = product_sum.product_sum(np.ones((4, 3), dtype=np.int64), np.ones((4, 2), dtype=np.int64))
    np.testing.assert_array_equal(ints, np.full((3, 2), 4))
    obj = np.ones((2, 2), dtype=object)  # sympy expressions live in object arrays
    assert not isinstance(product_sum.product_sum(obj, obj), ProductSum)
    batched = product_sum.product_sum(_rand((2, 4, 3), 5), _rand((2, 4, 2), 6))
    assert batched.shape == (2, 3, 2)
    assert evaluate(7) == 7


@pytest.mark.parametrize("through_transpose", [False, True])
def test_a_weight_used_at_every_step_gets_the_stacked_sum(through_transpose):
    """The shape of an RNN's W_hh: T matmuls h_t @ W (or addmm with W^T) in one graph."""
    T, B, H = 30, 4, 6
    w = Tensor(_rand((H, H), 0), requires_grad=True)
    hs = [_rand((B, H), 10 + t) for t in range(T)]
    gs = [_rand((B, H), 100 + t) for t in range(T)]
    wt = ops.transpose(w) if through_transpose else w
    loss = None
    for t in range(T):
        y = ops.addmm(np.zeros((B, H)), Tensor(hs[t]), wt)
        term = (y * Tensor(gs[t])).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    expected = sum(h.T @ g for h, g in zip(hs, gs))
    np.testing.assert_allclose(w.grad.data, expected.T if through_transpose else expected, rtol=1e-12)


def test_autograd_grad_and_anomaly_mode_see_evaluated_gradients():
    w = Tensor(_rand((3, 3), 0), requires_grad=True)
    x = [Tensor(_rand((2, 3), k)) for k in range(3)]
    out = sum(((xi @ w).sum() for xi in x), Tensor(0.0))
    (gw,) = tg.grad(out, w, retain_graph=True)
    assert isinstance(gw.data, np.ndarray)
    np.testing.assert_allclose(gw.data, sum(xi.data.T @ np.ones((2, 3)) for xi in x), rtol=1e-13)
    bad = Tensor(np.array([[np.nan, 0.0, 0.0]] * 2))
    with tg.detect_anomaly():
        y = (bad @ w).sum()
        with pytest.raises(RuntimeError, match="returned nan values"):
            y.backward()


def test_double_backward_does_not_defer():
    """Under create_graph the plain rule runs (recorded), so the gradient is differentiable."""
    w = Tensor(_rand((3, 3), 0), requires_grad=True)
    x = Tensor(_rand((2, 3), 1))
    y = ((x @ w).tanh() @ w).sum()
    (gw,) = tg.grad(y, w, create_graph=True)
    assert gw.requires_grad and gw.grad_fn is not None
    w2 = Tensor(_rand((3, 3), 0), requires_grad=True)
    assert gradgradcheck(lambda w_: ((x @ w_).tanh() @ w_).sum(), (w2,))


def test_transposed_copies_live_only_during_a_walk():
    w = Tensor(_rand((4, 4), 0), requires_grad=True)
    h = Tensor(_rand((2, 4), 1), requires_grad=True)
    (h @ w @ w).sum().backward()
    assert TRANSPOSES.copies == {}
    np.testing.assert_allclose(h.grad.data, np.ones((2, 4)) @ (w.data @ w.data).T, rtol=1e-13)


def test_transpose_cache_reuses_one_copy_per_live_matrix():
    b = _rand((5, 3), 0)
    first = TRANSPOSES.get(b)
    assert first.flags.c_contiguous and TRANSPOSES.get(b) is first
    np.testing.assert_array_equal(first, b.T)
    del b  # the copy goes with its matrix
    assert all(ref() is not None for ref, _ in TRANSPOSES.copies.values())
    TRANSPOSES.clear()
