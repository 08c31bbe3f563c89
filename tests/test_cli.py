"""The `tinygrad-rnn` command as a whole: --version, and one error convention for every subcommand.

Every subcommand reports a failure as ONE line on stderr, `tinygrad-rnn NAME: error: ...`, with
exit code 2, and prints nothing on stdout; a graph written without a suffix says what it holds.
"""

from __future__ import annotations

import pathlib

import pytest

import tinygrad_rnn
from tinygrad_rnn.cli import COMMANDS, main


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"tinygrad-rnn {tinygrad_rnn.__version__}"


def _failing_calls(tmp_path):
    missing = str(tmp_path / "missing" / "x")
    return {
        "convert": ["convert", str(tmp_path / "nope.pt"), str(tmp_path / "out.pt"), "--to", "torch"],
        "graph": ["graph", "--seq-len", "2", "-o", missing + ".dot"],
        "train": ["train", "sine", "--epochs", "1", "--save", "/proc/no/ckpt.npz", "--no-plot"],
        "gradcheck": ["gradcheck", "--eps", "-1"],
        "explore": ["explore", "--no-compare", "--seq-len", "2", "-o", missing + ".html"],
    }


@pytest.mark.parametrize("name", ["convert", "graph", "train", "gradcheck", "explore"])
def test_runtime_errors_are_one_line_on_stderr_with_exit_2(name, tmp_path, capsys):
    rc = main(_failing_calls(tmp_path)[name])
    out, err = capsys.readouterr()
    assert rc == 2, (rc, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"tinygrad-rnn {name}: error: "), err
    assert err.count(f"{name}:") == 1, err  # no doubled prefix
    assert not out.strip(), out


def test_every_subcommand_has_a_failing_call_here():
    assert set(COMMANDS) - {"demo"} <= set(
        _failing_calls(pathlib.Path("/nonexistent"))
    )  # demo takes no input that can fail


def test_graph_without_suffix_says_what_it_wrote(tmp_path, capsys):
    path = tmp_path / "g"
    assert main(["graph", "--seq-len", "2", "-o", str(path)]) == 0
    out = capsys.readouterr().out
    assert "DOT text" in out and str(path) in out
    assert path.read_text().startswith("digraph")
