"""gradcheck / gradgradcheck (finite differences) on every primitive, and on deliberately wrong rules."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch

from tinygrad_rnn import Tensor, functional, ops
from tinygrad_rnn.gradcheck import GradcheckError, gradcheck, gradgradcheck

_MASK = np.array([[True, False, True], [False, True, True]])


def _t(shape, seed=0, low=-1.5, high=1.5):
    a = np.random.default_rng(seed).uniform(low, high, size=shape)
    return Tensor(a, requires_grad=True)


def _pos(shape, seed=0):
    return _t(shape, seed, 0.5, 2.0)


def _away_from_zero(shape, seed=0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.uniform(0.3, 1.5, size=shape) * rng.choice([-1, 1], size=shape), requires_grad=True)


# name -> (function, inputs); every input that requires grad is checked, in float64
PRIMITIVES = {
    "add": (lambda a, b: a + b, lambda: [_t((2, 3)), _t((3,), 1)]),
    "sub": (lambda a, b: a - b, lambda: [_t((2, 1)), _t((1, 3), 1)]),
    "mul": (lambda a, b: a * b, lambda: [_t((2, 3)), _t((2, 1), 1)]),
    "div": (lambda a, b: a / b, lambda: [_t((2, 3)), _pos((3,), 1)]),
    "neg": (lambda a: -a, lambda: [_t((2, 3))]),
    "pow_scalar": (lambda a: a**3, lambda: [_t((2, 3))]),
    "pow_frac": (lambda a: a**-1.5, lambda: [_pos((2, 3))]),
    "pow_tensor": (lambda a, b: a**b, lambda: [_pos((2, 3)), _t((3,), 1)]),
    "rpow": (lambda a: 2.0**a, lambda: [_t((2, 3))]),
    "matmul_2d": (lambda a, b: a @ b, lambda: [_t((2, 3)), _t((3, 2), 1)]),
    "matmul_1d": (lambda a, b: a @ b, lambda: [_t((3,)), _t((3,), 1)]),
    "matmul_vec_mat": (lambda a, b: a @ b, lambda: [_t((3,)), _t((3, 2), 1)]),
    "matmul_batched": (lambda a, b: a @ b, lambda: [_t((2, 1, 2, 3)), _t((2, 3, 2), 1)]),
    "matmul_vec_batched": (lambda a, b: a @ b, lambda: [_t((3,)), _t((2, 3, 2), 1)]),
    "exp": (lambda a: a.exp(), lambda: [_t((2, 3))]),
    "log": (lambda a: a.log(), lambda: [_pos((2, 3))]),
    "tanh": (lambda a: a.tanh(), lambda: [_t((2, 3))]),
    "sigmoid": (lambda a: a.sigmoid(), lambda: [_t((2, 3))]),
    "relu": (lambda a: a.relu(), lambda: [_away_from_zero((2, 3))]),
    "maximum": (ops.maximum, lambda: [_t((2, 3)), _t((3,), 1)]),
    "minimum": (ops.minimum, lambda: [_t((2, 3)), _t((2, 1), 1)]),
    "where": (lambda a, b: ops.where(_MASK, a, b), lambda: [_t((2, 3)), _t((3,), 1)]),
    "clip": (
        lambda a: a.clip(-0.5, 0.5),
        lambda: [Tensor(np.array([[-1.0, -0.3, 0.2], [0.7, 0.1, -0.8]]), requires_grad=True)],
    ),
    "sum": (lambda a: a.sum(1, keepdims=True), lambda: [_t((2, 3, 2))]),
    "sum_all": (lambda a: a.sum(), lambda: [_t((2, 3))]),
    "mean": (lambda a: a.mean((0, 2)), lambda: [_t((2, 3, 2))]),
    "max": (lambda a: a.max(1), lambda: [_t((2, 3, 2))]),
    "min": (lambda a: a.min(), lambda: [_t((2, 3))]),
    "reshape": (lambda a: a.reshape(3, -1), lambda: [_t((2, 3))]),
    "transpose": (lambda a: a.transpose(2, 0, 1), lambda: [_t((2, 3, 2))]),
    "swapaxes": (lambda a: a.swapaxes(0, 1), lambda: [_t((2, 3))]),
    "expand": (lambda a: a.expand(2, 2, 3), lambda: [_t((2, 1, 3))]),
    "getitem_basic": (lambda a: a[1:, None, ..., 0], lambda: [_t((3, 2, 2))]),
    "getitem_int_array": (lambda a: a[[0, 0, 1], 1:], lambda: [_t((2, 3))]),
    "getitem_bool": (lambda a: a[_MASK], lambda: [_t((2, 3))]),
    "stack": (lambda a, b: ops.stack([a, b], 1), lambda: [_t((2, 3)), _t((2, 3), 1)]),
    "concat": (lambda a, b: ops.concat([a, b], 1), lambda: [_t((2, 3)), _t((2, 1), 1)]),
    "split": (lambda a: a.split([1, 2], 1), lambda: [_t((2, 3))]),
    "unbind": (lambda a: a.unbind(1), lambda: [_t((2, 3))]),
    "cast": (lambda a: (a.astype(np.float32) * 2).astype(np.float64), lambda: [_t((2, 3))]),
    "softmax": (lambda a: functional.softmax(a, 1), lambda: [_t((2, 3))]),
    "log_softmax": (lambda a: functional.log_softmax(a, 0), lambda: [_t((2, 3))]),
    "mse_loss": (functional.mse_loss, lambda: [_t((2, 3)), _t((2, 3), 1)]),
    "cross_entropy": (lambda a: functional.cross_entropy(a, np.array([2, 0])), lambda: [_t((2, 3))]),
}


@pytest.mark.parametrize("name", list(PRIMITIVES))
def test_gradcheck_primitive(name):
    fn, make = PRIMITIVES[name]
    inputs = make()
    if name == "cast":  # float32 in the middle: finite differences in float32 precision
        assert gradcheck(fn, inputs, eps=1e-3, atol=1e-3, rtol=1e-3)
        return
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name", [n for n in PRIMITIVES if n != "cast"])
def test_gradgradcheck_primitive(name):
    fn, make = PRIMITIVES[name]
    assert gradgradcheck(fn, make())


def test_gradgradcheck_with_given_grad_outputs():
    x = _t((2, 3))
    go = Tensor(np.random.default_rng(5).standard_normal((2, 3)), requires_grad=True)
    assert gradgradcheck(lambda a: a.tanh() * a, [x], [go])


def test_gradcheck_agrees_with_torch_gradcheck_on_composite():
    a = np.random.default_rng(0).uniform(-1, 1, (2, 3))

    def f(x, lib):
        sm = functional.softmax(x, 1) if lib == "ours" else torch.softmax(x, 1)
        return (sm * x).sum(1) ** 2

    assert gradcheck(lambda x: f(x, "ours"), [Tensor(a.copy(), requires_grad=True)])
    assert torch.autograd.gradcheck(lambda x: f(x, "torch"), [torch.tensor(a, requires_grad=True)])


# ---------------------------------------------------------------------------------------------
# a deliberately wrong backward rule is caught, with a useful message
# ---------------------------------------------------------------------------------------------
class BadTanh(ops.Tanh):
    """tanh whose backward forgets the square: g * (1 - y) instead of g * (1 - y*y)."""

    def backward(self, F, g):
        y = self.output(F)
        return g * (1 - y)


class BadMul(ops.Mul):
    """a * b whose gradient for b is wrong (uses b instead of a); a's is right."""

    def backward(self, F, g):
        a, b = self.args(F)
        return g * b, g * b


class FirstOrderOnlyTanh(ops.Tanh):
    """Right first derivative, but the output is treated as a constant under create_graph."""

    def backward(self, F, g):
        y = F.const(F.data(self.output(F)), g)
        return g * (1 - y * y)


def _parse(msg):
    m = re.search(
        r"output (\d+) with respect to input (\d+),\s*worst element \(output element (\d+), "
        r"input element (\d+)\): numerical (\S+) vs analytical (\S+)",
        msg,
    )
    assert m, msg
    o, i, oe, ie = (int(m.group(k)) for k in range(1, 5))
    num, ana = (float(re.sub(r"np\.float64\((.*)\)", r"\1", m.group(k))) for k in (5, 6))
    return o, i, oe, ie, num, ana


def test_wrong_backward_is_caught_with_output_input_worst_element_and_values():
    x0 = np.array([[0.3, -1.2, 0.8], [1.5, -0.4, 0.05]])
    x = Tensor(x0.copy(), requires_grad=True)
    # the right rule passes, the wrong one fails
    assert gradcheck(lambda t: t.tanh(), [x])
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda t: BadTanh.apply(t), [x])
    assert isinstance(e.value, RuntimeError)  # like torch's GradcheckError
    o, i, oe, ie, num, ana = _parse(str(e.value))
    assert (o, i) == (0, 0)
    assert oe == ie  # elementwise: the worst entry is on the diagonal
    # the true derivative from torch, and the wrong rule's value, at every element
    xt = torch.tensor(x0, requires_grad=True)
    (true,) = torch.autograd.grad(xt.tanh().sum(), xt)
    true = true.numpy().reshape(-1)
    wrong = 1 - np.tanh(x0).reshape(-1)
    # the reported element is the worst one (gradcheck measures |a - n| - rtol * |n|)
    assert ie == int(np.argmax(np.abs(wrong - true) - 1e-3 * np.abs(true)))
    assert num == pytest.approx(true[ie], rel=1e-6)
    assert ana == pytest.approx(wrong[ie], rel=1e-12)


def test_wrong_backward_names_the_right_input():
    a, b = _t((2, 2)), _t((2, 2), 1)
    const = np.ones((2, 2))
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda x, c, y: BadMul.apply(x, y) + c, [a, const, b])
    o, i, *_ = _parse(str(e.value))
    assert (o, i) == (0, 2)  # input index counts the non-differentiable one too
    # and with only a's gradient checked (b a constant), the right half passes
    assert gradcheck(lambda x: BadMul.apply(x, b.detach()), [a])


def test_wrong_second_output_is_named():
    def f(x):
        return x * 2, BadTanh.apply(x)

    with pytest.raises(GradcheckError) as e:
        gradcheck(f, [_t((3,))])
    assert _parse(str(e.value))[:2] == (1, 0)


def test_raise_exception_false_returns_false():
    x = _t((2, 3))
    assert gradcheck(lambda t: BadTanh.apply(t), [x], raise_exception=False) is False
    assert gradcheck(lambda t: t.tanh(), [x], raise_exception=False) is True
    assert gradgradcheck(lambda t: FirstOrderOnlyTanh.apply(t), [x], raise_exception=False) is False


def test_gradgradcheck_catches_wrong_double_backward_that_gradcheck_misses():
    x = _t((2, 3))
    assert gradcheck(lambda t: FirstOrderOnlyTanh.apply(t), [x])
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda t: FirstOrderOnlyTanh.apply(t), [x])
    assert gradgradcheck(lambda t: t.tanh(), [x])


def test_float32_input_warns_like_torch():
    x = Tensor(np.random.default_rng(0).uniform(-1, 1, (3,)).astype(np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="will likely fail") as rec:
        gradcheck(lambda t: t * 2, [x], raise_exception=False)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.autograd.gradcheck(
            lambda t: t * 2, [torch.tensor(x.data, requires_grad=True)], raise_exception=False
        )
    ours = [str(w.message).strip() for w in rec if "will likely fail" in str(w.message)]
    expected = [str(w.message).strip() for w in theirs if "will likely fail" in str(w.message)]
    assert ours == expected and len(ours) == 1


def test_no_input_requiring_grad_raises_torchs_value_error():
    with pytest.raises(ValueError) as theirs:
        torch.autograd.gradcheck(lambda t: t * 2, [torch.zeros(2, dtype=torch.float64)])
    with pytest.raises(ValueError) as ours:
        gradcheck(lambda t: t * 2, [Tensor(np.zeros(2))])
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError):
        gradgradcheck(lambda t: t * 2, [Tensor(np.zeros(2))])


def test_gradcheck_restores_inputs():
    x = _t((2, 3))
    before = x.data.copy()
    gradcheck(lambda t: t.exp(), [x])
    np.testing.assert_array_equal(x.data, before)
