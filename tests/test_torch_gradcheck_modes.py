"""torch.autograd.gradcheck / gradgradcheck with fast_mode=True and check_batched_grad=True.

Every case runs real torch's checker on a torch function and ours on the same function written for
our frontend, and compares the verdicts: correct functions must pass in both, and deliberately wrong
custom backwards (a torch.autograd.Function there, a core Node subclass here) must fail in both,
under every combination of the two options.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from torch.autograd.gradcheck import GradcheckError

import tinygrad_rnn.torch as tt
from tinygrad_rnn.tape import Node


# -- deliberately wrong backwards, the same mistake written for each framework ---------------------
class TorchHalfSquare(torch.autograd.Function):
    """y = x^2 with the factor 2 of its derivative missing."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return g * x


class OurHalfSquare(Node):
    """y = a^2;  da = g * a (wrong: 2 g a)"""

    keep_inputs = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        return a * a

    def backward(self, F: Any, g: Any) -> Any:
        (a,) = self.args(F)
        return g * a


class TorchSquaredGrad(torch.autograd.Function):
    """y = x^2 whose backward squares the incoming gradient: right for one-hot seeds only."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return g * g * 2 * x


class OurSquaredGrad(Node):
    """y = a^2;  da = g^2 * 2a (wrong unless g is one-hot)"""

    keep_inputs = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        return a * a

    def backward(self, F: Any, g: Any) -> Any:
        (a,) = self.args(F)
        return g * g * 2 * a


class TorchDetachedSquare(torch.autograd.Function):
    """y = x^2 with a right first derivative that is not differentiable again (x detached)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return g * 2 * x.detach()


class OurDetachedSquare(Node):
    """y = a^2;  da = 2 g a with a a constant (the second derivative is lost)"""

    keep_inputs = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        return a * a

    def backward(self, F: Any, g: Any) -> Any:
        return g * (2 * self.inputs[0].data)


class TorchSwappedMul(torch.autograd.Function):
    """y = x * w^2 whose backward gives x the gradient meant for w."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x, w)
        return x * w * w

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x, w = ctx.saved_tensors
        return g * 2 * x * w, g * 2 * x * w


class OurSwappedMul(Node):
    """y = a * b^2;  da = 2 g a b (wrong: g b^2), db = 2 g a b"""

    keep_inputs = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a * b * b

    def backward(self, F: Any, g: Any) -> Any:
        a, b = self.args(F)
        return g * 2 * a * b, g * 2 * a * b


# -- the functions: (name, torch version, ours, shapes, verdicts (gradcheck, gradgradcheck) by mode) ----
def _rnn_step(m: Any) -> Callable[..., Any]:
    return lambda x, h, w, u: (x @ w + h @ u).tanh()


def _embed_nll(m: Any, **kw: Any) -> Callable[..., Any]:
    idx, target = m.tensor([[0, 2], [3, 2]]), m.tensor([[1, 0], [2, 2]])
    F = m.nn.functional
    return lambda w: F.nll_loss(F.log_softmax(F.embedding(idx, w, **kw), dim=-1).transpose(1, 2), target)


SLOW, FAST = "slow", "fast"
CORRECT = {"gradcheck": True, "gradgradcheck": True}
CASES: list[tuple[str, Callable[..., Any], Callable[..., Any], list[tuple[int, ...]], dict[str, Any]]] = [
    ("tanh", lambda x: x.tanh(), lambda x: x.tanh(), [(3, 2)], {}),
    ("two outputs", lambda x: (x.sigmoid(), x * x), lambda x: (x.sigmoid(), x * x), [(2, 3)], {}),
    ("rnn step", _rnn_step(torch), _rnn_step(tt), [(2, 3), (2, 4), (3, 4), (4, 4)], {}),
    ("embedding + nll", _embed_nll(torch), _embed_nll(tt), [(4, 3)], {}),
    # by design no gradient reaches the padding row: not the true gradient, so gradcheck fails in both
    ("embedding padding_idx", _embed_nll(torch, padding_idx=3), _embed_nll(tt, padding_idx=3), [(4, 3)],
     {"gradcheck": False}),
    ("repeat_interleave", lambda x: torch.repeat_interleave(x, torch.tensor([2, 0, 1]), dim=1),
     lambda x: tt.repeat_interleave(x, tt.tensor([2, 0, 1]), dim=1), [(2, 3)], {}),
    ("wrong first derivative", TorchHalfSquare.apply, OurHalfSquare.apply, [(3, 2)],
     {"gradcheck": False, "gradgradcheck": True}),
    ("backward not linear in the gradient", TorchSquaredGrad.apply, OurSquaredGrad.apply, [(3, 2)],
     {"gradcheck": {SLOW: True, FAST: False}, "gradgradcheck": True}),
    ("wrong second derivative", TorchDetachedSquare.apply, OurDetachedSquare.apply, [(3, 2)],
     {"gradcheck": True, "gradgradcheck": False}),
    ("wrong gradient of one of two inputs", TorchSwappedMul.apply, OurSwappedMul.apply, [(2, 2), (2, 2)],
     {"gradcheck": False, "gradgradcheck": True}),  # the wrong rule is differentiated consistently
]  # fmt: skip
MODES = [
    {},
    {"fast_mode": True},
    {"check_batched_grad": True},
    {"fast_mode": True, "check_batched_grad": True},
]


def _inputs(m: Any, shapes: list[tuple[int, ...]], seed: int = 0) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    return tuple(m.tensor(rng.uniform(-1.5, 1.5, s), requires_grad=True) for s in shapes)


def _verdict(m: Any, check: str, fn: Callable[..., Any], shapes: list[tuple[int, ...]], mode: dict) -> bool:
    return getattr(m.autograd, check)(fn, _inputs(m, shapes), raise_exception=False, **mode)


@pytest.mark.parametrize("mode", MODES, ids=lambda d: "+".join(d) or "default")
@pytest.mark.parametrize("check", ["gradcheck", "gradgradcheck"])
@pytest.mark.parametrize("name,t_fn,o_fn,shapes,expect", CASES, ids=[c[0] for c in CASES])
def test_verdicts_agree_with_torch(
    name: str, t_fn: Any, o_fn: Any, shapes: Any, expect: Any, check: str, mode: dict
) -> None:
    theirs = _verdict(torch, check, t_fn, shapes, mode)
    ours = _verdict(tt, check, o_fn, shapes, mode)
    assert ours == theirs, f"{name}: torch {theirs}, ours {ours}"
    want = {**CORRECT, **expect}[check]  # what the case was built to show, asserted on torch too
    if isinstance(want, dict):
        want = want[FAST if mode.get("fast_mode") else SLOW]
    assert theirs == want, f"{name}: torch's {check} gave {theirs}, the case expects {want}"


@pytest.mark.parametrize("mode", MODES[1:], ids=lambda d: "+".join(d))
def test_a_failure_raises_gradcheck_error_naming_the_output_and_input(mode: dict) -> None:
    errors = []
    pairs = (
        (GradcheckError, TorchSwappedMul.apply, torch),
        (tt.autograd.GradcheckError, OurSwappedMul.apply, tt),
    )
    for err, fn, m in pairs:
        with pytest.raises(err) as info:
            m.autograd.gradcheck(fn, _inputs(m, [(2, 2), (2, 2)]), **mode)
        errors.append(str(info.value).splitlines()[0])
    assert errors[1] == errors[0] == "Jacobian mismatch for output 0 with respect to input 0,"


def test_fast_mode_failure_message_shows_the_slow_jacobians() -> None:
    with pytest.raises(tt.autograd.GradcheckError) as info:
        tt.autograd.gradcheck(OurHalfSquare.apply, _inputs(tt, [(2,)]), fast_mode=True)
    text = str(info.value)
    assert "numerical:" in text and "analytical:" in text and "Numerical:\n" in text
    assert "max per-element difference (slow mode)" in text


def test_fast_mode_warns_about_single_precision_as_torch() -> None:
    caught = []
    for m in (torch, tt):
        x = m.tensor(np.linspace(-1, 1, 4), dtype=m.float32, requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m.autograd.gradcheck(lambda x: x.tanh(), (x,), fast_mode=True, atol=1e-2, rtol=1e-2)
        caught.append([str(x.message) for x in w if issubclass(x.category, UserWarning)])
    assert caught[1] == caught[0] and caught[0]


class TorchFailsLater(torch.autograd.Function):
    """y = 3x whose backward raises from its fifth call on."""

    calls = 0

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        return x * 3

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor) -> torch.Tensor:
        TorchFailsLater.calls += 1
        if TorchFailsLater.calls > 4:
            raise RuntimeError("backward called again")
        return g * 3


class OurFailsLater(Node):
    """y = 3a;  da = 3g, raising from the fifth call on"""

    calls = 0

    def forward(self, a: np.ndarray) -> np.ndarray:
        return a * 3

    def backward(self, F: Any, g: Any) -> Any:
        OurFailsLater.calls += 1
        if OurFailsLater.calls > 4:
            raise RuntimeError("backward called again")
        return g * 3


def test_batched_grad_wraps_an_error_of_the_batched_backward_as_torch() -> None:
    # torch: two calls for the Jacobian (it checks reentrancy), two for the expected batch, then the
    # vmapped batch meets the error; ours: one, two, then the second call of the batch loop meets it
    messages, verdicts = [], []
    for m, fn in ((torch, TorchFailsLater), (tt, OurFailsLater)):
        for raise_exception in (True, False):
            fn.calls = 0
            x = m.tensor([0.5], dtype=m.float64, requires_grad=True)
            try:
                verdicts.append(
                    m.autograd.gradcheck(
                        fn.apply, (x,), check_batched_grad=True, raise_exception=raise_exception
                    )
                )
            except Exception as e:  # noqa: BLE001 - what is raised is compared
                messages.append((type(e).__name__, str(e).splitlines()[0]))
    assert (
        messages[1]
        == messages[0]
        == ("GradcheckError", "While computing batched gradients, got: backward called again")
    )
    assert verdicts == [False, False]


@pytest.mark.parametrize("option", ["check_forward_ad", "check_batched_forward_grad"])
def test_options_still_not_implemented_say_so(option: str) -> None:
    with pytest.raises(NotImplementedError, match=option):
        tt.autograd.gradcheck(lambda x: x.tanh(), _inputs(tt, [(2,)]), **{option: True})
