"""The backward walk: reverse topological order over the tape, iterative (no recursion limit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .ops import NUMPY_F, TENSOR_F
from .tape import AccumulateGrad, Node, TensorBase, _freed_error, has_nan, _Mode, _wrap


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

    # Pass 1: count, for every reachable node, how many edges point at it. Counts and incoming
    # gradients live in the nodes' own slots (_deps, _buf): cheaper than dicts keyed by node.
    root_nodes = list(dict.fromkeys(n for n, _, _ in roots))  # once each: outputs may share a node
    for n in root_nodes:
        n._deps = 0
        n._buf = None
    seen = set(root_nodes)
    stack = list(root_nodes)
    parents: dict[Node, list[Node]] | None = {} if inputs is not None else None
    while stack:
        n = stack.pop()
        for e in n.next:
            if e is None:
                continue
            c = e[0]
            if c in seen:
                c._deps += 1
            else:
                c._deps = 1
                c._buf = None
                seen.add(c)
                stack.append(c)
            if parents is not None:
                parents.setdefault(c, []).append(n)

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
    if parents is not None:
        run = set()
        todo = [n for n, _ in capture]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in run:
                    run.add(p)
                    todo.append(p)

    for n, i, g in roots:
        if n._buf is None:
            n._buf = [None] * n.n_out
        n._buf[i] = g if n._buf[i] is None else n._buf[i] + g
    ready = [n for n in root_nodes if n._deps == 0]

    anomaly = _Mode.anomaly
    owned: set[int] = set()  # ids of gradient sums allocated by this walk and held only in a buffer
    prev_mode = _Mode.grad_enabled
    _Mode.grad_enabled = create_graph
    try:
        while ready:
            n = ready.pop()
            gs = n._buf
            n._buf = None
            if owned and gs is not None:
                for g in gs:  # handed to backward now, where it may be aliased: no longer ours
                    owned.discard(id(g))
            if capture and gs is not None:
                for i, g in enumerate(gs):
                    ks = capture.get((n, i))
                    if ks is not None and g is not None:
                        for k in ks:
                            results[k] = g
            if run is not None and n not in run:
                continue  # below every input: its children are never needed either
            if n.is_sink:
                if accumulate and gs is not None and gs[0] is not None:
                    _accumulate(n, gs[0], F)
                continue
            if gs is None:
                grads_in: Any = (None,) * len(n.next)
            else:
                if n.freed:
                    raise _freed_error()
                if n.n_out == 1 and not n.multi_output:
                    g0 = gs[0]
                    gin = None if g0 is None else n.backward(F, g0)
                elif all(g is None for g in gs):
                    gin = None
                else:
                    gin = n.backward(F, gs)
                if gin is None:
                    grads_in = (None,) * len(n.next)
                else:
                    grads_in = gin if type(gin) is tuple else (gin,)
                    if anomaly:
                        for i, g in enumerate(grads_in):
                            if g is not None and has_nan(g):
                                raise RuntimeError(
                                    f"Function '{n.name}' returned nan values in its {i}th output.\n"
                                    f"The op was created at:\n  {getattr(n, 'trace', '<unknown>')}"
                                )
                    if not retain_graph and (n.keep_inputs or n.keep_output):
                        n.release()
            for e, g in zip(n.next, grads_in):
                if e is None:
                    continue
                c, i = e
                if g is not None:
                    buf = c._buf
                    if buf is None:
                        buf = c._buf = [None] * c.n_out
                    old = buf[i]
                    if old is None:
                        buf[i] = g
                    elif id(old) in owned and old.shape == g.shape and old.dtype == g.dtype:
                        np.add(old, g, out=old)  # a sum this walk made and nobody else holds
                    else:
                        s = old + g
                        buf[i] = s
                        # a large sum will receive more (e.g. a weight used at every time step):
                        # remember it is ours so later contributions are added in place
                        if not create_graph and type(s) is np.ndarray and s.size >= 4096:
                            owned.add(id(s))
                c._deps -= 1
                if c._deps == 0:
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
