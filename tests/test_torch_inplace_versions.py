"""In-place ops on tensors in the graph and torch's version counter, judged against real torch.

A generated grid: (consumer op, in-place op, when the write happens, which tensor it writes). The same
program runs on real torch and on tinygrad_rnn.torch; both must agree on success or failure, on the
error (type and message), and on every gradient, first and second order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_rnn.torch as ours

RNG = np.random.default_rng(14)
X = RNG.uniform(0.5, 1.5, size=(2, 3))
W = RNG.uniform(0.5, 1.5, size=(2, 3))
M = RNG.uniform(-1, 1, size=(3, 3))
C = RNG.uniform(0.5, 1.5, size=(2, 3))
G1 = RNG.uniform(-1, 1, size=(2, 3))
G2 = RNG.uniform(-1, 1, size=(2, 3))

# consumer: z = f(y, w, c) for y = x * 2 (a non-leaf), w a leaf that requires grad, c a constant
CONSUMERS: dict[str, Callable[[Any, Any, Any, Any], Any]] = {
    "exp": lambda m, y, w, c: y.exp(),  # saves its output
    "tanh": lambda m, y, w, c: y.tanh(),
    "sigmoid": lambda m, y, w, c: y.sigmoid(),
    "sqrt": lambda m, y, w, c: y.sqrt(),
    "log": lambda m, y, w, c: y.log(),  # saves its input
    "pow2": lambda m, y, w, c: y.pow(2),
    "clamp": lambda m, y, w, c: y.clamp(0.0, 2.5),
    "mul_self": lambda m, y, w, c: y * y,
    "mul_leaf": lambda m, y, w, c: y * w,  # saves y (for w's gradient) and w
    "mul_const": lambda m, y, w, c: y * c,  # saves only c: writing y is fine in torch
    "const_mul": lambda m, y, w, c: c * y,
    "div_leaf": lambda m, y, w, c: y / w,
    "leaf_div": lambda m, y, w, c: w / y,
    "div_const": lambda m, y, w, c: y / c,  # saves c only
    "matmul": lambda m, y, w, c: y @ c.T,  # saves c (y's gradient needs it), not y
    "mm_leaf": lambda m, y, w, c: y.mm(w.T),
    "add": lambda m, y, w, c: y + w,  # saves nothing
    "sum": lambda m, y, w, c: y.sum(1, keepdim=True) * 1.0,
}

# in-place op applied to tensor t (o: another tensor the op may read, requires no grad)
INPLACE: dict[str, Callable[[Any, Any, Any], Any]] = {
    "add_": lambda m, t, o: t.add_(1.0),
    "add_alpha": lambda m, t, o: t.add_(o, alpha=0.5),
    "sub_": lambda m, t, o: t.sub_(o),
    "mul_": lambda m, t, o: t.mul_(2.0),
    "mul_t": lambda m, t, o: t.mul_(o),
    "div_": lambda m, t, o: t.div_(2.0),
    "iadd": lambda m, t, o: t.__iadd__(1.0),
    "imul": lambda m, t, o: t.__imul__(o),
    "setitem": lambda m, t, o: t.__setitem__(0, 0.25),
    "setitem_slice": lambda m, t, o: t.__setitem__((slice(None), 1), 3.0),
    "setitem_tensor": lambda m, t, o: t.__setitem__(1, o[0]),
    "zero_": lambda m, t, o: t.zero_(),
    "fill_": lambda m, t, o: t.fill_(0.7),
    "copy_": lambda m, t, o: t.copy_(o),
    "clamp_": lambda m, t, o: t.clamp_(0.6, 2.0),
}

# (when, which): write y before or after z = f(y) is computed, or write z, or an unrelated tensor u
WHERE = [("before", "y"), ("after", "y"), ("after", "z"), ("after", "u")]

CASES = list(itertools.product(CONSUMERS, INPLACE, WHERE))


def run(m: Any, consumer: str, inplace: str, when: str, which: str, create_graph: bool) -> Any:
    """The program: returns ("ok", grads) or ("error", type, message)."""
    x = m.tensor(X, requires_grad=True)
    w = m.tensor(W, requires_grad=True)
    c, o = m.tensor(C), m.tensor(M[:2] * 0.2 + 0.3)
    y = x * 2
    u = x * 3
    f, write = CONSUMERS[consumer], INPLACE[inplace]
    try:
        if when == "before":
            write(m, y, o)
        z = f(m, y, w, c)
        if when == "after":
            write(m, {"y": y, "z": z, "u": u}[which], o)
        loss = (z * m.tensor(G1)).sum() + (y * m.tensor(G2)).sum() + u.sum()
        gx, gw = m.autograd.grad(loss, [x, w], create_graph=create_graph, allow_unused=True)
        out = [g if g is None else g.detach().numpy().copy() for g in (gx, gw)]
        if create_graph:
            second = sum((g * g).sum() for g in (gx, gw) if g is not None and g.requires_grad)
            if isinstance(second, int):
                return ("ok", out, None)
            gg = m.autograd.grad(second, [x, w], allow_unused=True)
            out2 = [None if g is None else g.detach().numpy().copy() for g in gg]
            return ("ok", out, out2)
        return ("ok", out, None)
    except (RuntimeError, IndexError) as e:
        return ("error", type(e).__name__, str(e))


def compare(theirs: Any, mine: Any, case: str) -> None:
    assert theirs[0] == mine[0], (
        f"{case}: torch {theirs[0]} {theirs[1:]!r:.300}, ours {mine[0]} {mine[1:]!r:.300}"
    )
    if theirs[0] == "error":
        assert mine[1:] == theirs[1:], case
        return
    for a, b in zip(theirs[1], mine[1]):
        assert (a is None) == (b is None), case
        if a is not None:
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12, err_msg=case)
    # second order: where torch finds a first gradient independent of an input (None), ours may
    # return zeros through the overwritten value's zero gradient; the values must still agree
    for a, b in zip(theirs[2] or [], mine[2] or []):
        if a is not None or b is not None:
            np.testing.assert_allclose(
                b if b is not None else 0 * a,
                a if a is not None else 0 * b,
                rtol=1e-10,
                atol=1e-12,
                err_msg=case,
            )


@pytest.mark.parametrize(
    "consumer,inplace,where", CASES, ids=lambda v: v if isinstance(v, str) else "-".join(v)
)
def test_grid_matches_torch(consumer: str, inplace: str, where: tuple[str, str]) -> None:
    case = f"{consumer} {inplace} {where}"
    compare(run(torch, consumer, inplace, *where, False), run(ours, consumer, inplace, *where, False), case)


@pytest.mark.parametrize("consumer", sorted(CONSUMERS))
@pytest.mark.parametrize("inplace", ["mul_t", "setitem_tensor", "copy_", "clamp_", "add_alpha"])
def test_second_order_matches_torch(consumer: str, inplace: str) -> None:
    """create_graph through the in-place op's recorded node: gradients of the gradients."""
    for where in (("before", "y"), ("after", "u")):
        case = f"{consumer} {inplace} {where} create_graph"
        compare(run(torch, consumer, inplace, *where, True), run(ours, consumer, inplace, *where, True), case)


def test_grid_has_both_outcomes() -> None:
    """The grid exercises both torch outcomes (a grid of only successes could not catch a false error)."""
    kinds = {run(torch, *k[:2], *k[2], False)[0] for k in CASES[:: max(1, len(CASES) // 60)]}
    assert kinds == {"ok", "error"}


def test_issue_example_gradient() -> None:
    """y = x * 2; y[0] = 0.; y.sum().backward() gives x.grad [0, 2, 2] (the issue's example)."""
    results = []
    for m in (torch, ours):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[0] = 0.0
        y.sum().backward()
        results.append((x.grad.numpy().tolist(), y.grad_fn is not None, y.is_leaf))
    assert results[1] == results[0]


def test_leaf_in_place_keeps_raising() -> None:
    msgs = []
    for m in (torch, ours):
        x = m.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            x.add_(1)
        msgs.append(str(e.value))
        with m.no_grad():
            x.add_(1)  # the optimizer's update: allowed
        msgs.append(x.detach().numpy().tolist())
    assert msgs[2:] == msgs[:2]


def test_self_operand_saved_before_write() -> None:
    """y.mul_(y): the operand is y itself, saved at the old version, then written (torch raises)."""
    out = []
    for m in (torch, ours):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(x)
        y.mul_(y)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        out.append(str(e.value))
    assert out[1] == out[0]


def test_write_through_data_is_not_counted() -> None:
    """torch's .data has its own version counter: writing through it never makes a saved value stale."""
    out = []
    for m in (torch, ours):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        z = y * y
        y.data.add_(1)
        z.sum().backward()
        out.append(x.grad.numpy().tolist())
    assert out[1] == out[0]


def test_write_through_detach_is_counted() -> None:
    """detach() shares the version counter: a write through it makes the saved value stale."""
    out = []
    for m in (torch, ours):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        z = (x * 2).exp()
        z.detach().mul_(2)
        with pytest.raises(RuntimeError) as e:
            z.sum().backward()
        out.append(str(e.value))
    assert out[1] == out[0]


def test_retain_graph_second_backward_sees_later_write() -> None:
    out = []
    for m in (torch, ours):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        z = (x * 1).tanh()
        loss = z.sum()
        loss.backward(retain_graph=True)
        z.add_(1)
        with pytest.raises(RuntimeError) as e:
            loss.backward()
        out.append((x.grad.numpy().tolist(), str(e.value)))
    assert out[1] == out[0]


def test_buffer_filled_step_by_step() -> None:
    """The RNN pattern `out[t] = h` into a preallocated buffer: gradients reach every step."""
    res = []
    for m in (torch, ours):
        x = m.tensor(X, requires_grad=True)
        h = m.zeros(3, dtype=m.float64)
        out = m.zeros(2, 3, dtype=m.float64)
        for t in range(2):
            h = (x[t] + h).tanh()
            out[t] = h
        (out * m.tensor(G1)).sum().backward()
        res.append((x.grad.numpy().copy(), type(out.grad_fn).__name__ != "NoneType"))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-12)
    assert res[1][1] == res[0][1]
