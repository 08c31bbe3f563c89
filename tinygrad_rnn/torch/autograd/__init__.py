"""torch.autograd: grad, backward, gradcheck, gradgradcheck, detect_anomaly (the core's engine)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import tape as _tape
from ...engine import run_backward
from ...tape import TensorBase, make_tensor
from ...tensor import grad as _core_grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "GradcheckError",
    "backward",
    "detect_anomaly",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "set_detect_anomaly",
]


def _seq(x: Any) -> list[Any]:
    return [x] if isinstance(x, TensorBase) else list(x)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Any, ...]:
    """Gradients of outputs w.r.t. inputs, without touching .grad."""
    if is_grads_batched:
        raise NotImplementedError("tinygrad_rnn.torch: is_grads_batched is not supported")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False."
        )
    for o in _seq(outputs):
        if not isinstance(o, TensorBase):
            raise AssertionError("Expected output to be a torch.Tensor")
    if grad_outputs is not None:
        for i, (o, g) in enumerate(zip(_seq(outputs), _seq(grad_outputs))):
            _check_grad(o, g, i)
    res = _core_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)
    if materialize_grads:
        ins = _seq(inputs)
        res = tuple(
            make_tensor(t.result_type, np.zeros_like(t.array), None, 0) if g is None else g
            for g, t in zip(res, ins)
        )
    return res


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Sequence[TensorBase] | None = None,
) -> None:
    """Accumulate d(sum of tensors . grad_tensors)/d(leaf) into each leaf's .grad."""
    outs = _seq(tensors)
    gs = (
        [None] * len(outs)
        if grad_tensors is None
        else _seq(grad_tensors)
        if not isinstance(grad_tensors, TensorBase)
        else [grad_tensors]
    )
    seeds = []
    for i, (o, g) in enumerate(zip(outs, gs)):
        _check_grad(o, g, i)
        if g is None:
            if o.array.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = np.ones(o.array.shape, dtype=o.array.dtype)
        seeds.append(g)
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(outs, seeds, retain_graph=retain, create_graph=create_graph)
        return
    ins = _seq(inputs)
    grads = run_backward(
        outs,
        seeds,
        retain_graph=retain,
        create_graph=create_graph,
        inputs=ins,
        accumulate=False,
        allow_unused=True,
    )
    for t, g in zip(ins, grads or []):
        if g is not None:
            t.grad = g if t.grad is None else t.grad + g


def _check_grad(out: Any, g: Any, i: int) -> None:
    """torch's checks of one (output, gradient) pair before a backward."""
    if not isinstance(out, TensorBase):
        raise AssertionError("Expected output to be a torch.Tensor")  # torch's own (an assert)
    if g is None:
        return
    if not isinstance(g, TensorBase):
        raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    if g.array.shape != out.array.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of torch.Size({list(g.array.shape)}) and "
            f"output[{i}] has a shape of torch.Size({list(out.array.shape)})."
        )


detect_anomaly = _tape.detect_anomaly


class set_detect_anomaly:  # noqa: N801 - torch's name
    """Turn anomaly detection on or off at once; restores the previous mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._prev = _tape.set_anomaly_mode(mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _tape.set_anomaly_mode(self._prev)
