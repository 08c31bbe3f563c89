"""sqrt through the MindSpore frontend (ops.sqrt and Tensor.sqrt) against real MindSpore 2.10.0:
values, dtypes (integers and booleans give float32), gradients and gradients of gradients.
The core op and the torch frontend are checked in test_new_op_sqrt.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("GLOG_v", "3")

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402

mindspore.runtime.launch_blocking()


def _sqrt(ms, x, entry):
    return ms.ops.sqrt(x) if entry == "ops.sqrt" else x.sqrt()


@pytest.mark.parametrize("entry", ["ops.sqrt", "Tensor.sqrt"])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_values_gradients_and_second_gradients_match_mindspore(entry, dtype):
    a = np.array([[0.25, 1.0, 4.0], [2.0, 9.0, 1.0]], dtype=dtype)
    res = {}
    for ms in (mindspore, tms):
        x = ms.Tensor(a)
        value, g = ms.value_and_grad(lambda x, ms=ms: (_sqrt(ms, x, entry) ** 3).sum())(x)
        gg = ms.grad(ms.grad(lambda x, ms=ms: _sqrt(ms, x, entry).sum()))(x)
        res[ms.__name__] = [_sqrt(ms, x, entry), value, g, gg]
    tol = 1e-3 if dtype == np.float16 else 1e-5
    for ours, real in zip(res["tinygrad_rnn.mindspore"], res["mindspore"]):
        assert str(ours.dtype) == str(real.dtype) and ours.shape == real.shape
        np.testing.assert_allclose(ours.asnumpy().astype(float), real.asnumpy().astype(float), rtol=tol)


@pytest.mark.parametrize("entry", ["ops.sqrt", "Tensor.sqrt"])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
def test_integer_and_bool_inputs_give_float32_like_mindspore(entry, dtype):
    a = np.array([0, 1, 4, 9]).astype(dtype)
    real, ours = _sqrt(mindspore, mindspore.Tensor(a), entry), _sqrt(tms, tms.Tensor(a), entry)
    assert str(ours.dtype) == str(real.dtype) == "Float32"
    np.testing.assert_allclose(ours.asnumpy(), real.asnumpy(), rtol=1e-6)
