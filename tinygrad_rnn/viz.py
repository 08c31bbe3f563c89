"""Graph export of the autograd tape: any output Tensor's graph as a `graphviz.Digraph`.

What is drawn (torchviz's conventions):

* grey boxes are the recorded ops, named like torch's grad_fns (`TanhBackward0`, `MmBackward0`, ...),
  including the `AccumulateGrad` sink of every leaf that requires grad;
* blue boxes are those leaves, labelled with their parameter name (from a Module's
  `named_parameters()` or a name map) and their shape;
* orange boxes (``show_saved=True``) are the arrays the ops saved for their backward rule;
* green boxes are the outputs you passed in.

Edges run the way the data flowed in the forward pass (inputs at the top). Nodes recorded inside
`tape.name_scope(...)` contexts are drawn inside nested clusters, so an unrolled RNN shows one box
per layer/direction holding one box per time step; ``collapse=True`` draws a single time step per
layer/direction and marks the repetition (x T), so the size of the picture no longer depends on T.
With ``values=True`` every node is a micrograd-style record showing ``data | grad`` for small tensors.

The traversal is iterative (a 10,000-step graph exports without a recursion error). Building the
DOT text needs only the `graphviz` Python package; rendering SVG/PNG/PDF needs Graphviz's `dot`
program (`apt-get install graphviz`). `graphviz` is imported inside functions only.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import run_backward, topological_order
from .tape import AccumulateGrad, Node, TensorBase, _wrap

__all__ = [
    "COLORS",
    "GraphvizNotFoundError",
    "TapeGraph",
    "build_graph",
    "dot_available",
    "export_rnn_graph",
    "make_dot",
    "render",
    "to_dot",
]

#: Fill colour of each node role (torchviz's palette).
COLORS = {
    "op": "lightgrey",
    "accum": "lightgrey",
    "leaf": "lightblue",
    "saved": "orange",
    "output": "darkolivegreen1",
}

INSTALL_HINT = (
    "Install Graphviz's `dot` program: `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz`. Exporting DOT text "
    "(to_dot(), or an output path ending in .dot/.gv) works without it."
)

_TEXT_FORMATS = ("dot", "gv")


class GraphvizNotFoundError(RuntimeError):
    """Rendering was asked for but Graphviz's `dot` program is not installed."""


# ---------------------------------------------------------------------------------------------
# The graph model: plain Python, independent of the graphviz package
# ---------------------------------------------------------------------------------------------
@dataclass
class VNode:
    """One drawn node: its DOT id, role (`kind`), text and cluster scope."""

    id: str
    kind: str  # "op" | "accum" | "leaf" | "saved" | "output"
    title: str
    scope: tuple[str, ...] = ()
    lines: list[str] = field(default_factory=list)  # extra text lines (shape, attributes)
    data: str | None = None  # formatted value (values=True)
    grad: str | None = None  # formatted gradient (values=True)


@dataclass
class VEdge:
    """One drawn edge; `count` is how many tape edges it stands for (more than 1 only collapsed)."""

    src: str
    dst: str
    kind: str  # "flow" | "leaf" | "saved" | "output" | "recurrent"
    label: str = ""
    count: int = 1


@dataclass
class StepGroup:
    """The time steps found under one scope (a layer/direction of an unrolled RNN)."""

    scope: tuple[str, ...]
    steps: list[int]
    rep: int  # the step drawn in collapse mode
    forward: bool  # recurrent edges go from t-1 to t (False: from t+1 to t)


@dataclass
class TapeGraph:
    """The tape reachable from some outputs, as nodes and edges ready to be drawn."""

    nodes: list[VNode]
    edges: list[VEdge]
    groups: dict[tuple[str, ...], StepGroup]
    collapsed: bool = False
    values: bool = False
    rankdir: str = "TB"
    legend: bool = False
    cluster: bool = True
    step_pattern: str = r"t(\d+)"

    def count(self, kind: str | None = None) -> int:
        """Number of nodes (of one kind: op, accum, leaf, saved, output)."""
        return sum(1 for n in self.nodes if kind is None or n.kind == kind)

    def count_edges(self, kind: str | None = None) -> int:
        """Number of drawn edges (of one kind: flow, leaf, saved, output, recurrent)."""
        return sum(1 for e in self.edges if kind is None or e.kind == kind)

    def digraph(self) -> Any:
        """This graph as a `graphviz.Digraph`."""
        return _to_digraph(self)


# ---------------------------------------------------------------------------------------------
# Inputs: outputs to draw, parameter names
# ---------------------------------------------------------------------------------------------
def _as_roots(var: Any) -> list[tuple[str | None, TensorBase]]:
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


def _param_names(params: Any) -> dict[int, str]:
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
        if isinstance(pair, TensorBase):  # a bare parameter that knows its name (MindSpore's)
            name = getattr(pair, "name", None)
            if not isinstance(name, str):
                raise TypeError("params: a bare Tensor has no name; pass (name, Tensor) pairs or a dict")
            names.setdefault(id(pair), name)
            continue
        a, b = pair
        if isinstance(a, TensorBase) and not isinstance(b, TensorBase):
            a, b = b, a
        if not isinstance(b, TensorBase):
            raise TypeError(
                f"params: expected (name, Tensor) pairs, got ({type(a).__name__}, {type(b).__name__})"
            )
        names.setdefault(id(b), str(a))
    return names


# ---------------------------------------------------------------------------------------------
# Traversal (iterative) and what can be read off the tape
# ---------------------------------------------------------------------------------------------
def _output_shapes(
    order: list[Node], roots: list[tuple[str | None, TensorBase]]
) -> dict[tuple[Node, int], tuple]:
    """Shape of each node output: read from the input shapes its consumers recorded."""
    shapes: dict[tuple[Node, int], tuple] = {}
    for _, t in roots:
        if t._node is not None:
            shapes[(t._node, t._idx)] = tuple(t.data.shape)
    for n in order:
        if isinstance(n, AccumulateGrad):
            continue
        for e, s in zip(n.next, n.shapes):
            if e is not None:
                shapes.setdefault(e, tuple(s))
    return shapes


def _input_names(n: Node) -> list[str]:
    k = len(n.next or ())
    if n.name in ("MmBackward0", "MatmulBackward0", "DotBackward0") and k == 2:
        return ["self", "mat2"]
    if k == 1:
        return ["self"]
    if k == 2:
        return ["self", "other"]
    return [f"input{j}" for j in range(k)]


def _arr(x: Any) -> Any:
    return x.data if isinstance(x, TensorBase) else x


def _known_values(
    order: list[Node], roots: list[tuple[str | None, TensorBase]]
) -> dict[tuple[Node, int], Any]:
    """Value of every node output the tape still knows: saved, output, or recomputed from those."""
    val: dict[tuple[Node, int], Any] = {}
    for _, t in roots:
        if t._node is not None:
            val[(t._node, t._idx)] = t.data
    for n in order:
        if isinstance(n, AccumulateGrad):
            leaf = n.variable()
            if leaf is not None:
                val[(n, 0)] = leaf.data
            continue
        if n.out is not None and n.n_out == 1:
            val.setdefault((n, 0), n.out)
        if n.inputs is not None:
            for x, e in zip(n.inputs, n.next):
                if e is not None:
                    val.setdefault(e, _arr(x))
    # recompute the rest forward, in topological order, where every input value is known
    for n in order:
        if isinstance(n, AccumulateGrad) or all((n, i) in val for i in range(n.n_out)):
            continue
        arrays = []
        for j, e in enumerate(n.next):
            a = val.get(e) if e is not None else (_arr(n.inputs[j]) if n.inputs is not None else None)
            if a is None:
                break
            arrays.append(a)
        else:
            try:
                fresh = type(n).__new__(type(n))
                fresh.kw = n.kw
                out = fresh.forward(*arrays, **(n.kw or {}))
            except Exception:  # a value we cannot rebuild is shown as unknown, never an error
                continue
            for i, o in enumerate(out if isinstance(out, tuple) else (out,)):
                val.setdefault((n, i), o)
    return val


def _gradients(order: list[Node], roots: list[tuple[str | None, TensorBase]]) -> dict[tuple[Node, int], Any]:
    """d(sum of outputs)/d(every node output), by one extra backward walk that keeps the graph.

    Returns {} when the graph's saved values were already freed by a backward without
    retain_graph (then leaves still show their `.grad`).
    """
    live = [t for _, t in roots if t._node is not None]
    if not live:
        return {}
    keys = [(n, i) for n in order for i in range(n.n_out)]
    kind = live[0].data.dtype.kind
    dt = np.dtype(object) if kind == "O" else np.dtype(np.complex128 if kind == "c" else np.float64)
    proto = type(live[0])
    probes = [_wrap(proto, np.empty((0,), dt), n, i) for n, i in keys]
    seeds = [np.ones(t.data.shape, t.data.dtype) for t in live]
    try:
        res = run_backward(live, seeds, retain_graph=True, inputs=probes, accumulate=False, allow_unused=True)
    except RuntimeError:
        return {}
    return {k: _arr(r) for k, r in zip(keys, res or ()) if r is not None}


def _fmt_value(a: Any, max_elems: int) -> str:
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


def _fmt_shape(shape: Any) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _short(v: Any, limit: int) -> str:
    if isinstance(v, str):
        s = v
    elif isinstance(v, np.ndarray):
        s = f"array{_fmt_shape(v.shape)}" if v.size > 8 else np.array2string(v, separator=",")
    else:
        s = repr(v)
    s = s.replace("\n", " ")
    return s if len(s) <= limit else s[: max(limit - 3, 1)] + "..."


# ---------------------------------------------------------------------------------------------
# Collapse: one time step per layer/direction
# ---------------------------------------------------------------------------------------------
def _split_step(scope: tuple[str, ...], pat: re.Pattern[str]) -> tuple[tuple[str, ...], int] | None:
    for k, s in enumerate(scope):
        m = pat.fullmatch(s)
        if m:
            return scope[:k], int(m.group(1))
    return None


def _step_groups(
    order: list[Node], pat: re.Pattern[str]
) -> tuple[dict[Node, tuple[tuple[str, ...], int]], dict[tuple[str, ...], StepGroup], dict[Node, Node]]:
    """Time steps per group, the step to draw per group, and each other step's node -> its double.

    A node's double in the drawn step is the node with the same structural signature (op name and
    the signatures of its inputs inside the step), falling back to the same op name; a node with
    no double at all stays drawn.
    """
    where: dict[Node, tuple[tuple[str, ...], int]] = {}
    for n in order:
        if not isinstance(n, AccumulateGrad) and n.scope:
            s = _split_step(n.scope, pat)
            if s is not None:
                where[n] = s
    steps: dict[tuple[str, ...], dict[int, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for n in order:
        if n in where:
            g, t = where[n]
            steps[g][t].append(n)
    rec_in: dict[tuple[tuple[str, ...], int], int] = defaultdict(int)
    direction: dict[tuple[str, ...], int] = defaultdict(int)
    sig: dict[Node, int] = {}
    for n in order:
        if n not in where:
            continue
        g, t = where[n]
        parts = []
        for e in n.next:
            src = where.get(e[0]) if e is not None else None
            if src == (g, t):
                parts.append((sig[e[0]], e[1]))
            else:
                parts.append(None)
                if src is not None and src[0] == g:
                    rec_in[(g, t)] += 1
                    direction[g] += 1 if src[1] < t else -1
        sig[n] = hash((n.name, n.n_out, tuple(parts)))
    groups: dict[tuple[str, ...], StepGroup] = {}
    double: dict[Node, Node] = {}
    for g, by_t in steps.items():
        fwd = direction[g] >= 0
        rep = max(by_t, key=lambda t: (rec_in[(g, t)], len(by_t[t]), t if fwd else -t))
        groups[g] = StepGroup(g, sorted(by_t), rep, fwd)
        by_sig: dict[int, list[Node]] = defaultdict(list)
        by_name: dict[str, list[Node]] = defaultdict(list)
        for n in by_t[rep]:
            by_sig[sig[n]].append(n)
            by_name[n.name].append(n)
        for t, nodes in by_t.items():
            if t == rep:
                continue
            used_sig: dict[int, int] = defaultdict(int)
            used_name: dict[str, int] = defaultdict(int)
            for n in nodes:
                k = used_sig[sig[n]]
                used_sig[sig[n]] += 1
                same = by_sig.get(sig[n], [])
                if k < len(same):
                    double[n] = same[k]
                    continue
                named = by_name.get(n.name, [])
                if named:
                    double[n] = named[min(used_name[n.name], len(named) - 1)]
                    used_name[n.name] += 1
    return where, groups, double


# ---------------------------------------------------------------------------------------------
# Building the model
# ---------------------------------------------------------------------------------------------
def build_graph(
    var: Any,
    params: Any = None,
    show_attrs: bool = False,
    show_saved: bool = False,
    max_attr_chars: int = 50,
    *,
    values: bool = False,
    collapse: bool = False,
    cluster: bool = True,
    legend: bool = False,
    max_value_elems: int = 16,
    rankdir: str = "TB",
    step_pattern: str = r"t(\d+)",
) -> TapeGraph:
    """The graph behind `var` (a Tensor, a sequence of Tensors or a {name: Tensor} map).

    See `make_dot` for the options; this returns the plain model (`TapeGraph`, whose `count()`
    and `count_edges()` tell what will be drawn) instead of a graphviz object.
    """
    roots = _as_roots(var)
    names = _param_names(params)
    order = topological_order([t._node for _, t in roots if t._node is not None])
    shapes = _output_shapes(order, roots)
    pat = re.compile(step_pattern)
    where, groups, double = _step_groups(order, pat) if collapse else ({}, {}, {})
    vals = _known_values(order, roots) if values else {}
    grads = _gradients(order, roots) if values else {}

    def fmt(a: Any) -> str:
        return _fmt_value(a, max_value_elems)

    nodes: list[VNode] = []
    edges: list[VEdge] = []
    vid: dict[Node, str] = {}
    saved_vid: dict[int, VNode] = {}

    def new(kind: str, title: str, scope: tuple[str, ...] = (), lines: list[str] | None = None) -> VNode:
        v = VNode(f"n{len(nodes)}", kind, title, scope, lines or [])
        nodes.append(v)
        return v

    def saved(obj: Any, attr: str, owner: VNode, scope: tuple[str, ...]) -> None:
        a = _arr(obj)
        key = id(a)
        v = saved_vid.get(key)
        if v is None:
            label = attr
            if isinstance(obj, TensorBase) and id(obj) in names:
                label = f"{attr} ({names[id(obj)]})"
            shape = getattr(a, "shape", ())
            v = new("saved", label, scope, [_fmt_shape(shape)])
            if values:
                v.data = fmt(a)
            saved_vid[key] = v
        elif attr not in v.title.split(" / ") and v.title.count(" / ") < 2:
            v.title = f"{v.title} / {attr}"
        edges.append(VEdge(v.id, owner.id, "saved"))

    for n in order:
        if n in double:
            continue
        if isinstance(n, AccumulateGrad):
            leaf = n.variable()
            if leaf is None:  # the leaf tensor was garbage-collected: only its shape is known
                lv = new("leaf", "(freed leaf)", (), [_fmt_shape(shapes.get((n, 0), ()))])
            else:
                name = names.get(id(leaf), "")
                lv = new("leaf", name, (), [_fmt_shape(leaf.data.shape)])
                if values:
                    lv.data = fmt(leaf.data)
                    g = grads.get((n, 0))
                    if g is None and leaf.grad is not None:
                        g = _arr(leaf.grad)
                    lv.grad = fmt(g)
            av = new("accum", n.name, ())
            vid[n] = av.id
            edges.append(VEdge(lv.id, av.id, "leaf"))
            continue
        lines = []
        if show_attrs:
            inames = _input_names(n)
            for nm, s in zip(inames, n.shapes):
                lines.append(f"{nm}: {_short(_fmt_shape(s), max_attr_chars)}")
            if n.n_out == 1 and (n, 0) in shapes:
                lines.append(f"result: {_fmt_shape(shapes[(n, 0)])}")
            elif n.n_out > 1:
                lines.append(f"outputs: {n.n_out}")
            for k, v in (n.kw or {}).items():
                lines.append(f"{k}: {_short(v, max_attr_chars)}")
            if n.scope:
                lines.append(_short("scope: " + "/".join(n.scope), max_attr_chars))
        ov = new("op", n.name, n.scope, lines)
        vid[n] = ov.id
        if values:
            if n.n_out == 1:
                ov.data = fmt(vals.get((n, 0)))
                ov.grad = fmt(grads.get((n, 0)))
            else:
                ov.lines.append(f"{n.n_out} outputs")
        if show_saved:
            if n.inputs is not None:
                for nm, x in zip(_input_names(n), n.inputs):
                    saved(x, nm, ov, n.scope)
            if n.out is not None:
                saved(n.out, "result", ov, n.scope)

    # edges in the forward direction: input's node -> consumer (collapsed: merged, with a count)
    merged: dict[tuple[str, str, str], VEdge] = {}

    def link(src: Node, idx: int, dst_id: str, kind: str, consumer: Node | None = None) -> None:
        label = f"{idx}" if src.n_out > 1 else ""
        if src in double:  # collapsed away: the edge comes from its double in the drawn step
            grp = where[src][0]
            if consumer in where and where[consumer][0] == grp:
                kind = "recurrent"
                label = "from t-1" if groups[grp].forward else "from t+1"
            src = double[src]
        if not collapse:
            edges.append(VEdge(vid[src], dst_id, kind, label))
            return
        key = (vid[src], dst_id, kind)
        e = merged.get(key)
        if e is None:
            merged[key] = e = VEdge(vid[src], dst_id, kind, label)
            edges.append(e)
        else:
            e.count += 1
            if kind != "recurrent":
                e.label = f"x{e.count}"

    for n in order:
        if n in double or isinstance(n, AccumulateGrad):
            continue
        for e in n.next:
            if e is not None:
                link(e[0], e[1], vid[n], "flow", n)
    for name, t in roots:
        label = name if name is not None else names.get(id(t), "")
        lines = [_fmt_shape(t.data.shape)]
        title = label
        ov = new("output", title, (), lines)
        if values:
            ov.data = fmt(t.data)
            if t._node is not None:
                ov.grad = fmt(grads.get((t._node, t._idx)))
            elif t.grad is not None:
                ov.grad = fmt(t.grad.data)
        if t._node is not None:
            link(t._node, t._idx, ov.id, "output")
    return TapeGraph(
        nodes,
        edges,
        groups,
        collapsed=collapse,
        values=values,
        rankdir=rankdir,
        legend=legend,
        cluster=cluster,
        step_pattern=step_pattern,
    )


# ---------------------------------------------------------------------------------------------
# graphviz output
# ---------------------------------------------------------------------------------------------
_RECORD_SPECIAL = re.compile(r"([{}|<>\\\"])")
_LAYER = re.compile(r"l(\d+)(_reverse)?")


def _rec(s: str, left: bool = False) -> str:
    """Text for a record field: special characters escaped; lines centred, or left-aligned."""
    s = _RECORD_SPECIAL.sub(r"\\\1", s)
    if not left:
        return "\\n".join(s.split("\n"))
    return "\\l".join(s.split("\n")) + ("\\l" if "\n" in s else "")


def _cell(name: str, text: str | None) -> str:
    if text is None:
        return ""
    return f"{name}\n{text}" if "\n" in text else f"{name} {text}"


def _label(v: VNode, values: bool) -> str:
    head = "\n".join([x for x in [v.title, *v.lines] if x])
    if not values:
        return head or " "
    if v.data is None and v.grad is None:
        return "{" + _rec(head or " ") + "}"
    cells = [_cell("data", v.data), _cell("grad", v.grad)]
    inner = " | ".join(_rec(c, left=True) for c in cells if c)
    return "{" + _rec(head or " ") + " | {" + inner + "}}"


def _cluster_label(part: str, scope: tuple[str, ...], g: TapeGraph, pat: re.Pattern[str]) -> str:
    m = _LAYER.fullmatch(part)
    if m:
        return f"layer {m.group(1)}" + (" (reverse)" if m.group(2) else "")
    m = pat.fullmatch(part)
    if m:
        t = int(m.group(1))
        grp = g.groups.get(scope[:-1])
        if g.collapsed and grp is not None and grp.rep == t and len(grp.steps) > 1:
            lo, hi = grp.steps[0], grp.steps[-1]
            return f"t = {t}   (x {len(grp.steps)}, one drawn for t = {lo}..{hi})"
        return f"t = {t}"
    return part


def _reenters(g: TapeGraph, scope: tuple[str, ...]) -> bool:
    """Is there a path that leaves `scope`'s nodes and comes back into them through outside nodes?"""
    k = len(scope)
    inside = {v.id for v in g.nodes if v.scope[:k] == scope}
    succ: dict[str, list[str]] = defaultdict(list)
    for e in g.edges:
        succ[e.src].append(e.dst)
    stack = [e.dst for e in g.edges if e.src in inside and e.dst not in inside]
    seen = set(stack)
    while stack:
        for d in succ.get(stack.pop(), ()):
            if d in inside:
                return True
            if d not in seen:
                seen.add(d)
                stack.append(d)
    return False


def _to_digraph(g: TapeGraph) -> Any:
    try:
        import graphviz
    except ImportError as e:  # pragma: no cover - graphviz is a declared dependency
        raise ImportError("graph export needs the graphviz Python package: pip install graphviz") from e

    values = g.values
    node_attr = {
        "style": "filled",
        "shape": "record" if values else "box",
        "fontsize": "10",
        "height": "0.2",
        "fontname": "monospace",
    }
    graph_attr = {
        "rankdir": g.rankdir,
        "ranksep": "0.3",
        "nodesep": "0.25",
        "fontname": "Helvetica",
    }
    dot = graphviz.Digraph(node_attr=node_attr, graph_attr=graph_attr, edge_attr={"fontsize": "9"})
    pat = re.compile(g.step_pattern)

    def emit(target: Any, v: VNode) -> None:
        attrs = {"fillcolor": COLORS[v.kind]}
        if v.kind == "saved":
            attrs["style"] = "filled,rounded"
        target.node(v.id, _label(v, values), **attrs)

    if g.legend:  # four swatches side by side, in a box of their own
        legend = graphviz.Digraph(name="cluster_legend")
        legend.attr(label="legend", style="rounded", color="grey60", fontsize="10")
        row = graphviz.Digraph(name="legend_row")
        row.attr(rank="same")
        keys = [
            ("op", "op (grad_fn)"),
            ("leaf", "leaf (parameter)"),
            ("saved", "saved tensor"),
            ("output", "output"),
        ]
        for k, text in keys:
            row.node(f"legend_{k}", text, fillcolor=COLORS[k], shape="box")
        for (a, _), (b, _) in zip(keys, keys[1:]):
            row.edge(f"legend_{a}", f"legend_{b}", style="invis")
        legend.subgraph(row)
        dot.subgraph(legend)

    if not g.cluster:
        for v in g.nodes:
            emit(dot, v)
    else:
        # a tree of scopes; every scope prefix that holds nodes becomes a (nested) cluster
        members: dict[tuple[str, ...], list[VNode]] = defaultdict(list)
        children: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        known: set[tuple[str, ...]] = {()}
        for v in g.nodes:
            members[v.scope].append(v)
            for k in range(1, len(v.scope) + 1):  # outermost first: clusters in first-seen order
                pre = v.scope[:k]
                if pre not in known:
                    known.add(pre)
                    children[pre[:-1]].append(pre)

        def natural(scope: tuple[str, ...]) -> list[Any]:  # "l0" < "l0_reverse" < "l1"; "t2" < "t10"
            return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", scope[-1])]

        for p in children:
            children[p].sort(key=natural)

        def fill(target: Any, scope: tuple[str, ...], prefix: str = "") -> None:
            # recursion depth is the scope depth (a handful), not the graph size
            for v in members.get(scope, ()):
                emit(target, v)
            for child in children.get(scope, ()):
                label = prefix + _cluster_label(child[-1], child, g, pat)
                is_step = pat.fullmatch(child[-1]) is not None
                if not members.get(child) and not is_step and _reenters(g, child):
                    # a scope that only wraps other scopes ("rnn" around its layers) and is left
                    # and re-entered through outside nodes (the concat between two layers) draws
                    # no box of its own, its name goes into its children's labels: dot ranks a box
                    # as a unit and would turn edges upside down (newrank=true avoids that, but is
                    # exponentially slow with many clusters)
                    fill(target, child, label + " / ")
                    continue
                # a fresh Digraph added with subgraph(c): the `with target.subgraph()` form copies
                # the parent's whole body per cluster, quadratic for thousands of time steps
                c = graphviz.Digraph(name="cluster_" + "/".join(child))
                layer = _LAYER.fullmatch(child[-1])
                color, fill_c = ("grey50", "white") if is_step else ("grey55", "white")
                if layer:
                    rev = bool(layer.group(2))
                    color = "firebrick3" if rev else "royalblue3"
                    fill_c = "#fbf0ef" if rev else "#eef3fb"
                c.attr(
                    label=label,
                    style="rounded,filled" + (",dashed" if is_step else ""),
                    color=color,
                    fillcolor=fill_c,
                    fontsize="10" if is_step else "11",
                    labeljust="l",
                )
                fill(c, child)
                target.subgraph(c)

        fill(dot, ())

    for e in g.edges:
        attrs: dict[str, str] = {}
        if e.label:
            attrs["label"] = e.label
        if e.kind == "saved":
            attrs.update(dir="none", style="dashed", color="darkorange3")
        elif e.kind == "recurrent":
            attrs.update(style="dashed", color="firebrick3", fontcolor="firebrick3", constraint="false")
        elif e.count > 1:
            attrs.update(penwidth="2")
        dot.edge(e.src, e.dst, **attrs)
    return dot


# ---------------------------------------------------------------------------------------------
# Public helpers
# ---------------------------------------------------------------------------------------------
def make_dot(
    var: Any,
    params: Any = None,
    show_attrs: bool = False,
    show_saved: bool = False,
    max_attr_chars: int = 50,
    *,
    values: bool = False,
    collapse: bool = False,
    cluster: bool = True,
    legend: bool = False,
    max_value_elems: int = 16,
    rankdir: str = "TB",
    step_pattern: str = r"t(\d+)",
) -> Any:
    """The autograd graph behind `var` as a `graphviz.Digraph` (torchviz's `make_dot`, extended).

    var: the output(s): a Tensor (any subclass of the core Tensor), a sequence of Tensors, or a
        {name: Tensor} map (the names label the green output nodes).
    params: names for the leaves: a Module (its `named_parameters()`), a {name: Tensor} or
        {Tensor: name} map, or (name, Tensor) pairs. Unnamed leaves show their shape only.
    show_attrs: list each op's input shapes, result shape, keyword arguments and scope.
    show_saved: draw the arrays each op saved for backward (orange, dashed link). An array
        saved by several ops is drawn once. After a backward without retain_graph they are freed
        and no longer drawn.
    values: micrograd-style `data | grad` records; arrays with more than `max_value_elems`
        elements show their shape. grad is d(sum of the outputs)/d(node output), computed by an
        extra backward walk that keeps the graph (call this before `.backward()`, or use
        retain_graph=True; on a freed graph only the leaves' `.grad` is shown).
    collapse: draw one time step per layer/direction (scopes named like "t3") and mark the
        repetition "x T" on the step cluster and on merged edges.
    cluster: group nodes in nested clusters following their `name_scope`s (default on).
    legend: add a small colour legend.
    """
    return build_graph(
        var,
        params,
        show_attrs,
        show_saved,
        max_attr_chars,
        values=values,
        collapse=collapse,
        cluster=cluster,
        legend=legend,
        max_value_elems=max_value_elems,
        rankdir=rankdir,
        step_pattern=step_pattern,
    ).digraph()


def to_dot(var: Any, params: Any = None, **kwargs: Any) -> str:
    """DOT source text of the graph (needs no Graphviz program); options as for `make_dot`."""
    return make_dot(var, params, **kwargs).source


def dot_available() -> bool:
    """True when Graphviz's `dot` program is on PATH (needed to render, not for DOT text)."""
    return shutil.which("dot") is not None


def render(graph: Any, path: str | os.PathLike[str], format: str | None = None, **kwargs: Any) -> str:
    """Write `graph` (a Digraph, a TapeGraph, or output Tensor(s) drawn with `make_dot(**kwargs)`).

    The format comes from `format` or the file suffix: dot/gv write the DOT text (always works);
    svg, png, pdf (any format `dot -T` knows) need the `dot` program and raise
    `GraphvizNotFoundError` saying how to install it when it is missing. Returns the path.
    """
    path = os.fspath(path)
    if isinstance(graph, TapeGraph):
        graph = graph.digraph()
    if not hasattr(graph, "source") or isinstance(graph, TensorBase):
        graph = make_dot(graph, **kwargs)
    elif kwargs:
        raise TypeError("drawing options apply only when rendering Tensors, not a ready Digraph")
    fmt = (format or os.path.splitext(path)[1].lstrip(".") or "dot").lower()
    if fmt in _TEXT_FORMATS:
        with open(path, "w", encoding="utf-8") as f:
            f.write(graph.source)
        return path
    if not dot_available():
        raise GraphvizNotFoundError(
            f"cannot render {fmt.upper()}: Graphviz's `dot` program was not found. {INSTALL_HINT}"
        )
    import graphviz

    try:
        data = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as e:  # pragma: no cover - checked just above
        raise GraphvizNotFoundError(f"cannot render {fmt.upper()}: {e}. {INSTALL_HINT}") from e
    with open(path, "wb") as f:
        f.write(data)
    return path


def export_rnn_graph(
    rnn_kwargs: Mapping[str, Any],
    seq_len: int,
    batch: int = 1,
    collapse: bool = False,
    values: bool = False,
    out_path: str | os.PathLike[str] = "rnn.svg",
    *,
    show_saved: bool = False,
    show_attrs: bool = False,
    legend: bool = False,
    seed: int = 0,
    format: str | None = None,
) -> str:
    """Build `nn.RNN(**rnn_kwargs)`, run it on a random (seq_len, batch) input, draw its graph.

    The entry point behind `tinygrad-rnn graph`: the outputs are `output` and `h_n`, the leaves
    are named after the RNN's parameters, and `out_path`'s suffix picks the format (.dot/.gv
    text needs no Graphviz; .svg/.png/.pdf need `dot`). Returns the path written.
    """
    from . import random as _random
    from .nn import RNN
    from .tensor import Tensor

    if int(seq_len) < 1 or int(batch) < 1:
        raise ValueError(f"seq_len and batch must be >= 1, got seq_len={seq_len}, batch={batch}")
    _random.manual_seed(seed)
    rnn = RNN(**dict(rnn_kwargs))
    rng = np.random.default_rng(seed)
    shape = (batch, seq_len, rnn.input_size) if rnn.batch_first else (seq_len, batch, rnn.input_size)
    x = Tensor(rng.standard_normal(shape).astype(rnn.weight_ih_l0.data.dtype))
    out, h_n = rnn(x)
    dot = make_dot(
        {"output": out, "h_n": h_n},
        params=rnn,
        values=values,
        collapse=collapse,
        show_saved=show_saved,
        show_attrs=show_attrs,
        legend=legend,
    )
    return render(dot, out_path, format)
