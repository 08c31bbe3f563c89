"""`explore(tensor)`: the recorded tape as one self-contained, interactive HTML page.

The page (all script, style and data inline; it opens from disk with no network) shows the graph
laid out by Graphviz `dot` in the per-layer/direction/time-step clusters of the DOT export, and
lets the reader click a node (op, forward and backward formula, shapes, value, gradient, the
line that created it), step through the forward and then the backward pass node by node, fold
steps and layers, and see the gradient norm reaching every h_t. See docs/visualisation.md,
"Explorer".
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Mapping
from typing import Any

from .._io import atomic_write
from . import explore_data, explore_layout
from .explore_lines import SourceLines, record_lines

#: Above this many tape nodes the page opens on the compact view (one step per layer/direction).
COMPACT_ABOVE = 300
#: Above this many tape nodes the full view is not laid out at all: dot's time grows much faster
#: than the graph (about 2 s for 400 nodes, 50 s for 1,700, 80 s for 2,000 on a 2-core machine).
FULL_MAX = 600

_ASSETS = os.path.dirname(os.path.abspath(__file__))

__all__ = ["COMPACT_ABOVE", "FULL_MAX", "Explorer", "SourceLines", "explore", "record_lines"]


class Explorer:
    """An explorer page: `save(path)` writes it; in Jupyter it displays inline (an iframe)."""

    def __init__(self, payload: dict[str, Any], title: str):
        self.payload = payload
        self.title = title

    @property
    def node_count(self) -> int:
        """Number of tape nodes (ops and leaves) on the page."""
        return len(self.payload["nodes"])

    @property
    def views(self) -> list[str]:
        """The drawings the page holds: "full" (every node) and/or "compact" (one step per group)."""
        return [v for v in ("full", "compact") if self.payload["views"].get(v)]

    def html(self) -> str:
        """The whole page as one HTML string."""
        return render_page(self.payload, self.title)

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the page to `path` (UTF-8); returns the path."""
        path = os.fspath(path)
        data = self.html().encode("utf-8")
        atomic_write(path, lambda fh: fh.write(data))
        return path

    def _repr_html_(self) -> str:
        """Jupyter: the page in an iframe, so its script and style stay apart from the notebook's."""
        doc = html.escape(self.html(), quote=True)
        return f'<iframe srcdoc="{doc}" style="width:100%;height:720px;border:1px solid #ccc"></iframe>'

    def __repr__(self) -> str:
        return (
            f"<Explorer {self.title!r}: {self.node_count} tape nodes, views {'/'.join(self.views)}, "
            f"opens on {self.payload['start']}>"
        )


def explore(
    var: Any,
    params: Any = None,
    *,
    lines: SourceLines | None = None,
    compare: Mapping[str, Any] | None = None,
    collapse: bool | None = None,
    full_max: int = FULL_MAX,
    max_elems: int = 64,
    title: str = "tape explorer",
    step_pattern: str = r"t(\d+)",
) -> Explorer:
    """The interactive page for the tape behind `var` (a Tensor, a sequence, or {name: Tensor}).

    params: names for the leaves, as for `make_dot`. lines: a `record_lines()` recording of the
    forward, to show the line that created each node. compare: {label: other output} whose
    ||d out / d h_t|| curves join the plot (e.g. the same RNN with relu, an LSTM). collapse: open
    on the compact view (one step per layer/direction); None: above COMPACT_ABOVE tape nodes.
    full_max: the full view is laid out only up to this many tape nodes. Gradients are d(sum of
    the outputs)/d(each node's output), from an extra backward walk that keeps the graph: call this
    before `.backward()` (or after one with retain_graph=True).
    """
    pat = re.compile(step_pattern)
    data = explore_data.gather(var, params, lines, max_elems, pat)
    order = data.pop("order")
    n = len(order)
    for label, other in (compare or {}).items():
        data["curves"].extend(explore_data.compare_curves(other, label, pat))
    compact, groups, draw = explore_layout.compact_graph(order, data, pat)
    for k, rec in enumerate(data["nodes"]):
        if k in draw:
            rec["d"] = draw[k]
    views: dict[str, Any] = {"compact": explore_layout.to_svg(compact) if groups else None}
    views["full"] = (
        explore_layout.to_svg(explore_layout.full_graph(order, data, pat)) if n <= full_max else None
    )
    if collapse is None:
        collapse = n > COMPACT_ABOVE
    start = "compact" if (collapse or views["full"] is None) and views["compact"] else "full"
    if views[start] is None:
        raise ValueError(f"the tape has {n} nodes and no time steps: pass full_max >= {n} to draw it")
    data.update(views=views, groups=groups, start=start, full_max=full_max, title=title)
    return Explorer(data, title)


def _asset(name: str) -> str:
    with open(os.path.join(_ASSETS, name), encoding="utf-8") as fh:
        return fh.read()


def render_page(payload: dict[str, Any], title: str) -> str:
    """The HTML document: style, the drawings as <template>s, the data as JSON, the script."""
    views = payload["views"]
    data = {k: v for k, v in payload.items() if k != "views"}
    data["views"] = [k for k, v in views.items() if v]
    blob = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    templates = "\n".join(f'<template id="view-{k}">{v}</template>' for k, v in views.items() if v)
    return _PAGE.format(
        title=html.escape(title),
        css=_asset("explore.css"),
        js=_asset("explore.js").replace("</", "<\\/"),
        templates=templates,
        data=blob,
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <span id="summary"></span>
</header>
<nav id="toolbar">
  <span class="group">view
    <select id="view-select" title="full: every node; compact: one step per layer/direction"></select>
  </span>
  <span class="group">
    <button id="btn-reset" title="stop stepping (Home)">reset</button>
    <button id="btn-prev" title="previous node (Left arrow or p)">&#x25C0;</button>
    <button id="btn-play" title="play / pause (space)">play</button>
    <button id="btn-next" title="next node (Right arrow or n)">&#x25B6;</button>
    <button id="btn-forward" title="start of the forward pass (f)">forward</button>
    <button id="btn-backward" title="start of the backward pass (b)">backward</button>
    <span id="phase">not stepping</span>
  </span>
  <span class="group">
    <button id="btn-fold-steps" title="fold every time step">fold steps</button>
    <button id="btn-unfold" title="unfold everything">unfold all</button>
    <button id="btn-zoom-in" title="zoom in (+)">+</button>
    <button id="btn-zoom-out" title="zoom out (-)">&#x2212;</button>
    <button id="btn-fit" title="fit to the pane (0)">fit</button>
  </span>
  <span id="steps"></span>
</nav>
<main>
  <section id="graph" tabindex="0"></section>
  <aside>
    <div id="panel"><p class="hint">Click a node, or step with the buttons or the arrow keys.</p></div>
    <div id="plot"></div>
    <div id="legend"></div>
  </aside>
</main>
{templates}
<script type="application/json" id="tape-data">{data}</script>
<script>
{js}
</script>
</body>
</html>
"""
