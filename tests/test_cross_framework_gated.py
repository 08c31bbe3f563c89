"""LSTM and GRU across frameworks: MindSpore's ``seq_length`` is torch's packed sequence.

For LSTM and GRU, uni- and bidirectional, 1 and 2 layers, batch_first both ways, with per-sequence
lengths that are unsorted and include the full length T and a length of 1 (and a given initial state):

(a) real torch (pack_padded_sequence(enforce_sorted=False) -> LSTM/GRU -> pad_packed_sequence) and real
    MindSpore (``seq_length``) with the same weights give the same output (padded: exactly zero past each
    length), h_n, c_n, and the same gradients w.r.t. the input, the initial state and every weight;
(b) ours, the torch frontend packed and the MindSpore frontend with seq_length, each agree with both real
    frameworks: every forward result and every gradient against real torch, and against real MindSpore.

Same weights everywhere: loaded by name (the two frameworks name and stack the gates identically,
tests/test_convert_gated.py). Float32, 1e-5 throughout: with seq_length real MindSpore runs its float32
cell loop for both LSTM and GRU; measured, it stays within 5.3e-6 of real torch on this grid (outputs,
states and every gradient), so no float64 judge is needed.
Expected numbers come only from the real frameworks.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

import itertools  # noqa: E402
from typing import Any  # noqa: E402

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from _oracle import TOL  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402
import tinygrad_rnn.torch as ttorch  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it to 10000; keep the default

F32 = TOL[np.dtype(np.float32)]
I, H, T, B = 2, 3, 4, 3
LENGTHS = [2, T, 1]  # unsorted (torch needs enforce_sorted=False), the full length and a length of 1
GATES = {"LSTM": 4, "GRU": 3}
STATES = {"LSTM": 2, "GRU": 1}  # (h, c) or h
CONFIGS = list(itertools.product(("LSTM", "GRU"), (False, True), (1, 2), (False, True)))


def cfg_id(cfg: tuple) -> str:
    mode, bi, L, bf = cfg
    return f"{mode}-{'bi' if bi else 'uni'}-L{L}-{'bf' if bf else 'tf'}"


def make_data(cfg: tuple, seed: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Weights under the shared names (torch's order) and inputs: x, initial states, upstream grads."""
    mode, bi, L, bf = cfg
    rng = np.random.default_rng(seed)
    D, G = (2 if bi else 1), GATES[mode] * H
    w = {}
    for k, d in itertools.product(range(L), range(D)):
        sfx = f"_l{k}" + ("_reverse" if d else "")
        for kind, shape in (("weight_ih", (G, I if k == 0 else D * H)), ("weight_hh", (G, H))):
            w[kind + sfx] = rng.uniform(-0.7, 0.7, shape).astype(np.float32)
        for kind in ("bias_ih", "bias_hh"):
            w[kind + sfx] = rng.uniform(-0.7, 0.7, (G,)).astype(np.float32)
    xs = (B, T, I) if bf else (T, B, I)
    n_states = STATES[mode]
    data = {
        "x": rng.standard_normal(xs).astype(np.float32),
        "go": rng.standard_normal(xs[:2] + (D * H,)).astype(np.float32),
        **{f"h{s}": rng.standard_normal((L * D, B, H)).astype(np.float32) for s in range(n_states)},
        **{f"g{s}": rng.standard_normal((L * D, B, H)).astype(np.float32) for s in range(n_states)},
    }
    return w, data


def run_torch(th: Any, cfg: tuple, w: dict[str, np.ndarray], data: dict[str, np.ndarray]) -> dict:
    """Packed forward, padded back to T; backward of <out, go> + sum_s <state_s, g_s>."""
    mode, bi, L, bf = cfg
    net = getattr(th.nn, mode)(I, H, L, batch_first=bf, bidirectional=bi)
    net.load_state_dict({k: th.tensor(v) for k, v in w.items()})
    x = th.tensor(data["x"], requires_grad=True)
    h0 = [th.tensor(data[f"h{s}"], requires_grad=True) for s in range(STATES[mode])]
    utils = th.nn.utils.rnn
    packed = utils.pack_padded_sequence(x, th.tensor(LENGTHS), batch_first=bf, enforce_sorted=False)
    out, state = net(packed, tuple(h0) if mode == "LSTM" else h0[0])
    out, _ = utils.pad_packed_sequence(out, batch_first=bf, total_length=T)
    states = list(state) if mode == "LSTM" else [state]
    loss = (out * th.tensor(data["go"])).sum()
    for s, st in enumerate(states):
        loss = loss + (st * th.tensor(data[f"g{s}"])).sum()
    loss.backward()
    return {
        "out": out.detach().numpy(),
        **{f"state{s}": st.detach().numpy() for s, st in enumerate(states)},
        "dx": x.grad.numpy(),
        **{f"dh{s}": h.grad.numpy() for s, h in enumerate(h0)},
        "dw": {n: p.grad.numpy() for n, p in net.named_parameters()},
    }


def run_mindspore(ms: Any, cfg: tuple, w: dict[str, np.ndarray], data: dict[str, np.ndarray]) -> dict:
    """seq_length forward; value_and_grad of the same sum w.r.t. x, the initial state(s), every weight."""
    mode, bi, L, bf = cfg
    net = getattr(ms.nn, mode)(I, H, L, batch_first=bf, bidirectional=bi)
    params = {k: ms.Parameter(ms.Tensor(v), name=k) for k, v in w.items()}
    assert ms.load_param_into_net(net, params) == ([], [])
    n_states = STATES[mode]
    seq = ms.Tensor(np.asarray(LENGTHS, np.int32))
    go, gs = ms.Tensor(data["go"]), [ms.Tensor(data[f"g{s}"]) for s in range(n_states)]

    def forward(x, *h0):
        out, state = net(x, tuple(h0) if mode == "LSTM" else h0[0], seq)
        states = tuple(state) if mode == "LSTM" else (state,)
        loss = (out * go).sum()
        for st, g in zip(states, gs):
            loss = loss + (st * g).sum()
        return (loss, out, *states)

    weights = net.trainable_params()
    inputs = [ms.Tensor(data["x"])] + [ms.Tensor(data[f"h{s}"]) for s in range(n_states)]
    grad_fn = ms.value_and_grad(forward, tuple(range(1 + n_states)), weights, has_aux=True)
    (_, out, *states), (d_in, dws) = grad_fn(*inputs)
    return {
        "out": out.asnumpy(),
        **{f"state{s}": st.asnumpy() for s, st in enumerate(states)},
        "dx": d_in[0].asnumpy(),
        **{f"dh{s}": d.asnumpy() for s, d in enumerate(d_in[1:])},
        "dw": {p.name: g.asnumpy() for p, g in zip(weights, dws)},
    }


def assert_same(got: dict, want: dict, who: str) -> None:
    """Every forward result and gradient, the same keys and parameter names on both sides."""
    assert sorted(got) == sorted(want), who
    for key in sorted(k for k in want if k != "dw"):
        assert got[key].shape == want[key].shape, f"{who}: {key} shape {got[key].shape} != {want[key].shape}"
        np.testing.assert_allclose(got[key], want[key], err_msg=f"{who}: {key}", **F32)
    assert sorted(got["dw"]) == sorted(want["dw"]), who
    for name in want["dw"]:
        np.testing.assert_allclose(got["dw"][name], want["dw"][name], err_msg=f"{who}: d{name}", **F32)


def assert_zero_past_lengths(out: np.ndarray, bf: bool, who: str) -> None:
    """The padded output is exactly zero after each sequence's length (and not zero within it)."""
    per_seq = out if bf else out.transpose(1, 0, 2)
    for b, n in enumerate(LENGTHS):
        assert np.all(per_seq[b, n:] == 0), f"{who}: sequence {b} not zero past its length {n}"
        assert np.all(np.abs(per_seq[b, :n]).max(axis=-1) > 0), f"{who}: sequence {b} zero within its length"


@pytest.mark.parametrize("cfg", CONFIGS, ids=[cfg_id(c) for c in CONFIGS])
def test_real_torch_packing_equals_real_mindspore_seq_length(cfg):
    w, data = make_data(cfg, CONFIGS.index(cfg))
    real_t, real_m = run_torch(torch, cfg, w, data), run_mindspore(mindspore, cfg, w, data)
    assert_zero_past_lengths(real_t["out"], cfg[3], "real torch")
    assert_zero_past_lengths(real_m["out"], cfg[3], "real MindSpore")
    assert_same(real_m, real_t, "real MindSpore vs real torch")


@pytest.mark.parametrize("cfg", CONFIGS, ids=[cfg_id(c) for c in CONFIGS])
def test_ours_packed_and_seq_length_agree_with_both_real_frameworks(cfg):
    w, data = make_data(cfg, 100 + CONFIGS.index(cfg))
    real_t, real_m = run_torch(torch, cfg, w, data), run_mindspore(mindspore, cfg, w, data)
    ours_t, ours_m = run_torch(ttorch, cfg, w, data), run_mindspore(tms, cfg, w, data)
    assert_zero_past_lengths(ours_t["out"], cfg[3], "ours (torch frontend)")
    assert_zero_past_lengths(ours_m["out"], cfg[3], "ours (MindSpore frontend)")
    for who, ours in (("ours (torch frontend, packed)", ours_t), ("ours (MindSpore frontend)", ours_m)):
        assert_same(ours, real_t, f"{who} vs real torch")
        assert_same(ours, real_m, f"{who} vs real MindSpore")
