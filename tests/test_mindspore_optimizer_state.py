"""Optimiser state lives in Parameters, as in real MindSpore 2.10.0 (the oracle), so checkpoints carry it.

The same builder runs on `mindspore` and on `tinygrad_rnn.mindspore`: the TrainOneStepCell's
parameters_dict (names, order, shapes, dtypes, requires_grad) must equal real MindSpore's, and a training
checkpoint written by one side must resume training on the other with the losses the writer would have
produced itself. Every expected value comes from real MindSpore or from an uninterrupted run.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

from typing import Any  # noqa: E402

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402

sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it; keep the default

REAL, OURS = mindspore, tms
RTOL = 1e-6
RNG = np.random.default_rng(15)
W0 = RNG.standard_normal((2, 3)).astype(np.float32)
B0 = RNG.standard_normal(2).astype(np.float32)
XS = [RNG.standard_normal((8, 3)).astype(np.float32) for _ in range(5)]
YS = [RNG.standard_normal((8, 2)).astype(np.float32) for _ in range(5)]

OPTIMIZERS = {
    "adam": lambda nn, p: nn.Adam(p, 0.01),
    "adam_nesterov_decay": lambda nn, p: nn.Adam(p, 0.01, use_nesterov=True, weight_decay=0.1),
    "adam_lr_per_step": lambda nn, p: nn.Adam(p, [0.01, 0.02, 0.03, 0.04, 0.05]),
    "adam_groups": lambda nn, p: nn.Adam([{"params": [p[0]], "lr": 0.02}, {"params": [p[1]]}], 0.01),
    "sgd": lambda nn, p: nn.SGD(p, 0.05),
    "sgd_momentum": lambda nn, p: nn.SGD(p, 0.05, momentum=0.9),
    "sgd_dampening": lambda nn, p: nn.SGD(p, 0.05, momentum=0.9, dampening=0.3),
    "sgd_nesterov": lambda nn, p: nn.SGD(p, 0.05, momentum=0.9, nesterov=True),
    "momentum": lambda nn, p: nn.Momentum(p, 0.05, 0.9),
    # real MindSpore 2.10 (CPU) applies plain momentum here whatever use_nesterov says: ours too
    "momentum_nesterov": lambda nn, p: nn.Momentum(p, 0.05, 0.9, use_nesterov=True),
}
KINDS = pytest.mark.parametrize("kind", list(OPTIMIZERS))


def train_net(ms: Any, kind: str) -> tuple[Any, Any]:
    """Dense(3, 2) from fixed weights + MSELoss in a TrainOneStepCell with optimiser `kind`."""
    nn = ms.nn
    net = nn.Dense(3, 2)
    net.weight.set_data(ms.Tensor(W0.copy()))
    net.bias.set_data(ms.Tensor(B0.copy()))
    opt = OPTIMIZERS[kind](nn, net.trainable_params())
    return nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt), opt


def steps(ms: Any, tn: Any, which: range) -> list[float]:
    """The losses of the training steps on batches `which`."""
    return [float(tn(ms.Tensor(XS[i]), ms.Tensor(YS[i])).asnumpy()) for i in which]


def layout(cell: Any) -> list[tuple[str, tuple[int, ...], str, bool]]:
    return [(k, tuple(p.shape), str(p.dtype), p.requires_grad) for k, p in cell.parameters_dict().items()]


def values(cell: Any) -> dict[str, np.ndarray]:
    return {k: p.asnumpy().copy() for k, p in cell.parameters_dict().items()}


def load_into(ms: Any, path: str, cell: Any) -> None:
    """load_checkpoint + load_param_into_net, every entry used both ways."""
    not_loaded, unused = ms.load_param_into_net(cell, ms.load_checkpoint(path))
    assert not not_loaded and not unused, (not_loaded, unused)


def assert_losses(ours: list[float], real: list[float]) -> None:
    np.testing.assert_allclose(ours, real, rtol=RTOL, atol=0)


@KINDS
def test_state_parameters_match_mindspores(kind):
    (tn_r, opt_r), (tn_o, opt_o) = train_net(REAL, kind), train_net(OURS, kind)
    assert_losses(steps(OURS, tn_o, range(2)), steps(REAL, tn_r, range(2)))
    assert layout(tn_o) == layout(tn_r)
    assert layout(opt_o) == layout(opt_r)
    for what in ("trainable_params", "untrainable_params", "get_parameters"):
        names = [[p.name for p in getattr(c, what)()] for c in (tn_o, tn_r, opt_o, opt_r)]
        assert names[0] == names[1] and names[2] == names[3], what
    assert [p.name for p in opt_o.parameters] == [p.name for p in opt_r.parameters] == ["weight", "bias"]
    real = values(tn_r)
    for k, v in values(tn_o).items():  # the state after two steps, not only its layout
        np.testing.assert_allclose(v, real[k], rtol=RTOL, atol=1e-8, err_msg=k)
        assert v.dtype == real[k].dtype, k


@KINDS
@pytest.mark.parametrize("writer", ["ours", "mindspore"])
def test_a_checkpoint_resumes_training_on_the_other_side(tmp_path, kind, writer):
    ms_w, ms_r = (OURS, REAL) if writer == "ours" else (REAL, OURS)
    tn_w, _ = train_net(ms_w, kind)
    steps(ms_w, tn_w, range(3))
    path = str(tmp_path / "train.ckpt")
    ms_w.save_checkpoint(tn_w, path)
    tn_r, opt_r = train_net(ms_r, kind)
    load_into(ms_r, path, tn_r)
    assert int(opt_r.global_step.asnumpy()[0]) == 3
    assert_losses(steps(ms_r, tn_r, range(3, 5)), steps(ms_w, tn_w, range(3, 5)))


@KINDS
def test_our_resume_equals_an_uninterrupted_run_bit_for_bit(tmp_path, kind):
    full, _ = train_net(OURS, kind)
    losses = steps(OURS, full, range(5))
    first, _ = train_net(OURS, kind)
    assert steps(OURS, first, range(3)) == losses[:3]
    path = str(tmp_path / "ours.ckpt")
    OURS.save_checkpoint(first, path)
    resumed, _ = train_net(OURS, kind)
    load_into(OURS, path, resumed)
    assert steps(OURS, resumed, range(3, 5)) == losses[3:]
    end, end_resumed = values(full), values(resumed)
    assert list(end) == list(end_resumed)
    for k in end:
        assert end[k].tobytes() == end_resumed[k].tobytes(), k


def test_without_the_state_adam_does_not_resume():
    """The check above can fail: weights alone (the old checkpoints) give different losses than Adam's
    state does on real MindSpore."""
    tn_w, _ = train_net(REAL, "adam")
    steps(REAL, tn_w, range(3))
    tn_o, opt_o = train_net(OURS, "adam")
    weights = {k: OURS.Parameter(OURS.Tensor(v), name=k) for k, v in values(tn_w).items() if "." not in k}
    OURS.load_param_into_net(tn_o, {k: v for k, v in weights.items() if k in ("weight", "bias")})
    ours, real = steps(OURS, tn_o, range(3, 5)), steps(REAL, tn_w, range(3, 5))
    assert not np.allclose(ours, real, rtol=RTOL, atol=0)
