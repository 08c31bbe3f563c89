"""Draw every picture of a tape in the docs (docs/img/*.png): run it and all of them are regenerated.

`PICTURES` maps each file name to the function drawing it and the pages showing it:

* the cells' one-step pictures (`{rnn,lstm,gru}_step.png`, in docs/rnn.md and docs/visualisation.md):
  the tape of one call of `nn.RNNCell`, `nn.LSTMCell`, `nn.GRUCell` at time step t = 1, from the
  state of step 0 (x_1, h_0, c_0 and the parameters are blue leaves, h_1 and c_1 green); each gate
  is a small labelled box, the LSTM's cell state runs along green edges;
* micrograd's neuron with values and gradients, and with saved tensors (docs/visualisation.md);
* a hand-written 3-step loop, and a 2-layer bidirectional `nn.RNN`: 3 steps in full (README.md too),
  1,000 steps collapsed, and 4 steps collapsed with values and saved tensors.

Run from anywhere (needs Graphviz's `dot`):  python docs/make_pictures.py [OUTPUT_DIR [NAME ...]]
(default: docs/img, every picture). docs/img/explorer.png (a browser screenshot) and
docs/img/training_sine.png (matplotlib) are not tapes drawn by Graphviz and are not made here.
"""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_rnn import Tensor, random, viz
from tinygrad_rnn.commands.graph import run_rnn
from tinygrad_rnn.nn import GRUCell, LSTMCell, RNNCell
from tinygrad_rnn.tape import name_scope

IMG = pathlib.Path(__file__).resolve().parent / "img"
CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}
TITLES = {
    "rnn": "one RNN step:  h_1 = tanh(x_1 W_ih^T + b_ih + h_0 W_hh^T + b_hh)",
    "lstm": "one LSTM step:  c_1 = f * c_0 + i * g,  h_1 = o * tanh(c_1)",
    "gru": "one GRU step:  n = tanh(gi_n + r * gh_n),  h_1 = (1 - z) * n + z * h_0",
}
BIDIR = {"input_size": 2, "hidden_size": 3, "num_layers": 2, "bidirectional": True}


def step_graph(mode: str, input_size: int = 2, hidden_size: int = 3, seed: int = 0) -> Any:
    """The graphviz.Digraph of one step of cell `mode` ("rnn", "lstm" or "gru")."""
    random.manual_seed(seed)
    cell = CELLS[mode](input_size, hidden_size, dtype=np.float64)
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((1, input_size)), requires_grad=True)
    h = Tensor(rng.standard_normal((1, hidden_size)), requires_grad=True)
    names = {"x_1": x, "h_0": h, **dict(cell.named_parameters())}
    with name_scope("t1"):  # the step scope the layers use: gates are labelled inside a step
        if mode == "lstm":
            c = Tensor(rng.standard_normal((1, hidden_size)), requires_grad=True)
            names["c_0"] = c
            h1, c1 = cell(x, (h, c))
            outputs = {"h_1": h1, "c_1": c1}
        else:
            outputs = {"h_1": cell(x, h)}
    dot = viz.make_dot(outputs, names, legend=True)
    dot.attr(label=TITLES[mode], labelloc="t", fontsize="12")
    return dot


def neuron() -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """micrograd's neuron o = tanh(x1 w1 + x2 w2 + b): ({"o": o}, the leaves by name)."""
    x1, x2 = Tensor(2.0, requires_grad=True), Tensor(0.0, requires_grad=True)
    w1, w2 = Tensor(-3.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    b = Tensor(6.8813735870195432, requires_grad=True)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    return {"o": o}, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


def loop_graph(steps: int = 3) -> Any:
    """A hand-written RNN loop in the scopes nn.RNN uses, so each step gets its box."""
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    U = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    c = Tensor(rng.standard_normal(3), requires_grad=True)
    xs, h = Tensor(rng.standard_normal((steps, 1, 2))), Tensor(np.zeros((1, 3)))
    for t in range(steps):
        with name_scope("rnn"), name_scope("l0"), name_scope(f"t{t}"):
            h = (xs[t] @ W + h @ U + c).tanh()
    return viz.make_dot({"loss": h.sum()}, {"W": W, "U": U, "b": c}, legend=True)


def rnn_graph(rnn_kwargs: dict[str, Any], seq_len: int, **options: Any) -> Any:
    """`nn.RNN(**rnn_kwargs)` run once on a random input: the graph of `output` and `h_n`."""
    rnn, outputs = run_rnn(rnn_kwargs, seq_len)
    return viz.make_dot(outputs, rnn, **options)


#: file name -> the function drawing it (tests/test_docs_pictures.py: every picture a doc shows is here).
PICTURES: dict[str, Callable[[], Any]] = {
    **{f"{m}_step.png": (lambda m=m: step_graph(m)) for m in CELLS},
    "neuron_values.png": lambda: viz.make_dot(*neuron(), values=True),
    "neuron_saved.png": lambda: viz.make_dot(*neuron(), show_attrs=True, show_saved=True, legend=True),
    "loop_3steps.png": loop_graph,
    "rnn_bidir_3steps.png": lambda: rnn_graph(BIDIR, 3, legend=True),
    "rnn_bidir_1000steps_collapsed.png": lambda: rnn_graph(BIDIR, 1000, collapse=True, legend=True),
    "rnn_values_collapsed.png": lambda: rnn_graph(
        {"input_size": 2, "hidden_size": 2}, 4, collapse=True, values=True, show_saved=True, legend=True
    ),
}


def main(out_dir: str | pathlib.Path = IMG, names: list[str] | None = None) -> list[str]:
    """Write the pictures `names` (default: all of `PICTURES`) into `out_dir`; returns their paths."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [viz.render(PICTURES[name](), out / name) for name in (names or PICTURES)]


if __name__ == "__main__":
    for path in main(sys.argv[1] if len(sys.argv) > 1 else IMG, sys.argv[2:] or None):
        print(f"wrote {path}")
