"""mindspore.ops.function.random_func: rand, randn, randint, uniform and their *_like forms.

MindSpore draws these on its own C++ generators (Philox, seeded by ``set_seed`` and ``seed``); this
frontend draws from the core's numpy generator, so shapes, dtypes, ranges and statistics are
MindSpore's but the numbers are not. As in MindSpore, two calls with the same ``seed`` give different
numbers (the seed starts a stream that every call advances).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .... import random as core_random
from ... import _checks as check
from ...common import dtype as mstype
from ...common.tensor import Tensor

_CALLS = itertools.count()


def _generator(seed: Any) -> np.random.Generator:
    if seed is None:
        return core_random.generator()
    return np.random.default_rng([check.integer("random", "seed", seed), next(_CALLS)])


def _size(size: tuple[Any, ...], op: str) -> tuple[int, ...]:
    shape = check.shape(op, "size", size[0] if len(size) == 1 else size)
    if any(s < 0 for s in shape):
        raise ValueError(f"For '{op}', each dimension of 'size' must be >= 0, but got {shape}.")
    return shape


def _scalar_abstract(v: Any) -> str:
    """How MindSpore's graph compiler shows a Python scalar in its messages."""
    kind = {bool: "Bool", int: "Int64", float: "Float32", str: "String"}.get(type(v), type(v).__name__)
    return f"AbstractScalar(Type: {kind}, Value: {v}, Shape: NoShape)"


def _float_dtype(op: str, dtype: Any) -> np.dtype:
    if dtype is not None and not isinstance(dtype, mstype.Type):
        raise ValueError(f"For '{op}', the 'dtype' must be a float type, but got {dtype}.")
    np_dtype = mstype.to_np(dtype) or np.dtype(np.float32)
    if np_dtype.kind != "f":
        raise ValueError(f"For '{op}', the 'dtype' must be a float type, but got {mstype.from_np(np_dtype)}.")
    return np_dtype


def rand(*size: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Uniform samples in [0, 1) (float32 by default)."""
    np_dtype = _float_dtype("rand", dtype)
    return Tensor(_generator(seed).random(_size(size, "rand")).astype(np_dtype))


def rand_like(input: Any, seed: Any = None, *, dtype: Any = None) -> Tensor:
    """rand of input's shape (and dtype unless given)."""
    check.tensor("rand_like", "input", input)
    return rand(input.shape, dtype=dtype or input.dtype, seed=seed)


def randn(*size: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Standard normal samples (float32 by default)."""
    np_dtype = _float_dtype("randn", dtype)
    return Tensor(_generator(seed).standard_normal(_size(size, "randn")).astype(np_dtype))


def randn_like(input: Any, seed: Any = None, *, dtype: Any = None) -> Tensor:
    """randn of input's shape (and dtype unless given)."""
    check.tensor("randn_like", "input", input)
    return randn(input.shape, dtype=dtype or input.dtype, seed=seed)


def randint(low: int, high: int, size: Any, seed: Any = None, *, dtype: Any = None) -> Tensor:
    """Integers in [low, high) (int64 by default)."""
    check.integer("randint", "low", low), check.integer("randint", "high", high)
    if low >= high:
        raise ValueError(f"For 'randint', 'low' must be less than 'high', but got {low} and {high}.")
    np_dtype = mstype.to_np(dtype) or np.dtype(np.int64)
    return Tensor(_generator(seed).integers(low, high, _size((size,), "randint")).astype(np_dtype))


def uniform(shape: Any, minval: Any, maxval: Any, seed: Any = None, dtype: Any = mstype.float32) -> Tensor:
    """Samples in [minval, maxval) (Tensors, broadcast to `shape`): floats, or integers for an int dtype."""
    if not isinstance(minval, Tensor) or not isinstance(maxval, Tensor):
        raise TypeError(
            "For functional operator[uniform], the input[minval] and input[maxval] must be a Tensor."
        )
    np_dtype = mstype.to_np(dtype)
    if not isinstance(shape, (tuple, list)):  # the UniformReal primitive's graph-time error
        raise RuntimeError(f"Unexpected type of input0:{_scalar_abstract(shape)} of op:UniformReal")
    shape = check.shape("uniform", "shape", shape)
    for i, n in enumerate(shape):
        if n < 0:
            raise ValueError(
                f"For primitive[UniformReal], the the {i}th dimension of input shape must be greater than or "
                f"equal to 0, but got {n}."
            )
    for v in (minval, maxval):
        if v.array.dtype != np_dtype:
            raise TypeError(
                f"For 'uniform', the value data type '{mstype.from_np(np_dtype)}' is not consistent with "
                f"assigned tensor data type {v.dtype}."
            )
    gen = _generator(seed)
    lo, hi = minval.array, maxval.array
    if np_dtype.kind in "iu":
        return Tensor(gen.integers(lo, hi, shape).astype(np_dtype))
    return Tensor((lo + (hi - lo) * gen.random(shape)).astype(np_dtype))
