"""Real MindSpore 2.10.0 is the oracle: the same test body runs on `mindspore` and on `tinygrad_rnn.mindspore`.

Every comparison here computes the expected side live with real MindSpore (nothing is copied from our
own output); where a fact is written down it comes from shared/reference/anchor_behaviour.md. Real
MindSpore runs with `launch_blocking()` (synchronous pynative execution: ~20x faster on a busy CPU) and
GLOG_v=3 (no log lines).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

import ast  # noqa: E402
import importlib.util  # noqa: E402
import itertools  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
from typing import Any  # noqa: E402

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it to 10000; keep the default

REAL, OURS = mindspore, tms
BOTH = pytest.mark.parametrize("ms", [REAL, OURS], ids=["mindspore", "tinygrad_rnn"])
TOL = dict(rtol=1e-5, atol=1e-5)

I, H, T, B = 2, 3, 3, 3
LENGTHS = np.array([T, 1, 2], np.int32)  # the full length T, length 1 and one in between
KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def rnn_weights(
    rng: np.random.Generator, num_layers: int, bidirectional: bool, bias: bool, prefix: str = ""
) -> dict[str, np.ndarray]:
    """Random weights under MindSpore's names, grouped by kind (MindSpore's parameter order)."""
    D = 2 if bidirectional else 1
    out = {}
    for kind in KINDS if bias else KINDS[:2]:
        for k in range(num_layers):
            for d in range(D):
                shape = {
                    "weight_ih": (H, I if k == 0 else H * D),
                    "weight_hh": (H, H),
                    "bias_ih": (H,),
                    "bias_hh": (H,),
                }[kind]
                name = f"{prefix}{kind}_l{k}" + ("_reverse" if d else "")
                out[name] = rng.uniform(-0.6, 0.6, shape).astype(np.float32)
    return out


def as_parameters(ms: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The dict load_param_into_net takes: name -> Parameter."""
    return {n: ms.Parameter(ms.Tensor(a), name=n) for n, a in arrays.items()}


def raised(fn: Any) -> BaseException:
    """The exception fn raises (failing the test if it raises none)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - any exception is the object of the comparison
        return e
    raise AssertionError("no exception raised")


def first_line(e: BaseException) -> str:
    """The message without MindSpore's appended C++ stack section."""
    return str(e).split("\n")[0].strip()


# =============================================================================================
# nn.RNN over the whole grid: outputs, h_n and value_and_grad gradients
# =============================================================================================
GRID = list(
    itertools.product(
        ("tanh", "relu"),  # nonlinearity
        (True, False),  # has_bias
        (False, True),  # batch_first
        (False, True),  # bidirectional
        (1, 2, 3),  # num_layers
        (True, False),  # hx given
        (False, True),  # seq_length given
    )
)


def grid_id(cfg: tuple) -> str:
    nl, bias, bf, bi, L, hx, sl = cfg
    return "-".join(
        [nl, "bias" if bias else "nobias", "bf" if bf else "tf", "bi" if bi else "uni", f"L{L}"]
        + ["hx" if hx else "nohx", "len" if sl else "nolen"]
    )


def grid_data(cfg: tuple) -> dict[str, Any]:
    nl, bias, bf, bi, L, _, _ = cfg
    rng = np.random.default_rng(GRID.index(cfg))
    D = 2 if bi else 1
    xs = (B, T, I) if bf else (T, B, I)
    return {
        "weights": rnn_weights(rng, L, bi, bias),
        "x": rng.standard_normal(xs).astype(np.float32),
        "hx": rng.standard_normal((L * D, B, H)).astype(np.float32),
        # random cotangents, so every output element is checked through the gradients
        "go": rng.standard_normal(xs[:2] + (D * H,)).astype(np.float32),
        "gh": rng.standard_normal((L * D, B, H)).astype(np.float32),
    }


def rnn_case(ms: Any, cfg: tuple, data: dict[str, Any]) -> dict[str, Any]:
    """THE body: identical code for real MindSpore and for tinygrad_rnn.mindspore."""
    nl, bias, bf, bi, L, with_hx, with_len = cfg
    net = ms.nn.RNN(I, H, L, has_bias=bias, batch_first=bf, bidirectional=bi, nonlinearity=nl)
    not_loaded = ms.load_param_into_net(net, as_parameters(ms, data["weights"]))
    x = ms.Tensor(data["x"])
    hx = ms.Tensor(data["hx"]) if with_hx else None
    seq = ms.Tensor(LENGTHS) if with_len else None
    go, gh = ms.Tensor(data["go"]), ms.Tensor(data["gh"])

    def forward(x, hx=None):
        out, h_n = net(x, hx, seq)
        return (out * go).sum() + (h_n * gh).sum(), out, h_n

    weights = net.trainable_params()
    if with_hx:
        (_, out, h_n), ((dx, dhx), dws) = ms.value_and_grad(forward, (0, 1), weights, has_aux=True)(x, hx)
    else:
        (_, out, h_n), (dx, dws) = ms.value_and_grad(forward, 0, weights, has_aux=True)(x)
        dhx = None
    return {
        "names": [p.name for p in weights],
        "not_loaded": not_loaded,
        "dtypes": (str(out.dtype), str(h_n.dtype)),
        "out": out.asnumpy(),
        "h_n": h_n.asnumpy(),
        "dx": dx.asnumpy(),
        "dhx": None if dhx is None else dhx.asnumpy(),
        "dw": [g.asnumpy() for g in dws],
    }


@pytest.mark.parametrize("cfg", GRID, ids=[grid_id(c) for c in GRID])
def test_rnn_grid_matches_mindspore(cfg):
    data = grid_data(cfg)
    real, ours = rnn_case(REAL, cfg, data), rnn_case(OURS, cfg, data)
    assert ours["names"] == real["names"] == list(data["weights"])  # MindSpore's grouped-by-kind order
    assert ours["not_loaded"] == real["not_loaded"] == ([], [])
    assert ours["dtypes"] == real["dtypes"] == ("Float32", "Float32")
    for key in ("out", "h_n", "dx", "dhx"):
        if real[key] is None:
            assert ours[key] is None
            continue
        assert ours[key].shape == real[key].shape, key
        np.testing.assert_allclose(ours[key], real[key], err_msg=key, **TOL)
    assert len(ours["dw"]) == len(real["dw"])
    for name, a, b in zip(real["names"], ours["dw"], real["dw"]):
        np.testing.assert_allclose(a, b, err_msg=f"d/d{name}", **TOL)


def one_step_case(ms: Any, bidirectional: bool, nonlinearity: str) -> list[Any]:
    """T=1, hx None: value_and_grad w.r.t. every trainable parameter (the weight_hh_* see a zero state)."""
    rng = np.random.default_rng(11)
    net = ms.nn.RNN(I, H, 2, bidirectional=bidirectional, nonlinearity=nonlinearity)
    ms.load_param_into_net(net, as_parameters(ms, rnn_weights(rng, 2, bidirectional, True)))
    x = ms.Tensor(rng.standard_normal((1, B, I)).astype(np.float32))

    def forward(x):
        out, h_n = net(x)
        return out.sum() + (h_n * h_n).sum()

    _, grads = ms.value_and_grad(forward, None, net.trainable_params())(x)
    return [(p.name, g) for p, g in zip(net.trainable_params(), grads)]


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_one_step_without_hx_gives_every_gradient(bidirectional, nonlinearity):
    """Issue 10: with T=1 and no hx, MindSpore still returns a (zeros) gradient for every weight_hh."""
    real = one_step_case(REAL, bidirectional, nonlinearity)
    ours = one_step_case(OURS, bidirectional, nonlinearity)
    assert [n for n, _ in ours] == [n for n, _ in real]
    for (name, a), (_, b) in zip(ours, real):
        assert isinstance(a, OURS.Tensor), f"d/d{name} is {a!r}, MindSpore gives a Tensor"
        assert a.shape == b.shape and str(a.dtype) == str(b.dtype), name
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), err_msg=f"d/d{name}", **TOL)
    zero = [n for n, g in real if not np.any(g.asnumpy())]
    assert zero and all(n.startswith("weight_hh") for n in zero)  # the case really has the zero gradients


# ---------------------------------------------------------------------------------------------
# seq_length edge cases and dtypes
# ---------------------------------------------------------------------------------------------
def edge_case(ms: Any, lengths: np.ndarray, bidirectional: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    net = ms.nn.RNN(I, H, 2, bidirectional=bidirectional)
    ms.load_param_into_net(net, as_parameters(ms, rnn_weights(rng, 2, bidirectional, True)))
    D = 2 if bidirectional else 1
    x = ms.Tensor(rng.standard_normal((T, 3, I)).astype(np.float32))
    hx = ms.Tensor(rng.standard_normal((2 * D, 3, H)).astype(np.float32))
    out, h_n = net(x, hx, ms.Tensor(lengths))
    return out.asnumpy(), h_n.asnumpy(), hx.asnumpy()


@pytest.mark.parametrize(
    "lengths,bidirectional",
    [
        (np.array([0, 2, 1], np.int32), False),
        (np.array([0, 2, 1], np.int64), True),
        (np.array([5, 2, 9], np.int32), False),  # past T: MindSpore runs all T steps (anchor)
        (np.array([-1, 2, 3], np.int32), False),  # below 0: no step at all
    ],
    ids=["zero-uni", "zero-bi", "past-T-uni", "negative-uni"],
)
def test_seq_length_edges_match_mindspore(lengths, bidirectional):
    real, ours = edge_case(REAL, lengths, bidirectional), edge_case(OURS, lengths, bidirectional)
    for a, b, what in zip(ours, real, ("output", "h_n", "hx")):
        np.testing.assert_allclose(a, b, err_msg=what, **TOL)
    out, h_n, hx = ours
    for b_, n in enumerate(lengths):
        if n <= 0:  # anchor: length 0 gives zero output and h_n = hx
            assert not out[:, b_].any()
            np.testing.assert_array_equal(h_n[:, b_], hx[:, b_])


def test_seq_length_past_T_bidirectional_is_rejected_like_mindspore():
    real = raised(lambda: edge_case(REAL, np.array([9, 2, 1], np.int32), True))
    ours = raised(lambda: edge_case(OURS, np.array([9, 2, 1], np.int32), True))
    assert type(ours) is type(real) is RuntimeError
    assert "seq_lengths[0]: 9" in first_line(real)
    assert "seq_length[0] = 9" in str(ours)


def dtype_case(ms: Any, model_dtype: Any, x_dtype: Any) -> tuple[str, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    net = ms.nn.RNN(I, H, 2, dtype=getattr(ms, model_dtype))
    arrays = {k: v.astype(model_dtype) for k, v in rnn_weights(rng, 2, False, True).items()}
    ms.load_param_into_net(net, as_parameters(ms, arrays))
    out, h_n = net(ms.Tensor(rng.standard_normal((T, B, I)).astype(x_dtype)))
    return str(out.dtype), out.asnumpy(), h_n.asnumpy()


@pytest.mark.parametrize(
    "model_dtype,x_dtype", [("float16", "float32"), ("float32", "float64"), ("float64", "float32")]
)
def test_weights_are_cast_to_x_dtype_like_mindspore(model_dtype, x_dtype):
    real, ours = dtype_case(REAL, model_dtype, x_dtype), dtype_case(OURS, model_dtype, x_dtype)
    assert ours[0] == real[0] == {"float32": "Float32", "float64": "Float64"}[x_dtype]
    np.testing.assert_allclose(ours[1], real[1], **TOL)
    np.testing.assert_allclose(ours[2], real[2], **TOL)


# =============================================================================================
# error parity: constructor and input checks
# =============================================================================================
def _strip_qualname(msg: str) -> str:
    """'_RNNBase.__init__() got ...' and 'RNN.__init__() got ...' state the same fact."""
    return re.sub(r"^[\w.]+\(\) ", "", msg)


CTOR_CASES = {
    "input_size-0": ((0, 4), {}),
    "hidden_size-0": ((3, 0), {}),
    "num_layers-0": ((3, 4, 0), {}),
    "input_size-negative": ((-1, 4), {}),
    "input_size-float": ((3.0, 4), {}),
    "input_size-bool": ((True, 4), {}),
    "input_size-str": (("3", 4), {}),
    "both-sizes-0": ((0, 0), {}),  # MindSpore checks hidden_size first
    "nonlinearity-sigmoid": ((3, 4), {"nonlinearity": "sigmoid"}),
    "nonlinearity-int": ((3, 4), {"nonlinearity": 5}),
    "nonlinearity-positional": ((3, 4, 1, "relu"), {}),
    "bias-keyword": ((3, 4), {"bias": False}),
    "dropout-1.0": ((3, 4), {"dropout": 1.0}),
    "dropout-negative": ((3, 4), {"dropout": -0.5}),
    "dropout-int": ((3, 4), {"dropout": 0}),
    "dropout-bool": ((3, 4), {"dropout": True}),
    "dropout-inf": ((3, 4), {"dropout": float("inf")}),
    "has_bias-int": ((3, 4), {"has_bias": 1}),
    "batch_first-int": ((3, 4), {"batch_first": 1}),
    "bidirectional-int": ((3, 4), {"bidirectional": 1}),
}


@pytest.mark.parametrize("case", list(CTOR_CASES))
def test_constructor_errors_match_mindspore(case):
    args, kwargs = CTOR_CASES[case]
    real = raised(lambda: REAL.nn.RNN(*args, **kwargs))
    ours = raised(lambda: OURS.nn.RNN(*args, **kwargs))
    assert type(ours) is type(real)
    assert _strip_qualname(first_line(ours)) == _strip_qualname(first_line(real))


@BOTH
def test_constructor_accepts_what_mindspore_accepts(ms):
    for kwargs in (
        {"dropout": 0.5, "num_layers": 2},
        {"dtype": ms.float16},
        {"dtype": ms.float64},
        {"dropout": 0.0},
    ):
        net = ms.nn.RNN(3, 4, **kwargs)
        assert len(net.trainable_params()) == 4 * kwargs.get("num_layers", 1)


def test_dropout_warning_like_mindspore(monkeypatch, capsys):
    monkeypatch.delenv("GLOG_v", raising=False)
    OURS.nn.RNN(3, 4, dropout=0.5)
    err = capsys.readouterr().err
    # anchor: MindSpore logs this line (a log line, not a Python warning)
    assert err.startswith("[WARNING] ME(")
    assert (
        "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers "
        "greater than 1, but got dropout=0.5 and num_layers=1"
    ) in err


def _x(ms: Any, shape: tuple[int, ...] = (5, 2, 3), dtype: Any = np.float32) -> Any:
    return ms.Tensor(np.ones(shape, dtype))


def _h(ms: Any, shape: tuple[int, ...] = (1, 2, 4), dtype: Any = np.float32) -> Any:
    return ms.Tensor(np.zeros(shape, dtype))


# MindSpore's own checks: same type and the same message
INPUT_CASES_EXACT = {
    "x-numpy": lambda ms, r: r(np.ones((5, 2, 3), np.float32)),
    "hx-numpy": lambda ms, r: r(_x(ms), np.zeros((1, 2, 4), np.float32)),
    "hx-float64": lambda ms, r: r(_x(ms), _h(ms, dtype=np.float64)),
    "x-float64-with-hx": lambda ms, r: r(_x(ms, dtype=np.float64), _h(ms)),
    "x-float16-hx-float32": lambda ms, r: r(_x(ms, dtype=np.float16), _h(ms)),
    "x-float32-hx-float16": lambda ms, r: r(_x(ms), _h(ms, dtype=np.float16)),
    "seq_length-float": lambda ms, r: r(_x(ms), _h(ms), ms.Tensor(np.array([1.0, 2.0], np.float32))),
    "seq_length-numpy": lambda ms, r: r(_x(ms), _h(ms), np.array([1, 2], np.int32)),
    "seq_length-size": lambda ms, r: r(_x(ms), _h(ms), ms.Tensor(np.array([1, 2, 3], np.int32))),
    "seq_length-2d": lambda ms, r: r(_x(ms), _h(ms), ms.Tensor(np.array([[1, 2]], np.int32))),
    "keyword-input": lambda ms, r: r(input=_x(ms)),
    "keyword-h_0": lambda ms, r: r(_x(ms), h_0=_h(ms)),
}


@pytest.mark.parametrize("case", list(INPUT_CASES_EXACT))
def test_input_errors_match_mindspore(case):
    fn = INPUT_CASES_EXACT[case]
    real = raised(lambda: fn(REAL, REAL.nn.RNN(3, 4)))
    ours = raised(lambda: fn(OURS, OURS.nn.RNN(3, 4)))
    assert type(ours) is type(real)
    assert _strip_qualname(first_line(ours)) == _strip_qualname(first_line(real))


# Where MindSpore fails deep inside an op (MatMul, AddExt, Transpose, Tanh, Stack, ReverseSequence):
# the same exception type, and our message names the argument at fault (docs/mindspore_frontend.md)
INPUT_CASES_DEEP = {
    "hx-batch": ("hx", {}, lambda ms, r: r(_x(ms), _h(ms, (1, 3, 4)))),
    "hx-too-small": ("hx", {}, lambda ms, r: r(_x(ms), _h(ms, (1, 1, 4)))),
    "hx-2d": ("hx", {}, lambda ms, r: r(_x(ms), _h(ms, (2, 4)))),
    "hx-layers": ("hx", {}, lambda ms, r: r(_x(ms), _h(ms, (2, 2, 4)))),
    "x-2d": ("x", {}, lambda ms, r: r(_x(ms, (5, 3)))),
    "x-2d-batch_first": ("x", {"batch_first": True}, lambda ms, r: r(_x(ms, (5, 3)))),
    "x-4d": ("x", {}, lambda ms, r: r(_x(ms, (5, 2, 3, 1)))),
    "x-features": ("x", {}, lambda ms, r: r(_x(ms, (5, 2, 7)))),
    "x-int": ("x", {}, lambda ms, r: r(_x(ms, dtype=np.int32))),
    "x-empty": ("x", {}, lambda ms, r: r(_x(ms, (0, 2, 3)))),
}


@pytest.mark.parametrize("case", list(INPUT_CASES_DEEP))
def test_deep_input_errors_name_the_argument(case):
    arg, kwargs, fn = INPUT_CASES_DEEP[case]
    real = raised(lambda: fn(REAL, REAL.nn.RNN(3, 4, **kwargs)))
    ours = raised(lambda: fn(OURS, OURS.nn.RNN(3, 4, **kwargs)))
    assert type(ours) is type(real)
    assert f"'{arg}'" in str(ours) and "For 'RNN'" in str(ours)


RNNCELL_CASES = {
    "nonlinearity-sigmoid": ((3, 4), {"nonlinearity": "sigmoid"}),
    "nonlinearity-int": ((3, 4), {"nonlinearity": 3}),
    "input_size-0": ((0, 4), {}),
    "input_size-float": ((3.0, 4), {}),
    "has_bias-int": ((3, 4), {"has_bias": 1}),
}


@pytest.mark.parametrize("case", list(RNNCELL_CASES))
def test_rnncell_constructor_errors_match_mindspore(case):
    args, kwargs = RNNCELL_CASES[case]
    real = raised(lambda: REAL.nn.RNNCell(*args, **kwargs))
    ours = raised(lambda: OURS.nn.RNNCell(*args, **kwargs))
    assert type(ours) is type(real)
    assert first_line(ours) == first_line(real)


@pytest.mark.parametrize("case", ["no-hx", "hx-float64", "x-float64", "x-numpy"])
def test_rnncell_input_errors_match_mindspore(case):
    def call(ms):
        cell = ms.nn.RNNCell(3, 4)
        x, h = _x(ms, (2, 3)), _h(ms, (2, 4))
        if case == "no-hx":
            return cell(x)
        if case == "hx-float64":
            return cell(x, _h(ms, (2, 4), np.float64))
        if case == "x-float64":
            return cell(_x(ms, (2, 3), np.float64), h)
        return cell(np.ones((2, 3), np.float32), h)

    real, ours = raised(lambda: call(REAL)), raised(lambda: call(OURS))
    assert type(ours) is type(real)
    assert _strip_qualname(first_line(ours)) == _strip_qualname(first_line(real))


def rnncell_case(ms: Any) -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    cell = ms.nn.RNNCell(I, H, nonlinearity="relu")
    names = [p.name for p in cell.trainable_params()]
    shapes = {"weight_ih": (H, I), "weight_hh": (H, H), "bias_ih": (H,), "bias_hh": (H,)}
    ms.load_param_into_net(
        cell, as_parameters(ms, {n: rng.uniform(-1, 1, shapes[n]).astype(np.float32) for n in names})
    )
    x = ms.Tensor(rng.standard_normal((B, I)).astype(np.float32))
    h = ms.Tensor(rng.standard_normal((B, H)).astype(np.float32))
    out, (dx, dh) = ms.value_and_grad(lambda x, h: cell(x, h).sum(), (0, 1))(x, h)
    return [np.array(names), out.asnumpy(), dx.asnumpy(), dh.asnumpy()]


def test_rnncell_matches_mindspore():
    for a, b in zip(rnncell_case(OURS), rnncell_case(REAL)):
        if a.dtype.kind == "U":
            assert a.tolist() == b.tolist()
        else:
            np.testing.assert_allclose(a, b, **TOL)


def layers_case(ms: Any) -> dict[str, Any]:
    """Dense (3-D input, activation), Dropout in eval, the losses: values and input gradients."""
    rng = np.random.default_rng(12)
    dense = ms.nn.Dense(4, 3, activation="tanh")
    ms.load_param_into_net(
        dense,
        as_parameters(
            ms,
            {
                "weight": rng.uniform(-1, 1, (3, 4)).astype(np.float32),
                "bias": rng.uniform(-1, 1, 3).astype(np.float32),
            },
        ),
    )
    x = ms.Tensor(rng.standard_normal((2, 5, 4)).astype(np.float32))
    logits = ms.Tensor(rng.standard_normal((4, 3)).astype(np.float32))
    labels = ms.Tensor(np.array([0, 2, 1, 2], np.int32))
    onehot = ms.Tensor(np.eye(3, dtype=np.float32)[[0, 2, 1, 2]])
    target = ms.Tensor(rng.standard_normal((4, 3)).astype(np.float32))
    losses = {
        "mse": ms.nn.MSELoss(),
        "mse-sum": ms.nn.MSELoss(reduction="sum"),
        "l1": ms.nn.L1Loss(),
        "sce-dense": ms.nn.SoftmaxCrossEntropyWithLogits(),
        "sce-sparse-mean": ms.nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"),
    }
    targets = {"mse": target, "mse-sum": target, "l1": target, "sce-dense": onehot, "sce-sparse-mean": labels}
    out = {"dense": ms.value_and_grad(lambda x: dense(x).sum())(x), "dropout-eval": ms.nn.Dropout(p=0.5)(x)}
    for name, loss in losses.items():
        out[name] = ms.value_and_grad(lambda z, loss=loss, t=targets[name]: loss(z, t).sum())(logits)
    return out


def test_layers_and_losses_match_mindspore():
    real, ours = layers_case(REAL), layers_case(OURS)
    for k in real:
        assert_same(ours[k], real[k], k)


# =============================================================================================
# the seed's Code Example 1 (MindSpore half)
# =============================================================================================
SEED_MINDSPORE_HALF = """\
import mindspore
from mindspore import Tensor
import mindspore.nn as nn
import numpy as np

rnn = nn.RNN(2, 3, 4, nonlinearity="relu", has_bias=False)
x = Tensor(np.array([[[3.0, 4.0]]]).astype(np.float32))
h_0 = Tensor(np.array([[[1.0, 2.0, 3]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]]]).astype(np.float32))
output, hx_n = rnn(x, h_0)
print(output)
print(hx_n)
"""
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "mindspore_seed_example.py")


def _statements(src: str) -> list[str]:
    """The program's statements other than imports and the module docstring (formatting-independent)."""
    body = ast.parse(src).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return [ast.dump(st) for st in body if not isinstance(st, (ast.Import, ast.ImportFrom))]


def _run_source(src: str, capsys: Any, seed: int) -> tuple[str, dict[str, Any]]:
    np.random.seed(seed)
    ns: dict[str, Any] = {"__name__": "__seed__"}
    exec(compile(src, "<seed>", "exec"), ns)
    return capsys.readouterr().out, ns


def _load_seed_example() -> Any:
    spec = importlib.util.spec_from_file_location("_mindspore_seed_example", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seed_example_differs_from_the_page_only_in_imports():
    ex = _load_seed_example()
    # the example's copy of the page's code is the page's code (this file's own copy above)...
    assert _statements(ex.SEED_SOURCE) == _statements(SEED_MINDSPORE_HALF)
    # ...and the tinygrad version differs from it only in import lines, all of them ours
    a, b = ex.SEED_SOURCE.splitlines(), ex.swap_imports(ex.SEED_SOURCE).splitlines()
    changed = [(x, y) for x, y in zip(a, b) if x != y]
    assert len(a) == len(b) and len(changed) == 3
    assert all(x.startswith(("import ", "from ")) and "tinygrad_rnn.mindspore" in y for x, y in changed)


def test_seed_example_command_line_runs_both_backends():
    for backend in ("tinygrad", "mindspore"):
        r = subprocess.run(
            [sys.executable, EXAMPLE, "--backend", backend], capture_output=True, text=True, check=True
        )
        # two tensors printed as MindSpore prints them: (1, 1, 3) and (4, 1, 3), no other text
        assert r.stdout.count("[[[") == 2 and r.stdout.count("]]\n\n [[") == 3, (backend, r.stdout)


def _printed_numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"-?\d+\.?\d*(?:e[+-]\d+)?", text)])


def test_seed_example_prints_what_real_mindspore_prints_for_the_same_weights(capsys):
    ex = _load_seed_example()
    example = ex.swap_imports(ex.SEED_SOURCE)
    # 1) both draw their initial weights from numpy's global generator in the same order: same seed,
    #    same weights, the same printout (numbers equal to float32 rounding: the last printed digit of
    #    a float32 may differ where the two sum a matmul in a different order)
    real_text, real_ns = _run_source(SEED_MINDSPORE_HALF, capsys, seed=1234)
    ours_text, ours_ns = _run_source(example, capsys, seed=1234)
    assert ours_text.count("\n") == real_text.count("\n") and ours_text.count("[") == real_text.count("[")
    np.testing.assert_allclose(_printed_numbers(ours_text), _printed_numbers(real_text), **TOL)
    # 2) explicitly: real MindSpore's weights loaded into ours through load_param_into_net
    _, ours_ns = _run_source(example, capsys, seed=99)
    real_params = {p.name: p.asnumpy() for p in real_ns["rnn"].trainable_params()}
    assert tms.load_param_into_net(ours_ns["rnn"], as_parameters(tms, real_params)) == ([], [])
    out, h_n = ours_ns["rnn"](ours_ns["x"], ours_ns["h_0"])
    np.testing.assert_allclose(out.asnumpy(), real_ns["output"].asnumpy(), **TOL)
    np.testing.assert_allclose(h_n.asnumpy(), real_ns["hx_n"].asnumpy(), **TOL)


# =============================================================================================
# training parity: 20 optimiser steps driven by value_and_grad
# =============================================================================================
def make_optimizer(ms: Any, name: str, params: Any) -> Any:
    return {
        "sgd-momentum": lambda: ms.nn.SGD(params, learning_rate=0.05, momentum=0.9),
        "sgd-dampening-wd": lambda: ms.nn.SGD(
            params, learning_rate=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01
        ),
        "sgd-nesterov-lossscale": lambda: ms.nn.SGD(
            params, learning_rate=0.05, momentum=0.9, nesterov=True, weight_decay=0.02, loss_scale=2.0
        ),
        "momentum": lambda: ms.nn.Momentum(params, learning_rate=0.05, momentum=0.9),
        "adam": lambda: ms.nn.Adam(params, learning_rate=0.01),
        "adam-eps-wd": lambda: ms.nn.Adam(params, learning_rate=0.01, eps=1e-3, weight_decay=0.01),
        "adam-nesterov": lambda: ms.nn.Adam(params, learning_rate=0.01, use_nesterov=True),
    }[name]()


def training_weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    w = rnn_weights(rng, 2, True, True, prefix="rnn.")
    w["fc.weight"] = rng.uniform(-0.5, 0.5, (1, 2 * H)).astype(np.float32)
    w["fc.bias"] = rng.uniform(-0.5, 0.5, (1,)).astype(np.float32)
    return w


def training_net(ms: Any) -> Any:
    class Net(ms.nn.Cell):
        def __init__(self):
            super().__init__()
            self.rnn = ms.nn.RNN(I, H, 2, batch_first=True, bidirectional=True)
            self.fc = ms.nn.Dense(2 * H, 1)

        def construct(self, x):
            out, _ = self.rnn(x)
            return self.fc(out[:, -1, :])

    net = Net()
    assert ms.load_param_into_net(net, as_parameters(ms, training_weights())) == ([], [])
    return net


def training_data(ms: Any) -> tuple[Any, Any]:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 5, I)).astype(np.float32)
    return ms.Tensor(x), ms.Tensor(np.tanh(x.sum((1, 2)))[:, None].astype(np.float32))


def train_case(ms: Any, opt_name: str) -> tuple[dict[str, np.ndarray], list[float]]:
    """THE training body, identical for both frameworks."""
    net = training_net(ms)
    loss_fn = ms.nn.MSELoss()
    opt = make_optimizer(ms, opt_name, net.trainable_params())

    def forward(x, y):
        return loss_fn(net(x), y)

    grad_fn = ms.value_and_grad(forward, None, opt.parameters)
    x, y = training_data(ms)
    losses = []
    for _ in range(20):
        loss, grads = grad_fn(x, y)
        opt(grads)
        losses.append(float(loss.asnumpy()))
    return {p.name: p.asnumpy().copy() for p in net.trainable_params()}, losses


@pytest.mark.parametrize(
    "opt_name",
    [
        "sgd-momentum",
        "sgd-dampening-wd",
        "sgd-nesterov-lossscale",
        "momentum",
        "adam",
        "adam-eps-wd",
        "adam-nesterov",
    ],
)
def test_training_ends_with_mindspores_parameters(opt_name):
    real_params, real_losses = train_case(REAL, opt_name)
    ours_params, ours_losses = train_case(OURS, opt_name)
    assert list(ours_params) == list(real_params) == list(training_weights())[:16] + ["fc.weight", "fc.bias"]
    np.testing.assert_allclose(ours_losses, real_losses, **TOL)
    assert real_losses[-1] < real_losses[0]  # the comparison is about a run that actually trains
    for name in real_params:
        np.testing.assert_allclose(ours_params[name], real_params[name], err_msg=name, **TOL)


def train_one_step_case(ms: Any) -> tuple[list[float], dict[str, np.ndarray]]:
    net = training_net(ms)
    opt = ms.nn.Adam(net.trainable_params(), learning_rate=0.02)
    step = ms.nn.TrainOneStepCell(ms.nn.WithLossCell(net, ms.nn.MSELoss()), opt)
    step.set_train()
    x, y = training_data(ms)
    losses = [float(step(x, y).asnumpy()) for _ in range(5)]
    return losses, {p.name: p.asnumpy().copy() for p in net.trainable_params()}


def test_train_one_step_cell_matches_mindspore():
    (rl, rp), (ol, op) = train_one_step_case(REAL), train_one_step_case(OURS)
    np.testing.assert_allclose(ol, rl, **TOL)
    for name in rp:
        np.testing.assert_allclose(op[name], rp[name], err_msg=name, **TOL)


# =============================================================================================
# autodiff API: MindSpore's return structures
# =============================================================================================
def assert_same(ours: Any, real: Any, where: str = "") -> None:
    """Same nesting (tuple / list), same tensor dtypes and shapes, values equal to 1e-5, other values equal."""
    if isinstance(real, REAL.Tensor):
        assert isinstance(ours, OURS.Tensor), f"{where}: {type(ours)} where MindSpore gives a Tensor"
        assert str(ours.dtype) == str(real.dtype) and ours.shape == real.shape, where
        np.testing.assert_allclose(
            ours.asnumpy().astype(np.float64), real.asnumpy().astype(np.float64), err_msg=where, **TOL
        )
    elif isinstance(real, (tuple, list)):
        assert type(ours) is type(real) and len(ours) == len(real), f"{where}: {ours!r} vs {real!r}"
        for k, (a, b) in enumerate(zip(ours, real)):
            assert_same(a, b, f"{where}[{k}]")
    else:
        assert ours == real, where


def autodiff_cases(ms: Any) -> dict[str, Any]:
    """THE body: MindSpore's transforms on small functions, identical for both frameworks."""
    x = ms.Tensor(np.array([1.0, 2.0], np.float32))
    y = ms.Tensor(np.array([3.0, 4.0], np.float32))
    n = ms.Tensor(np.array([1, 2], np.int32))
    w = ms.Parameter(ms.Tensor(np.array([1.0, -1.0], np.float32)), name="w")
    v = ms.Parameter(ms.Tensor(np.array([0.5, 2.0], np.float32)), name="v")
    s = ms.Tensor(np.array([1.0, 10.0], np.float32))

    def f(x, y):
        return (x * x * y).sum()

    def two(x, y):
        return (x * y).sum(), x * 2

    def lin(x):
        return (x * w * v).sum()

    def lin_aux(x):
        return (x * w).sum(), x * 3

    def sq(x):
        return x * x

    def pair(x):
        return x * x, x * 3

    def sq_y(x, y):
        return x * x * y

    def unused(x, y):
        return (x * x).sum()

    def with_int(x, k):
        return (x * x).sum()

    out = {
        "vg-default": ms.value_and_grad(f)(x, y),
        "vg-tuple": ms.value_and_grad(f, grad_position=(0, 1))(x, y),
        "vg-tuple-of-one": ms.value_and_grad(f, grad_position=(1,))(x, y),
        "grad-default": ms.grad(f)(x, y),
        "grad-tuple": ms.grad(f, (0, 1))(x, y),
        "vg-aux": ms.value_and_grad(two, has_aux=True)(x, y),
        "vg-multi-output": ms.value_and_grad(two)(x, y),
        "grad-aux": ms.grad(two, has_aux=True)(x, y),
        "vg-weights-only": ms.value_and_grad(lin, None, [w, v])(x),
        "vg-inputs-and-weights": ms.value_and_grad(lin, 0, [w, v])(x),
        "grad-weights-only": ms.grad(lin, None, [w, v])(x),
        "vg-single-weight": ms.value_and_grad(lin, None, w)(x),
        "vg-aux-weights": ms.value_and_grad(lin_aux, 0, [w], has_aux=True)(x),
        "vg-nonscalar": ms.value_and_grad(sq)(x),
        "vg-unused-input": ms.grad(unused, (0, 1))(x, y),
        "vg-int-input": ms.value_and_grad(with_int, (0, 1))(x, n),
        "vg-return-ids": ms.value_and_grad(lin, 0, [w], return_ids=True)(x),
        "go-first": ms.ops.GradOperation()(f)(x, y),
        "go-all": ms.ops.GradOperation(get_all=True)(f, None)(x, y),
        "go-all-one-input": ms.ops.GradOperation(get_all=True)(lin)(x),
        "go-list": ms.ops.GradOperation(get_by_list=True)(lin, [w, v])(x),
        "go-list-single": ms.ops.GradOperation(get_by_list=True)(lin, w)(x),
        "go-all-list": ms.ops.GradOperation(get_all=True, get_by_list=True)(lin, [w])(x),
        "go-sens": ms.ops.GradOperation(sens_param=True)(sq)(x, s),
        "go-sens-all": ms.ops.GradOperation(get_all=True, sens_param=True)(sq_y)(x, y, s),
        "go-multi-output": ms.ops.GradOperation()(pair)(x),
        "go-sens-tuple": ms.ops.GradOperation(sens_param=True)(pair)(x, (s, s * 2)),
        "jacrev": ms.jacrev(sq_y)(x, y),
        "jacrev-positions": ms.jacrev(sq_y, (0, 1))(x, y),
        "jacfwd": ms.jacfwd(sq_y)(x, y),
        "jacrev-aux": ms.jacrev(two, has_aux=True)(x, y),
    }
    o, fn = ms.vjp(sq_y, x, y)
    out["vjp"] = (o, fn(s))
    o, fn = ms.vjp(sq, x)
    out["vjp-one-input"] = (o, fn(s))
    o, fn = ms.vjp(two, x, y)
    out["vjp-two-outputs"] = (o, fn((ms.Tensor(np.float32(2.0)), s)))
    o, fn, aux = ms.vjp(two, x, y, has_aux=True)
    out["vjp-aux"] = (o, aux, fn(ms.Tensor(np.float32(3.0))))
    o, fn = ms.vjp(lin, x, weights=[w, v])
    out["vjp-weights"] = (o, fn(ms.Tensor(np.float32(2.0))))
    return out


def test_autodiff_return_structures_match_mindspore():
    real, ours = autodiff_cases(REAL), autodiff_cases(OURS)
    assert list(ours) == list(real)
    for k in real:
        assert_same(ours[k], real[k], k)


@BOTH
def test_grad_without_position_or_weights_is_rejected(ms):
    e = raised(lambda: ms.value_and_grad(lambda x: x, None, None))
    assert type(e) is ValueError
    assert str(e) == "`grad_position` and `weight` can not be None at the same time."  # anchor


# =============================================================================================
# Tensor, Parameter, dtypes, Cell: printing and bookkeeping
# =============================================================================================
PRINT_ARRAYS = {
    "anchor-2x2": np.array([[1.5, 2.0], [3.0, 4.25]], np.float32),
    "1d": np.array([1.5, 2.0], np.float32),
    "3d-float64": np.arange(6, dtype=np.float64).reshape(1, 2, 3) / 7,
    "int32-2d": np.array([[1, 2], [3, 4]], np.int32),
    "int64-1d": np.array([1, 2], np.int64),
    "bool": np.array([True, False]),
    "float16": np.array([[0.1, 0.2]], np.float16),
    "tiny-and-one": np.array([1e-9, 1.0], np.float32),
    "2x6": np.arange(12, dtype=np.float32).reshape(2, 6) / 3,
    "2x3x4": np.arange(24, dtype=np.float32).reshape(2, 3, 4),
    "long-1d": np.arange(1001, dtype=np.float32),
    "empty": np.array([], np.float32),
    "scalar-f32": np.array(np.float32(1.8840497)),
    "scalar-f32-big": np.array(np.float32(123456789.0)),
    "scalar-f64": np.array(1 / 3),
    "scalar-int": np.array(5, np.int64),
    "scalar-bool": np.array(True),
    "scalar-nan": np.array(np.nan, np.float32),
    "scalar-neg-inf": np.array(-np.inf, np.float32),
}


@pytest.mark.parametrize("name", list(PRINT_ARRAYS))
def test_tensor_printing_matches_mindspore(name):
    a = PRINT_ARRAYS[name]
    real, ours = REAL.Tensor(a), OURS.Tensor(a)
    assert str(ours) == str(real)
    assert repr(ours) == repr(real)
    assert str(ours.dtype) == str(real.dtype) and repr(ours.dtype) == repr(real.dtype)
    assert ours.shape == real.shape


@BOTH
def test_printing_anchor_facts(ms):
    t = ms.Tensor(np.array([[1.5, 2.0], [3.0, 4.25]], np.float32))
    assert str(t) == "[[1.5  2.  ]\n [3.   4.25]]"
    assert repr(t) == (
        "Tensor(shape=[2, 2], dtype=Float32, value=\n[[ 1.50000000e+00,  2.00000000e+00],\n"
        " [ 3.00000000e+00,  4.25000000e+00]])"
    )
    assert repr(ms.Tensor(2.5)) == "Tensor(shape=[], dtype=Float32, value= 2.5)"
    p = ms.Parameter(ms.Tensor(np.ones((2, 2), np.float32)), name="w")
    assert repr(p) == str(p) == "Parameter (name=w, shape=(2, 2), dtype=Float32, requires_grad=True)"


@BOTH
def test_tensor_construction_dtypes(ms):
    assert ms.Tensor(2.5).dtype == ms.float32
    assert ms.Tensor(2).dtype == ms.int64
    assert ms.Tensor([1.0, 2.0]).dtype == ms.float32
    assert ms.Tensor([1, 2]).dtype == ms.int64
    assert ms.Tensor(np.array([1.0])).dtype == ms.float64
    assert ms.Tensor(np.array([1.0]), ms.float32).dtype == ms.float32
    assert ms.Tensor(np.array([1, 2], np.int32)).astype(ms.float64).dtype == ms.float64
    assert str(ms.float32) == "Float32" and repr(ms.float32) == "mindspore.float32"
    assert ms.dtype_to_nptype(ms.float32) is np.float32
    assert isinstance(ms.Tensor(np.ones(2)).asnumpy(), np.ndarray)


def tensor_ops_case(ms: Any) -> dict[str, Any]:
    a = ms.Tensor(np.array([[1.0, -2.0], [3.0, 0.5]], np.float32))
    b = ms.Tensor(np.array([[0.5, 1.0], [2.0, -1.0]], np.float32))
    ops = ms.ops
    return {
        "arith": [a + 1, 1 - a, a * 2.5, a / 2, a @ b, -a, a**2, a.T, a + b, a - b, a * b, a / b],
        "methods": [
            a.sum(),
            a.sum(0),
            a.sum(axis=1, keepdims=True),
            a.mean(),
            a.mean(0),
            a.max(),
            a.min(),
            a.reshape(4),
            a.reshape((1, 4)),
            a.transpose(),
            a.transpose(1, 0),
            a.astype(ms.float64),
            a.expand_dims(0),
            a.abs(),
            a.squeeze(),
            a.view(4, 1),
        ],
        "props": (a.shape, a.ndim, a.size, float(a[0, 0].asnumpy()), a[1].asnumpy().tolist(), len(a)),
        "ops": [
            ops.matmul(a, b),
            ops.tanh(a),
            ops.relu(a),
            ops.sigmoid(a),
            ops.exp(a),
            ops.zeros((2, 3)),
            ops.ones((2,), ms.float64),
            ops.zeros_like(a),
            ops.ones_like(a),
            ops.concat((a, b)),
            ops.concat((a, b), axis=1),
            ops.cat((a, b), 1),
            ops.stack((a, b)),
            ops.stack((a, b), 1),
            ops.reshape(a, (4,)),
            ops.transpose(a, (1, 0)),
            ops.squeeze(ops.expand_dims(a, 0)),
            ops.sum(a),
            ops.sum(a, 1),
            ops.sum(a, 1, True),
            ops.mean(a),
            ops.mean(a, 0, True),
            ops.square(a),
            ops.abs(a),
            ops.maximum(a, b),
            ops.minimum(a, b),
            ops.select(a > b, a, b),
            ops.cast(a, ms.float16),
            ops.softmax(a),
            ops.log_softmax(a),
            ops.mse_loss(a, b),
            ops.split(a, 1),
            ops.unstack(a),
            ops.mul(a, b),
            ops.add(a, 1.0),
            ops.pow(a, 2.0),
            ops.swapaxes(a, 0, 1),
            ops.broadcast_to(ops.ones((1, 2)), (3, 2)),
            ops.clamp(a, -1.0, 1.0),
            ops.max(a, 1),
            ops.min(a, 0, True),
            ops.full((2,), 1.5, dtype=ms.float32),
            ops.arange(4),
        ],
        "primitives": [
            ops.ReduceSum()(a),
            ops.ReduceSum(keep_dims=True)(a, 1),
            ops.ReduceMean()(a, 0),
            ops.ReduceMax()(a),
            ops.MatMul(transpose_b=True)(a, b),
            ops.MatMul(True, False)(a, b),
            ops.Concat(1)((a, b)),
            ops.Stack()((a, b)),
            ops.Tanh()(a),
            ops.ReLU()(a),
            ops.Transpose()(a, (1, 0)),
            ops.Reshape()(a, (4,)),
            ops.Squeeze(0)(ops.ExpandDims()(a, 0)),
            ops.Cast()(a, ms.float64),
            ops.ZerosLike()(a),
            ops.Select()(a > b, a, b),
            ops.Sigmoid()(a),
            ops.Mul()(a, b),
            ops.Softmax()(a),
            ops.Shape()(a),
        ],
    }


def test_tensor_and_ops_match_mindspore():
    real, ours = tensor_ops_case(REAL), tensor_ops_case(OURS)
    for k in real:
        assert_same(ours[k], real[k], k)


class _Inner:
    @staticmethod
    def make(ms: Any) -> Any:
        class Net(ms.nn.Cell):
            def __init__(self):
                super().__init__()
                self.net = ms.nn.RNN(2, 3, 2, bidirectional=True)
                self.fc = ms.nn.Dense(6, 1)
                self.w = ms.Parameter(ms.Tensor(np.ones(2, np.float32)), name="myw")
                self.v = ms.Parameter(ms.Tensor(np.ones(2, np.float32)))

            def construct(self, x):
                return self.fc(self.net(x)[0])

        class Outer(ms.nn.Cell):
            def __init__(self):
                super().__init__()
                self.inner = Net()

            def construct(self, x):
                return self.inner(x)

        return Net, Outer


def cell_case(ms: Any) -> dict[str, Any]:
    Net, Outer = _Inner.make(ms)
    n = Net()
    o = Outer()
    n2 = Net()
    n2.w.requires_grad = False
    return {
        "trainable": [p.name for p in n.trainable_params()],
        "get_parameters": [p.name for p in n.get_parameters()],
        "parameters_dict": list(n.parameters_dict()),
        "parameters_and_names": [k for k, _ in n.parameters_and_names()],
        "cells_and_names": [k for k, _ in n.cells_and_names()],
        "outer": [p.name for p in o.trainable_params()],
        "outer_names": [k for k, _ in o.parameters_and_names()],
        "untrainable": [p.name for p in n2.untrainable_params()],
        "repr": repr(o),
        "training": (n.training, n.set_train() is n, n.training, n.net.training, n.set_train(False).training),
        "dense": repr(ms.nn.Dense(2, 3)),
        "dropout": repr(ms.nn.Dropout(p=0.3)),
    }


def test_cell_bookkeeping_matches_mindspore():
    real, ours = cell_case(REAL), cell_case(OURS)
    for k in real:
        assert ours[k] == real[k], k
    # anchor facts
    assert real["training"][0] is False and "net.weight_ih_l0" in real["trainable"]


# =============================================================================================
# checkpoints: load_param_into_net results and errors (file formats differ: ours is .npz)
# =============================================================================================
def load_param_case(ms: Any) -> tuple[Any, ...]:
    net = ms.nn.RNN(2, 3)
    full = {p.name: p.asnumpy() for p in net.trainable_params()}
    d = as_parameters(ms, {k: v for k, v in full.items() if k != "bias_hh_l0"})
    d["foo"] = ms.Parameter(ms.Tensor(np.ones(2, np.float32)), name="foo")
    result = ms.load_param_into_net(net, d)
    d64 = {"weight_ih_l0": ms.Parameter(ms.Tensor(np.ones((3, 2), np.float64)), name="x")}
    ms.load_param_into_net(net, d64)
    after = (str(net.trainable_params()[0].dtype), net.trainable_params()[0].asnumpy().tolist())
    shape_err = raised(
        lambda: ms.load_param_into_net(net, as_parameters(ms, {"weight_ih_l0": np.ones((3, 5), np.float32)}))
    )
    type_err = raised(
        lambda: ms.load_param_into_net(net, {"weight_ih_l0": ms.Tensor(np.ones((3, 2), np.float32))})
    )
    return result, after, (type(shape_err), first_line(shape_err)), type(type_err)


def test_load_param_into_net_matches_mindspore():
    assert load_param_case(OURS) == load_param_case(REAL)


def checkpoint_round_trip(ms: Any, folder: str) -> tuple[Any, ...]:
    net = ms.nn.RNN(2, 3, 2, bidirectional=True)
    ms.save_checkpoint(net, os.path.join(folder, "net"))  # ".ckpt" is appended
    loaded = ms.load_checkpoint(os.path.join(folder, "net.ckpt"))
    fresh = ms.nn.RNN(2, 3, 2, bidirectional=True)
    result = ms.load_param_into_net(fresh, loaded)
    same = all(
        np.array_equal(a.asnumpy(), b.asnumpy())
        for a, b in zip(net.trainable_params(), fresh.trainable_params())
    )
    only_w = ms.load_checkpoint(
        os.path.join(folder, "net.ckpt"), choice_func=lambda n: n.startswith("weight")
    )
    return (
        sorted(os.listdir(folder)),
        list(loaded),
        type(loaded).__name__,
        type(next(iter(loaded.values()))).__name__,
        result,
        same,
        list(only_w),
    )


def test_checkpoint_round_trip_like_mindspore(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "ours").mkdir()
    assert checkpoint_round_trip(OURS, str(tmp_path / "ours")) == checkpoint_round_trip(
        REAL, str(tmp_path / "real")
    )


@BOTH
def test_checkpoint_file_errors(ms, tmp_path):
    missing = str(tmp_path / "nope.ckpt")
    e = raised(lambda: ms.load_checkpoint(missing))
    assert type(e) is ValueError
    assert first_line(e) == (
        f"For 'load_checkpoint', the checkpoint file: {missing} does not exist, please check whether the "
        "'ckpt_file_name' is correct."
    )
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"garbage")
    e = raised(lambda: ms.load_checkpoint(str(bad)))
    assert type(e) is ValueError
    assert first_line(e).startswith(
        f"Failed to read the checkpoint file {bad}. The file may be corrupted, and the content cannot be parsed."
    )
