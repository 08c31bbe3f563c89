"""sqrt, the op added by following docs/contributing.md's recipe: core op, both frontends, symbols.

y = sqrt(a), da = g / (2y). Checked with finite differences in float64 (gradcheck, gradgradcheck),
against real torch (forward, backward, double backward, edge values, the torch frontend).
test_new_op_sqrt_mindspore.py checks the MindSpore frontend against real MindSpore.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from _oracle import check

import tinygrad_rnn as tg
from tinygrad_rnn import ops
from tinygrad_rnn.gradcheck import gradcheck, gradgradcheck

DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
SHAPES = [(), (3,), (2, 3), (2, 1, 3)]


# ---------------------------------------------------------------------------------------------
# the core op
# ---------------------------------------------------------------------------------------------
def test_sqrt_is_one_core_node_wired_everywhere():
    x = tg.Tensor(np.array([0.25, 4.0]), requires_grad=True)
    y = ops.sqrt(x)
    assert isinstance(y.grad_fn, ops.Sqrt) and y.grad_fn.name == "SqrtBackward0"
    assert x.sqrt().grad_fn.name == "SqrtBackward0"  # the Tensor method, derived from the class
    assert ops.UNARY_MATH["sqrt"] is ops.Sqrt
    np.testing.assert_array_equal(y.data, [0.5, 2.0])
    np.testing.assert_array_equal(ops.NUMPY_F.sqrt(x.data), [0.5, 2.0])
    assert ops.TENSOR_F.sqrt(x).grad_fn.name == "SqrtBackward0"
    assert ops.Sqrt.__doc__.startswith("y = sqrt(a);  da = g / (2y)")


@pytest.mark.parametrize("shape", SHAPES)
def test_gradcheck_and_gradgradcheck_in_float64(shape):
    a = np.random.default_rng(0).uniform(0.3, 2.0, size=shape)
    x = tg.Tensor(a, requires_grad=True)
    assert gradcheck(lambda t: ops.sqrt(t), [x])
    assert gradgradcheck(lambda t: ops.sqrt(t), [x])
    assert gradcheck(lambda t: (t.sqrt() * t).sum(), [x])


def test_grad_of_grad_by_hand():
    x = tg.Tensor(np.float64(2.0), requires_grad=True)
    (dy,) = tg.grad(x.sqrt(), x, create_graph=True)
    assert math.isclose(dy.item(), 0.5 / math.sqrt(2.0))  # 1 / (2 sqrt(x))
    (d2y,) = tg.grad(dy, x)
    assert math.isclose(d2y.item(), -0.25 * 2.0**-1.5)  # -1 / (4 x^(3/2))


def test_sqrt_on_symbols():
    sympy = pytest.importorskip("sympy")
    import tinygrad_rnn.symbolic  # noqa: F401 - registers sympy's functions, sqrt among them

    s = sympy.Symbol("s", positive=True)
    x = tg.Tensor(np.asarray(s, dtype=object), requires_grad=True)
    y = x.sqrt()
    assert y.data.item() == sympy.sqrt(s)
    y.backward(np.asarray(1, dtype=object))
    assert sympy.simplify(x.grad.data.item() - sympy.diff(sympy.sqrt(s), s)) == 0


# ---------------------------------------------------------------------------------------------
# against real torch
# ---------------------------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize("shape", SHAPES)
def test_sqrt_matches_torch(shape, dtype):
    check([shape], torch.sqrt, ops.sqrt, dtype=dtype, low=0.2, high=3.0)
    check([shape], lambda x: x.sqrt() * x, dtype=dtype, low=0.2, high=3.0)


@DTYPES
def test_sqrt_edge_values_match_torch(dtype):
    a = np.array([0.0, -1.0, np.inf, 1e-30, 4.0, np.nan], dtype=dtype)
    g = np.array([1.0, 1.0, 1.0, 1.0, np.inf, 1.0], dtype=dtype)
    t = torch.tensor(a, requires_grad=True)
    x = tg.Tensor(a, requires_grad=True)
    yt = torch.sqrt(t)
    with np.errstate(invalid="ignore"):  # sqrt(-1) = NaN: numpy warns, torch does not
        y = ops.sqrt(x)
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    yt.backward(torch.tensor(g))
    y.backward(g)
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())  # inf at 0, NaN below 0, as torch


@DTYPES
def test_torch_frontend_sqrt_matches_torch(dtype):
    import tinygrad_rnn.torch as tt

    a = np.array([[0.5, 1.0, 4.0], [0.0, 2.0, 9.0]], dtype=dtype)
    res = {}
    for m in (torch, tt):
        x = m.tensor(a, requires_grad=True)
        y = m.sqrt(x) + x.sqrt() * 2
        (y * y).sum().backward()
        res[m.__name__] = (y.detach().numpy(), x.grad.numpy(), x.sqrt().grad_fn.name())
    (yo, go, no), (yt, gt, nt) = res["tinygrad_rnn.torch"], res["torch"]
    np.testing.assert_allclose(yo, yt, rtol=1e-6)
    np.testing.assert_allclose(go, gt, rtol=1e-6)
    assert no == nt == "SqrtBackward0"
    for dt in (np.int64, np.bool_):  # integer and bool inputs give float32, as torch
        ours, real = tt.tensor(np.array([1, 0], dt)).sqrt(), torch.tensor(np.array([1, 0], dt)).sqrt()
        assert str(ours.dtype) == str(real.dtype) == "torch.float32"
