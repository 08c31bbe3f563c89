"""Build the graph model (`TapeGraph`) from the tape behind some outputs."""

from __future__ import annotations

import re
from typing import Any

from ..engine import topological_order
from ..tape import AccumulateGrad, Node, TensorBase
from . import read
from .collapse import places, step_groups
from .dot import TapeGraph
from .model import CELL_SCOPE, VEdge, VNode


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
    roots = read.as_roots(var)
    order = topological_order([e[0] for _, t in roots if (e := read.op_edge(t)) is not None])
    b = _Builder(order, roots, read.param_names(params), collapse, step_pattern, values, max_value_elems)
    for n in order:
        if n in b.double:
            continue
        if isinstance(n, AccumulateGrad):
            b.add_leaf(n)
            continue
        ov = b.add_op(n, show_attrs, max_attr_chars)
        if show_saved:
            b.add_saved_of(n, ov)
    for n in order:
        if n not in b.double and not isinstance(n, AccumulateGrad):
            for e in n.next:
                if e is not None:
                    b.link(e[0], e[1], b.vid[n], "flow", n)
    for name, t in roots:
        b.add_output(name, t)
    return TapeGraph(
        b.nodes,
        b.edges,
        b.groups,
        collapsed=collapse,
        values=values,
        rankdir=rankdir,
        legend=legend,
        cluster=cluster,
        step_pattern=step_pattern,
    )


class _Builder:
    """The drawn nodes and edges as they are added, and what adding them needs to know."""

    def __init__(
        self,
        order: list[Node],
        roots: read.Roots,
        names: dict[int, str],
        collapse: bool,
        step_pattern: str,
        values: bool,
        max_value_elems: int,
    ):
        self.names = names
        self.collapse = collapse
        self.values = values
        self.max_value_elems = max_value_elems
        self.shapes = read.output_shapes(order, roots)
        pat = re.compile(step_pattern)
        collapsed = step_groups(order, pat) if collapse else (places(order, pat), {}, {})
        self.where, self.groups, self.double = collapsed
        self.vals = read.known_values(order, roots) if values else {}
        self.grads = read.gradients(order, roots) if values else {}
        self.nodes: list[VNode] = []
        self.edges: list[VEdge] = []
        self.vid: dict[Node, str] = {}
        self.saved_vid: dict[int, VNode] = {}
        self.merged: dict[tuple[str, str, str], VEdge] = {}

    def fmt(self, a: Any) -> str:
        return read.fmt_value(a, self.max_value_elems)

    def new(
        self, kind: str, title: str, scope: tuple[str, ...] = (), lines: list[str] | None = None
    ) -> VNode:
        v = VNode(f"n{len(self.nodes)}", kind, title, scope, lines or [])
        self.nodes.append(v)
        return v

    def add_leaf(self, n: AccumulateGrad) -> None:
        """A blue leaf box and its AccumulateGrad node."""
        leaf = n.variable()
        if leaf is None:  # the leaf tensor was garbage-collected: only its shape is known
            lv = self.new("leaf", "(freed leaf)", (), [read.fmt_shape(self.shapes.get((n, 0), ()))])
        else:
            lv = self.new("leaf", self.names.get(id(leaf), ""), (), [read.fmt_shape(leaf.array.shape)])
            if self.values:
                lv.data = self.fmt(leaf.array)
                g = self.grads.get((n, 0))
                if g is None and leaf.grad is not None:
                    g = read.as_array(leaf.grad)
                lv.grad = self.fmt(g)
        av = self.new("accum", n.name, ())
        self.vid[n] = av.id
        self.edges.append(VEdge(lv.id, av.id, "leaf"))

    def add_op(self, n: Node, show_attrs: bool, limit: int) -> VNode:
        """A grey op box (with its attributes, or its data | grad record)."""
        ov = self.new("op", n.name, n.scope, _attr_lines(n, self.shapes, limit) if show_attrs else [])
        self.vid[n] = ov.id
        if self.values:
            if n.n_out == 1:
                ov.data = self.fmt(self.vals.get((n, 0)))
                ov.grad = self.fmt(self.grads.get((n, 0)))
            else:
                ov.lines.append(f"{n.n_out} outputs")
        return ov

    def add_saved_of(self, n: Node, ov: VNode) -> None:
        """The arrays `n` saved for its backward, each drawn once however many ops saved it."""
        if n.inputs is not None:
            for nm, x in zip(n.input_labels(), n.inputs):
                if x is not None:  # None: an input the op does not save (Addmm's self)
                    self.add_saved(x, nm, ov, n.scope)
        if n.out is not None:
            self.add_saved(n.out, "result", ov, n.scope)

    def add_saved(self, obj: Any, attr: str, owner: VNode, scope: tuple[str, ...]) -> None:
        a = read.as_array(obj)
        v = self.saved_vid.get(id(a))
        if v is None:
            label = attr
            if isinstance(obj, TensorBase) and id(obj) in self.names:
                label = f"{attr} ({self.names[id(obj)]})"
            v = self.new("saved", label, scope, [read.fmt_shape(getattr(a, "shape", ()))])
            if self.values:
                v.data = self.fmt(a)
            self.saved_vid[id(a)] = v
        elif attr not in v.title.split(" / ") and v.title.count(" / ") < 2:
            v.title = f"{v.title} / {attr}"
        self.edges.append(VEdge(v.id, owner.id, "saved"))

    def add_output(self, name: str | None, t: TensorBase) -> None:
        """A green output box, linked from the op that made it."""
        label = name if name is not None else self.names.get(id(t), "")
        ov = self.new("output", label, (), [read.fmt_shape(t.array.shape)])
        e = read.op_edge(t)
        if self.values:
            ov.data = self.fmt(t.array)
            if e is not None:
                ov.grad = self.fmt(self.grads.get(e))
            elif t.grad is not None:
                ov.grad = self.fmt(t.grad.array)
        if e is not None:
            self.link(e[0], e[1], ov.id, "output")

    def carries_cell_state(self, src: Node, consumer: Node | None) -> bool:
        """Does this edge cross a time step into or out of an LSTM's cell-state update (scope "c")?

        consumer None is an output box (outside every step)."""
        if self.where.get(src) == (None if consumer is None else self.where.get(consumer)):
            return False
        return any(n in self.where and n.scope[-1] == CELL_SCOPE for n in (src, consumer) if n is not None)

    def link(self, src: Node, idx: int, dst_id: str, kind: str, consumer: Node | None = None) -> None:
        """An edge in the forward direction, input's node -> consumer (collapsed: merged, counted)."""
        label = f"{idx}" if src.n_out > 1 else ""
        cell = kind in ("flow", "output") and self.carries_cell_state(src, consumer)
        if src in self.double:  # collapsed away: the edge comes from its double in the drawn step
            grp = self.where[src][0]
            if consumer in self.where and self.where[consumer][0] == grp:
                kind = "recurrent"
                label = "from t-1" if self.groups[grp].forward else "from t+1"
                label = "c " + label if cell else label
            src = self.double[src]
        kind = "cell" if cell else kind
        if not self.collapse:
            self.edges.append(VEdge(self.vid[src], dst_id, kind, label))
            return
        key = (self.vid[src], dst_id, kind)
        e = self.merged.get(key)
        if e is None:
            self.merged[key] = e = VEdge(self.vid[src], dst_id, kind, label)
            self.edges.append(e)
        else:
            e.count += 1
            if not e.label.endswith(("t-1", "t+1")):  # a recurrence keeps its label
                e.label = f"x{e.count}"


def _attr_lines(n: Node, shapes: dict[read.Key, tuple], limit: int) -> list[str]:
    """show_attrs: input shapes, result shape, keyword arguments and scope of an op."""
    lines = [f"{nm}: {read.short(read.fmt_shape(s), limit)}" for nm, s in zip(n.input_labels(), n.shapes)]
    if n.n_out == 1 and (n, 0) in shapes:
        lines.append(f"result: {read.fmt_shape(shapes[(n, 0)])}")
    elif n.n_out > 1:
        lines.append(f"outputs: {n.n_out}")
    lines.extend(f"{k}: {read.short(v, limit)}" for k, v in (n.kw or {}).items())
    if n.scope:
        lines.append(read.short("scope: " + "/".join(n.scope), limit))
    return lines
