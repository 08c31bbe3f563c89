"""The generated bad-input grid of MindSpore's gated RNNs (nn.LSTM, nn.GRU, nn.LSTMCell, nn.GRUCell),
with real MindSpore 2.10.0 as the oracle: same exception type, and MindSpore's own message.

The structure is tests/test_mindspore_error_grid.py's (its `Api`/`Case` machinery is reused): each row
is one valid call, each case mutates ONE argument into one bad input. The kinds here are the RNN's:
constructor arguments of wrong type or value (input_size, hidden_size, num_layers, has_bias,
batch_first, dropout, bidirectional, dtype; each constructed layer also runs one forward, so a dtype
the constructor accepts meets its first input), and construct's x of wrong type/rank/dtype/size, hx of
wrong type/shape/dtype (for the LSTM also not a tuple, the wrong length, a wrong element), seq_length of
wrong type/shape/dtype/value. The layers run in two configurations (defaults; two layers, batch_first,
bidirectional), so shape checks meet both layouts.

Real MindSpore runs the grid in a child process (this file run as a script), which also reports WHERE
each exception was raised: by MindSpore's own argument checks (nn/layer/rnns.py, rnn_cells.py,
_checkparam.py, or Python binding the call) or deep inside an op (a kernel's shape/dtype inference,
an IndexError in its own code). Asserted:

- every case where MindSpore raises: ours raises an instance of the same builtin exception type;
- MindSpore's own check: ours gives its first line word for word (up to the ``Class.__init__()``
  prefix of Python's argument errors);
- deep inside an op: ours names the class (``For 'LSTM', ...``) and the argument instead of the op's
  internals; every such row is listed in `DEEP` with what MindSpore says, so a change either way fails;
- no case where MindSpore raises and ours returns, none where ours rejects what MindSpore accepts
  (except the rows in `STRICT`, each with its reason), and no numpy/internal leak.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import traceback  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import _report  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import test_mindspore_error_grid as grid  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402

OURS = tms
HERE = os.path.abspath(__file__)


# =============================================================================================
# Argument kinds: a valid value and named bad ones (a value, or a builder taking the ms module)
# =============================================================================================
def lit(v: Any) -> grid.Build:
    return lambda ms: v


@dataclass
class Val(grid.Arg):
    """A constructor argument: the valid value and its bad values by kind."""

    value: Any = None
    bad: dict[str, grid.Build] = field(default_factory=dict)

    def valid(self, ms: Any) -> Any:
        return self.value

    def mutants(self) -> list[grid.Mutant]:
        return list(self.bad.items())


def size(v: int) -> Val:
    """input_size, hidden_size, num_layers: MindSpore's check_positive_int."""
    kinds = {"str": "abc", "float": 2.0, "bool": True, "None": None, "zero": 0, "negative": -1}
    return Val(v, {k: lit(b) for k, b in kinds.items()})


def flag(v: bool) -> Val:
    """has_bias, batch_first, bidirectional: check_value_type(bool)."""
    return Val(v, {k: lit(b) for k, b in {"str": "abc", "int": 1, "None": None, "float": 0.0}.items()})


DROPOUT = Val(
    0.0,
    {
        k: lit(b)
        for k, b in {
            "str": "abc",
            "int": 0,
            "bool": False,
            "None": None,
            "one": 1.0,
            "above-one": 1.5,
            "negative": -0.1,
            "nan": float("nan"),
            "inf": float("inf"),
        }.items()
    },
)


@dataclass
class DTypeArg(Val):
    """dtype: valid ms.float32."""

    def valid(self, ms: Any) -> Any:
        return ms.float32


DTYPE = DTypeArg(
    None,
    {
        "str": lit("abc"),
        "int": lit(1),
        "None": lit(None),
        "numpy": lit(np.float32),
        "int32": lambda ms: ms.int32,
        "bool": lambda ms: ms.bool_,
        "float64": lambda ms: ms.float64,  # valid, but not for a cell's float32 x
        "float16": lambda ms: ms.float16,
    },
)


def tensor(shape: tuple[int, ...], dtype: str = "float32") -> grid.Build:
    return lambda ms: ms.Tensor(grid.array(shape, dtype))


@dataclass
class X(grid.Arg):
    """A float32 Tensor input (x or a Tensor state) of `shape`; `bad_shapes` names the shapes that do not fit."""

    shape: tuple[int, ...] = (3, 2, 2)
    bad_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    types: tuple[str, ...] = ("str", "numpy", "list", "int")

    def valid(self, ms: Any) -> Any:
        return tensor(self.shape)(ms)

    def mutants(self) -> list[grid.Mutant]:
        s = self.shape
        wrong_type = {
            "str": lit("abc"),
            "numpy": lit(grid.array(s, "float32")),
            "list": lit(grid.array(s, "float32").tolist()),
            "int": lit(1),
            "tuple": lambda ms: (tensor(s)(ms), tensor(s)(ms)),
        }
        out = [(f"type-{k}", wrong_type[k]) for k in self.types]
        out += [(f"shape-{k}", tensor(b)) for k, b in self.bad_shapes.items()]
        out += [(f"dtype-{d}", tensor(s, d)) for d in ("int32", "float64", "float16", "bool")]
        return out


def ranks(shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    return {"rank-down": shape[1:], "rank-up": shape + (1,), "0-d": ()}


@dataclass
class Pair(grid.Arg):
    """An LSTM's (h, c): a tuple of two float32 Tensors of `shape`; `bad_shapes` as for `X`."""

    shape: tuple[int, ...] = (1, 2, 4)
    bad_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def valid(self, ms: Any) -> Any:
        return (tensor(self.shape)(ms), tensor(self.shape)(ms))

    def mutants(self) -> list[grid.Mutant]:
        s, t = self.shape, tensor(self.shape)
        out: list[grid.Mutant] = [
            ("type-str", lit("abc")),
            ("type-tensor", t),
            ("type-list", lambda ms: [t(ms), t(ms)]),
            ("len-0", lit(())),
            ("len-1", lambda ms: (t(ms),)),
            ("len-3", lambda ms: (t(ms), t(ms), t(ms))),
        ]
        for i, name in enumerate(("h", "c")):

            def put(bad: grid.Build, i: int = i) -> grid.Build:
                return lambda ms: tuple(bad(ms) if j == i else t(ms) for j in range(2))

            out += [
                (f"{name}-numpy", put(lit(grid.array(s, "float32")))),
                (f"{name}-int", put(lit(1))),
                (f"{name}-None", put(lit(None))),
            ]
            out += [(f"{name}-shape-{k}", put(tensor(b))) for k, b in self.bad_shapes.items()]
            out += [(f"{name}-dtype-{d}", put(tensor(s, d))) for d in ("int32", "float64", "float16")]
        out.append(("both-float16", lambda ms: (tensor(s, "float16")(ms), tensor(s, "float16")(ms))))
        return out


@dataclass
class SeqLength(grid.Arg):
    """seq_length: an int32 Tensor (B,) of lengths <= T."""

    batch: int = 2
    T: int = 3

    def valid(self, ms: Any) -> Any:
        return ms.Tensor(np.array([self.T, 1][: self.batch], np.int32))

    def mutants(self) -> list[grid.Mutant]:
        B, T = self.batch, self.T

        def lengths(values: list[int], dtype: str = "int32") -> grid.Build:
            return lambda ms: ms.Tensor(np.array(values, dtype))

        return [
            ("type-str", lit("abc")),
            ("type-list", lit([T] * B)),
            ("type-numpy", lit(np.array([T] * B, np.int32))),
            ("type-int", lit(T)),
            ("dtype-float32", lengths([T] * B, "float32")),
            ("dtype-int16", lengths([T] * B, "int16")),
            ("dtype-bool", lengths([True] * B, "bool")),
            ("shape-0-d", lambda ms: ms.Tensor(np.array(T, np.int32))),
            ("shape-2-D", lambda ms: ms.Tensor(np.full((B, 1), T, np.int32))),
            ("shape-batch", lengths([T] * (B + 1))),
            ("shape-empty", lengths([])),
            ("value-negative", lengths([-1] + [T] * (B - 1))),
            ("value-beyond-T", lengths([T + 2] + [T] * (B - 1))),
        ]


# =============================================================================================
# The rows
# =============================================================================================
LAYER_X = (3, 2, 2)  # (T, B, I) for a layer (2, 4)
DEEP_X = (2, 3, 2)  # (B, T, I): the two-layer, batch_first, bidirectional layer (2, 4, 2, ...)


def layer_bad_shapes(x: tuple[int, ...], batch_axis: int) -> dict[str, tuple[int, ...]]:
    more = list(x)
    more[batch_axis] += 1
    empty_t = list(x)
    empty_t[1 - batch_axis] = 0
    return {
        **ranks(x),
        "features": x[:-1] + (x[-1] + 1,),
        "batch": tuple(more),
        "empty-time": tuple(empty_t),
    }


def state_bad_shapes(h: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    out = {**ranks(h), "hidden": h[:-1] + (h[-1] + 1,), "batch": h[:-2] + (h[-2] + 1, h[-1])}
    if len(h) == 3:
        out["layers"] = (h[0] + 1,) + h[1:]
        out["fewer"] = (h[0] - 1,) + h[1:]
        if h[0] > 1:
            out["empty"] = (0,) + h[1:]
    return out


def layer_rows(name: str) -> list[grid.Api]:
    """nn.LSTM / nn.GRU: the constructor (then one forward), construct in two configurations."""

    def ctor(ms: Any, i: Any, h: Any, n: Any, b: Any, bf: Any, d: Any, bi: Any, dt: Any) -> Any:
        net = getattr(ms.nn, name)(i, h, n, b, bf, d, bi, dt)
        return net(ms.Tensor(grid.array(LAYER_X, "float32")))

    rows = [
        grid.api(
            f"nn.{name}()",
            ctor,
            i=size(2),
            h=size(4),
            n=size(1),
            b=flag(True),
            bf=flag(False),
            d=DROPOUT,
            bi=flag(False),
            dt=DTYPE,
        )
    ]
    for label, kw, x, batch_axis, states in (
        ("", {}, LAYER_X, 1, (1, 2, 4)),
        ("(2, bf, bi)", {"num_layers": 2, "batch_first": True, "bidirectional": True}, DEEP_X, 0, (4, 2, 4)),
    ):
        hx = (
            Pair(states, state_bad_shapes(states))
            if name == "LSTM"
            else X(states, state_bad_shapes(states), ("str", "numpy", "int", "tuple"))
        )
        rows.append(
            grid.api(
                f"nn.{name}{label}.construct",
                lambda ms, x, hx, sl, kw=kw: getattr(ms.nn, name)(2, 4, **kw)(x, hx, sl),
                x=X(x, layer_bad_shapes(x, batch_axis)),
                hx=hx,
                sl=SeqLength(x[batch_axis], x[1 - batch_axis]),
            )
        )
    return rows


def cell_rows(name: str) -> list[grid.Api]:
    """nn.LSTMCell / nn.GRUCell: the constructor (then one step) and construct."""

    def ctor(ms: Any, i: Any, h: Any, b: Any, dt: Any) -> Any:
        # dtype by keyword: four positional arguments are the pre-1.6 LSTMCell's, which MindSpore rejects
        cell = getattr(ms.nn, name)(i, h, b, dtype=dt)
        x, s = ms.Tensor(grid.array((3, 2), "float32")), ms.Tensor(grid.array((3, 4), "float32"))
        return cell(x, (s, s) if name == "LSTMCell" else s)

    x, h = (3, 2), (3, 4)
    x_shapes = {**ranks(x), "features": (3, 3), "batch": (4, 2), "empty": (0, 2)}
    hx = (
        Pair(h, state_bad_shapes(h))
        if name == "LSTMCell"
        else X(h, state_bad_shapes(h), X.types + ("tuple",))
    )
    return [
        grid.api(f"nn.{name}()", ctor, i=size(2), h=size(4), b=flag(True), dt=DTYPE),
        grid.api(
            f"nn.{name}.construct",
            lambda ms, x, hx: getattr(ms.nn, name)(2, 4)(x, hx),
            x=X(x, x_shapes),
            hx=hx,
        ),
    ]


APIS: list[grid.Api] = layer_rows("LSTM") + layer_rows("GRU") + cell_rows("LSTMCell") + cell_rows("GRUCell")


def cases() -> list[grid.Case]:
    return [grid.Case(a, n, k, b) for a in APIS for n, arg in a.args.items() for k, b in arg.mutants()]


# =============================================================================================
# What real MindSpore does that ours does not copy (each checked to still occur)
# =============================================================================================
# Deep in an op: for each mutation (argument=kind, over every row that has it), the op MindSpore's
# message comes from. Ours raises the same type with "For '<Class>', '<argument>' must ...".
MATMUL_RANK = "MatMul inputs should have the same dimension size and equal to 2"
MATMUL_SIZE = "For 'MatMul' the input dimensions must be equal"
MATMUL_TYPE = "For 'MatMul', the type of 'x2' should be same as 'x1'"
ADD_BATCH = "For 'AddExt', input.shape and other.shape need to broadcast"
MUL_BATCH = "For 'Mul', input1.shape and input2.shape need to broadcast"
VIEW = "proposed_shape '[const vector]"
SCALAR = "Cannot iterate over a scalar tensor."
ENTRY = "is out of bounds for dimension with size"  # fewer states than layers * directions: IndexError
REVERSE = "Invalid seq_lengths["
DEEP: dict[str, tuple[str, ...]] = {
    "dt=int32": (MATMUL_TYPE,),  # a cell's int32 weights meet a float32 x
    "dt=bool": (MATMUL_TYPE,),
    "dt=float64": (MATMUL_TYPE,),  # a cell takes no other dtype than its weights' (a layer casts them to x's)
    "dt=float16": (MATMUL_TYPE,),
    "x=shape-rank-down": (MATMUL_RANK,),
    "x=shape-rank-up": (MATMUL_RANK, "For 'Transpose', size of perm should equal to rank of x"),
    "x=shape-0-d": (MATMUL_RANK,),  # the cells (the layers read x.shape[1]: IndexError, same message)
    "x=shape-features": (MATMUL_SIZE,),
    "x=shape-batch": (ADD_BATCH,),
    "x=shape-empty": (ADD_BATCH,),
    "x=shape-empty-time": (
        "For primitive[Stack], the stack element num must be greater than or equal to 1",
        REVERSE,  # bidirectional: the lengths (3) exceed the empty sequence
    ),
    "x=dtype-float16": (MATMUL_TYPE,),  # the cells: float16 x, float32 weights
    "hx=shape-rank-down": (MATMUL_RANK,),
    "hx=shape-rank-up": (MATMUL_RANK,),
    "hx=shape-0-d": (SCALAR, MATMUL_RANK),
    "hx=shape-hidden": (MATMUL_SIZE,),
    "hx=shape-batch": (ADD_BATCH,),
    "hx=shape-layers": (VIEW,),
    "hx=dtype-float16": (MATMUL_TYPE,),
    "hx=shape-fewer": (ENTRY,),
    "hx=shape-empty": (ENTRY,),
    "hx=h-shape-fewer": (ENTRY,),
    "hx=h-shape-empty": (ENTRY,),
    "hx=c-shape-fewer": (ENTRY,),
    "hx=c-shape-empty": (ENTRY,),
    "hx=h-shape-rank-down": (MATMUL_RANK,),
    "hx=h-shape-rank-up": (MATMUL_RANK,),
    "hx=h-shape-0-d": (SCALAR, MATMUL_RANK),
    "hx=h-shape-hidden": (MATMUL_SIZE,),
    "hx=h-shape-batch": (ADD_BATCH,),
    "hx=h-shape-layers": (VIEW,),
    "hx=h-dtype-float16": (MATMUL_TYPE,),
    "hx=c-shape-rank-up": (MUL_BATCH,),
    "hx=c-shape-0-d": (SCALAR,),
    "hx=c-shape-hidden": (MUL_BATCH,),
    "hx=c-shape-batch": (MUL_BATCH,),
    "hx=c-shape-layers": (VIEW,),
    "hx=both-float16": (MATMUL_TYPE,),
    "sl=shape-2-D": (
        "For 'BroadcastTo', in order to broadcast",
        "For 'ReverseSequence', the 'seq_lengths' rank",
    ),
    "sl=value-negative": (REVERSE,),  # bidirectional only: one direction clamps, as ours does
    "sl=value-beyond-T": (REVERSE,),
}
# Deep in MindSpore with another exception type than ours: id -> what each raises and why we differ.
DIFFER: dict[str, str] = {
    "nn.LSTM(2, bf, bi).construct[hx=c-shape-rank-down]": (
        "MindSpore: IndexError 'index 2 is out of bounds for dimension with size 2' (a 2-D c0 broadcasts "
        "in layer 0, then c0[2] is read for layer 1); ours: ValueError naming hx[1] and the shape expected"
    ),
}
# Ours rejects what MindSpore accepts: id -> why.
STRICT: dict[str, str] = {
    "nn.LSTM.construct[hx=c-shape-rank-down]": (
        "MindSpore broadcasts a (batch, hidden) c0 in its one layer; ours requires (layers*dirs, batch, hidden)"
    ),
    "nn.LSTMCell.construct[hx=c-shape-rank-down]": "MindSpore broadcasts a (hidden,) c; ours requires (batch, hidden)",
    "nn.LSTMCell.construct[hx=c-shape-0-d]": "MindSpore broadcasts a scalar c; ours requires (batch, hidden)",
    "nn.LSTMCell.construct[hx=c-dtype-float16]": (
        "MindSpore promotes a float16 c against float32 weights (c' comes out float32); ours requires the "
        "weights' dtype, as for h and x"
    ),
}


# =============================================================================================
# Running: real MindSpore in a child process, ours here
# =============================================================================================
OWN_CHECKS = ("mindspore/nn/layer/rnns.py", "mindspore/nn/layer/rnn_cells.py", "mindspore/_checkparam.py")


def origin(e: BaseException) -> str:
    """'check' when MindSpore's own argument check raised (a `raise` in its RNN modules or _checkparam,
    or Python binding the call), else 'deep <file>:<line>' (an op's inference, an internal error)."""
    frames = traceback.extract_tb(e.__traceback__)
    if not frames:
        return "deep (C++)"
    inner = frames[-1]
    path = os.path.abspath(inner.filename).replace(os.sep, "/")
    if path == HERE.replace(os.sep, "/"):
        return "check"
    if path.endswith(OWN_CHECKS) and (inner.line or "").strip().startswith("raise"):
        return "check"
    return f"deep {'/'.join(path.split('/')[-2:])}:{inner.lineno}"


def outcome(e: BaseException | None) -> list[str] | None:
    return None if e is None else [grid.builtin_base(e).__name__, str(e).split("\n")[0], origin(e)]


def run_valid(a: grid.Api, ms: Any) -> BaseException | None:
    try:
        grid.force(a.call(ms, **{k: v.valid(ms) for k, v in a.args.items()}))
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return e
    return None


def real_outcomes() -> dict[str, Any]:
    """{"cases": case id -> [builtin exception name, first line, origin] or None (it returned),
    "valid": row -> the same for the row's valid call}, from real MindSpore in a child process."""
    import mindspore

    mindspore.Tensor  # noqa: B018  (without the oracle, conftest's stand-in skips the test here)
    proc = subprocess.run(
        [sys.executable, HERE, "--real"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "GLOG_v": "3"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def first_line(msg: str) -> str:
    """The first line, without Python's ``Class.__init__()`` prefix (MindSpore's class is _RNNBase's)."""
    return re.sub(r"^[\w.]+\(\) ", "", msg.split("\n")[0].strip())


def leak(e: BaseException, real: list[str] | None) -> str | None:
    frames = traceback.extract_tb(e.__traceback__)
    if frames and os.path.abspath(frames[-1].filename) == HERE:
        return None  # raised by Python binding the row's own call
    return grid.leak(e, real and grid.as_exception(real[:2]))


@dataclass
class Result:
    case: grid.Case
    real: list[str] | None  # [exception name, first line, origin]
    ours: BaseException | None

    @property
    def verdict(self) -> str:
        if self.real is None:
            return "both accept" if self.ours is None else "strict"
        if self.ours is None:
            return "silent"
        if not isinstance(self.ours, grid.builtin_base(grid.as_exception(self.real[:2]))):
            return "differ"
        if first_line(str(self.ours)) == first_line(self.real[1]):
            return "same"
        return "message" if self.real[2] == "check" else "deep"

    @property
    def key(self) -> str:
        return f"{self.case.arg}={self.case.kind}"

    @property
    def cls(self) -> str:
        return self.case.api.name.split(".")[1].split("(")[0]

    def describe(self) -> str:
        real = "returned" if self.real is None else f"{self.real[0]}: {self.real[1][:160]} [{self.real[2]}]"
        ours = (
            "returned" if self.ours is None else f"{type(self.ours).__name__}: {first_line(str(self.ours))}"
        )
        return f"{self.case.id}: MindSpore {real} | ours {ours[:200]}"


@pytest.fixture(scope="module")
def real() -> dict[str, Any]:
    return real_outcomes()


@pytest.fixture(scope="module")
def results(real: dict[str, Any]) -> list[Result]:
    all_cases = cases()
    assert sorted(real["cases"]) == sorted(c.id for c in all_cases)
    out = [Result(c, real["cases"][c.id], c.run(OURS)) for c in all_cases]
    counts = Counter(r.verdict for r in out)
    raised = sum(r.real is not None for r in out)
    leaks = sum(1 for r in out if r.ours is not None and leak(r.ours, r.real))
    _report.record(
        f"mindspore gated-RNN bad-input grid: {len(out)} cases over {len(APIS)} APIs, MindSpore raises in "
        f"{raised}: {counts['same']} same type and first line, {counts['deep']} deep in an op (same type, "
        f"ours names the argument), {counts['message']} other message, {counts['differ']} other type "
        f"(documented), {counts['silent']} silent accepts; {counts['strict']} ours rejects what MindSpore "
        f"accepts (documented); {counts['both accept']} both accept; {leaks} numpy/internal leaks"
    )
    return out


def listing(rs: list[Result]) -> str:
    return "\n".join(r.describe() for r in rs)


def test_grid_is_generated_over_every_argument(results: list[Result]) -> None:
    assert len(results) >= 400
    assert sum(r.real is not None for r in results) >= 350
    for name in ("nn.LSTM()", "nn.GRU()"):
        assert {r.case.arg for r in results if r.case.api.name == name} == set("i h n b bf d bi dt".split())


@pytest.mark.parametrize("a", APIS, ids=lambda a: a.name)
def test_valid_call_runs_on_both(a: grid.Api, real: dict[str, Any]) -> None:
    assert real["valid"][a.name] is None, (
        f"the grid's valid call is wrong about MindSpore: {real['valid'][a.name]}"
    )
    assert run_valid(a, OURS) is None


def test_same_exception_type_as_mindspore(results: list[Result]) -> None:
    bad = [r for r in results if r.verdict == "silent" or (r.verdict == "differ" and r.case.id not in DIFFER)]
    assert not bad, listing(bad)
    assert {r.case.id for r in results if r.verdict == "differ"} == set(DIFFER)


def test_same_message_where_mindspore_checks_the_argument(results: list[Result]) -> None:
    other = [r for r in results if r.verdict == "message"]
    assert not other, listing(other)
    checks = [r for r in results if r.real is not None and r.real[2] == "check"]
    assert len(checks) >= 200 and all(r.verdict == "same" for r in checks)


def test_deep_errors_are_documented_and_ours_name_the_class(results: list[Result]) -> None:
    deep = [r for r in results if r.verdict == "deep"]
    vague = [r for r in deep if not str(r.ours).startswith(f"For '{r.cls}', ")]
    assert not vague, listing(vague)
    undocumented = [r for r in deep if not any(w in r.real[1] for w in DEEP.get(r.key, ()))]
    assert not undocumented, listing(undocumented)
    assert {r.key for r in deep} == set(DEEP)  # no stale entry


def test_no_strict_rejections_but_the_documented(results: list[Result]) -> None:
    strict = [r for r in results if r.verdict == "strict"]
    assert {r.case.id for r in strict} == set(STRICT), listing(strict)


def test_no_numpy_or_internal_leaks(results: list[Result]) -> None:
    bad = [
        f"{r.describe()} <- {why}" for r in results if r.ours is not None and (why := leak(r.ours, r.real))
    ]
    assert not bad, "\n".join(bad)


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in cases()]
    assert len(ids) == len(set(ids))


def main() -> None:
    """The child process: run every case through real MindSpore, print the outcomes as one JSON line."""
    import mindspore

    mindspore.runtime.launch_blocking()
    sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it to 10000; keep the default
    valid = {a.name: outcome(run_valid(a, mindspore)) for a in APIS}
    out = {c.id: outcome(c.run(mindspore)) for c in cases()}
    print(json.dumps({"cases": out, "valid": valid}))


if __name__ == "__main__" and "--real" in sys.argv:
    main()
