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
    jac = [[np.zeros((o.array.size, inputs[j].array.size)) for j in diff] for o in with_base]
    for jj, j in enumerate(diff):
        flat = inputs[j].array.reshape(-1)  # a view: perturb in place, restore after
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = [o.array.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            flat[k] = orig - eps
            minus = [o.array.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            flat[k] = orig
            for i in range(len(with_base)):
                jac[i][jj][:, k] = (plus[i] - minus[i]) / (2 * eps)
    return jac


def analytical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[list[np.ndarray]]:
    """J[i][j] from one backward pass per output element."""
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    outs = _outputs(fn, inputs)
    jac = [[np.zeros((o.array.size, t.array.size)) for t in diff] for o in outs]
    for i, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for m in range(o.array.size):
            seed = np.zeros(o.array.size, dtype=o.array.dtype)
            seed[m] = 1
            grads = run_backward(
                [o],
                [seed.reshape(o.array.shape)],
                retain_graph=True,
                inputs=diff,
                accumulate=False,
                allow_unused=True,
            )
            for j, g in enumerate(grads):
                if g is not None:
                    jac[i][j][m, :] = g.array.reshape(-1)
    return jac


def _mismatch(i: int, j: int, n: Any, a: Any) -> str:
    return f"Jacobian mismatch for output {i} with respect to input {j},\nnumerical:{n}\nanalytical:{a}\n"


def _slow_check(
    func: Callable[..., Any], inputs: tuple[Any, ...], eps: float, atol: float, rtol: float
) -> None:
    """Every element of every Jacobian: backward's against central differences (GradcheckError if not)."""
    diff = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    num = numerical_jacobian(func, inputs, eps)
    ana = analytical_jacobian(func, inputs)
    for i in range(len(num)):
        for jj, j in enumerate(diff):
            n, a = num[i][jj], ana[i][jj]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                err = np.abs(a - n) - rtol * np.abs(n)
                worst = np.unravel_index(int(np.argmax(err)), err.shape)
                raise GradcheckError(
                    _mismatch(i, j, n, a).replace(
                        "\nnumerical:",
                        f"\nworst element (output element {worst[0]}, input element {worst[1]}): "
                        f"numerical {n[worst]!r} vs analytical {a[worst]!r}\nnumerical:",
                    )
                )


def _unit_random(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random non-negative direction of unit length (torch's fast-mode vectors are drawn this way)."""
    v = rng.random(n)
    norm = np.linalg.norm(v)
    return v / norm if norm else v


def _directional(
    func: Callable[..., Any], inputs: tuple[Any, ...], j: int, u: np.ndarray, eps: float
) -> list[Any]:
    """J_ij u for every output i, by central differences along u (input j moved by +-eps*u)."""
    flat = inputs[j].array.reshape(-1)  # a view: perturb in place, restore after
    orig = flat.copy()
    flat[:] = orig + eps * u
    plus = [o.array.astype(np.float64).reshape(-1) for o in _outputs(func, inputs)]
    flat[:] = orig - eps * u
    minus = [o.array.astype(np.float64).reshape(-1) for o in _outputs(func, inputs)]
    flat[:] = orig
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def _fast_check(
    func: Callable[..., Any], inputs: tuple[Any, ...], eps: float, atol: float, rtol: float, seed: int
) -> None:
    """The random-projection check: v_i . (J_ij u_j) by differences against (v_i^T J_ij) . u_j by backward.

    u_j, v_i are random non-negative unit vectors; the tolerance atol is scaled by sum(u_j) sum(v_i), the
    sum of |u_j[k] v_i[m]| over the Jacobian's elements, so an elementwise pass is a pass here too.
    """
    diff = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    rng = np.random.default_rng(seed)
    us = {j: _unit_random(rng, inputs[j].array.size) for j in diff}
    outs = _outputs(func, inputs)
    vs = [_unit_random(rng, o.array.size) for o in outs]
    numerical = {
        j: [float(v @ ju) for v, ju in zip(vs, _directional(func, inputs, j, us[j], eps))] for j in diff
    }
    for i, o in enumerate(outs):
        grads = [None] * len(diff)
        if o.requires_grad:
            seed_i = vs[i].astype(o.array.dtype).reshape(o.array.shape)
            grads = run_backward(
                [o],
                [seed_i],
                retain_graph=True,
                inputs=[inputs[j] for j in diff],
                accumulate=False,
                allow_unused=True,
            )
        for jj, j in enumerate(diff):
            g = grads[jj]
            a = 0.0 if g is None else float(g.array.astype(np.float64).reshape(-1) @ us[j])
            n = numerical[j][i]
            tol = atol * float(us[j].sum()) * float(vs[i].sum())
            if not np.isclose(a, n, rtol=rtol, atol=tol):
                raise GradcheckError(
                    _mismatch(i, j, n, a) + _slow_detail(func, inputs, i, j, eps, atol, rtol)
                )


def _slow_detail(
    func: Callable[..., Any], inputs: tuple[Any, ...], i: int, j: int, eps: float, atol: float, rtol: float
) -> str:
    """After a fast-mode failure: the full Jacobians of output i w.r.t. input j, for the message."""
    diff = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    n = numerical_jacobian(func, inputs, eps)[i][diff.index(j)]
    a = analytical_jacobian(func, inputs)[i][diff.index(j)]
    worst = float(np.abs(n - a).max()) if n.size else 0.0
    msg = (
        "\nThe quantities above are v^T J u for random unit vectors u, v (fast mode). "
        f"The full Jacobians (slow mode):\n\nNumerical:\n {n}\nAnalytical:\n{a}\n\n"
        f"The max per-element difference (slow mode) is: {worst}.\n"
    )
    if np.allclose(a, n, rtol=rtol, atol=atol):
        msg += "Fast gradcheck failed but the element-wise differences are small: slow mode would pass.\n"
    return msg


def batched_grad_check(func: Callable[..., Any], inputs: Any, seed: int = 0, batch: int = 2) -> None:
    """Gradients for a batch of random grad_outputs, one backward each (torch vmaps over the batch).

    A loop cannot fail the way a vmap can (an op without a batching rule), so this finds only a
    backward that raises or is not deterministic; its failures are worded as torch's.
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    rng = np.random.default_rng(seed)
    for i, o in enumerate(_outputs(func, inputs)):
        if not o.requires_grad:
            continue
        gos = [rng.standard_normal(o.array.shape).astype(o.array.dtype) for _ in range(batch)]
        expected = [_vjp(o, g, diff) for g in gos]  # first, as torch: an error here is not wrapped
        try:
            batched = [_vjp(o, g, diff) for g in gos]
        except RuntimeError as ex:
            raise GradcheckError(f"While computing batched gradients, got: {ex}") from ex
        for j in range(len(diff)):
            res, exp = np.stack([b[j] for b in batched]), np.stack([e[j] for e in expected])
            if not np.allclose(res, exp):
                raise GradcheckError(
                    f"For output {i} and input {j}:\n\ngradcheck or gradgradcheck failed while testing batched "
                    f"gradient computation.\n\nGot:\n{res}\n\nExpected:\n{exp}"
                )


def _vjp(out: Tensor, g: np.ndarray, diff: list[Tensor]) -> list[np.ndarray]:
    grads = run_backward([out], [g], retain_graph=True, inputs=diff, accumulate=False, allow_unused=True)
    return [
        np.zeros(t.array.shape, t.array.dtype) if gr is None else np.asarray(gr.array)
        for gr, t in zip(grads, diff)
    ]


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
    check_batched_grad: bool = False,
    seed: int = 0,
) -> bool:
    """Compare backward's Jacobians with central differences (all elements, or fast_mode's v^T J u)."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError(_NO_DIFF_INPUT)
    for k in diff:
        if inputs[k].array.dtype != np.float64:
            warnings.warn(
                f"Input #{k} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex.",
                UserWarning,
                stacklevel=2,
            )
    try:
        if fast_mode:
            _fast_check(func, inputs, eps, atol, rtol, seed)
        else:
            _slow_check(func, inputs, eps, atol, rtol)
        if check_batched_grad:
            batched_grad_check(func, inputs, seed)
    except GradcheckError:
        if raise_exception:
            raise
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
    fast_mode: bool = False,
    check_batched_grad: bool = False,
    seed: int = 0,
) -> bool:
    """gradcheck of the first gradient (computed with create_graph=True): checks double backward."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [
            Tensor(rng.standard_normal(o.array.shape).astype(o.array.dtype), requires_grad=True) for o in outs
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
        return tuple(g if g is not None else Tensor(np.zeros_like(t.array)) for g, t in zip(gs, d))

    return gradcheck(
        first_grad,
        (*inputs, *grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        fast_mode=fast_mode,
        check_batched_grad=check_batched_grad,
        seed=seed,
    )
