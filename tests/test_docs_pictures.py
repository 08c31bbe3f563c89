"""The graph docs cannot drift from the code: the grad_fn names docs/visualisation.md and README.md
mention are the names the tape records for the models they describe, and every picture a doc shows
is drawn by docs/make_pictures.py."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import shutil
from typing import Any

import numpy as np

from tinygrad_rnn import Tensor, viz
from tinygrad_rnn.nn import GRU, LSTM, RNN
from tinygrad_rnn.tape import name_scope

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "docs" / "visualisation.md"]
GRAD_FN = re.compile(r"`(\w+Backward\d+)`")
#: pictures in docs/img that are not a tape drawn by Graphviz, and what makes each
NOT_TAPES = {
    "explorer.png": "a headless-Chromium screenshot of the explorer (tests/test_explorer_browser.py)",
    "training_sine.png": "matplotlib: tinygrad-rnn train sine --plot",
}


def make_pictures() -> Any:
    spec = importlib.util.spec_from_file_location("make_pictures", ROOT / "docs" / "make_pictures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def op_names(outputs: Any, params: Any = None) -> set[str]:
    """The grad_fn names of every op the tape recorded behind `outputs`."""
    return {v.title for v in viz.build_graph(outputs, params).nodes if v.kind == "op"}


def recurrent(mode: str, **kw: Any) -> tuple[Any, dict[str, Tensor]]:
    """A 2-layer bidirectional RNN/LSTM/GRU over 3 steps, with initial states (as the docs draw)."""
    cls = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[mode]
    m = cls(2, 3, num_layers=2, bidirectional=True, **kw)
    h0 = Tensor(np.zeros((4, 1, 3), np.float32), requires_grad=True)
    state = (h0, Tensor(np.zeros((4, 1, 3), np.float32), requires_grad=True)) if mode == "lstm" else h0
    out, s = m(Tensor(np.random.default_rng(0).standard_normal((3, 1, 2)).astype(np.float32)), state)
    if mode == "lstm":
        return m, {"output": out, "h_n": s[0], "c_n": s[1]}
    return m, {"output": out, "h_n": s}


def model_names() -> set[str]:
    """What the models on the pages record: the RNNs, the neuron, the hand-written loop."""
    names: set[str] = set()
    for mode, kw in (("rnn", {}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}), ("gru", {})):
        names |= op_names(*reversed(recurrent(mode, **kw)))
    outputs, leaves = make_pictures().neuron()
    names |= op_names(outputs, leaves)
    rng = np.random.default_rng(0)
    W, U = (Tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3), (3, 3)))
    h = Tensor(np.zeros((1, 3)))
    for t in range(3):
        with name_scope("rnn"), name_scope("l0"), name_scope(f"t{t}"):
            h = (Tensor(rng.standard_normal((1, 2))) @ W + h @ U).tanh()
    return names | op_names(h.sum())


def table_names() -> set[str]:
    """What the forward ops of docs/visualisation.md's grad_fn table record, one call each."""
    rng = np.random.default_rng(0)

    def p(*shape: int) -> Tensor:
        return Tensor(rng.standard_normal(shape), requires_grad=True)

    a, b, v = p(2, 3), p(2, 3), p(3)
    made = [
        a @ p(3, 4),
        p(2, 2, 3) @ p(2, 3, 4),
        v @ p(3),
        a + b,
        a * b,
        a - b,
        a / (b * b + 1),
        a.tanh(),
        a.relu(),
        a.sigmoid(),
        a.T,
        a.reshape(3, 2),
        a.sum(),
        a.sum(axis=1),
    ]
    from tinygrad_rnn import ops

    made += [ops.stack([a, b], 0), ops.concat([a, b], 1), *ops.unbind(a, 0)]
    names: set[str] = set()
    for t in made:
        names |= op_names(t)
    return names


def test_every_grad_fn_the_pages_name_is_one_the_tape_records():
    recorded = model_names() | table_names()
    assert GRAD_FN.findall(PAGES[1].read_text())
    for page in PAGES:
        named = set(GRAD_FN.findall(page.read_text()))
        assert named <= recorded, f"{page.name} names ops no model of it records: {named - recorded}"


def test_the_grad_fn_table_lists_every_op_of_the_rnn_lstm_and_gru_tapes():
    text = (ROOT / "docs" / "visualisation.md").read_text()
    table = text[text.index("| grad_fn | forward op |") :]
    table = table[: table.index("\n\n")]
    listed = set(GRAD_FN.findall(table))
    for mode, kw in (("rnn", {}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}), ("gru", {})):
        recorded = op_names(*reversed(recurrent(mode, **kw)))
        assert recorded <= listed, f"{mode} records {recorded - listed}, missing from the table"


def test_what_the_page_says_one_rnn_step_records_is_what_every_step_records():
    text = (ROOT / "docs" / "visualisation.md").read_text()
    claim = re.search(r"one time step of `nn\.RNN` records (.*?)[.;:]", text, re.S)
    assert claim, "the page no longer says what one RNN step records"
    said = GRAD_FN.findall(claim.group(1))
    rnn, outputs = recurrent("rnn")
    g = viz.build_graph(outputs, rnn)
    steps: dict[tuple[str, ...], list[str]] = {}
    for v in g.nodes:  # the op nodes in the order the forward pass recorded them
        if v.kind == "op" and v.scope and re.fullmatch(r"t\d+", v.scope[-1]):
            steps.setdefault(v.scope, []).append(v.title)
    assert len(steps) == 4 * 3  # 2 layers x 2 directions x 3 steps, the first step included
    for scope, ops_of_step in steps.items():
        assert ops_of_step == said, (scope, ops_of_step, said)


def shown_pictures() -> dict[str, list[str]]:
    """docs/img/*.png file name -> the pages that show it."""
    shown: dict[str, list[str]] = {}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for name in re.findall(r"\]\((?:docs/)?img/([\w.-]+\.png)\)", page.read_text()):
            shown.setdefault(name, []).append(page.name)
    return shown


def test_every_picture_a_doc_shows_is_drawn_by_make_pictures():
    shown = shown_pictures()
    assert "rnn_bidir_3steps.png" in shown and "README.md" in shown["rnn_bidir_3steps.png"]
    drawn = set(make_pictures().PICTURES)
    for name, pages in shown.items():
        assert (ROOT / "docs" / "img" / name).is_file(), (name, pages)
        assert name in drawn or name in NOT_TAPES, f"{name} ({pages}) is not made by docs/make_pictures.py"
    assert drawn <= set(shown), f"pictures no page shows: {drawn - set(shown)}"
    assert set(NOT_TAPES) <= set(shown)


def test_make_pictures_writes_every_picture(tmp_path):
    assert shutil.which("dot"), "Graphviz's `dot` is not installed: apt-get install graphviz"
    mod = make_pictures()
    written = mod.main(tmp_path)
    assert sorted(pathlib.Path(p).name for p in written) == sorted(mod.PICTURES)
    for p in written:
        assert pathlib.Path(p).read_bytes().startswith(b"\x89PNG"), p
