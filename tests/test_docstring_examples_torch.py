"""Real torch's own docstring examples, run on torch and on tinygrad_rnn.torch by import swap.

For every API the torch frontend claims, the examples in the installed torch's ``__doc__`` run on real
torch and on ours (tests/_doctest_oracle.py says what is compared, what counts as random and what is
excluded). The docstrings whose examples differ are listed, each with why, in
tests/docstring_divergences/torch.txt: a new failure or a fix fails this test and names the docstring.
The counts are printed at the end of the run; the full report (each failing docstring's differences)
is printed with ``-rA`` and written to the test's tmp path.
"""

from __future__ import annotations

from typing import Any

import _doctest_oracle as oracle
import _report
import pytest
import torch

import tinygrad_rnn.torch  # noqa: F401  (an import error of ours fails here, not as a low count)

ORACLE = torch.tensor  # a missing oracle skips the module here (conftest.py's stand-in)
MIN_DOCSTRINGS = 120  # 141 when this was written: a harness that runs nothing must fail
MIN_COMPARED = 500  # 598 examples compared when this was written

FW = oracle.Framework(
    name="torch",
    ours="tinygrad_rnn.torch",
    modules=("torch", "torch.nn", "torch.nn.functional", "torch.nn.utils.rnn", "torch.optim", "torch.autograd"),
    classes=("torch.Tensor", "torch.nn.Module"),
    bindings={"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional", "np": "numpy"},
    reset=("torch.manual_seed({seed})", "torch.set_default_dtype(torch.float32)",
           "torch.set_printoptions(profile='default')", "torch.set_grad_enabled(True)", "np.random.seed({seed})"),
    random=r"\b(normal|bernoulli|multinomial|dropout\w*|Dropout\w*|random_|normal_|uniform_|exponential_|"
    r"geometric_|cauchy_|log_normal_|init\.\w+|Linear|Bilinear|Conv\w*|RNN\w*|LSTM\w*|GRU\w*|Embedding\w*|"
    r"Transformer\w*|MultiheadAttention|IGNORE_WANT)\b",  # IGNORE_WANT: torch's mark for random output
    replay=("torch.rand", "torch.randn", "torch.randint", "torch.randperm", "torch.rand_like", "torch.randn_like",
            "torch.randint_like"),
    rebuild="torch.tensor(data, dtype=out.dtype, requires_grad=out.requires_grad)",
    isolate=r"\b(set_default_device|use_deterministic_algorithms|set_flush_denormal)\(",
)  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: Any) -> oracle.Report:
    tmp = tmp_path_factory.mktemp("torch_docstrings")
    rep = oracle.run(FW, tmp)
    _report.record(rep.line())
    print(rep.text(), f"\n(report written to {tmp / 'torch_docstring_report.txt'})")
    return rep


def test_the_examples_run_in_number(report: oracle.Report) -> None:
    assert report.docs >= MIN_DOCSTRINGS, report.line()
    assert report.compared >= MIN_COMPARED, report.line()
    assert report.passed > report.compared // 2, report.line()


def test_the_failing_docstrings_are_the_listed_ones(report: oracle.Report) -> None:
    mismatch = oracle.list_mismatch(report, FW)
    assert mismatch is None, mismatch


def test_the_comparison_tells_differences() -> None:
    """The comparison itself, on made-up records: what it lets through and what it reports."""

    def rec(out: str, values: tuple = (), exc: dict | None = None) -> dict:
        return dict(out=out, values=list(values), exc=exc)

    def ten(data: list, dtype: str = "float32") -> dict:
        return dict(
            kind="tensor", type="Tensor", shape=[len(data)], dtype=f"torch.{dtype}", np=dtype, data=data
        )

    diff = oracle.example_diff
    assert diff(rec("tensor([ 1.0000,  2.0000])"), rec("tensor([1.0000, 2.0000])"), False) is None
    assert diff(rec("tensor([1.0001])"), rec("tensor([1.0000])"), False) is None  # last printed decimal
    assert diff(rec("tensor([1.0002])"), rec("tensor([1.0000])"), False) == "printed number 1.0002 != 1.0000"
    assert diff(rec("[-0.  1.]"), rec("[0. 1.]"), False) == "prints -0. where the real framework prints 0."
    assert diff(rec("[0.5 0.7]"), rec("[0.1 0.2]"), True) is None  # random: numbers masked, not structure
    assert diff(rec("[0.5 0.7]"), rec("[[0.1 0.2]]"), True) == "printed text differs"
    assert diff(rec("", [ten([1.0, 2.0])]), rec("", [ten([1.0, 2.00001])]), False) is None
    assert diff(rec("", [ten([1.0, 2.0])]), rec("", [ten([1.0, 2.001])]), False) == "values differ"
    assert diff(rec("", [ten([1.0], "float64")]), rec("", [ten([1.0])]), True) == (
        "dtype torch.float64 != torch.float32"
    )
    exc = dict(type="ValueError", mro=["ValueError", "Exception"], msg="bad")
    assert (
        diff(rec("", exc=exc), rec("", exc=dict(exc, type="TypeError")), False)
        == "raises ValueError, real TypeError"
    )
    assert diff(rec("", exc=exc), rec("", exc=dict(exc, type="Exception")), False) is None  # a subclass
    assert diff(rec(""), rec("", exc=exc), False) == "real raises ValueError, ours returns"
