"""Every example runs on our frontends by default, with the real frameworks absent, and takes
`--backend` the same way (tinygrad by default, or the framework it was written for)."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.py"))
# the fewest epochs/steps that still run the whole script (training, evaluation, printing)
SHORT = {name: ["--epochs", "1", "--steps", "2"] for name in EXAMPLES if name.startswith("train_")}
SHORT["torch_rnn_regression.py"] = ["--epochs", "2"]
# run the example as __main__ with torch and MindSpore made unimportable, as in a venv without them
NO_ORACLES = (
    "import runpy, sys; sys.modules['torch'] = None; sys.modules['mindspore'] = None; "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", NO_ORACLES, *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_there_are_examples():
    assert len(EXAMPLES) >= 8 and set(SHORT) <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_backend_option_is_the_same_everywhere(name):
    r = run([f"examples/{name}", "--help"])
    assert r.returncode == 0, r.stderr
    # "--backend {tinygrad,torch}" or "--backend {tinygrad,mindspore}", in either order
    m = re.search(r"--backend \{(\w+),(\w+)\}", r.stdout)
    assert m, r.stdout
    source = (ROOT / "examples" / name).read_text()
    framework = "mindspore" if "tinygrad_rnn.mindspore" in source else "torch"
    assert set(m.groups()) == {"tinygrad", framework}


@pytest.mark.parametrize("name", EXAMPLES)
def test_runs_by_default_without_torch_or_mindspore(name):
    r = run([f"examples/{name}", *SHORT.get(name, [])])
    # a training example exits 1 when its target is not reached, as two epochs cannot reach it
    reached = r.returncode == 0 or (name.startswith("train_") and "NOT reached" in r.stdout)
    assert reached and r.returncode in (0, 1), r.stderr[-2000:]
    assert "No module named" not in r.stderr and r.stdout.strip()
