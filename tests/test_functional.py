"""tinygrad_rnn.functional (softmax, log_softmax, mse_loss, cross_entropy, dropout, linear,
topk_indices) and the
package generator it draws dropout masks from (tinygrad_rnn.random).

Values are checked against numpy formulas written out here, gradients against finite differences
(tinygrad_rnn.gradcheck) in float64. tests/test_ops_oracle.py compares the same functions with torch.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import tinygrad_rnn as tg
from tinygrad_rnn import Tensor, functional
from tinygrad_rnn.functional import (
    cross_entropy,
    dropout,
    linear,
    log_softmax,
    mse_loss,
    softmax,
    topk_indices,
)
from tinygrad_rnn.gradcheck import gradcheck, gradgradcheck
from tinygrad_rnn.random import generator, manual_seed


def _rand(shape, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def _leaf(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def _np_log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def test_the_module_exposes_exactly_these_functions():
    public = {
        name
        for name, f in inspect.getmembers(functional, inspect.isfunction)
        if not name.startswith("_") and f.__module__ == functional.__name__
    }
    # a new function here needs its tests in this file
    assert public == {
        "softmax",
        "log_softmax",
        "mse_loss",
        "cross_entropy",
        "dropout",
        "linear",
        "topk_indices",
    }


# ---------------------------------------------------------------------------------------------
# softmax / log_softmax
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)])
def test_softmax_and_log_softmax_values(shape, axis):
    x0 = _rand(shape)
    e = np.exp(x0)
    expect = e / e.sum(axis=axis, keepdims=True)
    s = softmax(Tensor(x0), axis)
    np.testing.assert_allclose(s.data, expect, rtol=1e-13)
    np.testing.assert_allclose(s.data.sum(axis=axis), 1.0, rtol=1e-14)
    np.testing.assert_allclose(log_softmax(Tensor(x0), axis).data, np.log(expect), rtol=1e-12, atol=1e-14)


def test_softmax_of_large_logits_is_stable():
    x = Tensor(np.array([1000.0, 1001.0, 1002.0]))
    z = 1 + math.e + math.e**2  # softmax is shift-invariant: the same as for [0, 1, 2]
    np.testing.assert_allclose(softmax(x).data, [1 / z, math.e / z, math.e**2 / z], rtol=1e-14)
    np.testing.assert_allclose(
        log_softmax(x).data, [-math.log(z), 1 - math.log(z), 2 - math.log(z)], rtol=1e-14
    )
    assert np.isfinite(softmax(Tensor(np.array([-1000.0, 1000.0]))).data).all()


def test_softmax_keeps_float32():
    assert softmax(Tensor(np.ones(3, np.float32))).dtype == np.float32
    assert log_softmax(Tensor(np.ones(3, np.float32))).dtype == np.float32


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@pytest.mark.parametrize("shape,axis", [((4,), 0), ((3, 4), -1), ((3, 4), 0)])
def test_softmax_gradients(fn, shape, axis):
    x = _leaf(_rand(shape, 1))
    assert gradcheck(lambda t: fn(t, axis), [x], atol=1e-7, rtol=1e-5)
    assert gradgradcheck(lambda t: fn(t, axis), [x], atol=1e-6, rtol=1e-4)


def test_softmax_gradient_by_hand():
    # d softmax_i / d x_j = s_i (delta_ij - s_j): the gradient of sum(w * s) is s * (w - w.s)
    x0, w = _rand(4, 2), _rand(4, 3)
    x = _leaf(x0)
    (softmax(x) * w).sum().backward()
    s = np.exp(x0) / np.exp(x0).sum()
    np.testing.assert_allclose(x.grad.data, s * (w - (w * s).sum()), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# mse_loss
# ---------------------------------------------------------------------------------------------
def test_mse_loss_reductions():
    a0, b0 = _rand((3, 4), 1), _rand((3, 4), 2)
    sq = (a0 - b0) ** 2
    np.testing.assert_allclose(mse_loss(Tensor(a0), b0).data, sq.mean(), rtol=1e-14)
    np.testing.assert_allclose(mse_loss(Tensor(a0), Tensor(b0), reduction="sum").data, sq.sum(), rtol=1e-14)
    np.testing.assert_allclose(mse_loss(Tensor(a0), b0, reduction="none").data, sq, rtol=1e-14)


def test_mse_loss_gradient_by_hand_and_bad_reduction():
    a0, b0 = _rand(5, 1), _rand(5, 2)
    a, b = _leaf(a0), _leaf(b0)
    mse_loss(a, b).backward()
    np.testing.assert_allclose(a.grad.data, 2 * (a0 - b0) / 5, rtol=1e-14)
    np.testing.assert_allclose(b.grad.data, -2 * (a0 - b0) / 5, rtol=1e-14)
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        mse_loss(a, b, reduction="avg")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_gradcheck(reduction):
    a, b = _leaf(_rand((2, 3), 1)), _leaf(_rand((2, 3), 2))
    assert gradcheck(lambda x, y: mse_loss(x, y, reduction), [a, b], atol=1e-7, rtol=1e-5)


# ---------------------------------------------------------------------------------------------
# cross_entropy
# ---------------------------------------------------------------------------------------------
def test_cross_entropy_of_one_example():
    logits = np.array([0.1, 0.5, 2.0])
    expect = -(logits[2] - np.log(np.exp(logits).sum()))
    np.testing.assert_allclose(cross_entropy(Tensor(logits), 2).data, expect, rtol=1e-14)
    # uniform logits: log(number of classes)
    np.testing.assert_allclose(cross_entropy(Tensor(np.zeros(8)), 3).data, math.log(8), rtol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_batched_and_with_extra_axes(reduction):
    rng = np.random.default_rng(0)
    for lshape, tshape in (((4, 5), (4,)), ((2, 5, 3), (2, 3)), ((2, 5, 3, 2), (2, 3, 2))):
        logits = rng.standard_normal(lshape)
        target = rng.integers(0, 5, tshape)
        lp = _np_log_softmax(logits, 1)  # classes on axis 1
        per = -np.take_along_axis(lp, target[:, None], axis=1)[:, 0]
        expect = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
        got = cross_entropy(Tensor(logits), target, reduction)
        assert got.shape == np.shape(expect)
        np.testing.assert_allclose(got.data, expect, rtol=1e-12)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    rng = np.random.default_rng(1)
    logits0, target = rng.standard_normal((3, 4)), np.array([0, 3, 1])
    logits = _leaf(logits0)
    cross_entropy(logits, target).backward()
    s = np.exp(logits0) / np.exp(logits0).sum(1, keepdims=True)
    np.testing.assert_allclose(logits.grad.data, (s - np.eye(4)[target]) / 3, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "lshape,target", [((4,), 1), ((3, 4), [0, 3, 1]), ((2, 4, 3), [[0, 1, 3], [2, 2, 0]])]
)
def test_cross_entropy_gradcheck(reduction, lshape, target):
    x = _leaf(_rand(lshape, 4))
    t = np.array(target)
    assert gradcheck(lambda z: cross_entropy(z, t, reduction), [x], atol=1e-7, rtol=1e-5)
    assert gradgradcheck(lambda z: cross_entropy(z, t, reduction), [x], atol=1e-6, rtol=1e-4)


def test_cross_entropy_bad_targets():
    with pytest.raises(TypeError, match="expected integer class targets, got dtype float64"):
        cross_entropy(Tensor(np.zeros((2, 3))), np.array([0.0, 1.0]))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        cross_entropy(Tensor(np.zeros((2, 3))), np.array([0, 3]))


def test_cross_entropy_negative_target_of_one_example_is_refused():
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        cross_entropy(Tensor(np.array([0.1, 0.5, 2.0])), -1)


def test_cross_entropy_out_of_bounds_message_names_the_bad_target():
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        cross_entropy(Tensor(np.zeros((2, 3))), np.array([-1, 1]))


# ---------------------------------------------------------------------------------------------
# dropout and the package generator
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_mask_and_scale(p):
    x0 = _rand((50, 40), 5, 0.5, 1.5)
    x = _leaf(x0)
    y = dropout(x, p, training=True, rng=np.random.default_rng(7))
    keep = np.random.default_rng(7).random(x0.shape) >= p  # each element kept with probability 1 - p
    np.testing.assert_allclose(y.data, np.where(keep, x0 / (1 - p), 0.0), rtol=1e-14)
    assert abs((y.data == 0).mean() - p) < 0.05
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, keep / (1 - p), rtol=1e-14)


def test_dropout_is_identity_in_eval_and_for_p0_and_zero_for_p1():
    x = _leaf(_rand((3, 4)))
    assert dropout(x, 0.5, training=False) is x
    assert dropout(x, 0.0, training=True) is x
    y = dropout(x, 1.0, training=True)
    assert (y.data == 0).all() and y.shape == x.shape and y.dtype == x.dtype
    y.sum().backward()
    assert (x.grad.data == 0).all()


def test_dropout_keeps_the_dtype():
    assert dropout(Tensor(np.ones(10, np.float32)), 0.5, rng=np.random.default_rng(0)).dtype == np.float32


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_probability_out_of_range(p):
    with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but got {p}"):
        dropout(Tensor(np.ones(3)), p)


def test_dropout_without_rng_draws_from_the_seeded_package_generator():
    x = Tensor(np.ones((20, 20)))
    manual_seed(123)
    a = dropout(x, 0.5).data
    manual_seed(123)
    b = dropout(x, 0.5).data
    manual_seed(124)
    c = dropout(x, 0.5).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    keep = np.random.default_rng(123).random((20, 20)) >= 0.5
    np.testing.assert_array_equal(a, np.where(keep, 2.0, 0.0))


def test_dropout_with_its_own_rng_leaves_the_package_generator_alone():
    manual_seed(5)
    dropout(Tensor(np.ones(100)), 0.5, rng=np.random.default_rng(0))
    assert generator().random() == np.random.default_rng(5).random()


def test_manual_seed_reseeds_the_package_generator():
    tg.manual_seed(42)
    a = generator().random(3)
    np.testing.assert_array_equal(a, np.random.default_rng(42).random(3))
    tg.manual_seed(42)
    np.testing.assert_array_equal(generator().random(3), a)


def test_dropout_gradcheck_with_a_fixed_mask():
    x = _leaf(_rand((3, 4), 6))
    assert gradcheck(lambda t: dropout(t, 0.3, True, np.random.default_rng(1)), [x], atol=1e-7, rtol=1e-5)


# ---------------------------------------------------------------------------------------------
# linear
# ---------------------------------------------------------------------------------------------
def test_linear_values():
    x0, w0, b0 = _rand((5, 3), 1), _rand((4, 3), 2), _rand(4, 3)
    np.testing.assert_allclose(linear(Tensor(x0), Tensor(w0), Tensor(b0)).data, x0 @ w0.T + b0, rtol=1e-13)
    np.testing.assert_allclose(linear(Tensor(x0), Tensor(w0)).data, x0 @ w0.T, rtol=1e-13)
    x3 = _rand((2, 5, 3), 4)  # leading batch axes
    np.testing.assert_allclose(linear(Tensor(x3), Tensor(w0), Tensor(b0)).data, x3 @ w0.T + b0, rtol=1e-13)


def test_linear_gradients_by_hand_and_gradcheck():
    x0, w0, b0 = _rand((5, 3), 1), _rand((4, 3), 2), _rand(4, 3)
    x, w, b = _leaf(x0), _leaf(w0), _leaf(b0)
    g = _rand((5, 4), 9)
    (linear(x, w, b) * g).sum().backward()
    np.testing.assert_allclose(x.grad.data, g @ w0, rtol=1e-13)
    np.testing.assert_allclose(w.grad.data, g.T @ x0, rtol=1e-13)
    np.testing.assert_allclose(b.grad.data, g.sum(0), rtol=1e-13)
    x, w, b = _leaf(x0[:2]), _leaf(w0), _leaf(b0)
    assert gradcheck(linear, [x, w, b], atol=1e-7, rtol=1e-5)
    assert gradcheck(lambda xx, ww: linear(xx, ww), [x, w], atol=1e-7, rtol=1e-5)


# ---------------------------------------------------------------------------------------------
# topk_indices: against a plain-Python definition (sort by value, ties by ascending index, NaN
# largest); tests/test_torch_topk.py and the MindSpore tests compare topk itself with the real ones
# ---------------------------------------------------------------------------------------------
def _python_topk(row, k, largest):
    def key(i):
        v = row[i]
        nan = isinstance(v, float) and math.isnan(v)
        if largest:  # NaN first, then larger values, ties: smaller index first
            return (0 if nan else 1, 0 if nan else -v, i)
        return (1 if nan else 0, 0 if nan else v, i)

    return sorted(range(len(row)), key=key)[:k]


_TOPK_ROWS = {
    "float ties": [1.0, 3.0, 3.0, -2.0, 1.0, 3.0],
    "float nan": [0.5, float("nan"), 2.0, float("nan"), -1.0],
    "float inf": [float("-inf"), 1.0, float("inf"), 1.0],
    "int extremes": [np.iinfo(np.int64).min, 0, np.iinfo(np.int64).max, 0, -5],
    "uint": [3, 0, 255, 3, 7],
    "bool": [False, True, False, True],
}
_TOPK_DTYPES = {"float": np.float64, "int": np.int64, "uint": np.uint8, "bool": np.bool_}


@pytest.mark.parametrize("largest", [True, False], ids=["largest", "smallest"])
@pytest.mark.parametrize("name", list(_TOPK_ROWS))
def test_topk_indices_matches_a_python_sort(name, largest):
    row = _TOPK_ROWS[name]
    a = np.array(row, dtype=_TOPK_DTYPES[name.split()[0]])
    for k in range(len(row) + 1):
        got = topk_indices(a, k, axis=0, largest=largest)
        assert got.tolist() == _python_topk(a.tolist(), k, largest), (name, k)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_topk_indices_works_along_any_axis(axis):
    a = np.random.default_rng(3).integers(-3, 4, size=(4, 5, 6)).astype(np.float64)
    a[1, 2, 3] = np.nan
    got = topk_indices(a, 3, axis=axis)
    moved = np.moveaxis(a, axis, -1)
    want = np.empty(moved.shape[:-1] + (3,), dtype=np.int64)
    for idx in np.ndindex(moved.shape[:-1]):
        want[idx] = _python_topk(moved[idx].tolist(), 3, True)
    np.testing.assert_array_equal(got, np.moveaxis(want, -1, axis))
