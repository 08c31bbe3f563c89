"""Every primitive and composite against real torch: forward, backward and double backward.

Each case is one line through `_oracle.check`; every test runs in float64 (tolerance 1e-10) and
float32 (1e-5) over a grid of shapes that includes scalars and numpy/torch broadcasting.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _oracle import check

from tinygrad_rnn import Tensor, functional, grad, ops

DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])

UNARY_SHAPES = [(), (3,), (2, 3), (1, 3), (3, 1), (2, 1, 3), (2, 3, 4)]

# pairs of mutually broadcastable shapes (result shape in the comment)
BINARY_SHAPES = [
    ((), ()),  # ()
    ((3,), (3,)),  # (3,)
    ((2, 3), (2, 3)),  # (2, 3)
    ((), (2, 3)),  # (2, 3)
    ((2, 3), ()),  # (2, 3)
    ((2, 3), (3,)),  # (2, 3)
    ((3,), (2, 3)),  # (2, 3)
    ((1, 3), (2, 1)),  # (2, 3)
    ((2, 1), (1, 3)),  # (2, 3)
    ((2, 1, 3), (3, 1)),  # (2, 3, 3)
    ((3, 1), (2, 1, 3)),  # (2, 3, 3)
    ((2, 1, 3), (1, 3)),  # (2, 1, 3)
    ((1,), (2, 3)),  # (2, 3)
    ((4, 1, 3), (1, 2, 1)),  # (4, 2, 3)
]
BIN_IDS = [f"{a}x{b}" for a, b in BINARY_SHAPES]


# ---------------------------------------------------------------------------------------------
# elementwise binary
# ---------------------------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize("sa,sb", BINARY_SHAPES, ids=BIN_IDS)
def test_add(sa, sb, dtype):
    check([sa, sb], lambda a, b: a + b, dtype=dtype)


@DTYPES
@pytest.mark.parametrize("sa,sb", BINARY_SHAPES, ids=BIN_IDS)
def test_sub(sa, sb, dtype):
    check([sa, sb], lambda a, b: a - b, dtype=dtype)


@DTYPES
@pytest.mark.parametrize("sa,sb", BINARY_SHAPES, ids=BIN_IDS)
def test_mul(sa, sb, dtype):
    check([sa, sb], lambda a, b: a * b, dtype=dtype)


@DTYPES
@pytest.mark.parametrize("sa,sb", BINARY_SHAPES, ids=BIN_IDS)
def test_div(sa, sb, dtype):
    # denominators bounded away from 0: shift the second input to [0.5, 2.5)
    check([sa, sb], lambda a, b: a / (b * b + 0.5), dtype=dtype)
    check([sa, sb], lambda a, b: a / b, dtype=dtype, low=0.5, high=2.5)


@DTYPES
@pytest.mark.parametrize("sa,sb", BINARY_SHAPES, ids=BIN_IDS)
def test_maximum_minimum(sa, sb, dtype):
    check([sa, sb], torch.maximum, ops.maximum, dtype=dtype)
    check([sa, sb], torch.minimum, ops.minimum, dtype=dtype)


@DTYPES
@pytest.mark.parametrize("sa,sb", BINARY_SHAPES, ids=BIN_IDS)
def test_pow_tensor_exponent(sa, sb, dtype):
    check([sa, sb], lambda a, b: a**b, dtype=dtype, low=0.5, high=2.0)


@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
@pytest.mark.parametrize("c", [2, 3, -1, 0.5, -1.5, 2.5, 0, 1])
def test_pow_scalar_exponent(shape, c, dtype):
    check([shape], lambda x: x**c, dtype=dtype, low=0.5, high=2.0)


@DTYPES
@pytest.mark.parametrize("c", [2, 3, -1, 0])
def test_pow_integer_exponent_negative_base(c, dtype):
    check([(2, 3)], lambda x: x**c, dtype=dtype, low=-2.0, high=-0.5)


@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
def test_pow_scalar_base(shape, dtype):
    check([shape], lambda x: 2.0**x, dtype=dtype)
    check([shape], lambda x: x.pow(2), dtype=dtype)


def test_pow_tensor_exponent_at_zero_base():
    # d/db 0**b is defined as 0 for b >= 0 (torch's convention), not nan
    # (first order only: torch's double backward there is nan, an artifact of its masking)
    a, b = np.array([0.0, 0.0, 1.5]), np.array([2.0, 1.5, 0.5])
    check(None, lambda a, b: a**b, arrays=[a, b], double=False)


@DTYPES
@pytest.mark.parametrize("sa", UNARY_SHAPES)
def test_binary_with_python_scalars(sa, dtype):
    check([sa], lambda a: 3.0 * a - 1.5, dtype=dtype)
    check([sa], lambda a: 2 - a / 4, dtype=dtype)
    check([sa], lambda a: 1.5 / (a * a + 1), dtype=dtype)


# ---------------------------------------------------------------------------------------------
# elementwise unary
# ---------------------------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
def test_neg(shape, dtype):
    check([shape], lambda x: -x, dtype=dtype)


@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
def test_exp(shape, dtype):
    check([shape], lambda x: x.exp(), dtype=dtype)


@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
def test_log(shape, dtype):
    check([shape], lambda x: x.log(), dtype=dtype, low=0.2, high=3.0)


@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
def test_tanh(shape, dtype):
    check([shape], lambda x: x.tanh(), dtype=dtype, low=-3, high=3)


@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
def test_sigmoid(shape, dtype):
    check([shape], lambda x: x.sigmoid(), dtype=dtype, low=-4, high=4)


def test_sigmoid_saturates_without_nan():
    x = np.array([-800.0, -50.0, 0.0, 50.0, 800.0])
    check(None, lambda x: x.sigmoid(), arrays=[x])


@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
def test_relu(shape, dtype):
    rng = np.random.default_rng(1)
    x = rng.uniform(0.1, 2, size=shape) * rng.choice([-1, 1], size=shape)  # never 0
    check(None, lambda x: x.relu(), arrays=[x.astype(dtype)])


def test_relu_at_zero_has_zero_gradient_like_torch():
    check(None, lambda x: x.relu(), arrays=[np.array([-1.0, 0.0, 1.0])])


@DTYPES
@pytest.mark.parametrize("shape", UNARY_SHAPES)
@pytest.mark.parametrize(
    "lo,hi", [(-0.5, 0.7), (None, 0.3), (-0.2, None)], ids=["both", "hi_only", "lo_only"]
)
def test_clip(shape, lo, hi, dtype):
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, size=shape)
    for b in (lo, hi):  # keep away from the boundaries, where the derivative does not exist
        if b is not None:
            x = np.where(np.abs(x - b) < 0.05, b + 0.1, x)
    check(None, lambda x: x.clip(lo, hi), arrays=[x.astype(dtype)])


@DTYPES
@pytest.mark.parametrize(
    "sc,sa,sb", [((), (), ()), ((2, 3), (2, 3), (2, 3)), ((3,), (2, 3), (2, 1)), ((2, 1), (3,), ())]
)
def test_where(sc, sa, sb, dtype):
    cond = np.random.default_rng(3).random(sc) > 0.5
    check(
        [sa, sb],
        lambda a, b: torch.where(torch.tensor(cond), a, b),
        lambda a, b: ops.where(cond, a, b),
        dtype=dtype,
    )


@DTYPES
def test_where_with_scalar_branch(dtype):
    cond = np.array([True, False, True])
    check(
        [(2, 3)],
        lambda a: torch.where(torch.tensor(cond), a, 0.0),
        lambda a: ops.where(cond, a, 0.0),
        dtype=dtype,
    )
    check(
        [(2, 3)],
        lambda a: torch.where(torch.tensor(cond), 1.0, a),
        lambda a: ops.where(cond, 1.0, a),
        dtype=dtype,
    )


@pytest.mark.parametrize("shape", UNARY_SHAPES)
@pytest.mark.parametrize(
    "src,dst", [(np.float64, np.float32), (np.float32, np.float64)], ids=["64to32", "32to64"]
)
def test_cast(shape, src, dst):
    tdst = {np.float32: torch.float32, np.float64: torch.float64}[dst]
    # through a nonlinearity on both sides of the cast, so double backward goes through it
    tol = dict(rtol=1e-5, atol=1e-6)
    check(
        [shape],
        lambda x: (x.to(tdst) * x.to(tdst)).to(x.dtype) * x,
        lambda x: (x.astype(dst) * x.astype(dst)).astype(src) * x,
        dtype=src,
        tol=tol,
    )
    check([shape], lambda x: x.to(tdst).tanh(), lambda x: x.astype(dst).tanh(), dtype=src, tol=tol)


def test_cast_to_same_dtype_is_identity():
    x = Tensor(np.ones(3), requires_grad=True)
    assert x.astype(np.float64) is x
    check([(2, 3)], lambda x: x.double() * 2, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# matmul
# ---------------------------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3,), (3,)),  # dot
    ((2, 3), (3, 4)),  # mm
    ((3,), (3, 4)),  # vector @ matrix
    ((2, 3), (3,)),  # matrix @ vector
    ((5, 2, 3), (3, 4)),  # batched @ matrix
    ((2, 3), (5, 3, 4)),  # matrix @ batched
    ((5, 2, 3), (5, 3, 4)),  # batched @ batched
    ((5, 1, 2, 3), (4, 3, 2)),  # broadcast batch dims
    ((1, 2, 3), (4, 3, 2)),  # batch dim 1 broadcast
    ((3,), (5, 3, 4)),  # vector @ batched
    ((5, 2, 3), (3,)),  # batched @ vector
    ((2, 1, 2, 3), (3,)),
    ((1, 3), (3, 1)),
]


@DTYPES
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=[f"{a}@{b}" for a, b in MATMUL_SHAPES])
def test_matmul(sa, sb, dtype):
    check([sa, sb], lambda a, b: a @ b, dtype=dtype)
    check([sa, sb], lambda a, b: (a @ b).tanh(), dtype=dtype)  # nonlinear: non-trivial second order


# ---------------------------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------------------------
REDUCE_CASES = [
    ((), None),
    ((), 0),
    ((), -1),
    ((3,), None),
    ((3,), 0),
    ((3,), -1),
    ((2, 3), None),
    ((2, 3), 0),
    ((2, 3), 1),
    ((2, 3), -1),
    ((2, 3), (0, 1)),
    ((2, 1, 3), 1),
    ((2, 3, 4), (0, 2)),
    ((2, 3, 4), (-1, 0)),
    ((2, 3, 4), (1,)),
    ((2, 3, 4), None),
    ((2, 3, 4, 2), (1, 3)),
]
RED_IDS = [f"{s}-{a}" for s, a in REDUCE_CASES]


def _tdim(shape, axis):
    return tuple(range(len(shape))) if axis is None else axis


@DTYPES
@pytest.mark.parametrize("keepdims", [False, True], ids=["nokeep", "keep"])
@pytest.mark.parametrize("shape,axis", REDUCE_CASES, ids=RED_IDS)
def test_sum(shape, axis, keepdims, dtype):
    d = _tdim(shape, axis)
    check([shape], lambda x: x.sum(dim=d, keepdim=keepdims), lambda x: x.sum(axis, keepdims), dtype=dtype)
    # non-linear around the reduction, so double backward goes through it with non-zero terms
    check(
        [shape],
        lambda x: (x * x).sum(dim=d, keepdim=keepdims).tanh(),
        lambda x: (x * x).sum(axis, keepdims).tanh(),
        dtype=dtype,
    )


@DTYPES
@pytest.mark.parametrize("keepdims", [False, True], ids=["nokeep", "keep"])
@pytest.mark.parametrize("shape,axis", REDUCE_CASES, ids=RED_IDS)
def test_mean(shape, axis, keepdims, dtype):
    d = _tdim(shape, axis)
    check(
        [shape],
        lambda x: (x * x).mean(dim=d, keepdim=keepdims),
        lambda x: (x * x).mean(axis, keepdims),
        dtype=dtype,
    )


@DTYPES
@pytest.mark.parametrize("keepdims", [False, True], ids=["nokeep", "keep"])
@pytest.mark.parametrize("shape,axis", REDUCE_CASES, ids=RED_IDS)
def test_max_min(shape, axis, keepdims, dtype):
    d = _tdim(shape, axis)
    check(
        [shape],
        lambda x: (x * x).amax(dim=d, keepdim=keepdims),
        lambda x: (x * x).max(axis, keepdims),
        dtype=dtype,
    )
    check(
        [shape],
        lambda x: x.amin(dim=d, keepdim=keepdims).exp(),
        lambda x: x.min(axis, keepdims).exp(),
        dtype=dtype,
    )


# ---------------------------------------------------------------------------------------------
# ties: the documented tie rules, checked against torch
# ---------------------------------------------------------------------------------------------
@DTYPES
def test_maximum_minimum_ties_split_gradient_in_half(dtype):
    a = np.array([1.0, 2.0, -1.0, 0.5], dtype=dtype)
    b = np.array([1.0, 0.0, -1.0, 0.5], dtype=dtype)  # three ties
    check(None, torch.maximum, ops.maximum, arrays=[a, b])
    check(None, torch.minimum, ops.minimum, arrays=[a, b])
    # and the rule itself, independent of torch: a tie gives each side half
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    ops.maximum(x, y).sum().backward()
    assert x.grad.data[0] == 0.5 and y.grad.data[0] == 0.5
    assert x.grad.data[1] == 1.0 and y.grad.data[1] == 0.0


@DTYPES
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_max_min_reduction_ties_share_evenly(axis, dtype):
    x = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]], dtype=dtype)
    d = _tdim(x.shape, axis)
    check(None, lambda x: x.amax(dim=d), lambda x: x.max(axis), arrays=[x])
    check(None, lambda x: x.amin(dim=d), lambda x: x.min(axis), arrays=[x])
    t = Tensor(x, requires_grad=True)
    t.max(axis).sum().backward()
    assert np.isclose(t.grad.data.sum(), 1.0 if axis is None else x.size / x.shape[axis])
    if axis == 1:
        np.testing.assert_allclose(t.grad.data, [[0.5, 0, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# shape ops
# ---------------------------------------------------------------------------------------------
RESHAPES = [
    ((), (1,)),
    ((), (1, 1)),
    ((3,), (1, 3)),
    ((3,), (3, 1)),
    ((2, 3), (6,)),
    ((2, 3), (3, 2)),
    ((2, 3), (-1,)),
    ((2, 3, 4), (4, -1)),
    ((2, 3, 4), (2, 1, 12)),
    ((1,), ()),
    ((1, 1, 1), ()),
]


@DTYPES
@pytest.mark.parametrize("shape,new", RESHAPES, ids=[f"{a}->{b}" for a, b in RESHAPES])
def test_reshape(shape, new, dtype):
    check([shape], lambda x: (x * x).reshape(new), dtype=dtype)
    if new:  # reshape() with no shape is a TypeError in torch
        check([shape], lambda x: (x * x).reshape(*new), dtype=dtype)


PERMS = [
    ((2, 3), (1, 0)),
    ((2, 3), (0, 1)),
    ((2, 3, 4), (2, 0, 1)),
    ((2, 3, 4), (1, 2, 0)),
    ((2, 3, 4), (0, 2, 1)),
    ((2, 1, 3, 2), (3, 1, 0, 2)),
    ((3,), (0,)),
]


@DTYPES
@pytest.mark.parametrize("shape,perm", PERMS, ids=[f"{s}-{p}" for s, p in PERMS])
def test_transpose_permute(shape, perm, dtype):
    check([shape], lambda x: (x * x).permute(*perm), lambda x: (x * x).transpose(*perm), dtype=dtype)
    check([shape], lambda x: (x * x).permute(*perm), lambda x: (x * x).permute(perm), dtype=dtype)


@DTYPES
@pytest.mark.parametrize("shape,i,j", [((2, 3), 0, 1), ((2, 3, 4), 0, 2), ((2, 3, 4), -1, 1), ((2, 3), 1, 1)])
def test_swapaxes_and_T(shape, i, j, dtype):
    check([shape], lambda x: (x * x).swapaxes(i, j), dtype=dtype)
    check([shape], lambda x: (x * x).permute(*reversed(range(x.ndim))), lambda x: (x * x).T, dtype=dtype)


EXPANDS = [
    ((), (2, 3)),
    ((3,), (2, 3)),
    ((1, 3), (4, 2, 3)),
    ((3, 1), (3, 4)),
    ((2, 1, 3), (2, 5, 3)),
    ((1,), (1,)),
]


@DTYPES
@pytest.mark.parametrize("shape,new", EXPANDS, ids=[f"{a}->{b}" for a, b in EXPANDS])
def test_expand(shape, new, dtype):
    check([shape], lambda x: (x * x).expand(*new), dtype=dtype)
    check([shape], lambda x: (x * x).expand(new), dtype=dtype)


_R = np.random.default_rng(7)
MASK_23 = np.array([[True, False, True], [False, True, True]])
INDICES = [
    ("int", (2, 3), 1),
    ("neg_int", (2, 3), -1),
    ("slice", (2, 3, 4), (slice(None), slice(1, 3))),
    ("step", (5, 3), slice(None, None, 2)),
    ("int_slice", (2, 3, 4), (1, slice(0, 2), 2)),
    ("none", (2, 3), (None, slice(None), 1)),
    ("none_mid", (2, 3), (1, None)),
    ("ellipsis", (2, 3, 4), (Ellipsis, 1)),
    ("ellipsis_mid", (2, 3, 4), (0, Ellipsis, slice(1, 3))),
    ("scalar_of_vector", (3,), 2),
    ("list_repeats", (3, 2), [0, 0, 2, 0]),
    ("array_repeats", (2, 3), np.array([1, 1, 0])),
    ("array_2d", (4, 3), np.array([[0, 3], [3, 3]])),
    ("cols_repeats", (2, 3), (slice(None), [1, 1, 2])),
    ("pair_arrays", (3, 4), (np.array([0, 2, 2, 0]), np.array([1, 1, 3, 1]))),
    ("array_then_slice", (3, 4, 2), (np.array([2, 2]), slice(1, 3))),
    ("array_broadcast", (3, 4), (np.array([[0], [2]]), np.array([1, 1, 3]))),
    ("bool_mask", (2, 3), MASK_23),
    ("bool_rows", (2, 3), np.array([False, True])),
    ("bool_cols", (2, 3), (slice(None), np.array([True, False, True]))),
    ("bool_all_false", (2, 3), np.zeros((2, 3), dtype=bool)),
    ("empty_slice", (2, 3), slice(1, 1)),
]


@DTYPES
@pytest.mark.parametrize("shape,idx", [(s, i) for _, s, i in INDICES], ids=[n for n, _, _ in INDICES])
def test_getitem(shape, idx, dtype):
    check([shape], lambda x: (x * x)[idx], dtype=dtype)
    check([shape], lambda x: x[idx].tanh(), dtype=dtype)


@DTYPES
@pytest.mark.parametrize(
    "shape,axis", [((), 0), ((3,), 0), ((3,), 1), ((2, 3), 0), ((2, 3), 1), ((2, 3), 2), ((2, 3), -1)]
)
def test_stack(shape, axis, dtype):
    check(
        [shape, shape, shape],
        lambda a, b, c: torch.stack([a, b * b, c], axis),
        lambda a, b, c: ops.stack([a, b * b, c], axis),
        dtype=dtype,
    )
    check(
        [shape], lambda a: torch.stack([a], axis).tanh(), lambda a: ops.stack([a], axis).tanh(), dtype=dtype
    )


@DTYPES
@pytest.mark.parametrize(
    "shapes,axis",
    [
        ([(3,), (2,)], 0),
        ([(2, 3), (1, 3), (4, 3)], 0),
        ([(2, 3), (2, 1)], 1),
        ([(2, 1, 3), (2, 2, 3)], 1),
        ([(2, 3), (2, 2)], -1),
    ],
)
def test_concat(shapes, axis, dtype):
    check(
        shapes,
        lambda *xs: torch.cat([x * x for x in xs], axis),
        lambda *xs: ops.concat([x * x for x in xs], axis),
        dtype=dtype,
    )


@DTYPES
@pytest.mark.parametrize(
    "shape,sizes,axis",
    [
        ((5,), [2, 3], 0),
        ((5, 2), 2, 0),
        ((2, 6), [1, 2, 3], 1),
        ((2, 4, 3), [4], 1),
        ((2, 3), 1, -1),
        ((2, 7), 3, 1),
    ],
)
def test_split(shape, sizes, axis, dtype):
    check([shape], lambda x: (x * x).split(sizes, axis), dtype=dtype)


@DTYPES
def test_split_some_parts_unused(dtype):
    # the backward must fill the parts nobody used with zeros
    check([(2, 6)], lambda x: x.split([1, 2, 3], 1)[1].tanh(), dtype=dtype)
    check([(2, 6)], lambda x: x.split(2, 1)[2].exp(), dtype=dtype)


@DTYPES
@pytest.mark.parametrize("shape,axis", [((3,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3, 4), -1), ((2, 3, 4), 1)])
def test_unbind(shape, axis, dtype):
    check([shape], lambda x: (x * x).unbind(axis), dtype=dtype)
    check([shape], lambda x: x.unbind(axis)[-1].tanh(), dtype=dtype)  # the other slices unused


# ---------------------------------------------------------------------------------------------
# composites (functional.py)
# ---------------------------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize(
    "shape,axis", [((3,), 0), ((3,), -1), ((2, 3), -1), ((2, 3), 0), ((2, 3, 4), 1), ((1, 5), 1)]
)
def test_softmax_log_softmax(shape, axis, dtype):
    check(
        [shape],
        lambda x: torch.softmax(x, axis),
        lambda x: functional.softmax(x, axis),
        dtype=dtype,
        low=-3,
        high=3,
    )
    check(
        [shape],
        lambda x: torch.log_softmax(x, axis),
        lambda x: functional.log_softmax(x, axis),
        dtype=dtype,
        low=-3,
        high=3,
    )


def test_softmax_large_logits_are_stable():
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]])
    check(None, lambda x: torch.softmax(x, -1), lambda x: functional.softmax(x, -1), arrays=[x])
    check(None, lambda x: torch.log_softmax(x, -1), lambda x: functional.log_softmax(x, -1), arrays=[x])


@DTYPES
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 4)])
def test_mse_loss(shape, reduction, dtype):
    # target as a differentiable input too (torch allows it)
    check(
        [shape, shape],
        lambda a, b: TF.mse_loss(a, b, reduction=reduction),
        lambda a, b: functional.mse_loss(a, b, reduction),
        dtype=dtype,
    )
    target = np.random.default_rng(4).standard_normal(shape).astype(dtype)
    check(
        [shape],
        lambda a: TF.mse_loss(a, torch.tensor(target), reduction=reduction),
        lambda a: functional.mse_loss(a, target, reduction),
        dtype=dtype,
    )


@DTYPES
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "shape,tshape", [((4, 5), (4,)), ((2, 5, 3), (2, 3)), ((5,), ()), ((3, 4, 2, 2), (3, 2, 2))]
)
def test_cross_entropy(shape, tshape, reduction, dtype):
    target = np.random.default_rng(5).integers(0, shape[1 if len(shape) > 1 else 0], size=tshape)
    check(
        [shape],
        lambda x: TF.cross_entropy(x, torch.tensor(target), reduction=reduction),
        lambda x: functional.cross_entropy(x, target, reduction),
        dtype=dtype,
        low=-3,
        high=3,
    )


def test_cross_entropy_rejects_float_targets():
    with pytest.raises(TypeError):
        functional.cross_entropy(Tensor(np.zeros((2, 3)), requires_grad=True), np.zeros(2))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_linear(dtype):
    check([(4, 3), (2, 3), (2,)], TF.linear, functional.linear, dtype=dtype)
    check([(5, 4, 3), (2, 3)], TF.linear, functional.linear, dtype=dtype)


# ---------------------------------------------------------------------------------------------
# dropout: cannot match torch's RNG, so check it structurally and statistically
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_scaling_and_mask(p):
    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(1, 2, size=(200, 300)), requires_grad=True)
    y = functional.dropout(x, p, training=True, rng=np.random.default_rng(1))
    kept = y.data != 0
    # every kept element is scaled by exactly 1/(1-p), every dropped one is exactly 0
    np.testing.assert_allclose(y.data[kept], x.data[kept] / (1 - p), rtol=1e-12)
    # the fraction dropped is p, within 5 standard deviations of a Binomial(n, p)
    n = x.numel()
    assert abs((~kept).mean() - p) < 5 * np.sqrt(p * (1 - p) / n)
    # the expectation is preserved (E[y] = x): compare means of y/x
    assert abs((y.data / x.data).mean() - 1) < 5 * np.sqrt(p / (1 - p) / n)
    # the gradient is the same mask and scale
    g = np.random.default_rng(2).standard_normal(x.shape)
    (xg,) = grad(y, x, Tensor(g))
    np.testing.assert_allclose(xg.data, np.where(kept, g / (1 - p), 0), rtol=1e-12)
    # same generator seed, same mask; a different seed, a different mask
    y2 = functional.dropout(x, p, rng=np.random.default_rng(1))
    y3 = functional.dropout(x, p, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(y.data, y2.data)
    assert not np.array_equal(y.data, y3.data)


def test_dropout_matches_torch_statistics():
    # torch's dropout on the same input has the same kept-value set {0, x/(1-p)} and rate
    p = 0.3
    torch.manual_seed(0)
    x = np.random.default_rng(0).uniform(1, 2, size=(100, 100))
    ty = TF.dropout(torch.tensor(x), p, training=True).numpy()
    oy = functional.dropout(Tensor(x), p, training=True, rng=np.random.default_rng(0)).data
    for y in (ty, oy):
        kept = y != 0
        np.testing.assert_allclose(y[kept], x[kept] / (1 - p), rtol=1e-12)
    assert abs((ty == 0).mean() - (oy == 0).mean()) < 0.05


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_eval_and_p0_are_identity_p1_is_zero(dtype):
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)).astype(dtype), requires_grad=True)
    assert functional.dropout(x, 0.5, training=False) is x
    assert functional.dropout(x, 0.0, training=True) is x
    z = functional.dropout(x, 1.0, training=True)
    tz = TF.dropout(torch.tensor(x.data, requires_grad=True), 1.0, training=True)
    np.testing.assert_array_equal(z.data, tz.detach().numpy())
    assert z.dtype == x.dtype and z.requires_grad
    (g,) = grad(z.sum(), x)
    np.testing.assert_array_equal(g.data, np.zeros((3, 4)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        functional.dropout(x, 1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        TF.dropout(torch.zeros(1), 1.5)


ADDMM_SHAPES = [
    ((2, 4), (2, 3), (3, 4)),
    ((4,), (2, 3), (3, 4)),
    ((1, 4), (2, 3), (3, 4)),
    ((), (1, 3), (3, 1)),
]


@DTYPES
@pytest.mark.parametrize("sc,sa,sb", ADDMM_SHAPES, ids=[f"{c}+{a}@{b}" for c, a, b in ADDMM_SHAPES])
def test_addmm(sc, sa, sb, dtype):
    check([sc, sa, sb], lambda c, a, b: torch.addmm(c, a, b), lambda c, a, b: ops.addmm(c, a, b), dtype=dtype)
    check(
        [sc, sa, sb],
        lambda c, a, b: torch.addmm(c, a, b).tanh(),
        lambda c, a, b: ops.addmm(c, a, b).tanh(),
        dtype=dtype,
    )
