"""abs through the MindSpore frontend (ops.abs, Tensor.abs, nn.L1Loss) against real MindSpore 2.10.0:
values (|-0.0| prints 0., as MindSpore's), dtypes and gradients at the edges. The core op and the
torch frontend are checked in test_op_abs.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("GLOG_v", "3")

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402

mindspore.runtime.launch_blocking()

EDGES = [-0.0, 0.0, -2.0, 3.5, np.nan, np.inf, -np.inf]


def _abs(ms, x, entry):
    return ms.ops.abs(x) if entry == "ops.abs" else x.abs()


@pytest.mark.parametrize("entry", ["ops.abs", "Tensor.abs"])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_values_and_gradients_match_mindspore(entry, dtype):
    a = np.array(EDGES, dtype=dtype)
    res = {}
    for ms in (mindspore, tms):
        x = ms.Tensor(a)
        y = _abs(ms, x, entry)
        g = ms.grad(lambda x, ms=ms: (_abs(ms, x, entry) * 3).sum())(x)
        res[ms.__name__] = (y, g, str(y))
    (yo, go, so), (yr, gr, sr) = res["tinygrad_rnn.mindspore"], res["mindspore"]
    assert so == sr  # the printed value, signs of zeros included
    for ours, real in ((yo, yr), (go, gr)):
        assert str(ours.dtype) == str(real.dtype) and ours.shape == real.shape
        np.testing.assert_array_equal(ours.asnumpy(), real.asnumpy())
        np.testing.assert_array_equal(np.signbit(ours.asnumpy()), np.signbit(real.asnumpy()))


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_inputs_match_mindspore(dtype):
    a = np.array([-3, 0, 2]).astype(dtype)
    real, ours = mindspore.ops.abs(mindspore.Tensor(a)), tms.ops.abs(tms.Tensor(a))
    assert str(ours.dtype) == str(real.dtype)
    np.testing.assert_array_equal(ours.asnumpy(), real.asnumpy())


def test_l1_loss_of_equal_inputs_prints_as_mindspore():
    a = np.array([[1.0, -2.0], [0.5, 0.0]], np.float32)
    outs = [str(ms.nn.L1Loss(reduction="none")(ms.Tensor(a), ms.Tensor(a))) for ms in (mindspore, tms)]
    assert outs[0] == outs[1]
