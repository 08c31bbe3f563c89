"""An op may keep only some of its inputs for the backward (`keep_inputs = (1, 2)`): addmm keeps
mat1 and mat2 and not `self`, as torch's AddmmBackward0 does, so that an RNN's input projection
(T, B, G) is freed after the forward instead of living until the walk ends.

The expected gradients are computed here by hand in float64 (d(c + a @ b) = g, g @ b^T, a^T @ g).
"""

from __future__ import annotations

import tracemalloc
import weakref

import numpy as np
import pytest

from tinygrad_rnn import Tensor, ops, viz
from tinygrad_rnn.gradcheck import gradcheck, gradgradcheck
from tinygrad_rnn.nn import RNN


def _rand(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def test_addmm_keeps_mat1_and_mat2_but_not_self():
    c, a, b = (Tensor(_rand(s, k), requires_grad=True) for k, s in enumerate([(3, 2), (3, 4), (4, 2)]))
    y = ops.addmm(c, a, b)
    assert y.grad_fn.inputs[0] is None
    assert y.grad_fn.inputs[1] is a and y.grad_fn.inputs[2] is b
    g = _rand((3, 2), 7)
    y.backward(g)
    np.testing.assert_allclose(c.grad.array, g, rtol=1e-15)
    np.testing.assert_allclose(a.grad.array, g @ b.array.T, rtol=1e-13)
    np.testing.assert_allclose(b.grad.array, a.array.T @ g, rtol=1e-13)


def test_self_is_free_to_go_once_the_forward_is_done():
    c = Tensor(_rand((3, 2), 0), requires_grad=True)
    a, b = Tensor(_rand((3, 4), 1), requires_grad=True), Tensor(_rand((4, 2), 2), requires_grad=True)
    s = c * 2.0  # a non-leaf self: only the graph could keep its array alive
    ref = weakref.ref(s.array)
    y = ops.addmm(s, a, b)
    del s
    assert ref() is None
    y.sum().backward()
    np.testing.assert_allclose(c.grad.array, np.full((3, 2), 2.0), rtol=1e-15)


@pytest.mark.parametrize("broadcast", [False, True])
def test_first_and_second_derivatives_without_self_saved(broadcast):
    c = Tensor(_rand((2,) if broadcast else (3, 2), 3), requires_grad=True)
    a, b = Tensor(_rand((3, 4), 4), requires_grad=True), Tensor(_rand((4, 2), 5), requires_grad=True)
    f = lambda c, a, b: ops.tanh(ops.addmm(c, a, b))  # noqa: E731  (tanh: a nonzero second derivative)
    assert gradcheck(f, (c, a, b))
    assert gradgradcheck(f, (c, a, b))


def test_rnn_forward_holds_outputs_not_the_input_projection():
    """After the forward only the step outputs (T tanh results), their stack and the transposed
    weights' copies are held: 2 arrays of (T, B, H), not 3 as when every step's addmm kept its
    slice of the input projection."""
    T, B, I, H = 80, 32, 8, 256
    rnn = RNN(I, H)
    x = Tensor(np.ones((T, B, I), np.float32))
    one = T * B * H * 4
    weights_t = (H * H + H * I) * 4  # W_hh^T and W_ih^T, made contiguous once per forward
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        out, h_n = rnn(x)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    nodes = T * 4096  # generously: the Python objects of a step's two nodes and their tensors
    assert 2 * one <= held < 2 * one + weights_t + nodes, (held - weights_t) / one
    out.sum().backward()
    assert rnn.weight_ih_l0.grad is not None and rnn.bias_hh_l0.grad is not None


def test_pictures_draw_what_is_saved_and_still_know_every_value():
    rnn = RNN(2, 2)
    x = Tensor(_rand((3, 1, 2), 0).astype(np.float32))
    out, h_n = rnn(x)
    src = viz.make_dot({"output": out, "h_n": h_n}, rnn, show_saved=True, values=True).source
    assert "{mat1\\n" in src and "{mat2\\n" in src  # saved-tensor boxes: "{name\n(shape) | ...}"
    assert "{self\\n" not in src  # addmm's self is not saved: not drawn
    assert "data ?" not in src  # values the graph no longer holds are recomputed from their inputs
