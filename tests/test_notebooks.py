"""The notebooks in docs/notebooks run: each is executed in a fresh Jupyter kernel, and their own
`assert`s (gradcheck returns True, the tape matches hand-written BPTT and sympy, the frontends and the
real frameworks agree) are the checks. The files are kept with their outputs cleared.

nbclient, nbformat and ipykernel are test dependencies (the `test` extra): without them this module
fails to import, it is never skipped.
"""

from __future__ import annotations

import importlib.metadata
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

from tinygrad_rnn import viz

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "docs" / "notebooks"
NAMES = ["01_autodiff_from_scratch.ipynb", "02_rnn_through_time.ipynb", "03_two_frontends.ipynb"]


def installed(dist: str) -> bool:
    """Is the real distribution installed? (conftest's stand-ins fool importlib.util.find_spec.)"""
    try:
        importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, nbformat.NotebookNode]:
    """Every notebook run top to bottom in the python3 kernel, in an empty directory; an error in
    any cell (a failed assert included) raises CellExecutionError and fails the tests using it."""
    out = {}
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        cwd = tmp_path_factory.mktemp(name.split("_")[0])
        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
        ).execute()
        out[name] = nb
    return out


def outputs(nb: nbformat.NotebookNode, output_type: str) -> list[nbformat.NotebookNode]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == output_type]


def stdout(nb: nbformat.NotebookNode) -> str:
    return "".join(o.text for o in outputs(nb, "stream") if o.name == "stdout")


def test_the_notebooks_are_all_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    # a notebook that asserts nothing could not fail when executed
    assert sum(c.source.count("assert") for c in code) >= 3


@pytest.mark.parametrize("name", NAMES)
def test_runs_without_error(executed, name):
    nb = executed[name]
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code")
    assert not outputs(nb, "error")
    assert stdout(nb).strip()


def test_autodiff_notebook_shows_its_checks(executed):
    text = stdout(executed["01_autodiff_from_scratch.ipynb"])
    assert "gradcheck: True  gradgradcheck: True" in text and "gradcheck caught the hidden factor" in text


def test_graph_and_explorer_display_inline(executed):
    """make_dot / TapeGraph render as SVG (when Graphviz's dot is there), the explorer as an iframe."""
    rich = [
        o.data
        for name in ("01_autodiff_from_scratch.ipynb", "02_rnn_through_time.ipynb")
        for kind in ("display_data", "execute_result")
        for o in outputs(executed[name], kind)
    ]
    assert any(
        d.get("text/html", "").startswith("<iframe srcdoc=") and "data-node" in d["text/html"] for d in rich
    )
    assert any("image/png" in d for d in rich)  # the gradient-norm plot
    svgs = [d["image/svg+xml"] for d in rich if "image/svg+xml" in d]
    if viz.dot_available():
        assert len(svgs) == 2 and "TanhBackward0" in svgs[0] and "x200" in svgs[1]
    else:
        assert "digraph" in stdout(executed["02_rnn_through_time.ipynb"])


def test_frontends_notebook_compared_the_installed_real_frameworks(executed):
    """When real torch / MindSpore are installed, the notebook must have run on them, not skipped them."""
    line = next(
        s for s in stdout(executed["03_two_frontends.ipynb"]).splitlines() if s.startswith("compared:")
    )
    runs = line.removeprefix("compared:").split(",")
    assert [r.strip() for r in runs[:2]] == ["tinygrad_rnn.torch", "tinygrad_rnn.mindspore"]
    for dist in ("torch", "mindspore"):
        if installed(dist):
            assert any(r.strip().startswith(f"{dist} {importlib.metadata.version(dist)}") for r in runs), line
