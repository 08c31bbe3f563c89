"""mindspore.nn optimisers: SGD, Momentum, Adam, applied as ``optimizer(grads)``.

MindSpore's gradient preprocessing comes first: weight decay ``g + weight_decay * loss_scale * w`` (for
parameters whose name has neither 'beta' nor 'gamma', or every parameter of a group with
weight_decay > 0), then division by ``loss_scale``. The update rules:

- SGD and Momentum are torch's SGD (the first momentum step stores the gradient itself, dampening
  applies from the second step, Nesterov adds ``momentum * buf``), so they call the core's
  ``optim.SGD.update`` (checked against real MindSpore in tests/test_mindspore_oracle.py);
- Adam is not torch's: MindSpore folds the bias corrections into the step size,
  ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`` and ``w -= lr_t * m / (sqrt(v) + eps)``, so eps is not
  scaled by the bias correction as in torch; the powers ``beta^t`` are float32 running products. That rule
  is implemented here.

The state is held in Parameters with MindSpore's names, dtypes and shapes (all requires_grad=True, as
there): ``global_step`` int32 (1,), the learning rates (float32, 0-d or one value per step:
``learning_rate``, ``learning_rate_group_<i>``), SGD's ``momentum``, ``accum.<name>`` and ``stat.<name>``,
Momentum's ``momentum`` and ``moments.<name>``, Adam's ``beta1_power``, ``beta2_power``,
``moment1.<name>`` and ``moment2.<name>``. They are registered in MindSpore's order, so an optimiser Cell's
or TrainOneStepCell's parameters_dict, and therefore save_checkpoint / load_param_into_net, carry them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ... import optim as core_optim
from .. import _checks
from ..common.parameter import Parameter, ParameterTuple
from .cell import Cell


class Optimizer(Cell):
    """Base optimiser: ``Optimizer(learning_rate, parameters, weight_decay=0.0, loss_scale=1.0)``.

    ``parameters``: Parameters, or group dicts ``{"params": [...], "lr": ..., "weight_decay": ...}``.
    ``learning_rate``: a number, a sequence / 1-D Tensor (one value per step, the last one repeated) or a
    callable of the global step. Calling the optimiser with the gradients (in ``parameters`` order)
    updates the parameters in place and returns a tuple of True.
    """

    def __init__(
        self,
        learning_rate: Any,
        parameters: Iterable[Any],
        weight_decay: float = 0.0,
        loss_scale: float = 1.0,
    ):
        super().__init__(auto_prefix=False)
        cls = type(self).__name__
        items = list(parameters) if parameters is not None else []
        if not items:
            raise ValueError(f"For '{cls}', the argument 'parameters' must not be empty.")
        if isinstance(loss_scale, int) and not isinstance(loss_scale, bool):
            loss_scale = float(loss_scale)
        _checks.value_type("loss_scale", loss_scale, (float,), cls)
        if loss_scale <= 0:
            raise ValueError(f"For '{cls}', the 'loss_scale' must be greater than 0, but got {loss_scale}.")
        _check_lr(cls, learning_rate)
        groups = items if isinstance(items[0], dict) else [{"params": items}]
        object.__setattr__(self, "_late_lr", [])
        self.global_step = Parameter(np.zeros((1,), np.int32), name="global_step")
        lr_params = _lr_parameters(groups, learning_rate)
        params: list[Parameter] = []
        self._lr_of: list[Any] = []
        self._decay_of: list[float] = []
        for gi, g in enumerate(groups):
            wd = _group_decay(cls, g.get("weight_decay", weight_decay))
            key = f"learning_rate_group_{gi}" if "lr" in g else "learning_rate"
            lr = lr_params.get(key, g.get("lr", learning_rate))
            for p in g["params"]:
                if not isinstance(p, Parameter):
                    raise TypeError(
                        f"For '{cls}', all elements of the argument 'params' must be 'Parameter', but got {type(p)}."
                    )
                params.append(p)
                self._lr_of.append(lr)
                decays = (
                    wd > 0
                    if len(groups) > 1 or "weight_decay" in g
                    else "beta" not in p.name and "gamma" not in p.name
                )
                self._decay_of.append(wd * loss_scale if decays else 0.0)  # MindSpore scales it too
        # MindSpore registers the learning rates after global_step, or after the whole state (last) when any
        # of them is dynamic (one value per step); the optimised parameters come next, then the state
        if any(p.ndim for p in lr_params.values()):
            self._late_lr.extend(lr_params)
        for key, p in lr_params.items():
            self.insert_param_to_cell(key, p)
        self.parameters = ParameterTuple(params)
        self.learning_rate = lr_params.get("learning_rate", learning_rate)
        self.loss_scale = loss_scale
        self._move_late_lr()

    def add_state(self, name: str, value: Parameter | ParameterTuple) -> None:
        """Register optimiser state (a Parameter or ParameterTuple) in MindSpore's order."""
        setattr(self, name, value)
        self._move_late_lr()

    def _move_late_lr(self) -> None:
        for key in self._late_lr:  # keep dynamic learning rates last
            self._parameters[key] = self._parameters.pop(key)

    @property
    def step(self) -> int:
        """The number of steps taken (``global_step`` as an int)."""
        return int(self.global_step.array[0])

    def get_lr(self, index: int = 0) -> float:
        """The learning rate of parameter `index` at the current step."""
        lr = self._lr_of[index]
        if callable(lr) and not hasattr(lr, "array"):
            lr = lr(self.step)
        arr = np.asarray(getattr(lr, "array", lr), dtype=np.float32)
        if arr.ndim:
            arr = arr[min(self.step, arr.size - 1)]
        return float(arr)

    def construct(self, gradients: Any) -> tuple[bool, ...]:
        grads = list(gradients)
        if len(grads) != len(self.parameters):  # MindSpore's HyperMap over (params, grads) fails
            raise RuntimeError(
                f"For '{type(self).__name__}', got {len(grads)} gradients for {len(self.parameters)} parameters."
            )
        self.begin_step()
        for i, (p, g) in enumerate(zip(self.parameters, grads)):
            _check_grad(type(self).__name__, i, p, g)
        for i, (p, g) in enumerate(zip(self.parameters, grads)):
            g = np.asarray(getattr(g, "array", g)).astype(p.array.dtype, copy=False)
            if self._decay_of[i]:
                g = g + self._decay_of[i] * p.array
            if self.loss_scale != 1.0:
                g = g / self.loss_scale
            p.array = self.update(i, p.array, g.astype(p.array.dtype, copy=False), self.get_lr(i))
        self.global_step.array = self.global_step.array + np.int32(1)
        return tuple(True for _ in self.parameters)

    def begin_step(self) -> None:
        """Per-step work shared by all parameters (Adam's beta powers)."""

    def update(self, index: int, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        """The new value of parameter `index`."""
        raise NotImplementedError


class SGD(Optimizer):
    """``SGD(params, learning_rate=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
    loss_scale=1.0)`` (torch's rule; the core's SGD update)."""

    def __init__(
        self,
        params: Iterable[Any],
        learning_rate: Any = 0.1,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        loss_scale: float = 1.0,
    ):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        cls = type(self).__name__
        momentum, dampening = _float_arg(cls, "momentum", momentum), _float_arg(cls, "dampening", dampening)
        _checks.value_type("nesterov", nesterov, (bool,), cls)
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError(
                f"For '{cls}', if 'nesterov' is true, 'momentum' must be > 0.0 and 'dampening' must equal to 0.0, "
                f"but got 'momentum' {momentum}, 'dampening' {dampening}."
            )
        self.dampening, self.nesterov = dampening, nesterov
        # weight decay was applied MindSpore's way already; the learning rate is passed per step
        self._core = core_optim.SGD(
            self.parameters, lr=0.0, momentum=momentum, dampening=dampening, nesterov=nesterov
        )
        self.add_state("momentum", Parameter(np.array(momentum, np.float32), name="momentum"))
        self._init_state()

    def _init_state(self) -> None:
        # stat = 1 until the first momentum step, which stores the gradient itself in accum (MindSpore's SGD)
        self.add_state("accum", self.parameters.clone("accum", init="zeros"))
        self.add_state("stat", self.parameters.clone("stat", init="ones"))

    def update(self, index: int, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        core, accum, stat = self._core, self.accum[index], self.stat[index]
        state = {} if np.any(stat.array != 0) else {"momentum_buffer": accum.array}
        w = core.update(w, g, state, dict(core.param_groups[0], lr=lr))
        if "momentum_buffer" in state:  # momentum > 0
            accum.array, stat.array = state["momentum_buffer"], np.zeros_like(stat.array)
        return w


class Momentum(SGD):
    """``Momentum(params, learning_rate, momentum, weight_decay=0.0, loss_scale=1.0, use_nesterov=False)``:
    accum = momentum * accum + g, w -= lr * accum (from accum = 0, i.e. SGD without dampening)."""

    def __init__(
        self,
        params: Iterable[Any],
        learning_rate: Any,
        momentum: float,
        weight_decay: float = 0.0,
        loss_scale: float = 1.0,
        use_nesterov: bool = False,
    ):
        _checks.value_type("use_nesterov", use_nesterov, (bool,), type(self).__name__)
        # real MindSpore 2.10's CPU kernel applies plain momentum whatever use_nesterov says:
        # its numbers are the ones to give (tests/test_mindspore_optimizer_state.py)
        super().__init__(params, learning_rate, momentum, 0.0, weight_decay, False, loss_scale)
        self.use_nesterov = use_nesterov

    def _init_state(self) -> None:
        self.add_state("moments", self.parameters.clone("moments", init="zeros"))

    def update(self, index: int, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        core, moments = self._core, self.moments[index]
        state = {"momentum_buffer": moments.array}  # MindSpore's accum = momentum * accum + g, from 0
        w = core.update(w, g, state, dict(core.param_groups[0], lr=lr))
        # with momentum 0 the core keeps no buffer; MindSpore's accum is then the gradient itself
        moments.array = state["momentum_buffer"] if core.param_groups[0]["momentum"] else g.copy()
        return w


class Adam(Optimizer):
    """``Adam(params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, use_locking=False,
    use_nesterov=False, weight_decay=0.0, loss_scale=1.0)`` with MindSpore's update (module docstring)."""

    def __init__(
        self,
        params: Iterable[Any],
        learning_rate: Any = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        use_locking: bool = False,
        use_nesterov: bool = False,
        weight_decay: float = 0.0,
        loss_scale: float = 1.0,
        use_amsgrad: bool = False,
    ):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        cls = type(self).__name__
        for name, v in (("beta1", beta1), ("beta2", beta2)):
            _checks.value_type(name, v, (float,), cls)
            if not 0.0 < v < 1.0:
                raise ValueError(f"For '{cls}', the '{name}' must be in range (0.0, 1.0), but got {v}.")
        _checks.value_type("eps", eps, (float,), cls)
        if eps <= 0:
            raise ValueError(f"For '{cls}', the 'eps' must be greater than 0, but got {eps}.")
        if use_amsgrad:
            raise NotImplementedError("Adam(use_amsgrad=True) is not implemented in tinygrad_rnn.mindspore")
        self.beta1, self.beta2, self.eps, self.use_nesterov = (
            np.float32(beta1),
            np.float32(beta2),
            eps,
            use_nesterov,
        )
        self.add_state("beta1_power", Parameter(np.array(1, np.float32), name="beta1_power"))
        self.add_state("beta2_power", Parameter(np.array(1, np.float32), name="beta2_power"))
        self.add_state("moment1", self.parameters.clone("moment1", init="zeros"))
        self.add_state("moment2", self.parameters.clone("moment2", init="zeros"))

    def begin_step(self) -> None:
        self.beta1_power.array = np.array(self.beta1_power.array * self.beta1, np.float32)
        self.beta2_power.array = np.array(self.beta2_power.array * self.beta2, np.float32)

    def update(self, index: int, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        b1, b2 = self.beta1, self.beta2
        m1, m2 = self.moment1[index], self.moment2[index]
        m = m1.array = m1.array + (g - m1.array) * (1 - b1)
        v = m2.array = m2.array + (g * g - m2.array) * (1 - b2)
        b1_power, b2_power = np.float32(self.beta1_power.array), np.float32(self.beta2_power.array)
        lr_t = np.float32(lr) * np.sqrt(1 - b2_power) / (1 - b1_power)
        step = m * b1 + (1 - b1) * g if self.use_nesterov else m
        return (w - lr_t * step / (np.sqrt(v) + np.float32(self.eps))).astype(w.dtype, copy=False)


def _lr_parameters(groups: list[dict[str, Any]], default: Any) -> dict[str, Parameter]:
    """MindSpore's learning-rate Parameters: float32, 0-d for a number, 1-D for one value per step.

    ``learning_rate_group_<i>`` for each group with its own "lr", then ``learning_rate`` if a group uses
    the default; a callable schedule has none (it computes the rate from global_step)."""
    wanted = [(f"learning_rate_group_{i}", g["lr"]) for i, g in enumerate(groups) if "lr" in g]
    if any("lr" not in g for g in groups):
        wanted.append(("learning_rate", default))
    out = {}
    for key, lr in wanted:
        if callable(lr) and not hasattr(lr, "array"):
            continue
        out[key] = Parameter(np.array(getattr(lr, "array", lr), dtype=np.float32), name=key)
    return out


def _group_decay(cls: str, wd: Any) -> float:
    """A group's weight decay as a float >= 0 (MindSpore's errors)."""
    if isinstance(wd, bool) or not isinstance(wd, (int, float)):
        raise TypeError(
            f"For 'Optimizer', the argument 'weight_decay' must be int or float, but got {type(wd)}."
        )
    if wd < 0:
        raise ValueError(f"For '{cls}', the 'weight_decay' must be >= 0, but got {float(wd)}.")
    return float(wd)


def _check_lr(cls: str, lr: Any) -> None:
    """A number >= 0 (a Tensor / sequence / callable schedule is taken as given): MindSpore's errors."""
    if isinstance(lr, str):
        raise ValueError(f"For '{cls}', the 'learning_rate' must be a number, but got the string {lr!r}.")
    if isinstance(lr, bool) or (
        not isinstance(lr, (int, float)) and not callable(lr) and not hasattr(lr, "__len__")
    ):
        raise TypeError(
            f"For '{cls}', the 'learning_rate' must be a number, Tensor, list or schedule, but got "
            f"{type(lr)}."
        )
    if isinstance(lr, (int, float)) and lr < 0:
        raise ValueError(
            f"For '{cls}', the 'learning rate' must be float and must >= 0, but got '{float(lr)}' with type "
            f"'{type(lr).__name__}'."
        )


def _check_grad(cls: str, i: int, p: Parameter, g: Any) -> None:
    """A gradient of the parameter's dtype and shape (MindSpore's HyperMap fails otherwise)."""
    data = np.asarray(getattr(g, "array", g))
    if data.dtype != p.array.dtype:
        raise RuntimeError(
            f"For '{cls}', gradient {i} must have the dtype of parameter '{p.name}' ({p.array.dtype}), "
            "but got "
            f"{data.dtype}."
        )
    if data.shape != p.array.shape:
        raise RuntimeError(
            f"For '{cls}', gradient {i} must have the shape of parameter '{p.name}' {p.array.shape}, but got "
            f"{data.shape}."
        )


def _float_arg(cls: str, name: str, v: Any) -> float:
    if isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    if not isinstance(v, float):
        raise TypeError(f"For '{cls}', the argument '{name}' must be float type, but got {type(v)}.")
    if v < 0.0:
        raise ValueError(f"For '{cls}', the argument '{name}' must be at least 0.0, but got {v}.")
    return v
