"""The generated bad-input grid of the torch API: every public API x every bad-input kind, vs real torch.

Each row of `ROWS` is one API the frontend exports, with the arguments of ONE valid call and each
argument's *kind* ("t" a float tensor, "dim", "int", "str", "params", ...). The grid mutates one
argument at a time into each bad input its kind has (wrong type, wrong value, wrong shape, wrong
dtype, empty, 0-d: `MUTATIONS`) and runs the same call through real torch and through
tinygrad_rnn.torch. Every case is classified:

* same      - both raise, the same exception type
* differ    - both raise, different types
* silent    - torch raises, ours returns a result
* rejects   - ours raises where torch accepts
* leak      - ours raises with numpy's or a Python internal message (or from numpy's code)

Targets (asserted): >= 98% `same` among the cases where torch raises, 0 `leak`, 0 `silent`.
The counts are printed at the end of the run (tests/_report.py). The valid call of every row must
run on both (so a row that is wrong about torch fails loudly), and every name the frontend exports
must have a row or a stated reason to have none (`NOT_IN_GRID`).
"""

from __future__ import annotations

import math
import operator
import os
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import _report
import numpy as np
import pytest
import torch

import tinygrad_rnn
import tinygrad_rnn.torch as tt

PKG = os.path.dirname(os.path.abspath(tinygrad_rnn.__file__)) + os.sep


# ---------------------------------------------------------------------------------------------
# value specs: built once per framework (the same spec object gives the same object in one call)
# ---------------------------------------------------------------------------------------------
class Spec:
    def build(self, m: Any, memo: dict[int, Any]) -> Any:
        raise NotImplementedError


def _values(shape: tuple[int, ...], dtype: str, hi: int) -> np.ndarray:
    n = int(np.prod(shape))
    if dtype == "bool":
        return (np.arange(n) % 2 == 0).reshape(shape)
    if dtype.startswith("int"):
        return (np.arange(n) % hi).astype(dtype).reshape(shape)
    return np.linspace(0.5, 1.5, n).astype(dtype).reshape(shape)


@dataclass(frozen=True, eq=False)
class T(Spec):
    """A tensor: float32 values in [0.5, 1.5] by default; ints are arange % hi."""

    shape: tuple[int, ...] = (2, 3)
    dtype: str = "float32"
    hi: int = 3
    grad: bool = False
    nonleaf: bool = False
    param: bool = False
    with_grad: bool = False

    def build(self, m, memo):
        t = m.tensor(_values(self.shape, self.dtype, self.hi))
        if self.param:
            t = m.nn.Parameter(t)
        elif self.grad or self.nonleaf:
            t.requires_grad_(True)
        if self.nonleaf:
            t = t * 2
        if self.with_grad:
            t.grad = m.ones_like(t)
        return t


@dataclass(frozen=True, eq=False)
class Build(Spec):
    """Anything else: fn(m) builds it (modules, optimisers, packed sequences, numpy arrays)."""

    fn: Callable[[Any], Any]
    label: str = ""

    def build(self, m, memo):
        return self.fn(m)


def build(v: Any, m: Any, memo: dict[int, Any]) -> Any:
    if isinstance(v, Spec):
        if id(v) not in memo:
            memo[id(v)] = v.build(m, memo)
        return memo[id(v)]
    if isinstance(v, list):
        return [build(x, m, memo) for x in v]
    if isinstance(v, tuple):
        return tuple(build(x, m, memo) for x in v)
    if isinstance(v, dict):
        return {k: build(x, m, memo) for k, x in v.items()}
    return v


# ---------------------------------------------------------------------------------------------
# bad inputs per argument kind
# ---------------------------------------------------------------------------------------------
def _tensor_shapes(s: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    out = []
    if s:
        out.append(("shape", s[:-1] + (s[-1] + 2,)))
    out.append(("shape", s + (2,)))
    if len(s) >= 2:
        out.append(("shape", s[1:]))
    out.append(("empty", (0,) + s[1:]))
    if s:
        out.append(("0-d", ()))
    return out


def mut_tensor(v: T) -> list[tuple[str, Any]]:
    """Float tensors: another type, integer / bool / float64 dtype, other shapes, empty, 0-d."""
    out: list[tuple[str, Any]] = [
        ("type", "x"),
        ("type", [0.5, 1.0]),
        ("type", None),
        ("dtype", replace(v, dtype="int64", grad=False, nonleaf=False, param=False, with_grad=False)),
        ("dtype", replace(v, dtype="bool", grad=False, nonleaf=False, param=False, with_grad=False)),
        ("dtype", replace(v, dtype="float64")),
    ]
    return out + [(k, replace(v, shape=s)) for k, s in _tensor_shapes(v.shape)]


def mut_index(v: T) -> list[tuple[str, Any]]:
    """Integer tensors (indices, class targets): floats, out of range, other shapes, empty, 0-d."""
    out: list[tuple[str, Any]] = [
        ("type", "x"),
        ("type", None),
        ("dtype", replace(v, dtype="float32")),
        ("value", Build(lambda m, v=v: m.tensor(_values(v.shape, "int64", v.hi) + v.hi + 5), "too big")),
        ("value", Build(lambda m, v=v: m.tensor(_values(v.shape, "int64", v.hi) - v.hi - 5), "negative")),
    ]
    return out + [(k, replace(v, shape=s)) for k, s in _tensor_shapes(v.shape)]


def mut_mask(v: T) -> list[tuple[str, Any]]:
    """Boolean masks: other dtypes and shapes."""
    out: list[tuple[str, Any]] = [
        ("type", "x"),
        ("type", None),
        ("dtype", replace(v, dtype="float32")),
        ("dtype", replace(v, dtype="int64")),
    ]
    return out + [(k, replace(v, shape=s)) for k, s in _tensor_shapes(v.shape)]


MUTATIONS: dict[str, Callable[[Any], list[tuple[str, Any]]]] = {
    "t": mut_tensor,
    "i": mut_index,
    "mask": mut_mask,
    "dim": lambda v: [("type", 1.5), ("type", "a"), ("value", 5), ("value", -6)],
    "dimn": lambda v: [("type", 1.5), ("type", "a"), ("value", 5), ("value", -6)],  # None is valid
    "int": lambda v: [("type", 1.5), ("type", "a"), ("type", None), ("value", 0), ("value", -1)],
    "num": lambda v: [("type", "a"), ("type", [1.0, 2.0]), ("value", math.nan), ("0-d", T(()))],
    "hyper": lambda v: [("type", "a"), ("type", None), ("value", -1.0), ("value", math.nan)],
    "prob": lambda v: [("type", "a"), ("type", None), ("value", -0.5), ("value", 1.5)],
    "bool": lambda v: [("type", "yes"), ("type", 2)],
    "str": lambda v: [("value", "bogus"), ("type", 1), ("type", None)],
    "size": lambda v: [
        ("value", (-2,) + tuple(v[1:])),
        ("type", (2.5,) + tuple(v[1:])),
        ("type", "a"),
        ("type", None),
        ("value", tuple(2 * s for s in v)),
    ],
    "perm": lambda v: [
        ("value", (0, 0, 1)),
        ("value", (0, 1)),
        ("value", (0, 1, 5)),
        ("type", "a"),
        ("type", (0.5, 1, 2)),
    ],
    "tensors": lambda v: [
        ("empty", []),
        ("type", "x"),
        ("type", v[0]),
        ("type", [v[0], "x"]),
        ("shape", [v[0], replace(v[1], shape=v[1].shape[:-1] + (v[1].shape[-1] + 2,))]),
        ("shape", [v[0], replace(v[1], shape=v[1].shape + (2,))]),
        ("dtype", [v[0], replace(v[1], dtype="int64")]),
        ("0-d", [replace(x, shape=()) for x in v]),
    ],
    "params": lambda v: [
        ("type", v[0]),  # a bare tensor, not an iterable of them
        ("empty", []),
        ("type", "x"),
        ("type", [1.0, 2.0]),
        ("value", [T((2, 3), nonleaf=True)]),
        ("value", [v[0], v[0]]),
        ("value", [{"params": [v[0]]}, {"params": [v[0]]}]),
        ("value", [{"lr": 0.1}]),
    ],
    "grads": lambda v: [("type", "x"), ("type", None), ("type", [1.0]), ("empty", [])],
    "obj": lambda v: [("type", "x"), ("type", None), ("type", 3)],
    "lens": lambda v: [
        ("value", [v[1], v[0]] + list(v[2:])),
        ("value", list(v[:-1]) + [0]),
        ("value", [v[0] + 3] + list(v[1:])),
        ("type", "x"),
        ("shape", list(v) + [1]),
        ("dtype", [float(x) for x in v]),
        ("empty", []),
    ],
    "nd": lambda v: [("type", [1.0, 2.0]), ("type", "x"), ("type", None), ("type", T((2,)))],
    "data": lambda v: [
        ("value", [[1.0, 2.0], [3.0]]),
        ("type", None),
        ("type", {"a": 1}),
        ("type", object()),
    ],
    "name": lambda v: [("value", "bogus"), ("value", "a.b.c"), ("type", 1), ("type", None)],
    "dtype": lambda v: [("type", "float32"), ("type", 3), ("value", "bogus")],
}


# ---------------------------------------------------------------------------------------------
# the APIs: one valid call each, with every argument's kind
# ---------------------------------------------------------------------------------------------
@dataclass
class Row:
    name: str
    fn: Callable[..., Any]
    args: list[tuple[str, Any]] = field(default_factory=list)


ROWS: list[Row] = []


def row(name: str, fn: Callable[..., Any], *args: tuple[str, Any]) -> None:
    ROWS.append(Row(name, fn, list(args)))


def t(*shape: int, **kw: Any) -> tuple[str, T]:
    return ("t", T(shape, **kw))


def idx(*shape: int, hi: int = 3) -> tuple[str, T]:
    return ("i", T(shape, "int64", hi))


def mask(*shape: int) -> tuple[str, T]:
    return ("mask", T(shape, "bool"))


def k(kind: str, v: Any) -> tuple[str, Any]:
    return (kind, v)


def fn_and_method(name: str, *args: tuple[str, Any], fname: str | None = None) -> None:
    """torch.<name>(input, ...) and input.<name>(...): two rows."""
    row(f"torch.{fname or name}", lambda m, *a: getattr(m, fname or name)(*a), *args)
    row(f"Tensor.{name}", lambda m, x, *a: getattr(x, name)(*a), *args)


# -- elementwise and reductions -----------------------------------------------------------------
for _n in ("abs", "exp", "log", "sqrt", "neg", "square", "tanh", "relu", "sigmoid"):
    fn_and_method(_n, t(2, 3))
for _n in ("sum", "mean", "amax", "amin", "argmax", "argmin", "max", "min", "softmax", "log_softmax"):
    fn_and_method(_n, t(2, 3), k("dim", 1))
fn_and_method("sort", t(2, 3), k("dim", 1))
fn_and_method("topk", t(2, 3), k("int", 2), k("dim", 1))
fn_and_method("unbind", t(2, 3), k("dim", 1))
fn_and_method("squeeze", t(2, 1), k("dim", 1))
fn_and_method("unsqueeze", t(2, 3), k("dim", 1))
fn_and_method("flatten", t(2, 3, 4), k("dim", 0), k("dim", 1))
fn_and_method("transpose", t(2, 3), k("dim", 0), k("dim", 1))
fn_and_method("t", t(2, 3))
fn_and_method("permute", t(2, 3, 4), k("perm", (2, 0, 1)))
fn_and_method("reshape", t(2, 3), k("size", (3, 2)))
fn_and_method("chunk", t(4, 3), k("int", 2), k("dim", 0))
fn_and_method("split", t(4, 3), k("int", 2), k("dim", 0))
fn_and_method("index_select", t(3, 4), k("dim", 0), idx(2))
fn_and_method("clamp", t(2, 3), k("num", 0.7), k("num", 1.2))
fn_and_method("clip", t(2, 3), k("num", 0.7), k("num", 1.2))
fn_and_method("pow", t(2, 3), k("num", 2.0))
fn_and_method("remainder", t(2, 3), k("num", 2.0))
fn_and_method("masked_fill", t(2, 3), mask(2, 3), k("num", 0.0))
fn_and_method("allclose", t(2, 3), t(2, 3))
fn_and_method("equal", t(2, 3), t(2, 3))
fn_and_method("dot", t(3), t(3))
fn_and_method("mm", t(2, 3), t(3, 4))
fn_and_method("matmul", t(2, 3), t(3, 4))
row("torch.bmm", lambda m, a, b: m.bmm(a, b), t(2, 2, 3), t(2, 3, 4))
row("torch.maximum", lambda m, a, b: m.maximum(a, b), t(2, 3), t(2, 3))
row("torch.minimum", lambda m, a, b: m.minimum(a, b), t(2, 3), t(2, 3))
row("torch.isclose", lambda m, a, b: m.isclose(a, b), t(2, 3), t(2, 3))
row("torch.where", lambda m, c, a, b: m.where(c, a, b), mask(2, 3), t(2, 3), t(2, 3))
row("torch.numel", lambda m, x: m.numel(x), t(2, 3))
row("torch.is_tensor", lambda m, x: m.is_tensor(x), t(2, 3))
for _n in ("cat", "concat", "concatenate", "stack"):
    row(
        f"torch.{_n}",
        lambda m, ts, d, n=_n: getattr(m, n)(ts, d),
        k("tensors", [T((2, 3)), T((2, 3))]),
        k("dim", 0),
    )
row("torch.split(sizes)", lambda m, x, s: m.split(x, s), t(4, 3), k("size", (1, 3)))

# -- operators ---------------------------------------------------------------------------------
# through the operator (a + b), not a.__add__(b): Python's NotImplemented protocol is part of the API
for _op in ("add", "sub", "mul", "truediv", "mod", "pow"):
    row(f"Tensor.__{_op}__", lambda m, a, b, op=_op: getattr(operator, op)(a, b), t(2, 3), t(2, 3))
    row(
        f"Tensor.__{_op}__(scalar)",
        lambda m, a, b, op=_op: getattr(operator, op)(a, b),
        t(2, 3),
        k("num", 2.0),
    )
row("Tensor.__matmul__", lambda m, a, b: a @ b, t(2, 3), t(3, 4))
row("Tensor.__getitem__(int)", lambda m, x, i: x[i], t(2, 3), k("dim", 1))
row("Tensor.__getitem__(tuple)", lambda m, x, i, j: x[i, j], t(2, 3), k("dim", 1), k("dim", 2))
row("Tensor.__getitem__(tensor)", lambda m, x, i: x[i], t(3, 4), idx(2))
row("Tensor.__getitem__(mask)", lambda m, x, i: x[i], t(2, 3), mask(2, 3))


def _setitem(m: Any, x: Any, i: Any, v: Any) -> Any:
    x[i] = v
    return x


row("Tensor.__setitem__", _setitem, t(2, 3), k("dim", 1), t(3))
row("Tensor.__iadd__", lambda m, a, b: operator.iadd(a, b), t(2, 3), t(2, 3))

# -- Tensor methods ------------------------------------------------------------------------------
for _n in ("add_", "sub_", "mul_", "div_", "copy_"):
    row(f"Tensor.{_n}", lambda m, a, b, n=_n: getattr(a, n)(b), t(2, 3), t(2, 3))
row("Tensor.fill_", lambda m, a, v: a.fill_(v), t(2, 3), k("num", 2.0))
row("Tensor.clamp_", lambda m, a, lo, hi: a.clamp_(lo, hi), t(2, 3), k("num", 0.7), k("num", 1.2))
row("Tensor.uniform_", lambda m, a, lo, hi: a.uniform_(lo, hi), t(2, 3), k("num", 0.0), k("num", 1.0))
row("Tensor.normal_", lambda m, a, mu, sd: a.normal_(mu, sd), t(2, 3), k("num", 0.0), k("hyper", 1.0))
row("Tensor.zero_", lambda m, a: a.zero_(), t(2, 3))
row("Tensor.expand", lambda m, a, s: a.expand(s), t(1, 3), k("size", (2, 3)))
row("Tensor.expand_as", lambda m, a, b: a.expand_as(b), t(1, 3), t(2, 3))
row("Tensor.view", lambda m, a, s: a.view(s), t(2, 3), k("size", (3, 2)))
row("Tensor.view_as", lambda m, a, b: a.view_as(b), t(2, 3), t(3, 2))
row("Tensor.reshape_as", lambda m, a, b: a.reshape_as(b), t(2, 3), t(3, 2))
row("Tensor.repeat", lambda m, a, s: a.repeat(s), t(2, 3), k("size", (2, 1)))
row("Tensor.swapaxes", lambda m, a, i, j: a.swapaxes(i, j), t(2, 3), k("dim", 0), k("dim", 1))
row("Tensor.swapdims", lambda m, a, i, j: a.swapdims(i, j), t(2, 3), k("dim", 0), k("dim", 1))
row("Tensor.size", lambda m, a, d: a.size(d), t(2, 3), k("dim", 1))
row("Tensor.new_zeros", lambda m, a, s: a.new_zeros(s), t(2, 3), k("size", (2, 3)))
row("Tensor.new_ones", lambda m, a, s: a.new_ones(s), t(2, 3), k("size", (2, 3)))
row("Tensor.new_tensor", lambda m, a, d: a.new_tensor(d), t(2, 3), k("data", [1.0, 2.0]))
row("Tensor.to", lambda m, a, d: a.to(d), t(2, 3), k("dtype", Build(lambda m: m.float64)))
row("Tensor.type", lambda m, a, d: a.type(d), t(2, 3), k("dtype", Build(lambda m: m.float64)))
row("Tensor.requires_grad_", lambda m, a, b: a.requires_grad_(b), t(2, 3), k("bool", True))
row("Tensor.item", lambda m, a: a.item(), t(1))
row("Tensor.tolist", lambda m, a: a.tolist(), t(2, 3))
row("Tensor.numpy", lambda m, a: a.numpy(), t(2, 3))
row("Tensor.dim", lambda m, a: a.dim(), t(2, 3))
row("Tensor.numel", lambda m, a: a.numel(), t(2, 3))
row("Tensor.detach", lambda m, a: a.detach(), t(2, 3))
row("Tensor.clone", lambda m, a: a.clone(), t(2, 3))
row("Tensor.float", lambda m, a: a.float(), t(2, 3))
row("Tensor.double", lambda m, a: a.double(), t(2, 3))
row("Tensor.long", lambda m, a: a.long(), t(2, 3))
for _n in (
    "contiguous",
    "cpu",
    "element_size",
    "is_contiguous",
    "is_floating_point",
    "ndimension",
    "nelement",
):
    row(f"Tensor.{_n}", lambda m, a, n=_n: getattr(a, n)(), t(2, 3))
row("Tensor.narrow", lambda m, a, d, s, n: a.narrow(d, s, n), t(2, 3), k("dim", 1), k("int", 0), k("int", 2))
row("Tensor.new", lambda m, a, s: a.new(s), t(2, 3), k("size", (2, 3)))
row("Tensor.new(data)", lambda m, a, d: a.new(d), t(2, 3), k("data", [1.0, 2.0]))
row("Tensor.new_empty", lambda m, a, s: a.new_empty(s).shape, t(2, 3), k("size", (2, 3)))
row("Tensor.new_full", lambda m, a, s, v: a.new_full(s, v), t(2, 3), k("size", (2, 3)), k("num", 0.5))
fn_and_method("repeat_interleave", t(2, 3), k("int", 2), k("dim", 1))
row("Tensor.repeat_interleave(tensor)", lambda m, a, r: a.repeat_interleave(r, 0), t(2, 3), idx(2))
row("Tensor.random_", lambda m, a, lo, hi: a.random_(lo, hi).shape, t(2, 3), k("int", 0), k("int", 5))
row("Tensor.retain_grad", lambda m, a: a.retain_grad(), t(2, 3, nonleaf=True))
row("Tensor.detach_", lambda m, a: a.detach_(), t(2, 3, nonleaf=True))
# the memory-format objects, through the methods that take them
row(
    "Tensor.to(memory_format)",
    lambda m, a, f: a.to(memory_format=f),
    t(2, 3, 4, 5),
    k("obj", Build(lambda m: m.contiguous_format, "contiguous_format")),
)
row(
    "Tensor.clone(memory_format)",
    lambda m, a, f: a.clone(memory_format=f),
    t(2, 3, 4, 5),
    k("obj", Build(lambda m: m.preserve_format, "preserve_format")),
)
row("Tensor.backward", lambda m, a, g: a.backward(g), t(2, 3, nonleaf=True), t(2, 3))
row("Tensor.backward(scalar)", lambda m, a: a.sum().backward(), t(2, 3, nonleaf=True))

# -- factories ---------------------------------------------------------------------------------
for _n in ("zeros", "ones", "empty", "rand", "randn"):
    row(f"torch.{_n}", lambda m, s, n=_n: getattr(m, n)(s), k("size", (2, 3)))
    row(
        f"torch.{_n}(dtype)",
        lambda m, d, n=_n: getattr(m, n)(2, dtype=d),
        k("dtype", Build(lambda m: m.float64)),
    )
for _n in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
    row(f"torch.{_n}", lambda m, x, n=_n: getattr(m, n)(x), t(2, 3))
row("torch.full", lambda m, s, v: m.full(s, v), k("size", (2, 3)), k("num", 1.5))
row("torch.full_like", lambda m, x, v: m.full_like(x, v), t(2, 3), k("num", 1.5))
row("torch.arange", lambda m, a, b, c: m.arange(a, b, c), k("num", 0), k("num", 10), k("num", 2))
row("torch.linspace", lambda m, a, b, n: m.linspace(a, b, n), k("num", 0.0), k("num", 1.0), k("int", 5))
row("torch.eye", lambda m, n: m.eye(n), k("int", 3))
row("torch.randint", lambda m, lo, hi, s: m.randint(lo, hi, s), k("num", 0), k("num", 5), k("size", (3,)))
row("torch.randperm", lambda m, n: m.randperm(n), k("int", 5))
row("torch.tensor", lambda m, d: m.tensor(d), k("data", [[1.0, 2.0], [3.0, 4.0]]))
row("torch.tensor(dtype)", lambda m, d: m.tensor([1, 2], dtype=d), k("dtype", Build(lambda m: m.float64)))
row("torch.as_tensor", lambda m, d: m.as_tensor(d), k("data", [[1.0, 2.0], [3.0, 4.0]]))
row("torch.from_numpy", lambda m, a: m.from_numpy(a), k("nd", Build(lambda m: np.ones((2, 3), np.float32))))
row("torch.Tensor", lambda m, d: m.Tensor(d), k("data", [[1.0, 2.0], [3.0, 4.0]]))
for _n, _data in (
    ("FloatTensor", [[1.0, 2.0], [3.0, 4.0]]),
    ("DoubleTensor", [[1.0, 2.0], [3.0, 4.0]]),
    ("HalfTensor", [[1.0, 2.0], [3.0, 4.0]]),
    ("LongTensor", [[1, 2], [3, 4]]),
    ("IntTensor", [[1, 2], [3, 4]]),
    ("ShortTensor", [[1, 2], [3, 4]]),
    ("CharTensor", [[1, 2], [3, 4]]),
    ("ByteTensor", [[1, 2], [3, 4]]),
    ("BoolTensor", [[True, False], [False, True]]),
):
    row(f"torch.{_n}", lambda m, d, n=_n: getattr(m, n)(d), k("data", _data))
    row(f"torch.{_n}(sizes)", lambda m, a, b, n=_n: getattr(m, n)(a, b), k("int", 2), k("int", 3))
    row(f"torch.{_n}(size)", lambda m, s, n=_n: getattr(m, n)(s), k("size", (2, 3)))
row("torch.manual_seed", lambda m, s: m.manual_seed(s), k("int", 3))
row("torch.set_grad_enabled", lambda m, b: m.set_grad_enabled(b).__exit__(None, None, None), k("bool", True))
row("torch.inference_mode", lambda m, b: m.inference_mode(b), k("bool", True))
row("torch.device", lambda m, s: m.device(s), k("str", "cpu"))


def _printoptions(m: Any, p: Any) -> None:
    try:
        m.set_printoptions(precision=p)
    finally:  # global state: the rest of the test run prints with the defaults
        m.set_printoptions(profile="default", sci_mode=None)


row("torch.set_printoptions", _printoptions, k("int", 4))


def _default_dtype(m: Any, d: Any) -> None:
    try:
        m.set_default_dtype(d)
    finally:  # global state: the rest of the test run has float32 as the default
        m.set_default_dtype(m.float32)


row("torch.set_default_dtype", _default_dtype, k("dtype", Build(lambda m: m.float64)))

# -- torch.nn.functional -------------------------------------------------------------------------
for _n in ("relu", "tanh", "sigmoid"):
    row(f"F.{_n}", lambda m, x, n=_n: getattr(m.nn.functional, n)(x), t(2, 3))
for _n in ("softmax", "log_softmax"):
    row(f"F.{_n}", lambda m, x, d, n=_n: getattr(m.nn.functional, n)(x, d), t(2, 3), k("dim", 1))
row("F.linear", lambda m, x, w, b: m.nn.functional.linear(x, w, b), t(2, 3), t(4, 3), t(4))
row(
    "F.dropout",
    lambda m, x, p, tr: m.nn.functional.dropout(x, p, tr),
    t(2, 3),
    k("prob", 0.5),
    k("bool", True),
)
row(
    "F.mse_loss",
    lambda m, a, b, r: m.nn.functional.mse_loss(a, b, reduction=r),
    t(2, 3),
    t(2, 3),
    k("str", "mean"),
)
row(
    "F.cross_entropy",
    lambda m, a, y, r: m.nn.functional.cross_entropy(a, y, reduction=r),
    t(2, 3),
    idx(2),
    k("str", "mean"),
)
row("F.cross_entropy(probs)", lambda m, a, y: m.nn.functional.cross_entropy(a, y), t(2, 3), t(2, 3))
row(
    "F.nll_loss",
    lambda m, a, y, w, i, r: m.nn.functional.nll_loss(a, y, w, ignore_index=i, reduction=r),
    t(4, 3),
    idx(4),
    t(3),
    k("int", 1),
    k("str", "mean"),
)
row("F.embedding", lambda m, x, w: m.nn.functional.embedding(x, w), idx(2, 3, hi=5), t(5, 3))
row(
    "F.embedding(padding_idx)",
    lambda m, x, w, p: m.nn.functional.embedding(x, w, p),
    idx(2, 3, hi=5),
    t(5, 3),
    k("dim", 1),
)
row("F.one_hot", lambda m, x, n: m.nn.functional.one_hot(x, n), idx(4, hi=3), k("int", 3))

# -- torch.nn modules: constructors and forward ---------------------------------------------------
LIN = Build(lambda m: m.nn.Linear(3, 4), "Linear(3, 4)")
RNN = Build(lambda m: m.nn.RNN(3, 4), "RNN(3, 4)")
CELL = Build(lambda m: m.nn.RNNCell(3, 4), "RNNCell(3, 4)")
row("nn.Linear", lambda m, i, o, b: m.nn.Linear(i, o, b), k("int", 3), k("int", 4), k("bool", True))
row("nn.Linear.forward", lambda m, mod, x: mod(x), k("obj", LIN), t(2, 3))
row(
    "nn.RNN",
    lambda m, i, h, n, nl, b, bf, dr, bd: m.nn.RNN(i, h, n, nl, b, bf, dr, bd),
    k("int", 3),
    k("int", 4),
    k("int", 2),
    k("str", "tanh"),
    k("bool", True),
    k("bool", False),
    k("prob", 0.5),
    k("bool", False),
)
row("nn.RNN.forward", lambda m, mod, x, h: mod(x, h), k("obj", RNN), t(5, 2, 3), t(1, 2, 4))
row("nn.RNN.forward(batch_first)", lambda m, x: m.nn.RNN(3, 4, batch_first=True)(x), t(2, 5, 3))
row(
    "nn.RNNCell",
    lambda m, i, h, b, nl: m.nn.RNNCell(i, h, b, nl),
    k("int", 3),
    k("int", 4),
    k("bool", True),
    k("str", "tanh"),
)
row("nn.RNNCell.forward", lambda m, mod, x, h: mod(x, h), k("obj", CELL), t(2, 3), t(2, 4))
LSTM_ = Build(lambda m: m.nn.LSTM(3, 4), "LSTM(3, 4)")
GRU_ = Build(lambda m: m.nn.GRU(3, 4), "GRU(3, 4)")
row(
    "nn.LSTM",
    lambda m, i, h, n, b, bf, dr, bd, p: m.nn.LSTM(i, h, n, b, bf, dr, bd, p),
    k("int", 3),
    k("int", 4),
    k("int", 2),
    k("bool", True),
    k("bool", False),
    k("prob", 0.5),
    k("bool", False),
    k("int", 2),
)
row(
    "nn.LSTM.forward",
    lambda m, mod, x, h, c: mod(x, (h, c)),
    k("obj", LSTM_),
    t(5, 2, 3),
    t(1, 2, 4),
    t(1, 2, 4),
)
row(
    "nn.GRU",
    lambda m, i, h, n, b, bf, dr, bd: m.nn.GRU(i, h, n, b, bf, dr, bd),
    k("int", 3),
    k("int", 4),
    k("int", 2),
    k("bool", True),
    k("bool", False),
    k("prob", 0.5),
    k("bool", False),
)
row("nn.GRU.forward", lambda m, mod, x, h: mod(x, h), k("obj", GRU_), t(5, 2, 3), t(1, 2, 4))
row("nn.LSTMCell", lambda m, i, h, b: m.nn.LSTMCell(i, h, b), k("int", 3), k("int", 4), k("bool", True))
row(
    "nn.LSTMCell.forward",
    lambda m, mod, x, h, c: mod(x, (h, c)),
    k("obj", Build(lambda m: m.nn.LSTMCell(3, 4))),
    t(2, 3),
    t(2, 4),
    t(2, 4),
)
row("nn.GRUCell", lambda m, i, h, b: m.nn.GRUCell(i, h, b), k("int", 3), k("int", 4), k("bool", True))
row(
    "nn.GRUCell.forward",
    lambda m, mod, x, h: mod(x, h),
    k("obj", Build(lambda m: m.nn.GRUCell(3, 4))),
    t(2, 3),
    t(2, 4),
)
row("nn.Dropout", lambda m, p: m.nn.Dropout(p), k("prob", 0.5))
row("nn.Dropout.forward", lambda m, x: m.nn.Dropout(0.5)(x), t(2, 3))
for _n in ("ReLU", "Tanh", "Sigmoid", "Identity"):
    row(f"nn.{_n}.forward", lambda m, x, n=_n: getattr(m.nn, n)()(x), t(2, 3))
row("nn.MSELoss", lambda m, r: m.nn.MSELoss(reduction=r), k("str", "mean"))
row("nn.MSELoss.forward", lambda m, a, b: m.nn.MSELoss()(a, b), t(2, 3), t(2, 3))
row("nn.CrossEntropyLoss", lambda m, r: m.nn.CrossEntropyLoss(reduction=r), k("str", "mean"))
row("nn.CrossEntropyLoss.forward", lambda m, a, y: m.nn.CrossEntropyLoss()(a, y), t(4, 3), idx(4))
row("nn.NLLLoss", lambda m, r: m.nn.NLLLoss(reduction=r), k("str", "mean"))
row("nn.NLLLoss.forward", lambda m, a, y: m.nn.NLLLoss()(a, y), t(4, 3), idx(4))
row("nn.LogSoftmax.forward", lambda m, x, d: m.nn.LogSoftmax(d)(x), t(2, 3), k("dim", 1))
row(
    "nn.Embedding",
    lambda m, n, d, p, mx: m.nn.Embedding(n, d, p, mx),
    k("int", 5),
    k("int", 3),
    k("dim", 1),
    k("hyper", 1.0),
)
row("nn.Embedding.forward", lambda m, x: m.nn.Embedding(5, 3)(x), idx(2, 3, hi=5))
row(
    "nn.Embedding.from_pretrained",
    lambda m, w, f, p: m.nn.Embedding.from_pretrained(w, f, p),
    t(5, 3),
    k("bool", True),
    k("dim", 1),
)
row(
    "nn.Sequential",
    lambda m, a, b: m.nn.Sequential(a, b),
    k("obj", LIN),
    k("obj", Build(lambda m: m.nn.Tanh())),
)
row("nn.Sequential.forward", lambda m, x: m.nn.Sequential(m.nn.Linear(3, 4), m.nn.Tanh())(x), t(2, 3))
row("nn.ModuleList", lambda m, ms: m.nn.ModuleList(ms), k("grads", [LIN]))
row("nn.Parameter", lambda m, d: m.nn.Parameter(d), t(2, 3))
row("Module.train", lambda m, mod, b: mod.train(b), k("obj", LIN), k("bool", True))
row("Module.requires_grad_", lambda m, mod, b: mod.requires_grad_(b), k("obj", LIN), k("bool", False))
row("Module.to", lambda m, mod, d: mod.to(d), k("obj", LIN), k("dtype", Build(lambda m: m.float64)))
row(
    "Module.get_submodule",
    lambda m, mod, n: mod.get_submodule(n),
    k("obj", Build(lambda m: m.nn.Sequential(m.nn.Linear(3, 4)))),
    k("name", "0"),
)
row("Module.get_parameter", lambda m, mod, n: mod.get_parameter(n), k("obj", LIN), k("name", "weight"))
row(
    "Module.register_parameter",
    lambda m, mod, n, p: mod.register_parameter(n, p),
    k("obj", LIN),
    k("name", "extra"),
    k("obj", T((2,), param=True)),
)
row(
    "Module.add_module",
    lambda m, mod, n, c: mod.add_module(n, c),
    k("obj", LIN),
    k("name", "sub"),
    k("obj", Build(lambda m: m.nn.Tanh())),
)
row(
    "Module.load_state_dict",
    lambda m, mod, sd: mod.load_state_dict(sd),
    k("obj", LIN),
    k("obj", Build(lambda m: m.nn.Linear(3, 4).state_dict())),
)
row("Module.zero_grad", lambda m, mod, b: mod.zero_grad(b), k("obj", LIN), k("bool", True))

# -- torch.optim ------------------------------------------------------------------------------------
P1 = T((2, 3), param=True)
row(
    "optim.SGD",
    lambda m, ps, lr, mo, wd: m.optim.SGD(ps, lr=lr, momentum=mo, weight_decay=wd),
    k("params", [P1]),
    k("hyper", 0.1),
    k("hyper", 0.9),
    k("hyper", 0.01),
)
row(
    "optim.SGD(nesterov)",
    lambda m, ps, n: m.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=n),
    k("params", [P1]),
    k("bool", True),
)
for _n in ("Adam", "AdamW"):
    row(
        f"optim.{_n}",
        lambda m, ps, lr, eps, wd, n=_n: getattr(m.optim, n)(ps, lr=lr, eps=eps, weight_decay=wd),
        k("params", [P1]),
        k("hyper", 0.1),
        k("hyper", 1e-8),
        k("hyper", 0.01),
    )
    row(
        f"optim.{_n}(betas)",
        lambda m, ps, b1, n=_n: getattr(m.optim, n)(ps, betas=(b1, 0.999)),
        k("params", [P1]),
        k("prob", 0.9),
    )
row(
    "Optimizer.step",
    lambda m, ps: m.optim.SGD(ps, lr=0.1).step(),
    k("params", [T((2, 3), param=True, with_grad=True)]),
)
row(
    "Optimizer.add_param_group",
    lambda m, g: m.optim.SGD([m.nn.Parameter(m.ones(2))], lr=0.1).add_param_group(g),
    k("obj", {"params": [P1]}),
)
row(
    "Optimizer.load_state_dict",
    lambda m, sd: m.optim.SGD([m.nn.Parameter(m.ones(2))], lr=0.1).load_state_dict(sd),
    k("obj", Build(lambda m: m.optim.SGD([m.nn.Parameter(m.ones(2))], lr=0.2).state_dict())),
)
OPT = Build(lambda m: m.optim.SGD([m.nn.Parameter(m.ones(2))], lr=0.1), "SGD")
row(
    "lr_scheduler.StepLR",
    lambda m, o, s, g: m.optim.lr_scheduler.StepLR(o, s, g),
    k("obj", OPT),
    k("int", 2),
    k("hyper", 0.5),
)
row(
    "lr_scheduler.CosineAnnealingLR",
    lambda m, o, n, e: m.optim.lr_scheduler.CosineAnnealingLR(o, n, e),
    k("obj", OPT),
    k("int", 5),
    k("hyper", 0.0),
)

# -- torch.nn.utils, torch.nn.utils.rnn, torch.nn.init ----------------------------------------------
PG = T((2, 3), param=True, with_grad=True)
row(
    "nn.utils.clip_grad_norm_",
    lambda m, ps, mx, nt: m.nn.utils.clip_grad_norm_(ps, mx, nt),
    k("grads", [PG]),
    k("hyper", 1.0),
    k("hyper", 2.0),
)
row(
    "nn.utils.clip_grad_value_",
    lambda m, ps, v: m.nn.utils.clip_grad_value_(ps, v),
    k("grads", [PG]),
    k("hyper", 0.5),
)
R = "nn.utils.rnn."
row(
    R + "pack_padded_sequence",
    lambda m, x, lens, bf, es: m.nn.utils.rnn.pack_padded_sequence(x, lens, bf, es),
    t(4, 3, 2),
    k("lens", [4, 2, 1]),
    k("bool", False),
    k("bool", True),
)
PACKED = Build(lambda m: m.nn.utils.rnn.pack_padded_sequence(m.ones(4, 3, 2), [4, 2, 1]), "packed")
row(
    R + "pad_packed_sequence",
    lambda m, p, bf, pv, tl: m.nn.utils.rnn.pad_packed_sequence(p, bf, pv, tl),
    k("obj", PACKED),
    k("bool", False),
    k("num", 0.0),
    k("int", 5),
)
row(
    R + "pad_sequence",
    lambda m, s, bf, pv: m.nn.utils.rnn.pad_sequence(s, bf, pv),
    k("tensors", [T((3, 2)), T((2, 2))]),
    k("bool", False),
    k("num", 0.0),
)
row(
    R + "pack_sequence",
    lambda m, s, es: m.nn.utils.rnn.pack_sequence(s, es),
    k("tensors", [T((3, 2)), T((2, 2))]),
    k("bool", True),
)
row(R + "unpack_sequence", lambda m, p: m.nn.utils.rnn.unpack_sequence(p), k("obj", PACKED))
row(
    R + "unpad_sequence",
    lambda m, x, lens, bf: m.nn.utils.rnn.unpad_sequence(x, lens, bf),
    t(4, 3, 2),
    idx(3, hi=4),
    k("bool", False),
)
row(
    R + "invert_permutation",
    lambda m, p: m.nn.utils.rnn.invert_permutation(p),
    k("obj", Build(lambda m: m.tensor([2, 0, 1]))),
)
row(R + "PackedSequence.forward", lambda m, p: m.nn.RNN(2, 3)(p), k("obj", PACKED))
row(
    "nn.init.calculate_gain",
    lambda m, n, p: m.nn.init.calculate_gain(n, p),
    k("str", "leaky_relu"),
    k("hyper", 0.2),
)
row("nn.init.constant_", lambda m, x, v: m.nn.init.constant_(x, v), t(2, 3), k("num", 0.5))
row(
    "nn.init.normal_",
    lambda m, x, mu, sd: m.nn.init.normal_(x, mu, sd),
    t(2, 3),
    k("num", 0.0),
    k("hyper", 1.0),
)
row("nn.init.uniform_", lambda m, x, a, b: m.nn.init.uniform_(x, a, b), t(2, 3), k("num", 0.0), k("num", 1.0))
for _n in ("zeros_", "ones_"):
    row(f"nn.init.{_n}", lambda m, x, n=_n: getattr(m.nn.init, n)(x), t(2, 3))
for _n in ("xavier_uniform_", "xavier_normal_"):
    row(f"nn.init.{_n}", lambda m, x, g, n=_n: getattr(m.nn.init, n)(x, g), t(2, 3), k("hyper", 1.0))

# -- torch.autograd -----------------------------------------------------------------------------------
row("autograd.grad", lambda m, x, g: m.autograd.grad(x * 2, x, g), t(2, 3, grad=True), t(2, 3))
row("autograd.backward", lambda m, x, g: m.autograd.backward(x * 2, g), t(2, 3, grad=True), t(2, 3))

# names exported by the frontend that have no row, and why
NOT_IN_GRID = {
    "save": "tinygrad_rnn.torch.serialization has its own file-format grid",
    "load": "tinygrad_rnn.torch.serialization has its own file-format grid",
    "Size": "a tuple subclass",
    "cuda": "no accelerator: torch and ours raise for every input",
    "dtype": "a type, not a function",
    "no_grad": "a context manager without arguments",
    "enable_grad": "a context manager without arguments",
    "is_grad_enabled": "takes no arguments",
    "get_default_dtype": "takes no arguments",
    "e": "a float constant",
    "inf": "a float constant",
    "nan": "a float constant",
    "pi": "a float constant",
    "Module": "abstract base: its methods have rows (Module.*)",
    "functional": "module: rows F.*",
    "init": "module: rows nn.init.*",
    "utils": "module: rows nn.utils.*",
    "Optimizer": "abstract base: rows Optimizer.* through SGD",
    "lr_scheduler": "module: rows lr_scheduler.*",
    "PackedSequence": "built by pack_padded_sequence: rows nn.utils.rnn.*",
    "memory_format": "a type, not a function: its instances go through the (memory_format) rows",
    "contiguous_format": "a torch.memory_format object: rows Tensor.*(memory_format)",
    "preserve_format": "a torch.memory_format object: rows Tensor.*(memory_format)",
    "channels_last": "a torch.memory_format object: rows Tensor.*(memory_format)",
    "channels_last_3d": "a torch.memory_format object: rows Tensor.*(memory_format)",
}


# ---------------------------------------------------------------------------------------------
# running and classifying
# ---------------------------------------------------------------------------------------------
LEAK_PATTERNS = (
    "operands could not be broadcast",
    "gufunc",
    "numpy",
    "ndarray",
    "object has no attribute",
    "unsupported operand",
    "not subscriptable",
    "nonetype",
    "math domain error",
    "division by zero",
    "for axis",
    "array is ",
    "arrays must",
    "input array",
    "only integers, slices",
    "invalid literal",
    "could not convert",
    "unhashable",
    "is not callable",
    "must be real number",
    "cannot be interpreted as an integer",
    "tuple index out of range",
    "list index out of range",
    "cannot reshape array",
    "setting an array element",
    "ufunc",
    "empty sequence",
    "not iterable",
    "positional argument",
    "unexpected keyword",
    "zero-size array",
)
INTERNAL = (
    ZeroDivisionError,
    AttributeError,
    KeyError,
    NameError,
    UnboundLocalError,
    RecursionError,
    AssertionError,
)


@dataclass
class Outcome:
    exc: BaseException | None
    frame: str = ""


def run(m: Any, r: Row, values: list[Any]) -> Outcome:
    memo: dict[int, Any] = {}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            args = build(values, m, memo)
            r.fn(m, *args)
    except Exception as e:  # noqa: BLE001 - every exception is a result here
        tb = traceback.extract_tb(e.__traceback__)
        return Outcome(e, tb[-1].filename if tb else "")
    return Outcome(None)


def is_leak(ours: Outcome, theirs: Outcome) -> str | None:
    """Why our exception is numpy's or Python's rather than ours (None when it is ours)."""
    e = ours.exc
    if os.path.abspath(ours.frame) == os.path.abspath(__file__):
        return None  # raised by the row's own call (e.g. a method looked up on a str): not our code
    msg = str(e).lower()
    tmsg = str(theirs.exc).lower() if theirs.exc is not None else ""
    for p in LEAK_PATTERNS:
        if p in msg and p not in tmsg:
            return f"message has {p!r}"
    if isinstance(e, INTERNAL) and type(theirs.exc) is not type(e):
        return f"internal {type(e).__name__}"
    if ours.frame and not os.path.abspath(ours.frame).startswith(PKG):
        return f"raised in {ours.frame}"
    return None


def cases() -> list[tuple[str, Row, list[Any]]]:
    """Every row's valid call with exactly one argument replaced by one bad input."""
    out = []
    for r in ROWS:
        valid = [v for _, v in r.args]
        for i, (kind, v) in enumerate(r.args):
            for label, bad in MUTATIONS[kind](v):
                if i == 0 and label == "type" and r.name.split(".")[0] in RECEIVERS:
                    continue  # x.method() on a str never reaches the frontend
                vals = list(valid)
                vals[i] = bad
                out.append((f"{r.name}[arg{i}:{kind}:{label}={_show(bad)}]", r, vals))
    return out


RECEIVERS = ("Tensor", "Module")


def _show(v: Any) -> str:
    if isinstance(v, T):
        return f"T{v.shape}{v.dtype}"
    if isinstance(v, Build):
        return v.label or "built"
    if isinstance(v, (list, tuple)):
        return type(v)(_show(x) for x in v).__repr__()
    return repr(v)


def classify(ours: Outcome, theirs: Outcome) -> str:
    if theirs.exc is None:
        return "both_ok" if ours.exc is None else "rejects"
    if ours.exc is None:
        return "silent"
    return "same" if type(ours.exc) is type(theirs.exc) else "differ"


# deviations kept on purpose (each documented in docs/torch_frontend.md); checked to still occur
KNOWN: dict[str, str] = {}


def test_every_exported_api_has_a_row() -> None:
    covered = {part for r in ROWS for part in r.name.split("(")[0].split(".")}
    exported = set(tt.__all__) | set(tt.nn.__all__) | set(tt.nn.functional.__all__) | set(tt.optim.__all__)
    exported |= set(tt.optim.lr_scheduler.__all__) | set(tt.nn.utils.__all__) - {"rnn"}
    exported |= set(tt.nn.utils.rnn.__all__) | set(tt.nn.init.__all__)
    exported |= {"grad", "backward"}
    exported |= {
        n for n in dir(tt.Tensor) if not n.startswith("_") and callable(getattr(torch.Tensor, n, None))
    }
    dtypes = {n for n in tt.__all__ if isinstance(getattr(tt, n), tt.dtype)}
    missing = sorted(exported - covered - set(NOT_IN_GRID) - dtypes)
    assert not missing, f"exported but not in the grid: {missing}"


@pytest.mark.parametrize("r", ROWS, ids=lambda r: r.name)
def test_valid_call_runs_on_both(r: Row) -> None:
    values = [v for _, v in r.args]
    theirs, ours = run(torch, r, values), run(tt, r, values)
    assert theirs.exc is None, f"the grid's valid call is wrong about torch: {theirs.exc!r}"
    assert ours.exc is None, f"ours rejects the valid call: {ours.exc!r}"


def test_bad_input_grid() -> None:
    counts: Counter[str] = Counter()
    problems: dict[str, list[str]] = {"silent": [], "differ": [], "leak": [], "rejects": []}
    same_msg = 0
    for cid, r, vals in cases():
        theirs, ours = run(torch, r, vals), run(tt, r, vals)
        c = classify(ours, theirs)
        counts[c] += 1
        if c in ("silent", "differ", "rejects") and cid not in KNOWN:
            problems[c].append(f"{cid}: torch {theirs.exc!r} / ours {ours.exc!r}")
        if c == "same" and str(ours.exc) == str(theirs.exc):
            same_msg += 1
        if ours.exc is not None:
            why = is_leak(ours, theirs)
            if why:
                counts["leak"] += 1
                problems["leak"].append(f"{cid}: {why}: {ours.exc!r} (torch {theirs.exc!r})")
    raised = counts["same"] + counts["differ"] + counts["silent"]
    total = sum(counts[c] for c in ("same", "differ", "silent", "rejects", "both_ok"))
    pct = 100.0 * counts["same"] / max(raised, 1)
    _report.record(
        f"torch bad-input grid: {total} cases over {len(ROWS)} APIs; torch raises in {raised}: "
        f"{counts['same']} same exception type ({pct:.1f}%, {same_msg} with torch's exact message), "
        f"{counts['differ']} different type, {counts['silent']} silent accepts; "
        f"{counts['rejects']} rejected where torch accepts; {counts['leak']} numpy/internal leaks; "
        f"{counts['both_ok']} accepted by both"
    )
    report = "\n".join(f"{k} ({len(v)}):\n  " + "\n  ".join(v) for k, v in problems.items() if v)
    if os.environ.get("GRID_VERBOSE"):
        print(report)
    assert counts["silent"] == 0 and counts["leak"] == 0 and pct >= 98.0, report
