"""Real MindSpore's own docstring examples, run on MindSpore and on tinygrad_rnn.mindspore by import swap.

For every API the MindSpore frontend claims, the examples in the installed MindSpore's ``__doc__`` run
on real MindSpore (pynative, ``launch_blocking``) and on ours (tests/_doctest_oracle.py says what is
compared, what counts as random and what is excluded). The docstrings whose examples differ are listed,
each with why, in tests/docstring_divergences/mindspore.txt: a new failure or a fix fails this test and
names the docstring. The counts are printed at the end of the run; the full report (each failing
docstring's differences) is printed with ``-rA`` and written to the test's tmp path.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("GLOG_v", "3")

import _doctest_oracle as oracle  # noqa: E402
import _report  # noqa: E402
import mindspore  # noqa: E402
import pytest  # noqa: E402

import tinygrad_rnn.mindspore  # noqa: E402, F401  (an import error of ours fails here, not as a low count)

ORACLE = mindspore.Tensor  # a missing oracle skips the module here (conftest.py's stand-in)
MIN_DOCSTRINGS = 170  # 202 when this was written: a harness that runs nothing must fail
MIN_COMPARED = 1300  # 1672 examples compared when this was written

FW = oracle.Framework(
    name="mindspore",
    ours="tinygrad_rnn.mindspore",
    modules=("mindspore", "mindspore.nn", "mindspore.ops", "mindspore.train"),
    classes=("mindspore.Tensor", "mindspore.Parameter", "mindspore.nn.Cell"),
    bindings={"mindspore": "mindspore", "ms": "mindspore", "nn": "mindspore.nn", "ops": "mindspore.ops",
              "Tensor": "mindspore:Tensor", "Parameter": "mindspore:Parameter", "np": "numpy"},
    reset=("mindspore.set_seed({seed})", "mindspore.set_context(mode=mindspore.PYNATIVE_MODE)",
           "np.random.seed({seed})"),
    random=r"\b(normal|uniform|standard_laplace|gamma|poisson|multinomial|random_\w+|shuffle|dropout\w*|"
    r"Dropout\w*|initializer|Normal|Uniform|TruncatedNormal|Xavier\w*|He\w+|Dense|BiDense|Conv\w*|RNN\w*|"
    r"LSTM\w*|GRU\w*|Embedding\w*|Transformer\w*|MultiheadAttention)\b",
    replay=("mindspore.ops.rand", "mindspore.ops.randn", "mindspore.ops.randint", "mindspore.ops.rand_like",
            "mindspore.ops.randn_like", "mindspore.ops.randint_like", "mindspore.ops.randperm",
            "mindspore.ops.standard_normal"),
    rebuild="mindspore.Tensor(np.asarray(data), dtype=out.dtype)",
    # set_context changes more than the reset restores (one docstring left jit examples failing after it)
    isolate=r"\b(set_context|set_device|set_deterministic|set_algo_parameters|set_auto_parallel_context)\(",
    setup=("import mindspore; mindspore.runtime.launch_blocking()",),  # synchronous: ~20x faster on CPU
)  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: Any) -> oracle.Report:
    tmp = tmp_path_factory.mktemp("mindspore_docstrings")
    rep = oracle.run(FW, tmp)
    _report.record(rep.line())
    print(rep.text(), f"\n(report written to {tmp / 'mindspore_docstring_report.txt'})")
    return rep


def test_the_examples_run_in_number(report: oracle.Report) -> None:
    assert report.docs >= MIN_DOCSTRINGS, report.line()
    assert report.compared >= MIN_COMPARED, report.line()
    assert report.passed > report.compared // 2, report.line()


def test_the_failing_docstrings_are_the_listed_ones(report: oracle.Report) -> None:
    mismatch = oracle.list_mismatch(report, FW)
    assert mismatch is None, mismatch
