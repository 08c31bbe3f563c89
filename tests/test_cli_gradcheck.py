"""`tinygrad-rnn gradcheck`: the table, its rows per option, exit codes, and one-line errors."""

from __future__ import annotations

import re

import pytest

from tinygrad_rnn.cli import main

ROW = re.compile(r"^(?P<name>\S.*?)\s{2,}(?P<shape>\([0-9, ]*\))\s+(?P<nums>.*)$")


def _table(out: str) -> dict[str, tuple[str, list[float | None]]]:
    """name -> (shape, [fd abs, fd rel, sympy abs, sympy rel]) ('-' becomes None)."""
    rows = {}
    for line in out.splitlines():
        m = ROW.match(line)
        if m:
            nums = [None if v == "-" else float(v) for v in m["nums"].split()]
            assert len(nums) == 4, line
            rows[m["name"]] = (m["shape"], nums)
    return rows


def _run(capsys, *argv):
    rc = main(["gradcheck", *argv])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_default_run_prints_one_row_per_tensor_and_passes(capsys):
    rc, out, err = _run(capsys)
    assert rc == 0 and not err
    rows = _table(out)
    assert list(rows) == [
        "input",
        "h0",
        "weight_ih_l0",
        "weight_hh_l0",
        "bias_ih_l0",
        "bias_hh_l0",
        "output (forward)",
        "h_n (forward)",
    ]
    assert rows["input"][0] == "(3, 2, 2)" and rows["weight_hh_l0"][0] == "(2, 2)"
    for name, (_, (fd_abs, fd_rel, sy_abs, sy_rel)) in rows.items():
        assert sy_rel is not None and sy_rel <= 1e-10 and sy_abs <= 1e-10, name
        if "forward" in name:
            assert fd_abs is None and fd_rel is None  # no finite differences of a forward value
        else:
            assert fd_rel <= 1e-6, name
    assert "all within tolerance" in out


def test_every_option_shows_in_the_table(capsys):
    rc, out, _ = _run(
        capsys,
        "--input-size",
        "3",
        "--hidden-size",
        "2",
        "--num-layers",
        "2",
        "--nonlinearity",
        "relu",
        "--no-bias",
        "--batch-first",
        "--bidirectional",
        "--seq-len",
        "4",
        "--batch",
        "3",
        "--lengths",
        "4,1,2",
        "--seed",
        "3",
    )
    assert rc == 0, out
    rows = _table(out)
    assert rows["input"][0] == "(3, 4, 3)"  # batch first
    assert rows["h0"][0] == "(4, 3, 2)"  # num_layers * 2 directions
    assert rows["weight_ih_l1_reverse"][0] == "(2, 4)"  # layer 1 reads both directions
    assert rows["output (forward)"][0] == "(3, 4, 4)"
    assert not any(n.startswith("bias") for n in rows)
    assert "lengths=[4, 1, 2]" in out and "nonlinearity=relu" in out and "bias=False" in out


def test_no_h0_and_no_sympy(capsys):
    rc, out, _ = _run(capsys, "--no-h0", "--no-sympy", "--lengths", "0,3")
    assert rc == 0, out
    rows = _table(out)
    assert "h0" not in rows and "h0=zeros" in out
    assert all(nums[2] is None and nums[3] is None for _, nums in rows.values())
    assert "sympy" not in out.splitlines()[-1]


def test_a_failing_check_exits_1(capsys):
    # a huge finite-difference step: the finite differences are wrong, not the gradients
    rc, out, _ = _run(capsys, "--eps", "0.5")
    assert rc == 1
    assert "FAILED: " in out and "vs finite differences" in out
    assert "vs sympy" not in "".join(line for line in out.splitlines() if line.startswith("FAILED"))


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--lengths", "4,1"], ["--lengths", "[0, 3]", "4"]),
        (["--lengths", "3"], ["--lengths", "2 lengths"]),
        (["--lengths", "3,x"], ["--lengths", "integers"]),
        (["--seq-len", "5", "--batch", "1", "--lengths", "-1"], ["--lengths", "[0, 5]"]),
        (["--eps", "0"], ["--eps", "positive"]),
    ],
)
def test_bad_values_give_one_line_errors_and_exit_2(capsys, argv, words):
    rc, out, err = _run(capsys, *argv)
    assert rc == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tinygrad-rnn gradcheck: error: "), err
    for w in words:
        assert w in lines[0], (w, err)


@pytest.mark.parametrize("argv", [["--seq-len", "0"], ["--hidden-size", "two"], ["--nonlinearity", "gelu"]])
def test_bad_arguments_are_argparse_errors_with_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as e:
        main(["gradcheck", *argv])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("tinygrad-rnn gradcheck: error: argument " + argv[0])


def test_help_explains_every_option(capsys):
    with pytest.raises(SystemExit) as e:
        main(["gradcheck", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for flag in (
        "--input-size",
        "--hidden-size",
        "--num-layers",
        "--nonlinearity",
        "--no-bias",
        "--batch-first",
        "--bidirectional",
        "--seq-len",
        "--batch",
        "--lengths",
        "--no-h0",
        "--seed",
        "--eps",
        "--no-sympy",
    ):
        assert re.search(rf"^\s+{flag}\b.*\n?.*\S", out, re.M), flag
    assert "finite differences" in out and "sympy" in out and "Exit code" in out
    # the subcommand is listed by the top-level help
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "gradcheck" in capsys.readouterr().out


@pytest.mark.parametrize("mode", ["lstm", "gru"])
def test_gated_cells_have_their_own_rows_and_pass(capsys, mode):
    # small: the sympy expressions of a gated cell grow fast with steps, layers and directions
    rc, out, err = _run(capsys, "--mode", mode, "--num-layers", "2", "--seq-len", "2", "--lengths", "2,1")
    assert rc == 0 and not err, out
    rows = _table(out)
    states = ["h0", "c0"] if mode == "lstm" else ["h0"]
    assert list(rows)[: 1 + len(states)] == ["input", *states]
    G = 4 if mode == "lstm" else 3
    assert rows["weight_hh_l1"][0] == f"({2 * G}, 2)"  # gates stacked by rows, hidden 2
    assert ("c_n (forward)" in rows) == (mode == "lstm")
    for name, (_, nums) in rows.items():
        assert nums[3] is not None and nums[3] <= 1e-10, name  # every row checked against sympy
    assert out.splitlines()[0].startswith("LSTM(" if mode == "lstm" else "GRU(")


def test_unknown_mode_is_a_one_line_error(capsys):
    with pytest.raises(SystemExit) as e:
        main(["gradcheck", "--mode", "transformer"])
    assert e.value.code == 2
    assert "argument --mode: invalid choice: 'transformer'" in capsys.readouterr().err
