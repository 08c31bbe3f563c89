"""The model in each framework: the same RNN + Linear head built with the core, the torch frontend or
the MindSpore frontend (or the real framework passed in as `module`), behind one Backend interface.

The frontends are imported here and nowhere else in the training package.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tasks import Task
from .config import CELLS, CheckpointError, TrainConfig, lr_schedule


class Backend:
    """Interface of a model backend (numpy arrays in, numpy arrays and floats out)."""

    name = ""

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One forward/backward/clip/update; returns the batch loss."""
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs on the scored steps, (batch, n_scored, output_size), without recording a graph."""
        raise NotImplementedError

    def set_lr(self, lr: float) -> None:
        raise NotImplementedError

    def step_state(self, x: np.ndarray, h: Any) -> tuple[np.ndarray, Any]:
        """One time step for sampling: x (1, 1, input_size) -> (outputs (output_size,), new state)."""
        raise NotImplementedError

    def model_arrays(self) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def load_model_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def optimizer_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def load_optimizer_state(self, sd: dict[str, Any]) -> None:
        raise NotImplementedError


def _make_core_optimizer(optim: Any, params: list[Any], cfg: TrainConfig) -> Any:
    if cfg.optimizer == "adam":
        return optim.Adam(params, lr=cfg.lr)
    if cfg.optimizer == "adamw":
        return optim.AdamW(params, lr=cfg.lr, weight_decay=1e-2)
    return optim.SGD(params, lr=cfg.lr, momentum=0.9, nesterov=True)


class CoreBackend(Backend):
    """The core: nn.RNN (batch_first) + nn.Linear on the scored steps, core optimisers."""

    name = "core"

    def __init__(self, task: Task, cfg: TrainConfig):
        from .. import functional as F
        from .. import nn, optim
        from ..random import manual_seed
        from ..tape import no_grad
        from ..tensor import Tensor

        self.F, self.optim, self.Tensor, self.no_grad = F, optim, Tensor, no_grad
        self.task, self.cfg = task, cfg
        manual_seed(cfg.seed)
        self.rnn = getattr(nn, CELLS[cfg.cell])(task.input_size, cfg.hidden, cfg.layers, batch_first=True)
        self.head = nn.Linear(cfg.hidden, task.output_size)
        self.params = list(self.rnn.parameters()) + list(self.head.parameters())
        self.opt = _make_core_optimizer(optim, self.params, cfg)

    def _forward(self, x: np.ndarray) -> Any:
        out, _ = self.rnn(self.Tensor(x))
        return self.head(out[:, -self.task.n_scored :])

    def train_step(self, x, y):
        pred = self._forward(x)
        if self.task.classification:
            loss = self.F.cross_entropy(pred.reshape(-1, self.task.output_size), y.reshape(-1))
        else:
            loss = self.F.mse_loss(pred, y)
        self.opt.zero_grad()
        loss.backward()
        if self.cfg.clip:
            self.optim.clip_grad_norm_(self.params, self.cfg.clip)
        self.opt.step()
        return float(loss.item())

    def predict(self, x):
        with self.no_grad():
            return self._forward(x).numpy()

    def set_lr(self, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr

    def step_state(self, x, h):
        with self.no_grad():
            out, h = self.rnn(self.Tensor(x), h)
            return self.head(out).numpy().reshape(-1), h

    def _modules(self) -> dict[str, Any]:
        return {"rnn": self.rnn, "head": self.head}

    def model_arrays(self):
        return {
            f"{m}.{k}": np.array(v.numpy())
            for m, mod in self._modules().items()
            for k, v in mod.state_dict().items()
        }

    def load_model_arrays(self, arrays):
        for m, mod in self._modules().items():
            mod.load_state_dict({k[len(m) + 1 :]: v for k, v in arrays.items() if k.startswith(m + ".")})

    def optimizer_state(self):
        return self.opt.state_dict()

    def load_optimizer_state(self, sd):
        self.opt.load_state_dict(sd)


def _to_numpy(t: Any) -> np.ndarray:
    for attr in ("numpy", "asnumpy"):
        if hasattr(t, attr):
            try:
                return np.array(getattr(t.detach() if hasattr(t, "detach") else t, attr)())
            except TypeError:
                continue
    return np.array(t)


class TorchBackend(Backend):
    """The model written against a torch-like module `T` (tinygrad_rnn.torch, or the real torch)."""

    name = "torch"

    def __init__(self, task: Task, cfg: TrainConfig, T: Any = None):
        if T is None:
            from .. import torch as T  # noqa: N812 - the frontend is meant to be bound to "torch"
        self.T, self.task, self.cfg = T, task, cfg
        T.manual_seed(cfg.seed)
        n_scored, out_size = task.n_scored, task.output_size

        class Model(T.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.rnn = getattr(T.nn, CELLS[cfg.cell])(
                    task.input_size, cfg.hidden, cfg.layers, batch_first=True
                )
                self.head = T.nn.Linear(cfg.hidden, out_size)

            def forward(self, x: Any) -> Any:
                out, _ = self.rnn(x)
                return self.head(out[:, -n_scored:])

        self.model = Model()
        ps = list(self.model.parameters())
        if cfg.optimizer == "adam":
            self.opt = T.optim.Adam(ps, lr=cfg.lr)
        elif cfg.optimizer == "adamw":
            self.opt = T.optim.AdamW(ps, lr=cfg.lr, weight_decay=1e-2)
        else:
            self.opt = T.optim.SGD(ps, lr=cfg.lr, momentum=0.9, nesterov=True)
        self.loss_fn = T.nn.CrossEntropyLoss() if task.classification else T.nn.MSELoss()

    def train_step(self, x, y):
        T = self.T
        pred = self.model(T.from_numpy(x))
        yt = T.from_numpy(y)
        if self.task.classification:
            loss = self.loss_fn(pred.reshape(-1, self.task.output_size), yt.reshape(-1))
        else:
            loss = self.loss_fn(pred, yt)
        self.opt.zero_grad()
        loss.backward()
        if self.cfg.clip:
            T.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip)
        self.opt.step()
        return float(loss.item())

    def predict(self, x):
        with self.T.no_grad():
            return _to_numpy(self.model(self.T.from_numpy(x)))

    def set_lr(self, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr

    def step_state(self, x, h):
        with self.T.no_grad():
            out, h = self.model.rnn(self.T.from_numpy(x), h)
            return _to_numpy(self.model.head(out)).reshape(-1), h

    def model_arrays(self):
        return {k: _to_numpy(v) for k, v in self.model.state_dict().items()}

    def load_model_arrays(self, arrays):
        self.model.load_state_dict({k: self.T.from_numpy(np.array(v)) for k, v in arrays.items()})

    def optimizer_state(self):
        sd = self.opt.state_dict()
        return {
            "state": {
                int(i): {k: (_to_numpy(v) if hasattr(v, "shape") else v) for k, v in s.items()}
                for i, s in sd["state"].items()
            },
            "param_groups": sd["param_groups"],
        }

    def load_optimizer_state(self, sd):
        T = self.T
        state = {
            int(i): {k: (T.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v) for k, v in s.items()}
            for i, s in sd["state"].items()
        }
        self.opt.load_state_dict({"state": state, "param_groups": sd["param_groups"]})


class MindSporeBackend(Backend):
    """The model written against tinygrad_rnn.mindspore: nn.Cell, nn.RNN, nn.Dense, value_and_grad,
    optimizer(grads). The schedule is MindSpore's dynamic learning rate: one value per step."""

    name = "mindspore"

    def __init__(self, task: Task, cfg: TrainConfig, ms: Any = None):
        if ms is None:
            from .. import mindspore as ms
        self.ms, self.task, self.cfg = ms, task, cfg
        nn = ms.nn
        ms.set_seed(cfg.seed)
        n_scored, out_size, hidden = task.n_scored, task.output_size, cfg.hidden

        class Model(nn.Cell):
            def __init__(self) -> None:
                super().__init__()
                self.rnn = getattr(nn, CELLS[cfg.cell])(task.input_size, hidden, cfg.layers, batch_first=True)
                self.head = nn.Dense(hidden, out_size)

            def construct(self, x: Any) -> Any:
                out, _ = self.rnn(x)
                out = out[:, -n_scored:]
                b, t = out.shape[0], out.shape[1]
                return self.head(out.reshape(b * t, hidden)).reshape(b, t, out_size)

        self.model = Model()
        self.model.set_train(True)
        ps = self.model.trainable_params()
        lr = [v for v in lr_schedule(cfg) for _ in range(cfg.steps)]  # per step, indexed by global_step
        if cfg.optimizer == "sgd":
            self.opt = nn.SGD(ps, learning_rate=lr, momentum=0.9, nesterov=True)
        elif cfg.optimizer == "adamw":
            self.opt = nn.Adam(ps, learning_rate=lr, weight_decay=1e-2)  # L2 decay: MindSpore's Adam
        else:
            self.opt = nn.Adam(ps, learning_rate=lr)
        if task.classification:
            self.loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
        else:
            self.loss_fn = nn.MSELoss()

        def forward_fn(x: Any, y: Any) -> Any:
            pred = self.model(x)
            if task.classification:
                return self.loss_fn(pred.reshape(-1, out_size), y.reshape(-1))
            return self.loss_fn(pred, y)

        self.grad_fn = ms.value_and_grad(forward_fn, None, self.opt.parameters)

    def _clip(self, grads: Any) -> Any:
        clip = getattr(self.ms.ops, "clip_by_global_norm", None)
        if clip is not None:
            return clip(grads, self.cfg.clip)
        arrays = [_to_numpy(g) for g in grads]  # the same rule by hand
        total = math.sqrt(sum(float(np.sum(a.astype(np.float64) ** 2)) for a in arrays))
        coef = min(self.cfg.clip / (total + 1e-6), 1.0)
        return tuple(self.ms.Tensor((a * coef).astype(a.dtype)) for a in arrays)

    def train_step(self, x, y):
        ms = self.ms
        loss, grads = self.grad_fn(ms.Tensor(x), ms.Tensor(y))
        if self.cfg.clip:
            grads = self._clip(grads)
        self.opt(grads)
        return float(_to_numpy(loss))

    def predict(self, x):
        self.model.set_train(False)
        try:
            return _to_numpy(self.model(self.ms.Tensor(x)))
        finally:
            self.model.set_train(True)

    def set_lr(self, lr):
        pass  # the per-step schedule was given to the optimiser

    def step_state(self, x, h):
        out, h = self.model.rnn(self.ms.Tensor(x), h)
        return _to_numpy(self.model.head(out.reshape(1, self.cfg.hidden))).reshape(-1), h

    def model_arrays(self):
        return {k: _to_numpy(v) for k, v in self.model.parameters_dict().items()}

    def load_model_arrays(self, arrays):
        params = {k: self.ms.Parameter(self.ms.Tensor(np.array(v)), name=k) for k, v in arrays.items()}
        not_loaded = self.ms.load_param_into_net(self.model, params)
        if any(not_loaded):
            raise CheckpointError(f"checkpoint does not fit the model: not loaded {not_loaded}")

    def optimizer_state(self):
        # MindSpore keeps an optimiser's state in its Parameters (global_step, moments, beta powers, ...),
        # named as in a checkpoint of the optimiser Cell; the optimised parameters are the model's
        model = {id(p) for p in self.opt.parameters}
        return {k: _to_numpy(p) for k, p in self.opt.parameters_dict().items() if id(p) not in model}

    def load_optimizer_state(self, sd):
        own = self.optimizer_state()
        sd = self._from_earlier(sd, own)
        for k, v in sd.items():
            if k not in own or not isinstance(v, np.ndarray) or np.shape(v) != own[k].shape:
                raise CheckpointError(f"optimizer state {k!r} does not fit this optimizer")
        if set(own) - set(sd):
            raise CheckpointError(f"optimizer state lacks {sorted(set(own) - set(sd))}")
        params = {k: self.ms.Parameter(self.ms.Tensor(np.array(v)), name=k) for k, v in sd.items()}
        self.ms.load_param_into_net(self.opt, params)

    def _from_earlier(self, sd: dict[str, Any], own: dict[str, np.ndarray]) -> dict[str, Any]:
        """A checkpoint written before the optimiser kept its state in Parameters (attributes:
        global_step, beta powers, moment lists; SGD's core momentum buffers), in today's names, so a
        run saved then still resumes; today's values fill what it did not hold (learning rate)."""
        if not {"moment1", "moment2", "core"} & sd.keys():
            return sd
        names = [p.name for p in self.opt.parameters]
        new = dict(own)
        if "global_step" in sd:
            new["global_step"] = np.full(
                own["global_step"].shape, sd["global_step"], own["global_step"].dtype
            )
        for k in ("beta1_power", "beta2_power"):
            if k in sd:
                new[k] = np.asarray(sd[k], own[k].dtype).reshape(own[k].shape)
        for k in ("moment1", "moment2"):
            new.update({f"{k}.{n}": np.asarray(a) for n, a in zip(names, sd.get(k, []))})
        buffers = (sd.get("core") or {}).get("state", {})
        for i, n in enumerate(names):
            buf = buffers.get(i, {}).get("momentum_buffer") if isinstance(buffers.get(i), dict) else None
            if buf is not None:  # SGD: the buffer is MindSpore's accum; stat 0 once it exists
                new[f"accum.{n}"] = np.asarray(buf)
                new[f"stat.{n}"] = np.zeros_like(own[f"stat.{n}"])
        return new


def make_backend(task: Task, cfg: TrainConfig, module: Any = None) -> Backend:
    """The backend for cfg.frontend; `module` replaces the frontend package (e.g. the real torch)."""
    if cfg.frontend == "core":
        return CoreBackend(task, cfg)
    try:
        if cfg.frontend == "torch":
            return TorchBackend(task, cfg, module)
        return MindSporeBackend(task, cfg, module)
    except ImportError as e:
        raise RuntimeError(f"the {cfg.frontend} frontend is not available: {e}") from e
