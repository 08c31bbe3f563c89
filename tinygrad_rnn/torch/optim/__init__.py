"""torch.optim: the core optimisers with torch's signatures, param_group keys and state_dict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ... import optim as _optim
from ...tape import TensorBase, _wrap
from .._tensor import Tensor
from . import lr_scheduler

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler"]


class Optimizer(_optim.Optimizer):
    """Base: torch's extra group keys, maximize, printing, and tensors in state_dict()."""

    _extra: dict[str, Any] = {}

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
                    s[k] = _wrap(Tensor, v, None, 0)
                elif k == "step":
                    s[k] = _wrap(Tensor, np.asarray(float(v), np.float32), None, 0)
        return sd

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what state_dict() gave (tensors become arrays again)."""
        conv: dict[str, Any] = {"param_groups": state_dict["param_groups"], "state": {}}
        for i, s in state_dict["state"].items():
            d = {}
            for k, v in s.items():
                if isinstance(v, TensorBase):
                    v = int(v.data.item()) if k == "step" else np.array(v.data)
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
        super().__init__(params, lr, momentum, dampening, weight_decay, nesterov)
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
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
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
