"""The backward walk: reverse topological order over the tape, iterative (no recursion limit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .ops import NUMPY_F, TENSOR_F
from .tape import AccumulateGrad, Node, TensorBase, _bad, _freed_error, _Mode, _wrap


def _as_grad(F: Any, g: Any, like: TensorBase) -> Any:
    """Seed / user gradient in the representation F works on, with `like`'s dtype."""
    if F.tensor_mode:
        if isinstance(g, TensorBase):
            return g
        return F.const(np.asarray(g, dtype=like.data.dtype), like.result_type)
    data = g.data if isinstance(g, TensorBase) else np.asarray(g, dtype=like.data.dtype)
    return data


def run_backward(
    outputs: Sequence[TensorBase],
    grad_outputs: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[TensorBase] | None = None,
    accumulate: bool = True,
    allow_unused: bool = False,
) -> list[Any] | None:
    """Walk the graph from `outputs` in reverse topological order (iterative Kahn's algorithm).

    With `accumulate`, leaf gradients are added into `.grad`; with `inputs`, the gradients reaching
    those tensors are returned instead (as for autograd.grad).
    """
    F = TENSOR_F if create_graph else NUMPY_F
    roots: list[tuple[Node, int, Any]] = []
    for t, g in zip(outputs, grad_outputs):
        edge = t._edge()
        if edge is None:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        roots.append((edge[0], edge[1], _as_grad(F, g, t)))

    # Pass 1: count, for every reachable node, how many edges point at it.
    deps: dict[Node, int] = {}
    stack = list(dict.fromkeys(n for n, _, _ in roots))  # once each: outputs may share a node
    seen = set(stack)
    parents: dict[Node, list[Node]] = {}  # only kept when `inputs` restricts the walk
    while stack:
        n = stack.pop()
        for e in n.next:
            if e is None:
                continue
            c = e[0]
            deps[c] = deps.get(c, 0) + 1
            if inputs is not None:
                parents.setdefault(c, []).append(n)
            if c not in seen:
                seen.add(c)
                stack.append(c)

    capture: dict[tuple[Node, int], list[int]] = {}  # edge -> positions in inputs (may repeat)
    if inputs is not None:
        for k, t in enumerate(inputs):
            edge = t._edge()
            if edge is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            capture.setdefault(edge, []).append(k)
    results: list[Any] = [None] * (len(inputs) if inputs is not None else 0)
    # With `inputs`, run only the nodes above them (as torch): never the graph below an input,
    # which may already be freed and whose gradients nobody asked for.
    run: set[Node] | None = None
    if inputs is not None:
        run = set()
        todo = [n for n, _ in capture]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in run:
                    run.add(p)
                    todo.append(p)

    buffers: dict[Node, list[Any]] = {}
    for n, i, g in roots:
        buf = buffers.setdefault(n, [None] * n.n_out)
        buf[i] = g if buf[i] is None else buf[i] + g
    ready = [n for n in dict.fromkeys(n for n, _, _ in roots) if deps.get(n, 0) == 0]

    prev_mode = _Mode.grad_enabled
    _Mode.grad_enabled = create_graph
    try:
        while ready:
            n = ready.pop()
            gs = buffers.pop(n, None)
            if capture and gs is not None:
                for i, g in enumerate(gs):
                    ks = capture.get((n, i))
                    if ks is not None and g is not None:
                        for k in ks:
                            results[k] = g
            if run is not None and n not in run:
                continue  # below every input: its children are never needed either
            if isinstance(n, AccumulateGrad):
                if accumulate and gs is not None and gs[0] is not None:
                    _accumulate(n, gs[0], F)
                continue
            if gs is None or all(g is None for g in gs):
                grads_in: tuple[Any, ...] = (None,) * len(n.next)
            else:
                if n.freed:
                    raise _freed_error()
                if n.n_out == 1 and not n.multi_output:
                    gin = n.backward(F, gs[0])
                else:
                    gin = n.backward(F, gs)
                grads_in = gin if isinstance(gin, tuple) else (gin,)
                if _Mode.anomaly:
                    for i, g in enumerate(grads_in):
                        if g is not None and _bad(g):
                            raise RuntimeError(
                                f"Function '{n.name}' returned nan values in its {i}th output.\n"
                                f"The op was created at:\n  {getattr(n, 'trace', '<unknown>')}"
                            )
                if not retain_graph:
                    n.release()
            for e, g in zip(n.next, grads_in):
                if e is None:
                    continue
                c, i = e
                if g is not None:
                    buf = buffers.get(c)
                    if buf is None:
                        buf = buffers[c] = [None] * c.n_out
                    buf[i] = g if buf[i] is None else buf[i] + g
                left = deps[c] - 1
                deps[c] = left
                if left == 0:
                    ready.append(c)
    finally:
        _Mode.grad_enabled = prev_mode

    if inputs is None:
        return None
    for k, r in enumerate(results):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {k} appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior."
            )
        if r is not None and not F.tensor_mode:
            results[k] = _wrap(inputs[k].result_type, np.array(r, dtype=inputs[k].data.dtype), None, 0)
    return results


def _accumulate(n: AccumulateGrad, g: Any, F: Any) -> None:
    leaf = n.variable()
    if leaf is None:
        return
    if F.tensor_mode:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
        return
    data = g.data if isinstance(g, TensorBase) else g
    if leaf.grad is None:
        # copy: the incoming array may be a view of another gradient or a read-only broadcast
        leaf.grad = _wrap(leaf.result_type, np.array(data, dtype=leaf.data.dtype), None, 0)
    else:
        leaf.grad.data = leaf.grad.data + data
