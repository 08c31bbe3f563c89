"""Our own tape run on sympy symbols: the exact expressions `tinygrad_rnn.nn.RNN` computes.

Tensors hold numpy object arrays of sympy expressions, and the core ops dispatch elementwise math
through `ops.OBJECT_MATH` (filled by `symbols.register`). `SymbolicRNN` compares the result with
the independent derivation in reference.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .exact_diff import evaluate
from .reference import reference_loss, reference_rnn
from .symbols import as_sympy, exact, short_name, symbol_array


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
            return all(numerically_equal(a, b) for a, b in zip(ours, ref))
        raise ValueError(f"how: expected 'expand', 'simplify' or 'numeric', got {how!r}")


def numerically_equal(a: Any, b: Any, dps: int = 50, trials: int = 3, seed: int = 0) -> bool:
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
    from ..nn import RNN
    from ..tensor import Tensor, grad

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
        p.array = symbols[name].copy()  # the module's own parameters now hold symbols
    x = Tensor(symbols["input"].copy(), requires_grad=True)
    hx = Tensor(symbols["h0"].copy(), requires_grad=True) if h0 else None
    out, hn = model(x, hx, lengths=None if lengths is None else np.asarray(lengths, dtype=np.int64))

    def weight(w: Any, shape: tuple[int, ...], prefix: str) -> Any:
        if isinstance(w, str) and w == "symbols":
            symbols[prefix] = symbol_array(prefix, shape)
            return symbols[prefix]
        return None if w is None else np.broadcast_to(as_sympy(w), shape)

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
        grads[n] = exact(g.array) if g is not None else exact(np.full(t.shape, 0, dtype=object))
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
        exact(out.array),
        exact(hn.array),
        exact(loss.array).item(),
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
