"""nn.LSTM, nn.GRU, nn.LSTMCell and nn.GRUCell of `tinygrad_rnn.mindspore` against real MindSpore 2.10.0.

Real MindSpore is the oracle: the same test body runs on `mindspore` and on `tinygrad_rnn.mindspore`, with
the same weights loaded into both (load_param_into_net), and every expected number is computed live by
real MindSpore (nothing is compared against our own output).

Precision: MindSpore's float32 CPU kernels (its fused oneDNN LSTM kernel, its float32 cell loop) round
differently from ours. Where ours and MindSpore's differ by more than 1e-5, both are judged against a
float64 truth, real torch in float64 with the same weights (MindSpore's gate order and packing are torch's,
checked below): ours must then be within 1e-5 of that truth, and MindSpore within 1e-4 of it (so a real
disagreement still fails). `test_grid_float64_judge_was_needed_only_rarely` counts how often that happens.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

import itertools  # noqa: E402
import re  # noqa: E402
from typing import Any  # noqa: E402

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it; keep the default

REAL, OURS = mindspore, tms
TOL = 1e-5  # ours vs MindSpore, and ours vs the float64 truth
REAL_VS_TRUTH = 1e-4  # MindSpore's float32 kernels vs the float64 truth, when the judge is needed
I, H, T, B = 2, 3, 4, 3
LENGTHS = np.array([T, 1, 2], np.int32)  # the full length, length 1, one in between
KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
GATES = {"LSTM": 4, "GRU": 3}
JUDGED: list[str] = []  # comparisons that needed the float64 truth


def weights_for(rng: np.random.Generator, mode: str, L: int, bi: bool, bias: bool) -> dict[str, np.ndarray]:
    """Random weights under MindSpore's names, grouped by kind (MindSpore's parameter order)."""
    D, G = (2 if bi else 1), GATES[mode] * H
    out = {}
    for kind in KINDS if bias else KINDS[:2]:
        for k in range(L):
            for d in range(D):
                shape = {"weight_ih": (G, I if k == 0 else H * D), "weight_hh": (G, H)}.get(kind, (G,))
                out[f"{kind}_l{k}" + ("_reverse" if d else "")] = rng.uniform(-0.7, 0.7, shape).astype(
                    np.float32
                )
    return out


def as_parameters(ms: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    return {n: ms.Parameter(ms.Tensor(a), name=n) for n, a in arrays.items()}


def raised(fn: Any) -> BaseException:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return e
    raise AssertionError("no exception raised")


def first_line(e: BaseException) -> str:
    return re.sub(
        r"^[\w.]+\(\) ", "", str(e).split("\n")[0].strip()
    )  # 'LSTM.__init__() got ...' vs '_RNNBase...'


# =============================================================================================
# the layer grid: outputs, final states and every gradient
# =============================================================================================
GRID = list(
    itertools.product(
        ("LSTM", "GRU"),
        (1, 2),  # num_layers
        (True, False),  # has_bias
        (False, True),  # batch_first
        (False, True),  # bidirectional
        (True, False),  # hx given
        (False, True),  # seq_length given
    )
)


def grid_id(cfg: tuple) -> str:
    mode, L, bias, bf, bi, hx, sl = cfg
    return "-".join(
        [mode, f"L{L}", "bias" if bias else "nobias", "bf" if bf else "tf", "bi" if bi else "uni"]
        + ["hx" if hx else "nohx", "len" if sl else "nolen"]
    )


def grid_data(cfg: tuple) -> dict[str, Any]:
    mode, L, bias, bf, bi, _, _ = cfg
    rng = np.random.default_rng(GRID.index(cfg))
    D = 2 if bi else 1
    xs = (B, T, I) if bf else (T, B, I)
    n_states = 2 if mode == "LSTM" else 1
    return {
        "weights": weights_for(rng, mode, L, bi, bias),
        "x": rng.standard_normal(xs).astype(np.float32),
        "hx": [rng.standard_normal((L * D, B, H)).astype(np.float32) for _ in range(n_states)],
        # random cotangents: every output element is checked through the gradients
        "go": rng.standard_normal(xs[:2] + (D * H,)).astype(np.float32),
        "gh": [rng.standard_normal((L * D, B, H)).astype(np.float32) for _ in range(n_states)],
    }


def layer_case(ms: Any, cfg: tuple, data: dict[str, Any]) -> dict[str, Any]:
    """THE body: identical code for real MindSpore and for tinygrad_rnn.mindspore."""
    mode, L, bias, bf, bi, with_hx, with_len = cfg
    net = getattr(ms.nn, mode)(I, H, L, has_bias=bias, batch_first=bf, bidirectional=bi)
    not_loaded = ms.load_param_into_net(net, as_parameters(ms, data["weights"]))
    x = ms.Tensor(data["x"])
    states = [ms.Tensor(h) for h in data["hx"]]
    seq = ms.Tensor(LENGTHS) if with_len else None
    go, gh = ms.Tensor(data["go"]), [ms.Tensor(g) for g in data["gh"]]
    lstm = mode == "LSTM"

    def forward(x, *hs):
        hx = (tuple(hs) if lstm else hs[0]) if hs else None
        out, fin = net(x, hx, seq)
        fins = list(fin) if lstm else [fin]
        loss = (out * go).sum()
        for f, g in zip(fins, gh):
            loss = loss + (f * g).sum()
        return (loss, out, *fins)

    weights = net.trainable_params()
    args = [x] + (states if with_hx else [])
    (_, out, *fins), (dargs, dws) = ms.value_and_grad(
        forward, tuple(range(len(args))), weights, has_aux=True
    )(*args)
    dargs = dargs if isinstance(dargs, tuple) else (dargs,)
    return {
        "names": [p.name for p in weights],
        "not_loaded": not_loaded,
        "types": (type(out).__name__, [type(f).__name__ for f in fins]),
        "dtypes": [str(t.dtype) for t in (out, *fins)],
        "out": out.asnumpy(),
        "fin": [f.asnumpy() for f in fins],
        "dargs": [d.asnumpy() for d in dargs],
        "dw": [g.asnumpy() for g in dws],
    }


def torch_truth(cfg: tuple, data: dict[str, Any]) -> dict[str, Any]:
    """The float64 truth: real torch with the same weights (torch's names are MindSpore's)."""
    mode, L, bias, bf, bi, with_hx, with_len = cfg
    net = getattr(torch.nn, mode)(I, H, L, bias=bias, batch_first=bf, bidirectional=bi).double()
    with torch.no_grad():
        for n, p in net.named_parameters():
            p.copy_(torch.tensor(data["weights"][n], dtype=torch.float64))
    x = torch.tensor(data["x"], dtype=torch.float64, requires_grad=True)
    hs = [torch.tensor(h, dtype=torch.float64, requires_grad=True) for h in data["hx"]]
    hx = (tuple(hs) if mode == "LSTM" else hs[0]) if with_hx else None
    if with_len:
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, torch.tensor(LENGTHS, dtype=torch.int64), batch_first=bf, enforce_sorted=False
        )
        out, fin = net(packed, hx)
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=bf, total_length=T)
    else:
        out, fin = net(x, hx)
    fins = list(fin) if mode == "LSTM" else [fin]
    loss = (out * torch.tensor(data["go"], dtype=torch.float64)).sum()
    for f, g in zip(fins, data["gh"]):
        loss = loss + (f * torch.tensor(g, dtype=torch.float64)).sum()
    loss.backward()
    params = dict(net.named_parameters())
    return {
        "out": out.detach().numpy(),
        "fin": [f.detach().numpy() for f in fins],
        "dargs": [t.grad.numpy() for t in ([x] + (hs if with_hx else []))],
        "dw": [params[n].grad.numpy() for n in data["weights"]],
    }


def check_close(what: str, ours: np.ndarray, real: np.ndarray, truth: Any) -> None:
    """Ours vs MindSpore to TOL; past TOL, both judged against the float64 truth (computed lazily)."""
    assert ours.shape == real.shape, what
    if np.allclose(ours, real, rtol=TOL, atol=TOL):
        return
    t = truth()
    JUDGED.append(what)
    np.testing.assert_allclose(ours, t, rtol=TOL, atol=TOL, err_msg=f"{what}: ours vs float64 truth")
    np.testing.assert_allclose(real, t, rtol=REAL_VS_TRUTH, atol=REAL_VS_TRUTH, err_msg=f"{what}: MindSpore")


@pytest.mark.parametrize("cfg", GRID, ids=[grid_id(c) for c in GRID])
def test_layer_grid_matches_mindspore(cfg):
    data = grid_data(cfg)
    real, ours = layer_case(REAL, cfg, data), layer_case(OURS, cfg, data)
    assert ours["names"] == real["names"] == list(data["weights"])  # MindSpore's grouped-by-kind order
    assert ours["not_loaded"] == real["not_loaded"] == ([], [])
    assert ours["types"] == real["types"]
    assert ours["dtypes"] == real["dtypes"] == ["Float32"] * len(real["dtypes"])
    cache: dict[str, Any] = {}

    def truth() -> dict[str, Any]:
        if not cache:
            cache.update(torch_truth(cfg, data))
        return cache

    tag = grid_id(cfg)
    check_close(f"{tag} out", ours["out"], real["out"], lambda: truth()["out"])
    for key in ("fin", "dargs", "dw"):
        assert len(ours[key]) == len(real[key]), key
        for i, (a, b) in enumerate(zip(ours[key], real[key])):
            name = real["names"][i] if key == "dw" else f"{key}[{i}]"
            check_close(f"{tag} {name}", a, b, lambda key=key, i=i: truth()[key][i])


# Second derivatives. Real MindSpore 2.10.0 cannot take them here: grad of grad through nn.LSTM or nn.GRU
# raises TypeError inside its graph indexing (checked below, so the day it works this test says so and
# real MindSpore becomes the oracle). The truth is real torch's float64 double backward with the same
# weights (seq_length as packing): ours, in float32, must be within 1e-5 of it, relative to the largest
# entry (second derivatives of a sum over every output reach ~10, where float32 keeps ~1e-6 of that).
def second_order_ours(cfg: tuple, data: dict[str, Any], vs: list[np.ndarray]) -> list[np.ndarray]:
    """d/d(args, weights) of sum_k <d loss / d input_k, v_k>, through tinygrad_rnn.mindspore."""
    mode, L, bias, bf, bi, with_hx, with_len = cfg
    net = getattr(OURS.nn, mode)(I, H, L, has_bias=bias, batch_first=bf, bidirectional=bi)
    OURS.load_param_into_net(net, as_parameters(OURS, data["weights"]))
    seq = OURS.Tensor(LENGTHS) if with_len else None
    go, gh = OURS.Tensor(data["go"]), [OURS.Tensor(g) for g in data["gh"]]
    lstm = mode == "LSTM"

    def loss(x, *hs):
        out, fin = net(x, (tuple(hs) if lstm else hs[0]) if hs else None, seq)
        total = (out * go).sum()
        for f, g in zip(list(fin) if lstm else [fin], gh):
            total = total + (f * g).sum()
        return total

    args = [OURS.Tensor(data["x"])] + ([OURS.Tensor(h) for h in data["hx"]] if with_hx else [])
    pos, weights = tuple(range(len(args))), net.trainable_params()
    first = OURS.grad(loss, pos, weights)

    def contracted(*a):
        dargs, dws = first(*a)
        total = None
        for d, v in zip(list(dargs if isinstance(dargs, tuple) else (dargs,)) + list(dws), vs):
            term = (d * OURS.Tensor(v)).sum()
            total = term if total is None else total + term
        return total

    dargs, dws = OURS.grad(contracted, pos, weights)(*args)
    return [d.asnumpy() for d in (dargs if isinstance(dargs, tuple) else (dargs,))] + [
        w.asnumpy() for w in dws
    ]


def second_order_torch(cfg: tuple, data: dict[str, Any], vs: list[np.ndarray]) -> list[np.ndarray]:
    """The same contraction by real torch in float64 (create_graph=True, then grad again)."""
    mode, L, bias, bf, bi, with_hx, with_len = cfg
    net = getattr(torch.nn, mode)(I, H, L, bias=bias, batch_first=bf, bidirectional=bi).double()
    params = dict(net.named_parameters())
    with torch.no_grad():
        for n in data["weights"]:
            params[n].copy_(torch.tensor(data["weights"][n], dtype=torch.float64))
    f64 = {"dtype": torch.float64}
    args = [torch.tensor(data["x"], **f64, requires_grad=True)]
    args += [torch.tensor(h, **f64, requires_grad=True) for h in data["hx"]] if with_hx else []
    x, hs = args[0], args[1:]
    hx = (tuple(hs) if mode == "LSTM" else hs[0]) if hs else None
    if with_len:
        x = torch.nn.utils.rnn.pack_padded_sequence(
            x, torch.tensor(LENGTHS), batch_first=bf, enforce_sorted=False
        )
    out, fin = net(x, hx)
    if with_len:
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=bf, total_length=T)
    total = (out * torch.tensor(data["go"], **f64)).sum()
    for f, g in zip(list(fin) if mode == "LSTM" else [fin], data["gh"]):
        total = total + (f * torch.tensor(g, **f64)).sum()
    wrt = args + [params[n] for n in data["weights"]]
    firsts = torch.autograd.grad(total, wrt, create_graph=True)
    contracted = sum((d * torch.tensor(v, **f64)).sum() for d, v in zip(firsts, vs))
    return [g.numpy() for g in torch.autograd.grad(contracted, wrt)]


@pytest.mark.parametrize("cfg", GRID, ids=[grid_id(c) for c in GRID])
def test_second_derivatives_match_the_float64_truth(cfg):
    data = grid_data(cfg)
    rng = np.random.default_rng(1000 + GRID.index(cfg))
    shapes = [data["x"].shape] + ([h.shape for h in data["hx"]] if cfg[5] else [])
    vs = [
        rng.standard_normal(s).astype(np.float32)
        for s in shapes + [w.shape for w in data["weights"].values()]
    ]
    ours, truth = second_order_ours(cfg, data, vs), second_order_torch(cfg, data, vs)
    assert len(ours) == len(truth) == len(vs)
    for k, (o, t) in enumerate(zip(ours, truth)):
        assert o.shape == t.shape, f"input {k}: {o.shape} != {t.shape}"
        scale = max(1.0, float(np.abs(t).max()))
        np.testing.assert_allclose(o, t, rtol=TOL, atol=TOL * scale, err_msg=f"{grid_id(cfg)}: input {k}")


SECOND_ORDER_PROBE = """
import os, sys
os.environ["GLOG_v"] = "3"
import numpy as np, mindspore as ms
net = getattr(ms.nn, sys.argv[1])(2, 3)
x = ms.Tensor(np.ones((4, 3, 2), np.float32))
first = ms.grad(lambda x: net(x)[0].sum())
try:
    ms.grad(lambda x: (first(x) * first(x)).sum())(x)
    print("ok")
except Exception as e:
    print(type(e).__name__, str(e).splitlines()[0])
"""


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_real_mindspore_still_cannot_take_second_derivatives(mode):
    # in a child process: the failed attempt leaves real MindSpore's graph state broken for every later call
    import subprocess

    r = subprocess.run(
        [sys.executable, "-c", SECOND_ORDER_PROBE, mode],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    line = r.stdout.strip().splitlines()[-1]
    assert line.startswith("TypeError") and "as index" in line, line  # works on ours: see the test above


def test_grid_float64_judge_was_needed_only_rarely():
    """Runs after the grid (file order): the float64 judge is the exception, not the rule."""
    n_comparisons = len(GRID) * 12  # at least out, the final states, dx and 8+ weight gradients each
    assert len(JUDGED) < n_comparisons // 10, JUDGED


def test_gate_order_and_packing_are_torchs():
    """The premise of using torch as the truth: torch's weights in real MindSpore give torch's numbers."""
    rng = np.random.default_rng(5)
    for mode in ("LSTM", "GRU"):
        tnet = getattr(torch.nn, mode)(I, H, 2, bidirectional=True).double()
        net = getattr(REAL.nn, mode)(I, H, 2, bidirectional=True)
        arrays = {n: p.detach().numpy().astype(np.float32) for n, p in tnet.named_parameters()}
        assert REAL.load_param_into_net(net, as_parameters(REAL, arrays)) == ([], [])
        with torch.no_grad():
            for n, p in tnet.named_parameters():
                p.copy_(torch.tensor(arrays[n], dtype=torch.float64))
        x = rng.standard_normal((T, B, I)).astype(np.float32)
        out_ms = net(REAL.Tensor(x))[0].asnumpy()
        out_t = tnet(torch.tensor(x, dtype=torch.float64))[0].detach().numpy()
        np.testing.assert_allclose(out_ms, out_t, atol=1e-5, err_msg=mode)


# =============================================================================================
# construction: parameters, seeds, bookkeeping
# =============================================================================================
@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_parameters_and_seeded_weights_match_mindspore(mode):
    def build(ms: Any) -> Any:
        ms.set_seed(7)
        return getattr(ms.nn, mode)(I, H, 2, bidirectional=True)

    real, ours = build(REAL), build(OURS)
    rp, op = list(real.parameters_and_names()), list(ours.parameters_and_names())
    assert [n for n, _ in op] == [n for n, _ in rp]
    assert [p.name for p in ours.trainable_params()] == [p.name for p in real.trainable_params()]
    for (n, a), (_, b) in zip(op, rp):
        assert a.shape == b.shape, n
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy(), err_msg=n)  # set_seed: the same draws
    assert ours.training is real.training is False
    for attr in ("w_ih_list", "w_hh_list", "b_ih_list", "b_hh_list"):
        assert [p.name for p in getattr(ours, attr)] == [p.name for p in getattr(real, attr)]
    assert ours.is_lstm is real.is_lstm is (mode == "LSTM")
    assert [n for n, _ in ours.cells_and_names()] == [n for n, _ in real.cells_and_names()]


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_float64_input_and_dtype_like_mindspore(mode):
    """x float64 runs (weights cast to x's dtype) and a float16 model with float32 x, as in MindSpore."""

    def run(ms: Any, dtype: Any, x_dtype: Any) -> list[str]:
        net = getattr(ms.nn, mode)(I, H, dtype=getattr(ms, dtype))
        out, fin = net(ms.Tensor(np.ones((T, B, I), x_dtype)))
        return [str(out.dtype), str(fin[0].dtype if mode == "LSTM" else fin.dtype), str(out.shape)]

    for dtype, x_dtype in (("float32", np.float64), ("float16", np.float32)):
        assert run(OURS, dtype, x_dtype) == run(REAL, dtype, x_dtype)


# =============================================================================================
# the cells
# =============================================================================================
def cell_case(ms: Any, mode: str, bias: bool) -> dict[str, Any]:
    rng = np.random.default_rng(3 + bias)
    cell = getattr(ms.nn, mode + "Cell")(I, H, has_bias=bias)
    names = [p.name for p in cell.trainable_params()]
    G = GATES[mode] * H
    shapes = {"weight_ih": (G, I), "weight_hh": (G, H), "bias_ih": (G,), "bias_hh": (G,)}
    arrays = {n: rng.uniform(-0.7, 0.7, shapes[n]).astype(np.float32) for n in names}
    ms.load_param_into_net(cell, as_parameters(ms, arrays))
    x = ms.Tensor(rng.standard_normal((B, I)).astype(np.float32))
    hs = [
        ms.Tensor(rng.standard_normal((B, H)).astype(np.float32)) for _ in range(2 if mode == "LSTM" else 1)
    ]
    gs = [ms.Tensor(rng.standard_normal((B, H)).astype(np.float32)) for _ in hs]

    def forward(x, *hs):
        r = cell(x, tuple(hs)) if mode == "LSTM" else (cell(x, hs[0]),)
        return sum((a * g).sum() for a, g in zip(r, gs)), *r

    (_, *outs), (dargs, dws) = ms.value_and_grad(
        forward, tuple(range(1 + len(hs))), cell.trainable_params(), True
    )(x, *hs)
    plain = cell(x, tuple(hs)) if mode == "LSTM" else cell(x, hs[0])
    return {
        "names": names,
        "shapes": [tuple(p.shape) for p in cell.trainable_params()],
        "training": cell.training,
        "returns": type(plain).__name__ + str(len(plain) if isinstance(plain, tuple) else ""),
        "values": [a.asnumpy() for a in (*outs, *dargs, *dws)],
    }


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_cells_match_mindspore(mode, bias):
    real, ours = cell_case(REAL, mode, bias), cell_case(OURS, mode, bias)
    for key in ("names", "shapes", "training", "returns"):
        assert ours[key] == real[key], key
    assert len(ours["values"]) == len(real["values"])
    for i, (a, b) in enumerate(zip(ours["values"], real["values"])):
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=f"{mode}Cell value {i}")


# =============================================================================================
# bad arguments: same exception type; MindSpore's own checks word for word, deep ones naming the argument
# =============================================================================================
BAD_CTOR = {  # (args, kwargs): each applied to LSTM, GRU, LSTMCell and GRUCell
    "input_size-0": ((0, 4), {}),
    "hidden_size-0": ((3, 0), {}),
    "input_size-float": ((3.0, 4), {}),
    "hidden_size-str": ((3, "4"), {}),
    "input_size-bool": ((True, 4), {}),
    "has_bias-int": ((3, 4), {"has_bias": 1}),
    "bias-keyword": ((3, 4), {"bias": False}),
    "nonlinearity": ((3, 4), {"nonlinearity": "tanh"}),
}
BAD_CTOR_LAYER = {
    "num_layers-0": ((3, 4, 0), {}),
    "dropout-int": ((3, 4), {"dropout": 0}),
    "dropout-1.0": ((3, 4), {"dropout": 1.0}),
    "dropout-negative": ((3, 4), {"dropout": -0.1}),
    "batch_first-None": ((3, 4), {"batch_first": None}),
    "bidirectional-str": ((3, 4), {"bidirectional": "x"}),
    "proj_size": ((3, 4), {"proj_size": 2}),
}
BAD_CTOR_LSTMCELL = {
    "four-positional": ((3, 4, True, "f32"), {}),
    "batch_size": ((3, 4), {"batch_size": 2}),
    "dropout": ((3, 4), {"dropout": 0.1}),
    "bidirectional": ((3, 4), {"bidirectional": True}),
}
CTOR_CASES = (
    [(c, n) for c, n in itertools.product(("LSTM", "GRU", "LSTMCell", "GRUCell"), BAD_CTOR)]
    + [(c, n) for c, n in itertools.product(("LSTM", "GRU"), BAD_CTOR_LAYER)]
    + [("LSTMCell", n) for n in BAD_CTOR_LSTMCELL]
)


@pytest.mark.parametrize("cls, case", CTOR_CASES, ids=[f"{c}-{n}" for c, n in CTOR_CASES])
def test_constructor_errors_match_mindspore(cls, case):
    args, kwargs = {**BAD_CTOR, **BAD_CTOR_LAYER, **BAD_CTOR_LSTMCELL}[case]

    def build(ms: Any) -> Any:
        a = tuple(ms.float32 if v == "f32" else v for v in args)
        return getattr(ms.nn, cls)(*a, **kwargs)

    real, ours = raised(lambda: build(REAL)), raised(lambda: build(OURS))
    assert type(ours) is type(real)
    assert first_line(ours) == first_line(real)


def _t(ms: Any, shape: tuple[int, ...], dtype: Any = np.float32) -> Any:
    return ms.Tensor(np.ones(shape, dtype))


_X, _H = (5, 2, 3), (1, 2, 4)  # a layer (3, 4): x and one state
_XC, _HC = (2, 3), (2, 4)  # a cell (3, 4)


def _lstm_hx(ms: Any, i: int, bad: Any) -> tuple[Any, Any]:
    """(h0, c0) with element i replaced by `bad` (a builder)."""
    pair = [_t(ms, _H), _t(ms, _H)]
    pair[i] = bad(ms)
    return tuple(pair)


# name -> (classes, argument the message names or None for MindSpore's own words, call)
BAD_CALLS: dict[str, tuple[tuple[str, ...], str | None, Any]] = {
    "x-numpy": (("LSTM", "GRU"), None, lambda ms, n: n(np.ones(_X, np.float32))),
    "x-list": (("LSTM", "GRU"), None, lambda ms, n: n([[1.0]])),
    "seq_length-float": (("LSTM", "GRU"), None, lambda ms, n: n(_t(ms, _X), None, _t(ms, (2,)))),
    "seq_length-size": (("LSTM", "GRU"), None, lambda ms, n: n(_t(ms, _X), None, _t(ms, (3,), np.int32))),
    "seq_length-list": (("LSTM", "GRU"), None, lambda ms, n: n(_t(ms, _X), None, [1, 2])),
    "seq_length-0d": (("LSTM", "GRU"), None, lambda ms, n: n(_t(ms, _X), None, _t(ms, (), np.int32))),
    "hx-tensor": (("LSTM",), None, lambda ms, n: n(_t(ms, _X), _t(ms, _H))),
    "hx-list": (("LSTM",), None, lambda ms, n: n(_t(ms, _X), [_t(ms, _H), _t(ms, _H)])),
    "hx-3-tuple": (("LSTM",), None, lambda ms, n: n(_t(ms, _X), (_t(ms, _H),) * 3)),
    "hx0-numpy": (("LSTM",), None, lambda ms, n: n(_t(ms, _X), _lstm_hx(ms, 0, lambda m: np.ones(_H)))),
    "hx1-int": (("LSTM",), None, lambda ms, n: n(_t(ms, _X), _lstm_hx(ms, 1, lambda m: 1))),
    "hx1-float16": (
        ("LSTM",),
        None,
        lambda ms, n: n(_t(ms, _X), _lstm_hx(ms, 1, lambda m: _t(m, _H, np.float16))),
    ),
    "hx0-int32": (
        ("LSTM",),
        None,
        lambda ms, n: n(_t(ms, _X), _lstm_hx(ms, 0, lambda m: _t(m, _H, np.int32))),
    ),
    "hx-tuple": (("GRU",), None, lambda ms, n: n(_t(ms, _X), (_t(ms, _H), _t(ms, _H)))),
    "hx-float16": (("GRU",), None, lambda ms, n: n(_t(ms, _X), _t(ms, _H, np.float16))),
    "x-2d": (("LSTM", "GRU"), "x", lambda ms, n: n(_t(ms, (5, 3)))),
    "x-features": (("LSTM", "GRU"), "x", lambda ms, n: n(_t(ms, (5, 2, 2)))),
    "x-int": (("LSTM", "GRU"), "x", lambda ms, n: n(_t(ms, _X, np.int32))),
    "hx0-layers": (
        ("LSTM",),
        "hx[0]",
        lambda ms, n: n(_t(ms, _X), _lstm_hx(ms, 0, lambda m: _t(m, (2, 2, 4)))),
    ),
    "hx1-hidden": (
        ("LSTM",),
        "hx[1]",
        lambda ms, n: n(_t(ms, _X), _lstm_hx(ms, 1, lambda m: _t(m, (1, 2, 5)))),
    ),
    "hx-layers": (("GRU",), "hx", lambda ms, n: n(_t(ms, _X), _t(ms, (2, 2, 4)))),
    "hx-hidden": (("GRU",), "hx", lambda ms, n: n(_t(ms, _X), _t(ms, (1, 2, 5)))),
    # the cells
    "cell-no-hx": (("LSTMCell", "GRUCell"), None, lambda ms, n: n(_t(ms, _XC))),
    "cell-x-numpy": (("GRUCell",), None, lambda ms, n: n(np.ones(_XC, np.float32), _t(ms, _HC))),
    "cell-x-float64": (("GRUCell",), None, lambda ms, n: n(_t(ms, _XC, np.float64), _t(ms, _HC))),
    "cell-hx-tuple": (("GRUCell",), None, lambda ms, n: n(_t(ms, _XC), (_t(ms, _HC),) * 2)),
    "lstmcell-hx-tensor": (("LSTMCell",), None, lambda ms, n: n(_t(ms, _XC), _t(ms, _HC))),
    "lstmcell-hx-3": (("LSTMCell",), None, lambda ms, n: n(_t(ms, _XC), (_t(ms, _HC),) * 3)),
    "lstmcell-x-numpy": (("LSTMCell",), None, lambda ms, n: n(np.ones(_XC, np.float32), (_t(ms, _HC),) * 2)),
    "lstmcell-hx1-float64": (
        ("LSTMCell",),
        None,
        lambda ms, n: n(_t(ms, _XC), (_t(ms, _HC), _t(ms, _HC, np.float64))),
    ),
    "cell-x-features": (("GRUCell",), "x", lambda ms, n: n(_t(ms, (2, 2)), _t(ms, _HC))),
    "cell-hx-batch": (("GRUCell",), "hx", lambda ms, n: n(_t(ms, _XC), _t(ms, (3, 4)))),
    "cell-hx-float16": (("GRUCell",), "hx", lambda ms, n: n(_t(ms, _XC), _t(ms, _HC, np.float16))),
    "lstmcell-x-features": (("LSTMCell",), "x", lambda ms, n: n(_t(ms, (2, 2)), (_t(ms, _HC),) * 2)),
    "lstmcell-c-hidden": (
        ("LSTMCell",),
        "hx[1]",
        lambda ms, n: n(_t(ms, _XC), (_t(ms, _HC), _t(ms, (2, 5)))),
    ),
    "lstmcell-h-float16": (
        ("LSTMCell",),
        "hx[0]",
        lambda ms, n: n(_t(ms, _XC), (_t(ms, _HC, np.float16), _t(ms, _HC))),
    ),
}
CALL_CASES = [(c, n) for n, (classes, _, _) in BAD_CALLS.items() for c in classes]


@pytest.mark.parametrize("cls, case", CALL_CASES, ids=[f"{c}-{n}" for c, n in CALL_CASES])
def test_construct_errors_match_mindspore(cls, case):
    _, arg, call = BAD_CALLS[case]
    real = raised(lambda: call(REAL, getattr(REAL.nn, cls)(3, 4)))
    ours = raised(lambda: call(OURS, getattr(OURS.nn, cls)(3, 4)))
    assert type(ours) is type(real), (ours, real)
    if arg is None:  # MindSpore's own check: its words
        assert first_line(ours) == first_line(real)
    else:  # MindSpore fails inside an op: ours names the argument
        assert f"For '{cls}'" in str(ours) and f"'{arg}'" in str(ours), str(ours)
