"""The backward walk: the graph in reverse topological order, one node at a time (no recursion).

The algorithm, in the named steps below (docs/tensor.md walks through them):

1. `seed_roots`: each output's edge gets its seed gradient (ones, or the user's `grad_outputs`).
2. `topological_order`: every node reachable from the outputs, inputs before their consumers
   (an iterative depth-first search: an unrolled RNN is deeper than Python's recursion limit).
3. `prune_to_inputs`: for `grad(outputs, inputs)`, only the nodes above an input need to run.
4. The main loop visits the nodes outputs-first. Each node takes the gradients buffered for its
   outputs, `run_node` turns them into gradients for its inputs (the op's backward rule), and
   `add_into_buffer` adds each one into the buffer of the node that made that input. A leaf's
   `AccumulateGrad` node adds into `.grad` instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from .ops import NUMPY_F, TENSOR_F
from .product_sum import ProductSum, evaluate
from .tape import (
    AccumulateGrad,
    Node,
    TensorBase,
    Versions,
    check_saved,
    freed_graph_error,
    has_nan,
    is_anomaly_enabled,
    make_tensor,
    set_grad_mode,
)

Edge = tuple[Node, int]


def run_backward(
    outputs: Sequence[TensorBase],
    grad_outputs: Sequence[Any],
    *,
    retain_graph: bool = False,
    create_graph: bool = False,
    inputs: Sequence[TensorBase] | None = None,
    accumulate: bool = True,
    allow_unused: bool = False,
) -> list[Any] | None:
    """Backpropagate `grad_outputs` from `outputs` through the tape.

    With `accumulate`, leaf gradients are added into `.grad`; with `inputs`, the gradients reaching
    those tensors are returned instead (as autograd.grad does).
    """
    F = TENSOR_F if create_graph else NUMPY_F
    roots = seed_roots(outputs, grad_outputs, F)
    order = topological_order([n for n, _, _ in roots])
    order.reverse()  # outputs first
    capture = capture_map(inputs) if inputs is not None else {}
    keep = prune_to_inputs(order, capture) if inputs is not None else None
    results: list[Any] = [None] * len(inputs) if inputs is not None else []
    buffers = Buffers(order, in_place=not create_graph)
    anomaly = is_anomaly_enabled()
    for n, i, g in roots:
        buffers.add(n, i, g)
    with _recording(create_graph, F):
        for n in order:
            gs = buffers.take(n)
            if gs is None:
                continue  # nothing flowed here (e.g. a branch whose gradient was None)
            if capture:
                capture_grads(n, gs, capture, results)
            if accumulate and getattr(n, "retained", None):
                retain_grads(n, gs, F)
            if keep is not None and n not in keep:
                continue  # below every requested input: nobody asked for these gradients
            if n.is_sink:
                if accumulate and gs[0] is not None:
                    accumulate_grad(n, gs[0], F)
                continue
            for e, g in zip(n.next, run_node(n, gs, F, retain_graph, anomaly)):
                if e is not None and g is not None:
                    buffers.add(e[0], e[1], g)
    return None if inputs is None else finish_results(results, inputs, allow_unused, F)


# ---------------------------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------------------------
def seed_roots(
    outputs: Sequence[TensorBase], grad_outputs: Sequence[Any], F: Any
) -> list[tuple[Node, int, Any]]:
    """(node, output index, seed gradient) for every output; outputs must be in a graph."""
    roots = []
    for t, g in zip(outputs, grad_outputs):
        edge = t.grad_edge()
        if edge is None:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        roots.append((edge[0], edge[1], _as_grad(F, g, t)))
    return roots


def topological_order(roots: Sequence[Node]) -> list[Node]:
    """Every node reachable from `roots`, inputs before the ops that consume them (no recursion)."""
    order: list[Node] = []
    seen: set[Node] = set()
    for r in roots:
        if r in seen:
            continue
        seen.add(r)
        stack = [(r, iter(r.next or ()))]
        while stack:
            n, it = stack[-1]
            for e in it:
                if e is not None and e[0] not in seen:
                    seen.add(e[0])
                    stack.append((e[0], iter(e[0].next or ())))
                    break
            else:
                stack.pop()
                order.append(n)
    return order


def capture_map(inputs: Sequence[TensorBase]) -> dict[Edge, list[int]]:
    """Edge of each requested input -> its positions in `inputs` (one tensor may repeat)."""
    capture: dict[Edge, list[int]] = {}
    for k, t in enumerate(inputs):
        edge = t.grad_edge()
        if edge is None:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        capture.setdefault(edge, []).append(k)
    return capture


def prune_to_inputs(order: Sequence[Node], capture: dict[Edge, list[int]]) -> set[Node]:
    """The nodes on some path from an output down to a requested input (as torch runs them).

    Never the graph below an input: it may already be freed, and nobody asked for its gradients.
    """
    parents: dict[Node, list[Node]] = {}
    for n in order:
        for e in n.next or ():
            if e is not None:
                parents.setdefault(e[0], []).append(n)
    keep: set[Node] = set()
    todo = [n for n, _ in capture]
    while todo:
        for p in parents.get(todo.pop(), ()):
            if p not in keep:
                keep.add(p)
                todo.append(p)
    return keep


def capture_grads(n: Node, gs: list[Any], capture: dict[Edge, list[int]], results: list[Any]) -> None:
    """Keep the gradients arriving at a requested input's edge."""
    for i, g in enumerate(gs):
        ks = capture.get((n, i))
        if ks is not None and g is not None:
            for k in ks:
                results[k] = g


def run_node(n: Node, gs: list[Any], F: Any, retain_graph: bool, anomaly: bool = False) -> tuple[Any, ...]:
    """Apply the node's backward rule: gradients of its outputs -> one per input (None: no flow)."""
    if n.freed:
        raise freed_graph_error()
    if n.saved_at != Versions.epoch:  # something was written in place since n saved its values
        check_saved(n)
    if n.n_out == 1 and not n.multi_output:
        gin = None if gs[0] is None else n.backward(F, gs[0])
    else:
        gin = None if all(g is None for g in gs) else n.backward(F, gs)
    if gin is None:
        return (None,) * len(n.next)
    grads_in = gin if type(gin) is tuple else (gin,)
    if anomaly:
        grads_in = tuple(evaluate(g) for g in grads_in)  # a deferred product may hold the NaN
        check_anomaly(n, grads_in)
    if not retain_graph and (n.keep_inputs or n.keep_output):
        n.release()
    return grads_in


def check_anomaly(n: Node, grads_in: Sequence[Any]) -> None:
    """Anomaly mode: a NaN out of a backward rule names the op and the user's line that made it."""
    for i, g in enumerate(grads_in):
        if g is not None and has_nan(g):
            raise RuntimeError(
                f"Function '{n.name}' returned nan values in its {i}th output.\n"
                f"The op was created at:\n  {getattr(n, 'trace', '<unknown>')}"
            )


class Buffers:
    """The gradients waiting at each node's outputs, kept in the node's `_buf` slot.

    A sum this walk allocated and nobody else holds is added into in place (a weight used at every
    time step receives T contributions: one allocation instead of T).
    """

    def __init__(self, order: Sequence[Node], in_place: bool):
        for n in order:
            n._buf = None
        self.owned: set[int] = set()  # ids of sums made here and held only in a buffer
        self.deferred: set[Node] = set()  # nodes whose buffer holds a ProductSum
        self.in_place = in_place

    def take(self, n: Node) -> list[Any] | None:
        """The node's incoming gradients; from now on they may be aliased, so no longer ours."""
        gs = n._buf
        n._buf = None
        if n in self.deferred:  # the node runs now: its gradient is complete
            self.deferred.discard(n)
            gs = [evaluate(g) for g in gs]
        if self.owned and gs is not None:
            for g in gs:
                self.owned.discard(id(g))
        return gs

    def add(self, c: Node, i: int, g: Any) -> None:
        """add_into_buffer: accumulate gradient `g` for output `i` of node `c`."""
        buf = c._buf
        if buf is None:
            buf = c._buf = [None] * c.n_out
        old = buf[i]
        if old is None:
            buf[i] = g
            if type(g) is ProductSum:
                self.deferred.add(c)
        elif type(old) is ProductSum:  # a weight's products: stack the factors (product_sum.py)
            buf[i] = old.add(g)
        elif type(g) is ProductSum:
            buf[i] = g.add(old)
            self.deferred.add(c)
        elif id(old) in self.owned and old.shape == g.shape and old.dtype == g.dtype:
            np.add(old, g, out=old)
        else:
            buf[i] = s = old + g
            if self.in_place and type(s) is np.ndarray and s.size >= 4096:
                self.owned.add(id(s))  # a large sum will likely receive more: add those in place


def retain_grads(n: Node, gs: list[Any], F: Any) -> None:
    """Add the gradients arriving at `n`'s outputs into the `.grad` of tensors that retain them."""
    for i, ref in n.retained:
        t = ref()
        if t is not None and gs[i] is not None and t._node is n:  # an in-place op moves t elsewhere
            add_into_grad(t, gs[i], F)


def accumulate_grad(n: AccumulateGrad, g: Any, F: Any) -> None:
    """Add a leaf's incoming gradient into its `.grad` (a graph of it under create_graph)."""
    leaf = n.variable()
    if leaf is not None:
        add_into_grad(leaf, g, F)


def add_into_grad(leaf: TensorBase, g: Any, F: Any) -> None:
    """leaf.grad += g (a new Tensor the first time; a graph of it under create_graph)."""
    if F.tensor_mode:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
        return
    data = g.array if isinstance(g, TensorBase) else g
    if leaf.grad is None:
        # copy: the incoming array may be a view of another gradient or a read-only broadcast
        leaf.grad = make_tensor(leaf.result_type, np.array(data, dtype=leaf.array.dtype), None, 0)
    else:
        leaf.grad.array = leaf.grad.array + data


def finish_results(results: list[Any], inputs: Sequence[TensorBase], allow_unused: bool, F: Any) -> list[Any]:
    """autograd.grad's answer: one Tensor (or None if unused and allowed) per requested input."""
    for k, r in enumerate(results):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {k} appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior."
            )
        if r is not None and not F.tensor_mode:
            results[k] = make_tensor(inputs[k].result_type, np.array(r, dtype=inputs[k].array.dtype), None, 0)
    return results


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _as_grad(F: Any, g: Any, like: TensorBase) -> Any:
    """Seed / user gradient in the representation F works on, with `like`'s dtype."""
    if F.tensor_mode:
        if isinstance(g, TensorBase):
            return g
        return F.const(np.asarray(g, dtype=like.array.dtype), like.result_type)
    data = g.array if isinstance(g, TensorBase) else np.asarray(g, dtype=like.array.dtype)
    return data


@contextmanager
def _recording(create_graph: bool, F: Any) -> Iterator[None]:
    """Record the backward rules' own ops only when a graph of the gradient is wanted."""
    prev = set_grad_mode(create_graph)
    try:
        yield
    finally:
        set_grad_mode(prev)
        F.end_walk()
