"""Exact references with sympy: an independent symbolic RNN, and our own tape run on symbols.

Two things live here, and they never share code:

1. **The independent reference.** `reference_rnn` writes the Elman RNN straight from its recurrence,

       h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),      act = tanh or relu (= Max(z, 0)),

   one scalar sympy expression per unit, sequence by sequence, layer by layer and direction by
   direction, with the `lengths` semantics spelled out as loops (a sequence of length n only runs
   steps 0..n-1; the reverse direction runs n-1..0; later outputs are 0 and h_n is the last state).
   It does not import the tape, the ops or `tinygrad_rnn.rnn`. `reference_gradients` makes the
   scalar loss  L = sum(output * G_out) + sum(h_n * G_hn)  one sympy expression of named symbols,
   differentiates it exactly and evaluates the derivatives at the given numbers with `dps`
   significant digits (mpmath).

   Two ways to differentiate, same numbers: ``method="diff"`` calls `sympy.diff(L, s)` for every
   symbol and `sympy.lambdify`s the results (the textbook route, but sympy's `diff` re-walks shared
   sub-expressions, so it blows up past a layer or a few steps); ``method="dag"`` (the default)
   walks L's expression DAG once: each node's local derivatives are the sum rule (Add), the product
   rule (Mul) or `sympy.diff` of the node's own function (tanh, Max, Pow, ...) with respect to its
   arguments, and the chain rule adds them up from L down to the symbols. The tests check that the
   two agree, and that the reference reproduces numbers worked out by hand.

   tanh and Max are built unevaluated (sympy's automatic simplification of them searches the whole
   argument without memoising shared sub-expressions: exponential in the number of steps).

2. **Our tape on symbols.** Tensors hold numpy object arrays of sympy expressions; the core ops
   dispatch elementwise math on object arrays through `ops.OBJECT_MATH`, which importing this module
   fills with sympy's functions. `symbolic_rnn` runs `tinygrad_rnn.nn.RNN` itself on symbols and
   returns the exact expressions our forward and backward compute, printable as text or LaTeX:

       >>> s = symbolic_rnn(seq_len=3)            # 1 unit, 1 input, 3 steps, tanh, L = sum(output)
       >>> print(s.text("weight_hh_l0"))          # dL/dw_hh, as our tape computes it
       >>> s.equals_reference("weight_hh_l0")     # == sympy.diff of the independent reference

   The reference in the same symbols (`SymbolicRNN.reference`, `reference_grad`) gives the
   independent derivation; `equals_reference` proves the identity with sympy.expand (or
   sympy.simplify, or numerically for relu, whose derivative at 0 differs by convention).

sympy is imported inside functions only (importing tinygrad_rnn never loads it; importing this
module does, to register sympy's functions in `ops.OBJECT_MATH`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from . import ops


# ---------------------------------------------------------------------------------------------
# sympy implementations of the core's elementwise math on object arrays
# ---------------------------------------------------------------------------------------------
def _sympy_relu(z: Any) -> Any:
    """Max(z, 0), evaluated only when z is a plain number (see _sympy_tanh)."""
    import sympy

    z = sympy.sympify(z)
    return sympy.Max(z, 0) if z.is_Number else sympy.Max(z, 0, evaluate=False)


def _sympy_tanh(z: Any) -> Any:
    """tanh(z), evaluated only when z is a plain number.

    sympy's automatic simplification of tanh/Max looks through the whole argument without
    memoising shared sub-expressions, which is exponential in the number of RNN steps.
    """
    import sympy

    z = sympy.sympify(z)
    return sympy.tanh(z) if z.is_Number else sympy.tanh(z, evaluate=False)


def register() -> None:
    """Put sympy's exp/log/tanh/sigmoid/relu/relu_mask/sqrt into `ops.OBJECT_MATH` (done on import)."""
    import sympy

    ops.OBJECT_MATH.update(
        {
            "exp": sympy.exp,
            "log": sympy.log,
            "tanh": _sympy_tanh,
            "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
            "relu": _sympy_relu,
            # relu's derivative; Heaviside(0, 0) = 0 as our numeric relu_mask (torch: relu'(0) = 0)
            "relu_mask": lambda z: sympy.Heaviside(z, 0),
            "sqrt": sympy.sqrt,
        }
    )


register()


# ---------------------------------------------------------------------------------------------
# Symbols
# ---------------------------------------------------------------------------------------------
def symbol_array(prefix: str, shape: Sequence[int]) -> np.ndarray:
    """An object array of real sympy symbols named `prefix` plus the indices of non-singleton axes.

    symbol_array("x", (3, 1, 1)) -> [[[x_0]], [[x_1]], [[x_2]]]; a one-element array is just `prefix`.
    """
    import sympy

    shape = tuple(int(s) for s in shape)
    out = np.empty(shape, dtype=object)
    keep = [k for k, s in enumerate(shape) if s != 1]
    sep = "," if any(shape[k] > 10 for k in keep) else ""
    for idx in np.ndindex(*shape):
        sub = sep.join(str(idx[k]) for k in keep)
        out[idx] = sympy.Symbol(f"{prefix}_{sub}" if sub else prefix, real=True)
    return out


def short_name(name: str, num_layers: int = 1, bidirectional: bool = False) -> str:
    """Symbol prefix for a tensor: weight_hh_l0 -> w_hh (single layer) or w_hh_l0; _reverse -> r."""
    s = name.replace("weight_", "w_").replace("bias_", "b_").replace("_reverse", "r")
    if num_layers == 1 and not bidirectional:
        s = s.replace("_l0", "")
    return {"input": "x"}.get(s, s)


def param_shapes(
    input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True, bidirectional: bool = False
) -> dict[str, tuple[int, ...]]:
    """Parameter name -> shape, in torch's order (per layer, per direction)."""
    D = 2 if bidirectional else 1
    out: dict[str, tuple[int, ...]] = {}
    for k in range(num_layers):
        for d in range(D):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            out["weight_ih" + sfx] = (hidden_size, input_size if k == 0 else D * hidden_size)
            out["weight_hh" + sfx] = (hidden_size, hidden_size)
            if bias:
                out["bias_ih" + sfx] = (hidden_size,)
                out["bias_hh" + sfx] = (hidden_size,)
    return out


# ---------------------------------------------------------------------------------------------
# 1. The independent reference: the recurrence, written out in sympy
# ---------------------------------------------------------------------------------------------
def _sym(a: Any) -> np.ndarray:
    import sympy

    a = np.asarray(a, dtype=object)
    return np.vectorize(sympy.sympify, otypes=[object])(a) if a.size else a


def _exact(a: Any) -> np.ndarray:
    """sympify every element; a float zero (the tape's padding constant 0.0) becomes the exact 0."""
    import sympy

    def one(e: Any) -> Any:
        e = sympy.sympify(e)
        return sympy.S.Zero if e.is_Number and e.is_zero else e

    a = np.asarray(a, dtype=object)
    return np.vectorize(one, otypes=[object])(a) if a.size else a


def reference_rnn(
    x: Any,
    weights: Mapping[str, Any],
    h0: Any = None,
    *,
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bias: bool = True,
    batch_first: bool = False,
    bidirectional: bool = False,
    lengths: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The RNN as sympy expressions, from the recurrence alone (no tape, no tinygrad_rnn.rnn).

    x: (T, B, I) array of sympy expressions or numbers ((B, T, I) if batch_first); weights: torch
    names -> arrays; h0: (num_layers * D, B, H) or None for zeros; lengths: B ints in [0, T] or
    None. Returns (output (T, B, D*H) or (B, T, D*H), h_n (num_layers * D, B, H)), object arrays.
    Dropout is not modelled (it is training-only randomness).
    """
    import sympy

    if nonlinearity == "tanh":
        act: Callable[[Any], Any] = _sympy_tanh
    elif nonlinearity == "relu":
        act = _sympy_relu
    else:
        raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
    x = _sym(x)
    if batch_first:
        x = x.transpose(1, 0, 2)
    T, B, _ = x.shape
    D = 2 if bidirectional else 1
    H = np.asarray(weights["weight_hh_l0"]).shape[0]
    lens = [T] * B if lengths is None else [int(n) for n in lengths]
    h0 = None if h0 is None else _sym(h0)
    zero = sympy.S.Zero
    h_n = np.full((num_layers * D, B, H), zero, dtype=object)
    layer_in = x  # (T, B, features): the input, then the previous layer's output
    for k in range(num_layers):
        out = np.full((T, B, D * H), zero, dtype=object)  # steps past a length stay 0
        for d in range(D):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            w_ih, w_hh = _sym(weights["weight_ih" + sfx]), _sym(weights["weight_hh" + sfx])
            b_ih = _sym(weights["bias_ih" + sfx]) if bias else np.full(H, zero, dtype=object)
            b_hh = _sym(weights["bias_hh" + sfx]) if bias else np.full(H, zero, dtype=object)
            for b in range(B):
                n = lens[b]
                h = [h0[k * D + d, b, j] if h0 is not None else zero for j in range(H)]
                # forward: t = 0, 1, ..., n-1; reverse: t = n-1, ..., 0 (the valid prefix only)
                steps = range(n) if d == 0 else range(n - 1, -1, -1)
                for t in steps:
                    xt = layer_in[t, b]
                    h = [
                        act(
                            sympy.Add(
                                *(w_ih[j, i] * xt[i] for i in range(len(xt))),
                                b_ih[j],
                                *(w_hh[j, m] * h[m] for m in range(H)),
                                b_hh[j],
                            )
                        )
                        for j in range(H)
                    ]
                    out[t, b, d * H : (d + 1) * H] = h
                h_n[k * D + d, b] = h  # the state after the last valid step (h0 if n == 0)
        layer_in = out
    output = layer_in.transpose(1, 0, 2) if batch_first else layer_in
    return output, h_n


def reference_loss(output: np.ndarray, h_n: np.ndarray, out_weight: Any = None, hn_weight: Any = None) -> Any:
    """L = sum(output * out_weight) + sum(h_n * hn_weight); a None weight drops that term."""
    import sympy

    terms: list[Any] = []
    if out_weight is not None:
        terms += list((output * np.broadcast_to(_sym(out_weight), output.shape)).ravel())
    if hn_weight is not None:
        terms += list((h_n * np.broadcast_to(_sym(hn_weight), h_n.shape)).ravel())
    return sympy.Add(*terms)


# -- exact derivatives of one scalar expression, evaluated at numbers ------------------------------
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


def reference_gradients(
    x: np.ndarray,
    weights: Mapping[str, np.ndarray],
    h0: np.ndarray | None = None,
    *,
    out_weight: np.ndarray,
    hn_weight: np.ndarray,
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bias: bool = True,
    batch_first: bool = False,
    bidirectional: bool = False,
    lengths: Sequence[int] | None = None,
    method: str = "dag",
    dps: int = 40,
) -> dict[str, np.ndarray]:
    """Exact gradients of L = sum(output * out_weight) + sum(h_n * hn_weight), from the reference.

    Every number (x, h0, each weight, the loss weights) becomes a sympy symbol, `reference_rnn`
    builds L, and L is differentiated exactly and evaluated with `dps` digits. Returns float64
    arrays: "input", "h0" (if h0 is given), one per weight, and the forward values "output",
    "h_n" and "loss".
    """
    x = np.asarray(x, dtype=np.float64)
    named: dict[str, np.ndarray] = {"input": x}
    if h0 is not None:
        named["h0"] = np.asarray(h0, dtype=np.float64)
    for name, w in weights.items():
        named[name] = np.asarray(w, dtype=np.float64)
    syms = {
        name: symbol_array(short_name(name, num_layers, bidirectional), a.shape) for name, a in named.items()
    }
    out, hn = reference_rnn(
        syms["input"],
        {k: v for k, v in syms.items() if k not in ("input", "h0")},
        syms.get("h0"),
        num_layers=num_layers,
        nonlinearity=nonlinearity,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        lengths=lengths,
    )
    g_out = symbol_array("g_out", out.shape)
    g_hn = symbol_array("g_hn", hn.shape)
    loss = reference_loss(out, hn, g_out, g_hn)
    values: dict[Any, Any] = {}
    for name, a in named.items():
        values.update(zip(syms[name].ravel(), a.ravel()))
    values.update(zip(g_out.ravel(), np.asarray(out_weight, dtype=np.float64).reshape(out.shape).ravel()))
    values.update(zip(g_hn.ravel(), np.asarray(hn_weight, dtype=np.float64).reshape(hn.shape).ravel()))
    wrt = [s for name in named for s in syms[name].ravel()]
    extra = [loss, *out.ravel(), *hn.ravel()]
    derivs, vals = evaluate_derivatives(loss, wrt, values, method=method, dps=dps, extra=extra)
    res: dict[str, np.ndarray] = {}
    pos = 0
    for name, a in named.items():
        res[name] = np.array([float(v) for v in derivs[pos : pos + a.size]]).reshape(a.shape)
        pos += a.size
    res["loss"] = np.array(float(vals[0]))
    res["output"] = np.array([float(v) for v in vals[1 : 1 + out.size]]).reshape(out.shape)
    res["h_n"] = np.array([float(v) for v in vals[1 + out.size :]]).reshape(hn.shape)
    return res


# ---------------------------------------------------------------------------------------------
# 2. Our tape on symbols
# ---------------------------------------------------------------------------------------------
class SymbolicRNN:
    """`tinygrad_rnn.nn.RNN` run on sympy symbols: the exact expressions our tape computes.

    Attributes: `symbols` (name -> object array: "input", "h0", every parameter, "g_out"/"g_hn" if
    symbolic loss weights), `output`, `h_n`, `loss` (our forward), `grads` (name -> dL/d that tensor,
    from our backward), `options` (the RNN options used).
    """

    def __init__(
        self,
        options: dict[str, Any],
        symbols: dict[str, np.ndarray],
        output: np.ndarray,
        h_n: np.ndarray,
        loss: Any,
        grads: dict[str, np.ndarray],
        out_weight: Any,
        hn_weight: Any,
    ):
        self.options, self.symbols = options, symbols
        self.output, self.h_n, self.loss, self.grads = output, h_n, loss, grads
        self.out_weight, self.hn_weight = out_weight, hn_weight

    def grad(self, name: str) -> Any:
        """dL/d`name` from our tape: a sympy expression for a one-element tensor, else an array."""
        g = self.grads[name]
        return g.item() if g.size == 1 else g

    def text(self, name: str) -> str:
        """dL/d`name` as sympy's plain text."""
        return str(self.grad(name))

    def latex(self, name: str) -> str:
        """dL/d`name` as LaTeX (arrays become a matrix of the flattened entries)."""
        import sympy

        g = self.grad(name)
        return sympy.latex(g if not isinstance(g, np.ndarray) else sympy.Matrix(g.reshape(g.shape[0], -1)))

    def reference(self) -> tuple[np.ndarray, np.ndarray, Any]:
        """(output, h_n, L) of the independent `reference_rnn` in the same symbols."""
        o = self.options
        weights = {k: v for k, v in self.symbols.items() if k not in ("input", "h0", "g_out", "g_hn")}
        out, hn = reference_rnn(
            self.symbols["input"],
            weights,
            self.symbols.get("h0"),
            num_layers=o["num_layers"],
            nonlinearity=o["nonlinearity"],
            bias=o["bias"],
            batch_first=o["batch_first"],
            bidirectional=o["bidirectional"],
            lengths=o["lengths"],
        )
        return out, hn, reference_loss(out, hn, self.out_weight, self.hn_weight)

    def reference_grad(self, name: str) -> Any:
        """sympy.diff of the independent reference loss w.r.t. `name` (same shape as grad(name))."""
        import sympy

        loss = self.reference()[2]
        d = np.vectorize(lambda s: sympy.diff(loss, s), otypes=[object])(self.symbols[name])
        return d.item() if d.size == 1 else d

    def equals_reference(self, name: str, how: str = "expand") -> bool:
        """Does our tape's dL/d`name` equal the independent derivation `reference_grad(name)`?

        how="expand": sympy.expand(a - b) == 0 (an exact identity; fast, since both sides are
        polynomials in the same tanh/Max atoms); "simplify": sympy.simplify(a - b) == 0 (exact but
        slow: minutes even for 1 unit and 3 steps); "numeric": equal at random points to 40 digits
        (relu: our derivative is Heaviside(z, 0), sympy's is Heaviside(z) = 1/2 at 0, so the exact
        forms differ on a measure-zero set and only "numeric" applies).
        """
        import sympy

        ours = np.asarray(self.grad(name), dtype=object).ravel()
        ref = np.asarray(self.reference_grad(name), dtype=object).ravel()
        if how == "expand":
            return all(sympy.expand(a - b) == 0 for a, b in zip(ours, ref))
        if how == "simplify":
            return all(sympy.simplify(a - b) == 0 for a, b in zip(ours, ref))
        if how == "numeric":
            return all(_numerically_equal(a, b) for a, b in zip(ours, ref))
        raise ValueError(f"how: expected 'expand', 'simplify' or 'numeric', got {how!r}")


def _numerically_equal(a: Any, b: Any, dps: int = 50, trials: int = 3, seed: int = 0) -> bool:
    """a == b at `trials` random points (symbols uniform in [-1, 1]), to dps - 10 digits."""
    import sympy

    a, b = sympy.sympify(a), sympy.sympify(b)
    free = sorted(a.free_symbols | b.free_symbols, key=str)
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        va, vb = evaluate([a, b], dict(zip(free, rng.uniform(-1, 1, len(free)))), dps)
        if abs(va - vb) > 10.0 ** (10 - dps) * max(abs(va), 1):
            return False
    return True


def symbolic_rnn(
    seq_len: int = 3,
    batch: int = 1,
    input_size: int = 1,
    hidden_size: int = 1,
    *,
    num_layers: int = 1,
    nonlinearity: str = "tanh",
    bias: bool = True,
    batch_first: bool = False,
    bidirectional: bool = False,
    h0: bool = False,
    lengths: Sequence[int] | None = None,
    out_weight: Any = 1,
    hn_weight: Any = None,
) -> SymbolicRNN:
    """Run `tinygrad_rnn.nn.RNN` (forward and backward) with a sympy symbol for every number.

    The loss is L = sum(output * out_weight) + sum(h_n * hn_weight) (a None weight drops its term;
    "symbols" makes the weights symbols g_out_..., g_hn_...). Default: L = sum of all outputs.
    h0=True gives the initial state symbols h0_...; otherwise it is zero.
    """
    from .nn import RNN
    from .tensor import Tensor, grad

    D = 2 if bidirectional else 1
    model = RNN(
        input_size,
        hidden_size,
        num_layers=num_layers,
        nonlinearity=nonlinearity,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        dtype=np.float64,
    )
    model.eval()
    symbols: dict[str, np.ndarray] = {}
    xshape = (batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size)
    symbols["input"] = symbol_array("x", xshape)
    if h0:
        symbols["h0"] = symbol_array("h0", (num_layers * D, batch, hidden_size))
    params = dict(model.named_parameters())
    for name, p in params.items():
        symbols[name] = symbol_array(short_name(name, num_layers, bidirectional), p.shape)
        p.data = symbols[name].copy()  # the module's own parameters now hold symbols
    x = Tensor(symbols["input"].copy(), requires_grad=True)
    hx = Tensor(symbols["h0"].copy(), requires_grad=True) if h0 else None
    out, hn = model(x, hx, lengths=None if lengths is None else np.asarray(lengths, dtype=np.int64))

    def weight(w: Any, shape: tuple[int, ...], prefix: str) -> Any:
        if isinstance(w, str) and w == "symbols":
            symbols[prefix] = symbol_array(prefix, shape)
            return symbols[prefix]
        return None if w is None else np.broadcast_to(_sym(w), shape)

    gw_out = weight(out_weight, out.shape, "g_out")
    gw_hn = weight(hn_weight, hn.shape, "g_hn")
    loss = None
    if gw_out is not None:
        loss = (out * Tensor(np.array(gw_out, dtype=object))).sum()
    if gw_hn is not None:
        term = (hn * Tensor(np.array(gw_hn, dtype=object))).sum()
        loss = term if loss is None else loss + term
    if loss is None:
        raise ValueError("out_weight and hn_weight are both None: there is no loss to differentiate")
    leaves = [x] + ([hx] if hx is not None else []) + list(params.values())
    names = ["input"] + (["h0"] if hx is not None else []) + list(params)
    gs = grad(loss, leaves, allow_unused=True)
    grads = {}
    for n, g, t in zip(names, gs, leaves):
        grads[n] = _exact(g.data) if g is not None else _exact(np.full(t.shape, 0, dtype=object))
    options = dict(
        num_layers=num_layers,
        nonlinearity=nonlinearity,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        lengths=None if lengths is None else [int(n) for n in lengths],
    )
    return SymbolicRNN(
        options,
        symbols,
        _exact(out.data),
        _exact(hn.data),
        _exact(loss.data).item(),
        grads,
        gw_out,
        gw_hn,
    )


def substitute(expr: Any, values: Mapping[Any, Any] | Iterable[tuple[Any, Any]], dps: int = 30) -> Any:
    """Evaluate a sympy expression (or object array of them) at symbol -> number, with `dps` digits."""
    import sympy

    subs = {k: sympy.Float(float(v), dps) for k, v in dict(values).items()}
    if isinstance(expr, np.ndarray):
        return np.vectorize(lambda e: sympy.sympify(e).evalf(dps, subs=subs), otypes=[object])(expr)
    return sympy.sympify(expr).evalf(dps, subs=subs)
