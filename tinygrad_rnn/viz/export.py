"""The public drawing calls: make_dot (torchviz's), to_dot, render to a file, dot_available."""

from __future__ import annotations

import os
import shutil
from typing import Any

from .._io import atomic_write
from ..tape import TensorBase
from .build import build_graph
from .dot import TapeGraph, graphviz_module

INSTALL_HINT = (
    "Install Graphviz's `dot` program: `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz`. Exporting DOT text "
    "(to_dot(), or an output path ending in .dot/.gv) works without it."
)

_TEXT_FORMATS = ("dot", "gv")


class GraphvizNotFoundError(RuntimeError):
    """Rendering was asked for but Graphviz's `dot` program is not installed."""


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
        source = graph.source.encode("utf-8")
        atomic_write(path, lambda fh: fh.write(source))  # through symlinks; never half a file
        return path
    if not dot_available():
        raise GraphvizNotFoundError(
            f"cannot render {fmt.upper()}: Graphviz's `dot` program was not found. {INSTALL_HINT}"
        )
    graphviz = graphviz_module()
    try:
        data = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as e:  # pragma: no cover - checked just above
        raise GraphvizNotFoundError(f"cannot render {fmt.upper()}: {e}. {INSTALL_HINT}") from e
    atomic_write(path, lambda fh: fh.write(data))
    return path
