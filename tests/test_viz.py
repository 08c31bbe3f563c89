"""Graph export of the tape (issue 6): counts, names, colours, clusters, collapse, scale, rendering."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from tinygrad_rnn import Tensor, viz
from tinygrad_rnn.commands.graph import export_rnn_graph
from tinygrad_rnn.tape import name_scope
from tinygrad_rnn.viz.read import fmt_shape

NODE_RE = re.compile(r"^\s*(n\d+) \[", re.M)
EDGE_RE = re.compile(r"^\s*(n\d+) -> (n\d+)", re.M)


def dot_counts(source: str) -> tuple[int, int]:
    """(node statements, edge statements) in DOT text written by viz."""
    return len(NODE_RE.findall(source)), len(EDGE_RE.findall(source))


def need_dot() -> None:
    """Rendering tests must run for real: fail (never skip) when Graphviz is missing."""
    assert shutil.which("dot"), (
        "Graphviz's `dot` program is not installed, so rendering cannot be tested. "
        "Install it with `apt-get install graphviz` (.ci/run does this in CI)."
    )


def unrolled(T: int, H: int = 3, I: int = 2, seed: int = 0):
    """A hand-written Elman loop: h_t = tanh(x_t @ W + h_{t-1} @ U + b), h_0 = zeros, loss = sum(h_T).

    Every step runs inside name_scope("rnn") / ("l0") / ("t{t}"), as the real RNN does.
    """
    rng = np.random.default_rng(seed)
    W = Tensor(rng.standard_normal((I, H)), requires_grad=True)
    U = Tensor(rng.standard_normal((H, H)), requires_grad=True)
    b = Tensor(rng.standard_normal((H,)), requires_grad=True)
    x = Tensor(rng.standard_normal((T, 1, I)))  # input: no grad, so x[t] records nothing
    h = Tensor(np.zeros((1, H)))
    for t in range(T):
        with name_scope("rnn"), name_scope("l0"), name_scope(f"t{t}"):
            h = (x[t] @ W + h @ U + b).tanh()
    return h.sum(), {"W": W, "U": U, "b": b}


# ---------------------------------------------------------------------------------------------
# Import hygiene
# ---------------------------------------------------------------------------------------------
def test_importing_viz_does_not_import_graphviz():
    code = "import sys, tinygrad_rnn.viz; assert 'graphviz' not in sys.modules, 'imported graphviz'"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# Counts equal what the tape holds (counted by hand from the ops written above)
# ---------------------------------------------------------------------------------------------
def test_node_and_edge_counts_match_the_tape_by_hand():
    T = 3
    loss, params = unrolled(T)
    # ops per step: MmBackward0 (x_t @ W), MmBackward0 (h @ U), AddBackward0, AddBackward0,
    # TanhBackward0 = 5 (x_t and h_0 need no grad, so no node for them); then one SumBackward0.
    ops = 5 * T + 1
    leaves = 3  # W, U, b: one blue leaf and one AccumulateGrad each
    outputs = 1
    nodes = ops + leaves + leaves + outputs  # 16 + 3 + 3 + 1 = 23
    # edges per step: Mm(x_t, W): 1 (x_t has none); Mm(h, U): 1 at t=0 (h_0 has none), 2 after;
    # Add: 2; Add(+ b): 2; Tanh: 1  ->  7 at t=0, 8 at t>0. Sum: 1. leaf -> AccumulateGrad: 3.
    # SumBackward0 -> output: 1.
    edges = 7 + 8 * (T - 1) + 1 + leaves + 1  # 28
    g = viz.build_graph(loss, params)
    assert (g.count(), g.count_edges()) == (nodes, edges) == (23, 28)
    assert g.count("op") == ops
    assert g.count("accum") == g.count("leaf") == leaves
    assert g.count("output") == outputs
    # the Digraph holds exactly those statements
    assert dot_counts(viz.make_dot(loss, params).source) == (nodes, edges)
    names = sorted(n.title for n in g.nodes if n.kind == "op")
    assert names == sorted(
        ["MmBackward0"] * 2 * T + ["AddBackward0"] * 2 * T + ["TanhBackward0"] * T + ["SumBackward0"]
    )


def test_saved_tensor_counts_by_hand():
    T = 3
    loss, params = unrolled(T)
    # MmBackward0 keeps both inputs, TanhBackward0 its result, Add and Sum keep nothing.
    # distinct saved arrays: x_0..x_2 (3), W (1), h_0 (1), U (1), tanh results h_1..h_3 (3) = 9;
    # h_t saved as Tanh's result is the same array Mm(h_t, U) saves at t+1: drawn once.
    # saved links: 2 per Mm (2T Mms) + 1 per Tanh = 4T + T = 15.
    g = viz.build_graph(loss, params, show_saved=True)
    assert g.count("saved") == 9
    assert g.count_edges("saved") == 15
    assert (g.count(), g.count_edges()) == (23 + 9, 28 + 15)
    src = viz.make_dot(loss, params, show_saved=True).source
    assert dot_counts(src) == (32, 43)
    assert "mat2 (U)" in src and "self (W)" not in src and "mat2 (W)" in src


def test_a_value_used_twice_gives_two_edges():
    a = Tensor([1.0, 2.0], requires_grad=True)
    y = a * a  # MulBackward0 with two edges to the same AccumulateGrad
    g = viz.build_graph(y, {"a": a})
    assert (g.count(), g.count_edges()) == (4, 4)  # leaf, AccumulateGrad, Mul, output; 1 + 2 + 1


def test_multi_output_edges_are_labelled_with_the_output_index():
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    a, b, c = x.unbind(0)
    y = (a * b + c).sum()
    src = viz.to_dot(y, {"x": x})
    assert "UnbindBackward0" in src
    labels = sorted(m.group(1) for m in re.finditer(r"-> n\d+ \[label=(\d)\]", src))
    assert labels == ["0", "1", "2"]


# ---------------------------------------------------------------------------------------------
# Names and colours
# ---------------------------------------------------------------------------------------------
def test_leaf_names_from_every_kind_of_param_map_and_module():
    from tinygrad_rnn.nn import Linear

    lin = Linear(3, 2)
    x = Tensor(np.ones((4, 3), np.float32))
    y = lin(x).tanh().sum()
    for params in (
        lin,
        dict(lin.named_parameters()),
        {t: n for n, t in lin.named_parameters()},
        list(lin.named_parameters()),
    ):
        src = viz.to_dot(y, params)
        assert 'label="weight\n(2, 3)"' in src, src
        assert 'label="bias\n(2)"' in src, src
    unnamed = viz.to_dot(y)
    assert 'label="(2, 3)"' in unnamed and "weight" not in unnamed
    with pytest.raises(TypeError):
        viz.make_dot(y, {"w": 3.0})


def test_colours_by_role_torchviz_palette():
    loss, params = unrolled(2)
    g = viz.build_graph(loss, params, show_saved=True)
    src = g.digraph().source
    by_id = {n.id: n for n in g.nodes}
    for m in re.finditer(r"^\s*(n\d+) \[.*fillcolor=(\w+)", src, re.M):
        kind = by_id[m.group(1)].kind
        assert m.group(2) == viz.COLORS[kind]
    assert viz.COLORS == {
        "op": "lightgrey",
        "accum": "lightgrey",
        "leaf": "lightblue",
        "saved": "orange",
        "output": "darkolivegreen1",
    }


def test_make_dot_mirrors_torchviz_signature_and_show_attrs():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 4)), requires_grad=True)
    y = (x @ w).sum(axis=1)
    dot = viz.make_dot(y, {"x": x, "w": w}, True, False)  # torchviz's positional order
    src = dot.source
    assert "MmBackward0" in src and "SumBackward1" in src
    assert "self: (2, 3)" in src and "mat2: (3, 4)" in src and "result: (2, 4)" in src
    assert "axes: (1,)" in src and "keepdims: False" in src
    import graphviz

    assert isinstance(dot, graphviz.Digraph)


def test_outputs_dict_names_and_untracked_output():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = Tensor([3.0])  # no grad: just a green node
    g = viz.build_graph({"y": y, "z": z}, {"x": x})
    outs = [n for n in g.nodes if n.kind == "output"]
    assert [o.title for o in outs] == ["y", "z"]
    assert g.count_edges("output") == 1
    with pytest.raises(TypeError):
        viz.make_dot(3.0)


def test_subclass_tensors_work():
    class MyTensor(Tensor):
        __slots__ = ()

    a = MyTensor(np.ones((2, 2)), requires_grad=True)
    y = (a @ a).relu().sum()
    assert type(y) is MyTensor
    g = viz.build_graph(y, {"a": a})
    # Mm, Relu, Sum + leaf + AccumulateGrad + output; edges: 2 + 1 + 1 + 1 + 1
    assert (g.count(), g.count_edges()) == (6, 6)
    assert "ReluBackward0" in viz.to_dot(y, {"a": a})


def _step_clusters(src: str) -> list[tuple[str, int]]:
    return [(s, int(t)) for s, t in re.findall(r'subgraph "cluster_rnn/(l\d(?:_reverse)?)/t(\d+)"', src)]


def test_torch_frontend_outputs_and_named_parameters():
    import tinygrad_rnn.torch as torch

    counts = set()
    for T in (2, 6):
        rnn = torch.nn.RNN(2, 3, 2, bidirectional=True)
        out, h_n = rnn(torch.randn(T, 1, 2))
        assert isinstance(out, Tensor) and type(out) is not Tensor  # the frontend's subclass
        src = viz.make_dot((out, h_n), params=dict(rnn.named_parameters())).source  # torchviz's call
        assert len(_step_clusters(src)) == 4 * T
        for name, _ in rnn.named_parameters():
            assert f'label="{name}\n' in src
        assert out.grad_fn.name() == "CatBackward0" and "CatBackward0" in src  # torch: name() method
        g = viz.build_graph((out, h_n), rnn, collapse=True)
        counts.add((g.count(), g.count_edges()))
    assert len(counts) == 1


def test_mindspore_frontend_outputs_and_cell_parameters():
    from tinygrad_rnn.mindspore import Tensor as MsTensor
    from tinygrad_rnn.mindspore import nn

    counts = set()
    for T in (2, 6):
        net = nn.RNN(2, 3, num_layers=2, bidirectional=True, batch_first=True)
        out, h_n = net(MsTensor(np.ones((1, T, 2), np.float32)))
        assert isinstance(out, Tensor) and type(out) is not Tensor
        src = viz.to_dot({"output": out, "h_n": h_n}, net)  # names from Cell.parameters_and_names
        assert len(_step_clusters(src)) == 4 * T
        for name, _ in net.parameters_and_names():
            assert f'label="{name}\n' in src
        g = viz.build_graph((out, h_n), net, collapse=True)
        counts.add((g.count(), g.count_edges()))
    assert len(counts) == 1


# ---------------------------------------------------------------------------------------------
# Values (micrograd-style records)
# ---------------------------------------------------------------------------------------------
def _neuron():
    # Karpathy's micrograd neuron: o = tanh(x1 w1 + x2 w2 + b)
    x1, x2 = Tensor(2.0, requires_grad=True), Tensor(0.0, requires_grad=True)
    w1, w2 = Tensor(-3.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    b = Tensor(6.8813735870195432, requires_grad=True)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


def test_values_records_show_data_and_grad():
    o, p = _neuron()
    src = viz.to_dot(o, p, values=True)
    assert "shape=record" in src
    # o = tanh(0.8814) = 0.7071; do/dn = 1 - o^2 = 0.5; do/dx1 = w1 * 0.5 = -1.5, do/dw1 = x1 * 0.5 = 1
    assert '"{TanhBackward0 | {data 0.7071 | grad 1}}"' in src
    assert '"{AddBackward0 | {data 0.8814 | grad 0.5}}"' in src
    assert '"{x1\\n() | {data 2 | grad -1.5}}"' in src
    assert '"{w1\\n() | {data -3 | grad 1}}"' in src
    assert '"{w2\\n() | {data 1 | grad 0}}"' in src
    assert '"{b\\n() | {data 6.881 | grad 0.5}}"' in src
    # recomputed from saved inputs: x1 * w1 = -6 (Mul keeps its inputs, Add does not)
    assert '"{AddBackward0 | {data -6 | grad 0.5}}"' in src
    # drawing does not touch .grad (the extra backward walk keeps the graph and accumulates nothing)
    assert all(t.grad is None for t in p.values())
    o.backward()  # and the graph was kept intact for the user's own backward
    assert p["x1"].grad.item() == pytest.approx(-1.5)


def test_values_after_a_freeing_backward_show_leaf_grads_only():
    o, p = _neuron()
    o.backward()  # frees saved tensors
    src = viz.to_dot(o, p, values=True)
    assert '"{x1\\n() | {data 2 | grad -1.5}}"' in src
    assert "grad ?" in src  # intermediate gradients can no longer be computed


def test_large_values_show_shapes():
    x = Tensor(np.ones((10, 10)), requires_grad=True)
    src = viz.to_dot(x.tanh(), {"x": x}, values=True, max_value_elems=16)
    assert "data (10, 10)" in src


# ---------------------------------------------------------------------------------------------
# Clusters and collapse
# ---------------------------------------------------------------------------------------------
def test_clusters_per_layer_and_time_step():
    loss, params = unrolled(4)
    src = viz.to_dot(loss, params)
    assert "subgraph cluster_rnn {" in src
    assert 'subgraph "cluster_rnn/l0" {' in src
    steps = re.findall(r'subgraph "cluster_rnn/l0/t(\d+)"', src)
    assert sorted(map(int, steps)) == [0, 1, 2, 3]
    assert 'label="layer 0"' in src and 'label="t = 3"' in src
    flat = viz.to_dot(loss, params, cluster=False)
    assert "subgraph" not in flat
    assert dot_counts(flat) == dot_counts(src)


@pytest.mark.parametrize("show_saved", [False, True])
def test_collapse_node_count_is_independent_of_T(show_saved):
    counts = set()
    for T in (2, 3, 10, 40):
        loss, params = unrolled(T)
        g = viz.build_graph(loss, params, collapse=True, show_saved=show_saved)
        counts.add((g.count(), g.count_edges()))
        src = g.digraph().source
        assert dot_counts(src) == (g.count(), g.count_edges())
        assert len(re.findall(r'subgraph "cluster_rnn/l0/t\d+"', src)) == 1
        assert f"t = {T - 1}\\l(x {T})" in src  # the step caption: the last step, drawn for T
        assert g.count_edges("recurrent") == 1
        assert 'label="from t-1"' in src
    assert len(counts) == 1
    # one step: Mm, Mm, Add, Add, Tanh; plus Sum, 3 leaves, 3 AccumulateGrads, 1 output
    if not show_saved:
        assert counts == {(5 + 1 + 3 + 3 + 1, 13)}


def test_collapse_with_the_real_rnn_bidirectional_two_layers():
    from tinygrad_rnn.nn import RNN

    counts = set()
    for T in (2, 3, 17):
        rnn = RNN(2, 3, num_layers=2, bidirectional=True)
        x = Tensor(np.ones((T, 1, 2), np.float32))
        out, h_n = rnn(x)
        g = viz.build_graph({"output": out, "h_n": h_n}, rnn, collapse=True)
        counts.add((g.count(), g.count_edges()))
        src = g.digraph().source
        # one drawn step per layer and direction
        steps = re.findall(r'subgraph "cluster_rnn/(l\d(?:_reverse)?)/t(\d+)"', src)
        assert sorted(s for s, _ in steps) == ["l0", "l0_reverse", "l1", "l1_reverse"]
        # forward directions draw their last step, reverse ones t = 0 (their last processed)
        assert {s: int(t) for s, t in steps} == {"l0": T - 1, "l1": T - 1, "l0_reverse": 0, "l1_reverse": 0}
        assert 'label="from t+1"' in src and 'label="from t-1"' in src
        assert f"x{T}" in src  # all T step outputs merged into the one StackBackward0 edge
        assert "weight_hh_l1_reverse" in src
    assert len(counts) == 1


def test_uncollapsed_real_rnn_has_a_cluster_per_step():
    from tinygrad_rnn.nn import RNN

    rnn = RNN(2, 3, num_layers=2, bidirectional=True)
    out, h_n = rnn(Tensor(np.ones((3, 1, 2), np.float32)))
    src = viz.to_dot({"output": out, "h_n": h_n}, rnn)
    steps = re.findall(r'subgraph "cluster_rnn/(l\d(?:_reverse)?)/t(\d+)"', src)
    assert len(steps) == 2 * 2 * 3
    # "rnn" only wraps the layers, and the concat between layers leaves and re-enters it: no box
    # of its own (dot would draw edges upside down), its name prefixes the layers' labels
    assert "subgraph cluster_rnn {" not in src
    assert 'label="rnn / layer 1 (reverse)"' in src
    for name, p in rnn.named_parameters():
        assert f'label="{name}\n{fmt_shape(p.shape)}"' in src


# ---------------------------------------------------------------------------------------------
# Scale: 10,000 steps, iterative traversal
# ---------------------------------------------------------------------------------------------
def test_10000_step_graph_exports_to_dot_without_recursion_error():
    T = 10_000
    loss, params = unrolled(T)
    # Python's default limit (some libraries raise it on import): a recursive walk of this
    # 40,000-op-deep chain (Tanh, Add, Add, Mm per step) would fail under it
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        t0 = time.perf_counter()
        src = viz.to_dot(loss, params)
        seconds = time.perf_counter() - t0
    finally:
        sys.setrecursionlimit(limit)
    n_nodes, n_edges = dot_counts(src)
    assert n_nodes == (5 * T + 1) + 3 + 3 + 1
    assert n_edges == 7 + 8 * (T - 1) + 1 + 3 + 1
    print(f"\n10,000-step DOT export: {seconds:.2f} s, {len(src.encode()) / 1e6:.1f} MB")
    collapsed = viz.to_dot(loss, params, collapse=True)
    assert dot_counts(collapsed) == (13, 13)


def test_10000_step_real_rnn_exports():
    from tinygrad_rnn.nn import RNN

    T = 10_000
    rnn = RNN(3, 4)
    out, h_n = rnn(Tensor(np.zeros((T, 1, 3), np.float32)))
    src = viz.to_dot({"output": out, "h_n": h_n}, rnn)
    assert len(re.findall(r'subgraph "cluster_rnn/l0/t\d+"', src)) == T
    small = viz.to_dot({"output": out, "h_n": h_n}, rnn, collapse=True)
    assert len(small) < 5000


# ---------------------------------------------------------------------------------------------
# Rendering with the real `dot`, and the message when it is missing
# ---------------------------------------------------------------------------------------------
def test_renders_with_real_dot(tmp_path):
    need_dot()
    loss, params = unrolled(3)
    dot = viz.make_dot(loss, params, show_saved=True, legend=True)
    for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")):
        path = viz.render(dot, tmp_path / f"g.{fmt}")
        assert (tmp_path / f"g.{fmt}").read_bytes().startswith(magic), path
    # Graphviz's own parser sees exactly our nodes and edges (+4 legend nodes, 3 legend edges)
    g = viz.build_graph(loss, params, show_saved=True)
    laid_out = json.loads(viz.make_dot(loss, params, show_saved=True).pipe(format="json"))
    names = [o["name"] for o in laid_out["objects"] if "nodes" not in o]
    assert len(names) == g.count() == 32
    assert len(laid_out["edges"]) == g.count_edges() == 43
    # values records render too
    o, p = _neuron()
    viz.render(o, tmp_path / "neuron.svg", params=p, values=True)
    assert "TanhBackward0" in (tmp_path / "neuron.svg").read_text()


def test_missing_dot_gives_a_clear_error_but_dot_text_still_works(tmp_path, monkeypatch):
    loss, params = unrolled(2)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere on PATH
    assert not viz.dot_available()
    assert "TanhBackward0" in viz.to_dot(loss, params)
    viz.render(loss, tmp_path / "g.dot", params=params)
    assert (tmp_path / "g.dot").read_text().startswith("digraph {")
    with pytest.raises(viz.GraphvizNotFoundError, match="apt-get install graphviz"):
        viz.render(loss, tmp_path / "g.png", params=params)
    assert not (tmp_path / "g.png").exists()


def test_export_rnn_graph_entry_point(tmp_path):
    path = export_rnn_graph(
        {"input_size": 2, "hidden_size": 3, "num_layers": 2, "bidirectional": True},
        seq_len=3,
        batch=2,
        collapse=False,
        values=False,
        out_path=tmp_path / "rnn.dot",
    )
    src = (tmp_path / "rnn.dot").read_text()
    assert path.endswith("rnn.dot")
    assert "weight_ih_l1_reverse" in src and "h_n\n(4, 2, 3)" in src and "output\n(3, 2, 6)" in src
    need_dot()
    export_rnn_graph({"input_size": 2, "hidden_size": 2}, 5, 1, True, True, tmp_path / "rnn.png")
    assert (tmp_path / "rnn.png").read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError):
        export_rnn_graph({"input_size": 2, "hidden_size": 2}, 0, 1, False, False, tmp_path / "x.dot")
