"""Reductions over axes: sum, mean, max, min (and the max / min of all elements).

A reduction maps many input elements to one output element, so the backward broadcasts the
output's gradient back over the reduced axes (reshaping first when keepdims=False dropped them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._shapes import IndexShapeError, keepdims_shape, normalize_axes
from ..tape import Node, ShapeError
from .base import ArrayNamespace, Value


class Sum(Node):
    """y = sum of a over axes;  da = g broadcast back to a's shape"""

    name = "SumBackward1"

    def forward(self, a: np.ndarray, axes: tuple[int, ...] = (), keepdims: bool = False) -> np.ndarray:
        if len(axes) == a.ndim and not keepdims:
            self.name = "SumBackward0"
        return np.asarray(np.sum(a, axis=axes, keepdims=keepdims))

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        (shape,) = self.shapes
        if not self.kw["keepdims"]:
            g = F.reshape(g, keepdims_shape(shape, self.kw["axes"]))
        return F.broadcast_to(g, shape)


def _reduce_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    axes = normalize_axes(axis, ndim)
    return axes if ndim else ()  # a 0-d tensor: dim 0 / -1 means the tensor itself, as in torch


def sum_(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Sum over the given axes (all by default)."""
    return Sum.apply(a, axes=_reduce_axes(axis, a.array.ndim), keepdims=keepdims)


class Mean(Node):
    """y = (sum of a over axes) / n;  da = (g broadcast back to a's shape) / n

    One node: a Div after a Sum would compute 0/0 for the gradient of an empty input.
    """

    name = "MeanBackward1"

    def forward(self, a: np.ndarray, axes: tuple[int, ...] = (), keepdims: bool = False) -> np.ndarray:
        if len(axes) == a.ndim and not keepdims:
            self.name = "MeanBackward0"
        n = int(np.prod([a.shape[i] for i in axes]))
        self.kw["n"] = n
        s = np.asarray(np.sum(a, axis=axes, keepdims=keepdims))
        return s / np.asarray(n, dtype=s.dtype) if s.dtype.kind == "f" else s / n

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        # torch's mean_backward: expand, then divide, so an empty input divides nothing by 0
        (shape,) = self.shapes
        if not self.kw["keepdims"]:
            g = F.reshape(g, keepdims_shape(shape, self.kw["axes"]))
        dt = F.data(g).dtype
        n = self.kw["n"]
        return F.broadcast_to(g, shape) / F.const(np.asarray(n, dtype=dt) if dt.kind == "f" else n, g)


def mean(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Mean over the given axes: a sum divided by the count."""
    return Mean.apply(a, axes=_reduce_axes(axis, a.array.ndim), keepdims=keepdims)


class Max(Node):
    """y = max of a over axes;  da = g / (number of maxima) at the maxima, 0 elsewhere (torch's amax)"""

    name = "AmaxBackward0"
    label = "max"  # the op's name in error messages
    whole = False  # MaxAll: the max of every element, not over chosen axes
    keep_inputs = True
    keep_output = True
    reduce = staticmethod(np.max)

    def forward(self, a: np.ndarray, axes: tuple[int, ...] = (), keepdims: bool = False) -> np.ndarray:
        if a.size == 0:  # only an empty *reduced* dim has no max; other empty dims give empty results
            self._check_empty(a.shape, axes)
        return np.asarray(self.reduce(a, axis=axes, keepdims=keepdims))

    def _check_empty(self, shape: tuple[int, ...], axes: tuple[int, ...]) -> None:
        op = self.label
        if len(axes) == len(shape):
            msg = f"the {op} of an empty tensor (shape {shape}) over all its axes is undefined"
            raise ShapeError(op, msg, kind="empty", shape=shape, dim=None, whole=self.whole)
        empty = next((d for d in axes if shape[d] == 0), None)
        if empty is not None:
            msg = f"the {op} over axis {empty} is undefined: it has size 0 (shape {shape})"
            raise IndexShapeError(op, msg, kind="empty", shape=shape, dim=empty, whole=self.whole)

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        (shape,) = self.shapes
        kshape = keepdims_shape(shape, self.kw["axes"])
        xd = F.data(self.args(F)[0])
        dt = F.data(g).dtype
        mask = xd == np.reshape(self.out, kshape)
        count = np.sum(mask, axis=self.kw["axes"], keepdims=True).astype(dt)
        # ties share the gradient evenly. torch's amax multiplies, (g / count) * mask, rather than
        # selecting: an infinite g gives NaN off the maxima, and a NaN slice (count 0) NaN all over
        with np.errstate(divide="ignore", invalid="ignore"):
            gk = F.reshape(g, kshape) / F.const(count, g)
            return F.broadcast_to(gk, shape) * F.const(mask.astype(dt), g)


def max_(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Max over the given axes."""
    return Max.apply(a, axes=_reduce_axes(axis, a.array.ndim), keepdims=keepdims)


class Min(Max):
    """y = min of a over axes;  da = g / (number of minima) at the minima, 0 elsewhere (torch's amin)"""

    name = "AminBackward0"
    label = "min"
    reduce = staticmethod(np.min)


def min_(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Min over the given axes."""
    return Min.apply(a, axes=_reduce_axes(axis, a.array.ndim), keepdims=keepdims)


class MaxAll(Max):
    """y = max of all elements;  da = g / (number of maxima) into the maxima, 0 elsewhere

    torch's max() without dim: unlike amax, the gradient is selected, not multiplied by a mask.
    """

    name = "MaxBackward1"
    whole = True

    def backward(self, F: ArrayNamespace, g: Value) -> Value:
        # torch's evenly_distribute_backward: g / count *into* the maxima (the NaNs if the max is
        # NaN), zeros elsewhere: an infinite g stays off the other elements
        (shape,) = self.shapes
        xd = F.data(self.args(F)[0])
        mask = np.isnan(xd) if np.isnan(self.out).any() else xd == np.reshape(self.out, (1,) * xd.ndim)
        count = np.asarray(np.count_nonzero(mask), dtype=F.data(g).dtype)
        gk = F.reshape(g / F.const(count, g), (1,) * len(shape))
        return F.where(mask, F.broadcast_to(gk, shape), F.zeros((), g))


def max_all(a: Any) -> Any:
    """The largest element (0-d); its gradient goes only to the maxima (NaN if any, propagates)."""
    return MaxAll.apply(a, axes=tuple(range(a.array.ndim)), keepdims=False)


class MinAll(MaxAll):
    """y = min of all elements;  da = g / (number of minima) into the minima, 0 elsewhere"""

    name = "MinBackward1"
    label = "min"
    reduce = staticmethod(np.min)


def min_all(a: Any) -> Any:
    """The smallest element (0-d); its gradient goes only to the minima."""
    return MinAll.apply(a, axes=tuple(range(a.array.ndim)), keepdims=False)
