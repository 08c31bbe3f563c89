"""torch.optim: the core optimisers with torch's signatures, param_group keys and state_dict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ... import optim as _optim
from ...tape import TensorBase, make_tensor
from .._tensor import Tensor
from . import lr_scheduler

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler"]


def _params(params: Any) -> list[Any]:
    """torch's check of the params argument: an iterable of Tensors or of dicts, never a bare Tensor."""
    if isinstance(params, TensorBase):
        raise TypeError(
            "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
            + params.type()
        )
    if isinstance(params, (str, dict)) or not isinstance(params, Iterable):
        raise TypeError(
            "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
            + type(params).__name__
        )
    return list(params)


class Optimizer(_optim.Optimizer):
    """Base: torch's extra group keys, maximize, printing, and tensors in state_dict()."""

    _extra: dict[str, Any] = {}

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group, with torch's checks: Tensors only, leaves only, each in one group only."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        ps = param_group["params"]
        ps = [ps] if isinstance(ps, TensorBase) else list(_params(ps) if not isinstance(ps, set) else ps)
        for p in ps:
            if not isinstance(p, TensorBase):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + type(p).__name__
                )
            if p._node is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in ps):
            raise ValueError("some parameters appear in more than one parameter group")
        super().add_param_group({**param_group, "params": ps})

    def _add_extra(self, extra: dict[str, Any]) -> None:
        self.defaults.update(extra)
        for g in self.param_groups:
            for k, v in extra.items():
                g.setdefault(k, v)

    def update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> np.ndarray:
        if group.get("maximize"):
            g = -g
        return super().update(w, g, state, group)

    def state_dict(self) -> dict[str, Any]:
        """torch's layout; per-parameter buffers (and Adam's step) as tensors."""
        sd = super().state_dict()
        for s in sd["state"].values():
            for k, v in s.items():
                if isinstance(v, np.ndarray):
                    s[k] = make_tensor(Tensor, v, None, 0)
                elif k == "step":
                    s[k] = make_tensor(Tensor, np.asarray(float(v), np.float32), None, 0)
        return sd

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what state_dict() gave (tensors become arrays again)."""
        state_dict = state_dict.copy()  # torch's first step (and its AttributeError for a non-dict)
        conv: dict[str, Any] = {"param_groups": state_dict["param_groups"], "state": {}}
        for i, s in state_dict["state"].items():
            d = {}
            for k, v in s.items():
                if isinstance(v, TensorBase):
                    v = int(v.array.item()) if k == "step" else np.array(v.array)
                d[k] = v
            conv["state"][i] = d
        super().load_state_dict(conv)

    def __repr__(self) -> str:
        s = type(self).__name__ + " ("
        for i, g in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for k in sorted(g):
                if k != "params":
                    s += f"    {k}: {g[k]}\n"
        return s + ")"


class SGD(Optimizer, _optim.SGD):
    """SGD with momentum, dampening, Nesterov, weight decay (and maximize)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ):
        super().__init__(_params(params), lr, momentum, dampening, weight_decay, nesterov)
        self._add_extra(dict(maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused))


class Adam(Optimizer, _optim.Adam):
    """Adam (AMSGrad, L2 or decoupled weight decay, maximize)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ):
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(_params(params), lr, betas, eps, weight_decay, amsgrad)
        self._add_extra(
            dict(
                maximize=maximize,
                foreach=foreach,
                capturable=capturable,
                differentiable=differentiable,
                fused=fused,
                decoupled_weight_decay=decoupled_weight_decay,
            )
        )
        self.decoupled = decoupled_weight_decay

    def update(self, w, g, state, group):
        self.decoupled = bool(group.get("decoupled_weight_decay", self.decoupled))
        return super().update(w, g, state, group)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
