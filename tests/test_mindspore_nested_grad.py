"""Higher-order gradients through MindSpore's transforms, with real MindSpore 2.10.0 as the oracle.

The same body runs on `mindspore` and on `tinygrad_rnn.mindspore`: grad of grad (of grad), with
``grad_position`` ints and tuples, ``weights`` of a Cell, ``return_ids``, ``has_aux``, and
``value_and_grad`` / ``GradOperation`` / ``vjp`` / ``jacrev`` nested inside one another. The expected
side is computed live by real MindSpore (float32, compared to 1e-5); nothing is copied from our output.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it to 10000; keep the default

REAL, OURS = mindspore, tms
TOL = dict(rtol=1e-5, atol=1e-5)


def assert_same(ours: Any, real: Any, where: str = "") -> None:
    """Same nesting, same tensor dtypes and shapes, values equal to 1e-5, other values equal."""
    if isinstance(real, REAL.Tensor):
        assert isinstance(ours, OURS.Tensor), f"{where}: {type(ours)} where MindSpore gives a Tensor"
        assert str(ours.dtype) == str(real.dtype), f"{where}: dtype {ours.dtype} != {real.dtype}"
        assert ours.shape == real.shape, f"{where}: shape {ours.shape} != {real.shape}"
        np.testing.assert_allclose(
            ours.asnumpy().astype(np.float64), real.asnumpy().astype(np.float64), err_msg=where, **TOL
        )
    elif isinstance(real, (tuple, list)):
        assert type(ours) is type(real) and len(ours) == len(real), f"{where}: {ours!r} vs {real!r}"
        for k, (a, b) in enumerate(zip(ours, real)):
            assert_same(a, b, f"{where}[{k}]")
    else:
        assert ours == real, f"{where}: {ours!r} != {real!r}"


def has_nonzero(out: Any) -> bool:
    """True when some tensor in `out` is not all zeros (a case that checks nothing is a defect)."""
    if isinstance(out, (tuple, list)):
        return any(has_nonzero(o) for o in out)
    return hasattr(out, "asnumpy") and bool(np.any(out.asnumpy() != 0))


class Net:
    """Builds the same small Cell in either framework: Dense(3, 2) with fixed weights, then tanh."""

    W = np.array([[0.3, -0.5, 0.2], [0.7, 0.1, -0.4]], np.float32)
    B = np.array([0.05, -0.1], np.float32)

    @staticmethod
    def make(ms: Any) -> Any:
        net = ms.nn.Dense(3, 2, weight_init=ms.Tensor(Net.W), bias_init=ms.Tensor(Net.B), activation="tanh")
        return net


def scalar_cases(ms: Any) -> dict[str, Callable[[], Any]]:
    """Nested transforms on functions of plain tensors (x, y, z)."""
    x = ms.Tensor(np.array([1.0, 2.0], np.float32))
    y = ms.Tensor(np.array([3.0, 4.0], np.float32))
    z = ms.Tensor(np.array([0.5, -1.5], np.float32))
    s = ms.Tensor(np.array([1.0, 10.0], np.float32))
    grad, vg = ms.grad, ms.value_and_grad
    GO = ms.ops.GradOperation

    def f(x, y):
        return (x * x * y).sum()

    def cube(x, y):
        return (x * x * x * y).sum()

    def smooth(x, y):
        return (ms.ops.tanh(x * y * 0.2) * x).sum()  # tanh far from saturation: float32 stays exact

    def three(x, y, z):
        return (x * y * y * z * z * z).sum()

    def aux(x, y):
        return (x * x * y).sum(), x * 2

    def sq_y(x, y):
        return x * x * y

    return {
        "grad-grad-0-0": lambda: grad(grad(f, 0), 0)(x, y),
        "grad-grad-0-1": lambda: grad(grad(f, 0), 1)(x, y),
        "grad-grad-tuple-tuple": lambda: grad(grad(f, (0, 1)), (0, 1))(x, y),
        "grad3-cube": lambda: grad(grad(grad(cube, 0), 0), 0)(x, y),
        "grad3-cube-mixed": lambda: grad(grad(grad(cube, 0), 1), 0)(x, y),
        "grad3-smooth": lambda: grad(grad(grad(smooth, 0), 0), (0, 1))(x, y),
        "grad3-zero-third": lambda: grad(grad(grad(f, 0), 0), 0)(x, y),
        "grad-grad-positions-1-2": lambda: grad(grad(three, (1, 2)), (1, 2))(x, y, z),
        "grad3-positions-1-2": lambda: grad(grad(grad(three, (1, 2)), (1, 2)), (0, 2))(x, y, z),
        "grad-grad-return-ids-inner": lambda: grad(grad(f, 0, return_ids=True), (0, 1))(x, y),
        "grad-grad-return-ids-both": lambda: grad(grad(f, (0, 1), return_ids=True), (0, 1), return_ids=True)(
            x, y
        ),
        "grad-of-value-and-grad": lambda: grad(vg(f, (0, 1)), (0, 1))(x, y),
        "value-and-grad-of-grad": lambda: vg(grad(f, 0), (0, 1))(x, y),
        "value-and-grad-of-value-and-grad": lambda: vg(vg(smooth, 0), 0)(x, y),
        "grad-of-grad-has-aux": lambda: grad(grad(aux, 0, has_aux=True), 0, has_aux=True)(x, y),
        "grad-of-grad-aux-inner-only": lambda: grad(lambda a, b: grad(aux, 0, has_aux=True)(a, b)[0], 0)(
            x, y
        ),
        "gradoperation-nested": lambda: GO()(GO()(smooth))(x, y),
        "gradoperation-all-nested": lambda: GO(get_all=True)(GO(get_all=True)(f))(x, y),
        "gradoperation-sens-nested": lambda: GO(get_all=True)(
            lambda a, b: GO(sens_param=True)(sq_y)(a, b, s)
        )(x, y),
        "grad-of-vjp": lambda: grad(lambda a, b: ms.vjp(sq_y, a, b)[1](s)[0].sum(), (0, 1))(x, y),
        "grad-of-jacrev": lambda: grad(lambda a, b: (ms.jacrev(sq_y, 0)(a, b) * s).sum(), (0, 1))(x, y),
        "jacrev-of-grad": lambda: ms.jacrev(grad(smooth, 0), (0, 1))(x, y),
    }


def weight_cases(ms: Any) -> dict[str, Callable[[], Any]]:
    """Nested transforms through the Parameters of a Cell (a Dense layer with a tanh)."""
    net = Net.make(ms)
    params = net.trainable_params()
    x = ms.Tensor(np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], np.float32))
    grad, vg = ms.grad, ms.value_and_grad

    def loss(x):
        return (net(x) * net(x)).sum()

    def inner_w(x):  # d loss / d weights, summed, as a function of x
        gw = grad(loss, None, params)(x)
        return (gw[0] * gw[0]).sum() + gw[1].sum()

    def inner_x(x):
        return (grad(loss, 0)(x) ** 2).sum()

    return {
        "grad-x-of-grad-weights": lambda: grad(inner_w, 0)(x),
        "grad-weights-of-grad-x": lambda: grad(inner_x, None, params)(x),
        "grad-weights-of-grad-weights": lambda: grad(inner_w, None, params)(x),
        "grad-both-of-grad-weights": lambda: grad(inner_w, 0, params)(x),
        "grad-weight-list-ids": lambda: grad(inner_x, 0, [params[0]], return_ids=True)(x),
        "value-and-grad-weights-of-grad-x": lambda: vg(inner_x, None, params)(x),
        "grad3-weights": lambda: grad(
            lambda a: grad(lambda b: grad(loss, 0)(b).sum(), None, params)(a)[1].sum(), 0
        )(x),
        "gradoperation-list-of-grad": lambda: ms.ops.GradOperation(get_by_list=True)(
            inner_x, ms.ParameterTuple(params)
        )(x),
    }


CASES = sorted(scalar_cases(OURS)) + sorted(weight_cases(OURS))


def run_case(ms: Any, name: str) -> Any:
    table = {**scalar_cases(ms), **weight_cases(ms)}
    return table[name]()


@pytest.mark.parametrize("name", CASES)
def test_nested_transform_matches_mindspore(name: str) -> None:
    real = run_case(REAL, name)
    ours = run_case(OURS, name)
    assert_same(ours, real, name)
    if name != "grad3-zero-third":  # that one is zero in truth; every other case must check real numbers
        assert has_nonzero(real), f"{name}: MindSpore's result is all zeros, the case checks nothing"


def test_the_issue_example_is_not_zero() -> None:
    """Issue 10's report: grad of grad gave [0, 0] where MindSpore gives [6, 8]."""
    x = REAL.Tensor(np.array([1.0, 2.0], np.float32))
    y = REAL.Tensor(np.array([3.0, 4.0], np.float32))
    real = REAL.grad(REAL.grad(lambda a, b: (a * a * b).sum(), 0), 0)(x, y)
    ours = OURS.grad(OURS.grad(lambda a, b: (a * a * b).sum(), 0), 0)(
        OURS.Tensor(np.array([1.0, 2.0], np.float32)), OURS.Tensor(np.array([3.0, 4.0], np.float32))
    )
    np.testing.assert_allclose(ours.asnumpy(), real.asnumpy(), **TOL)
    assert np.any(real.asnumpy() != 0)


def test_first_order_results_stay_detached() -> None:
    """Outside any transform the results carry no graph (MindSpore returns plain values)."""
    x = OURS.Tensor(np.array([1.0, 2.0], np.float32))
    value, g = OURS.value_and_grad(lambda a: (a * a).sum())(x)
    assert not value.requires_grad and not g.requires_grad
    real = REAL.value_and_grad(lambda a: (a * a).sum())(REAL.Tensor(np.array([1.0, 2.0], np.float32)))
    assert_same((value, g), real, "value_and_grad")
