"""The tape explorer page (issue 16) without a browser: self-contained HTML, sizes, the CLI, and the
embedded values, gradients and h_t gradient norms judged against real torch."""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest
import torch
from _oracle import torch_state

from tinygrad_rnn import Tensor, viz
from tinygrad_rnn.cli import main
from tinygrad_rnn.engine import topological_order
from tinygrad_rnn.nn import RNN
from tinygrad_rnn.viz import explore_page as explore_mod

FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|nan|inf", re.I)
URL_ATTR = re.compile(r"""\b(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def page_data(html: str) -> dict:
    """The JSON the page embeds."""
    m = re.search(r'<script type="application/json" id="tape-data">(.*?)</script>', html, re.S)
    assert m, "no embedded tape data"
    return json.loads(m.group(1).replace("<\\/", "</"))


def numbers(text: str) -> np.ndarray:
    """The numbers of a value shown as text."""
    return np.array([float(x) for x in FLOAT.findall(text)])


def twin_rnns(T: int, B: int = 2, seed: int = 0):
    """Our RNN and torch's with the same weights, run on the same input; torch's h_t (retain_grad)
    by the loop h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), after loss = h_n.sum().backward()."""
    torch.manual_seed(seed)
    trnn = torch.nn.RNN(2, 3)
    ours = RNN(2, 3)
    ours.load_state_dict(torch_state(trnn))
    x = np.random.default_rng(seed).standard_normal((T, B, 2)).astype(np.float32)
    out, h_n = ours(Tensor(x))
    hs, h = [], torch.zeros(B, 3)
    for t in range(T):
        h = torch.tanh(
            torch.from_numpy(x[t]) @ trnn.weight_ih_l0.T
            + trnn.bias_ih_l0
            + h @ trnn.weight_hh_l0.T
            + trnn.bias_hh_l0
        )
        h.retain_grad()
        hs.append(h)
    _, th_n = trnn(torch.from_numpy(x))
    torch.testing.assert_close(th_n[0], hs[-1])  # the loop is torch's RNN
    hs[-1].sum().backward()
    return ours, h_n.sum(), trnn, hs


def test_embedded_values_gradients_and_curve_match_torch():
    T = 5
    ours, loss, trnn, hs = twin_rnns(T)
    data = viz.explore({"loss": loss}, ours).payload
    order = topological_order([loss.grad_edge()[0]])
    assert [n["op"] for n in data["nodes"]] == [n.name for n in order]
    h_nodes = sorted((n["t"], k) for k, n in enumerate(data["nodes"]) if n.get("h"))
    assert [t for t, _ in h_nodes] == list(range(T))
    for t, k in h_nodes:
        rec = data["nodes"][k]
        assert rec["op"] == "TanhBackward0"
        np.testing.assert_allclose(numbers(rec["v"][0]), hs[t].detach().numpy().ravel(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(numbers(rec["gd"][0]), hs[t].grad.numpy().ravel(), rtol=1e-5, atol=1e-6)
    (curve,) = data["curves"]
    want = [float(torch.linalg.norm(h.grad)) for h in hs]
    np.testing.assert_allclose(curve["norm"], want, rtol=1e-5)
    leaf = next(n for n in data["nodes"] if n.get("leaf") == "weight_hh_l0")
    np.testing.assert_allclose(
        numbers(leaf["gd"][0]), trnn.weight_hh_l0.grad.numpy().ravel(), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(numbers(leaf["v"][0]), trnn.weight_hh_l0.detach().numpy().ravel(), rtol=1e-5)
    assert ours.weight_hh_l0.grad is None  # exploring never touches .grad


def test_page_is_self_contained_and_has_one_element_per_tape_node():
    ours, loss, *_ = twin_rnns(4)
    html = viz.explore(loss, ours).html()
    assert not URL_ATTR.search(html), URL_ATTR.search(html)
    assert not re.search(r"<script[^>]*\bsrc=|<link\b|@import|url\(\s*['\"]?https?:", html)
    n = len(topological_order([loss.grad_edge()[0]]))
    full = re.search(r'<template id="view-full">(.*?)</template>', html, re.S).group(1)
    assert len(re.findall(r"<g class=\"node\" data-node=\"\d+\"", full)) == n
    assert len(set(re.findall(r'data-node="(\d+)"', full))) == n


def test_sizes_compact_view_does_not_grow_with_steps():
    drawn = {}
    for T in (5, 60):
        ours, loss, *_ = twin_rnns(T, B=1)
        page = viz.explore(loss, ours, full_max=10)
        assert page.views == ["compact"] and page.payload["start"] == "compact"
        svg = page.payload["views"]["compact"]
        drawn[T] = len(re.findall(r'data-node="', svg))
        (group,) = page.payload["groups"]
        assert group["steps"] == list(range(T)) and len(group["at"]) == T
    assert drawn[5] == drawn[60]
    ours, loss, *_ = twin_rnns(3, B=1)
    assert viz.explore(loss, ours).payload["start"] == "full"  # small tapes open on every node
    assert viz.explore(loss, ours, collapse=True).payload["start"] == "compact"
    assert explore_mod.COMPACT_ABOVE < explore_mod.FULL_MAX


def test_record_lines_names_this_file_and_costs_nothing_outside():
    a = Tensor(np.ones(3), requires_grad=True)
    before = (a * 2).sum()
    with viz.record_lines() as lines:
        y = (a.tanh() * 3).sum()  # THE LINE
    assert sys.getprofile() is None
    recorded = [lines.get(n)[0] for n in topological_order([y.grad_edge()[0]]) if lines.get(n)[0]]
    assert len(recorded) == 3 and all("test_explorer.py" in s and "THE LINE" in s for s in recorded)
    assert lines.get(before.grad_edge()[0]) == (None, None)
    page = viz.explore(y, {"a": a}, lines=lines).payload
    assert any("THE LINE" in s for s in page["texts"])


def test_formulas_come_from_the_op_docstrings():
    ours, loss, *_ = twin_rnns(2)
    ops = viz.explore(loss, ours).payload["ops"]
    assert ops["TanhBackward0"] == ["y = tanh(a)", "da = g * (1 - y^2)"]
    assert ops["AddmmBackward0"][1].startswith("dc = g")
    assert ops["AccumulateGrad"][1] == "leaf.grad += g"


def test_jupyter_reprs():
    ours, loss, *_ = twin_rnns(3)
    page = viz.explore(loss, ours)
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "&lt;svg" in frame and "<svg" not in frame
    assert repr(page).startswith("<Explorer") and len(repr(page)) < 200
    graph = viz.build_graph(loss, ours, collapse=True)
    assert len(repr(graph)) < 200 and repr(graph).startswith("<TapeGraph collapsed:")
    assert "<svg" in graph._repr_mimebundle_()["image/svg+xml"]
    assert "<svg" in viz.make_dot(loss, ours)._repr_mimebundle_()["image/svg+xml"]


def test_cli_writes_the_page(tmp_path, capsys):
    path = tmp_path / "tape.html"
    assert main(["explore", "--seq-len", "4", "--batch", "2", "-o", str(path)]) == 0
    assert "wrote" in capsys.readouterr().out
    data = page_data(path.read_text())
    assert data["outputs"][0]["name"] == "loss" and data["start"] == "full"
    labels = [c["label"] for c in data["curves"]]
    assert labels[0] == "rnn/l0" and {"relu rnn/l0", "LSTM lstm/l0", "GRU gru/l0"} <= set(labels)
    assert all(len(c["t"]) == 4 for c in data["curves"])
    assert any("rnn.py" in s for s in data["texts"])  # the line of rnn.py that made each op
    path2 = tmp_path / "lstm.html"
    argv = ["explore", "--mode", "lstm", "--num-layers", "2", "--bidirectional", "--seq-len", "30"]
    assert main([*argv, "--no-compare", "--view", "compact", "-o", str(path2)]) == 0
    data = page_data(path2.read_text())
    assert data["start"] == "compact" and len(data["groups"]) == 4
    assert [c["label"] for c in data["curves"]] == [
        "lstm/l0",
        "lstm/l0_reverse",
        "lstm/l1",
        "lstm/l1_reverse",
    ]
    assert main(["explore", "--mode", "gru", "--nonlinearity", "relu", "-o", str(path)]) == 2


@pytest.mark.parametrize("T", [3, 100, 1000])
def test_page_size_stays_small(T):
    ours, loss, *_ = twin_rnns(T, B=1)
    size = len(viz.explore(loss, ours).html().encode())
    assert size < 1_500_000, size
