"""Regression tests for the edge-shape and bad-input defects of issue 10, each against real torch.

Every case runs the same body with `torch` and with `tinygrad_rnn.torch`: where torch raises, ours
must raise the same exception type with the same message; where torch returns, ours must return
the same values, shape and dtype. Nothing is compared against numbers produced by tinygrad_rnn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_rnn
import tinygrad_rnn.torch as tt


def outcome(body: Callable[[Any], Any], m: Any) -> tuple[str, Any]:
    try:
        r = body(m)
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return "raises", (type(e), str(e))
    return "returns", r


def to_np(v: Any) -> Any:
    if isinstance(v, (torch.Tensor, tt.Tensor)):
        return v.detach().numpy()
    if isinstance(v, (tuple, list)):
        return [to_np(x) for x in v]
    return v


def assert_same(body: Callable[[Any], Any], message: bool = True) -> None:
    (tk, tv), (ok, ov) = outcome(body, torch), outcome(body, tt)
    assert ok == tk, f"torch {tk} {tv!r}, ours {ok} {ov!r}"
    if tk == "raises":
        assert ov[0] is tv[0], f"exception type: ours {ov!r}, torch {tv!r}"
        if message:
            assert ov[1] == tv[1], f"message: ours {ov[1]!r}, torch {tv[1]!r}"
        return
    a, b = to_np(ov), to_np(tv)
    if isinstance(b, list):
        assert len(a) == len(b)
        pairs = list(zip(a, b))
    else:
        pairs = [(a, b)]
    for x, y in pairs:
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape and x.dtype == y.dtype, f"{x.shape} {x.dtype} vs torch {y.shape} {y.dtype}"
        np.testing.assert_allclose(x, y, rtol=1e-6)


def t(m: Any, *shape: int, dtype: str = "float32") -> Any:
    return m.tensor(np.arange(1, int(np.prod(shape)) + 1, dtype=dtype).reshape(shape) / 7)


CASES: dict[str, Callable[[Any], Any]] = {
    # issue 10, item 5 and 7: each used to return a result, crash in numpy or Python
    "mm_of_3d": lambda m: m.mm(t(m, 2, 2, 3), t(m, 3, 4)),
    "mm_with_3d_mat2": lambda m: m.mm(t(m, 2, 3), t(m, 2, 3, 4)),
    "transpose_0d": lambda m: m.tensor(2.5).transpose(0, 0),
    "sort_0d": lambda m: list(m.tensor(2.5).sort(0)),
    "softmax_empty": lambda m: m.softmax(m.ones(0), 0),
    "log_softmax_empty": lambda m: m.ones(0, 3).log_softmax(1),
    "arange_zero_step": lambda m: m.arange(0, 10, 0),
    "arange_wrong_sign": lambda m: m.arange(0, 10, -1),
    "chunk_0": lambda m: t(m, 4, 3).chunk(0),
    "split_0": lambda m: t(m, 4, 3).split(0),
    "split_negative": lambda m: t(m, 4, 3).split(-1),
    "linear_negative_in_features": lambda m: m.nn.Linear(-1, 4),
    "linear_zero_in_features": lambda m: m.nn.Linear(0, 4).weight.shape,
    "cross_entropy_batch_mismatch": lambda m: m.nn.functional.cross_entropy(
        t(m, 2, 3), m.tensor([0, 1, 2, 1])
    ),
    "cross_entropy_target_out_of_range": lambda m: m.nn.functional.cross_entropy(
        t(m, 2, 3), m.tensor([0, 7])
    ),
    "rnn_zero_length_sequence": lambda m: m.nn.RNN(3, 4)(m.ones(0, 2, 3)),
    "rnn_zero_length_batch_first": lambda m: m.nn.RNN(3, 4, batch_first=True)(m.ones(2, 0, 3)),
    # numpy's messages used to leak out of the core ops: now the ShapeError contract words them
    "broadcast": lambda m: t(m, 2, 3) + t(m, 2, 5),
    "broadcast_mul_3d": lambda m: t(m, 2, 3) * t(m, 4, 1, 2),
    "matmul_inner": lambda m: t(m, 2, 3) @ t(m, 2, 3),
    "matmul_0d": lambda m: m.matmul(t(m, 2, 3), m.tensor(1.0)),
    "matmul_dtype": lambda m: t(m, 2, 3) @ t(m, 3, 4, dtype="float64"),
    "dot_1d_sizes": lambda m: m.matmul(t(m, 3), t(m, 4)),
    "cat_sizes": lambda m: m.cat([t(m, 2, 3), t(m, 2, 5)]),
    "cat_ndim": lambda m: m.cat([t(m, 2, 3), t(m, 2, 3, 1)]),
    "cat_0d": lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]),
    "cat_empty_list": lambda m: m.cat([]),
    "stack_sizes": lambda m: m.stack([t(m, 2, 3), t(m, 2, 5)]),
    "index_out_of_range": lambda m: t(m, 2, 3)[5],
    "index_second_dim": lambda m: t(m, 2, 3)[1, 7],
    "index_too_many": lambda m: t(m, 2, 3)[1, 1, 1],
    "index_tensor_out_of_range": lambda m: t(m, 2, 3)[m.tensor([0, 5])],
    "index_mask_shape": lambda m: t(m, 2, 3)[m.ones(2, 5, dtype=m.bool)],
    "view_bad_size": lambda m: t(m, 2, 3).view(4, -1),
    "reshape_bad_size": lambda m: t(m, 2, 3).reshape(5),
    "expand_bad_size": lambda m: t(m, 2, 3).expand(3, 3),
    "split_sizes_sum": lambda m: t(m, 3, 4).split([1, 1], 0),
    "where_broadcast": lambda m: m.where(m.ones(2, 3, dtype=m.bool), t(m, 2, 3), t(m, 2, 4)),
    "maximum_broadcast": lambda m: m.maximum(t(m, 2, 3), t(m, 3, 2)),
    "exp_of_list": lambda m: m.exp([1.0, 2.0]),
    "sum_dim_str": lambda m: t(m, 2, 3).sum("a"),
}


# torch's argument parser lists every overload: only the type is compared (ours names the argument)
TYPE_ONLY = {"sum_dim_str"}


@pytest.mark.parametrize("name", list(CASES))
def test_same_as_torch(name: str) -> None:
    assert_same(CASES[name], message=name not in TYPE_ONLY)


def _opt(m: Any, make: Callable[[Any, Any], Any]) -> Any:
    model = m.nn.Linear(3, 2)
    return make(m, model)


OPT_CASES: dict[str, Callable[[Any, Any], Any]] = {
    "bare_tensor": lambda m, lin: m.optim.SGD(lin.weight, lr=0.1),
    "non_leaf": lambda m, lin: m.optim.SGD([lin.weight * 2], lr=0.1),
    "same_param_two_groups": lambda m, lin: m.optim.SGD(
        [{"params": [lin.weight]}, {"params": [lin.weight, lin.bias]}], lr=0.1
    ),
    "not_a_tensor": lambda m, lin: m.optim.SGD(["w"], lr=0.1),
    "negative_lr": lambda m, lin: m.optim.SGD(lin.parameters(), lr=-1.0),
    "negative_weight_decay": lambda m, lin: m.optim.SGD(lin.parameters(), lr=0.1, weight_decay=-1.0),
    "negative_momentum": lambda m, lin: m.optim.SGD(lin.parameters(), lr=0.1, momentum=-0.5),
    "adam_negative_lr": lambda m, lin: m.optim.Adam(lin.parameters(), lr=-1.0),
    "adam_nan_lr": lambda m, lin: m.optim.Adam(lin.parameters(), lr=float("nan")),
    "adam_negative_weight_decay": lambda m, lin: m.optim.Adam(lin.parameters(), weight_decay=-1.0),
    "adam_bad_beta": lambda m, lin: m.optim.Adam(lin.parameters(), betas=(1.5, 0.9)),
    "scheduler_of_non_optimizer": lambda m, lin: m.optim.lr_scheduler.StepLR("x", 1),
}


@pytest.mark.parametrize("name", list(OPT_CASES))
def test_optimizer_arguments_as_torch(name: str) -> None:
    (tk, tv), (ok, ov) = (
        outcome(lambda m: _opt(m, OPT_CASES[name]), torch),
        outcome(lambda m: _opt(m, OPT_CASES[name]), tt),
    )
    assert tk == "raises", "the case is meant to be one torch refuses"
    assert ok == "raises", f"ours accepts what torch refuses: {tv!r}"
    assert ov == tv, f"ours {ov!r}, torch {tv!r}"


def test_core_shape_error_carries_facts_for_frontends() -> None:
    """The core raises tape.ShapeError with op and facts (a frontend words it; numpy's never shows)."""
    a = tinygrad_rnn.Tensor(np.ones((2, 3), np.float32))
    with pytest.raises(tinygrad_rnn.tape.ShapeError) as e:
        a + tinygrad_rnn.Tensor(np.ones((2, 5), np.float32))
    assert e.value.op == "add" and e.value.facts["shapes"] == ((2, 3), (2, 5)) and e.value.facts["dim"] == 1
    with pytest.raises(tinygrad_rnn.tape.ShapeError) as e:
        a @ a
    assert e.value.op == "matmul" and e.value.facts["sizes"] == (3, 2)
    with pytest.raises(IndexError) as e:  # an index ShapeError is an IndexError too
        a[5]
    assert isinstance(e.value, tinygrad_rnn.tape.ShapeError) and e.value.facts["index"] == 5


def test_torch_frontend_errors_are_torch_types() -> None:
    """The torch frontend re-words a ShapeError as the exact type torch raises (not a subclass)."""
    with pytest.raises(RuntimeError) as e:
        tt.ones(2, 3) + tt.ones(2, 5)
    assert type(e.value) is RuntimeError
    with pytest.raises(IndexError) as e:
        tt.ones(2, 3)[5]
    assert type(e.value) is IndexError


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize(
    "values, upstream",
    [([-1.0, 2.0, 2.0, -1.0], float("inf")), ([-1.0, float("nan"), 2.0], 1.0), ([3.0], -float("inf"))],
)
def test_max_min_of_all_elements_select_their_gradient_like_torch(fn, values, upstream):
    """x.max() (no dim) sends g / count only into the maxima (torch's evenly_distribute_backward): an
    infinite g must not turn the other elements into NaN, and a NaN maximum takes all of it."""
    grads = []
    for m in (torch, tt):
        x = m.tensor(values, dtype=m.float64, requires_grad=True)
        y = getattr(x, fn)()
        y.backward(m.tensor(upstream, dtype=m.float64))
        grads.append((np.asarray(y.detach().numpy()), x.grad.numpy().copy()))
    np.testing.assert_array_equal(grads[1][0], grads[0][0])
    np.testing.assert_array_equal(grads[1][1], grads[0][1])


@pytest.mark.parametrize("call", ["x.max()", "x.min()", "x.amax(0)", "x.amin(0)", "x.max(0)", "x.amax(1)"])
def test_reductions_of_empty_tensors_raise_or_return_like_torch(call):
    results = []
    for m in (torch, tt):
        x = m.zeros(0, 3)
        try:
            r = eval(call, {"x": x})
            r = r[0] if isinstance(r, tuple) else r
            results.append(("ok", tuple(r.shape)))
        except Exception as e:  # noqa: BLE001 - the type and message are what is compared
            results.append((type(e).__name__, str(e)))
    assert results[1] == results[0]
