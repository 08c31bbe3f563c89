"""Our RNN's numpy calls without the tape: the ops our forwards and backward rules run, nothing else.

Written for bench_rnn.py only; it is not part of the package. It splits ours / floor in two:

    ours / floor = (ours / untaped) * (untaped / floor)

ours / untaped is what the tape itself costs (Tensor and Node objects, recording, the backward
walk and its buffers: Python per node); untaped / floor is what the op decomposition costs, with
no tape at all: fresh arrays from every op, tanh's gradient as three passes, the sum of a step's
two incoming gradients, stacking the outputs and the step gradients. No cheaper way of recording
the same primitive ops can take ours below this contender.

It follows, call for call, what the tape runs for tinygrad_rnn.nn.RNN (tanh, biases, h0 = 0, no
lengths) on a plain backward: rnn.run_direction's forward, then the walk in reverse order with
each node's rule as NUMPY_F runs it (Addmm: g @ b^T against a contiguous copy of b^T, and a^T @ g
as a ProductSum, the package's own batched weight gradient; Tanh: g * (1 - y * y); Stack and
Unbind; a buffer's second gradient added as `old + g`). When those rules change, change this too.
"""

from __future__ import annotations

import numpy as np
from numpy_floor import Weights

from tinygrad_rnn.product_sum import ProductSum


def direction_forward(x: np.ndarray, w: Weights, reverse: bool) -> tuple[np.ndarray, tuple]:
    """(outputs (T, B, H), what the backward rules saved) of one direction, as run_direction runs it."""
    w_ih, w_hh, b_ih, b_hh = w
    T, B, I = x.shape
    w_ih_t = np.ascontiguousarray(w_ih.T)  # Transpose's forward copies a float matrix's transpose
    xp = np.matmul(x.reshape(T * B, I), w_ih_t)  # Addmm(b_ih + b_hh, x, W_ih^T)
    np.add(xp, b_ih + b_hh, out=xp)
    steps = tuple(np.moveaxis(xp.reshape(T, B, -1), 0, 0))  # Unbind
    w_hh_t = np.ascontiguousarray(w_hh.T)
    h = np.zeros((B, w_hh.shape[0]), np.float32)
    prev, outs = [None] * T, [None] * T
    for t in range(T - 1, -1, -1) if reverse else range(T):
        prev[t] = h
        m = np.matmul(h, w_hh_t)  # Addmm(xp_t, h, W_hh^T): m is fresh, so xp_t is added in place
        m += steps[t]
        h = outs[t] = np.tanh(m)
    return np.stack(outs, 0), (prev, outs, w_ih_t, w_hh_t)


def direction_backward(
    x: np.ndarray, w: Weights, saved: tuple, gy: np.ndarray, reverse: bool, need_dx: bool
) -> tuple[Weights, np.ndarray | None]:
    """(dW_ih, dW_hh, db_ih, db_hh) of one direction given dL/dy (T, B, H), and dL/dx if asked."""
    prev, outs, w_ih_t, w_hh_t = saved
    T, B, I = x.shape
    w_hh_c = np.ascontiguousarray(w_hh_t.T)  # NUMPY_F.matmul_nt's cached contiguous b^T
    gsteps: list = [None] * T
    dw_hh_t = None
    g_next = None  # the gradient step t+1's Addmm sent to h_t
    for t in range(T) if reverse else range(T - 1, -1, -1):
        g = gy[t] if g_next is None else gy[t] + g_next  # Stack's slice, then Addmm's: `old + g`
        y = outs[t]
        gp = g * (1 - y * y)  # Tanh
        gsteps[t] = gp  # Addmm's gradient of self, into Unbind's buffer
        ps = ProductSum(prev[t], gp)
        dw_hh_t = ps if dw_hh_t is None else dw_hh_t.add(ps)
        first = t == T - 1 if reverse else t == 0
        g_next = None if first else np.matmul(gp, w_hh_c)  # h0 needs no gradient
    g2 = np.stack(gsteps, 0).reshape(T * B, -1)  # Unbind's backward, then Reshape's
    db = g2.sum(axis=0)  # Addmm's self: unbroadcast to the bias, which Add gives to both biases
    dw_ih = ProductSum(x.reshape(T * B, I), g2).evaluate().T  # then Transpose's backward
    dx = np.matmul(g2, np.ascontiguousarray(w_ih_t.T)).reshape(T, B, I) if need_dx else None
    return (dw_ih, dw_hh_t.evaluate().T, db, db), dx
