"""What the explorer page knows about each tape node, as JSON-ready data.

The tape is walked once (`topological_order`: inputs before consumers, the forward order; the
backward pass visits it reversed). Values come from `read.known_values` and gradients from one
extra backward walk that keeps the graph (`read.gradients`): d(sum of the outputs)/d(every node
output). Nothing here runs unless a page is made.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import numpy as np

from ..engine import topological_order
from ..tape import AccumulateGrad, Node
from . import read
from .collapse import places
from .explore_lines import SourceLines

#: Outputs listed per node in the panel (an Unbind over 1,000 steps has 1,000).
MAX_OUTPUTS = 8

LEAF_RULE = ("a leaf: a tensor created with requires_grad=True", "leaf.grad += g")


def fmt_array(a: Any, max_elems: int) -> str:
    """An array as text with 6 significant digits; above `max_elems` elements, numpy's summary."""
    if a is None:
        return "?"
    a = np.asarray(a)
    if a.dtype.kind == "O":
        s = str(a.tolist())
        return s if len(s) <= 40 * max_elems else s[: 40 * max_elems] + " ..."
    fmt = {"float_kind": lambda v: f"{v:.6g}", "complex_kind": lambda v: f"{v:.6g}"}
    return np.array2string(
        a, threshold=max_elems, edgeitems=3, formatter=fmt, max_line_width=72, separator=" "
    )


def norm(a: Any) -> float | None:
    """The 2-norm of a numeric array (None for unknown or symbolic values)."""
    if a is None:
        return None
    a = np.asarray(a)
    return float(np.linalg.norm(a.ravel())) if a.dtype.kind in "fciub" else None


def formula(n: Node) -> tuple[str, str]:
    """(forward, backward) from the op class's one-line docstring "y = ...;  da = ..."."""
    if isinstance(n, AccumulateGrad):
        return LEAF_RULE
    doc = (type(n).__doc__ or "").strip().split("\n")[0]
    fwd, _, bwd = doc.partition(";")
    return fwd.strip(), bwd.strip()


def consumers(order: list[Node]) -> dict[Node, list[Node]]:
    """node -> the nodes that read one of its outputs."""
    users: dict[Node, list[Node]] = defaultdict(list)
    for c in order:
        for e in c.next or ():
            if e is not None:
                users[e[0]].append(c)
    return users


def h_nodes(order: list[Node], pat: re.Pattern[str]) -> dict[tuple[tuple[str, ...], int], Node]:
    """(group, t) -> the node whose output is h_t: the last op of step t (outside its gate boxes)
    whose result leaves the step (to the next step, the next layer or the outputs)."""
    where = places(order, pat)
    users = consumers(order)
    found: dict[tuple[tuple[str, ...], int], Node] = {}
    for n in order:
        if n not in where or n.n_out != 1 or not pat.fullmatch(n.scope[-1]):
            continue  # outside the steps, inside a gate box, or a split: not a state
        used = users.get(n, ())
        if used and all(where.get(c) == where[n] for c in used):
            continue  # read only inside its own step
        found[where[n]] = n  # later ones win: order is topological
    return found


def curves(
    order: list[Node], grads: dict[read.Key, Any], pat: re.Pattern[str], label: str = ""
) -> list[dict[str, Any]]:
    """Per layer/direction: t and ||d loss / d h_t|| for every step (the vanishing-gradient plot)."""
    per: dict[tuple[str, ...], list[tuple[int, float]]] = defaultdict(list)
    for (g, t), n in h_nodes(order, pat).items():
        v = norm(grads.get((n, 0)))
        if v is not None:
            per[g].append((t, v))
    out = []
    for g, pts in per.items():
        pts.sort()
        name = "/".join(g) or "steps"
        out.append(
            {"label": f"{label} {name}".strip(), "t": [p[0] for p in pts], "norm": [p[1] for p in pts]}
        )
    return out


def compare_curves(var: Any, label: str, pat: re.Pattern[str]) -> list[dict[str, Any]]:
    """The h_t gradient-norm curves of another output (another model), for the plot only."""
    roots = read.as_roots(var)
    order = topological_order([e[0] for _, t in roots if (e := read.op_edge(t)) is not None])
    return curves(order, read.gradients(order, roots), pat, label)


def gather(
    var: Any,
    params: Any,
    lines: SourceLines | None,
    max_elems: int,
    pat: re.Pattern[str],
) -> dict[str, Any]:
    """The page's data: one record per tape node in forward order, the outputs, the curves."""
    roots = read.as_roots(var)
    order = topological_order([e[0] for _, t in roots if (e := read.op_edge(t)) is not None])
    index = {n: k for k, n in enumerate(order)}
    names = read.param_names(params)
    vals = read.known_values(order, roots)
    grads = read.gradients(order, roots)
    shapes = read.output_shapes(order, roots)
    where = places(order, pat)
    texts: dict[str, int] = {}
    nodes = [_record(n, index, names, vals, grads, shapes, where, lines, texts, max_elems) for n in order]
    for (_g, _t), h in h_nodes(order, pat).items():
        nodes[index[h]]["h"] = 1
    outputs = []
    for j, (name, t) in enumerate(roots):
        e = read.op_edge(t)
        label = name if name is not None else names.get(id(t), f"output {j}" if len(roots) > 1 else "output")
        outputs.append(
            {
                "name": label,
                "node": index[e[0]] if e else -1,
                "idx": e[1] if e else 0,
                "shape": read.fmt_shape(t.array.shape),
            }
        )
    return {
        "order": order,
        "nodes": nodes,
        "outputs": outputs,
        "ops": _rules(order),
        "texts": list(texts),
        "curves": curves(order, grads, pat),
        "grads_known": bool(grads),
    }


def _rules(order: list[Node]) -> dict[str, list[str]]:
    """op name -> [forward, backward] formula, once per op kind."""
    rules: dict[str, list[str]] = {}
    for n in order:
        if n.name not in rules:
            rules[n.name] = list(formula(n))
    return rules


def _text_id(texts: dict[str, int], s: str | None) -> int:
    """Index of `s` in the page's table of repeated strings (-1 for None)."""
    if s is None:
        return -1
    return texts.setdefault(s, len(texts))


def _record(
    n: Node,
    index: dict[Node, int],
    names: dict[int, str],
    vals: dict[read.Key, Any],
    grads: dict[read.Key, Any],
    shapes: dict[read.Key, tuple],
    where: dict[Node, Any],
    lines: SourceLines | None,
    texts: dict[str, int],
    max_elems: int,
) -> dict[str, Any]:
    """One node's record: op, scope, step, inputs, and per output its shape, value and gradient."""
    rec: dict[str, Any] = {"op": n.name, "s": "/".join(n.scope or ())}
    if n in where:
        rec["t"] = where[n][1]
    if isinstance(n, AccumulateGrad):
        leaf = n.variable()
        rec["leaf"] = names.get(id(leaf), "") if leaf is not None else "(freed leaf)"
        grad = grads.get((n, 0))
        if grad is None and leaf is not None and leaf.grad is not None:
            grad = read.as_array(leaf.grad)
        outs = [(vals.get((n, 0)), grad, shapes.get((n, 0)))]
    else:
        labels = n.input_labels()
        rec["in"] = [
            [index[e[0]], e[1], labels[j]] if e is not None else [-1, 0, labels[j]]
            for j, e in enumerate(n.next)
        ]
        rec["ins"] = [read.fmt_shape(s) for s in n.shapes]
        outs = [
            (vals.get((n, i)), grads.get((n, i)), shapes.get((n, i)))
            for i in range(min(n.n_out, MAX_OUTPUTS))
        ]
    rec["n_out"] = n.n_out
    rec["out"] = [
        read.fmt_shape(s if s is not None else np.shape(v)) if (s is not None or v is not None) else "?"
        for v, _, s in outs
    ]
    rec["v"] = [fmt_array(v, max_elems) for v, _, _ in outs]
    rec["gd"] = [fmt_array(g, max_elems) if g is not None else None for _, g, _ in outs]
    rec["gn"] = [norm(g) for _, g, _ in outs]
    if lines is not None:
        user, lib = lines.get(n)
        rec["src"] = [_text_id(texts, user), _text_id(texts, lib)]
    return rec
