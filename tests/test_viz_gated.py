"""Graph export of the gated cells (issue 13): gate boxes, the LSTM's cell-state edges, collapse, CLI, docs.

Expected counts come from the recurrences (rnn.py's docstring, torch's equations), never from an
earlier export: per layer/direction an LSTM of T steps passes its cell state across a step
boundary T-1 times (c_{t-1} -> c_t), plus once into c_n when c_n is drawn and once out of c0 when
c0 is given. What each gate box holds is checked against real torch (float64).
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict

import numpy as np
import pytest
import torch
from _oracle import assert_close, torch_state

from tinygrad_rnn import Tensor, viz
from tinygrad_rnn.cli import main
from tinygrad_rnn.commands.graph import export_rnn_graph
from tinygrad_rnn.engine import topological_order
from tinygrad_rnn.nn import GRU, LSTM, RNN, GRUCell, LSTMCell
from tinygrad_rnn.tape import name_scope
from tinygrad_rnn.viz import read

ROOT = pathlib.Path(__file__).resolve().parent.parent
NODE_RE = re.compile(r"^\s*(n\d+) \[label=([^ \]]+)", re.M)
CLUSTER_RE = re.compile(r'subgraph "cluster_([^"]+)" \{\n\s*([^\n]*)\n((?:\s*n\d+ \[[^\n]*\n)*)')

# The ops each gate's box holds, read off the equations (torch's gate order):
#   LSTM: i = sigmoid(.), f = sigmoid(.), g = tanh(.), o = sigmoid(.), c' = f * c + i * g
#   GRU:  r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n)
GATE_OPS = {
    "lstm": {
        "i": ["SigmoidBackward0"],
        "f": ["SigmoidBackward0"],
        "g": ["TanhBackward0"],
        "o": ["SigmoidBackward0"],
        "c": ["AddBackward0", "MulBackward0", "MulBackward0"],
    },
    "gru": {
        "r": ["AddBackward0", "SigmoidBackward0"],
        "z": ["AddBackward0", "SigmoidBackward0"],
        "n": ["AddBackward0", "MulBackward0", "TanhBackward0"],
    },
}
CAPTIONS = {
    "i": "i: input gate",
    "f": "f: forget gate",
    "g": "g: cell candidate",
    "o": "o: output gate",
    "c": "c: cell state",
    "r": "r: reset gate",
    "z": "z: update gate",
    "n": "n: new gate",
}


def need_dot() -> None:
    """Rendering tests must run for real: fail (never skip) when Graphviz is missing."""
    assert shutil.which("dot"), "Graphviz's `dot` is not installed: apt-get install graphviz"


def clusters(src: str) -> dict[str, tuple[str, list[str]]]:
    """cluster path -> (its attribute line, sorted op labels directly inside it), from DOT text."""
    out = {}
    for path, attrs, body in CLUSTER_RE.findall(src):
        out[path] = (attrs, sorted(label for _, label in NODE_RE.findall(body)))
    return out


def run_model(mode: str, T: int, layers: int = 1, bidirectional: bool = False, c0: bool = False):
    """(model, {name: output}) of nn.LSTM / nn.GRU over a (T, 1, 2) input, c_n included for the LSTM."""
    cls = {"lstm": LSTM, "gru": GRU, "rnn": RNN}[mode]
    m = cls(2, 3, num_layers=layers, bidirectional=bidirectional, dtype=np.float64)
    x = Tensor(np.random.default_rng(T).standard_normal((T, 1, 2)))
    D = 2 if bidirectional else 1
    if mode == "lstm":
        hx = None
        if c0:
            shape = (layers * D, 1, 3)
            hx = (Tensor(np.zeros(shape), requires_grad=True), Tensor(np.ones(shape), requires_grad=True))
        out, (h_n, c_n) = m(x, hx)
        return m, {"output": out, "h_n": h_n, "c_n": c_n}
    out, h_n = m(x)
    return m, {"output": out, "h_n": h_n}


def groups(layers: int, bidirectional: bool) -> list[str]:
    return [f"l{k}{r}" for k in range(layers) for r in (["", "_reverse"] if bidirectional else [""])]


# ---------------------------------------------------------------------------------------------
# Gate boxes
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_step_shows_every_gate_with_its_ops(mode, bidirectional):
    T, layers = 3, 2
    m, outs = run_model(mode, T, layers, bidirectional)
    src = viz.to_dot(outs, m)
    found = clusters(src)
    for grp in groups(layers, bidirectional):
        for t in range(T):
            step = f"{mode}/{grp}/t{t}"
            assert step in found, step
            for gate, ops in GATE_OPS[mode].items():
                attrs, labels = found[f"{step}/{gate}"]
                assert f'label="{CAPTIONS[gate]}"' in attrs
                assert labels == sorted(ops), (step, gate)
    gate_boxes = [p for p in found if p.rsplit("/", 1)[-1] in GATE_OPS[mode]]
    assert len(gate_boxes) == len(groups(layers, bidirectional)) * T * len(GATE_OPS[mode])
    other = "gru" if mode == "lstm" else "lstm"
    assert not any(f'label="{CAPTIONS[g]}"' in src for g in GATE_OPS[other] if g not in GATE_OPS[mode])


def test_the_plain_rnn_has_no_gate_boxes():
    m, outs = run_model("rnn", 3)
    src = viz.to_dot(outs, m)
    assert not any(CAPTIONS[g] in src for g in CAPTIONS)
    assert viz.build_graph(outs, m).count_edges("cell") == 0


def _gate_outputs(outputs: dict) -> dict[str, object]:
    """gate label -> the value of the op that leaves the gate's scope (the gate itself)."""
    roots = read.as_roots(outputs)
    order = topological_order([read.op_edge(t)[0] for _, t in roots])
    vals = read.known_values(order, roots)
    inside = defaultdict(set)  # gate -> nodes consumed by another node of the same gate scope
    for n in order:
        for e in n.next:
            if e is not None and getattr(e[0], "scope", ())[-1:] == n.scope[-1:]:
                inside[n.scope[-1:]].add(e[0])
    gates = {}
    for n in order:
        if n.scope[-1:] and n.scope[-1] in CAPTIONS and n not in inside[n.scope[-1:]]:
            assert n.scope[-1] not in gates, f"two outputs leave gate {n.scope[-1]}"
            gates[n.scope[-1]] = vals[(n, 0)]
    return gates


def test_each_lstm_gate_box_computes_torchs_gate():
    rng = np.random.default_rng(0)
    ref = torch.nn.LSTMCell(3, 4).double()
    ours = LSTMCell(3, 4, dtype=np.float64)
    for name, p in ours.named_parameters():
        p.data[...] = torch_state(ref)[name]
    x, h, c = (rng.standard_normal((2, n)) for n in (3, 4, 4))
    with name_scope("t1"):
        h1, c1 = ours(Tensor(x, requires_grad=True), (Tensor(h), Tensor(c)))
    gates = _gate_outputs({"h": h1, "c": c1})
    X, Hp, Cp = (torch.tensor(a) for a in (x, h, c))
    with torch.no_grad():
        pre = X @ ref.weight_ih.T + ref.bias_ih + Hp @ ref.weight_hh.T + ref.bias_hh
        i, f, g, o = pre.chunk(4, 1)  # torch's documented order; the asserts below confirm it
        want = {"i": i.sigmoid(), "f": f.sigmoid(), "g": g.tanh(), "o": o.sigmoid()}
        want["c"] = want["f"] * Cp + want["i"] * want["g"]
        th, tc = ref(X, (Hp, Cp))
    assert_close(want["c"], tc, np.float64, "c from the chunked gates vs torch's LSTMCell")
    assert_close(want["o"] * want["c"].tanh(), th, np.float64, "h from the gates vs torch's LSTMCell")
    assert sorted(gates) == sorted(want)
    for k in want:
        assert_close(gates[k], want[k], np.float64, f"box {CAPTIONS[k]!r}")


def test_each_gru_gate_box_computes_torchs_gate():
    rng = np.random.default_rng(1)
    ref = torch.nn.GRUCell(3, 4).double()
    ours = GRUCell(3, 4, dtype=np.float64)
    for name, p in ours.named_parameters():
        p.data[...] = torch_state(ref)[name]
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    with name_scope("t1"):
        h1 = ours(Tensor(x, requires_grad=True), Tensor(h))
    gates = _gate_outputs({"h": h1})
    X, Hp = torch.tensor(x), torch.tensor(h)
    with torch.no_grad():
        xr, xz, xn = (X @ ref.weight_ih.T + ref.bias_ih).chunk(3, 1)
        hr, hz, hn = (Hp @ ref.weight_hh.T + ref.bias_hh).chunk(3, 1)
        r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
        want = {"r": r, "z": z, "n": (xn + r * hn).tanh()}
        th = ref(X, Hp)
    assert_close((1 - z) * want["n"] + z * Hp, th, np.float64, "h from the gates vs torch's GRUCell")
    assert sorted(gates) == sorted(want)
    for k in want:
        assert_close(gates[k], want[k], np.float64, f"box {CAPTIONS[k]!r}")


@pytest.mark.parametrize("frontend", ["torch", "mindspore"])
def test_frontend_lstms_show_the_gates_too(frontend):
    if frontend == "torch":
        from tinygrad_rnn import torch as F

        m = F.nn.LSTM(2, 3)
        out, (h, c) = m(F.ones(4, 1, 2))
    else:
        from tinygrad_rnn import mindspore as F

        m = F.nn.LSTM(2, 3)
        out, (h, c) = m(F.ops.ones((4, 1, 2), F.float32))  # (T, B, I): batch_first=False
    src = viz.to_dot({"output": out, "h_n": h, "c_n": c}, m)
    for gate in GATE_OPS["lstm"]:
        assert src.count(f'label="{CAPTIONS[gate]}"') == 4
    assert viz.build_graph({"output": out, "c_n": c}, m).count_edges("cell") == 4  # T-1 + c_n


# ---------------------------------------------------------------------------------------------
# The cell state's edges
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("T", [1, 2, 5])
@pytest.mark.parametrize("c0", [False, True])
@pytest.mark.parametrize("with_c_n", [False, True])
def test_cell_state_edges_per_layer_and_direction(T, c0, with_c_n):
    layers, bidirectional = 2, True
    m, outs = run_model("lstm", T, layers, bidirectional, c0)
    if not with_c_n:
        del outs["c_n"]
    g = viz.build_graph(outs, m)
    scope = {v.id: v.scope for v in g.nodes}
    per_group: Counter = Counter()
    steps: dict[str, set] = defaultdict(set)
    for e in g.edges:
        if e.kind != "cell":
            continue
        a, b = scope[e.src], scope[e.dst]
        inner = [s for s in (a, b) if s[-1:] == ("c",)]
        assert inner, f"a cell edge touches no cell-state box: {a} -> {b}"
        grp = inner[0][1]
        per_group[grp] += 1
        if a[-1:] == b[-1:] == ("c",):  # c_{t-1} -> c_t: adjacent steps, in the direction's order
            ta, tb = int(a[2][1:]), int(b[2][1:])
            assert a[1] == b[1] and ta - tb == (1 if "reverse" in grp else -1), (a, b)
            steps[grp].add(tb)
    expected = (T - 1) + int(with_c_n) + int(c0)
    names = groups(layers, bidirectional)
    assert {grp: per_group[grp] for grp in names} == {grp: expected for grp in names}
    assert set(per_group) <= set(names)
    for grp in names:
        first = T - 1 if "reverse" in grp else 0
        assert steps[grp] == set(range(T)) - {first}
    assert g.count_edges("cell") == 4 * expected
    src = g.digraph().source
    assert len(re.findall(r"n\d+ -> n\d+ \[[^\]]*color=green4", src)) == 4 * expected


def test_legend_explains_the_cell_state_colour():
    m, outs = run_model("lstm", 3)
    src = viz.to_dot(outs, m, legend=True)
    legend = src[src.index("cluster_legend") : src.index("}", src.index("cluster_legend"))]
    assert re.search(r'-> \S+ \[label="LSTM cell state c"[^\]]*color=green4', legend)
    m, outs = run_model("gru", 3)
    assert "cell state" not in viz.to_dot(outs, m, legend=True)


# ---------------------------------------------------------------------------------------------
# Collapsed view
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["lstm", "gru"])
def test_collapsed_view_is_independent_of_T(mode):
    layers, bidirectional = 2, True
    names = groups(layers, bidirectional)
    counts = set()
    for T in (2, 3, 17, 201):
        m, outs = run_model(mode, T, layers, bidirectional)
        g = viz.build_graph(outs, m, collapse=True, legend=True)
        counts.add((g.count(), g.count_edges()))
        src = g.digraph().source
        steps = re.findall(rf'subgraph "cluster_{mode}/(l\d(?:_reverse)?)/t(\d+)" ', src)
        assert sorted(s for s, _ in steps) == sorted(names)  # one step drawn per layer/direction
        assert {s: int(t) for s, t in steps} == {s: 0 if "reverse" in s else T - 1 for s in names}
        gates = re.findall(rf'subgraph "cluster_{mode}/l\d(?:_reverse)?/t\d+/(\w)"', src)
        assert Counter(gates) == {gate: len(names) for gate in GATE_OPS[mode]}
        assert f"(x {T})" in src and f"t = 0..{T - 1}" in src  # the step caption, the slice edge
        # h_{t-1} feeds the LSTM once (h W_hh^T) and the GRU twice (h W_hh^T and z * h)
        assert g.count_edges("recurrent") == len(names) * (1 if mode == "lstm" else 2)
        if mode == "lstm":  # c_{t-1} -> f * c_{t-1} once, and c_T -> c_n once, per layer/direction
            rec = [e for e in g.edges if e.kind == "cell" and e.label.startswith("c from")]
            assert sorted(e.label for e in rec) == ["c from t+1"] * 2 + ["c from t-1"] * 2
            scope = {v.id: v.scope for v in g.nodes}
            # drawn inside the one drawn step: from its c' = f * c + i * g back into its f * c
            assert all(scope[e.src] == scope[e.dst] and scope[e.src][-1] == "c" for e in rec)
            assert g.count_edges("cell") == 2 * len(names)
        else:
            assert g.count_edges("cell") == 0
    assert len(counts) == 1


@pytest.mark.parametrize("mode", ["lstm", "gru"])
def test_collapsed_200_steps_renders_with_real_dot(mode, tmp_path):
    need_dot()
    m, outs = run_model(mode, 200, 2, True)
    g = viz.build_graph(outs, m, collapse=True)
    laid_out = json.loads(g.digraph().pipe(format="json"))
    names = [o["name"] for o in laid_out["objects"] if "nodes" not in o]
    assert len(names) == g.count() and len(laid_out["edges"]) == g.count_edges()
    path = viz.render(g, tmp_path / f"{mode}.png")
    assert pathlib.Path(path).read_bytes().startswith(b"\x89PNG")


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["lstm", "gru"])
def test_cli_graph_mode_writes_the_gated_cell(mode, tmp_path, capsys):
    path = tmp_path / f"{mode}.dot"
    assert main(["graph", "--mode", mode, "--seq-len", "3", "--num-layers", "2", "-o", str(path)]) == 0
    assert f"wrote {path}" in capsys.readouterr().out
    src = path.read_text()
    for gate in GATE_OPS[mode]:
        assert src.count(f'label="{CAPTIONS[gate]}"') == 2 * 3  # layers x steps
    assert ("c_n\n(2, 1, 3)" in src) == (mode == "lstm")
    assert f"weight_hh_l1\n({(4 if mode == 'lstm' else 3) * 3}, 3)" in src
    need_dot()
    png = tmp_path / f"{mode}.png"
    assert main(["graph", "--mode", mode, "--seq-len", "250", "--collapse", "--legend", "-o", str(png)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_cli_graph_mode_default_and_bad_options(tmp_path, capsys):
    path = tmp_path / "rnn.dot"
    assert main(["graph", "--seq-len", "2", "-o", str(path)]) == 0
    assert "TanhBackward0" in path.read_text() and "gate" not in path.read_text()
    assert main(["graph", "--mode", "lstm", "--nonlinearity", "relu", "-o", str(path)]) == 2
    assert "--nonlinearity applies to --mode rnn only" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["graph", "--mode", "elman", "-o", str(path)])
    with pytest.raises(ValueError, match="mode must be one of"):
        export_rnn_graph({"input_size": 2, "hidden_size": 2}, 2, out_path=tmp_path / "x.dot", mode="elman")


# ---------------------------------------------------------------------------------------------
# The pictures in docs/rnn.md
# ---------------------------------------------------------------------------------------------
def test_docs_picture_script_runs_and_rnn_md_shows_its_pictures(tmp_path):
    need_dot()
    script = ROOT / "docs" / "make_pictures.py"
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path), "rnn_step.png", "lstm_step.png", "gru_step.png"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(p.name for p in tmp_path.glob("*.png"))
    assert made == ["gru_step.png", "lstm_step.png", "rnn_step.png"]
    for p in tmp_path.glob("*.png"):
        assert p.read_bytes().startswith(b"\x89PNG")
    page = (ROOT / "docs" / "rnn.md").read_text()
    shown = re.findall(r"!\[[^\]]*\]\((img/\w+_step\.png)\)", page)
    assert sorted(shown) == ["img/gru_step.png", "img/lstm_step.png", "img/rnn_step.png"]
    for rel in shown:
        assert (ROOT / "docs" / rel).read_bytes().startswith(b"\x89PNG"), rel
