"""remainder (a % b) as a core op, y = a mod b with b's sign, da = g, db = -g * floor(a / b), through
the core and the torch frontend (operators, torch.remainder, Tensor.remainder) against real torch.
The random-program fuzz (test_fuzz_oracle.py) also draws it, with inf/NaN and grad of grad.
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


def test_names_as_torch_and_wired_in_the_core():
    a = tg.Tensor(np.array([5.5, -2.0]), requires_grad=True)
    b = tg.Tensor(np.array([2.0, 3.0]), requires_grad=True)
    assert (a % b).grad_fn.name == "RemainderBackward1"  # a Tensor divisor, as torch names it
    assert (a % 2.0).grad_fn.name == ops.remainder(a, 2.0).grad_fn.name == "RemainderBackward0"
    np.testing.assert_array_equal((a % b).data, [1.5, 1.0])
    assert ops.Remainder.__doc__.startswith(
        "y = a mod b (the sign of b, as Python's %);  da = g,  db = -g * floor(a / b)"
    )


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2))])
def test_gradcheck_and_gradgradcheck_in_float64(shapes):
    rng = np.random.default_rng(2)
    a = tg.Tensor(rng.uniform(-5, 5, shapes[0]) + 0.123, requires_grad=True)  # off the jumps (a / b whole)
    b = tg.Tensor(rng.uniform(1.1, 2.9, shapes[1]) * rng.choice([-1, 1], shapes[1]), requires_grad=True)
    assert gradcheck(lambda x, y: ops.remainder(x, y), [a, b])
    assert gradgradcheck(lambda x, y: ops.remainder(x, y) * x, [a, b])


@DTYPES
@pytest.mark.parametrize("shapes", [[(2, 3), (2, 3)], [(2, 3), (3,)], [(4, 1), (1, 2)]])
def test_matches_torch(shapes, dtype):
    check(shapes, torch.remainder, ops.remainder, dtype=dtype, low=-4.0, high=4.0)


@DTYPES
def test_edge_values_match_torch_bit_for_bit(dtype):
    inf, nan = np.inf, np.nan
    a = np.array([-3.5, 2.0, 5.25, -0.0, 7.0, 6.0, inf, 1.0, -1.0, nan, 0.0], dtype)
    b = np.array([2.0, -1.5, 0.0, 3.0, -2.0, -3.0, 2.0, inf, inf, 1.0, -0.0], dtype)
    res = {}
    for lib in (torch, tt):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = x % y
        (out * lib.arange(1.0, 12.0, dtype=out.dtype)).sum().backward()
        res[lib.__name__] = [out.detach().numpy(), x.grad.numpy(), y.grad.numpy()]
    for ours, real in zip(res["tinygrad_rnn.torch"], res["torch"]):
        np.testing.assert_array_equal(ours, real)
        num = ~np.isnan(real)  # (a NaN's sign bit means nothing)
        np.testing.assert_array_equal(np.signbit(ours[num]), np.signbit(real[num]))  # -0.0 % 3.0 is -0.0


@pytest.mark.parametrize(
    "expr",
    [
        lambda m: m.tensor([5, -7, 3]) % 3,
        lambda m: m.tensor([5, -7, 3]) % -2,
        lambda m: m.tensor([5, -7, 3]) % 2.5,
        lambda m: 7 % m.tensor([5, -4, 3]),
        lambda m: 7.5 % m.tensor([2.0, -4.0]),
        lambda m: m.remainder(m.tensor([5, -7]), 4),
        lambda m: m.tensor([5.0, -7.0]).remainder(m.tensor([2, 3])),
        lambda m: m.tensor([5, -7], dtype=m.int32) % m.tensor([2, 3]),
        lambda m: m.tensor([True, False]) % 2,
    ],
)
def test_operators_values_and_dtypes_match_torch(expr):
    ours, real = expr(tt), expr(torch)
    assert str(ours.dtype) == str(real.dtype)
    np.testing.assert_array_equal(ours.numpy(), real.numpy())


def test_integer_remainder_by_zero_raises_as_torch():
    for lib in (torch, tt):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.tensor([5, 3]) % lib.tensor([1, 0])


@pytest.mark.parametrize(
    "vals",
    [
        (5.0, 2.0, 1.0, np.inf),
        (5.0, 2.0, np.inf, 1.0),
        (np.nan, 2.0, 1.0, 1.0),
        (5.0, np.nan, np.inf, np.inf),
    ],
)
def test_second_derivatives_send_torchs_zeros(vals):
    # floor(a / b) in db's rule has gradient zeros (torch's DivBackward2), not nothing: the zeros reach
    # the leaves, where an inf or NaN further back would turn them into NaN exactly as in torch
    a, b, go, v = vals
    res = {}
    for lib, grad_fn, T in ((torch, torch.autograd.grad, torch.tensor), (tg, tg.grad, tg.Tensor)):
        x, y, g = (T(np.array([val]), requires_grad=True) for val in (a, b, go))
        r = (ops.remainder if lib is tg else torch.remainder)(x * 1.0, y * 1.0)
        _, gy = grad_fn([r], [x, y], [g], create_graph=True)
        second = grad_fn([gy], [x, y, g], [T(np.array([v]))], allow_unused=True)
        res[lib.__name__] = [
            None if s is None else np.asarray(s.detach().numpy() if lib is torch else s.data) for s in second
        ]
    for ours, real in zip(res["tinygrad_rnn"], res["torch"]):
        assert (ours is None) == (real is None)
        if real is not None:
            np.testing.assert_array_equal(ours, real)
