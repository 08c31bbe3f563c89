"""One differentiable run of a function on the core tape: what every MindSpore transform is built on.

`Call` runs the function once with fresh leaves for the differentiated inputs (and the given Parameters,
which are leaves already), then asks the core for the gradients with ``tensor.grad`` (no ``.grad``
attribute is touched). ops.composite packs the results as each transform does; nn.TrainOneStepCell
uses a Call directly (one forward pass for both the loss and its gradients).

Transforms nest (``grad(grad(f))``, ``value_and_grad`` inside ``grad``, ...): a transform called while
another one runs its function keeps its inputs attached to the outer graph and builds the graph of its
gradients (``create_graph``), so the outer transform differentiates through them as MindSpore does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ... import ops as core_ops
from ...tape import TensorBase, enable_grad
from ...tensor import grad as core_grad
from ..common.tensor import Tensor


def flat(out: Any) -> list[Any]:
    """The tensors of a (nested) output, in order."""
    if isinstance(out, TensorBase):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return []


def detach(out: Any) -> Any:
    """The same structure with every tensor cut from the graph (kept attached when nested)."""
    if _nested():
        return out
    if isinstance(out, TensorBase):
        return out.detach()
    if isinstance(out, tuple):
        return tuple(detach(o) for o in out)
    if isinstance(out, list):
        return [detach(o) for o in out]
    return out


def _leaves(out: Any) -> list[Any]:
    """The arrays of a (nested) sensitivity: Tensors, arrays or numbers."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _leaves(o)]
    return [np.asarray(getattr(out, "array", out))]


@contextlib.contextmanager
def _trainable(weights: Sequence[Any]) -> Iterator[None]:
    """Weights require grad inside (MindSpore differentiates w.r.t. given weights whatever their flag)."""
    saved = [w.requires_grad for w in weights]
    try:
        for w in weights:
            w.requires_grad = True
        yield
    finally:
        for w, r in zip(weights, saved):
            w.requires_grad = r


_DEPTH = [0]  # how many transforms are running their function right now (> 0: we are being differentiated)


def _nested() -> bool:
    """True inside another transform's function: results must stay differentiable."""
    return _DEPTH[0] > 0


def _leaf(a: Any) -> Any:
    """The tensor to differentiate w.r.t.: a fresh leaf, or (nested, `a` already in an outer graph) an
    identity view of `a` so the outer transform's gradient flows through ours."""
    if _nested() and a.requires_grad:
        return core_ops.reshape(a, a.shape)
    leaf = a.detach()
    leaf.requires_grad_(True)
    return leaf


@contextlib.contextmanager
def _running() -> Iterator[None]:
    _DEPTH[0] += 1
    try:
        yield
    finally:
        _DEPTH[0] -= 1


def _zero_if_none(g: Any, like: Any) -> Any:
    if g is not None:
        return g
    data = np.asarray(getattr(like, "array", like))
    return Tensor(np.zeros(data.shape, dtype=data.dtype))


class Call:
    """One differentiable run of fn: fresh leaves at `positions`, the weights made to require grad."""

    def __init__(
        self, fn: Callable[..., Any], args: Sequence[Any], positions: Sequence[int], weights: Sequence[Any]
    ):
        if not callable(fn):
            raise TypeError(f"The fn should be callable, but got {type(fn).__name__}.")
        self.args = list(args)
        for i in positions:
            if not -len(self.args) <= i < len(self.args):
                raise RuntimeError(f"Position index {i} is exceed input size.")
        self.positions, self.weights = positions, list(weights)
        self.leaves: list[Any] = []
        for i in positions:
            a = self.args[i]
            leaf = None
            if isinstance(a, TensorBase) and a.array.dtype.kind in "fc":
                leaf = self.args[i] = _leaf(a)
            self.leaves.append(leaf)
        with _trainable(self.weights), enable_grad(), _running():
            self.out = fn(*self.args)

    def grads(self, targets: Any, sens: Any = None, retain: bool = False) -> tuple[list[Any], list[Any]]:
        """(input grads, weight grads) of `targets` with sensitivity `sens` (ones by default); an input or
        weight that does not reach the targets gets a zero gradient (an integer input a zero of its dtype)."""
        ts = flat(targets)
        seeds = [np.ones(t.array.shape, t.array.dtype) for t in ts] if sens is None else _leaves(sens)
        wrt = [x for x in self.leaves if x is not None] + self.weights
        live = [(t, np.asarray(s, dtype=t.array.dtype)) for t, s in zip(ts, seeds) if t.requires_grad]
        got: list[Any] = [None] * len(wrt)
        nested = _nested()  # an outer transform differentiates our gradients: build (and keep) their graph
        if live and wrt:
            with _trainable(self.weights), enable_grad():
                got = list(
                    core_grad(
                        [t for t, _ in live],
                        wrt,
                        [s for _, s in live],
                        retain_graph=retain or nested,
                        create_graph=nested,
                        allow_unused=True,
                    )
                )
        it = iter(got)
        gi = [
            _zero_if_none(next(it) if leaf is not None else None, self.args[i])
            for leaf, i in zip(self.leaves, self.positions)
        ]
        gw = [_zero_if_none(next(it), w) for w in self.weights]
        return gi, gw
