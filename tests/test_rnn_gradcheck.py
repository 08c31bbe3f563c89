"""Finite-difference gradcheck and gradgradcheck on the RNN, every option combination, float64.

tests/test_rnn_references.py checks first derivatives of a scalar loss w.r.t. every input and
second derivatives w.r.t. the input and h0. Here: the full Jacobian of (output, h_n) (every
output element separately) and second derivatives w.r.t. *every* input, parameters included, so
the double backward of every op the RNN is made of (matmul with a transposed weight, bias
broadcast, tanh/relu, where, unbind/stack, the reverse-direction gather) is checked.
Sizes are tiny (T=2, B=2, I=1, H=2; lengths (1, 2)) to keep this fast.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tinygrad_rnn import Tensor
from tinygrad_rnn.gradcheck import gradcheck, gradgradcheck
from tinygrad_rnn.nn import RNN

T, B, I, H = 2, 2, 1, 2
COMBOS = list(
    itertools.product(
        ["tanh", "relu"], [True, False], [False, True], [False, True], [1, 2], [True, False], [None, (1, 2)]
    )
)


def _setup(nl, bias, bf, bi, layers, with_h0, lengths, seed=5):
    rng = np.random.default_rng(seed)
    D = 2 if bi else 1
    m = RNN(I, H, layers, nonlinearity=nl, bias=bias, batch_first=bf, bidirectional=bi, dtype=np.float64)
    m.load_state_dict({k: rng.uniform(-0.9, 0.9, v.shape) for k, v in m.state_dict().items()})
    x = Tensor(rng.standard_normal((B, T, I) if bf else (T, B, I)), requires_grad=True)
    h0 = Tensor(rng.standard_normal((layers * D, B, H)) * 0.5, requires_grad=True) if with_h0 else None
    ln = None if lengths is None else np.array(lengths)
    # the module's own parameters are gradcheck inputs: perturbing them in place perturbs the RNN
    inputs = [x] + ([h0] if h0 is not None else []) + list(m.parameters())

    def f(x, *rest):
        return m(x, rest[0] if h0 is not None else None, lengths=ln)

    return f, inputs, rng


@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "-".join(map(str, c)))
def test_rnn_jacobian_and_second_derivatives_against_finite_differences(combo):
    f, inputs, rng = _setup(*combo)
    assert gradcheck(f, inputs, eps=1e-6, atol=1e-6, rtol=1e-4)  # d(output, h_n) / d(everything)

    out, h_n = f(*inputs)
    g_out, g_hn = rng.standard_normal(out.shape), rng.standard_normal(h_n.shape)

    def loss(*args):
        o, h = f(*args)
        return (o * g_out).sum() + (h * g_hn).sum()

    # the Hessian-vector products of the loss w.r.t. every input, parameters included
    assert gradgradcheck(loss, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
