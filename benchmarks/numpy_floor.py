"""The floor: a hand-written numpy forward + BPTT of torch's nn.RNN (tanh, biases, h0 = 0), float32.

Written for bench_rnn.py only; it is not part of the package. It is as fast as plain numpy gets
without giving anything up: what an autodiff built on numpy could at best approach.

Semantics are torch's: time-major x (T, B, I); per layer and direction
h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (the reverse direction runs t = T-1 .. 0);
the directions' outputs are concatenated on the last axis and feed the next layer.

What makes it fast:
  * one preallocated (T+1, B, H) state buffer per layer and direction; h0 = 0 sits at one end,
    so the step outputs and the previous states are both contiguous (T, B, H) views of it;
  * the input projection of all steps is one GEMM written straight into that buffer;
  * per step only h_prev @ W_hh^T (W_hh^T made contiguous once: OpenBLAS runs a transposed
    view up to 2.5x slower at hidden 64-128), one add and one in-place tanh, all into
    preallocated arrays; np.dot rather than np.matmul (~0.7 us less per small product);
  * backward per step: dh = dpre @ W_hh (W_hh contiguous), one add, one multiply, in place;
  * dW_ih, dW_hh, db_ih, db_hh are each ONE GEMM or one sum over all steps, not T small ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Weights = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # w_ih, w_hh, b_ih, b_hh


def _views(buf: np.ndarray, reverse: bool) -> tuple[np.ndarray, np.ndarray]:
    """(outputs y_t, previous states h_{t-1 or t+1}) of one direction's state buffer, both (T, B, H)."""
    T = buf.shape[0] - 1
    return (buf[:T], buf[1:]) if reverse else (buf[1:], buf[:T])


def _steps(T: int, reverse: bool) -> range:
    return range(T - 1, -1, -1) if reverse else range(T)


def direction_forward(x: np.ndarray, w: Weights, reverse: bool) -> np.ndarray:
    """The (T+1, B, H) state buffer of one direction: h_t at buf[t+1] (forward) or buf[t] (reverse)."""
    w_ih, w_hh, b_ih, b_hh = w
    T, B, _ = x.shape
    H = w_hh.shape[0]
    buf = np.empty((T + 1, B, H), np.float32)
    ys = _views(buf, reverse)[0]
    np.matmul(x.reshape(T * B, -1), np.ascontiguousarray(w_ih.T), out=ys.reshape(T * B, H))
    ys += b_ih + b_hh
    buf[T if reverse else 0] = 0.0
    whh_t = np.ascontiguousarray(w_hh.T)
    tmp = np.empty((B, H), np.float32)
    steps = _steps(T, reverse)
    prev = ys[steps[0]]
    np.tanh(prev, prev)  # h0 = 0: the first step has no recurrent term
    # np.dot, positional out= and one view per step: each saves ~0.1-0.7 us of a ~4 us step
    for t in steps[1:]:
        y = ys[t]
        np.dot(prev, whh_t, tmp)
        np.add(y, tmp, y)
        np.tanh(y, y)
        prev = y
    return buf


def direction_backward(
    x: np.ndarray, w: Weights, buf: np.ndarray, gy: np.ndarray, reverse: bool, need_dx: bool
) -> tuple[Weights, np.ndarray | None]:
    """(dW_ih, dW_hh, db_ih, db_hh) of one direction given dL/dy (T, B, H), and dL/dx if asked."""
    w_ih, w_hh = w[0], np.ascontiguousarray(w[1])
    ys, hp = _views(buf, reverse)
    T, B, H = ys.shape
    # dpre holds tanh' = 1 - y^2 first; each step multiplies its incoming gradient into it in place
    dpre = np.square(ys)
    np.subtract(1.0, dpre, out=dpre)
    tmp = np.empty((B, H), np.float32)
    steps = _steps(T, not reverse)  # backward runs against the direction's time
    prev = dpre[steps[0]]
    prev *= gy[steps[0]]
    for t in steps[1:]:
        d = dpre[t]
        np.dot(prev, w_hh, tmp)
        np.add(tmp, gy[t], tmp)
        np.multiply(d, tmp, d)
        prev = d
    d2 = dpre.reshape(T * B, H)
    dw_ih = d2.T @ x.reshape(T * B, -1)
    dw_hh = d2.T @ hp.reshape(T * B, H)
    db = d2.sum(axis=0)
    dx = (d2 @ w_ih).reshape(T, B, -1) if need_dx else None
    return (dw_ih, dw_hh, db, db.copy()), dx


def floor_forward(x: np.ndarray, w: Weights, reverse: bool) -> tuple[np.ndarray, np.ndarray]:
    """(outputs (T, B, H), the state buffer direction_backward needs) of one direction."""
    buf = direction_forward(x, w, reverse)
    return _views(buf, reverse)[0], buf


def forward_backward(
    x: np.ndarray,
    weights: list[Weights],
    g: np.ndarray,
    num_layers: int,
    bidirectional: bool,
    fwd: Callable[..., tuple[np.ndarray, Any]] = floor_forward,
    bwd: Callable[..., tuple[Weights, np.ndarray | None]] = direction_backward,
) -> tuple[np.ndarray, list[Weights]]:
    """Output (T, B, D*H) and per layer/direction (torch's order) the four gradients, given dL/dout = g.

    `fwd` / `bwd` run one direction (numpy_untaped.py passes its own: the layer loop is shared).
    """
    D = 2 if bidirectional else 1
    inputs, saved, h = [], [], x
    for k in range(num_layers):
        inputs.append(h)
        runs = [fwd(h, weights[k * D + d], bool(d)) for d in range(D)]
        saved.append([s for _, s in runs])
        h = runs[0][0] if D == 1 else np.concatenate([y for y, _ in runs], axis=-1)
    grads: list[Weights] = [None] * (num_layers * D)  # type: ignore[list-item]
    gy = g
    for k in reversed(range(num_layers)):
        H = weights[k * D][1].shape[0]
        dx = None
        for d in range(D):
            gd = gy if D == 1 else gy[..., d * H : (d + 1) * H]
            grads[k * D + d], dxd = bwd(
                inputs[k], weights[k * D + d], saved[k][d], gd, bool(d), need_dx=k > 0
            )
            dx = dxd if dx is None or dxd is None else np.add(dx, dxd, out=dx)
        gy = dx
    return h, grads
