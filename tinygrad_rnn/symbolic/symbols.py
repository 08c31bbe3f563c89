"""What both halves share: sympy versions of the core's elementwise math, and arrays of symbols.

`register()` puts sympy's functions into `ops.OBJECT_MATH`, through which the core ops dispatch
elementwise math on object arrays (importing `tinygrad_rnn.symbolic` calls it). tanh and Max are
built unevaluated: sympy's automatic simplification of them searches the whole argument without
memoising shared sub-expressions, which is exponential in the number of RNN steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import ops


def sympy_relu(z: Any) -> Any:
    """Max(z, 0), evaluated only when z is a plain number (see sympy_tanh)."""
    import sympy

    z = sympy.sympify(z)
    return sympy.Max(z, 0) if z.is_Number else sympy.Max(z, 0, evaluate=False)


def sympy_tanh(z: Any) -> Any:
    """tanh(z), evaluated only when z is a plain number.

    sympy's automatic simplification of tanh/Max looks through the whole argument without
    memoising shared sub-expressions, which is exponential in the number of RNN steps.
    """
    import sympy

    z = sympy.sympify(z)
    return sympy.tanh(z) if z.is_Number else sympy.tanh(z, evaluate=False)


def register() -> None:
    """Put sympy's exp/log/tanh/sigmoid/relu/relu_mask/sqrt/abs/sign into `ops.OBJECT_MATH` (done on import)."""
    import sympy

    ops.OBJECT_MATH.update(
        {
            "exp": sympy.exp,
            "log": sympy.log,
            "tanh": sympy_tanh,
            "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
            "relu": sympy_relu,
            # relu's derivative; Heaviside(0, 0) = 0 as our numeric relu_mask (torch: relu'(0) = 0)
            "relu_mask": lambda z: sympy.Heaviside(z, 0),
            "sqrt": sympy.sqrt,
            "abs": sympy.Abs,
            "sign": sympy.sign,
        }
    )


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


def as_sympy(a: Any) -> np.ndarray:
    """An object array of sympy expressions (numbers sympified)."""
    import sympy

    a = np.asarray(a, dtype=object)
    return np.vectorize(sympy.sympify, otypes=[object])(a) if a.size else a


def exact(a: Any) -> np.ndarray:
    """sympify every element; a float zero (the tape's padding constant 0.0) becomes the exact 0."""
    import sympy

    def one(e: Any) -> Any:
        e = sympy.sympify(e)
        return sympy.S.Zero if e.is_Number and e.is_zero else e

    a = np.asarray(a, dtype=object)
    return np.vectorize(one, otypes=[object])(a) if a.size else a
