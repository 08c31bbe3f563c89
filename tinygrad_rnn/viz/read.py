"""What a picture reads off the tape: the outputs, leaf names, and each node's shape, value, gradient."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..engine import run_backward
from ..tape import AccumulateGrad, Node, TensorBase, make_tensor

Roots = list[tuple[str | None, TensorBase]]
Key = tuple[Node, int]  # (node, output index): one value on the tape


def as_roots(var: Any) -> Roots:
    """(name, tensor) for each output: a Tensor, a sequence of them, or a {name: Tensor} map."""
    if isinstance(var, TensorBase):
        return [(None, var)]
    if isinstance(var, Mapping):
        items = [(str(k), v) for k, v in var.items()]
    elif isinstance(var, Iterable):
        items = [(None, v) for v in var]
    else:
        raise TypeError(
            f"make_dot expects a Tensor, a sequence of Tensors or a dict, got {type(var).__name__}"
        )
    for name, t in items:
        if not isinstance(t, TensorBase):
            raise TypeError(f"output {name or ''} is a {type(t).__name__}, not a Tensor")
    if not items:
        raise ValueError("make_dot needs at least one output Tensor")
    return items


def param_names(params: Any) -> dict[int, str]:
    """id(tensor) -> name, from a Module, {name: tensor}, {tensor: name} or (name, tensor) pairs."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        items: Iterable[Any] = params.named_parameters()
    elif hasattr(params, "parameters_and_names"):  # MindSpore's Cell
        items = params.parameters_and_names()
    elif isinstance(params, Mapping):
        items = params.items()
    else:
        items = params
    names: dict[int, str] = {}
    for pair in items:
        tensor, name = _named(pair)
        names.setdefault(id(tensor), name)
    return names


def _named(pair: Any) -> tuple[TensorBase, str]:
    """(tensor, name) from one item of `params`."""
    if isinstance(pair, TensorBase):  # a bare parameter that knows its name (MindSpore's)
        name = getattr(pair, "name", None)
        if not isinstance(name, str):
            raise TypeError("params: a bare Tensor has no name; pass (name, Tensor) pairs or a dict")
        return pair, name
    a, b = pair
    if isinstance(a, TensorBase) and not isinstance(b, TensorBase):
        a, b = b, a
    if not isinstance(b, TensorBase):
        raise TypeError(
            f"params: expected (name, Tensor) pairs, got ({type(a).__name__}, {type(b).__name__})"
        )
    return b, str(a)


def op_edge(t: TensorBase) -> Key | None:
    """(node, output index) of the op that made `t`; None for a leaf or a constant."""
    e = t.grad_edge()
    return None if e is None or e[0].is_sink else e


def output_shapes(order: list[Node], roots: Roots) -> dict[Key, tuple]:
    """Shape of each node output: read from the input shapes its consumers recorded."""
    shapes: dict[Key, tuple] = {}
    for _, t in roots:
        if op_edge(t) is not None:
            shapes[op_edge(t)] = tuple(t.array.shape)
    for n in order:
        if isinstance(n, AccumulateGrad):
            continue
        for e, s in zip(n.next, n.shapes):
            if e is not None:
                shapes.setdefault(e, tuple(s))
    return shapes


def as_array(x: Any) -> Any:
    """The array behind a Tensor (anything else as it is)."""
    return x.array if isinstance(x, TensorBase) else x


def known_values(order: list[Node], roots: Roots) -> dict[Key, Any]:
    """Value of every node output the tape still knows: saved, output, or recomputed from those."""
    val = _saved_values(order, roots)
    for n in order:  # topological order: every input a node needs is known by the time it comes
        if isinstance(n, AccumulateGrad) or all((n, i) in val for i in range(n.n_out)):
            continue
        arrays = _input_values(n, val)
        if arrays is not None:
            out = n.recompute(*arrays)
            for i, o in enumerate(out if isinstance(out, tuple) else (out,)):
                val.setdefault((n, i), o)
    return val


def _saved_values(order: list[Node], roots: Roots) -> dict[Key, Any]:
    """The values the tape holds: outputs, leaves, and what ops saved for their backward."""
    val: dict[Key, Any] = {}
    for _, t in roots:
        if op_edge(t) is not None:
            val[op_edge(t)] = t.array
    for n in order:
        if isinstance(n, AccumulateGrad):
            leaf = n.variable()
            if leaf is not None:
                val[(n, 0)] = leaf.array
            continue
        if n.out is not None and n.n_out == 1:
            val.setdefault((n, 0), n.out)
        if n.inputs is not None:
            for x, e in zip(n.inputs, n.next):
                if e is not None and x is not None:  # None: an input the op does not save
                    val.setdefault(e, as_array(x))
    return val


def _input_values(n: Node, val: dict[Key, Any]) -> list[Any] | None:
    """The arrays node `n` read in its forward, or None when one of them is no longer known."""
    arrays = []
    for j, e in enumerate(n.next):
        a = val.get(e) if e is not None else (as_array(n.inputs[j]) if n.inputs is not None else None)
        if a is None:
            return None
        arrays.append(a)
    return arrays


def gradients(order: list[Node], roots: Roots) -> dict[Key, Any]:
    """d(sum of outputs)/d(every node output), by one extra backward walk that keeps the graph.

    Returns {} when the graph's saved values were already freed by a backward without
    retain_graph (then leaves still show their `.grad`).
    """
    live = [t for _, t in roots if op_edge(t) is not None]
    if not live:
        return {}
    keys = [(n, i) for n in order for i in range(n.n_out)]
    kind = live[0].array.dtype.kind
    dt = np.dtype(object) if kind == "O" else np.dtype(np.complex128 if kind == "c" else np.float64)
    # a probe is an empty tensor that claims to be output i of node n: grad() w.r.t. it is the
    # gradient flowing through that edge
    probes = [make_tensor(type(live[0]), np.empty((0,), dt), n, i) for n, i in keys]
    seeds = [np.ones(t.array.shape, t.array.dtype) for t in live]
    try:
        res = run_backward(live, seeds, retain_graph=True, inputs=probes, accumulate=False, allow_unused=True)
    except RuntimeError:  # freed by an earlier backward without retain_graph
        return {}
    return {k: as_array(r) for k, r in zip(keys, res or ()) if r is not None}


def fmt_value(a: Any, max_elems: int) -> str:
    """A value as short text: the array if small, else its shape; '?' if unknown."""
    if a is None:
        return "?"
    a = np.asarray(a)
    if a.size > max_elems:
        return f"{tuple(a.shape)}"
    if a.dtype.kind == "O":
        return str(a.tolist())
    if a.ndim == 0:
        v = a.item()
        return f"{v:.4g}" if isinstance(v, (float, complex)) else str(v)
    s = np.array2string(a, precision=4, suppress_small=True, separator=" ", max_line_width=48)
    return "\n".join(line for line in s.split("\n") if line.strip())  # no blank lines between blocks


def fmt_shape(shape: Any) -> str:
    """(2, 3) without numpy's int types."""
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def short(v: Any, limit: int) -> str:
    """One line of at most `limit` characters describing an op attribute."""
    if isinstance(v, str):
        s = v
    elif isinstance(v, np.ndarray):
        s = f"array{fmt_shape(v.shape)}" if v.size > 8 else np.array2string(v, separator=",")
    else:
        s = repr(v)
    s = s.replace("\n", " ")
    return s if len(s) <= limit else s[: max(limit - 3, 1)] + "..."
