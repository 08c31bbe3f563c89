"""The two numpy models bench_rnn.py times beside ours stay what its tables say they are.

* numpy_floor.py, a hand-written forward + BPTT, must give our RNN's numbers (to float32
  rounding): it is an independent derivation, so this also checks ours.
* numpy_untaped.py claims to run our forwards' and backward rules' numpy calls without the tape,
  so its results must be *bit-equal* to ours; when a rule changes and it does not, the
  "untaped / floor" column would describe code that no longer exists. (bench_rnn.py refuses to
  time a drifted model too; this catches it without running the benchmark.)

No timing here: the benchmark measures, the suite only checks that what it measures is right.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))

import bench_rnn  # noqa: E402
from _harness import call  # noqa: E402

SHAPES = {
    "one layer": dict(seq=7, batch=3, inp=4, hidden=5, layers=1, bi=False),
    "two layers, bidirectional": dict(seq=6, batch=2, inp=3, hidden=4, layers=2, bi=True),
    "one step": dict(seq=1, batch=2, inp=3, hidden=4, layers=1, bi=True),
}


def _results(contender: str, w: dict) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    c = bench_rnn.build(contender, w)
    return c.read(call(c))


@pytest.mark.parametrize("w", SHAPES.values(), ids=SHAPES.keys())
def test_floor_agrees_with_ours(w):
    y_ours, g_ours = _results("ours", w)
    y_floor, g_floor = _results("floor", w)
    np.testing.assert_allclose(y_floor, y_ours, rtol=1e-5, atol=1e-6)
    assert g_floor.keys() == g_ours.keys()
    for name in g_ours:
        np.testing.assert_allclose(g_floor[name], g_ours[name], rtol=1e-5, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("w", SHAPES.values(), ids=SHAPES.keys())
def test_untaped_is_bit_equal_to_ours(w, monkeypatch):
    """bench_rnn's own guard (output and every gradient bit-equal) passes on these shapes."""
    monkeypatch.setitem(bench_rnn.WORKLOADS, "T", w)
    bench_rnn.check_untaped(["T"])  # raises SystemExit naming what differs


def test_untaped_check_catches_a_drifted_rule(monkeypatch):
    """The same guard refuses a model whose gradients round differently, before any timing."""
    import numpy_untaped

    real = numpy_untaped.direction_backward

    def drifted(x, w, saved, gy, reverse, need_dx):
        grads, dx = real(x, w, saved, gy, reverse, need_dx)
        return tuple(g * np.float32(1 + 2**-20) for g in grads), dx

    monkeypatch.setattr(numpy_untaped, "direction_backward", drifted)
    monkeypatch.setitem(bench_rnn.WORKLOADS, "T", SHAPES["one layer"])
    with pytest.raises(SystemExit, match="no longer computes what our rules compute"):
        bench_rnn.check_untaped(["T"])
