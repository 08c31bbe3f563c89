"""The explorer's two drawings, laid out by Graphviz `dot` and embedded as SVG with node ids.

* full: every tape node, in the per-layer/direction/time-step clusters of the DOT export;
* compact: one time step per layer/direction (`collapse.step_groups`); the page re-points that
  step's nodes to whichever t the reader picks, so 1,000 steps cost one step's layout.

Drawn node ids are the tape indices ("n17" is node 17 of the forward order); after layout each
node's SVG group carries `data-node="17"`, each edge `data-src`/`data-dst`, each cluster
`data-scope`. A leaf is drawn as one blue box: the leaf and its AccumulateGrad are one tape node.
"""

from __future__ import annotations

import html
import re
from typing import Any

from ..tape import AccumulateGrad, Node
from .collapse import step_groups
from .dot import TapeGraph
from .model import CELL_SCOPE, StepGroup, VEdge, VNode

_SVG_NODE = re.compile(r'<g id="node\d+" class="node">\s*<title>([no])(\d+)</title>')
_SVG_EDGE = re.compile(
    r'<g id="edge\d+" class="edge">\s*<title>n(\d+)(?::\w+)?&#45;&gt;([no])(\d+)(?::\w+)?</title>'
)
_SVG_CLUSTER = re.compile(r'<g id="clust\d+" class="cluster">\s*<title>cluster_(.*?)</title>')
_SVG_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_SVG_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _label(n: Node, data: dict[str, Any]) -> tuple[str, str, list[str]]:
    """(kind, title, lines) of a drawn tape node."""
    if isinstance(n, AccumulateGrad):
        return "leaf", data["leaf"] or "leaf", [data["out"][0]]
    extra = [data["out"][0]] if n.n_out == 1 else [f"{n.n_out} outputs"]
    return "op", n.name, extra


def _crosses_cell(src: Node, dst: Node | None, where: dict[Node, Any]) -> bool:
    """An edge between two different steps into or out of an LSTM's cell-state box."""
    if where.get(src) == (where.get(dst) if dst is not None else None):
        return False
    return any(x in where and x.scope[-1] == CELL_SCOPE for x in (src, dst) if x is not None)


def _outputs(
    g_nodes: list[VNode], edges: list[VEdge], outputs: list[dict[str, Any]], draw: dict[int, int]
) -> None:
    for j, o in enumerate(outputs):
        g_nodes.append(VNode(f"o{j}", "output", o["name"], (), [o["shape"]]))
        if o["node"] >= 0:
            label = f"{o['idx']}" if o["idx"] else ""
            edges.append(VEdge(f"n{draw.get(o['node'], o['node'])}", f"o{j}", "output", label))


def full_graph(order: list[Node], data: dict[str, Any], pat: re.Pattern[str]) -> TapeGraph:
    """Every tape node and edge."""
    where, _, _ = step_groups(order, pat)
    index = {n: k for k, n in enumerate(order)}
    nodes = []
    for k, n in enumerate(order):
        kind, title, lines = _label(n, data["nodes"][k])
        nodes.append(VNode(f"n{k}", kind, title, n.scope or (), lines))
    edges = []
    for k, c in enumerate(order):
        for e in c.next or ():
            if e is not None:
                label = f"{e[1]}" if e[0].n_out > 1 else ""
                kind = "cell" if _crosses_cell(e[0], c, where) else "flow"
                edges.append(VEdge(f"n{index[e[0]]}", f"n{k}", kind, label))
    _outputs(nodes, edges, data["outputs"], {})
    return TapeGraph(nodes, edges, {}, step_pattern=pat.pattern)


def compact_graph(
    order: list[Node], data: dict[str, Any], pat: re.Pattern[str]
) -> tuple[TapeGraph, list[dict[str, Any]], dict[int, int]]:
    """One step per layer/direction drawn; also the groups (which node stands where at each t)
    and tape index -> index of the drawn node that stands for it."""
    where, groups, double = step_groups(order, pat)
    index = {n: k for k, n in enumerate(order)}
    draw = {index[n]: index[d] for n, d in double.items()}
    nodes, edges = [], []
    merged: dict[tuple[str, str, str], VEdge] = {}
    for k, c in enumerate(order):
        if c in double:
            continue
        kind, title, lines = _label(c, data["nodes"][k])
        nodes.append(VNode(f"n{k}", kind, title, c.scope or (), lines))
        for e in c.next or ():
            if e is not None:
                _merge(edges, merged, _compact_edge(e, c, index, where, groups, double))
    _outputs(nodes, edges, data["outputs"], draw)
    return (
        TapeGraph(nodes, edges, groups, collapsed=True, step_pattern=pat.pattern),
        _groups(order, index, where, groups, draw),
        draw,
    )


def _compact_edge(
    e: tuple[Node, int],
    c: Node,
    index: dict[Node, int],
    where: dict[Node, Any],
    groups: dict[tuple[str, ...], StepGroup],
    double: dict[Node, Node],
) -> VEdge:
    """The drawn edge for tape edge e[0] -> c: from the source's double when it is folded away."""
    src, label = e[0], (f"{e[1]}" if e[0].n_out > 1 else "")
    cell = _crosses_cell(src, c, where)
    kind = "cell" if cell else "flow"
    if src in double:
        if c in where and where[c][0] == where[src][0]:
            kind = "recurrent"
            label = ("c " if cell else "") + ("from t-1" if groups[where[src][0]].forward else "from t+1")
        src = double[src]
    return VEdge(f"n{index[src]}", f"n{index[c]}", kind, label)


def _merge(edges: list[VEdge], merged: dict[tuple[str, str, str], VEdge], e: VEdge) -> None:
    """Edges between the same drawn nodes become one, labelled with how many it stands for."""
    key = (e.src, e.dst, e.kind)
    old = merged.get(key)
    if old is None:
        merged[key] = e
        edges.append(e)
        return
    old.count += 1
    if not old.label.endswith(("t-1", "t+1")):
        old.label = f"x{old.count}"


def _groups(
    order: list[Node],
    index: dict[Node, int],
    where: dict[Node, Any],
    groups: dict[tuple[str, ...], StepGroup],
    draw: dict[int, int],
) -> list[dict[str, Any]]:
    """Per layer/direction: its steps, the drawn step, and at[i][j] = the node of step steps[i]
    that drawn node reps[j] stands for (-1: that step has no such node)."""
    out = []
    for scope, grp in groups.items():
        reps = [index[n] for n in order if where.get(n) == (scope, grp.rep)]
        pos = {r: j for j, r in enumerate(reps)}
        at = {t: [-1] * len(reps) for t in grp.steps}
        for n in order:
            w = where.get(n)
            if w is not None and w[0] == scope:
                k = index[n]
                j = pos.get(draw.get(k, k))
                if j is not None and at[w[1]][j] < 0:
                    at[w[1]][j] = k
        out.append(
            {
                "scope": "/".join(scope),
                "steps": grp.steps,
                "rep": grp.rep,
                "reps": reps,
                "at": [at[t] for t in grp.steps],
                "forward": grp.forward,
            }
        )
    return out


def to_svg(g: TapeGraph) -> str:
    """Lay `g` out with dot and tag its SVG: data-node / data-output, data-src / data-dst, data-scope."""
    svg = g.digraph().pipe(format="svg").decode("utf-8")
    svg = _SVG_COMMENT.sub("", _SVG_HEAD.sub("", svg, count=1))
    svg = _SVG_NODE.sub(
        lambda m: f'<g class="node" data-{"node" if m[1] == "n" else "output"}="{m[2]}">', svg
    )
    svg = _SVG_EDGE.sub(
        lambda m: f'<g class="edge" data-src="{m[1]}" data-dst="{"" if m[2] == "n" else "o"}{m[3]}">', svg
    )
    return _SVG_CLUSTER.sub(
        lambda m: f'<g class="cluster" data-scope="{html.escape(html.unescape(m[1]), quote=True)}">', svg
    )
