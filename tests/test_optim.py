"""The core optimisers, clipping, schedules and losses against torch.optim / torch.nn over many steps.

Each test starts both libraries from the same numpy weights, feeds them the same gradients of a
small nonlinear loss for several steps, and compares the parameters after every step. The
optimiser state dict round trip is checked by swapping optimisers half way.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_rnn import Tensor, functional, optim
from tinygrad_rnn.nn import Parameter

torch = pytest.importorskip("torch")

STEPS = 12


def _problem(dtype=np.float64, seed=0):
    """Two weights and a fixed batch; loss = mean(tanh(x @ w1) @ w2 - y)^2 (so gradients change)."""
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((4, 5)).astype(dtype)
    w2 = rng.standard_normal((5, 2)).astype(dtype)
    x = rng.standard_normal((8, 4)).astype(dtype)
    y = rng.standard_normal((8, 2)).astype(dtype)
    return [w1, w2], x, y


def _ours_loss(ps, x, y):
    return functional.mse_loss((Tensor(x) @ ps[0]).tanh() @ ps[1], y)


def _torch_loss(ps, x, y):
    return torch.nn.functional.mse_loss(torch.tanh(torch.from_numpy(x) @ ps[0]) @ ps[1], torch.from_numpy(y))


def _run_pair(make_ours, make_torch, dtype=np.float64, steps=STEPS, clip=None, sched=None):
    ws, x, y = _problem(dtype)
    ours = [Parameter(w.copy()) for w in ws]
    theirs = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in ws]
    o_opt, t_opt = make_ours(ours), make_torch(theirs)
    o_s = sched[0](o_opt) if sched else None
    t_s = sched[1](t_opt) if sched else None
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    for step in range(steps):
        o_opt.zero_grad()
        _ours_loss(ours, x, y).backward()
        t_opt.zero_grad()
        _torch_loss(theirs, x, y).backward()
        if clip is not None:
            on = optim.clip_grad_norm_(ours, clip[0], clip[1])
            tn = torch.nn.utils.clip_grad_norm_(theirs, clip[0], clip[1])
            np.testing.assert_allclose(float(on.item()), float(tn), rtol=1e-6)
        o_opt.step()
        t_opt.step()
        if o_s is not None:
            o_s.step()
            t_s.step()
            np.testing.assert_allclose(o_s.get_last_lr(), t_s.get_last_lr(), rtol=1e-12, atol=1e-15)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.data, b.detach().numpy(), err_msg=f"step {step + 1}", **tol)
    return ours, theirs, o_opt, t_opt


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.01),
    dict(lr=0.05, momentum=0.8, weight_decay=0.05, nesterov=True),
]


@pytest.mark.parametrize("kw", SGD_CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_sgd_matches_torch(kw):
    _run_pair(lambda p: optim.SGD(p, **kw), lambda p: torch.optim.SGD(p, **kw))


ADAM_CASES = [
    dict(lr=0.01),
    dict(lr=0.05, betas=(0.8, 0.99)),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.02, eps=1e-3),
]


@pytest.mark.parametrize("kw", ADAM_CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_adam_matches_torch(kw):
    _run_pair(lambda p: optim.Adam(p, **kw), lambda p: torch.optim.Adam(p, **kw))


@pytest.mark.parametrize("kw", [dict(lr=0.01), dict(lr=0.02, weight_decay=0.3), dict(lr=0.01, amsgrad=True)])
def test_adamw_matches_torch(kw):
    _run_pair(lambda p: optim.AdamW(p, **kw), lambda p: torch.optim.AdamW(p, **kw))


def test_adamw_default_weight_decay_is_torchs():
    p = Parameter(np.zeros(2, np.float32))
    assert optim.AdamW([p]).param_groups[0]["weight_decay"] == 1e-2
    assert torch.optim.AdamW([torch.nn.Parameter(torch.zeros(2))]).param_groups[0]["weight_decay"] == 1e-2


@pytest.mark.parametrize("make", ["sgd", "adam"])
def test_float32_parameters_stay_float32_and_match(make):
    if make == "sgd":
        ours, *_ = _run_pair(
            lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
            lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
            dtype=np.float32,
        )
    else:
        ours, *_ = _run_pair(
            lambda p: optim.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01), dtype=np.float32
        )
    assert all(p.data.dtype == np.float32 for p in ours)


def test_param_groups_with_their_own_lr():
    ws, x, y = _problem()
    ours = [Parameter(w.copy()) for w in ws]
    theirs = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in ws]
    o = optim.SGD([{"params": [ours[0]]}, {"params": [ours[1]], "lr": 0.01}], lr=0.1, momentum=0.5)
    t = torch.optim.SGD([{"params": [theirs[0]]}, {"params": [theirs[1]], "lr": 0.01}], lr=0.1, momentum=0.5)
    for _ in range(5):
        o.zero_grad()
        _ours_loss(ours, x, y).backward()
        o.step()
        t.zero_grad()
        _torch_loss(theirs, x, y).backward()
        t.step()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("max_norm,norm_type", [(0.5, 2.0), (100.0, 2.0), (0.1, 1.0), (0.2, math.inf)])
def test_clip_grad_norm_matches_torch_inside_training(max_norm, norm_type):
    _run_pair(
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        clip=(max_norm, norm_type),
    )


def test_clip_grad_norm_without_gradients_returns_zero():
    p = Parameter(np.ones(3, np.float32))
    assert float(optim.clip_grad_norm_([p], 1.0).item()) == 0.0


def test_step_lr_matches_torch():
    _run_pair(
        lambda p: optim.SGD(p, lr=0.1),
        lambda p: torch.optim.SGD(p, lr=0.1),
        steps=10,
        sched=(
            lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
            lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5),
        ),
    )


def test_cosine_lr_matches_torch():
    _run_pair(
        lambda p: optim.Adam(p, lr=0.05),
        lambda p: torch.optim.Adam(p, lr=0.05),
        steps=10,
        sched=(
            lambda o: optim.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
        ),
    )


def test_scheduler_state_dict_round_trip():
    p = Parameter(np.zeros(1, np.float32))
    o = optim.SGD([p], lr=1.0)
    s = optim.CosineAnnealingLR(o, T_max=8)
    for _ in range(3):
        s.step()
    o2 = optim.SGD([Parameter(np.zeros(1, np.float32))], lr=1.0)
    s2 = optim.CosineAnnealingLR(o2, T_max=8)
    s2.load_state_dict(s.state_dict())
    s.step()
    s2.step()
    assert s.get_last_lr() == s2.get_last_lr()


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_state_dict_round_trip_continues_identically(name):
    """Train 6 steps; copy weights + state_dict into a fresh optimiser at step 3: same result."""
    make = {
        "sgd": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        "adam": lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
        "adamw": lambda p: optim.AdamW(p, lr=0.01),
    }[name]
    ws, x, y = _problem()
    a = [Parameter(w.copy()) for w in ws]
    oa = make(a)
    b = [Parameter(w.copy()) for w in ws]
    ob = make(b)
    for step in range(6):
        if step == 3:  # "resume": new parameters and optimiser, loaded from a's
            b = [Parameter(p.data.copy()) for p in a]
            ob = make(b)
            ob.load_state_dict(oa.state_dict())
        for ps, o in ((a, oa), (b, ob)):
            o.zero_grad()
            _ours_loss(ps, x, y).backward()
            o.step()
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.data, q.data)


def test_state_dict_layout_is_torchs():
    ws, x, y = _problem()
    ours = [Parameter(w.copy()) for w in ws]
    theirs = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in ws]
    o, t = optim.Adam(ours, lr=0.01), torch.optim.Adam(theirs, lr=0.01)
    for opt, loss in ((o, _ours_loss(ours, x, y)), (t, _torch_loss(theirs, x, y))):
        loss.backward()
        opt.step()
    so, st = o.state_dict(), t.state_dict()
    assert sorted(so["state"]) == sorted(st["state"]) == [0, 1]
    assert so["param_groups"][0]["params"] == st["param_groups"][0]["params"]
    for i in (0, 1):
        assert set(so["state"][i]) == set(st["state"][i])
        np.testing.assert_allclose(so["state"][i]["exp_avg"], st["state"][i]["exp_avg"].numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    "make,msg",
    [
        (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0"),
        (lambda p: optim.Adam(p, eps=-1), "Invalid epsilon"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    ],
)
def test_bad_hyper_parameters_raise_value_error(make, msg):
    with pytest.raises(ValueError, match=msg):
        make([Parameter(np.zeros(2, np.float32))] if "empty" not in msg else [])


def test_losses_match_torch():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    logits, target = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    for red in ("mean", "sum", "none"):
        x = Tensor(a, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        ours = functional.mse_loss(x, b, reduction=red)
        theirs = torch.nn.functional.mse_loss(tx, torch.tensor(b), reduction=red)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)

        z = Tensor(logits, requires_grad=True)
        tz = torch.tensor(logits, requires_grad=True)
        ours = functional.cross_entropy(z, target, reduction=red)
        theirs = torch.nn.functional.cross_entropy(tz, torch.tensor(target), reduction=red)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(z.grad.data, tz.grad.numpy(), rtol=1e-12)


def test_cross_entropy_over_a_sequence_axis_matches_torch():
    """(batch, classes, time) logits, as torch takes them for per-step classification."""
    rng = np.random.default_rng(2)
    logits, target = rng.standard_normal((3, 4, 5)), rng.integers(0, 4, (3, 5))
    ours = functional.cross_entropy(Tensor(logits), target)
    theirs = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
