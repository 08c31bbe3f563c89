"""Exact derivatives of one scalar sympy expression, evaluated at numbers with mpmath.

Two ways, same numbers: ``method="diff"`` calls `sympy.diff(L, s)` for every symbol and
`sympy.lambdify`s the results (the textbook route, but sympy's `diff` re-walks shared
sub-expressions, so it blows up past a layer or a few steps); ``method="dag"`` (the default) walks
L's expression DAG once: each node's local derivatives are the sum rule (Add), the product rule
(Mul) or `sympy.diff` of the node's own function (tanh, Max, Pow, ...) with respect to its
arguments, and the chain rule adds them up from L down to the symbols. Nothing here knows about
RNNs or the tape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np


def _heaviside(z: Any, h0: Any = 0.5) -> Any:
    """Heaviside step for lambdify (else sympy rewrites it as a Piecewise and simplifies: slow)."""
    return 1 if z > 0 else 0 if z < 0 else h0


_MODULES: list[Any] = [{"Heaviside": _heaviside}, "mpmath"]


@functools.cache
def _template(func: Any, nargs: int) -> tuple[tuple[Any, ...], Any]:
    import sympy

    zs = sympy.symbols(f"z0:{nargs}", real=True)
    return zs, func(*zs)


@functools.cache
def _value_fn(func: Any, nargs: int) -> Callable[..., Any]:
    """func(z_0..z_n-1) as an mpmath function."""
    import sympy

    zs, e = _template(func, nargs)
    return sympy.lambdify(zs, e, _MODULES)


@functools.cache
def _partial_fn(func: Any, nargs: int, i: int) -> Callable[..., Any]:
    """sympy.diff(func(z_0..z_n-1), z_i) as an mpmath function: one local derivative rule."""
    import sympy

    zs, e = _template(func, nargs)
    return sympy.lambdify(zs, sympy.diff(e, zs[i]), _MODULES)


def _postorder(roots: Sequence[Any]) -> list[Any]:
    """Every distinct node of the expressions' DAG, children before parents (iterative DFS)."""
    order: list[Any] = []
    seen: set[Any] = set()
    stack: list[tuple[Any, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((a, False) for a in node.args if a not in seen)
    return order


def _mp(v: Any) -> Any:
    import mpmath

    return mpmath.mpf(float(v)) if isinstance(v, (float, np.floating)) else mpmath.mpmathify(v)


def _leaf_value(node: Any, values: Mapping[Any, Any]) -> Any:
    import mpmath

    if node.is_Symbol:
        if node not in values:
            raise KeyError(f"no value given for symbol {node}")
        return _mp(values[node])
    if node.is_Number:
        return node._to_mpmath(mpmath.mp.prec)
    raise TypeError(f"unexpected leaf {node!r} ({type(node).__name__})")


def _dag_values(roots: Sequence[Any], values: Mapping[Any, Any]) -> tuple[list[Any], dict[Any, Any]]:
    """(nodes children-first, node -> mpmath value) for the DAG below `roots` (at the current dps)."""
    import mpmath

    order = _postorder(roots)
    val: dict[Any, Any] = {}
    for node in order:
        if node.is_Add:  # sums and products can have hundreds of terms: no template per arity
            val[node] = mpmath.fsum(val[a] for a in node.args)
        elif node.is_Mul:
            val[node] = mpmath.fprod(val[a] for a in node.args)
        elif node.args:
            val[node] = _value_fn(node.func, len(node.args))(*(val[a] for a in node.args))
        else:
            val[node] = _leaf_value(node, values)
    return order, val


def _local_partials(node: Any, argv: Sequence[Any]) -> list[Any]:
    """d node / d arg_i at the argument values: the sum rule, the product rule, or sympy.diff."""
    import mpmath

    n = len(argv)
    if node.is_Add:
        return [1] * n
    if node.is_Mul:
        return [mpmath.fprod(argv[:i] + argv[i + 1 :]) for i in range(n)]
    return [None if c.is_Number else _partial_fn(node.func, n, i)(*argv) for i, c in enumerate(node.args)]


def evaluate(exprs: Sequence[Any], values: Mapping[Any, Any], dps: int = 40) -> list[Any]:
    """The values of sympy expressions at symbol -> number, as mpmath numbers with `dps` digits."""
    import mpmath
    import sympy

    roots = [sympy.sympify(e) for e in exprs]
    with mpmath.workdps(dps):
        _, val = _dag_values(roots, values)
        return [+val[r] for r in roots]


def evaluate_derivatives(
    expr: Any,
    wrt: Sequence[Any],
    values: Mapping[Any, Any],
    *,
    method: str = "dag",
    dps: int = 40,
    extra: Sequence[Any] = (),
) -> tuple[list[Any], list[Any]]:
    """d expr / d s for every symbol s in `wrt`, at `values` (symbol -> number), as mpmath numbers.

    method "diff": sympy.diff(expr, s) for each s, then sympy.lambdify (the direct route; slow for
    deep expressions). method "dag": one walk of expr's DAG; each node's local derivatives are the
    sum rule (Add), the product rule (Mul) or sympy.diff of its function (tanh, Max, Pow, ...),
    and the chain rule sums them from expr down to the symbols (fast; the same exact derivative).
    Also returns the values of the expressions in `extra` (e.g. the outputs).
    """
    import mpmath
    import sympy

    wrt = list(wrt)
    with mpmath.workdps(dps):
        if method == "diff":
            syms = sorted(values, key=str)
            args = [_mp(values[s]) for s in syms]
            derivs = [sympy.diff(expr, s) for s in wrt]
            f = sympy.lambdify(syms, [sympy.sympify(e) for e in [*derivs, *extra]] or [0], _MODULES)
            res = list(f(*args))
            return res[: len(wrt)], res[len(wrt) :]
        if method != "dag":
            raise ValueError(f"method: expected 'dag' or 'diff', got {method!r}")
        roots = [sympy.sympify(e) for e in (expr, *extra)]
        order, val = _dag_values(roots, values)
        # reverse accumulation: adj[node] = dL/d(node), summed over every use of the node
        adj: dict[Any, Any] = {roots[0]: mpmath.mpf(1)}
        for node in reversed(order):
            a = adj.get(node)
            if a is None or not node.args:
                continue
            argv = [val[c] for c in node.args]
            for c, d in zip(node.args, _local_partials(node, argv)):
                if not c.is_Number:
                    adj[c] = adj.get(c, 0) + a * d
        zero = mpmath.mpf(0)
        return [+adj.get(s, zero) for s in wrt], [+val[r] for r in roots[1:]]
