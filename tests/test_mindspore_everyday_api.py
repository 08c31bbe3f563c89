"""The everyday MindSpore API around a model (issue 14), judged against real MindSpore 2.10.0.

Every case is one body run on real `mindspore` and on `tinygrad_rnn.mindspore`; `assert_same` compares
the outcomes: Tensors' dtype, shape and values, printed text, exception types and messages. Nothing
expected is written down from our own output. This file: Tensor methods with both of MindSpore's
overloads, item assignment (in place, views, inside grad), printing and dtypes, the functional ops
(one_hot, div rounding, clamp with Tensor bounds, cross-entropy with probability targets, rand /
uniform). test_mindspore_everyday_api_transforms.py: initializers, grad options, get_grad, vmap, jit.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)

REAL, OURS = mindspore, tms
X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], np.float32)
Y = np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 3.0]], np.float32)
P = np.array([[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]], np.float32)  # class probabilities per row


# ---------------------------------------------------------------------------------------------
# the comparison
# ---------------------------------------------------------------------------------------------
def _plain(r: Any) -> Any:
    if hasattr(r, "asnumpy") and hasattr(r, "dtype"):  # a Tensor or Parameter of either framework
        return ("Tensor", str(r.dtype), np.array(r.asnumpy()))
    if isinstance(r, (tuple, list)):
        return (type(r).__name__, [_plain(v) for v in r])
    if isinstance(r, np.ndarray):
        return ("ndarray", str(r.dtype), r.copy())
    return ("value", type(r).__name__, r)


def outcome(body: Callable[[Any], Any], ms: Any) -> Any:
    """body(ms) as plain data, or ("raise", type name, first message line)."""
    try:
        return _plain(body(ms))
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return ("raise", type(e).__name__, str(e).split("\n")[0].strip())


def assert_same(ours: Any, real: Any, rtol: float = 1e-5, atol: float = 1e-6, message: bool = True) -> None:
    """The same structure; Tensors of one dtype, shape and values; equal values; the same exception type
    and (with `message`) first message line."""
    assert ours[0] == real[0], f"\nours {ours!r}\nreal {real!r}"
    kind = real[0]
    if kind == "raise":
        assert ours[1] == real[1], f"exception: ours {ours[1]}: {ours[2]} / real {real[1]}: {real[2]}"
        if message:
            assert ours[2] == real[2], f"message:\nours {ours[2]}\nreal {real[2]}"
    elif kind in ("Tensor", "ndarray"):
        assert ours[1] == real[1], f"dtype: ours {ours[1]}, real {real[1]}"
        assert ours[2].shape == real[2].shape, f"shape: ours {ours[2].shape}, real {real[2].shape}"
        if real[2].dtype.kind in "fc":
            np.testing.assert_allclose(ours[2], real[2], rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(ours[2], real[2])
    elif kind in ("tuple", "list"):
        assert len(ours[1]) == len(real[1]), f"lengths: ours {len(ours[1])}, real {len(real[1])}"
        for o, r in zip(ours[1], real[1]):
            assert_same(o, r, rtol, atol, message)
    else:
        assert ours[1] == real[1], f"type: ours {ours!r}, real {real!r}"
        if isinstance(real[2], float):
            np.testing.assert_allclose(ours[2], real[2], rtol=rtol, atol=atol)
        else:
            assert ours[2] == real[2]


def check(body: Callable[[Any], Any], **kw: Any) -> None:
    """body on both frameworks, compared (a case where real MindSpore raised checks that we raise too)."""
    assert_same(outcome(body, OURS), outcome(body, REAL), **kw)


def cases(table: dict[str, Callable[[Any], Any]]) -> Any:
    return pytest.mark.parametrize("body", list(table.values()), ids=list(table))


def t(ms: Any, a: Any = X) -> Any:
    """A Tensor of a copy of the array, or of a (nested) list as MindSpore converts lists (floats: float32)."""
    return ms.Tensor(a.copy() if isinstance(a, np.ndarray) else a)


# ---------------------------------------------------------------------------------------------
# Tensor methods: MindSpore's numpy-style and torch-style overloads
# ---------------------------------------------------------------------------------------------
METHODS = {
    "argmax": lambda ms: t(ms).argmax(),
    "argmax(1)": lambda ms: t(ms).argmax(1),
    "argmax(axis, keepdims)": lambda ms: t(ms).argmax(axis=1, keepdims=True),
    "argmax(dim, keepdim)": lambda ms: t(ms).argmax(dim=0, keepdim=True),
    "argmin (int32)": lambda ms: t(ms).argmin(),
    "argmin(axis=0)": lambda ms: t(ms).argmin(axis=0),
    "argmin(dim, keepdim)": lambda ms: t(ms).argmin(dim=1, keepdim=True),
    "max()": lambda ms: t(ms).max(),
    "max(axis=1): values": lambda ms: t(ms).max(axis=1),
    "max(1): values, indices": lambda ms: t(ms).max(1),
    "max(1, True)": lambda ms: t(ms).max(1, True),
    "max(1, keepdims=True): values": lambda ms: t(ms).max(1, keepdims=True),
    "max(dim=1, keepdim=True)": lambda ms: t(ms).max(dim=1, keepdim=True),
    "max(axis=(0, 1))": lambda ms: t(ms).max(axis=(0, 1)),
    "max return_indices": lambda ms: t(ms).max(axis=1, return_indices=True),
    "min(0)": lambda ms: t(ms).min(0),
    "min(axis=0)": lambda ms: t(ms).min(axis=0),
    "sum(1)": lambda ms: t(ms).sum(1),
    "sum(1, True)": lambda ms: t(ms).sum(1, True),
    "sum(axis, keepdims)": lambda ms: t(ms).sum(axis=1, keepdims=True),
    "sum(dim, keepdim)": lambda ms: t(ms).sum(dim=0, keepdim=True),
    "sum((0, 1))": lambda ms: t(ms).sum((0, 1)),
    "sum(dtype=float64)": lambda ms: t(ms).sum(dtype=ms.float64),
    "sum int": lambda ms: t(ms, [[1, 2], [3, 4]]).sum(0),
    "mean(1, True)": lambda ms: t(ms).mean(1, True),
    "mean(axis, keep_dims)": lambda ms: t(ms).mean(axis=1, keep_dims=True),
    "mean(dim, keepdim)": lambda ms: t(ms).mean(dim=0, keepdim=True),
    "mean of int64 (truncated)": lambda ms: t(ms, [[2, 5], [1, 2]]).mean(0),
    "mean of negative ints": lambda ms: t(ms, [-1, -4]).mean(),
    "mean of int32": lambda ms: t(ms, np.array([-3, -4, -4], np.int32)).mean(),
    "ops.mean of int64": lambda ms: ms.ops.mean(t(ms, [[1, 2], [3, 6]]), 1),
    "ops.ReduceMean of int32": lambda ms: ms.ops.ReduceMean()(t(ms, np.array([1, 2], np.int32))),
    "reshape(3, 2)": lambda ms: t(ms).reshape(3, 2),
    "reshape((3, -1))": lambda ms: t(ms).reshape((3, -1)),
    "view(6)": lambda ms: t(ms).view(6),
    "view((3, 2))": lambda ms: t(ms).view((3, 2)),
    "transpose()": lambda ms: t(ms).transpose(),
    "transpose(1, 0)": lambda ms: t(ms).transpose(1, 0),
    "transpose((1, 0))": lambda ms: t(ms).transpose((1, 0)),
    "T": lambda ms: t(ms).T,
    "squeeze()": lambda ms: t(ms).reshape(1, 6).squeeze(),
    "squeeze(0)": lambda ms: t(ms).reshape(1, 6).squeeze(0),
    "unsqueeze(0)": lambda ms: t(ms).unsqueeze(0),
    "unsqueeze(dim=2)": lambda ms: t(ms).unsqueeze(dim=2),
    "expand_dims(1)": lambda ms: t(ms).expand_dims(1),
    "astype(int32)": lambda ms: t(ms).astype(ms.int32),
    "astype(numpy float64)": lambda ms: t(ms).astype(np.float64),
    "astype('float16')": lambda ms: t(ms).astype("float16"),
    "asnumpy": lambda ms: t(ms).asnumpy(),
    "item float": lambda ms: t(ms)[0, 0].item(),
    "item int": lambda ms: ms.Tensor(3).item(),
    "tolist": lambda ms: t(ms).tolist(),
    "abs": lambda ms: t(ms).abs(),
    "neg": lambda ms: t(ms).neg(),
    "clip(0, 1)": lambda ms: t(ms).clip(0, 1),
    "clip(min=0)": lambda ms: t(ms).clip(min=0),
    "clamp(0, 1)": lambda ms: t(ms).clamp(0, 1),
    "clamp(Tensor, Tensor)": lambda ms: t(ms).clamp(t(ms, [0.0, 0, 0]), t(ms, [1.0, 2, 1])),
    "clamp(min=Tensor)": lambda ms: t(ms).clamp(min=t(ms, [0.0, -5, 0])),
    "clamp(max=Tensor)": lambda ms: t(ms).clamp(max=t(ms, [0.0, 0, 0])),
    "clamp(min=Tensor column)": lambda ms: t(ms).clamp(min=t(ms, [[0.0], [1.0]])),
    "int": lambda ms: t(ms).int(),
    "long": lambda ms: t(ms).long(),
    "bool": lambda ms: t(ms).bool(),
    "half": lambda ms: t(ms).half(),
    "float": lambda ms: t(ms, [1, 2]).float(),
    "double": lambda ms: t(ms).double(),
    "all": lambda ms: (t(ms) > 0).all(),
    "any": lambda ms: (t(ms) > 0).any(),
    "add": lambda ms: t(ms).add(1),
    "sub": lambda ms: t(ms).sub(1),
    "mul": lambda ms: t(ms).mul(2),
    "maximum": lambda ms: t(ms).maximum(t(ms, [0.0, 0, 0])),
    "masked_fill": lambda ms: t(ms).masked_fill(t(ms) > 0, 0.0),
    "equal": lambda ms: t(ms).equal(t(ms)),
    "softmax": lambda ms: t(ms).softmax(-1),
    "expand_as": lambda ms: t(ms, [1.0, 2, 3]).expand_as(t(ms)),
    "broadcast_to": lambda ms: t(ms, [1.0, 2, 3]).broadcast_to((2, 3)),
    "narrow": lambda ms: t(ms).narrow(1, 0, 2),
    "to(float64)": lambda ms: t(ms).to(ms.float64),
    "dim, nelement, numel, size": lambda ms: (t(ms).dim(), t(ms).nelement(), t(ms).numel(), t(ms).size),
    "itemsize, nbytes": lambda ms: (t(ms).itemsize, t(ms).nbytes),
    "is_contiguous": lambda ms: t(ms).is_contiguous(),
    "len, shape, ndim": lambda ms: (len(t(ms)), t(ms).shape, t(ms).ndim),
    "ops.argmin": lambda ms: ms.ops.argmin(t(ms), 1),
    "ops.argmin keepdims": lambda ms: ms.ops.argmin(t(ms), 0, keepdims=True),
}


@cases(METHODS)
def test_tensor_methods_match_mindspore(body: Callable[[Any], Any]) -> None:
    check(body)


TRANSCENDENTAL = {  # MindSpore's CPU kernels are less exact than numpy's: compared to 1e-4
    "exp": lambda ms: t(ms).exp(),
    "log": lambda ms: t(ms).abs().log(),
    "tanh": lambda ms: t(ms).tanh(),
    "sigmoid": lambda ms: t(ms).sigmoid(),
}


@cases(TRANSCENDENTAL)
def test_transcendental_methods_match_mindspore_to_its_kernels_precision(body: Callable[[Any], Any]) -> None:
    check(body, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------------------------
# item assignment
# ---------------------------------------------------------------------------------------------
def assign(index: Any, value: Callable[[Any], Any], base: Any = X) -> Callable[[Any], Any]:
    def body(ms: Any) -> Any:
        y = t(ms, base)
        y[index] = value(ms)
        return y

    return body


def _imul(ms: Any) -> Any:
    g = t(ms)
    g[:] *= 0.5
    return g


def _iadd_rebinds(ms: Any) -> Any:
    g = t(ms)
    h = g
    g += 1
    return g is h, g, h


def _asnumpy_sees_write(ms: Any) -> Any:
    y = t(ms)
    n = y.asnumpy()
    y[0] = 0.0
    return n


def _source_array_untouched(ms: Any) -> Any:
    a = np.ones((2, 2), np.float32)
    y = ms.Tensor(a)
    y[0] = 0.0
    return a


def _view_sees_write(ms: Any) -> Any:
    y = t(ms)
    v, r = y[0], y.reshape(6)
    y[0] = 0.0
    return v, r


def _write_through_view(ms: Any) -> Any:
    y = t(ms)
    v = y[0]
    v[0] = 100.0
    return y


def _parameter(ms: Any) -> Any:
    p = ms.Parameter(t(ms), name="p")
    p[0] = 0.0
    return p, type(p).__name__, p.name


SETITEM = {
    "t[:] = 0": assign(slice(None), lambda ms: 0.0),
    "t[0] = 1": assign(0, lambda ms: 1),
    "t[1, 2] = 7.5": assign((1, 2), lambda ms: 7.5),
    "t[-1] = -0.": assign(-1, lambda ms: -0.0),
    "t[0] = Tensor": assign(0, lambda ms: t(ms, [9.0, 8, 7])),
    "t[0] = float64 Tensor": assign(0, lambda ms: t(ms, np.array([1.5, 2, 3]))),
    "t[0] = (1, 2, 3)": assign(0, lambda ms: (1, 2, 3)),
    "t[:, 1] = Tensor": assign((slice(None), 1), lambda ms: t(ms, [5.0, 6])),
    "t[mask] = 0": lambda ms: assign(t(ms) > 0, lambda ms: 0.0)(ms),
    "t[[0, 1], [0, 1]] = 0": assign(([0, 1], [0, 1]), lambda ms: 0.0),
    "t[Tensor index] = 3": lambda ms: assign(ms.Tensor(np.array([1])), lambda ms: 3.0)(ms),
    "t[...] = 2": assign(Ellipsis, lambda ms: 2),
    "int t[0] = 1.7": assign(0, lambda ms: 1.7, np.arange(6).reshape(2, 3)),
    "bool t[0] = 0.": assign(0, lambda ms: 0.0, np.array([True, False])),
    "0-d t[()] = 2": assign((), lambda ms: 2.0, np.float32(1.0)),
    "t[5] out of bounds": assign(5, lambda ms: 0.0),
    "t[0] = wrong shape": assign(0, lambda ms: t(ms, [1.0, 2])),
    "t[0] = None": assign(0, lambda ms: None),
    "t[0] = numpy array": assign(0, lambda ms: np.ones(3)),
    "t['a'] = 1": assign("a", lambda ms: 1.0),
    "g[:] *= 0.5": _imul,
    "g += 1 makes a new Tensor": _iadd_rebinds,
    "asnumpy() sees the write": _asnumpy_sees_write,
    "the source array is copied": _source_array_untouched,
    "views see the write": _view_sees_write,
    "writing through a view": _write_through_view,
    "Parameter stays a Parameter": _parameter,
}


@cases(SETITEM)
def test_item_assignment_matches_mindspore(body: Callable[[Any], Any]) -> None:
    check(body)


def _grad_of(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda ms: ms.grad(f)(t(ms))


def _assign_intermediate(z: Any) -> Any:
    y = z * 2
    y[0] = 0.0
    return y.sum()


def _assign_graph_value(z: Any) -> Any:
    y = z * 1.0
    y[0] = z[1] * 3
    return (y * y).sum()


def _assign_after_use(z: Any) -> Any:  # the product recorded before the write reads the new values
    y = z * 2
    w = y * y
    y[0] = 0.0
    return w.sum() + y.sum()


def _assign_rows_of_zeros(z: Any) -> Any:
    h = z.sum() * 0 + z * 0  # an intermediate of z's dtype and shape
    h[0] = z[1] * 2
    h[1] = z[0].tanh()
    return (h * h).sum()


def _assign_slice_into_zeros(z: Any) -> Any:
    h = z * 0
    h[:, 1:] = z[:, :2]
    return (h * 3).sum()


def _assign_into_input(z: Any) -> Any:
    z[0] = 0.0
    return (z * z).sum()


GRAD_SETITEM = {
    "intermediate": _grad_of(_assign_intermediate),
    "value from the graph": _grad_of(_assign_graph_value),
    "after a use": _grad_of(_assign_after_use),
    "rows of a zero buffer": _grad_of(_assign_rows_of_zeros),
    "slice into a zero buffer": _grad_of(_assign_slice_into_zeros),
    "into the differentiated input": _grad_of(_assign_into_input),
}


@cases(GRAD_SETITEM)
def test_item_assignment_inside_grad_matches_mindspore(body: Callable[[Any], Any]) -> None:
    check(body, rtol=1e-5, atol=2e-5)


# ---------------------------------------------------------------------------------------------
# printing and dtypes
# ---------------------------------------------------------------------------------------------
PRINTED = {
    "repr -0.": lambda ms: repr(t(ms, [-0.0, 1.0, -0.5])),
    "str -0.": lambda ms: str(t(ms, [-0.0, 1.0, -0.5])),
    "0-d -0.": lambda ms: repr(ms.Tensor(np.float32(-0.0))),
    "str 0-d -0.": lambda ms: str(ms.Tensor(np.float32(-0.0))),
    "negated zero": lambda ms: repr(-t(ms, [0.0, 1.0])),
    "times -1": lambda ms: repr(t(ms, [0.0, 1.0]) * -1),
    "abs(-0.)": lambda ms: repr(t(ms, [-0.0, -1.0]).abs()),
    "relu(-0.)": lambda ms: repr(ms.ops.relu(t(ms, [-0.0, -1.0]))),
    "sum of -0.": lambda ms: repr(t(ms, [-0.0, -0.0]).sum()),
    "float64 -0.": lambda ms: repr(t(ms, np.array([-0.0, 1.5]))),
    "2-d str": lambda ms: str(t(ms, [[-0.0, 1.0], [2, 3]])),
    "bool all True": lambda ms: repr(t(ms) == t(ms)),
    "bool mixed": lambda ms: repr(ms.Tensor([1, 0], ms.bool_)),
    "bool 2-d": lambda ms: repr(ms.ops.cast(t(ms), ms.bool_)),
    "int": lambda ms: repr(t(ms, [[1, -20], [300, 4]])),
    "int mean": lambda ms: repr(t(ms, [1, 2]).mean()),
    "arange floats": lambda ms: repr(ms.ops.arange(0, 1.0, 0.25)),
    "arange float64 start": lambda ms: repr(ms.ops.arange(np.float64(0.5), 2)),
    "arange Tensor start": lambda ms: repr(ms.ops.arange(ms.Tensor(0.5), 2)),
    "arange ints": lambda ms: repr(ms.ops.arange(3)),
    "arange int Tensor": lambda ms: repr(ms.ops.arange(ms.Tensor(np.int32(3)))),
    "arange dtype": lambda ms: repr(ms.ops.arange(3, dtype=ms.float32)),
    "mindspore.bool": lambda ms: (repr(ms.bool_), str(ms.bool_), ms.bool_ == ms.bool, repr(ms.bool)),
}


@cases(PRINTED)
def test_printing_and_dtypes_match_mindspore(body: Callable[[Any], Any]) -> None:
    check(body)


# ---------------------------------------------------------------------------------------------
# functional ops
# ---------------------------------------------------------------------------------------------
def idx(ms: Any, *v: int, dtype: Any = np.int32) -> Any:
    return ms.Tensor(np.array(v, dtype))


OPS = {
    "div floor": lambda ms: ms.ops.div(t(ms), t(ms, [0.7, 0.7, -0.7]), rounding_mode="floor"),
    "div trunc": lambda ms: ms.ops.div(t(ms), t(ms, [0.7, 0.7, -0.7]), rounding_mode="trunc"),
    "div None": lambda ms: ms.ops.div(t(ms), 2, rounding_mode=None),
    "div bad mode": lambda ms: ms.ops.div(t(ms), 2, rounding_mode="round"),
    "div ints floor": lambda ms: ms.ops.div(t(ms, [7, -7]), t(ms, [2, 2]), rounding_mode="floor"),
    "div ints trunc": lambda ms: ms.ops.div(t(ms, [7, -7]), t(ms, [2, 2]), rounding_mode="trunc"),
    "div ints true": lambda ms: ms.ops.div(t(ms, [7, -7]), t(ms, [2, 2])),
    "div int by number floor": lambda ms: ms.ops.div(t(ms, [7, -7]), 2, rounding_mode="floor"),
    "div by zero floor": lambda ms: ms.ops.div(t(ms, [1.0, -1.0]), t(ms, [0.0, 0.0]), rounding_mode="floor"),
    "grad of div floor is zero": lambda ms: ms.grad(_floor_div_sum)(t(ms)),
    "floor_divide": lambda ms: ms.ops.floor_divide(t(ms), 0.7),
    "// ints": lambda ms: t(ms, [7, -7]) // 2,
    "// floats": lambda ms: t(ms) // 0.7,
    "% floats": lambda ms: t(ms) % 0.7,
    "clamp Tensor bounds": lambda ms: ms.ops.clamp(t(ms), t(ms, [0.0, 0, 0]), t(ms, [1.0, 2, 1])),
    "clamp min Tensor": lambda ms: ms.ops.clamp(t(ms), t(ms, [0.0, -5, 0])),
    "clamp numbers": lambda ms: ms.ops.clamp(t(ms), -0.5, 0.5),
    "grad of clamp with Tensor bounds": lambda ms: ms.grad(_clamp_tensor_sum)(t(ms)),
    "one_hot": lambda ms: ms.ops.one_hot(idx(ms, 0, 2, 1), 3),
    "one_hot Tensor on/off": lambda ms: ms.ops.one_hot(
        idx(ms, 0, 2, 1), 3, ms.Tensor(1.0, ms.float32), ms.Tensor(0.0, ms.float32)
    ),
    "one_hot int64 indices": lambda ms: ms.ops.one_hot(idx(ms, 0, 2, dtype=np.int64), 3),
    "one_hot axis=0": lambda ms: ms.ops.one_hot(idx(ms, 0, 2), 3, 1, 0, axis=0),
    "one_hot float on/off": lambda ms: ms.ops.one_hot(idx(ms, 0, 2), 3, 1.0, 0.0),
    "one_hot 2-d": lambda ms: ms.ops.one_hot(ms.Tensor(np.array([[0, 2], [1, 1]])), 3),
    "one_hot out of range": lambda ms: ms.ops.one_hot(idx(ms, 0, 3, -1), 3),
    "one_hot float16": lambda ms: ms.ops.one_hot(
        idx(ms, 0, 2), 3, ms.Tensor(2.0, ms.float16), ms.Tensor(0.0, ms.float16)
    ),
    "one_hot float indices": lambda ms: ms.ops.one_hot(t(ms, [0.0, 1.0]), 3),
    "one_hot negative depth": lambda ms: ms.ops.one_hot(idx(ms, 0, 2), -1),
    "OneHot primitive": lambda ms: ms.ops.OneHot()(
        idx(ms, 0, 2), 3, ms.Tensor(1.0, ms.float32), ms.Tensor(0.0, ms.float32)
    ),
}


def _floor_div_sum(u: Any) -> Any:
    return OURS_OR_REAL(u).ops.div(u, 0.7, rounding_mode="floor").sum()


def _clamp_tensor_sum(u: Any) -> Any:
    ms = OURS_OR_REAL(u)
    return (
        ms.ops.clamp(u, ms.Tensor(np.array([0.0, -3.0, 0.0], np.float32)), ms.Tensor(np.float32(2.0))) * u
    ).sum()


def OURS_OR_REAL(x: Any) -> Any:  # noqa: N802 - reads as the module it returns
    """The framework a Tensor belongs to."""
    return OURS if isinstance(x, OURS.Tensor) else REAL


@cases(OPS)
def test_functional_ops_match_mindspore(body: Callable[[Any], Any]) -> None:
    check(body)


CROSS_ENTROPY = {
    "probabilities": lambda ms: ms.ops.cross_entropy(t(ms), t(ms, P)),
    "probabilities, sum": lambda ms: ms.ops.cross_entropy(t(ms), t(ms, P), reduction="sum"),
    "probabilities, none": lambda ms: ms.ops.cross_entropy(t(ms), t(ms, P), reduction="none"),
    "probabilities, smoothing": lambda ms: ms.ops.cross_entropy(t(ms), t(ms, P), label_smoothing=0.1),
    "probabilities, weight": lambda ms: ms.ops.cross_entropy(t(ms), t(ms, P), weight=t(ms, [1.0, 2, 0.5])),
    "probabilities, weight, sum": lambda ms: ms.ops.cross_entropy(
        t(ms), t(ms, P), weight=t(ms, [1.0, 2, 0.5]), reduction="sum"
    ),
    "probabilities, 1-d": lambda ms: ms.ops.cross_entropy(t(ms, [1.0, 2, 3]), t(ms, [0.1, 0.2, 0.7])),
    "probabilities, 3-d": lambda ms: ms.ops.cross_entropy(
        t(ms, np.arange(12, dtype=np.float32).reshape(2, 3, 2) / 5),
        t(ms, np.full((2, 3, 2), 1 / 3, np.float32)),
    ),
    "probabilities, float64 targets": lambda ms: ms.ops.cross_entropy(t(ms), t(ms, P.astype(np.float64))),
    "grad, probabilities": lambda ms: ms.grad(_ce_probs)(t(ms)),
    "indices, weight": lambda ms: ms.ops.cross_entropy(t(ms), idx(ms, 2, 1), weight=t(ms, [1.0, 2, 0.5])),
    "indices, smoothing": lambda ms: ms.ops.cross_entropy(t(ms), idx(ms, 2, 1), label_smoothing=0.1),
    "indices, smoothing, weight": lambda ms: ms.ops.cross_entropy(
        t(ms), idx(ms, 2, 1), weight=t(ms, [1.0, 2, 0.5]), label_smoothing=0.2
    ),
    "indices, ignore_index": lambda ms: ms.ops.cross_entropy(t(ms), idx(ms, 2, -100)),
    "indices, none": lambda ms: ms.ops.cross_entropy(t(ms), idx(ms, 2, 1), reduction="none"),
    "indices, 3-d": lambda ms: ms.ops.cross_entropy(
        t(ms, np.arange(12, dtype=np.float32).reshape(2, 3, 2) / 5), ms.Tensor(np.array([[0, 1], [2, 0]]))
    ),
    "indices, 1-d": lambda ms: ms.ops.cross_entropy(t(ms, [1.0, 2, 3]), ms.Tensor(np.array(2))),
    "nn.CrossEntropyLoss probabilities": lambda ms: ms.nn.CrossEntropyLoss()(t(ms), t(ms, P)),
    "nn.CrossEntropyLoss none": lambda ms: ms.nn.CrossEntropyLoss(reduction="none")(t(ms), t(ms, P)),
    "nn.CrossEntropyLoss smoothing": lambda ms: ms.nn.CrossEntropyLoss(label_smoothing=0.2)(t(ms), t(ms, P)),
    "nn.CrossEntropyLoss weight": lambda ms: ms.nn.CrossEntropyLoss(weight=t(ms, [1.0, 2, 0.5]))(
        t(ms), t(ms, P)
    ),
    "nn.CrossEntropyLoss indices, weight": lambda ms: ms.nn.CrossEntropyLoss(weight=t(ms, [1.0, 2, 0.5]))(
        t(ms), idx(ms, 2, 0)
    ),
}


def _ce_probs(u: Any) -> Any:
    ms = OURS_OR_REAL(u)
    return ms.ops.cross_entropy(u, ms.Tensor(P))


@cases(CROSS_ENTROPY)
def test_cross_entropy_matches_mindspore(body: Callable[[Any], Any]) -> None:
    check(body, message=False)  # the float64-targets case: the type (TypeError) is compared


# ---------------------------------------------------------------------------------------------
# random ops: MindSpore's shapes, dtypes, ranges and checks (its numbers come from its own C++
# generators, which this frontend does not reproduce)
# ---------------------------------------------------------------------------------------------
def facts(r: Any) -> Any:
    a = r.asnumpy()
    return str(r.dtype), a.shape, bool(a.min() >= 0.0), bool(a.max() < 1.0)


RANDOM = {
    "rand(2, 3)": lambda ms: facts(ms.ops.rand(2, 3)),
    "rand((2, 3))": lambda ms: facts(ms.ops.rand((2, 3))),
    "rand float64": lambda ms: facts(ms.ops.rand(4, dtype=ms.float64)),
    "rand seed": lambda ms: facts(ms.ops.rand(5, seed=5)),
    "rand int32": lambda ms: ms.ops.rand(2, dtype=ms.int32),
    "rand_like": lambda ms: facts(ms.ops.rand_like(t(ms))),
    "randn": lambda ms: (str(ms.ops.randn(2, 3).dtype), ms.ops.randn(2, 3).shape),
    "randint": lambda ms: (
        lambda r: (str(r.dtype), r.shape, bool(r.asnumpy().min() >= 0), bool(r.asnumpy().max() < 5))
    )(ms.ops.randint(0, 5, (2, 3))),
    "uniform": lambda ms: facts(ms.ops.uniform((2, 3), ms.Tensor(0.0), ms.Tensor(1.0))),
    "uniform [1, 2)": lambda ms: facts(ms.ops.uniform((300,), ms.Tensor(1.0), ms.Tensor(2.0), seed=3) - 1),
    "uniform numbers": lambda ms: ms.ops.uniform((3,), 0.0, 1.0),
    "uniform int32 dtype, int64 bounds": lambda ms: ms.ops.uniform(
        (3,), ms.Tensor(1), ms.Tensor(5), seed=3, dtype=ms.int32
    ),
}


@cases(RANDOM)
def test_random_ops_match_mindspore_in_everything_but_the_numbers(body: Callable[[Any], Any]) -> None:
    check(body)


def test_same_seed_twice_gives_new_numbers_as_in_mindspore() -> None:
    for ms in (REAL, OURS):
        a, b = ms.ops.rand(50, seed=5).asnumpy(), ms.ops.rand(50, seed=5).asnumpy()
        assert not np.array_equal(a, b)
        u = ms.ops.rand(20000, seed=1).asnumpy()
        assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005


def test_insert_param_to_cell_makes_an_attribute_as_mindspore():
    res = {}
    for ms in (mindspore, tms):

        class Net(ms.nn.Cell):
            def construct(self, x):
                return x

        net = Net()
        net.insert_param_to_cell("bias", ms.Parameter(ms.Tensor(np.array([1.0, 2.0], np.float32))))
        res[ms.__name__] = (
            net.bias.name,
            net.bias.asnumpy().tolist(),
            [n for n, _ in net.parameters_and_names()],
        )
        with pytest.raises(AttributeError, match="has no attribute 'missing'"):
            net.missing  # noqa: B018
    assert res["tinygrad_rnn.mindspore"] == res["mindspore"]


@pytest.mark.parametrize("call", ["ops.amax", "ops.amin", "ops.max", "ops.min", "Tensor.max", "Tensor.min"])
@pytest.mark.parametrize("kw", ["initial", "where"])
def test_initial_and_where_are_refused_not_ignored(call, kw):
    # MindSpore takes them; ours does not implement them and says so instead of returning the plain max
    a = np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], np.float32)
    args = (
        {"initial": 9.0}
        if kw == "initial"
        else {"initial": 0.0, "where": np.array([[True, False, True]] * 2)}
    )

    def run(ms):
        x = ms.Tensor(a)
        extra = {k: ms.Tensor(v) if isinstance(v, np.ndarray) else v for k, v in args.items()}
        fn = getattr(ms.ops, call[4:]) if call.startswith("ops.") else getattr(x, call[7:])
        return fn(x, 1, **extra) if call.startswith("ops.") else fn(axis=1, **extra)

    run(mindspore)  # real MindSpore accepts the call
    with pytest.raises(NotImplementedError, match=f"'{call.split('.')[-1]}'.*'initial' and 'where'"):
        run(tms)
