"""abs as a core op (y = |a|, da = g * sign(a)), through the torch frontend, against real torch.

Before it was a core op the frontends composed it (torch: a * sign(a), MindSpore: max(a, -a)), which
gave |-0.0| = -0.0, a NaN gradient at NaN (torch gives 0) and a MulBackward0 grad_fn (torch:
AbsBackward0). test_op_abs_mindspore.py checks the MindSpore frontend against real MindSpore.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _oracle import check

import tinygrad_rnn as tg
import tinygrad_rnn.torch as tt
from tinygrad_rnn import ops
from tinygrad_rnn.gradcheck import gradcheck, gradgradcheck

DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
SHAPES = [(), (3,), (2, 3), (2, 1, 3)]
EDGES = [-0.0, 0.0, -2.0, 3.5, np.nan, np.inf, -np.inf, -1e-30]


def test_abs_is_one_core_node_wired_everywhere():
    x = tg.Tensor(np.array([-0.5, 2.0]), requires_grad=True)
    assert ops.abs(x).grad_fn.name == x.abs().grad_fn.name == "AbsBackward0"
    assert ops.UNARY_MATH["abs"] is ops.Abs
    assert ops.TENSOR_F.abs(x).grad_fn.name == "AbsBackward0"
    np.testing.assert_array_equal(ops.NUMPY_F.abs(x.data), [0.5, 2.0])
    assert ops.Abs.__doc__.startswith("y = |a|;  da = g * sign(a)")


@pytest.mark.parametrize("shape", SHAPES)
def test_gradcheck_and_gradgradcheck_in_float64(shape):
    rng = np.random.default_rng(1)
    a = rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)  # away from the kink
    x = tg.Tensor(a, requires_grad=True)
    assert gradcheck(lambda t: ops.abs(t), [x])
    assert gradgradcheck(lambda t: ops.abs(t) * t, [x])


def test_abs_on_symbols():
    sympy = pytest.importorskip("sympy")
    import tinygrad_rnn.symbolic  # noqa: F401 - registers sympy's functions, abs and sign among them

    s = sympy.Symbol("s", real=True)
    x = tg.Tensor(np.asarray(s, dtype=object), requires_grad=True)
    y = x.abs()
    assert y.data.item() == sympy.Abs(s)
    y.backward(np.asarray(1, dtype=object))
    assert x.grad.data.item() == sympy.sign(s)


@DTYPES
@pytest.mark.parametrize("shape", SHAPES)
def test_abs_matches_torch(shape, dtype):
    # torch's second derivative of abs alone is a ZeroTensor (no numpy view): checked through abs * x
    check([shape], torch.abs, ops.abs, dtype=dtype, double=False)
    check([shape], lambda x: x.abs() * x, dtype=dtype)


@DTYPES
def test_edge_values_match_torch_bit_for_bit(dtype):
    # signed zeros, NaN and infinities: value (sign of zero included), gradient, grad of grad
    a = np.array(EDGES, dtype=dtype)
    res = {}
    for m in (torch, tt):
        x = m.tensor(a, requires_grad=True)
        y = x.abs()
        (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = m.autograd.grad((g * x).sum(), x)
        res[m.__name__] = (y.detach().numpy(), g.detach().numpy(), gg.numpy(), y.grad_fn.name())
    for ours, real in zip(res["tinygrad_rnn.torch"], res["torch"]):
        if isinstance(real, str):
            assert ours == real == "AbsBackward0"
            continue
        np.testing.assert_array_equal(ours, real)
        np.testing.assert_array_equal(np.signbit(ours), np.signbit(real))  # |-0.0| is +0.0


@pytest.mark.parametrize("dt", ["int64", "int32", "int8", "float16"])
def test_other_dtypes_match_torch(dt):
    a = np.array([-3, 0, 2, -1]).astype(dt)
    ours, real = tt.tensor(a).abs(), torch.tensor(a).abs()
    assert str(ours.dtype) == str(real.dtype)
    np.testing.assert_array_equal(ours.numpy(), real.numpy())
