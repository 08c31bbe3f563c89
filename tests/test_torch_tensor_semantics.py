"""torch.Tensor semantics from issue 14, each run on real torch and on tinygrad_rnn.torch and compared.

`.data` (a detached Tensor sharing storage), retain_grad, detach_, new / new_*, narrow, random_,
view(dtype), repeat_interleave, memory formats and the `size=` keyword. Gradients of the new ops are
compared to torch's to second order (create_graph).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_rnn.torch as ours

RNG = np.random.default_rng(1414)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((4,))


def both(fn: Callable[[Any], Any]) -> tuple[Any, Any]:
    """fn(torch), fn(ours): an exception counts as (type name, message)."""
    out = []
    for m in (torch, ours):
        try:
            out.append(fn(m))
        except Exception as e:  # noqa: BLE001 - the exception itself is the result compared
            out.append((type(e).__name__, str(e)))
    return out[0], out[1]


def same(fn: Callable[[Any], Any]) -> None:
    theirs, mine = both(fn)
    assert mine == theirs


def grads_match(fn: Callable[[Any, Any], Any], *arrays: np.ndarray) -> None:
    """Forward, first and second derivatives of fn(m, *tensors) agree with torch (float64)."""
    res = []
    for m in (torch, ours):
        xs = [m.tensor(a, requires_grad=True) for a in arrays]
        y = fn(m, *xs)
        up = m.tensor(np.random.default_rng(7).standard_normal(tuple(y.shape)))
        gs = m.autograd.grad((y * up).sum(), xs, create_graph=True)
        second = sum(((g * g).sum() for g in gs), m.zeros((), dtype=m.float64))
        ggs = m.autograd.grad(second, xs, allow_unused=True) if second.requires_grad else [None] * len(xs)
        res.append(
            [y.detach().numpy()]
            + [g.detach().numpy() for g in gs]
            + [np.zeros_like(a) if g is None else g.numpy() for g, a in zip(ggs, arrays)]
        )
    for a, b in zip(res[0], res[1]):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


# -- .data -----------------------------------------------------------------------------------------
def test_data_is_a_detached_tensor_sharing_storage() -> None:
    def fn(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        d = y.data
        d[0] = 10.0  # seen by y
        return (type(d).__name__, d.requires_grad, d.grad_fn is None, d.is_leaf, y.detach().numpy().tolist())

    same(fn)


def test_h_data_cuts_the_graph() -> None:
    def fn(m):
        x = m.tensor([0.5, -0.25], dtype=m.float64, requires_grad=True)
        h = (x * 3).tanh()
        h = h.data  # BPTT cut: the next window starts here
        out = (h * x).sum()
        out.backward()
        return x.grad.numpy().round(12).tolist(), h.requires_grad

    same(fn)


def test_sgd_by_hand_through_data() -> None:
    def fn(m):
        p = m.nn.Parameter(m.tensor(A))
        (p * p).sum().backward()
        p.data.add_(p.grad, alpha=-0.1)
        g = p.grad.data.clone()
        p.grad.data.zero_()
        return p.detach().numpy().round(12).tolist(), g.numpy().round(12).tolist(), p.grad.numpy().tolist()

    same(fn)


def test_pred_data_numpy_and_parameter_data_type() -> None:
    def fn(m):
        p = m.nn.Parameter(m.tensor(B))
        pred = p * 2
        return type(pred.data.numpy()).__name__, pred.data.numpy().round(12).tolist(), type(p.data).__name__

    same(fn)


def test_data_assignment_replaces_values_and_shape() -> None:
    def fn(m):
        p = m.nn.Parameter(m.tensor(B))
        new = m.zeros(2, 2, dtype=m.float64)
        p.data = new
        new[0, 0] = 5.0  # p shares the new tensor's storage
        return tuple(p.shape), p.requires_grad, p.detach().numpy().tolist(), type(p).__name__

    same(fn)


def test_data_assignment_refuses_arrays() -> None:
    def fn(m):
        x = m.ones(2)
        x.data = np.zeros(2)

    same(fn)


def test_data_write_is_invisible_to_version_counter_but_visible_in_values() -> None:
    def fn(m):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        z = (x * 1).exp()
        z.data.mul_(2)
        z.sum().backward()  # torch: no error, the backward reads the doubled values
        return x.grad.numpy().round(12).tolist()

    same(fn)


# -- retain_grad / detach_ -------------------------------------------------------------------------
def test_retain_grad() -> None:
    def fn(m):
        x = m.tensor(A, requires_grad=True)
        y = x * 2
        y.retain_grad()
        z = (y.tanh() * y).sum()
        z.backward(retain_graph=True)
        first = y.grad.numpy().copy()
        z.backward()  # accumulates, as a leaf's grad does
        x.retain_grad()  # a leaf: no-op
        return first.round(12).tolist(), y.grad.numpy().round(12).tolist(), y.retains_grad, x.retains_grad

    same(fn)


def test_retain_grad_errors_and_after_in_place() -> None:
    same(lambda m: m.ones(2).retain_grad())

    def fn(m):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.mul_(3)
        (y * y).sum().backward()
        return y.grad.numpy().tolist(), y.retains_grad, x.grad.numpy().tolist()

    same(fn)


def test_retain_grad_with_create_graph() -> None:
    def fn(m):
        x = m.tensor([0.3, -0.7], dtype=m.float64, requires_grad=True)
        y = x.tanh()
        y.retain_grad()
        (y**3).sum().backward(create_graph=True)
        return y.grad.requires_grad, y.grad.detach().numpy().round(12).tolist()

    same(fn)


def test_detach_() -> None:
    def fn(m):
        x = m.ones(2, requires_grad=True)
        z = x * 1
        r = z.detach_()
        return r is z, z.requires_grad, z.grad_fn is None, z.is_leaf

    same(fn)
    same(lambda m: (m.ones(3, requires_grad=True) * 1)[0:2].detach_())


# -- new / new_* -----------------------------------------------------------------------------------
def _desc(t: Any) -> tuple[Any, ...]:
    return (tuple(t.shape), str(t.dtype), t.requires_grad)


@pytest.mark.parametrize(
    "call",
    [
        lambda x, m: x.new(),
        lambda x, m: x.new([1, 2]),
        lambda x, m: x.new((2,)),
        lambda x, m: x.new_zeros(2, 3),
        lambda x, m: x.new_zeros((2,), dtype=m.int64),
        lambda x, m: x.new_zeros(size=(2, 2)),
        lambda x, m: x.new_ones(3, requires_grad=True),
        lambda x, m: x.new_ones(size=[1, 2]),
        lambda x, m: x.new_empty(2, 3),
        lambda x, m: x.new_empty(size=(4,)),
        lambda x, m: x.new_full((2,), 3),
        lambda x, m: x.new_full((2,), 3.5, dtype=m.int64),
        lambda x, m: x.new_full(size=(2,), fill_value=7),
        lambda x, m: x.new_tensor([[1, 2]]),
        lambda x, m: x.new_tensor(3.0, dtype=m.float32),
    ],
)
def test_new_constructors(call: Callable[[Any, Any], Any]) -> None:
    def fn(m):
        t = call(m.tensor(A), m)
        values = None if t.numel() and "empty" in str(call.__code__.co_names) else t.tolist()
        return _desc(t), values

    same(fn)


def test_new_with_sizes_is_uninitialised() -> None:
    """new(2, 3) / new(Size): torch leaves the memory uninitialised, so only shape and dtype compare."""
    same(lambda m: [_desc(t) for t in (m.tensor(A).new(2, 3), m.tensor(A).new(m.Size([2, 1])))])


@pytest.mark.parametrize(
    "call",
    [
        lambda x, m: x.new(1.5),
        lambda x, m: x.new(m.tensor([1, 2])),
        lambda x, m: x.new_zeros(-1),
        lambda x, m: x.new_zeros(),
        lambda x, m: x.new_ones(2, dtype=m.int64, requires_grad=True),
    ],
)
def test_new_constructor_errors(call: Callable[[Any, Any], Any]) -> None:
    theirs, mine = both(lambda m: call(m.tensor(A), m))
    assert isinstance(theirs, tuple) and isinstance(mine, tuple) and mine[0] == theirs[0]
    assert mine[1].split("\n")[0] == theirs[1].split("\n")[0]


# -- narrow / repeat_interleave / view(dtype) --------------------------------------------------------
@pytest.mark.parametrize("args", [(1, 1, 2), (-1, -2, 2), (0, 0, 3), (0, 2, 1), (1, 0, 0)])
def test_narrow_values_and_gradients(args: tuple[int, int, int]) -> None:
    grads_match(lambda m, x: x.narrow(*args) * x.narrow(*args), A)


@pytest.mark.parametrize("args", [(1, 2, 3), (1, 5, 0), (2, 0, 1), (0, 0, -1)])
def test_narrow_errors(args: tuple[int, int, int]) -> None:
    same(lambda m: m.tensor(A).narrow(*args))


def test_narrow_tensor_start_and_view_semantics() -> None:
    def fn(m):
        x = m.tensor(A)
        n = x.narrow(1, m.tensor(1), 2)
        n[0, 0] = 100.0  # a view: the base sees it
        return x.numpy().round(12).tolist(), type(n.grad_fn).__name__

    same(fn)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: x.repeat_interleave(2),
        lambda m, x: x.repeat_interleave(2, dim=0),
        lambda m, x: x.repeat_interleave(3, dim=-1),
        lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2]), dim=0),
        lambda m, x: x.repeat_interleave(m.tensor(2), dim=1),
        lambda m, x: x.repeat_interleave(m.tensor([1, 2, 0, 1]), dim=1, output_size=4),
        lambda m, x: x.repeat_interleave(m.tensor(list(range(12)))),
    ],
)
def test_repeat_interleave_values_and_gradients(call: Callable[[Any, Any], Any]) -> None:
    grads_match(lambda m, x: call(m, x) ** 2, A)
    same(lambda m: type(call(m, m.tensor(A, requires_grad=True)).grad_fn).__name__)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: x.repeat_interleave(m.tensor([1, 2]), dim=0),
        lambda m, x: x.repeat_interleave(-1),
        lambda m, x: x.repeat_interleave(m.tensor([[1]]), dim=0),
        lambda m, x: x.repeat_interleave(m.tensor([1.0, 2.0, 1.0]), dim=0),
    ],
)
def test_repeat_interleave_errors(call: Callable[[Any, Any], Any]) -> None:
    same(lambda m: call(m, m.tensor(A)))


@pytest.mark.parametrize("dtype", ["int32", "float32", "int16", "float64", "uint8", "int64"])
def test_view_dtype(dtype: str) -> None:
    def fn(m):
        x = m.tensor(A[:2].astype(np.float32), requires_grad=True)
        v = x.view(getattr(m, dtype))
        return str(v.dtype), tuple(v.shape), v.requires_grad, v.numpy().tolist()

    same(fn)


def test_view_dtype_errors_and_sharing() -> None:
    same(lambda m: m.tensor([1.0, 2.0, 3.0]).view(m.float64))
    same(lambda m: m.tensor(1.0).view(m.int16))

    def share(m):
        x = m.zeros(2, dtype=m.float32)
        x.view(m.int32)[0] = 1065353216  # the bits of 1.0
        return x.tolist()

    same(share)


# -- random_ ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(), (5,), (2, 7), (-3, 3)])
@pytest.mark.parametrize("dtype", ["float32", "int64", "float64", "int32"])
def test_random_range_and_dtype(args: tuple[int, ...], dtype: str) -> None:
    if args and args[0] < 0 and dtype.startswith("u"):
        return
    lows, highs = [], []
    for m in (torch, ours):
        t = m.zeros(4000, dtype=getattr(m, dtype)).random_(*args)
        arr = t.numpy()
        assert str(t.dtype) == f"torch.{dtype}"
        assert np.all(arr == np.round(arr))
        lows.append(arr.min())
        highs.append(arr.max())
    if args:  # a small range is covered completely by 4000 draws: same min and max as torch
        assert (lows[1], highs[1]) == (lows[0], highs[0])
    else:  # [0, 2**mantissa] for floats, [0, max] for ints: both far above 4000 draws' range
        assert lows[1] >= 0 and highs[1] > 1000 and highs[0] > 1000


def test_random_errors_and_graph() -> None:
    same(lambda m: m.zeros(3).random_(5, 2))
    same(lambda m: m.zeros(3).random_(1.5))
    same(lambda m: m.zeros(3).random_(0, "a"))
    same(lambda m: m.zeros(3, dtype=m.bool).random_(0, 5))
    for dt in ("int8", "uint8", "int16", "int32"):
        same(lambda m, dt=dt: m.zeros(3, dtype=getattr(m, dt)).random_(0, 2**40))
    same(lambda m: m.zeros(3).random_(-2, None).shape)
    same(lambda m: m.ones(3, requires_grad=True).random_(0, 3))

    def fn(m):
        x = m.ones(3, requires_grad=True)
        y = x * 2
        y.random_(0, 1)  # all zeros: [0, 1)
        (y + x).sum().backward()
        return y.tolist(), type(y.grad_fn).__name__, x.grad.tolist()

    same(fn)


# -- memory formats and size= ------------------------------------------------------------------------
def test_memory_formats() -> None:
    """The module-level objects and the methods taking them."""
    names = ("contiguous_format", "preserve_format")
    res = []
    for m in (torch, ours):
        fmts = {k: getattr(m, k) for k in names}
        assert isinstance(fmts["contiguous_format"], m.memory_format)
        x = m.tensor(A, requires_grad=True)
        res.append(
            (
                repr(fmts["contiguous_format"]),
                repr(fmts["preserve_format"]),
                x.to(memory_format=fmts["contiguous_format"]) is x,
                str(x.to(m.float32, memory_format=fmts["preserve_format"]).dtype),
                x.contiguous(memory_format=fmts["contiguous_format"]) is x,
                x.contiguous(memory_format=fmts["preserve_format"]) is x,
                x.is_contiguous(memory_format=fmts["contiguous_format"]),
                tuple(x.clone(memory_format=fmts["preserve_format"]).shape),
            )
        )
    assert res[1] == res[0]
    assert type(ours.contiguous_format).__name__ == type(torch.contiguous_format).__name__


def test_memory_format_type_errors() -> None:
    theirs, mine = both(lambda m: m.ones(2).contiguous(memory_format="x"))
    assert mine[0] == theirs[0] == "TypeError"


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.view(size=(4, 3)),
        lambda x: x.view(size=[-1]),
        lambda x: x.reshape(shape=(2, 6)),
        lambda x: x[:1].expand(size=(2, 4)),
        lambda x: x.repeat(repeats=(1, 2)),
    ],
)
def test_size_keyword(call: Callable[[Any], Any]) -> None:
    grads_match(lambda m, x: call(x) * 1.5, A)


@pytest.mark.parametrize(
    "dtype", ["bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64", "float16"]
)
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_sum_of_integers_is_int64_as_in_torch(dtype: str, dim: Any) -> None:
    # torch sums bool and every integer dtype in int64 (uint8 too); numpy would keep uint64
    values = np.array([[1, 0, 3], [2, 1, 0]])

    def run(T: Any) -> tuple[str, Any]:
        s = T.tensor(values, dtype=getattr(T, dtype)).sum(dim)
        return str(s.dtype), s.tolist()

    same(run)
