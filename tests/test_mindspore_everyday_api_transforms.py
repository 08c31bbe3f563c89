"""Initializers, grad options (sens_param, return_ids / get_grad), vmap and jit against real MindSpore 2.10.0.

Same method as test_mindspore_everyday_api.py (whose `check` / `assert_same` this file uses): one body,
run on real MindSpore and on ours, outcomes compared. The seeded initializer values are compared
element for element: ours reproduce MindSpore's Philox draws and its use of numpy's global generator.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

import math  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import mindspore  # noqa: E402
import mindspore.common.initializer as real_init  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from test_mindspore_everyday_api import OURS, REAL, X, Y, assert_same, cases, check, outcome, t  # noqa: E402

import tinygrad_rnn.mindspore.common.initializer as our_init  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)


def init_module(ms: Any) -> Any:
    return real_init if ms is REAL else our_init


def seeded(body: Callable[[Any, Any], Any], seed: int = 3) -> Callable[[Any], Any]:
    """body(ms, initializer module) after ms.set_seed(seed), plus the next draw of numpy's global
    generator (so the numpy state each framework leaves behind is compared too)."""

    def run(ms: Any) -> Any:
        ms.set_seed(seed)
        out = body(ms, init_module(ms))
        return out, np.random.rand(3)

    return run


def arr(ms: Any, init: Any, shape: Any, dtype: Any = None) -> Any:
    I = init_module(ms)  # noqa: E741 - MindSpore's own spelling in tutorials
    return I.initializer(init, shape, ms.float32 if dtype is None else dtype).asnumpy()


# ---------------------------------------------------------------------------------------------
# initializers: seeded values, dtypes, shapes, errors
# ---------------------------------------------------------------------------------------------
INIT = {
    "normal by name": seeded(lambda ms, I: arr(ms, "normal", [2, 3])),
    "Normal(sigma, mean)": seeded(lambda ms, I: arr(ms, I.Normal(sigma=0.5, mean=1.0), (4, 5))),
    "Normal odd size": seeded(lambda ms, I: arr(ms, I.Normal(1.0), (7,))),
    "uniform by name": seeded(lambda ms, I: arr(ms, "uniform", (3, 3))),
    "Uniform(scale)": seeded(lambda ms, I: arr(ms, I.Uniform(scale=2.5), (2, 50))),
    "xavier_uniform": seeded(lambda ms, I: arr(ms, "xavier_uniform", (4, 6))),
    "XavierUniform(gain) float64": seeded(lambda ms, I: arr(ms, I.XavierUniform(gain=2), (2, 3), ms.float64)),
    "XavierNormal 3-d": seeded(lambda ms, I: arr(ms, I.XavierNormal(), (3, 2, 4))),
    "he_uniform": seeded(lambda ms, I: arr(ms, "he_uniform", (5, 4))),
    "HeUniform(sqrt(5)) (Dense's)": seeded(lambda ms, I: arr(ms, I.HeUniform(math.sqrt(5)), (8, 3))),
    "HeNormal fan_out relu float16": seeded(
        lambda ms, I: arr(ms, I.HeNormal(mode="fan_out", nonlinearity="relu"), (3, 2, 2), ms.float16)
    ),
    "HeUniform tanh": seeded(lambda ms, I: arr(ms, I.HeUniform(nonlinearity="tanh"), (6, 2))),
    "large (parallel filling)": seeded(lambda ms, I: arr(ms, I.Normal(0.2), (64, 33))),
    "two draws in a row": seeded(lambda ms, I: (arr(ms, "normal", (2,)), arr(ms, "uniform", (3,)))),
    "zeros": seeded(lambda ms, I: arr(ms, "zeros", (2, 3))),
    "ones int32": seeded(lambda ms, I: arr(ms, "ones", (2,), ms.int32)),
    "One()": seeded(lambda ms, I: arr(ms, I.One(), [1, 2, 3])),
    "Zero() float16": seeded(lambda ms, I: arr(ms, I.Zero(), 3, ms.float16)),
    "number": seeded(lambda ms, I: arr(ms, 2.5, (2,))),
    "Constant(3) int64": seeded(lambda ms, I: arr(ms, I.Constant(3), (2,), ms.int64)),
    "Tensor init": seeded(lambda ms, I: I.initializer(ms.Tensor(np.ones((2, 2), np.float32)), (2, 2))),
    "int shape": seeded(lambda ms, I: I.initializer("ones", 3).shape),
    "dtype and shape": seeded(
        lambda ms, I: (lambda x: (str(x.dtype), x.shape))(I.initializer("normal", [2, 3]))
    ),
    "Tensor init, other shape": seeded(
        lambda ms, I: I.initializer(ms.Tensor(np.ones((2, 2), np.float32)), (2, 3))
    ),
    "unknown name": seeded(lambda ms, I: I.initializer("foo", (2,))),
    "a list as init": seeded(lambda ms, I: I.initializer([1], (2,))),
    "zero in shape": seeded(lambda ms, I: I.initializer("ones", (2, 0))),
    "negative shape": seeded(lambda ms, I: I.initializer("ones", (2, -1))),
    "xavier of a vector": seeded(lambda ms, I: I.initializer(I.XavierUniform(), (3,))),
    "he of a vector": seeded(lambda ms, I: I.initializer(I.HeUniform(), (3,))),
    "HeUniform bad nonlinearity": seeded(
        lambda ms, I: I.initializer(I.HeUniform(nonlinearity="gelu"), (2, 2))
    ),
    "HeUniform bad mode": seeded(lambda ms, I: I.initializer(I.HeUniform(mode="fan_avg"), (2, 2))),
    "Initializer attributes": seeded(
        lambda ms, I: (
            I.HeUniform().negative_slope,
            I.HeUniform().mode,
            I.Normal(0.5).sigma,
            I.Uniform().scale,
        )
    ),
}


@cases(INIT)
def test_initializers_match_mindspore(body: Callable[[Any], Any]) -> None:
    check(body, rtol=1e-6, atol=1e-7)


def _parameter(ms: Any, I: Any) -> Any:
    w = ms.Parameter(I.initializer(I.Normal(0.3), [2, 3], ms.float32), name="w")
    z = ms.Parameter(I.initializer("zeros", [2]))
    return (
        repr(w),
        w.asnumpy(),
        w.name,
        type(w).__name__,
        w.requires_grad,
        z.asnumpy(),
        z.name.startswith("Parameter#"),
    )


def _set_data(ms: Any, I: Any) -> Any:
    p = ms.Parameter(ms.Tensor(np.zeros((2, 3), np.float32)), name="q")
    p.set_data(I.initializer("xavier_uniform", p.shape, p.dtype))
    return p


def _dense(ms: Any, I: Any) -> Any:
    d = ms.nn.Dense(3, 2)
    return d.weight, d.bias


def _dense_inits(ms: Any, I: Any) -> Any:
    a = ms.nn.Dense(2, 4, weight_init="xavier_normal", bias_init=0.5)
    b = ms.nn.Dense(3, 2, weight_init=I.One(), bias_init=I.Constant(0.25))
    c = ms.nn.Dense(3, 2, weight_init=I.initializer("ones", (2, 3)))
    return a.weight, a.bias, b.weight, b.bias, c.weight


def _dense_then_rnn(ms: Any, I: Any) -> Any:
    ms.nn.Dense(4, 3)
    I.initializer("normal", (5,))
    rnn = ms.nn.RNN(2, 3)
    return [p for p in rnn.trainable_params()]


MODULES = {
    "Parameter(initializer(...), name=...)": seeded(_parameter),
    "Parameter.set_data(initializer(...))": seeded(_set_data),
    "Dense default weights after set_seed": seeded(_dense, seed=11),
    "Dense weight_init / bias_init": seeded(_dense_inits),
    "RNN weights drawn after initializers": seeded(_dense_then_rnn, seed=5),
}


@cases(MODULES)
def test_initializers_in_parameters_and_cells_match_mindspore(body: Callable[[Any], Any]) -> None:
    check(body, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("sigma, mean, a, b", [(0.01, 0.0, -2.0, 2.0), (1.0, 0.5, -1.0, 1.5)])
def test_truncated_normal_has_mindspores_distribution(sigma: float, mean: float, a: float, b: float) -> None:
    """MindSpore samples it by inverse CDF on its Philox stream; ours by rejection on numpy: compared in
    distribution (bounds, mean, spread) and in what it leaves in numpy's global generator."""
    stats = []
    for ms in (REAL, OURS):
        ms.set_seed(2)
        I = init_module(ms)  # noqa: E741
        x = I.initializer(I.TruncatedNormal(sigma=sigma, mean=mean, a=a, b=b), (200, 100), ms.float32)
        v = x.asnumpy()
        assert str(x.dtype) == "Float32" and v.shape == (200, 100)
        assert v.min() >= a and v.max() <= b
        stats.append((v.mean(), v.std(), np.random.rand()))
    (m_r, s_r, n_r), (m_o, s_o, n_o) = stats
    assert abs(m_o - m_r) < 0.02 * max(sigma, 0.1) and abs(s_o / s_r - 1) < 0.02
    assert n_o == n_r


# ---------------------------------------------------------------------------------------------
# grad / value_and_grad / GradOperation with sens_param; return_ids and get_grad
# ---------------------------------------------------------------------------------------------
SENS = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)


def _prod2(u: Any, v: Any) -> Any:
    return u * v * 2


def _two_outputs(u: Any) -> Any:
    return u * 2, u * u


def _with_aux(u: Any) -> Any:
    return u * 3, u.sum()


def _square_sum(u: Any) -> Any:
    return (u * u).sum()


GRADS = {
    "GradOperation(sens_param)": lambda ms: ms.ops.GradOperation(sens_param=True)(_prod2)(
        t(ms), t(ms, Y), t(ms, SENS)
    ),
    "GradOperation(get_all, sens_param)": lambda ms: ms.ops.GradOperation(get_all=True, sens_param=True)(
        _prod2
    )(t(ms), t(ms, Y), t(ms, SENS)),
    "GradOperation sens for two outputs": lambda ms: ms.ops.GradOperation(sens_param=True)(_two_outputs)(
        t(ms), (t(ms, SENS), t(ms, SENS))
    ),
    "grad(sens_param)": lambda ms: ms.grad(_prod2, sens_param=True)(t(ms), t(ms, Y), t(ms, SENS)),
    "value_and_grad(positions, sens_param)": lambda ms: ms.value_and_grad(_prod2, (0, 1), sens_param=True)(
        t(ms), t(ms, Y), t(ms, SENS)
    ),
    "grad(has_aux, sens_param)": lambda ms: ms.grad(_with_aux, sens_param=True, has_aux=True)(
        t(ms), t(ms, SENS)
    ),
    "value_and_grad scalar sens": lambda ms: ms.value_and_grad(_square_sum, sens_param=True)(
        t(ms), ms.Tensor(np.float32(2.0))
    ),
}


@cases(GRADS)
def test_sens_param_matches_mindspore(body: Callable[[Any], Any]) -> None:
    check(body)


def _weighted(ms: Any) -> tuple[Any, Callable[[Any], Any]]:
    p = ms.Parameter(ms.Tensor(np.array([1.0, 2.0, 3.0], np.float32)), name="w")

    def g(u: Any) -> Any:
        return (u * p * p).sum()

    return p, g


def _get_grad(identifier: Callable[[Any, Any], Any], return_ids: bool = True) -> Callable[[Any], Any]:
    def body(ms: Any) -> Any:
        p, g = _weighted(ms)
        grads = ms.grad(g, grad_position=0, weights=[p], return_ids=return_ids)(t(ms))
        return ms.get_grad(grads, identifier(ms, p))

    return body


IDS = {
    "return_ids": lambda ms: (lambda p, g: ms.grad(g, 0, [p], return_ids=True)(t(ms)))(*_weighted(ms)),
    "return_ids positions": lambda ms: ms.grad(_prod2, grad_position=(0, 1), return_ids=True)(
        t(ms), t(ms, Y)
    ),
    "value_and_grad return_ids": lambda ms: (
        lambda p, g: ms.value_and_grad(g, grad_position=None, weights=p, return_ids=True)(t(ms))
    )(*_weighted(ms)),
    "get_grad position": _get_grad(lambda ms, p: 0),
    "get_grad Parameter": _get_grad(lambda ms, p: p),
    "get_grad by name refused": _get_grad(lambda ms, p: "w"),
    "get_grad float refused": _get_grad(lambda ms, p: 1.5),
    "get_grad missing position": _get_grad(lambda ms, p: 3),
    "get_grad among positions": lambda ms: ms.get_grad(
        ms.grad(_prod2, grad_position=(0, 1), return_ids=True)(t(ms), t(ms, Y)), 1
    ),
}


@cases(IDS)
def test_return_ids_and_get_grad_match_mindspore(body: Callable[[Any], Any]) -> None:
    check(body)


# ---------------------------------------------------------------------------------------------
# vmap and jit (module-level functions: real MindSpore parses their source)
# ---------------------------------------------------------------------------------------------
def _sum(u: Any) -> Any:
    return u.sum()


def _mul(u: Any, v: Any) -> Any:
    return u * v


def _double(u: Any) -> Any:
    return u * 2


def _sum_and_double(u: Any) -> Any:
    return u.sum(), u * 2


def _const(u: Any) -> Any:
    return 1.0


def _first_plus_second(pair: Any) -> Any:
    return pair[0] + pair[1]


def _identity(u: Any) -> Any:
    return u


def _matmul(u: Any, w: Any) -> Any:
    return u @ w


def _vmapped_sum(u: Any) -> Any:
    return OURS_OR_REAL(u).vmap(_double)(u).sum()


def OURS_OR_REAL(x: Any) -> Any:  # noqa: N802
    return OURS if isinstance(x, OURS.Tensor) else REAL


VMAP = {
    "sum per row": lambda ms: ms.vmap(_sum)(t(ms)),
    "two inputs": lambda ms: ms.vmap(_mul)(t(ms), t(ms, Y)),
    "in_axes=(1, 0)": lambda ms: ms.vmap(_mul, in_axes=(1, 0))(t(ms).T, t(ms, Y)),
    "in_axes=(0, None)": lambda ms: ms.vmap(_mul, in_axes=(0, None))(t(ms), t(ms, [1.0, 2.0, 3.0])),
    "a number not batched": lambda ms: ms.vmap(_mul, in_axes=(0, None))(t(ms), 3),
    "out_axes=1": lambda ms: ms.vmap(_double, out_axes=1)(t(ms)),
    "out_axes=-1": lambda ms: ms.vmap(_double, out_axes=-1)(t(ms)),
    "tuple output": lambda ms: ms.vmap(_sum_and_double)(t(ms)),
    "tuple out_axes": lambda ms: ms.vmap(_sum_and_double, out_axes=(0, 1))(t(ms)),
    "constant output": lambda ms: ms.vmap(_const)(t(ms)),
    "nested vmap": lambda ms: ms.vmap(ms.vmap(_double))(t(ms)),
    "vmap of grad": lambda ms: ms.vmap(ms.grad(_square_sum))(t(ms)),
    "grad of vmap": lambda ms: ms.grad(_vmapped_sum)(t(ms)),
    "list argument": lambda ms: ms.vmap(_first_plus_second, in_axes=([0, 0],))([t(ms), t(ms, Y)]),
    "matmul per row": lambda ms: ms.vmap(_matmul, in_axes=(0, None))(t(ms), t(ms, X.T)),
    "negative in_axes": lambda ms: ms.vmap(_identity, in_axes=-1)(t(ms)),
    "a Cell": lambda ms: ms.vmap(ms.nn.Tanh())(t(ms)),
    "sizes differ": lambda ms: ms.vmap(_mul, in_axes=(0, 1))(t(ms), t(ms, Y)),
    "axis out of range": lambda ms: ms.vmap(_identity, in_axes=2)(t(ms)),
    "in_axes too short": lambda ms: ms.vmap(_mul, in_axes=(0,))(t(ms), t(ms, Y)),
    "in_axes None": lambda ms: ms.vmap(_mul, in_axes=None)(t(ms), t(ms, Y)),
    "0-d input": lambda ms: ms.vmap(_identity)(ms.Tensor(np.float32(1))),
}


@cases(VMAP)
def test_vmap_matches_mindspore(body: Callable[[Any], Any]) -> None:
    check(body, rtol=1e-4, atol=1e-4)


def test_vmap_float_axis_is_a_runtime_error_as_in_mindspore() -> None:
    ours, real = (outcome(lambda ms: ms.vmap(_identity, in_axes=1.5)(t(ms)), m) for m in (OURS, REAL))
    assert_same(ours, real, message=False)  # MindSpore prints its abstract value; the start is the same
    assert ours[2].split(", but got")[0] == real[2].split(", but got")[0]


def _jit_plain(ms: Any) -> Any:
    @ms.jit
    def f(u: Any) -> Any:
        return u * 2 + 1

    return f(t(ms)), f.__name__


def _jit_called(ms: Any) -> Any:
    @ms.jit()
    def f(u: Any, v: Any) -> Any:
        return ms.ops.matmul(u, v.T)

    return f(t(ms), t(ms, Y))


def _jit_options(ms: Any) -> Any:
    @ms.jit(capture_mode="bytecode", jit_level="O1")
    def f(u: Any) -> Any:
        return (u * u).sum()

    return f(t(ms)), ms.grad(f)(t(ms))


JIT = {
    "@jit": _jit_plain,
    "@jit()": _jit_called,
    "@jit(capture_mode=..., jit_level=...) and grad": _jit_options,
    "jit(fn)": lambda ms: ms.jit(_square_sum)(t(ms)),
    "grad(jit(fn))": lambda ms: ms.grad(ms.jit(_square_sum))(t(ms)),
    "__wrapped__": lambda ms: ms.jit(_square_sum).__wrapped__ is _square_sum,
    "bad capture_mode": lambda ms: ms.jit(capture_mode="foo")(_square_sum)(t(ms)),
}


@cases(JIT)
def test_jit_matches_mindspore(body: Callable[[Any], Any]) -> None:
    check(body)


def test_our_jit_says_it_runs_eagerly() -> None:
    doc = OURS.jit.__doc__ or ""
    assert "eager" in doc and "same numbers" in doc
