"""Draw one step of each recurrent cell (RNN, LSTM, GRU) for docs/rnn.md: docs/img/{rnn,lstm,gru}_step.png.

Each picture is the tape of one call of the core cell (`nn.RNNCell`, `nn.LSTMCell`, `nn.GRUCell`) at
time step t = 1, from the state of step 0: the inputs x_1, h_0 (and c_0) and the cell's parameters
are blue leaves, the outputs h_1 (and c_1) green. The gated cells record their gates in scopes of
their own, so each gate is a small labelled box; the LSTM's cell state runs along green edges.

Run from anywhere (needs Graphviz's `dot`):  python docs/make_pictures.py [OUTPUT_DIR]
"""

from __future__ import annotations

import pathlib
import sys
from typing import Any

import numpy as np

from tinygrad_rnn import Tensor, random, viz
from tinygrad_rnn.nn import GRUCell, LSTMCell, RNNCell
from tinygrad_rnn.tape import name_scope

IMG = pathlib.Path(__file__).resolve().parent / "img"
CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}
TITLES = {
    "rnn": "one RNN step:  h_1 = tanh(x_1 W_ih^T + b_ih + h_0 W_hh^T + b_hh)",
    "lstm": "one LSTM step:  c_1 = f * c_0 + i * g,  h_1 = o * tanh(c_1)",
    "gru": "one GRU step:  n = tanh(gi_n + r * gh_n),  h_1 = (1 - z) * n + z * h_0",
}


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


def main(out_dir: str | pathlib.Path = IMG) -> list[str]:
    """Write the three pictures into `out_dir`; returns their paths."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [viz.render(step_graph(mode), out / f"{mode}_step.png") for mode in CELLS]


if __name__ == "__main__":
    for path in main(*sys.argv[1:2]):
        print(f"wrote {path}")
