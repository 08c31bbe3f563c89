"""torch vs MindSpore: "MindSpore: Implement the same functions as PyTorch" (the verdict of MindSpore's page
"Differences with torch.nn.RNN", where this project started), shown as tests.

- the same weights (copied by name: the two frameworks name RNN parameters identically) give the same
  outputs, h_n and gradients in tinygrad_rnn.torch and tinygrad_rnn.mindspore, and in real torch and
  real MindSpore;
- MindSpore's ``seq_length`` is torch's pack_padded_sequence -> RNN -> pad_packed_sequence path;
- weights move between the two through the converter (tinygrad_rnn.convert);
- the page's difference table, regenerated from the two frontends' signatures, is docs/differences.md's.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

import ast  # noqa: E402
import inspect  # noqa: E402
import itertools  # noqa: E402
import pathlib  # noqa: E402
import typing  # noqa: E402
from typing import Any  # noqa: E402

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402
import tinygrad_rnn.torch as ttorch  # noqa: E402
from tinygrad_rnn.convert import convert  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it to 10000; keep the default

TOL = dict(rtol=1e-5, atol=1e-5)
I, H, T, B = 2, 3, 4, 3
ROOT = pathlib.Path(__file__).resolve().parent.parent
PAIRS = [pytest.param((ttorch, tms), id="tinygrad_rnn"), pytest.param((torch, mindspore), id="real")]


def torch_order_weights(rng: np.random.Generator, L: int, bi: bool, bias: bool) -> dict[str, np.ndarray]:
    """Random weights under the (shared) parameter names, in torch's order."""
    D = 2 if bi else 1
    out = {}
    for k in range(L):
        for d in range(D):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            out["weight_ih" + sfx] = rng.uniform(-0.6, 0.6, (H, I if k == 0 else D * H)).astype(np.float32)
            out["weight_hh" + sfx] = rng.uniform(-0.6, 0.6, (H, H)).astype(np.float32)
            if bias:
                out["bias_ih" + sfx] = rng.uniform(-0.6, 0.6, (H,)).astype(np.float32)
                out["bias_hh" + sfx] = rng.uniform(-0.6, 0.6, (H,)).astype(np.float32)
    return out


def run_torch(
    th: Any, cfg: tuple, w: dict[str, np.ndarray], data: dict[str, np.ndarray], lengths: Any = None
) -> dict:
    """torch side: forward (packed when lengths are given), then backward of <out, go> + <h_n, gh>."""
    nl, bias, bf, bi, L = cfg
    rnn = th.nn.RNN(I, H, L, nonlinearity=nl, bias=bias, batch_first=bf, bidirectional=bi)
    rnn.load_state_dict({k: th.tensor(v) for k, v in w.items()})
    x = th.tensor(data["x"], requires_grad=True)
    hx = th.tensor(data["hx"], requires_grad=True)
    if lengths is None:
        out, h_n = rnn(x, hx)
    else:
        utils = th.nn.utils.rnn
        packed = utils.pack_padded_sequence(x, th.tensor(lengths), batch_first=bf, enforce_sorted=False)
        out, h_n = rnn(packed, hx)
        out, _ = utils.pad_packed_sequence(out, batch_first=bf, total_length=T)
    ((out * th.tensor(data["go"])).sum() + (h_n * th.tensor(data["gh"])).sum()).backward()
    grads = {n: p.grad.detach().numpy() for n, p in rnn.named_parameters()}
    return {
        "out": out.detach().numpy(),
        "h_n": h_n.detach().numpy(),
        "dx": x.grad.numpy(),
        "dhx": hx.grad.numpy(),
        "dw": grads,
    }


def run_mindspore(
    ms: Any, cfg: tuple, w: dict[str, np.ndarray], data: dict[str, np.ndarray], lengths: Any = None
) -> dict:
    """MindSpore side: forward with seq_length when lengths are given, value_and_grad of the same sum."""
    nl, bias, bf, bi, L = cfg
    net = ms.nn.RNN(I, H, L, has_bias=bias, batch_first=bf, bidirectional=bi, nonlinearity=nl)
    assert ms.load_param_into_net(net, {k: ms.Parameter(ms.Tensor(v), name=k) for k, v in w.items()}) == (
        [],
        [],
    )
    seq = None if lengths is None else ms.Tensor(np.asarray(lengths, np.int64))
    go, gh = ms.Tensor(data["go"]), ms.Tensor(data["gh"])

    def forward(x, hx):
        out, h_n = net(x, hx, seq)
        return (out * go).sum() + (h_n * gh).sum(), out, h_n

    weights = net.trainable_params()
    (_, out, h_n), ((dx, dhx), dws) = ms.value_and_grad(forward, (0, 1), weights, has_aux=True)(
        ms.Tensor(data["x"]), ms.Tensor(data["hx"])
    )
    grads = {p.name: g.asnumpy() for p, g in zip(weights, dws)}
    return {"out": out.asnumpy(), "h_n": h_n.asnumpy(), "dx": dx.asnumpy(), "dhx": dhx.asnumpy(), "dw": grads}


def make_data(cfg: tuple, seed: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    nl, bias, bf, bi, L = cfg
    rng = np.random.default_rng(seed)
    D = 2 if bi else 1
    xs = (B, T, I) if bf else (T, B, I)
    w = torch_order_weights(rng, L, bi, bias)
    data = {
        "x": rng.standard_normal(xs).astype(np.float32),
        "hx": rng.standard_normal((L * D, B, H)).astype(np.float32),
        "go": rng.standard_normal(xs[:2] + (D * H,)).astype(np.float32),
        "gh": rng.standard_normal((L * D, B, H)).astype(np.float32),
    }
    return w, data


def assert_same(a: dict, b: dict) -> None:
    for key in ("out", "h_n", "dx", "dhx"):
        np.testing.assert_allclose(a[key], b[key], err_msg=key, **TOL)
    assert sorted(a["dw"]) == sorted(b["dw"])  # the same parameter names on both sides
    for name in a["dw"]:
        np.testing.assert_allclose(a["dw"][name], b["dw"][name], err_msg=name, **TOL)


CONFIGS = list(itertools.product(("tanh", "relu"), (True, False), (False, True), (False, True), (1, 2, 3)))


def cfg_id(cfg: tuple) -> str:
    nl, bias, bf, bi, L = cfg
    return f"{nl}-{'bias' if bias else 'nobias'}-{'bf' if bf else 'tf'}-{'bi' if bi else 'uni'}-L{L}"


@pytest.mark.parametrize("cfg", CONFIGS, ids=[cfg_id(c) for c in CONFIGS])
def test_same_weights_same_numbers_in_both_frontends(cfg):
    w, data = make_data(cfg, CONFIGS.index(cfg))
    assert_same(run_torch(ttorch, cfg, w, data), run_mindspore(tms, cfg, w, data))


# lengths including 1 and T, unsorted (torch needs enforce_sorted=False), all >= 1 (torch rejects 0)
SEQ_CONFIGS = [c for c in CONFIGS if c[1]]  # bias on: 24 configurations


@pytest.mark.parametrize("cfg", SEQ_CONFIGS, ids=[cfg_id(c) for c in SEQ_CONFIGS])
def test_mindspore_seq_length_is_torch_pack_pad(cfg):
    w, data = make_data(cfg, 100 + SEQ_CONFIGS.index(cfg))
    lengths = [2, T, 1]
    assert_same(run_torch(ttorch, cfg, w, data, lengths), run_mindspore(tms, cfg, w, data, lengths))


@pytest.mark.parametrize(
    "cfg",
    [("tanh", True, False, True, 2), ("relu", False, True, True, 3), ("tanh", True, True, False, 1)],
    ids=cfg_id,
)
def test_real_frameworks_agree_the_same_way(cfg):
    """The claim holds for the real frameworks too (the oracle for the two tests above)."""
    w, data = make_data(cfg, 7)
    assert_same(run_torch(torch, cfg, w, data), run_mindspore(mindspore, cfg, w, data))
    assert_same(run_torch(torch, cfg, w, data, [2, T, 1]), run_mindspore(mindspore, cfg, w, data, [2, T, 1]))


@pytest.mark.parametrize("pair", PAIRS)
def test_seed_code_example_both_halves_agree_for_the_same_weights(pair):
    """The page's code example: torch RNN(2, 3, 4, nonlinearity="relu", bias=False) and MindSpore
    RNN(2, 3, 4, nonlinearity="relu", has_bias=False) print the same numbers for the same weights."""
    th, ms = pair
    rnn_t = th.nn.RNN(2, 3, 4, nonlinearity="relu", bias=False)
    x = np.array([[[3.0, 4.0]]]).astype(np.float32)
    h_0 = np.array([[[1.0, 2.0, 3]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]]]).astype(np.float32)
    out_t, hn_t = rnn_t(th.tensor(x), th.tensor(h_0))
    rnn_m = ms.nn.RNN(2, 3, 4, nonlinearity="relu", has_bias=False)
    weights = {k: ms.Parameter(ms.Tensor(v.detach().numpy()), name=k) for k, v in rnn_t.state_dict().items()}
    assert ms.load_param_into_net(rnn_m, weights) == ([], [])
    out_m, hn_m = rnn_m(ms.Tensor(x), ms.Tensor(h_0))
    np.testing.assert_allclose(out_m.asnumpy(), out_t.detach().numpy(), **TOL)
    np.testing.assert_allclose(hn_m.asnumpy(), hn_t.detach().numpy(), **TOL)


def test_converted_real_torch_weights_give_real_mindspores_numbers(tmp_path):
    """Real torch's weights -> torch-style file -> `convert --to mindspore` -> checkpoint -> real MindSpore."""
    torch.manual_seed(0)
    real_t = torch.nn.RNN(I, H, 2, bidirectional=True, batch_first=True)
    ttorch.save({k: ttorch.tensor(v.numpy()) for k, v in real_t.state_dict().items()}, str(tmp_path / "w.pt"))
    report = convert(str(tmp_path / "w.pt"), str(tmp_path / "w"), "mindspore")
    assert report["path"] == str(tmp_path / "w.ckpt")
    loaded = tms.load_checkpoint(report["path"])
    real_m = mindspore.nn.RNN(I, H, 2, bidirectional=True, batch_first=True)
    params = {k: mindspore.Parameter(mindspore.Tensor(p.asnumpy()), name=k) for k, p in loaded.items()}
    assert mindspore.load_param_into_net(real_m, params) == ([], [])
    assert list(loaded) == [p.name for p in real_m.trainable_params()]  # written in MindSpore's order
    x = np.random.default_rng(1).standard_normal((B, T, I)).astype(np.float32)
    out_t, hn_t = real_t(torch.tensor(x))
    out_m, hn_m = real_m(mindspore.Tensor(x))
    np.testing.assert_allclose(out_m.asnumpy(), out_t.detach().numpy(), **TOL)
    np.testing.assert_allclose(hn_m.asnumpy(), hn_t.detach().numpy(), **TOL)


# =============================================================================================
# the page's difference table, regenerated from the two frontends' signatures
# =============================================================================================
def constructor_parameters(cls: type) -> list[inspect.Parameter]:
    """The documented constructor parameters: an explicit signature, else the first overload with named
    parameters (real torch declares one), else the call written on the docstring's first line."""
    candidates = [cls.__init__, *typing.get_overloads(cls.__init__)]
    for fn in candidates:
        params = list(inspect.signature(fn).parameters.values())[1:]
        if params and not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
            return params
    call = ast.parse(" ".join(inspect.getdoc(cls).split(".\n")[0].split()).rstrip("."), mode="eval").body
    assert isinstance(call, ast.Call) and call.func.id == cls.__name__, "no signature to read"
    positional = [inspect.Parameter(a.id, inspect.Parameter.POSITIONAL_OR_KEYWORD) for a in call.args]
    named = [
        inspect.Parameter(k.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=ast.literal_eval(k.value))
        for k in call.keywords
    ]
    return positional + named


def input_parameters(fn: Any) -> list[inspect.Parameter]:
    return list(inspect.signature(fn).parameters.values())[1:]


def _pair(torch_params: list[inspect.Parameter], ms_params: list[inspect.Parameter]) -> list[tuple[Any, Any]]:
    """Match parameters: the same name; else one name ending in "_" + the other (bias / has_bias); else
    the same position among the unmatched ones (input / x). Rows in torch's order, MindSpore-only last."""
    ms_left = list(ms_params)
    rows: list[tuple[Any, Any]] = []
    for tp in torch_params:
        match = next((m for m in ms_left if m.name == tp.name), None)
        if match is None:
            match = next(
                (m for m in ms_left if m.name.endswith("_" + tp.name) or tp.name.endswith("_" + m.name)), None
            )
        if match is not None:
            ms_left.remove(match)
        rows.append((tp, match))
    for i, (tp, mp) in enumerate(rows):  # positional fallback
        if mp is None and i < len(ms_params) and ms_params[i] in ms_left:
            rows[i] = (tp, ms_params[i])
            ms_left.remove(ms_params[i])
    return rows + [(None, m) for m in ms_left]


def _difference(tp: Any, mp: Any) -> str:
    if tp is None:
        return "MindSpore only"
    if mp is None:
        return "PyTorch only"
    verdict = "-" if tp.name == mp.name else "same function, different name"
    notes = []
    if mp.kind == mp.KEYWORD_ONLY and tp.kind != tp.KEYWORD_ONLY:
        notes.append("keyword-only in MindSpore")
    if tp.default is not tp.empty and mp.default is not mp.empty and repr(tp.default) != repr(mp.default):
        notes.append(f"default {tp.default!r} vs {mp.default!r}")
    return verdict + (f" ({'; '.join(notes)})" if notes else "")


def difference_table() -> str:
    """The markdown table docs/differences.md shows."""
    lines = [
        "| Categories | Subcategories | PyTorch | MindSpore | Difference |",
        "| --- | --- | --- | --- | --- |",
    ]
    sections = [
        ("Parameters", constructor_parameters(ttorch.nn.RNN), constructor_parameters(tms.nn.RNN)),
        ("Inputs", input_parameters(ttorch.nn.RNN.forward), input_parameters(tms.nn.RNN.construct)),
    ]
    for category, tps, mps in sections:
        for k, (tp, mp) in enumerate(_pair(tps, mps), 1):
            lines.append(
                f"| {category if k == 1 else ''} | {k} | {tp.name if tp else '-'} | {mp.name if mp else '-'} | "
                f"{_difference(tp, mp)} |"
            )
    return "\n".join(lines)


def test_difference_table_in_docs_is_regenerated_from_the_signatures():
    page = (ROOT / "docs" / "differences.md").read_text()
    start = page.index("<!-- table: generated -->") + len("<!-- table: generated -->")
    end = page.index("<!-- /table -->")
    assert page[start:end].strip() == difference_table()


def test_frontend_signatures_are_the_real_frameworks():
    """The signatures the table is generated from are real torch's and real MindSpore's."""
    ours_t = [(p.name, p.default) for p in constructor_parameters(ttorch.nn.RNN)]
    real_t = [(p.name, p.default) for p in constructor_parameters(torch.nn.RNN)]
    assert ours_t == real_t
    assert [p.name for p in input_parameters(ttorch.nn.RNN.forward)] == [
        p.name for p in input_parameters(torch.nn.RNN.forward)
    ]
    # real MindSpore: RNN(*args, **kwargs) pops `nonlinearity`, the rest is _RNNBase(mode, ...)
    base = inspect.signature(mindspore.nn.layer.rnns._RNNBase.__init__).parameters
    real_m = [(n, p.default) for n, p in list(base.items())[2:]] + [("nonlinearity", "tanh")]
    ours_m = [(p.name, p.default) for p in constructor_parameters(tms.nn.RNN)]
    assert [n for n, _ in ours_m] == [n for n, _ in real_m]
    assert [repr(d) for _, d in ours_m] == [repr(d) for _, d in real_m]
    assert [p.name for p in input_parameters(tms.nn.RNN.construct)] == list(
        inspect.signature(mindspore.nn.layer.rnns._RNNBase.construct).parameters
    )[1:]


def test_seed_table_rows_are_reproduced():
    """The seed's rows (names and "-" / "same function, different name"), as regenerated; the one row the
    signatures contradict is the seed's "h_0": torch's forward parameter is named hx (h_0 is only the
    name in torch's docs; rnn(x, h_0=h) is a TypeError, anchor_behaviour.md)."""
    rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in difference_table().splitlines()[2:]]
    got = {(r[2], r[3]): r[4].split(" (")[0] for r in rows}
    seed = {
        ("input_size", "input_size"): "-",
        ("hidden_size", "hidden_size"): "-",
        ("num_layers", "num_layers"): "-",
        ("nonlinearity", "nonlinearity"): "-",
        ("bias", "has_bias"): "same function, different name",
        ("batch_first", "batch_first"): "-",
        ("dropout", "dropout"): "-",
        ("bidirectional", "bidirectional"): "-",
        ("input", "x"): "same function, different name",
        ("hx", "hx"): "-",  # the seed: ("h_0", "hx"), "same function, different name"
        ("-", "seq_length"): "MindSpore only",
    }
    for key, diff in seed.items():
        assert got.get(key) == diff, key
    assert "| nonlinearity | nonlinearity | - (keyword-only in MindSpore) |" in difference_table()
