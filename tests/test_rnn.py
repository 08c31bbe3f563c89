"""The Elman RNN (tinygrad_rnn.rnn and tinygrad_rnn.nn.RNN / RNNCell): output shapes for every option,
the recurrence against a plain numpy loop written here (float64, to 1e-12), per-sequence `lengths`,
dropout between layers only in training, and the errors bad input gets.

Gradients are checked elsewhere: against sympy and finite differences in tests/test_rnn_references.py
and tests/test_rnn_gradcheck.py, against real torch in tests/test_rnn_torch.py.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import tinygrad_rnn as tg
from tinygrad_rnn import Tensor
from tinygrad_rnn.nn import RNN, RNNCell
from tinygrad_rnn.rnn import rnn, rnn_cell, run_direction

T, B, I, H = 4, 3, 2, 5


# ---------------------------------------------------------------------------------------------
# the reference: the recurrence as a plain loop, one sequence and one time step at a time
# ---------------------------------------------------------------------------------------------
def reference_rnn(
    x,
    weights,
    h0=None,
    *,
    num_layers=1,
    nonlinearity="tanh",
    bidirectional=False,
    batch_first=False,
    lengths=None,
    masks=(),
):
    """weights[k * D + d] = (w_ih, w_hh, b_ih, b_hh) as numpy arrays (biases may be None).

    h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh); for sequence b only steps t < lengths[b]
    run (the reverse direction runs them from lengths[b] - 1 down to 0); outputs past the length
    are zero and h_n is the state after the last step run. masks[k] multiplies layer k's output
    (times 1/(1-p) already) before it feeds layer k + 1.
    """
    act = np.tanh if nonlinearity == "tanh" else (lambda v: np.maximum(v, 0.0))
    if batch_first:
        x = x.swapaxes(0, 1)
    steps, batch = x.shape[:2]
    D = 2 if bidirectional else 1
    lens = [steps] * batch if lengths is None else [int(v) for v in lengths]
    layer_in = x
    h_n = []
    for k in range(num_layers):
        outs = []
        for d in range(D):
            w_ih, w_hh, b_ih, b_hh = weights[k * D + d]
            hidden = w_hh.shape[0]
            out = np.zeros((steps, batch, hidden))
            last = np.zeros((batch, hidden))
            for b in range(batch):
                h = np.zeros(hidden) if h0 is None else h0[k * D + d, b]
                order = range(lens[b]) if d == 0 else range(lens[b] - 1, -1, -1)
                for t in order:
                    pre = layer_in[t, b] @ w_ih.T + h @ w_hh.T
                    if b_ih is not None:
                        pre = pre + b_ih + b_hh
                    h = act(pre)
                    out[t, b] = h
                last[b] = h
            outs.append(out)
            h_n.append(last)
        layer_in = np.concatenate(outs, axis=2)
        if k < num_layers - 1 and len(masks) > k:
            layer_in = layer_in * masks[k]
    out = layer_in.swapaxes(0, 1) if batch_first else layer_in
    return out, np.stack(h_n)


def _model(nl="tanh", bias=True, bf=False, bi=False, layers=1, seed=0, **kw):
    m = RNN(
        I, H, layers, nonlinearity=nl, bias=bias, batch_first=bf, bidirectional=bi, dtype=np.float64, **kw
    )
    rng = np.random.default_rng(seed)
    m.load_state_dict({k: rng.uniform(-0.7, 0.7, v.shape) for k, v in m.state_dict().items()})
    return m


def _np_weights(m):
    return [tuple(None if w is None else w.data for w in ws) for ws in m.layer_weights()]


COMBOS = list(
    itertools.product(
        ["tanh", "relu"], [True, False], [False, True], [False, True], [1, 2], [False, True], [False, True]
    )
)
COMBOS += [("tanh", True, False, True, 3, True, True), ("relu", False, True, False, 3, False, True)]


@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "-".join(map(str, c)))
def test_output_shapes_and_values_equal_the_numpy_loop(combo):
    nl, bias, bf, bi, layers, use_h0, use_lengths = combo
    D = 2 if bi else 1
    m = _model(nl, bias, bf, bi, layers)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((B, T, I) if bf else (T, B, I))
    h0 = rng.standard_normal((layers * D, B, H)) * 0.5 if use_h0 else None
    lengths = np.array([4, 1, 3]) if use_lengths else None
    out, h_n = m(Tensor(x), None if h0 is None else Tensor(h0), lengths=lengths)
    assert out.shape == ((B, T, D * H) if bf else (T, B, D * H))
    assert h_n.shape == (layers * D, B, H)
    assert out.dtype == np.float64 and h_n.dtype == np.float64
    ref_out, ref_hn = reference_rnn(
        x,
        _np_weights(m),
        h0,
        num_layers=layers,
        nonlinearity=nl,
        bidirectional=bi,
        batch_first=bf,
        lengths=lengths,
    )
    np.testing.assert_allclose(out.data, ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data, ref_hn, rtol=0, atol=1e-12)


def test_the_reference_is_sensitive_to_each_weight():
    """A perturbed recurrent weight changes the reference: the comparison above can fail."""
    m = _model(layers=2, bi=True)
    x = np.random.default_rng(1).standard_normal((T, B, I))
    w = _np_weights(m)
    a, _ = reference_rnn(x, w, num_layers=2, bidirectional=True)
    for j in range(4):
        for slot in range(4):
            w2 = [list(ws) for ws in w]
            w2[j][slot] = w2[j][slot] + 1e-6
            b, _ = reference_rnn(x, w2, num_layers=2, bidirectional=True)
            assert np.abs(a - b).max() > 1e-9, (j, slot)


@pytest.mark.parametrize("bf", [False, True])
@pytest.mark.parametrize("bi", [False, True])
def test_unbatched_input_shapes_and_values(bf, bi):
    D = 2 if bi else 1
    m = _model(bi=bi, bf=bf, layers=2)
    x = np.random.default_rng(2).standard_normal((T, I))
    h0 = np.random.default_rng(3).standard_normal((2 * D, H))
    out, h_n = m(Tensor(x), Tensor(h0))
    assert out.shape == (T, D * H) and h_n.shape == (2 * D, H)
    ref_out, ref_hn = reference_rnn(x[:, None], _np_weights(m), h0[:, None], num_layers=2, bidirectional=bi)
    np.testing.assert_allclose(out.data, ref_out[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data, ref_hn[:, 0], rtol=0, atol=1e-12)


def test_float32_model_gives_float32():
    m = RNN(I, H)
    out, h_n = m(Tensor(np.zeros((T, B, I), np.float32)))
    assert out.dtype == np.float32 and h_n.dtype == np.float32


def test_single_step_by_hand():
    # one step, one unit: h = tanh(x w_ih + b_ih + h0 w_hh + b_hh)
    w = (
        Tensor(np.array([[0.5]])),
        Tensor(np.array([[-2.0]])),
        Tensor(np.array([0.1])),
        Tensor(np.array([0.2])),
    )
    out, h_n = rnn(Tensor(np.array([[[3.0]]])), [w], Tensor(np.array([[[0.25]]])))
    expect = np.tanh(3.0 * 0.5 + 0.1 + 0.25 * -2.0 + 0.2)
    assert out.data.item() == pytest.approx(expect, abs=1e-15) and h_n.data.item() == pytest.approx(
        expect, abs=1e-15
    )
    out, _ = rnn(Tensor(np.array([[[3.0]]])), [w], Tensor(np.array([[[0.25]]])), nonlinearity="relu")
    assert out.data.item() == pytest.approx(1.5 + 0.1 - 0.5 + 0.2, abs=1e-15)


# ---------------------------------------------------------------------------------------------
# the functional pieces: rnn_cell, run_direction, rnn
# ---------------------------------------------------------------------------------------------
def test_rnn_cell_is_one_step_of_the_formula():
    rng = np.random.default_rng(4)
    x, h = rng.standard_normal((B, I)), rng.standard_normal((B, H))
    w_ih, w_hh, b_ih, b_hh = (
        rng.standard_normal((H, I)),
        rng.standard_normal((H, H)),
        rng.standard_normal(H),
        rng.standard_normal(H),
    )
    got = rnn_cell(Tensor(x), Tensor(h), Tensor(w_ih), Tensor(w_hh), Tensor(b_ih), Tensor(b_hh))
    np.testing.assert_allclose(got.data, np.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh), rtol=0, atol=1e-12)
    got = rnn_cell(Tensor(x), Tensor(h), Tensor(w_ih), Tensor(w_hh), nonlinearity="relu")
    np.testing.assert_allclose(got.data, np.maximum(x @ w_ih.T + h @ w_hh.T, 0), rtol=0, atol=1e-12)


@pytest.mark.parametrize("reverse", [False, True])
def test_run_direction_equals_the_loop(reverse):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((T, B, I))
    w = (
        rng.standard_normal((H, I)),
        rng.standard_normal((H, H)) * 0.5,
        rng.standard_normal(H),
        rng.standard_normal(H),
    )
    out, (h,) = run_direction(Tensor(x), None, tuple(Tensor(a) for a in w), "rnn", "tanh", reverse)
    assert out.shape == (T, B, H) and h.shape == (B, H)
    # the reverse direction alone is the forward loop on the time-reversed input
    ref_out, ref_h = reference_rnn(x[::-1] if reverse else x, [w])
    np.testing.assert_allclose(out.data, ref_out[::-1] if reverse else ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h.data, ref_h[0], rtol=0, atol=1e-12)


def test_functional_rnn_accepts_weights_without_bias_and_lengths_as_a_tensor():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((T, B, I))
    w = [(rng.standard_normal((H, I)), rng.standard_normal((H, H)) * 0.5, None, None)]
    lengths = np.array([2, 4, 0])
    out, h_n = rnn(
        Tensor(x), [tuple(None if a is None else Tensor(a) for a in w[0])], lengths=Tensor(lengths)
    )
    ref_out, ref_hn = reference_rnn(x, w, lengths=lengths)
    np.testing.assert_allclose(out.data, ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data, ref_hn, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# lengths
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bi", [False, True])
def test_past_its_length_a_sequence_outputs_zeros_and_keeps_its_state(bi):
    m = _model(bi=bi, layers=2)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((T, B, I))
    h0 = rng.standard_normal((2 * (2 if bi else 1), B, H))
    lengths = np.array([4, 2, 0])
    out, h_n = m(Tensor(x), Tensor(h0), lengths=lengths)
    for b, L in enumerate(lengths):
        assert (out.data[L:, b] == 0).all()  # exactly zero past the length
        assert (out.data[:L, b] != 0).all()
    # forward direction of the last layer: h_n is the output at the last valid step
    top_fwd = h_n.data[2 if bi else 1]
    np.testing.assert_array_equal(top_fwd[0], out.data[3, 0, :H])
    np.testing.assert_array_equal(top_fwd[1], out.data[1, 1, :H])
    # a length-0 sequence never steps: its state is h0 in every layer and direction
    np.testing.assert_array_equal(h_n.data[:, 2], h0[:, 2])
    if bi:  # the reverse direction ends at t = 0
        np.testing.assert_array_equal(h_n.data[3, :2], out.data[0, :2, H:])


def test_a_padded_sequence_gives_what_the_unpadded_one_gives_alone():
    m = _model(bi=True, layers=2)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((T, B, I))
    lengths = np.array([3, 4, 1])
    out, h_n = m(Tensor(x), lengths=lengths)
    for b, L in enumerate(lengths):
        o1, h1 = m(Tensor(x[:L, b : b + 1]))  # the sequence alone, no padding
        np.testing.assert_allclose(out.data[:L, b], o1.data[:, 0], rtol=0, atol=1e-14)
        np.testing.assert_allclose(h_n.data[:, b], h1.data[:, 0], rtol=0, atol=1e-14)


def test_padding_gets_no_gradient_and_changes_nothing():
    m = _model(bi=True, layers=2)
    rng = np.random.default_rng(9)
    x0 = rng.standard_normal((T, B, I))
    lengths = np.array([3, 4, 1])
    x = Tensor(x0, requires_grad=True)
    out, h_n = m(x, lengths=lengths)
    ((out * out).sum() + h_n.sum()).backward()
    for b, L in enumerate(lengths):
        assert (x.grad.data[L:, b] == 0).all() and (x.grad.data[:L, b] != 0).any()
    x1 = x0.copy()
    x1[3, 0] = 100.0  # change padding only
    x1[1:, 2] = -7.0
    out1, h1 = m(Tensor(x1), lengths=lengths)
    np.testing.assert_array_equal(out1.data, out.data)
    np.testing.assert_array_equal(h1.data, h_n.data)


def test_full_lengths_equal_no_lengths():
    m = _model(bi=True, layers=2, bf=True)
    x = Tensor(np.random.default_rng(10).standard_normal((B, T, I)))
    a, ha = m(x)
    b, hb = m(x, lengths=[T] * B)
    np.testing.assert_allclose(a.data, b.data, rtol=0, atol=1e-14)
    np.testing.assert_allclose(ha.data, hb.data, rtol=0, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# dropout between layers, in training only
# ---------------------------------------------------------------------------------------------
def test_dropout_acts_only_in_training_mode():
    m = _model(layers=3, bi=True, dropout=0.5)
    x = Tensor(np.random.default_rng(11).standard_normal((T, B, I)))
    assert m.training  # modules start in training mode
    ref_out, ref_hn = reference_rnn(x.data, _np_weights(m), num_layers=3, bidirectional=True)
    m.eval()
    out, h_n = m(x)
    np.testing.assert_allclose(out.data, ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data, ref_hn, rtol=0, atol=1e-12)
    m.train()
    tg.manual_seed(3)
    t1, _ = m(x)
    tg.manual_seed(3)
    t2, _ = m(x)
    tg.manual_seed(4)
    t3, _ = m(x)
    np.testing.assert_array_equal(t1.data, t2.data)  # seeded masks
    assert not np.allclose(t1.data, ref_out) and not np.array_equal(t1.data, t3.data)


def test_dropout_never_acts_after_the_last_layer():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # dropout with one layer warns (as torch)
        m = _model(layers=1, dropout=0.9)
    x = Tensor(np.random.default_rng(12).standard_normal((T, B, I)))
    out, _ = m(x)  # training mode, but there is no layer after this one
    np.testing.assert_allclose(out.data, reference_rnn(x.data, _np_weights(m))[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("p", [0.3, 0.6])
def test_dropout_masks_feed_the_next_layer(p):
    layers, D = 3, 2
    m = _model(layers=layers, bi=True)
    x = np.random.default_rng(13).standard_normal((T, B, I))
    weights = m.layer_weights()
    out, h_n = rnn(
        Tensor(x),
        weights,
        num_layers=layers,
        bidirectional=True,
        dropout=p,
        training=True,
        rng=np.random.default_rng(0),
    )
    draw = np.random.default_rng(0)
    masks = [(draw.random((T, B, D * H)) >= p) / (1 - p) for _ in range(layers - 1)]
    ref_out, ref_hn = reference_rnn(x, _np_weights(m), num_layers=layers, bidirectional=True, masks=masks)
    np.testing.assert_allclose(out.data, ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data, ref_hn, rtol=0, atol=1e-12)
    same, _ = rnn(Tensor(x), weights, num_layers=layers, bidirectional=True, dropout=p, training=False)
    np.testing.assert_allclose(
        same.data, reference_rnn(x, _np_weights(m), num_layers=layers, bidirectional=True)[0], atol=1e-12
    )


def test_dropout_one_cuts_the_input_of_the_next_layer():
    m = _model(layers=2, dropout=1.0)
    x = np.random.default_rng(14).standard_normal((T, B, I))
    out, _ = m(Tensor(x))
    # layer 1 sees zeros: its output depends on its own weights only, the same for every input
    out2, _ = m(Tensor(x * -3.0 + 1.0))
    np.testing.assert_array_equal(out.data, out2.data)
    masks = [np.zeros((T, B, H))]
    np.testing.assert_allclose(
        out.data, reference_rnn(x, _np_weights(m), num_layers=2, masks=masks)[0], atol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# RNNCell
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("nl", ["tanh", "relu"])
def test_rnncell_batched_and_unbatched(nl):
    cell = RNNCell(I, H, nonlinearity=nl, dtype=np.float64)
    rng = np.random.default_rng(15)
    cell.load_state_dict({k: rng.uniform(-0.7, 0.7, v.shape) for k, v in cell.state_dict().items()})
    x, h = rng.standard_normal((B, I)), rng.standard_normal((B, H))
    pre = x @ cell.weight_ih.data.T + cell.bias_ih.data + h @ cell.weight_hh.data.T + cell.bias_hh.data
    expect = np.tanh(pre) if nl == "tanh" else np.maximum(pre, 0)
    np.testing.assert_allclose(cell(Tensor(x), Tensor(h)).data, expect, rtol=0, atol=1e-12)
    one = cell(Tensor(x[0]), Tensor(h[0]))
    assert one.shape == (H,)
    np.testing.assert_allclose(one.data, expect[0], rtol=0, atol=1e-12)
    zero_h = cell(Tensor(x))  # no hidden state: zeros
    pre0 = x @ cell.weight_ih.data.T + cell.bias_ih.data + cell.bias_hh.data
    np.testing.assert_allclose(
        zero_h.data, np.tanh(pre0) if nl == "tanh" else np.maximum(pre0, 0), atol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs,exc,message",
    [
        (dict(input_size=2.0), TypeError, "input_size should be of type int, got: float"),
        (dict(hidden_size=0), ValueError, "hidden_size must be greater than zero"),
        (dict(num_layers=True), TypeError, "num_layers should be of type int, got: bool"),
        (dict(bias="yes"), TypeError, "bias should be of type bool, got: str"),
        (dict(batch_first=1), TypeError, "batch_first should be of type bool, got: int"),
        (dict(nonlinearity="gelu"), ValueError, "Unknown nonlinearity 'gelu'"),
        (dict(dropout=1.5, num_layers=2), ValueError, "dropout should be a number in range"),
        (dict(dtype=np.int64), RuntimeError, "floating point"),
    ],
)
def test_constructor_errors_name_the_argument(kwargs, exc, message):
    args = dict(input_size=I, hidden_size=H) | kwargs
    with pytest.raises(exc, match=message):
        RNN(**args)


def test_dropout_with_a_single_layer_warns():
    with pytest.warns(UserWarning, match="expects num_layers greater than 1"):
        RNN(I, H, dropout=0.5)


def test_forward_errors():
    m = _model(layers=2)
    x = Tensor(np.zeros((T, B, I)))
    with pytest.raises(ValueError, match="RNN: Expected input to be 2D or 3D, got 4D tensor instead"):
        m(Tensor(np.zeros((1, T, B, I))))
    with pytest.raises(
        RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 2, got 3"
    ):
        m(Tensor(np.zeros((T, B, 3))))
    with pytest.raises(
        ValueError, match=r"RNN input dtype \(float32\) does not match weight dtype \(float64\)"
    ):
        m(Tensor(np.zeros((T, B, I), np.float32)))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 3, 5\), got \[1, 3, 5\]"):
        m(x, Tensor(np.zeros((1, B, H))))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D but got 2-D tensor"):
        m(x, Tensor(np.zeros((B, H))))
    with pytest.raises(
        RuntimeError, match="For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"
    ):
        m(Tensor(np.zeros((T, I))), Tensor(np.zeros((2, 1, H))))
    with pytest.raises(RuntimeError, match=r"hx dtype \(float32\) does not match input dtype \(float64\)"):
        m(x, Tensor(np.zeros((2, B, H), np.float32)))


@pytest.mark.parametrize(
    "lengths,exc,message",
    [
        (np.array([1.0, 2.0, 3.0]), TypeError, "lengths: expected integers, got dtype float64"),
        (
            np.array([1, 2]),
            ValueError,
            r"lengths: expected shape \(3,\) \(one length per sequence\), got \(2,\)",
        ),
        (np.array([[1, 2, 3]]), ValueError, r"expected shape \(3,\)"),
        (np.array([5, 1, 2]), ValueError, r"lengths: expected every length in \[0, 4\].*got \[5, 1, 2\]"),
        (np.array([1, -1, 2]), ValueError, r"got \[1, -1, 2\]"),
    ],
)
def test_lengths_errors(lengths, exc, message):
    m = _model()
    with pytest.raises(exc, match=message):
        m(Tensor(np.zeros((T, B, I))), lengths=lengths)
