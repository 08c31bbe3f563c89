"""The core Tensor (tinygrad_rnn.tensor): construction and dtype rules, requires_grad rules, operators
with broadcasting (forward values and gradients), reflected operators, indexing, shape methods,
.grad accumulation, detach, numpy()/item(), iteration, and the errors bad input gets.

Expected values come from numpy formulas or hand-derived derivatives written out here; nothing is
compared against torch (tests/test_tape.py and the oracle tests do that).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_rnn as tg
from tinygrad_rnn import Tensor
from tinygrad_rnn.tape import ShapeError


def _leaf(a, dtype=np.float64):
    return Tensor(np.array(a, dtype=dtype), requires_grad=True)


def _rand(shape, seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


# ---------------------------------------------------------------------------------------------
# construction and dtype rules
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data,dtype",
    [
        (1.5, np.float32),  # Python floats default to float32, as in torch
        ([1.0, 2.0], np.float32),
        ([[1.0], [2.5]], np.float32),
        ([1, 2], np.int64),
        (3, np.int64),
        ([True, False], np.bool_),
        (np.array([1.0, 2.0]), np.float64),  # arrays keep their dtype
        (np.array([1.0], np.float16), np.float16),
        (np.array([1, 2], np.int32), np.int32),
        (np.float64(2.0), np.float64),  # numpy scalars keep theirs too
        (np.float32(2.0), np.float32),
    ],
)
def test_construction_dtype_rules(data, dtype):
    t = Tensor(data)
    assert t.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(t.data, np.asarray(data))


def test_dtype_argument_overrides_the_default():
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert Tensor(1.5, dtype="float64").dtype == np.float64
    assert Tensor(np.array([1.7, -2.7]), dtype=np.int32).tolist() == [1, -2]  # numpy's truncation


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0])
    t = Tensor(a)
    a[0] = 99.0
    assert t.data[0] == 1.0
    u = Tensor(t)  # from a Tensor: a copy of the data, no graph
    t.data[1] = -5.0
    assert u.data[1] == 2.0 and u.dtype == t.dtype and u.is_leaf
    assert tg.tensor(a).data is not a


def test_tensor_of_a_tensor_in_a_graph_is_a_fresh_leaf():
    x = _leaf([1.0, 2.0])
    y = x * 3.0
    z = Tensor(y)
    assert z.is_leaf and not z.requires_grad and z.grad_fn is None
    np.testing.assert_array_equal(z.data, [3.0, 6.0])


@pytest.mark.parametrize("make", [tg.zeros, tg.ones])
def test_zeros_ones_take_varargs_or_a_tuple(make):
    fill = 0.0 if make is tg.zeros else 1.0
    for t in (make(2, 3), make((2, 3)), make([2, 3])):
        assert t.shape == (2, 3) and t.dtype == np.float32
        assert (t.data == fill).all()
    assert make(4, dtype=np.float64).dtype == np.float64
    assert make().shape == ()
    r = make(3, requires_grad=True)
    assert r.requires_grad and r.is_leaf


def test_properties_shape_ndim_numel_len():
    t = Tensor(np.zeros((2, 3, 4)))
    assert t.shape == (2, 3, 4) and t.ndim == 3 and t.numel() == 24 and len(t) == 2
    s = Tensor(5.0)
    assert s.shape == () and s.ndim == 0 and s.numel() == 1


# ---------------------------------------------------------------------------------------------
# requires_grad rules
# ---------------------------------------------------------------------------------------------
def test_leaves_do_not_require_grad_by_default():
    t = Tensor([1.0])
    assert not t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None


def test_requires_grad_underscore_on_a_leaf_toggles_and_returns_self():
    t = Tensor([1.0, 2.0])
    assert t.requires_grad_() is t and t.requires_grad
    assert t.requires_grad_(False) is t and not t.requires_grad
    assert (t * 2).grad_fn is None  # no longer recorded


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.uint8])
def test_only_floating_point_tensors_can_require_grad(dtype):
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        Tensor(np.zeros(2, dtype=dtype), requires_grad=True)
    t = Tensor(np.zeros(2, dtype=dtype))
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad_()
    assert not t.requires_grad


def test_requires_grad_false_on_a_non_leaf_is_refused():
    y = _leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    assert y.requires_grad
    assert y.requires_grad_(True) is y  # asking for what it already has is fine


def test_op_results_require_grad_iff_some_input_does():
    a, b = _leaf([1.0, 2.0]), Tensor(np.array([3.0, 4.0]))
    assert (a + b).requires_grad and (b + a).requires_grad and (a * 2).requires_grad
    assert not (b * b).requires_grad and (b * b).grad_fn is None
    with tg.no_grad():
        assert not (a * b).requires_grad


def test_comparisons_give_plain_boolean_tensors():
    a = _leaf([1.0, 2.0, 3.0])
    for r, expect in (
        (a < 2.0, [True, False, False]),
        (a <= 2.0, [True, True, False]),
        (a > 2.0, [False, False, True]),
        (a >= 2.0, [False, True, True]),
        (a == 2.0, [False, True, False]),
        (a != 2.0, [True, False, True]),
        (a == Tensor(np.array([1.0, 0.0, 3.0])), [True, False, True]),
    ):
        assert isinstance(r, Tensor) and r.dtype == np.bool_
        assert r.data.tolist() == expect
        assert not r.requires_grad and r.grad_fn is None


def test_cast_keeps_the_gradient_in_the_source_dtype():
    x = _leaf([0.5, -1.0], np.float32)
    y = x.double()
    assert y.dtype == np.float64 and y.grad_fn.name == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, 2 * x.data)  # d(sum x^2)/dx
    assert x.float() is x  # a cast to the same dtype is the identity


def test_cast_to_integer_is_not_differentiable():
    x = _leaf([1.5, 2.5])
    y = x.astype(np.int64)
    assert y.dtype == np.int64
    assert not y.requires_grad and y.grad_fn is None


# ---------------------------------------------------------------------------------------------
# operators and broadcasting: values against numpy, gradients against hand derivations
# ---------------------------------------------------------------------------------------------
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: (np.ones_like(a), np.ones_like(b))),
    "sub": (lambda a, b: a - b, lambda a, b: (np.ones_like(a), -np.ones_like(b))),
    "mul": (lambda a, b: a * b, lambda a, b: (b, a)),
    "div": (lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    "pow": (lambda a, b: a**b, lambda a, b: (b * a ** (b - 1), a**b * np.log(a))),
}


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize(
    "sa,sb",
    [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)), ((), (2, 2)), ((3,), ())],
)
def test_binary_operators_broadcast_and_unbroadcast_gradients(op, sa, sb):
    fwd, dfd = BINARY[op]
    a0, b0 = _rand(sa, 1, 0.5, 1.5), _rand(sb, 2, 0.5, 1.5)  # positive: a**b and log(a) are defined
    a, b = _leaf(a0), _leaf(b0)
    y = fwd(a, b)
    expect = fwd(a0, b0)
    assert y.shape == np.broadcast_shapes(sa, sb)
    np.testing.assert_allclose(y.data, expect, rtol=1e-14)
    w = _rand(y.shape, 3)  # loss = sum(w * y): dL/dy = w
    (y * w).sum().backward()
    da, db = dfd(a0, b0)
    out_shape = np.broadcast_shapes(sa, sb)
    # the gradient of a broadcast operand is summed over the axes it was broadcast along
    ga_full = _sum_to(np.broadcast_to(w * da, out_shape), sa)
    gb_full = _sum_to(np.broadcast_to(w * db, out_shape), sb)
    assert a.grad.shape == sa and b.grad.shape == sb
    np.testing.assert_allclose(a.grad.data, ga_full, rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, gb_full, rtol=1e-12)


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum g down to `shape` the long way: leading axes, then every axis that was 1 in shape."""
    while g.ndim > len(shape):
        g = g.sum(0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(i, keepdims=True)
    return g


def test_bias_broadcast_gradient_is_the_column_sum():
    x = _rand((5, 3), 0)
    b = _leaf([0.1, 0.2, 0.3])
    (Tensor(x) + b).sum().backward()
    np.testing.assert_array_equal(b.grad.data, [5.0, 5.0, 5.0])  # each bias entry is used 5 times


@pytest.mark.parametrize(
    "sa,sb",
    [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3, 4)),
        ((2, 1, 2, 3), (4, 3, 2)),
    ],
)
def test_matmul_values_and_gradients(sa, sb):
    a0, b0 = _rand(sa, 1), _rand(sb, 2)
    a, b = _leaf(a0), _leaf(b0)
    y = a @ b
    np.testing.assert_allclose(y.data, np.matmul(a0, b0), rtol=1e-13)
    w = _rand(y.shape, 3)
    (y * w).sum().backward()
    # directional derivative check: d/dt sum(w * (a + t da) @ b) = sum(w * da @ b), exact for a bilinear map
    da, db = _rand(sa, 4), _rand(sb, 5)
    np.testing.assert_allclose((a.grad.data * da).sum(), (w * np.matmul(da, b0)).sum(), rtol=1e-12)
    np.testing.assert_allclose((b.grad.data * db).sum(), (w * np.matmul(a0, db)).sum(), rtol=1e-12)


@pytest.mark.parametrize(
    "name,fwd,deriv",
    [
        ("exp", np.exp, np.exp),
        ("log", np.log, lambda a: 1 / a),
        ("tanh", np.tanh, lambda a: 1 - np.tanh(a) ** 2),
        ("sigmoid", lambda a: 1 / (1 + np.exp(-a)), lambda a: np.exp(-a) / (1 + np.exp(-a)) ** 2),
        ("relu", lambda a: np.where(a > 0, a, 0.0), lambda a: (a > 0).astype(float)),
        ("__neg__", lambda a: -a, lambda a: -np.ones_like(a)),
    ],
)
def test_unary_methods(name, fwd, deriv):
    a0 = np.array([0.3, 1.7, 2.5]) if name == "log" else np.array([-1.3, -0.2, 0.4, 2.0])
    a = _leaf(a0)
    y = getattr(a, name)()
    np.testing.assert_allclose(y.data, fwd(a0), rtol=1e-14)
    y.sum().backward()
    np.testing.assert_allclose(a.grad.data, deriv(a0), rtol=1e-12)


def test_clip_passes_gradient_only_inside_the_range():
    a = _leaf([-2.0, 0.25, 0.75, 3.0])
    y = a.clip(0.0, 1.0)
    np.testing.assert_array_equal(y.data, [0.0, 0.25, 0.75, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize(
    "axis,keepdims", [(None, False), (0, False), (1, True), ((0, 1), False), (-1, False)]
)
def test_reductions_values_and_gradients(method, axis, keepdims):
    a0 = np.array([[1.0, 5.0, 2.0], [4.0, -3.0, 0.5]])  # no ties, so max/min gradients are one-hot
    a = _leaf(a0)
    y = getattr(a, method)(axis, keepdims)
    np.testing.assert_allclose(y.data, getattr(np, method)(a0, axis=axis, keepdims=keepdims), rtol=1e-14)
    y.sum().backward()
    if method == "sum":
        expect = np.ones_like(a0)
    elif method == "mean":
        n = a0.size if axis is None else np.prod([a0.shape[i] for i in np.atleast_1d(axis)])
        expect = np.full_like(a0, 1.0 / n)
    else:
        ext = getattr(np, method)(a0, axis=axis, keepdims=True)
        expect = (a0 == ext).astype(float)
    np.testing.assert_allclose(a.grad.data, expect, rtol=1e-14)


def test_python_scalars_take_the_tensors_float_dtype():
    for dt in (np.float16, np.float32, np.float64):
        t = Tensor(np.ones(2, dtype=dt))
        for r in (t + 1.5, 1.5 + t, t * 2, 2 - t, t / 3.0, 3.0 / t, t**2.0, 2.0**t):
            assert r.dtype == dt, (dt, r.dtype)
    mixed = Tensor(np.ones(2, np.float32)) + Tensor(np.ones(2, np.float64))
    assert mixed.dtype == np.float64  # two Tensors promote as numpy does


# ---------------------------------------------------------------------------------------------
# reflected operators
# ---------------------------------------------------------------------------------------------
def test_reflected_operators_values_and_gradients():
    x0 = np.array([0.5, 1.0, 2.0])
    cases = [
        (lambda x: 3.0 + x, 3.0 + x0, np.ones(3)),
        (lambda x: 3.0 - x, 3.0 - x0, -np.ones(3)),
        (lambda x: 3.0 * x, 3.0 * x0, np.full(3, 3.0)),
        (lambda x: 3.0 / x, 3.0 / x0, -3.0 / x0**2),
        (lambda x: 2.0**x, 2.0**x0, 2.0**x0 * math.log(2.0)),
    ]
    for fn, value, deriv in cases:
        x = _leaf(x0)
        y = fn(x)
        assert isinstance(y, Tensor) and y.requires_grad
        np.testing.assert_allclose(y.data, value, rtol=1e-14)
        y.sum().backward()
        np.testing.assert_allclose(x.grad.data, deriv, rtol=1e-13)


def test_numpy_array_on_the_left_defers_to_the_tensor():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = _leaf([[0.5, -1.0], [2.0, 0.25]])
    for r, expect in ((a + x, a + x.data), (a - x, a - x.data), (a * x, a * x.data), (a @ x, a @ x.data)):
        assert isinstance(r, Tensor) and r.requires_grad  # not an object ndarray of Tensors
        np.testing.assert_allclose(r.data, expect)
    (a @ x).sum().backward()
    np.testing.assert_allclose(x.grad.data, a.T @ np.ones((2, 2)))  # d sum(A X) / dX = A^T 1


def test_pos_is_identity_and_neg_negates():
    x = _leaf([1.0, -2.0])
    assert +x is x
    np.testing.assert_array_equal((-x).data, [-1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# indexing
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "idx",
    [
        1,
        -1,
        slice(1, 3),
        (slice(None), 2),
        (0, slice(None, None, -1)),
        (Ellipsis, 1),
        (None, 1),
        [0, 2, 0],
        (np.array([0, 2]), np.array([1, 3])),
        np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]]),
        np.array([True, False, True]),
    ],
)
def test_indexing_values_and_scattered_gradients(idx):
    a0 = np.arange(12.0).reshape(3, 4)
    a = _leaf(a0)
    y = a[idx]
    np_idx = np.asarray(idx) if isinstance(idx, list) else idx
    np.testing.assert_array_equal(y.data, a0[np_idx])
    w = _rand(y.shape, 1)
    (y * w).sum().backward()
    expect = np.zeros_like(a0)
    np.add.at(expect, np_idx, w)  # repeated indices accumulate
    np.testing.assert_allclose(a.grad.data, expect, rtol=1e-14)


def test_repeated_index_accumulates_gradient():
    a = _leaf([1.0, 2.0, 3.0])
    a[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(a.grad.data, [3.0, 0.0, 1.0])


def test_index_with_a_tensor():
    a = _leaf([10.0, 20.0, 30.0])
    y = a[Tensor(np.array([2, 1]))]
    np.testing.assert_array_equal(y.data, [30.0, 20.0])


def test_indexing_errors():
    a = Tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 1 with size 4"):
        a[0, 5]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        a[0, 0, 0]
    with pytest.raises(IndexError, match="must be long, int, byte or bool"):
        a[np.array([0.5])]
    with pytest.raises(IndexError, match=r"shape of the mask \[2\] at index 0 does not match"):
        a[np.array([True, False])]


# ---------------------------------------------------------------------------------------------
# shape methods
# ---------------------------------------------------------------------------------------------
def test_shape_methods_match_numpy():
    a0 = np.arange(24.0).reshape(2, 3, 4)
    a = Tensor(a0)
    np.testing.assert_array_equal(a.reshape(6, 4).data, a0.reshape(6, 4))
    np.testing.assert_array_equal(a.reshape((4, -1)).data, a0.reshape(4, -1))
    np.testing.assert_array_equal(a.reshape([24]).data, a0.reshape(24))
    np.testing.assert_array_equal(a.transpose().data, a0.transpose())
    np.testing.assert_array_equal(a.transpose(1, 0, 2).data, a0.transpose(1, 0, 2))
    np.testing.assert_array_equal(a.permute((2, 0, 1)).data, a0.transpose(2, 0, 1))
    np.testing.assert_array_equal(a.T.data, a0.T)
    np.testing.assert_array_equal(a.swapaxes(0, 2).data, a0.swapaxes(0, 2))
    np.testing.assert_array_equal(a.unsqueeze(1).data, a0[:, None])
    np.testing.assert_array_equal(a.unsqueeze(-1).data, a0[..., None])
    np.testing.assert_array_equal(a.unsqueeze(0).data, a0[None])
    b = Tensor(np.zeros((1, 3, 1)))
    assert b.squeeze().shape == (3,)
    assert b.squeeze(0).shape == (3, 1) and b.squeeze(-1).shape == (1, 3)
    assert b.squeeze(1).shape == (1, 3, 1)  # not of size 1: unchanged
    c = Tensor(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_array_equal(c.expand(2, 3).data, [[1.0, 2.0, 3.0]] * 2)
    np.testing.assert_array_equal(c.expand((4, 2, 3)).data, np.broadcast_to(c.data, (4, 2, 3)))


def test_split_and_unbind():
    a0 = np.arange(10.0).reshape(5, 2)
    a = _leaf(a0)
    parts = a.split([2, 3])
    assert [p.shape for p in parts] == [(2, 2), (3, 2)]
    np.testing.assert_array_equal(parts[1].data, a0[2:])
    assert [p.shape for p in a.split(2)] == [(2, 2), (2, 2), (1, 2)]  # equal chunks, last smaller
    cols = a.unbind(1)
    assert len(cols) == 2 and cols[0].shape == (5,)
    np.testing.assert_array_equal(cols[1].data, a0[:, 1])
    (parts[0].sum() * 2 + cols[1].sum()).backward()  # two views of one tensor: gradients add up
    expect = np.zeros_like(a0)
    expect[:2] += 2.0
    expect[:, 1] += 1.0
    np.testing.assert_array_equal(a.grad.data, expect)


def test_shape_method_gradients_are_reshaped_back():
    a0 = _rand((2, 3, 4), 0)
    a = _leaf(a0)
    w = _rand((4, 3, 2), 1)
    (a.permute(2, 1, 0) * w).sum().backward()
    np.testing.assert_allclose(a.grad.data, w.transpose(2, 1, 0))
    b = _leaf(_rand((1, 3), 2))
    b.expand(5, 3).sum().backward()
    np.testing.assert_array_equal(b.grad.data, np.full((1, 3), 5.0))
    c = _leaf(_rand((2, 3), 3))
    w2 = _rand((3, 2), 4)
    (c.reshape(3, 2) * w2).sum().backward()
    np.testing.assert_allclose(c.grad.data, w2.reshape(2, 3))


def _shape_error(fn) -> ShapeError:
    with pytest.raises(ShapeError) as e:
        fn()
    return e.value


# The core's ShapeError carries framework-neutral facts (op, kind, the sizes) that each frontend
# re-words in its framework's language; the core's own message must at least name the numbers.
def test_shape_errors_carry_the_facts_and_name_the_sizes():
    a = Tensor(np.zeros((2, 3)))
    e = _shape_error(lambda: a.reshape(4))
    assert e.op == "reshape" and e.facts["size"] == 6 and tuple(e.facts["shape"]) == (4,)
    assert "[4]" in str(e) and "6" in str(e)
    e = _shape_error(lambda: a.expand(4, 3))
    assert e.op == "expand" and e.facts["dim"] == 0 and e.facts["sizes"] == (4, 2)
    assert "4" in str(e) and "2" in str(e)
    e = _shape_error(lambda: a.transpose(0, 0))
    assert e.op == "transpose" and isinstance(e, RuntimeError) and "[0, 0]" in str(e)
    e = _shape_error(lambda: a.split([1, 2]))
    assert e.op == "split" and e.facts["sizes"] == (1, 2) and e.facts["size"] == 2 and e.facts["dim"] == 0
    assert "[1, 2]" in str(e)


def test_axis_out_of_range_is_an_index_error_naming_the_range():
    a = Tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 2"):
        a.sum(2)
    with pytest.raises(IndexError, match=r"but got -3"):
        a.mean(-3)
    with pytest.raises(IndexError, match=r"but got 2"):
        a.swapaxes(0, 2)


def test_operator_shape_errors_carry_the_facts():
    a, b = Tensor(np.zeros((2, 3))), Tensor(np.zeros((4,)))
    e = _shape_error(lambda: a + b)
    assert e.op == "add" and e.facts["sizes"] == (3, 4) and e.facts["dim"] == 1
    assert "(3)" in str(e) and "(4)" in str(e)
    assert _shape_error(lambda: a * b).op == "mul"
    e = _shape_error(lambda: a @ Tensor(np.zeros((2, 3))))
    assert e.op == "matmul" and e.facts["sizes"] == (3, 2) and "2x3 and 2x3" in str(e)
    e = _shape_error(lambda: a @ Tensor(1.0))
    assert e.op == "matmul" and e.facts["shapes"] == ((2, 3), ())


def test_unsqueeze_out_of_range_raises():
    a = Tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match="Dimension out of range"):
        a.unsqueeze(5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        a.unsqueeze(-4)


def test_squeeze_out_of_range_raises():
    with pytest.raises(IndexError, match="Dimension out of range"):
        Tensor(np.zeros((1, 3))).squeeze(4)


def test_split_size_zero_is_a_clear_error():
    with pytest.raises((ValueError, RuntimeError), match="split"):
        Tensor(np.zeros((4, 2))).split(0)


# ---------------------------------------------------------------------------------------------
# .grad accumulation, detach, data access, iteration
# ---------------------------------------------------------------------------------------------
def test_grad_accumulates_over_two_backward_calls():
    x = _leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()  # 2x
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0, 6.0])
    (x * 5.0).sum().backward()  # + 5
    np.testing.assert_array_equal(x.grad.data, [7.0, 9.0, 11.0])
    assert x.grad.dtype == x.dtype and not x.grad.requires_grad
    x.grad = None
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [5.0, 5.0, 5.0])


def test_grad_is_not_an_alias_of_the_seed():
    x = _leaf([1.0, 2.0])
    seed = np.array([3.0, 4.0])
    x.backward(seed)  # a leaf's own backward: its gradient is the seed
    np.testing.assert_array_equal(x.grad.data, seed)
    x.grad.data[0] = -1.0
    assert seed[0] == 3.0


def test_only_leaves_get_grad():
    x = _leaf([1.0, 2.0])
    h = x * 2.0
    (h * h).sum().backward()
    assert h.grad is None
    np.testing.assert_array_equal(x.grad.data, 8.0 * x.data)  # d(4x^2)/dx


def test_detach_of_a_non_leaf():
    x = _leaf([1.0, 2.0])
    h = x * 3.0
    d = h.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    np.testing.assert_array_equal(d.data, [3.0, 6.0])
    (h * d).sum().backward()  # d is a constant: d/dx (3x * c) = 3c
    np.testing.assert_array_equal(x.grad.data, 3.0 * d.data)


def test_numpy_shares_the_array_and_item_gives_a_python_number():
    t = Tensor(np.array([[1.5, 2.0]]))
    arr = t.numpy()
    assert arr is t.data
    arr[0, 0] = 7.0
    assert t.data[0, 0] == 7.0
    one = Tensor(np.array([[2.5]]))
    assert one.item() == 2.5 and type(one.item()) is float
    assert type(Tensor([3]).item()) is int
    assert float(one) == 2.5 and int(Tensor(np.array(3.9))) == 3
    assert t.tolist() == [[7.0, 2.0]]
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        t.item()
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements"):
        float(t)


def test_iteration_without_grad_gives_plain_rows():
    a0 = np.arange(6.0).reshape(3, 2)
    rows = list(Tensor(a0))
    assert len(rows) == 3 and all(isinstance(r, Tensor) and r.grad_fn is None for r in rows)
    for r, expect in zip(rows, a0):
        np.testing.assert_array_equal(r.data, expect)


def test_iteration_with_grad_keeps_the_graph():
    x = _leaf(np.arange(6.0).reshape(3, 2))
    total = None
    for k, row in enumerate(x):
        assert row.requires_grad
        term = row.sum() * float(k + 1)
        total = term if total is None else total + term
    total.backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])


def test_zero_dim_tensors_have_no_len_and_are_not_iterable():
    s = Tensor(2.0)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(s)
    with pytest.raises(TypeError, match="0-d"):
        iter(s)


def test_bool_of_a_tensor():
    assert bool(Tensor(1.0)) and not bool(Tensor(0.0))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_repr_names_dtype_and_requires_grad():
    assert repr(Tensor(np.array([1.0, 2.0]))) == "Tensor([1., 2.], dtype=float64)"
    assert repr(_leaf([0.5], np.float32)) == "Tensor([0.5], dtype=float32, requires_grad=True)"


def test_tensors_hash_by_identity():
    a, b = Tensor(1.0), Tensor(1.0)
    assert len({a, b}) == 2 and {a: 1}[a] == 1


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
def test_bad_construction_input():
    with pytest.raises(ValueError, match="inhomogeneous"):
        Tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="'foo'"):
        Tensor([1.0], dtype="foo")
    with pytest.raises(ValueError, match="negative dimensions"):
        tg.zeros(-1)


def test_backward_errors():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        Tensor(np.ones(2)).sum().backward()
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(
        RuntimeError,
        match=r"Mismatch in shape: grad_output\[0\] has a shape of \(3,\) and output\[0\] has a shape of \(2,\)",
    ):
        (x * 2).backward(np.ones(3))


def test_operand_that_is_not_a_number_is_refused():
    x = Tensor(np.ones(2))
    with pytest.raises(TypeError):
        x + None
    with pytest.raises(TypeError):
        x * "a"
