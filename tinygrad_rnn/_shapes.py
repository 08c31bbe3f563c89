"""Shape helpers shared by the primitives: broadcasting, axes normalisation, unbroadcast."""

from __future__ import annotations

from typing import Any

import numpy as np


def normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Turn None, an int or a sequence of ints into a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise IndexError(
                f"Dimension out of range (expected to be in range of "
                f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {a})"
            )
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction over `axes` with keepdims=True."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def broadcast_axes(grad_shape: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """Axes of a gradient of `grad_shape` to sum over to get back to `shape` (any ndim gap)."""
    lead = len(grad_shape) - len(shape)
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and grad_shape[lead + i] != 1:
            axes.append(lead + i)
    return tuple(axes)


def unbroadcast(F: Any, g: Any, shape: tuple[int, ...]) -> Any:
    """Sum gradient `g` back to `shape`, undoing numpy broadcasting (F: numpy or tensor ops)."""
    if not hasattr(g, "shape"):  # arithmetic on 0-d object arrays (sympy) returns a bare object
        g = np.asarray(g, dtype=object)
    if g.shape == shape:
        return g
    axes = broadcast_axes(g.shape, shape)
    if axes:
        g = F.sum(g, axes, False)
    if g.shape != shape:
        g = F.reshape(g, shape)
    return g
