"""One helper that runs the same op in real torch and in tinygrad_rnn and compares everything.

`check(shapes, torch_fn, our_fn)` (tinygrad's helper_test_op, extended to second order):

1. forward: values, shape and dtype of every output;
2. backward: the gradient of every input for a random upstream gradient, via
   `grad(outputs, inputs, grad_outputs, create_graph=True)`;
3. double backward: a random linear functional of those first gradients is differentiated again,
   w.r.t. the inputs *and* the upstream gradients (so the backward of the backward rule of even a
   linear op such as reshape or getitem is exercised).

Torch is the oracle; nothing is compared against numbers produced by tinygrad_rnn itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from tinygrad_rnn import Tensor, grad

TOL = {
    np.dtype(np.float64): dict(rtol=1e-10, atol=1e-10),
    np.dtype(np.float32): dict(rtol=1e-5, atol=1e-5),
}

TORCH_DTYPE = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _np(x: Any, like_shape: tuple[int, ...] | None = None, dtype: Any = None) -> np.ndarray:
    """A gradient (torch tensor, our Tensor, or None meaning zero) as a numpy array."""
    if x is None:
        return np.zeros(like_shape, dtype=dtype)
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.data)


def _close(ours: Any, theirs: Any, shape: tuple[int, ...], dtype: Any, tol: dict, what: str) -> None:
    a = _np(ours, shape, dtype)
    b = _np(theirs, shape, dtype)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch {b.shape}"
    np.testing.assert_allclose(a, b, err_msg=what, **tol)


def torch_state(mod: torch.nn.Module) -> dict[str, np.ndarray]:
    """A torch module's state_dict as numpy arrays (copies), for our load_state_dict."""
    return {k: v.detach().numpy().copy() for k, v in mod.state_dict().items()}


def assert_close(ours: Any, theirs: Any, dtype: Any, what: str) -> None:
    """Same shape, same dtype, equal to TOL[dtype] (ours: a Tensor or array; theirs: torch or array)."""
    a = np.asarray(getattr(ours, "data", ours))
    b = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != torch {b.dtype}"
    np.testing.assert_allclose(a, b, err_msg=what, **TOL[np.dtype(dtype)])


def make_inputs(
    shapes: Sequence[tuple[int, ...]], dtype: Any, rng: np.random.Generator, low: float, high: float
) -> list[np.ndarray]:
    """Uniform values in [low, high) with random signs when `low` > 0 is not asked for."""
    return [rng.uniform(low, high, size=s).astype(dtype) for s in shapes]


def check(
    shapes: Sequence[tuple[int, ...]] | None,
    torch_fn: Callable[..., Any],
    our_fn: Callable[..., Any] | None = None,
    *,
    dtype: Any = np.float64,
    low: float = -2.0,
    high: float = 2.0,
    arrays: Sequence[np.ndarray] | None = None,
    double: bool = True,
    tol: dict | None = None,
    seed: int = 0,
) -> None:
    """Compare forward, backward and double backward of `our_fn` (default: `torch_fn`) with torch."""
    our_fn = our_fn or torch_fn
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    if arrays is None:
        arrays = make_inputs(shapes or [], dtype, rng, low, high)
    arrays = [np.asarray(a) for a in arrays]
    tol = tol or TOL[np.dtype(arrays[0].dtype) if arrays else dtype]

    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    t_out = _as_tuple(torch_fn(*ts))
    o_out = _as_tuple(our_fn(*xs))

    # -- forward -------------------------------------------------------------------------------
    assert len(t_out) == len(o_out), f"{len(o_out)} outputs, torch has {len(t_out)}"
    for k, (o, t) in enumerate(zip(o_out, t_out)):
        assert isinstance(o, Tensor), f"output {k} is {type(o)}"
        assert o.shape == tuple(t.shape), f"output {k}: shape {o.shape} != torch {tuple(t.shape)}"
        assert o.dtype == t.detach().numpy().dtype, f"output {k}: dtype {o.dtype} != torch {t.dtype}"
        assert o.requires_grad == t.requires_grad, f"output {k}: requires_grad differs from torch"
        np.testing.assert_allclose(o.data, t.detach().numpy(), err_msg=f"forward output {k}", **tol)

    # -- backward: a random upstream gradient for every differentiable output --------------------
    pairs = [(o, t) for o, t in zip(o_out, t_out) if t.requires_grad]
    if not pairs:
        return
    gos = [rng.standard_normal(t.shape).astype(t.detach().numpy().dtype) for _, t in pairs]
    t_gos = [torch.tensor(g, requires_grad=True) for g in gos]
    o_gos = [Tensor(g.copy(), requires_grad=True) for g in gos]
    t_g = torch.autograd.grad([t for _, t in pairs], ts, t_gos, create_graph=True, allow_unused=True)
    o_g = grad([o for o, _ in pairs], xs, o_gos, create_graph=True, allow_unused=True)
    for k, (og, tg, a) in enumerate(zip(o_g, t_g, arrays)):
        if og is not None:
            assert og.dtype == a.dtype, f"grad of input {k}: dtype {og.dtype} != input {a.dtype}"
        _close(og, tg, a.shape, a.dtype, tol, f"grad of input {k}")

    # -- double backward: d/d(inputs, upstream grads) of sum_k <grad_k, v_k> -----------------------
    if not double:
        return
    vs = [rng.standard_normal(a.shape).astype(a.dtype) for a in arrays]
    wrt_t = ts + t_gos
    wrt_o = xs + o_gos
    t_terms = [(g * torch.tensor(v)).sum() for g, v in zip(t_g, vs) if g is not None and g.requires_grad]
    o_terms = [(g * Tensor(v)).sum() for g, v in zip(o_g, vs) if g is not None and g.requires_grad]
    t_gg: Sequence[Any] = [None] * len(wrt_t)
    o_gg: Sequence[Any] = [None] * len(wrt_o)
    if t_terms:
        t_gg = torch.autograd.grad(sum(t_terms), wrt_t, allow_unused=True)
    if o_terms:
        s = o_terms[0]
        for term in o_terms[1:]:
            s = s + term
        if s.requires_grad:
            o_gg = grad(s, wrt_o, allow_unused=True)
    shapes_all = [a.shape for a in arrays] + [g.shape for g in gos]
    dtypes_all = [a.dtype for a in arrays] + [g.dtype for g in gos]
    for k, (og, tg, shp, dt) in enumerate(zip(o_gg, t_gg, shapes_all, dtypes_all)):
        name = f"input {k}" if k < len(arrays) else f"upstream grad {k - len(arrays)}"
        _close(og, tg, shp, dt, tol, f"double backward w.r.t. {name}")
