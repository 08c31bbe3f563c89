"""The torch frontend's nn.LSTM / GRU / LSTMCell / GRUCell against real torch (torch is the oracle).

Both frameworks build the same module (weights copied from torch's state_dict), run the same
inputs, and every output, h_n, c_n and gradient (input, h0, c0, every parameter) is compared:
1e-5 in float32, 1e-10 in float64. Bad constructor and forward calls must raise what torch raises
(type and message). Nothing is compared against numbers produced by tinygrad_rnn itself.
"""

from __future__ import annotations

import itertools
import warnings
import zlib
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_rnn.torch as tt

TOL = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-10)}
T, B, I, H = 4, 3, 3, 4
LENGTHS = {"none": None, "sorted": [T, 3, 1], "unsorted": [2, T, 1]}


def _pair(kind: str, dtype: Any, **cfg: Any) -> tuple[Any, Any]:
    torch.manual_seed(0)
    td = torch.float32 if dtype is np.float32 else torch.float64
    t = getattr(torch.nn, kind)(I, H, dtype=td, **cfg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        o = getattr(tt.nn, kind)(I, H, dtype=getattr(tt, td.__reduce__()), **cfg)
    o.load_state_dict({k: tt.tensor(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    return t, o


def _close(a: Any, b: Any, dtype: Any, what: str) -> None:
    a, b = a.detach().numpy(), b.detach().numpy()
    assert a.shape == b.shape and a.dtype == b.dtype, (
        f"{what}: {a.shape} {a.dtype} != torch {b.shape} {b.dtype}"
    )
    np.testing.assert_allclose(a, b, err_msg=what, **TOL[dtype])


def _run(
    m: Any, mod: Any, x: np.ndarray, states: list[np.ndarray], lengths: Any, bf: bool, gs: Any, vs: Any = None
) -> dict:
    """Forward, then autograd.grad of every output against upstream gs; name -> tensor.

    With `vs` (a direction per differentiated input) the gradients are built with create_graph=True
    and the result also holds "hvp ..." entries: d/d(inputs) of sum_k <grad_k, v_k>, second derivatives.
    """
    xt = m.tensor(x.copy(), requires_grad=True)
    st = [m.tensor(s.copy(), requires_grad=True) for s in states]
    inp = xt
    if lengths is not None:
        inp = m.nn.utils.rnn.pack_padded_sequence(xt, m.tensor(lengths), batch_first=bf, enforce_sorted=False)
    hx = None if not st else (tuple(st) if len(st) == 2 else st[0])
    out, fin = mod(inp, hx)
    if lengths is not None:
        out, _ = m.nn.utils.rnn.pad_packed_sequence(out, batch_first=bf, total_length=x.shape[1 if bf else 0])
    outs = [out, *(fin if isinstance(fin, tuple) else (fin,))]
    names = [n for n, _ in mod.named_parameters()]
    wrt = [xt, *st, *(p for _, p in mod.named_parameters())]
    grads = m.autograd.grad(outs, wrt, [m.tensor(g) for g in gs(outs)], create_graph=vs is not None)
    r = dict(zip(["output", "h_n", "c_n"], outs))
    labels = ["x"] + [f"s{i}" for i in range(len(st))] + names
    r.update((f"grad {k}", g) for k, g in zip(labels, grads))
    if vs is not None:
        total = sum((g * m.tensor(v)).sum() for g, v in zip(grads, vs(wrt)))
        r.update((f"hvp {k}", g) for k, g in zip(labels, m.autograd.grad(total, wrt)))
    r["names"] = names
    return r


def _compare(
    kind: str, dtype: Any, cfg: dict, use_h0: bool, lk: str, batched: bool = True, double: bool = False
) -> None:
    t, o = _pair(kind, dtype, **cfg)
    rng = np.random.default_rng(zlib.crc32(f"{kind}{cfg}{use_h0}{lk}{dtype}".encode()))
    bf, D, L = cfg.get("batch_first", False), 1 + cfg.get("bidirectional", False), cfg.get("num_layers", 1)
    xs = ((B, T, I) if bf else (T, B, I)) if batched else (T, I)
    x = rng.uniform(-1.5, 1.5, xs).astype(dtype)
    bt = (B,) if batched else ()
    sizes = [cfg.get("proj_size") or H] + ([H] if kind == "LSTM" else [])
    states = [rng.uniform(-1, 1, (L * D, *bt, s)).astype(dtype) for s in sizes] if use_h0 else []
    cache: dict[int, list[np.ndarray]] = {}

    def gs(outs: list[Any]) -> list[np.ndarray]:
        if not cache:
            cache[0] = [rng.standard_normal(tuple(y.shape)).astype(dtype) for y in outs]
        return cache[0]

    def vs(wrt: list[Any]) -> list[np.ndarray]:
        if 1 not in cache:
            cache[1] = [rng.standard_normal(tuple(w.shape)).astype(dtype) for w in wrt]
        return cache[1]

    theirs = _run(torch, t, x, states, LENGTHS[lk], bf, gs, vs if double else None)
    ours = _run(tt, o, x, states, LENGTHS[lk], bf, gs, vs if double else None)
    assert ours.pop("names") == theirs.pop("names")
    assert ours.keys() == theirs.keys()
    for k in theirs:
        _close(ours[k], theirs[k], dtype, k)


DT = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
LSTM_GRID = list(
    itertools.product([1, 2], [True, False], [False, True], [False, True], [0, 2], [False, True], LENGTHS)
)
GRU_GRID = list(
    itertools.product([1, 2], [True, False], [False, True], [False, True], [False, True], LENGTHS)
)


@DT
@pytest.mark.parametrize("p", LSTM_GRID, ids=lambda p: "-".join(map(str, p)))
def test_lstm_matches_torch(p: tuple, dtype: Any) -> None:
    L, bias, bf, bi, proj, h0, lk = p
    cfg = dict(num_layers=L, bias=bias, batch_first=bf, bidirectional=bi, proj_size=proj)
    _compare("LSTM", dtype, cfg, h0, lk)


@DT
@pytest.mark.parametrize("p", GRU_GRID, ids=lambda p: "-".join(map(str, p)))
def test_gru_matches_torch(p: tuple, dtype: Any) -> None:
    L, bias, bf, bi, h0, lk = p
    _compare("GRU", dtype, dict(num_layers=L, bias=bias, batch_first=bf, bidirectional=bi), h0, lk)


# Second derivatives against torch's double backward (float64, 1e-10), every option combination: the
# finite-difference gradgradcheck in test_lstm_gru_torch.py covers a few cases, this covers them all.
@pytest.mark.parametrize("p", LSTM_GRID, ids=lambda p: "-".join(map(str, p)))
def test_lstm_second_derivatives_match_torch(p: tuple) -> None:
    L, bias, bf, bi, proj, h0, lk = p
    cfg = dict(num_layers=L, bias=bias, batch_first=bf, bidirectional=bi, proj_size=proj)
    _compare("LSTM", np.float64, cfg, h0, lk, double=True)


@pytest.mark.parametrize("p", GRU_GRID, ids=lambda p: "-".join(map(str, p)))
def test_gru_second_derivatives_match_torch(p: tuple) -> None:
    L, bias, bf, bi, h0, lk = p
    cfg = dict(num_layers=L, bias=bias, batch_first=bf, bidirectional=bi)
    _compare("GRU", np.float64, cfg, h0, lk, double=True)


@DT
@pytest.mark.parametrize("kind, cfg", [("LSTM", {}), ("LSTM", dict(proj_size=2, num_layers=2)), ("GRU", {})])
@pytest.mark.parametrize("h0", [False, True])
def test_unbatched_matches_torch(kind: str, cfg: dict, h0: bool, dtype: Any) -> None:
    _compare(kind, dtype, dict(cfg, bidirectional=True), h0, "none", batched=False)


@DT
@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell"])
@pytest.mark.parametrize(
    "batched, hx, bias", list(itertools.product([True, False], [False, True], [True, False]))
)
def test_cells_match_torch(kind: str, batched: bool, hx: bool, bias: bool, dtype: Any) -> None:
    t, o = _pair(kind, dtype, bias=bias)
    rng = np.random.default_rng(zlib.crc32(f"{kind}{batched}{hx}{bias}".encode()))
    bt = (B,) if batched else ()
    x = rng.uniform(-1.5, 1.5, (*bt, I)).astype(dtype)
    states = [rng.uniform(-1, 1, (*bt, H)).astype(dtype) for _ in range(2 if kind == "LSTMCell" else 1)]
    gs = [rng.standard_normal((*bt, H)).astype(dtype) for _ in states]
    res = []
    for m, mod in ((torch, t), (tt, o)):
        xt = m.tensor(x.copy(), requires_grad=True)
        st = [m.tensor(s.copy(), requires_grad=True) for s in states] if hx else []
        arg = () if not hx else ((tuple(st),) if len(st) == 2 else (st[0],))
        out = mod(xt, *arg)
        outs = list(out) if isinstance(out, tuple) else [out]
        wrt = [xt, *st, *mod.parameters()]
        res.append(outs + list(m.autograd.grad(outs, wrt, [m.tensor(g) for g in gs[: len(outs)]])))
    assert [n for n, _ in o.named_parameters()] == [n for n, _ in t.named_parameters()]
    for i, (a, b) in enumerate(zip(res[1], res[0], strict=True)):
        _close(a, b, dtype, f"result {i}")


# ---------------------------------------------------------------------------------------------
# construction: parameter names / shapes / dtypes, repr, flatten_parameters, the docstring example
# ---------------------------------------------------------------------------------------------
CONFIGS = [
    ("LSTM", (3, 4), {}),
    ("LSTM", (3, 4), dict(proj_size=2, num_layers=2)),
    ("LSTM", (3, 4, 2, False, True, 0.5, True, 3), {}),
    ("LSTM", (3, 4), dict(bias=False, proj_size=1, bidirectional=True, dtype="float64")),
    ("GRU", (3, 4), {}),
    ("GRU", (3, 4, 2, False, True, 0.5, True), {}),
    ("GRU", (3, 4), dict(num_layers=3, dtype="float64")),
    ("RNN", (3, 4, 2, "relu"), dict(bidirectional=True)),
    ("LSTMCell", (3, 4), {}),
    ("LSTMCell", (3, 4, False), dict(dtype="float64")),
    ("GRUCell", (3, 4), {}),
    ("GRUCell", (3, 4), dict(bias=False)),
]


@pytest.mark.parametrize("kind, args, kw", CONFIGS, ids=lambda v: str(v))
def test_construction_like_torch(kind: str, args: tuple, kw: dict) -> None:
    mods = []
    for m in (torch, tt):
        k = dict(kw, dtype=getattr(m, kw["dtype"])) if "dtype" in kw else kw
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mods.append(getattr(m.nn, kind)(*args, **k))
    t, o = mods
    assert repr(o) == repr(t)
    got = [(n, tuple(p.shape), str(p.dtype), p.requires_grad) for n, p in o.named_parameters()]
    assert got == [(n, tuple(p.shape), str(p.dtype), p.requires_grad) for n, p in t.named_parameters()]
    bound = 1 / np.sqrt(4)
    assert all(np.abs(p.detach().numpy()).max() <= bound for p in o.parameters())  # torch's U(-k, k)
    for a in (
        "input_size",
        "hidden_size",
        "bias",
        "num_layers",
        "batch_first",
        "bidirectional",
        "proj_size",
        "mode",
    ):
        assert getattr(o, a, None) == getattr(t, a, None), a
    if hasattr(t, "flatten_parameters"):
        assert o.flatten_parameters() is None and t.flatten_parameters() is None


def test_docstring_examples_run_by_import_swap() -> None:
    from tinygrad_rnn import torch as swapped

    for m in (torch, swapped):
        lstm = m.nn.LSTM(10, 20, 2)
        out, (h, c) = lstm(m.randn(5, 3, 10), (m.randn(2, 3, 20), m.randn(2, 3, 20)))
        assert tuple(out.shape) == (5, 3, 20) and tuple(h.shape) == tuple(c.shape) == (2, 3, 20)
        gru = m.nn.GRU(10, 20, 2)
        out, h = gru(m.randn(5, 3, 10), m.randn(2, 3, 20))
        assert tuple(out.shape) == (5, 3, 20) and tuple(h.shape) == (2, 3, 20)
        cell = m.nn.LSTMCell(10, 20)
        hx, cx = cell(m.randn(2, 3, 10)[0], (m.randn(3, 20), m.randn(3, 20)))
        assert tuple(hx.shape) == tuple(cx.shape) == (3, 20)
        assert tuple(m.nn.GRUCell(10, 20)(m.randn(3, 10)).shape) == (3, 20)


# ---------------------------------------------------------------------------------------------
# bad calls: the exception torch raises, type and message
# ---------------------------------------------------------------------------------------------
def _outcome(fn: Any, m: Any) -> tuple[str, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(m)
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return type(e).__name__, str(e)
    return "ok", ""


def _t(m: Any, *shape: int, dtype: str = "float32") -> Any:
    return m.tensor(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape).astype(dtype))


CTOR_BAD = {
    "input_size": [0, -1, 2.5, "3", None],
    "hidden_size": [0, -2, 2.5, "4"],
    "num_layers": [0, -1, 1.5],
    "bias": ["x", 1, None],
    "batch_first": [1, "no"],
    "dropout": [-0.1, 1.5, True, "a", None],
    "proj_size": [-1, 4, 5, 2.5, "a", None],
    "dtype": ["int64"],
    "extra": ["kw"],
}
CTOR_CASES = [
    (kind, name, v)
    for kind in ("LSTM", "GRU", "RNN")
    for name, vs in CTOR_BAD.items()
    for v in vs
    if not (name == "proj_size" and kind != "LSTM" and v in (-1, 4, 5))
] + [("GRU", "proj_size", 1), ("RNN", "proj_size", 0), ("LSTM", "nonlinearity", "tanh")]
CTOR_CASES += [
    (kind, name, v)
    for kind in ("LSTMCell", "GRUCell")
    for name, v in [("input_size", -1), ("input_size", 2.5), ("hidden_size", "4"), ("hidden_size", -3),
                    ("dtype", "int64"), ("extra", "kw"), ("hidden_size", None)]
]  # fmt: skip


@pytest.mark.parametrize("kind, name, v", CTOR_CASES, ids=lambda v: repr(v))
def test_constructor_errors_like_torch(kind: str, name: str, v: Any) -> None:
    def call(m: Any) -> Any:
        kw: dict[str, Any] = {"input_size": 3, "hidden_size": 4}
        if name == "dtype":
            kw["dtype"] = getattr(m, v)
        elif name == "extra":
            kw["foo"] = 1
        else:
            kw[name] = v
        return getattr(m.nn, kind)(**kw)

    want = _outcome(call, torch)
    assert want[0] != "ok", "the case must be bad for torch"
    assert _outcome(call, tt) == want


def _lstm_hx(m: Any, bad: str) -> Any:
    h, c = _t(m, 1, 2, 4), _t(m, 1, 2, 4)
    return {
        "tensor": h,
        "one": (h,),
        "three": (h, c, c),
        "none_c": (h, None),
        "ints": (1, 2),
        "h_shape": (_t(m, 1, 3, 4), c),
        "c_shape": (h, _t(m, 2, 2, 4)),
        "h_2d": (_t(m, 2, 4), c),
        "both_2d": (_t(m, 2, 4), _t(m, 2, 4)),
        "h_f64": (h.double(), c),
        "c_f64": (h, c.double()),
        "h_long": (h.long(), c),
    }[bad]


FWD_CASES = {
    **{f"lstm hx {k}": (lambda m, k=k: m.nn.LSTM(3, 4)(_t(m, 5, 2, 3), _lstm_hx(m, k))) for k in
       ("tensor", "one", "three", "none_c", "ints", "h_shape", "c_shape", "h_2d", "both_2d", "h_f64", "c_f64", "h_long")},
    "lstm proj h0 size": lambda m: m.nn.LSTM(3, 4, proj_size=2)(_t(m, 5, 2, 3), (_t(m, 1, 2, 4), _t(m, 1, 2, 4))),
    "lstm proj c0 size": lambda m: m.nn.LSTM(3, 4, proj_size=2)(_t(m, 5, 2, 3), (_t(m, 1, 2, 2), _t(m, 1, 2, 2))),
    "lstm proj h0 f64": lambda m: m.nn.LSTM(3, 4, proj_size=2)(_t(m, 5, 2, 3), (_t(m, 1, 2, 2).double(), _t(m, 1, 2, 4))),
    "lstm proj c0 f64": lambda m: m.nn.LSTM(3, 4, proj_size=2)(_t(m, 5, 2, 3), (_t(m, 1, 2, 2), _t(m, 1, 2, 4).double())),
    "lstm f64 h0 f32": lambda m: m.nn.LSTM(3, 4).double()(_t(m, 5, 2, 3).double(), (_t(m, 1, 2, 4), _t(m, 1, 2, 4).double())),
    "lstm x 4d": lambda m: m.nn.LSTM(3, 4)(_t(m, 1, 5, 2, 3)),
    "lstm x 1d": lambda m: m.nn.LSTM(3, 4)(_t(m, 3)),
    "lstm x features": lambda m: m.nn.LSTM(3, 4)(_t(m, 5, 2, 2)),
    "lstm x f64": lambda m: m.nn.LSTM(3, 4)(_t(m, 5, 2, 3).double()),
    "lstm x T0": lambda m: m.nn.LSTM(3, 4)(_t(m, 0, 2, 3)),
    "lstm unbatched hx 3d": lambda m: m.nn.LSTM(3, 4)(_t(m, 5, 3), (_t(m, 1, 2, 4), _t(m, 1, 2, 4))),
    "lstm unbatched h0 size": lambda m: m.nn.LSTM(3, 4)(_t(m, 5, 3), (_t(m, 1, 5), _t(m, 1, 4))),
    "lstm unbatched c0 size": lambda m: m.nn.LSTM(3, 4)(_t(m, 5, 3), (_t(m, 1, 4), _t(m, 2, 4))),
    "lstm batch_first h0": lambda m: m.nn.LSTM(3, 4, batch_first=True)(_t(m, 5, 2, 3), (_t(m, 1, 2, 4), _t(m, 1, 2, 4))),
    "lstm packed h0 f64": lambda m: m.nn.LSTM(3, 4)(_packed(m), (_t(m, 1, 2, 4).double(), _t(m, 1, 2, 4))),
    "lstm packed c0 f64": lambda m: m.nn.LSTM(3, 4)(_packed(m), (_t(m, 1, 2, 4), _t(m, 1, 2, 4).double())),
    "lstm packed hx tensor": lambda m: m.nn.LSTM(3, 4)(_packed(m), _t(m, 1, 2, 4)),
    "gru hx tuple": lambda m: m.nn.GRU(3, 4)(_t(m, 5, 2, 3), (_t(m, 1, 2, 4), _t(m, 1, 2, 4))),
    "gru hx size": lambda m: m.nn.GRU(3, 4)(_t(m, 5, 2, 3), _t(m, 1, 3, 4)),
    "gru hx 2d": lambda m: m.nn.GRU(3, 4)(_t(m, 5, 2, 3), _t(m, 3, 4)),
    "gru hx f64": lambda m: m.nn.GRU(3, 4)(_t(m, 5, 2, 3), _t(m, 1, 2, 4).double()),
    "gru x 4d": lambda m: m.nn.GRU(3, 4)(_t(m, 1, 5, 2, 3)),
    "gru x f64": lambda m: m.nn.GRU(3, 4)(_t(m, 5, 2, 3).double()),
    "gru x T0": lambda m: m.nn.GRU(3, 4)(_t(m, 0, 2, 3)),
    "gru unbatched hx 3d": lambda m: m.nn.GRU(3, 4)(_t(m, 5, 3), _t(m, 1, 1, 4)),
    "gru packed hx f64": lambda m: m.nn.GRU(3, 4)(_packed(m), _t(m, 1, 2, 4).double()),
    "gru packed sorted hx size": lambda m: m.nn.GRU(3, 4)(_packed(m, True), _t(m, 1, 3, 4)),
}  # fmt: skip
CELL_HX = {
    "x 3d": ((1, 2, 3), [(2, 4), (2, 4)]),
    "x 0d": ((), [(2, 4), (2, 4)]),
    "h 3d": ((2, 3), [(1, 2, 4), (2, 4)]),
    "c 3d": ((2, 3), [(2, 4), (1, 2, 4)]),
    "x features": ((2, 5), [(2, 4), (2, 4)]),
    "h batch": ((2, 3), [(3, 4), (2, 4)]),
    "c batch": ((2, 3), [(2, 4), (3, 4)]),
    "h hidden": ((2, 3), [(2, 5), (2, 4)]),
    "c hidden": ((2, 3), [(2, 4), (2, 5)]),
    "unbatched x, batched h": ((3,), [(2, 4), (2, 4)]),
    "unbatched c hidden": ((3,), [(4,), (5,)]),
    "batched x, 1d h": ((2, 3), [(4,), (4,)]),
    "batched x, 1d c": ((2, 3), [(2, 4), (4,)]),
}
for _k, (_xs, _hs) in CELL_HX.items():
    FWD_CASES[f"lstmcell {_k}"] = lambda m, xs=_xs, hs=_hs: m.nn.LSTMCell(3, 4)(
        _t(m, *xs), tuple(_t(m, *s) for s in hs)
    )
    FWD_CASES[f"grucell {_k}"] = lambda m, xs=_xs, hs=_hs: m.nn.GRUCell(3, 4)(_t(m, *xs), _t(m, *hs[0]))
FWD_CASES.update({
    "lstmcell x f64": lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3).double()),
    "lstmcell h f64": lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3), (_t(m, 2, 4).double(), _t(m, 2, 4))),
    "lstmcell x long": lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3, dtype="int64")),
    "lstmcell hx tensor": lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3), _t(m, 2, 4)),
    "lstmcell hx 3-tuple": lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3), (_t(m, 2, 4),) * 3),
    "lstmcell hx 1-tuple": lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3), (_t(m, 2, 4),)),
    "lstmcell hx (h, None)": lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3), (_t(m, 2, 4), None)),
    "lstmcell hx int": lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3), 3),
    "grucell x f64": lambda m: m.nn.GRUCell(3, 4)(_t(m, 2, 3).double()),
    "grucell h f64": lambda m: m.nn.GRUCell(3, 4)(_t(m, 2, 3), _t(m, 2, 4).double()),
    "grucell hx tuple": lambda m: m.nn.GRUCell(3, 4)(_t(m, 2, 3), (_t(m, 2, 4), _t(m, 2, 4))),
})  # fmt: skip


def _packed(m: Any, sorted_: bool = False) -> Any:
    lengths = m.tensor([5, 3] if sorted_ else [3, 5])
    return m.nn.utils.rnn.pack_padded_sequence(_t(m, 5, 2, 3), lengths, enforce_sorted=sorted_)


@pytest.mark.parametrize("case", list(FWD_CASES))
def test_forward_errors_like_torch(case: str) -> None:
    fn = FWD_CASES[case]
    want = _outcome(fn, torch)
    got = _outcome(fn, tt)
    if want[0] == "ok":  # accepted by torch (e.g. a float64 model promotes a float32 c0): ours too
        assert got == want
        return
    assert got == want


def test_accepted_promotions_match_torch() -> None:
    """What torch accepts and promotes: a float64 LSTM's c0 of another dtype; an LSTMCell's float64 c."""
    for build in (
        lambda m: m.nn.LSTM(3, 4).double()(
            _t(m, 5, 2, 3).double(), (_t(m, 1, 2, 4).double(), _t(m, 1, 2, 4))
        ),
        lambda m: m.nn.LSTMCell(3, 4)(_t(m, 2, 3), (_t(m, 2, 4), _t(m, 2, 4).double())),
    ):
        torch.manual_seed(0)
        t_out = build(torch)
        dtypes = [
            str(x.dtype) for x in (t_out[0], *(t_out[1] if isinstance(t_out[1], tuple) else (t_out[1],)))
        ]
        o_out = build(tt)
        assert [
            str(x.dtype) for x in (o_out[0], *(o_out[1] if isinstance(o_out[1], tuple) else (o_out[1],)))
        ] == dtypes
