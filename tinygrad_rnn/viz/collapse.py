"""Collapse an unrolled RNN: draw one time step per layer/direction, map every other step onto it.

Nodes recorded under a scope whose last time label matches `step_pattern` ("t3") belong to that
step of their group (the scope before the label: one layer/direction). Per group, one step is
drawn (`StepGroup.rep`); every node of another step gets a *double* in the drawn step: the node
with the same structural signature (op name and the signatures of its inputs inside the step),
falling back to the same op name. A node with no double at all stays drawn.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..tape import AccumulateGrad, Node
from .model import StepGroup

Place = tuple[tuple[str, ...], int]  # (group scope, time step)


def split_step(scope: tuple[str, ...], pat: re.Pattern[str]) -> Place | None:
    """(group, t) from a node's scope, or None when no label of it is a time step."""
    for k, s in enumerate(scope):
        m = pat.fullmatch(s)
        if m:
            return scope[:k], int(m.group(1))
    return None


def step_groups(
    order: list[Node], pat: re.Pattern[str]
) -> tuple[dict[Node, Place], dict[tuple[str, ...], StepGroup], dict[Node, Node]]:
    """Each stepped node's place, the groups (with the step to draw), and node -> its double."""
    where = places(order, pat)
    steps: dict[tuple[str, ...], dict[int, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for n in order:
        if n in where:
            g, t = where[n]
            steps[g][t].append(n)
    sig, rec_in, direction = _signatures(order, where)
    groups: dict[tuple[str, ...], StepGroup] = {}
    double: dict[Node, Node] = {}
    for g, by_t in steps.items():
        fwd = direction[g] >= 0
        rep = max(by_t, key=lambda t, g=g, by_t=by_t: (rec_in[(g, t)], len(by_t[t]), t if fwd else -t))
        groups[g] = StepGroup(g, sorted(by_t), rep, fwd)
        for t, nodes in by_t.items():
            if t != rep:
                double.update(_doubles(nodes, by_t[rep], sig))
    return where, groups, double


def places(order: list[Node], pat: re.Pattern[str]) -> dict[Node, Place]:
    """(group, t) of every op recorded inside a time-step scope."""
    where: dict[Node, Place] = {}
    for n in order:
        if not isinstance(n, AccumulateGrad) and n.scope:
            s = split_step(n.scope, pat)
            if s is not None:
                where[n] = s
    return where


def _signatures(
    order: list[Node], where: dict[Node, Place]
) -> tuple[dict[Node, int], dict[Place, int], dict[tuple[str, ...], int]]:
    """Structural signature per node; recurrent edges into each step; the groups' direction."""
    rec_in: dict[Place, int] = defaultdict(int)
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
                continue
            parts.append(None)
            if src is not None and src[0] == g:  # from another step of the same group
                rec_in[(g, t)] += 1
                direction[g] += 1 if src[1] < t else -1
        sig[n] = hash((n.name, n.n_out, tuple(parts)))
    return sig, rec_in, direction


def _doubles(nodes: list[Node], drawn: list[Node], sig: dict[Node, int]) -> dict[Node, Node]:
    """Match one step's nodes to the drawn step's: same signature first, then same op name."""
    by_sig: dict[int, list[Node]] = defaultdict(list)
    by_name: dict[str, list[Node]] = defaultdict(list)
    for n in drawn:
        by_sig[sig[n]].append(n)
        by_name[n.name].append(n)
    used_sig: dict[int, int] = defaultdict(int)
    used_name: dict[str, int] = defaultdict(int)
    double: dict[Node, Node] = {}
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
    return double
