"""The drawn nodes and edges, and the time-step groups of a collapsed RNN: plain Python data."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Scope labels the gated cells record their gates under inside a time step (`rnn.lstm_step`,
#: `rnn.gru_step`), with the caption each gets. "c" is the LSTM's cell-state update: edges that
#: cross a time step into or out of it carry the cell state and are drawn as kind "cell".
GATE_LABELS = {
    "i": "i: input gate",
    "f": "f: forget gate",
    "g": "g: cell candidate",
    "o": "o: output gate",
    "c": "c: cell state",
    "r": "r: reset gate",
    "z": "z: update gate",
    "n": "n: new gate",
}
CELL_SCOPE = "c"


@dataclass
class VNode:
    """One drawn node: its DOT id, role (`kind`), text and cluster scope."""

    id: str
    kind: str  # "op" | "accum" | "leaf" | "saved" | "output"
    title: str
    scope: tuple[str, ...] = ()
    lines: list[str] = field(default_factory=list)  # extra text lines (shape, attributes)
    data: str | None = None  # formatted value (values=True)
    grad: str | None = None  # formatted gradient (values=True)


@dataclass
class VEdge:
    """One drawn edge; `count` is how many tape edges it stands for (more than 1 only collapsed)."""

    src: str
    dst: str
    kind: str  # "flow" | "leaf" | "saved" | "output" | "recurrent" | "cell"
    label: str = ""
    count: int = 1


@dataclass
class StepGroup:
    """The time steps found under one scope (a layer/direction of an unrolled RNN)."""

    scope: tuple[str, ...]
    steps: list[int]
    rep: int  # the step drawn in collapse mode
    forward: bool  # recurrent edges go from t-1 to t (False: from t+1 to t)
