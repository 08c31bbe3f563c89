"""torch.topk / Tensor.topk: the k largest (or smallest) elements along a dim, with their indices.

The values are a gather (a core GetItem named TopkBackward0), so the gradient scatters back to the
chosen positions and differentiates again like any indexing. NaN counts as larger than every number,
as in torch. Ties and `sorted=False` are where torch's CPU kernel (std::nth_element / partial_sort)
gives an implementation-defined order: ours is the sorted order with ties by ascending index.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import ops
from ..functional import topk_indices
from ..tape import TensorBase, make_tensor
from . import _check
from ._check import norm_dim

# torch.return_types.topk: (values, indices)
ret_topk = namedtuple("topk", ["values", "indices"])
ret_topk.__module__ = "torch.return_types"
ret_topk.__repr__ = lambda self: (  # type: ignore[method-assign]
    f"torch.return_types.topk(\nvalues={self.values!r},\nindices={self.indices!r})"
)


class TopkValues(ops.GetItem):
    """values of x.topk(k): a gather, named as torch names it."""

    name = "TopkBackward0"


_NAMES = ("input", "k", "dim", "largest", "sorted")
_DEFAULTS = {"dim": -1, "largest": True, "sorted": True}  # torch refuses an explicit dim=None


def _bind(args: tuple[Any, ...], kwargs: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """torch's argument parser for topk: name -> (value, position or None when given by keyword)."""
    if len(args) > len(names):
        first = len(names) - 3
        raise TypeError(
            f"topk() takes from {first} to {len(names)} positional arguments but {len(args)} were given"
        )
    bound = {n: (v, i + 1) for i, (n, v) in enumerate(zip(names, args))}
    for key, v in kwargs.items():
        if key not in names:
            raise _check.unexpected_keyword("topk", key)
        if key in bound:
            raise TypeError(f"topk() got multiple values for argument '{key}'")
        bound[key] = (v, None)
    if any(n not in bound and n not in _DEFAULTS for n in names):
        # torch then lists every required argument after the positional ones, keyword-given or not
        missing = [n for n in names[len(args) :] if n not in _DEFAULTS]
        shown = ", ".join(f'"{n}"' for n in missing)
        raise TypeError(
            f"topk() missing {len(missing)} required positional argument{'s' * (len(missing) == 1)}: {shown}"
        )
    return {n: bound.get(n, (_DEFAULTS.get(n), None)) for n in names}


def _typed(bound: dict[str, Any], name: str, kind: str, ok: Any) -> Any:
    value, pos = bound[name]
    if not ok(value):
        where = f" (position {pos})" if pos else ""
        raise TypeError(f"topk(): argument '{name}'{where} must be {kind}, not {_check.type_name(value)}")
    return value


def topk(*args: Any, **kwargs: Any) -> Any:
    """torch.topk(input, k, dim=-1, largest=True, sorted=True): (values, indices) of the k largest."""
    bound = _bind(args, kwargs, _NAMES)
    _typed(bound, "input", "Tensor", lambda v: isinstance(v, TensorBase))
    return _topk(bound)


def topk_method(self: Any, *args: Any, **kwargs: Any) -> Any:
    """(values, indices) of the k largest (smallest if not largest) along dim (default: the last)."""
    bound = _bind(args, kwargs, _NAMES[1:])
    bound["input"] = (self, None)
    return _topk(bound)


def _topk(bound: dict[str, Any]) -> Any:
    self = bound["input"][0]
    k = int(_typed(bound, "k", "int", _check.is_int))
    dim = _typed(bound, "dim", "int", _check.is_int)
    largest = _typed(bound, "largest", "bool", lambda v: isinstance(v, (bool, np.bool_)))
    _typed(bound, "sorted", "bool", lambda v: isinstance(v, (bool, np.bool_)))
    a = self.array
    d = norm_dim(dim, a.ndim, "topk")
    if not 0 <= k <= (a.shape[d] if a.ndim else 1):
        raise RuntimeError("selected index k out of range")
    if a.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if a.ndim == 0:
        return ret_topk(
            TopkValues.apply(self, idx=()), make_tensor(self.result_type, np.zeros((), np.int64), None, 0)
        )
    idx = topk_indices(a, k, d, bool(largest))
    grids = list(np.indices(idx.shape, sparse=True))
    full = tuple(grids[:d] + [idx] + grids[d + 1 :])
    indices = make_tensor(self.result_type, idx.astype(np.int64), None, 0)
    return ret_topk(TopkValues.apply(self, idx=full), indices)
