"""Random-program fuzz against real torch: forward, backward and grad-of-grad, float64.

Each program starts from one or two leaves and applies 1-8 ops drawn from elementwise, broadcast,
reduction, matmul, indexing, stack / cat / split and masking ops (where, clamp, relu, maximum /
minimum, masked_fill, boolean-mask selection), each op taking one or two values made earlier, so
values are reused (gradients accumulate) and new leaves join (broadcast operands, matmul weights,
cat / stack partners). Shapes include 0-d, size-1 and empty (a 0 dim) ones; in "special" programs
leaves hold +-inf, NaN, zeros and ties, and both upstream gradients (first and second order) hold
+-inf.

The same program runs in torch and, through the core API (tinygrad_rnn.Tensor, ops,
`grad(..., create_graph=True)`), in tinygrad_rnn; compared are every op's forward value, the
gradient of every leaf (from a plain backward and from create_graph=True), and the gradient of
those gradients, under a random second upstream gradient, w.r.t. every leaf and the upstream
gradient itself. NaN positions must agree (equal_nan) and infinities must sit where torch's do.
An op that torch rejects (e.g. amax over an empty dim) must be rejected by ours too, and is then
left out of the program.

Hypothesis runs derandomized (a fixed seed, no example database) so every CI run checks the same
programs; the count of programs checked is asserted (>= 1,000) and printed at the end of the run.
"""

from __future__ import annotations

from typing import Any

import _report
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinygrad_rnn import Tensor, grad, ops

N_PROGRAMS = 2000  # hypothesis examples: each one program (a few are all-rejected and not counted)
MIN_PROGRAMS = 1000
RTOL, ATOL = 1e-9, 1e-10
INF, NAN = np.inf, np.nan

FUZZ = settings(
    max_examples=N_PROGRAMS,
    derandomize=True,  # a fixed seed: the same programs on every run
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

COUNT = {"programs": 0, "ops": 0, "special": 0, "empty": 0, "rejected": 0}


class Disagreement(AssertionError):
    """Ours and torch differ; the message holds the program trace."""


def _close(ours: Any, theirs: Any, shape: tuple[int, ...], what: str, trace: list[str]) -> None:
    a = np.zeros(shape) if ours is None else np.asarray(ours.data)
    if theirs is not None and theirs._is_zerotensor():  # torch's zero second derivative of abs: no storage
        theirs = torch.zeros(theirs.shape, dtype=theirs.dtype)
    b = np.zeros(shape) if theirs is None else theirs.detach().numpy()
    where = f"{what}\nprogram: " + " -> ".join(trace)
    if a.shape != b.shape:
        raise Disagreement(f"{where}\nshape {a.shape} != torch {b.shape}")
    if a.dtype != b.dtype:
        raise Disagreement(f"{where}\ndtype {a.dtype} != torch {b.dtype}")
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=where)


class Program:
    """Builds one random program in torch and in ours side by side."""

    def __init__(self, data: Any, rng: np.random.Generator, special: bool):
        self.data = data
        self.rng = rng
        self.special = special
        self.t_leaves: list[torch.Tensor] = []
        self.o_leaves: list[Tensor] = []
        self.pool: list[tuple[torch.Tensor, Tensor]] = []
        self.trace: list[str] = []

    def draw(self, strategy: Any) -> Any:
        return self.data.draw(strategy)

    def values(self, shape: tuple[int, ...]) -> np.ndarray:
        kind = self.rng.integers(0, 3)
        if kind == 0:
            a = self.rng.standard_normal(shape) * 1.5
        elif kind == 1:  # small integers: ties for maximum / amax, exact zeros for relu / pow
            a = self.rng.integers(-2, 3, size=shape).astype(np.float64)
        else:
            a = self.rng.uniform(0.2, 2.0, size=shape) * self.rng.choice([-1.0, 1.0], size=shape)
        if self.special and a.size:
            pick = self.rng.random(shape) < 0.3
            a = np.where(pick, self.rng.choice([INF, -INF, NAN, 0.0], size=shape), a)
        return np.asarray(a, dtype=np.float64)

    def leaf(self, shape: tuple[int, ...]) -> tuple[torch.Tensor, Tensor]:
        a = self.values(shape)
        t = torch.tensor(a, requires_grad=True)
        o = Tensor(a.copy(), requires_grad=True)
        self.t_leaves.append(t)
        self.o_leaves.append(o)
        self.trace.append(f"leaf{shape}" + (f"={a.tolist()}" if a.size <= 8 else ""))
        return t, o

    def shape(self, ndim: int | None = None) -> tuple[int, ...]:
        nd = self.draw(st.integers(0, 3)) if ndim is None else ndim
        return tuple(self.draw(st.sampled_from([0, 1, 1, 2, 2, 3])) for _ in range(nd))

    def broadcastable(self, shape: tuple[int, ...], grow: bool = True) -> tuple[int, ...]:
        """A shape that broadcasts with `shape`: dims kept or 1, leading dims dropped or one added."""
        dims = [self.draw(st.sampled_from([s, 1])) for s in shape]
        drop = self.draw(st.integers(0, len(dims)))
        dims = dims[drop:]
        if grow and not drop and len(shape) < 3 and self.draw(st.integers(0, 3)) == 0:
            dims = [self.draw(st.sampled_from([1, 2]))] + dims
        return tuple(dims)

    def pick(self, ok: Any = lambda s: True) -> tuple[torch.Tensor, Tensor] | None:
        idx = [i for i, (_, o) in enumerate(self.pool) if ok(o.shape)]
        if not idx:
            return None
        return self.pool[self.draw(st.sampled_from(idx))]


# -- the ops: each takes the program, returns (name, torch_fn, our_fn, operands) or None ----------
def _unary(name: str, tf: Any, of: Any, ok: Any = lambda s: True) -> Any:
    def op(p: Program) -> Any:
        x = p.pick(ok)
        return None if x is None else (name, tf, of, [x])

    return op


def _binary(name: str, tf: Any, of: Any) -> Any:
    def op(p: Program) -> Any:
        x = p.pick()
        other = p.pick(lambda s: _bcast(s, x[1].shape)) if p.draw(st.booleans()) else None
        y = other if other is not None else p.leaf(p.broadcastable(x[1].shape))
        a, b = (x, y) if p.draw(st.booleans()) else (y, x)
        return name, tf, of, [a, b]

    return op


def _bcast(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _pow_scalar(p: Program) -> Any:
    e = p.draw(st.sampled_from([0.0, 1.0, 2.0, 3.0, 0.5, -1.0, -2.0, 1.5]))
    x = p.pick()
    return f"pow{e}", lambda t: t**e, lambda o: o ** np.float64(e), [x]


def _pow_tensor(p: Program) -> Any:
    x = p.pick()
    y = p.leaf(p.broadcastable(x[1].shape))
    return "pow", lambda a, b: a**b, lambda a, b: a**b, [x, y] if p.draw(st.booleans()) else [y, x]


def _clamp(p: Program) -> Any:
    lo = p.draw(st.sampled_from([None, -1.0, 0.0, 0.5]))
    hi = (
        p.draw(st.sampled_from([None, 0.0, 1.0, 2.0]))
        if lo is not None
        else p.draw(st.sampled_from([0.0, 1.0]))
    )
    x = p.pick()
    return f"clamp({lo},{hi})", lambda t: t.clamp(lo, hi), lambda o: ops.clip(o, lo, hi), [x]


def _where(p: Program) -> Any:
    x = p.pick()
    y = p.leaf(p.broadcastable(x[1].shape))
    out = np.broadcast_shapes(x[1].shape, y[1].shape)
    cond = np.asarray(p.rng.random(p.broadcastable(out, grow=False)) < 0.5)
    ct = torch.tensor(cond)
    return "where", lambda a, b: torch.where(ct, a, b), lambda a, b: ops.where(cond, a, b), [x, y]


def _masked_fill(p: Program) -> Any:
    x = p.pick()
    mask = np.asarray(p.rng.random(x[1].shape) < 0.5)
    v = p.draw(st.sampled_from([0.0, -1.0, INF, NAN]))
    mt = torch.tensor(mask)
    return "masked_fill", lambda t: t.masked_fill(mt, v), lambda o: ops.where(mask, np.float64(v), o), [x]


def _reduce(kind: str) -> Any:
    def op(p: Program) -> Any:
        x = p.pick()
        nd = x[1].ndim
        axis = p.draw(st.one_of(st.none(), st.integers(-nd, nd - 1))) if nd else None
        keep = p.draw(st.booleans())
        dim = tuple(range(nd)) if axis is None else axis
        tf = {"sum": torch.sum, "mean": torch.mean, "amax": torch.amax, "amin": torch.amin}[kind]
        of = {"sum": ops.sum_, "mean": ops.mean, "amax": ops.max_, "amin": ops.min_}[kind]
        return f"{kind}({axis},{keep})", lambda t: tf(t, dim, keep), lambda o: of(o, axis, keep), [x]

    return op


def _matmul(p: Program) -> Any:
    x = p.pick(lambda s: len(s) >= 1)
    if x is None:
        return None
    s = x[1].shape
    k = p.draw(st.sampled_from([0, 1, 2, 3]))
    if p.draw(st.booleans()):  # x @ w
        wshape = p.draw(st.sampled_from([(s[-1],), (s[-1], k), (2, s[-1], k)]))
        w = p.leaf(wshape)
        return "matmul", lambda a, b: a @ b, lambda a, b: a @ b, [x, w]
    wshape = (s[0],) if len(s) == 1 else p.draw(st.sampled_from([(s[-2],), (k, s[-2])]))
    w = p.leaf(wshape)
    return "rmatmul", lambda a, b: a @ b, lambda a, b: a @ b, [w, x]


def _getitem(p: Program) -> Any:
    x = p.pick(lambda s: len(s) >= 1)
    if x is None:
        return None
    s = x[1].shape
    axis = p.draw(st.integers(0, len(s) - 1))
    n = s[axis]
    lead = (slice(None),) * axis
    kinds = ["slice", "none", "ellipsis", "array", "mask", "full_mask"] + (["int"] if n else [])
    kind = p.draw(st.sampled_from(kinds))
    if kind == "int":
        i = p.draw(st.integers(-n, n - 1))
        ti = oi = lead + (i,)
    elif kind == "slice":
        a = p.draw(st.integers(0, n))
        b = p.draw(st.integers(a, n))
        ti = oi = lead + (slice(a, b, p.draw(st.sampled_from([None, 2]))),)
    elif kind == "none":
        ti = oi = lead + (None,)
    elif kind == "ellipsis":
        ti = oi = (Ellipsis, slice(0, 1))
    elif kind == "array":  # integer array, may repeat: the gradient accumulates
        arr = np.asarray(p.draw(st.lists(st.integers(0, n - 1), max_size=4)) if n else [], dtype=np.int64)
        ti, oi = lead + (torch.tensor(arr),), lead + (arr,)
    elif kind == "mask":
        m = np.asarray(p.rng.random(n) < 0.5)
        ti, oi = lead + (torch.tensor(m),), lead + (m,)
    else:  # masked selection: x[mask] with a full-shape mask
        m = np.asarray(p.rng.random(s) < 0.5)
        ti, oi = (torch.tensor(m),), (m,)
    return f"getitem[{kind}]", lambda t: t[ti], lambda o: o[oi], [x]


def _stack_cat(p: Program) -> Any:
    x = p.pick()
    s = x[1].shape
    if s and p.draw(st.booleans()):
        axis = p.draw(st.integers(-len(s), len(s) - 1))
        other = list(s)
        other[axis] = p.draw(st.sampled_from([0, 1, 2]))
        y = p.leaf(tuple(other))
        pair = [x, y] if p.draw(st.booleans()) else [y, x]
        return (
            f"cat({axis})",
            lambda a, b: torch.cat([a, b], axis),
            lambda a, b: ops.concat([a, b], axis),
            pair,
        )
    axis = p.draw(st.integers(-len(s) - 1, len(s)))
    y = p.pick(lambda t: t == s) if p.draw(st.booleans()) else None
    y = y if y is not None else p.leaf(s)
    return (
        f"stack({axis})",
        lambda a, b: torch.stack([a, b], axis),
        lambda a, b: ops.stack([a, b], axis),
        [x, y],
    )


def _split(p: Program) -> Any:
    x = p.pick(lambda s: len(s) >= 1 and max(s) > 0)
    if x is None:
        return None
    s = x[1].shape
    axis = p.draw(st.sampled_from([i for i, n in enumerate(s) if n > 0]))
    n = s[axis]
    if p.draw(st.booleans()):
        size = p.draw(st.integers(1, n))
        k = p.draw(st.integers(0, (n + size - 1) // size - 1))
        return (
            f"split({size},{axis})[{k}]",
            lambda t: t.split(size, axis)[k],
            lambda o: ops.split(o, size, axis)[k],
            [x],
        )
    j = p.draw(st.integers(0, n - 1))
    return f"unbind({axis})[{j}]", lambda t: t.unbind(axis)[j], lambda o: ops.unbind(o, axis)[j], [x]


def _reshape(p: Program) -> Any:
    x = p.pick()
    s = x[1].shape
    shape = (-1,) if p.draw(st.booleans()) else tuple(reversed(s)) + (1,)
    return f"reshape{shape}", lambda t: t.reshape(shape), lambda o: ops.reshape(o, shape), [x]


def _transpose(p: Program) -> Any:
    x = p.pick(lambda s: len(s) >= 1)
    if x is None:
        return None
    perm = tuple(p.draw(st.permutations(range(x[1].ndim))))
    return f"permute{perm}", lambda t: t.permute(perm), lambda o: ops.transpose(o, perm), [x]


def _expand(p: Program) -> Any:
    x = p.pick(lambda s: len(s) < 3)
    if x is None:
        return None
    new = (p.draw(st.sampled_from([0, 1, 2])),) + tuple(
        p.draw(st.sampled_from([1, 2, 0])) if n == 1 else n for n in x[1].shape
    )
    return f"expand{new}", lambda t: t.expand(*new), lambda o: ops.expand(o, new), [x]


OPS = [
    _binary("add", lambda a, b: a + b, lambda a, b: a + b),
    _binary("sub", lambda a, b: a - b, lambda a, b: a - b),
    _binary("mul", lambda a, b: a * b, lambda a, b: a * b),
    _binary("div", lambda a, b: a / b, lambda a, b: a / b),
    _binary("maximum", torch.maximum, ops.maximum),
    _binary("minimum", torch.minimum, ops.minimum),
    _binary("remainder", torch.remainder, ops.remainder),
    _pow_tensor,
    _pow_scalar,
    _unary("neg", lambda t: -t, lambda o: -o),
    _unary("exp", torch.exp, ops.exp),
    _unary("log", torch.log, ops.log),
    _unary("tanh", torch.tanh, ops.tanh),
    _unary("sigmoid", torch.sigmoid, ops.sigmoid),
    _unary("relu", torch.relu, ops.relu),
    _unary("abs", torch.abs, ops.abs),
    _unary("sqrt", torch.sqrt, ops.sqrt),
    _clamp,
    _where,
    _masked_fill,
    _reduce("sum"),
    _reduce("mean"),
    _reduce("amax"),
    _reduce("amin"),
    _matmul,
    _getitem,
    _stack_cat,
    _split,
    _reshape,
    _transpose,
    _expand,
]


def _apply(p: Program, op: Any) -> bool:
    """Run one op on both sides and compare its forward; False if torch rejects it."""
    made = op(p)
    if made is None:
        return False
    name, tf, of, args = made
    try:
        t = tf(*[a[0] for a in args])
    except (RuntimeError, IndexError, ValueError):
        # torch rejects it (e.g. amax over an empty dim): ours must reject it too
        try:
            of(*[a[1] for a in args])
        except Exception:
            COUNT["rejected"] += 1
            return False
        raise Disagreement(
            f"torch rejects {name}, ours accepts it\nprogram: " + " -> ".join(p.trace)
        ) from None
    o = of(*[a[1] for a in args])
    p.trace.append(f"{name}{tuple(t.shape)}")
    _close(o, t, tuple(t.shape), f"forward of {name}", p.trace)
    if o.requires_grad != t.requires_grad:
        raise Disagreement(f"requires_grad of {name}: {o.requires_grad} != torch\n" + " -> ".join(p.trace))
    p.pool.append((t, o))
    COUNT["ops"] += 1
    return True


def _check_gradients(p: Program, out: tuple[torch.Tensor, Tensor]) -> None:
    t_out, o_out = out
    shape = tuple(t_out.shape)
    go = p.rng.standard_normal(shape)
    if p.special and go.size:
        go = np.where(p.rng.random(shape) < 0.3, p.rng.choice([INF, -INF], size=shape), go)
    t_go, o_go = torch.tensor(go, requires_grad=True), Tensor(go.copy(), requires_grad=True)
    trace = p.trace + [f"upstream={go.tolist()}" if go.size <= 8 else "upstream"]
    n = len(p.t_leaves)

    t_g = torch.autograd.grad(t_out, p.t_leaves, t_go, create_graph=True, allow_unused=True)
    o_g = grad(o_out, p.o_leaves, o_go, create_graph=True, allow_unused=True)
    # a plain backward (the numpy rules) on the same graph, kept alive by retain_graph
    o_plain = grad(o_out, p.o_leaves, Tensor(go.copy()), retain_graph=True, allow_unused=True)
    for k in range(n):
        s = p.o_leaves[k].shape
        _close(o_plain[k], t_g[k], s, f"grad of leaf {k} (plain backward)", trace)
        _close(o_g[k], t_g[k], s, f"grad of leaf {k} (create_graph)", trace)

    # second order: the first gradients under a random upstream v, w.r.t. the leaves and go
    both = [k for k in range(n) if t_g[k] is not None and o_g[k] is not None]
    for k in both:
        if t_g[k].requires_grad != o_g[k].requires_grad:
            raise Disagreement(f"requires_grad of grad of leaf {k} differs from torch\n" + " -> ".join(trace))
    diff = [k for k in both if t_g[k].requires_grad]
    if not diff:
        return
    vs = {k: p.rng.standard_normal(p.o_leaves[k].shape) for k in diff}
    if p.special:  # an infinite second upstream too: the backward of every select must select
        vs = {
            k: np.where(p.rng.random(v.shape) < 0.2, p.rng.choice([INF, -INF], size=v.shape), v)
            for k, v in vs.items()
        }
    t_wrt = list(p.t_leaves) + [t_go]
    o_wrt = list(p.o_leaves) + [o_go]
    t_gg = torch.autograd.grad(
        [t_g[k] for k in diff], t_wrt, [torch.tensor(vs[k]) for k in diff], allow_unused=True
    )
    o_gg = grad([o_g[k] for k in diff], o_wrt, [Tensor(vs[k]) for k in diff], allow_unused=True)
    for k, (og, tg) in enumerate(zip(o_gg, t_gg)):
        what = f"leaf {k}" if k < n else "the upstream gradient"
        _close(og, tg, tuple(o_wrt[k].shape), f"second order w.r.t. {what}", trace)


@FUZZ
@given(data=st.data(), seed=st.integers(0, 2**32 - 1), special=st.booleans(), n_ops=st.integers(1, 8))
def _fuzz(data: Any, seed: int, special: bool, n_ops: int) -> None:
    p = Program(data, np.random.default_rng(seed), special)
    with np.errstate(all="ignore"):  # inf - inf, log(-1), 0/0 ...: torch is silent, so are we here
        p.pool.append(p.leaf(p.shape()))
        if data.draw(st.booleans()):
            p.pool.append(p.leaf(p.shape()))
        for _ in range(n_ops):
            _apply(p, data.draw(st.sampled_from(OPS)))
        _check_gradients(p, p.pool[-1])
    COUNT["programs"] += 1
    COUNT["special"] += special
    COUNT["empty"] += any(0 in t.shape for t, _ in p.pool)


def test_random_programs_match_torch() -> None:
    for k in COUNT:
        COUNT[k] = 0
    _fuzz()
    c = COUNT
    assert c["programs"] >= MIN_PROGRAMS, f"only {c['programs']} programs ran"
    _report.record(
        f"random-program fuzz vs torch: {c['programs']} programs ({c['special']} with +-inf/NaN, "
        f"{c['empty']} with empty shapes), {c['ops']} ops, forward + backward + grad-of-grad in float64, "
        f"0 disagreements ({c['rejected']} ops rejected by both)"
    )


# -- regressions the fuzz found outside the backward rules ------------------------------------------
def test_mean_of_empty_second_order() -> None:
    """mean was Sum then Div by n: on an empty input 0/0 = NaN where torch's expand-then-divide gives 0."""
    a = np.zeros((0, 2))
    t, o = torch.tensor(a, requires_grad=True), Tensor(a.copy(), requires_grad=True)
    t_go, o_go = (
        torch.tensor(1.0, dtype=torch.float64, requires_grad=True),
        Tensor(np.float64(1), requires_grad=True),
    )
    (tg,) = torch.autograd.grad(t.mean(), t, t_go, create_graph=True)
    (og,) = grad(ops.mean(o), o, o_go, create_graph=True)
    _close(og, tg, a.shape, "first order", ["mean"])
    (tgg,) = torch.autograd.grad(tg, t_go, torch.zeros(0, 2, dtype=torch.float64))
    (ogg,) = grad(og, o_go, Tensor(np.zeros((0, 2))))
    _close(ogg, tgg, (), "second order w.r.t. the upstream gradient", ["mean"])


@pytest.mark.parametrize("kind", ["amax", "amin"])
def test_amax_of_empty_over_nonempty_dim(kind: str) -> None:
    """Only an empty *reduced* dim has no max: amax(zeros(0, 3), 1) has shape (0,), as in torch."""
    a = np.zeros((0, 3))
    t, o = torch.tensor(a, requires_grad=True), Tensor(a.copy(), requires_grad=True)
    t_out = getattr(torch, kind)(t, 1)
    o_out = (ops.max_ if kind == "amax" else ops.min_)(o, 1)
    _close(o_out, t_out, (0,), "forward", [kind])
    (tg,) = torch.autograd.grad(t_out, t, torch.zeros(0, dtype=torch.float64))
    (og,) = grad(o_out, o, Tensor(np.zeros(0)))
    _close(og, tg, a.shape, "backward", [kind])
