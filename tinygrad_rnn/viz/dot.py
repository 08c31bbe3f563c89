"""The graph to draw (`TapeGraph`) and how graphviz draws it: labels, colours, clusters, edges."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .model import CELL_SCOPE, GATE_LABELS, StepGroup, VEdge, VNode

#: Fill colour of each node role (torchviz's palette).
COLORS = {
    "op": "lightgrey",
    "accum": "lightgrey",
    "leaf": "lightblue",
    "saved": "orange",
    "output": "darkolivegreen1",
}

#: How each special edge kind is drawn: the recurrence of a collapsed RNN, the LSTM's cell state.
EDGE_STYLES = {
    "recurrent": {"style": "dashed", "color": "firebrick3", "fontcolor": "firebrick3"},
    "cell": {"color": "green4", "fontcolor": "green4", "penwidth": "2.5"},
}


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
        """Number of drawn edges (of one kind: flow, leaf, saved, output, recurrent, cell)."""
        return sum(1 for e in self.edges if kind is None or e.kind == kind)

    def digraph(self) -> Any:
        """This graph as a `graphviz.Digraph`."""
        return to_digraph(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter: drawn inline as SVG (graphviz's own display of the Digraph; needs `dot`)."""
        return self.digraph()._repr_mimebundle_(include, exclude)

    def __repr__(self) -> str:
        kinds = ", ".join(f"{self.count(k)} {k}" for k in COLORS if self.count(k))
        mode = " collapsed" if self.collapsed else ""
        return f"<TapeGraph{mode}: {len(self.nodes)} nodes ({kinds}), {len(self.edges)} edges>"


_RECORD_SPECIAL = re.compile(r"([{}|<>\\\"])")
_LAYER = re.compile(r"l(\d+)(_reverse)?")


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------
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
            # short: the box is narrow, and the legend says what "x N" means
            return rf"t = {t}\l(x {len(grp.steps)})\l"
        return f"t = {t}"
    if _is_gate(scope, pat):
        return GATE_LABELS[part]
    return part


def _is_gate(scope: tuple[str, ...], pat: re.Pattern[str]) -> bool:
    """A gated cell's gate (or cell-state) scope: a known gate label right inside a time step."""
    return len(scope) >= 2 and scope[-1] in GATE_LABELS and pat.fullmatch(scope[-2]) is not None


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


# ---------------------------------------------------------------------------------------------
# The Digraph
# ---------------------------------------------------------------------------------------------
def graphviz_module() -> Any:
    """The graphviz Python package, imported only when a picture is drawn."""
    try:
        import graphviz
    except ImportError as e:  # pragma: no cover - graphviz is a declared dependency
        raise ImportError("graph export needs the graphviz Python package: pip install graphviz") from e
    return graphviz


def to_digraph(g: TapeGraph) -> Any:
    """`g` as a `graphviz.Digraph`: legend, nested clusters, nodes, then the edges."""
    graphviz = graphviz_module()
    node_attr = {
        "style": "filled",
        "shape": "record" if g.values else "box",
        "fontsize": "10",
        "height": "0.2",
        "fontname": "monospace",
    }
    graph_attr = {"rankdir": g.rankdir, "ranksep": "0.3", "nodesep": "0.25", "fontname": "Helvetica"}
    dot = graphviz.Digraph(node_attr=node_attr, graph_attr=graph_attr, edge_attr={"fontsize": "9"})
    if g.legend:
        dot.subgraph(_legend(graphviz, g))
    if g.cluster:
        _Clusters(g, graphviz).fill(dot, ())
    else:
        for v in g.nodes:
            _emit(dot, v, g.values)
    place = _places(g)
    for e in g.edges:
        dot.edge(e.src, e.dst, **_edge_attrs(e, g, place))
    if g.values:  # last: a graph label set before the clusters would be inherited by them
        dot.attr(label=_grad_caption(g), labelloc="b", labeljust="l", fontsize="10")
    return dot


def _emit(target: Any, v: VNode, values: bool) -> None:
    attrs = {"fillcolor": COLORS[v.kind]}
    if v.kind == "saved":
        attrs["style"] = "filled,rounded"
    target.node(v.id, _label(v, values), **attrs)


def _edge_attrs(e: VEdge, g: TapeGraph, place: dict[str, Any]) -> dict[str, str]:
    """Graphviz attributes of one edge: its kind's style, its label (or a collapsed slice's)."""
    attrs: dict[str, str] = {"label": e.label} if e.label else {}
    if e.kind == "saved":
        attrs.update(dir="none", style="dashed", color="darkorange3")
    elif e.kind in EDGE_STYLES:
        attrs.update(EDGE_STYLES[e.kind])
        if e.label.endswith(("t-1", "t+1")):
            # a collapsed recurrence is a back edge, not a rank; leaving and entering the nodes'
            # right sides, it loops beside the forward arrow instead of lying on top of it
            attrs.update(constraint="false", tailport="e", headport="e")
    elif e.count > 1:
        attrs.update(penwidth="2")
    if e.dst in place and place.get(e.src) != place[e.dst] and "headport" not in attrs:
        # an edge into a step box ends at its node's upper right corner, off the caption at the
        # box's upper left (the per-step slice below enters from the left side)
        attrs.update(headport="ne")
    span = _slice_span(e, g, place)
    if span:
        # a rank longer than the other edges: the label sits above the step box; entering the
        # node from its left side, the edge crosses the box's left border, not the caption on top
        attrs.update(label=span, minlen="2", headport="w")
    return attrs


def _places(g: TapeGraph) -> dict[str, Any]:
    """Node id -> (group scope, t) for the nodes inside a time step (collapsed graphs only)."""
    if not g.collapsed:
        return {}
    pat = re.compile(g.step_pattern)
    place = {}
    for v in g.nodes:
        for k, part in enumerate(v.scope):
            m = pat.fullmatch(part)
            if m:
                place[v.id] = (v.scope[:k], int(m.group(1)))
                break
    return place


def _slice_span(e: VEdge, g: TapeGraph, place: dict[str, Any]) -> str:
    """For output number t of a multi-output op (UnbindBackward0) going into the one drawn step
    of a collapsed group: what the edge stands for, e.g. "output t -> step t, t = 0..199"."""
    dst = place.get(e.dst)
    if not e.label.isdigit() or dst is None or place.get(e.src) == dst:
        return ""
    grp = g.groups.get(dst[0])
    if grp is None or len(grp.steps) < 2 or int(e.label) != dst[1]:
        return ""
    return f"output t -> step t,\nt = {grp.steps[0]}..{grp.steps[-1]}"


def _grad_caption(g: TapeGraph) -> str:
    """values=True: what "grad" in every box is the gradient of."""
    outs = [v for v in g.nodes if v.kind == "output"]
    names = [v.title or "output" for v in outs]
    if len(outs) == 1 and outs[0].lines[:1] == ["()"]:
        return f"data: the value of the box;  grad = d {names[0]} / d data"
    total = " + ".join(f"sum({n})" for n in names)
    return f"data: the value of the box;  grad = dL / d data, where L = {total}"


_NODE_KEYS = [
    ("op", "op (grad_fn)"),
    ("leaf", "leaf (parameter)"),
    ("saved", "saved tensor"),
    ("output", "output"),
]
_EDGE_KEYS = [
    ("recurrent", "recurrence: h from step t-1 (reverse: t+1)"),
    ("cell", "LSTM cell state c"),
    ("merged", "xN: N edges of the tape, one per time step"),
]


def _legend(graphviz: Any, g: TapeGraph) -> Any:
    """The node kinds, special edges and frames this graph draws, in a box of their own."""
    legend = graphviz.Digraph(name="cluster_legend")
    legend.attr(label="legend", style="rounded", color="grey60", fontsize="10")
    row = graphviz.Digraph(name="legend_row")
    row.attr(rank="same")
    drawn = {v.kind for v in g.nodes} | {"op"}
    keys = [(k, text) for k, text in _NODE_KEYS if k in drawn]
    for k, text in keys:
        row.node(f"legend_{k}", text, fillcolor=COLORS[k], shape="box")
    for (a, _), (b, _) in zip(keys, keys[1:]):
        row.edge(f"legend_{a}", f"legend_{b}", style="invis")
    kinds = {e.kind for e in g.edges} | ({"merged"} if any(e.count > 1 for e in g.edges) else set())
    last = f"legend_{keys[-1][0]}"
    for k, text in _EDGE_KEYS:
        if k in kinds:
            a, b = f"legend_{k}_from", f"legend_{k}_to"
            row.node(a, "", shape="point", width="0.05")
            row.node(b, "", shape="point", width="0.05")
            row.edge(last, a, style="invis")
            row.edge(a, b, label=text, **EDGE_STYLES.get(k, {"penwidth": "2"}))
            last = b
    legend.subgraph(row)
    for k, text, style in _frame_keys(g) if g.cluster else ():
        box = graphviz.Digraph(name=f"cluster_legend_{k}")
        box.attr(label="", **style)
        box.node(f"legend_frame_{k}", text, shape="plaintext", style="")
        legend.subgraph(box)
        legend.edge(f"legend_{keys[0][0]}", f"legend_frame_{k}", style="invis")
    return legend


def _frame_keys(g: TapeGraph) -> list[tuple[str, str, dict[str, str]]]:
    """(key, text, cluster style) of each kind of frame the graph draws."""
    pat = re.compile(g.step_pattern)
    parts = {(p, v.scope[: k + 1]) for v in g.nodes for k, p in enumerate(v.scope)}
    layers = {bool(m.group(2)) for p, _ in parts if (m := _LAYER.fullmatch(p))}
    steps = any(pat.fullmatch(p) for p, _ in parts)
    gates = {s[-1] for _, s in parts if _is_gate(s, pat)}
    frames = []
    if False in layers:
        frames.append(("layer", "layer k: one layer,\nforward in time", _cluster_style("l0", False)))
    if True in layers:
        frames.append(
            (
                "reverse",
                "layer k (reverse): its\nbackward-in-time direction",
                _cluster_style("l0_reverse", False),
            )
        )
    if steps:
        text = "t = k: one time step"
        if g.collapsed:
            text += "\n(x N: drawn once for N steps)"
        frames.append(("step", text, _cluster_style("t0", True)))
    if gates:
        text = "a gate of the cell" + ("\n(green: the cell state c)" if CELL_SCOPE in gates else "")
        frames.append(("gate", text, _gate_style("i")))
    return frames


def _natural(scope: tuple[str, ...]) -> list[Any]:
    """Sort key: "l0" < "l0_reverse" < "l1"; "t2" < "t10"; gates in the cells' order (i, f, g, o)."""
    if scope[-1] in GATE_LABELS:
        return [(-1, list(GATE_LABELS).index(scope[-1]), "")]
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", scope[-1])]


class _Clusters:
    """A tree of scopes; every scope prefix that holds nodes becomes a (nested) cluster."""

    def __init__(self, g: TapeGraph, graphviz: Any):
        self.g = g
        self.graphviz = graphviz
        self.pat = re.compile(g.step_pattern)
        self.members: dict[tuple[str, ...], list[VNode]] = defaultdict(list)
        self.children: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        known: set[tuple[str, ...]] = {()}
        for v in g.nodes:
            self.members[v.scope].append(v)
            for k in range(1, len(v.scope) + 1):  # outermost first: clusters in first-seen order
                pre = v.scope[:k]
                if pre not in known:
                    known.add(pre)
                    self.children[pre[:-1]].append(pre)
        for kids in self.children.values():
            kids.sort(key=_natural)

    def fill(self, target: Any, scope: tuple[str, ...], prefix: str = "") -> None:
        """Emit `scope`'s nodes and, recursively, its sub-scopes (depth: a handful of scopes)."""
        for v in self.members.get(scope, ()):
            _emit(target, v, self.g.values)
        for child in self.children.get(scope, ()):
            label = prefix + _cluster_label(child[-1], child, self.g, self.pat)
            is_step = self.pat.fullmatch(child[-1]) is not None
            gate = _is_gate(child, self.pat)
            if not self.members.get(child) and not is_step and not gate and _reenters(self.g, child):
                # a scope that only wraps other scopes ("rnn" around its layers) and is left and
                # re-entered through outside nodes (the concat between two layers) draws no box
                # of its own, its name goes into its children's labels: dot ranks a box as a unit
                # and would turn edges upside down (newrank=true avoids that, but is exponentially
                # slow with many clusters)
                self.fill(target, child, label + " / ")
                continue
            # a fresh Digraph added with subgraph(c): the `with target.subgraph()` form copies the
            # parent's whole body per cluster, quadratic for thousands of time steps
            c = self.graphviz.Digraph(name="cluster_" + "/".join(child))
            style = _gate_style(child[-1]) if gate else _cluster_style(child[-1], is_step)
            c.attr(label=label, labeljust="l", **style)
            self.fill(c, child)
            target.subgraph(c)


def _cluster_style(part: str, is_step: bool) -> dict[str, str]:
    """Layers blue (reverse: red), time steps dashed."""
    color, fill = "grey50" if is_step else "grey55", "white"
    layer = _LAYER.fullmatch(part)
    if layer:
        rev = bool(layer.group(2))
        color, fill = ("firebrick3", "#fbf0ef") if rev else ("royalblue3", "#eef3fb")
    return {
        "style": "rounded,filled" + (",dashed" if is_step else ""),
        "color": color,
        "fillcolor": fill,
        "fontsize": "10" if is_step else "11",
    }


def _gate_style(part: str) -> dict[str, str]:
    """Gates pale yellow; the cell-state update pale green, the colour of its edges."""
    if part == CELL_SCOPE:
        return {"style": "rounded,filled", "color": "green4", "fillcolor": "#eaf6ea", "fontsize": "9"}
    return {"style": "rounded,filled", "color": "goldenrod3", "fillcolor": "#fdf8e4", "fontsize": "9"}
