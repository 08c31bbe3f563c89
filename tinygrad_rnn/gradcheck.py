"""Finite-difference gradient checks (central differences in float64), like torch's gradcheck."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .engine import run_backward
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Analytical and numerical Jacobians disagree."""


_NO_DIFF_INPUT = (
    "gradcheck expects at least one input tensor to require gradient, but none of them "
    "have requires_grad=True."
)


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor)]


def numerical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any], eps: float) -> list[list[np.ndarray]]:
    """J[i][j]: d output_i / d input_j by central differences, shaped (out_i.size, in_j.size)."""
    diff = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    with_base = _outputs(fn, inputs)
    jac = [[np.zeros((o.data.size, inputs[j].data.size)) for j in diff] for o in with_base]
    for jj, j in enumerate(diff):
        flat = inputs[j].data.reshape(-1)  # a view: perturb in place, restore after
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            flat[k] = orig - eps
            minus = [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            flat[k] = orig
            for i in range(len(with_base)):
                jac[i][jj][:, k] = (plus[i] - minus[i]) / (2 * eps)
    return jac


def analytical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[list[np.ndarray]]:
    """J[i][j] from one backward pass per output element."""
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    outs = _outputs(fn, inputs)
    jac = [[np.zeros((o.data.size, t.data.size)) for t in diff] for o in outs]
    for i, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for m in range(o.data.size):
            seed = np.zeros(o.data.size, dtype=o.data.dtype)
            seed[m] = 1
            grads = run_backward(
                [o],
                [seed.reshape(o.data.shape)],
                retain_graph=True,
                inputs=diff,
                accumulate=False,
                allow_unused=True,
            )
            for j, g in enumerate(grads):
                if g is not None:
                    jac[i][j][m, :] = g.data.reshape(-1)
    return jac


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compare backward's Jacobian with central differences for every (output, input) pair."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError(_NO_DIFF_INPUT)
    for k in diff:
        if inputs[k].data.dtype != np.float64:
            warnings.warn(
                f"Input #{k} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex.",
                UserWarning,
                stacklevel=2,
            )
    num = numerical_jacobian(func, inputs, eps)
    ana = analytical_jacobian(func, inputs)
    for i in range(len(num)):
        for jj, j in enumerate(diff):
            n, a = num[i][jj], ana[i][jj]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                err = np.abs(a - n) - rtol * np.abs(n)
                worst = np.unravel_index(int(np.argmax(err)), err.shape)
                msg = (
                    f"Jacobian mismatch for output {i} with respect to input {j},\n"
                    f"worst element (output element {worst[0]}, input element {worst[1]}): "
                    f"numerical {n[worst]!r} vs analytical {a[worst]!r}\n"
                    f"numerical:{n}\nanalytical:{a}\n"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """gradcheck of the first gradient (computed with create_graph=True): checks double backward."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [
            Tensor(rng.standard_normal(o.data.shape).astype(o.data.dtype), requires_grad=True) for o in outs
        ]
    else:
        grad_outputs = list(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else [grad_outputs]
    n_in = len(inputs)
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError(_NO_DIFF_INPUT)  # as torch: the grad_outputs made below do not count

    def first_grad(*args: Any) -> tuple[Tensor, ...]:
        ins, gos = args[:n_in], args[n_in:]
        outs = [o for o in _outputs(func, ins) if o.requires_grad]
        d = [t for t in ins if isinstance(t, Tensor) and t.requires_grad]
        gs = run_backward(
            outs,
            list(gos[: len(outs)]),
            retain_graph=True,
            create_graph=True,
            inputs=d,
            accumulate=False,
            allow_unused=True,
        )
        return tuple(g if g is not None else Tensor(np.zeros_like(t.data)) for g, t in zip(gs, d))

    return gradcheck(
        first_grad, (*inputs, *grad_outputs), eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )
