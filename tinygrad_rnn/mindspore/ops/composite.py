"""MindSpore's functional autodiff on the core tape: grad, value_and_grad, GradOperation, vjp, jacrev/jacfwd.

Each transform is one differentiable run of the function (_autodiff.Call: fresh leaves for the
differentiated inputs, gradients from the core's ``tensor.grad``, nesting). What differs between them is
only how MindSpore packs the results:

- ``grad_position`` an int, or a tuple of one int: one gradient; a longer tuple: a tuple of gradients;
- ``weights`` a single Parameter: one gradient; a list / ParameterTuple: a tuple;
- both given: ``(input gradients, weight gradients)``; ``grad_position=None``: weight gradients only;
- several outputs are all differentiated with sensitivity 1 unless ``has_aux``, where only the first is
  and the rest is returned as auxiliary data;
- an input that does not reach the output gets a zero gradient (an integer input a zero of its dtype).

``grad`` is ``value_and_grad`` without the value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import ops as core_ops
from ...tape import TensorBase
from .. import _checks as check
from ..common.parameter import Parameter
from ..common.tensor import Tensor
from . import _autodiff


def _as_positions(grad_position: Any) -> tuple[int, ...]:
    if grad_position is None:
        return ()
    if isinstance(grad_position, int) and not isinstance(grad_position, bool):
        return (grad_position,)
    if isinstance(grad_position, (tuple, list)) and all(isinstance(i, int) for i in grad_position):
        return tuple(grad_position)
    raise TypeError(
        f"For 'grad', the 'grad_position' must be int or tuple of int, but got {type(grad_position).__name__}."
    )


def _as_weights(weights: Any) -> list[Parameter]:
    if weights is None:
        return []
    if isinstance(weights, TensorBase):
        return [weights]
    if not isinstance(weights, (tuple, list)) or not all(isinstance(w, TensorBase) for w in weights):
        raise TypeError(
            "The weights you provided is expected to be a tensor, or a list or tuple of tensors, but got "
            f"{weights!r}."
        )
    return list(weights)


def _split_aux(out: Any, has_aux: bool) -> tuple[Any, Any]:
    """(differentiated part, aux) of fn's output."""
    if not has_aux:
        return out, None
    if not isinstance(out, tuple) or len(out) < 2:
        raise ValueError("When has_aux is True, the function must return a tuple of at least two elements.")
    return out[0], out[1:]


def _run(
    fn: Callable[..., Any],
    args: Sequence[Any],
    positions: Sequence[int],
    weights: Sequence[Any],
    has_aux: bool,
    sens: Any = None,
) -> tuple[Any, list[Any], list[Any]]:
    """Run fn and differentiate: (detached output, input grads, weight grads)."""
    call = _autodiff.Call(fn, args, positions, weights)
    target, _ = _split_aux(call.out, has_aux)
    gi, gw = call.grads(target, sens)
    return _autodiff.detach(call.out), gi, gw


def _pack(
    in_grads: list[Any], w_grads: list[Any], grad_position: Any, weights: Any, return_ids: bool = False
) -> Any:
    """MindSpore's result structure for grad / value_and_grad."""
    if return_ids:
        in_grads = [(i, g) for i, g in zip(_as_positions(grad_position), in_grads)]
        w_grads = [(w.name, g) for w, g in zip(_as_weights(weights), w_grads)]
    ins = in_grads[0] if len(in_grads) == 1 else tuple(in_grads)
    ws = w_grads[0] if isinstance(weights, TensorBase) else tuple(w_grads)
    if grad_position is None:
        return ws
    if weights is None:
        return ins
    return ins, ws


def _check_both_none(grad_position: Any, weights: Any, has_aux: Any = False, return_ids: Any = False) -> None:
    check.boolean("_Grad", "has_aux", has_aux)
    check.boolean("_Grad", "return_ids", return_ids)
    if grad_position is None and weights is None:
        raise ValueError("`grad_position` and `weight` can not be None at the same time.")


def value_and_grad(
    fn: Callable[..., Any],
    grad_position: Any = 0,
    weights: Any = None,
    has_aux: bool = False,
    return_ids: bool = False,
    sens_param: bool = False,
) -> Callable[..., Any]:
    """A function returning ``(fn(*args), gradients)``, packed as MindSpore packs them (module docstring).

    ``sens_param``: the last argument is the sensitivity (the gradient of the output, of its shape), not
    passed to fn."""
    _check_both_none(grad_position, weights, has_aux, return_ids)
    check.boolean("_Grad", "sens_param", sens_param)
    positions = _as_positions(grad_position)

    def wrapper(*args: Any) -> Any:
        sens = None
        if sens_param:
            args, sens = args[:-1], args[-1]
        out, gi, gw = _run(fn, args, positions, _as_weights(weights), has_aux, sens)
        return out, _pack(gi, gw, grad_position, weights, return_ids)

    return wrapper


def grad(
    fn: Callable[..., Any],
    grad_position: Any = 0,
    weights: Any = None,
    has_aux: bool = False,
    return_ids: bool = False,
    sens_param: bool = False,
) -> Callable[..., Any]:
    """A function returning fn's gradients (and, with has_aux, ``(gradients, (aux, ...))``): value_and_grad
    without the value."""
    with_value = value_and_grad(fn, grad_position, weights, has_aux, return_ids, sens_param)

    def wrapper(*args: Any) -> Any:
        out, g = with_value(*args)
        return (g, tuple(out[1:])) if has_aux else g

    return wrapper


class GradOperation:
    """``GradOperation(get_all=False, get_by_list=False, sens_param=False)(fn[, weights])(*inputs[, sens])``.

    Gradient w.r.t. the first input; ``get_all``: a tuple for all inputs; ``get_by_list``: w.r.t. the
    weights; both: ``(inputs, weights)``. ``sens_param``: the last argument is the output sensitivity.
    """

    def __init__(self, get_all: bool = False, get_by_list: bool = False, sens_param: bool = False):
        for name, v in (("get_all", get_all), ("get_by_list", get_by_list), ("sens_param", sens_param)):
            check.boolean("GradOperation", name, v)
        self.get_all, self.get_by_list, self.sens_param = get_all, get_by_list, sens_param

    def __call__(self, fn: Callable[..., Any], weights: Any = None) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            sens = None
            if self.sens_param:
                args, sens = args[:-1], args[-1]
            if self.get_all:
                positions: tuple[int, ...] = tuple(range(len(args)))
            else:
                positions = () if self.get_by_list else (0,)
            w = _as_weights(weights) if self.get_by_list else []
            _, gi, gw = _run(fn, args, positions, w, False, sens)
            ws = gw[0] if isinstance(weights, TensorBase) else tuple(gw)
            if self.get_all and self.get_by_list:
                return tuple(gi), ws
            if self.get_by_list:
                return ws
            return tuple(gi) if self.get_all else gi[0]

        return wrapper


def vjp(fn: Callable[..., Any], *inputs: Any, weights: Any = None, has_aux: bool = False) -> tuple[Any, ...]:
    """``(outputs, vjp_fn[, aux])``: vjp_fn(v) gives the gradients w.r.t. every input (a tuple), and with
    ``weights`` ``(input gradients, weight gradients)``; it can be called repeatedly (the graph is kept)."""
    for i, x in enumerate(inputs):
        if not isinstance(x, TensorBase):
            raise TypeError(
                f"For 'vjp', the inputs type must be Tensor, but input {i} is {type(x).__name__}."
            )
        if x.array.dtype.kind != "f":  # MindSpore's sensitivity for an integer input cannot be built
            raise TypeError(
                f"For 'vjp', the inputs must be floating-point Tensors, but input {i} is {x.dtype}."
            )
    call = _autodiff.Call(fn, inputs, tuple(range(len(inputs))), _as_weights(weights))
    out, aux = _split_aux(call.out, has_aux)

    def vjp_fn(v: Any) -> Any:
        _check_sens(out, v)
        gi, gw = call.grads(out, v, retain=True)
        return (tuple(gi), tuple(gw)) if weights is not None else tuple(gi)

    if has_aux:
        return _autodiff.detach(out), vjp_fn, _autodiff.detach(aux[0] if len(aux) == 1 else aux)
    return _autodiff.detach(out), vjp_fn


def _check_sens(out: Any, v: Any) -> None:
    """vjp's v: one Tensor per output, of the output's shape and dtype (TypeError / ValueError)."""
    outs, vs = _autodiff.flat(out), (list(v) if isinstance(v, (tuple, list)) else [v])
    if len(vs) != len(outs):
        raise ValueError(f"For 'vjp', 'v' must hold {len(outs)} Tensors (one per output), but got {len(vs)}.")
    for o, s in zip(outs, vs):
        if not isinstance(s, TensorBase):
            raise TypeError(f"For 'vjp', 'v' must be Tensors, but got {type(s).__name__}.")
        if s.array.dtype != o.array.dtype:
            raise TypeError(f"For 'vjp', the dtype of 'v' should be {o.dtype}, but got {s.dtype}.")
        if s.shape != o.shape:
            raise ValueError(f"For 'vjp', 'v' must have the output's shape {o.shape}, but got {s.shape}.")


def jacrev(fn: Callable[..., Any], grad_position: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """The Jacobian d out / d input (shape out.shape + input.shape): one forward pass, then one reverse pass
    per output element (retaining the graph)."""
    positions = _as_positions(grad_position)

    def wrapper(*args: Any) -> Any:
        if any(not -len(args) <= i < len(args) for i in positions):
            raise ValueError(
                f"The element in grad_position must belong to [0, {len(args)}), but got {grad_position}."
            )
        call = _autodiff.Call(fn, args, positions, [])
        out, aux = _split_aux(call.out, has_aux)
        outs = out if isinstance(out, tuple) else (out,)
        jacs = []
        for o in outs:
            rows: list[list[Any]] = [[] for _ in positions]
            for e in range(o.array.size):
                seed = np.zeros(o.array.size, dtype=o.array.dtype)
                seed[e] = 1
                gi, _ = call.grads(o, seed.reshape(o.array.shape), retain=True)
                for r, g in zip(rows, gi):
                    r.append(g)
            per_pos = [_jacobian(r, o, call.args[i]) for r, i in zip(rows, positions)]
            jacs.append(per_pos[0] if isinstance(grad_position, int) else tuple(per_pos))
        jac = tuple(jacs) if isinstance(out, tuple) else jacs[0]
        if has_aux:
            return jac, _autodiff.detach(aux[0] if len(aux) == 1 else aux)
        return jac

    return wrapper


def _jacobian(rows: list[Any], out: Any, arg: Any) -> Any:
    """The rows d out[e] / d arg stacked into shape out.shape + arg.shape (differentiable when nested)."""
    shape = out.array.shape + np.shape(getattr(arg, "array", arg))
    if not rows:  # an empty output: nothing to stack
        return Tensor(np.zeros(shape, np.asarray(getattr(arg, "array", arg)).dtype))
    return core_ops.reshape(core_ops.stack(rows, 0), shape)


def jacfwd(fn: Callable[..., Any], grad_position: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """jacrev's Jacobian (the core has no forward mode), after jacfwd's own check: the differentiated
    inputs must be floating-point (MindSpore's forward tangents take their dtype)."""
    rev = jacrev(fn, grad_position, has_aux)

    def wrapper(*args: Any) -> Any:
        for i, a in enumerate(args):  # MindSpore joins every input's dtype with the tangents'
            if isinstance(a, TensorBase) and a.array.dtype.kind != "f":
                raise TypeError(
                    f"For 'jacfwd', input {i} must be a floating-point Tensor, but got {a.dtype}."
                )
        return rev(*args)

    return wrapper


def get_grad(gradients: Any, identifier: Any) -> Any:
    """The gradient for input position ``identifier`` (an int) or for a Parameter, out of the result of
    ``grad`` / ``value_and_grad`` made with ``return_ids=True`` (RuntimeError if it is not there)."""
    is_position = isinstance(identifier, int) and not isinstance(identifier, bool)
    if not is_position and not isinstance(identifier, Parameter):
        raise TypeError(f"For `get_grad`, the `x` should be an integer or a Parameter, but got {identifier}")
    key = identifier if is_position else identifier.name
    found = _find_grad(gradients, key, is_position)
    if found is None:
        raise RuntimeError(f"Can not find the gradient for position or Parameter {identifier}")
    return found


def _find_grad(node: Any, key: Any, is_position: bool) -> Any:
    """Depth-first search for an (id, gradient) pair with id == key."""
    if not isinstance(node, (tuple, list)):
        return None
    if len(node) == 2 and isinstance(node[1], TensorBase):
        ident = node[0]
        if is_position and isinstance(ident, int) and not isinstance(ident, bool) and ident == key:
            return node[1]
        if not is_position and isinstance(ident, str) and ident == key:
            return node[1]
    for child in node:
        got = _find_grad(child, key, is_position)
        if got is not None:
            return got
    return None
