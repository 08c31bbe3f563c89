"""Exact references with sympy: an independent symbolic RNN, and our own tape run on symbols.

Two things live here, in their own modules, sharing only the symbol helpers of symbols.py:

1. **The independent reference** (reference.py, with the generic differentiator exact_diff.py).
   `reference_rnn` writes the Elman RNN straight from its recurrence,

       h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),      act = tanh or relu (= Max(z, 0)),

   one scalar sympy expression per unit, sequence by sequence, layer by layer and direction by
   direction, with the `lengths` semantics spelled out as loops (a sequence of length n only runs
   steps 0..n-1; the reverse direction runs n-1..0; later outputs are 0 and h_n is the last state).
   It does not import the tape, the ops or `tinygrad_rnn.rnn`. `reference_gradients` makes the
   scalar loss  L = sum(output * G_out) + sum(h_n * G_hn)  one sympy expression of named symbols,
   differentiates it exactly and evaluates the derivatives at the given numbers with `dps`
   significant digits (mpmath).

   exact_diff.py differentiates it two ways with the same numbers (`sympy.diff` per symbol, or one
   walk of the expression DAG with the chain rule), and the tests check that they agree and that the
   reference reproduces numbers worked out by hand. tanh and Max are built unevaluated (symbols.py
   says why).

2. **Our tape on symbols** (on_tape.py). Tensors hold numpy object arrays of sympy expressions; the
   core ops dispatch elementwise math on object arrays through `ops.OBJECT_MATH`, which importing
   this package fills with sympy's functions. `symbolic_rnn` runs `tinygrad_rnn.nn.RNN` itself on symbols and
   returns the exact expressions our forward and backward compute, printable as text or LaTeX:

       >>> s = symbolic_rnn(seq_len=3)            # 1 unit, 1 input, 3 steps, tanh, L = sum(output)
       >>> print(s.text("weight_hh_l0"))          # dL/dw_hh, as our tape computes it
       >>> s.equals_reference("weight_hh_l0")     # == sympy.diff of the independent reference

   The reference in the same symbols (`SymbolicRNN.reference`, `reference_grad`) gives the
   independent derivation; `equals_reference` proves the identity with sympy.expand (or
   sympy.simplify, or numerically for relu, whose derivative at 0 differs by convention).

sympy is imported inside functions only (importing tinygrad_rnn never loads it; importing this
package does, to register sympy's functions in `ops.OBJECT_MATH`).
"""

from .exact_diff import evaluate, evaluate_derivatives
from .on_tape import SymbolicRNN, numerically_equal, substitute, symbolic_rnn
from .reference import reference_gradients, reference_loss, reference_rnn
from .symbols import param_shapes, register, short_name, symbol_array

register()

__all__ = [
    "SymbolicRNN",
    "evaluate",
    "evaluate_derivatives",
    "numerically_equal",
    "param_shapes",
    "reference_gradients",
    "reference_loss",
    "reference_rnn",
    "register",
    "short_name",
    "substitute",
    "symbol_array",
    "symbolic_rnn",
]
