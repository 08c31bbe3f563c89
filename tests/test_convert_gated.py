"""The converter on LSTM and GRU weights, judged by real torch 2.13.0 and real MindSpore 2.10.0.

Each test starts from a REAL framework's module, passes its weights through our frontends' files and
`tinygrad-rnn convert`, loads the result into the OTHER real framework and compares what the two real
frameworks compute (float32, 1e-5: measured, MindSpore's float32 LSTM/GRU kernels stay within 5e-7 of
torch's here, so no float64 judge is needed). Nothing is compared against numbers tinygrad_rnn computed.

What was verified against the real frameworks (and what the converter relies on):
- names: identical (``weight_ih_l{k}[_reverse]`` ... with 4H / 3H rows; a cell's ``weight_ih`` ...), a
  nested module prefixed by attribute path in both (``rnn.weight_ih_l0``); MindSpore's LSTM/GRU keep a
  sub-cell ``rnn`` that does not appear in the names;
- order: torch per layer and direction, MindSpore grouped by kind (as for the RNN);
- gates: the same order and packing, so the arrays are copied unchanged (and a test shows that a wrong
  gate order would be caught);
- torch's ``proj_size`` (``weight_hr``) has no MindSpore counterpart: converting it is refused.
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
from _oracle import torch_state  # noqa: E402

import tinygrad_rnn.mindspore as tms  # noqa: E402
import tinygrad_rnn.torch as ttorch  # noqa: E402
from tinygrad_rnn.cli import main  # noqa: E402
from tinygrad_rnn.convert import read_weights, reorder  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it to 10000; keep the default

TOL = dict(rtol=1e-5, atol=1e-5)
I, H, T, B = 3, 4, 5, 3
CONFIGS = list(itertools.product(("LSTM", "GRU"), (False, True), (1, 2), (True, False)))


def cfg_id(cfg: tuple) -> str:
    mode, bi, L, bias = cfg
    return f"{mode}-{'bi' if bi else 'uni'}-L{L}-{'bias' if bias else 'nobias'}"


def as_ms_parameters(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Our file's arrays as real MindSpore Parameters (what real load_param_into_net takes)."""
    return {n: mindspore.Parameter(mindspore.Tensor(np.asarray(a)), name=n) for n, a in arrays.items()}


def torch_run(net: Any, x: np.ndarray) -> list[np.ndarray]:
    """Real torch: output and final state(s) as arrays (h_n, c_n for an LSTM)."""
    out, state = net(torch.tensor(x))
    return [t.detach().numpy() for t in (out, *(state if isinstance(state, tuple) else (state,)))]


def ms_run(net: Any, x: np.ndarray) -> list[np.ndarray]:
    """Real MindSpore: output and final state(s) as arrays."""
    out, state = net(mindspore.Tensor(x))
    return [t.asnumpy() for t in (out, *(state if isinstance(state, tuple) else (state,)))]


def assert_all_close(got: list[np.ndarray], want: list[np.ndarray]) -> None:
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, f"result {k}: shape {g.shape} != {w.shape}"
        np.testing.assert_allclose(g, w, err_msg=f"result {k}", **TOL)


def torch_to_ckpt(real_t: Any, ours_t: Any, tmp_path: Any, capsys: Any) -> dict[str, np.ndarray]:
    """Real torch's weights -> our torch module -> its state_dict file -> `tinygrad-rnn convert` -> arrays."""
    ours_t.load_state_dict({k: ttorch.tensor(v) for k, v in torch_state(real_t).items()})
    ttorch.save(ours_t.state_dict(), str(tmp_path / "w.pt"))
    assert main(["convert", str(tmp_path / "w.pt"), str(tmp_path / "w"), "--to", "mindspore"]) == 0
    assert f"wrote {tmp_path / 'w.ckpt'} (mindspore format)" in capsys.readouterr().out
    fmt, arrays = read_weights(str(tmp_path / "w.ckpt"))
    assert fmt == "mindspore"
    return arrays


def ms_to_state_dict(real_m: Any, ours_m: Any, tmp_path: Any) -> dict[str, Any]:
    """Real MindSpore's weights -> our MindSpore cell -> its checkpoint -> `tinygrad-rnn convert` -> dict."""
    arrays = {p.name: p.asnumpy() for p in real_m.trainable_params()}
    params = {n: tms.Parameter(tms.Tensor(a), name=n) for n, a in arrays.items()}
    assert tms.load_param_into_net(ours_m, params) == ([], [])
    tms.save_checkpoint(ours_m, str(tmp_path / "net.ckpt"))
    assert main(["convert", str(tmp_path / "net.ckpt"), str(tmp_path / "net.pt"), "--to", "torch"]) == 0
    back = ttorch.load(str(tmp_path / "net.pt"))
    return {k: torch.tensor(v.numpy()) for k, v in back.items()}


@pytest.mark.parametrize("cfg", CONFIGS, ids=[cfg_id(c) for c in CONFIGS])
def test_reorder_gives_each_real_frameworks_order(cfg):
    mode, bi, L, bias = cfg
    t_names = list(getattr(torch.nn, mode)(I, H, L, bias=bias, bidirectional=bi).state_dict())
    m_names = [
        p.name for p in getattr(mindspore.nn, mode)(I, H, L, has_bias=bias, bidirectional=bi).get_parameters()
    ]
    assert sorted(t_names) == sorted(m_names)  # the same names: only the order differs
    assert reorder(t_names, "mindspore") == m_names
    assert reorder(m_names, "torch") == t_names


@pytest.mark.parametrize("cfg", CONFIGS, ids=[cfg_id(c) for c in CONFIGS])
def test_real_torch_weights_converted_give_real_mindspores_numbers(cfg, tmp_path, capsys):
    mode, bi, L, bias = cfg
    torch.manual_seed(CONFIGS.index(cfg))
    real_t = getattr(torch.nn, mode)(I, H, L, bias=bias, bidirectional=bi)
    arrays = torch_to_ckpt(
        real_t, getattr(ttorch.nn, mode)(I, H, L, bias=bias, bidirectional=bi), tmp_path, capsys
    )
    real_m = getattr(mindspore.nn, mode)(I, H, L, has_bias=bias, bidirectional=bi)
    assert list(arrays) == [p.name for p in real_m.trainable_params()]  # written in MindSpore's order
    assert mindspore.load_param_into_net(real_m, as_ms_parameters(arrays)) == ([], [])
    x = np.random.default_rng(CONFIGS.index(cfg)).standard_normal((T, B, I)).astype(np.float32)
    assert_all_close(ms_run(real_m, x), torch_run(real_t, x))


@pytest.mark.parametrize("cfg", CONFIGS, ids=[cfg_id(c) for c in CONFIGS])
def test_real_mindspore_weights_converted_give_real_torchs_numbers(cfg, tmp_path):
    mode, bi, L, bias = cfg
    mindspore.set_seed(CONFIGS.index(cfg))
    real_m = getattr(mindspore.nn, mode)(I, H, L, has_bias=bias, bidirectional=bi, batch_first=True)
    ours_m = getattr(tms.nn, mode)(I, H, L, has_bias=bias, bidirectional=bi, batch_first=True)
    state = ms_to_state_dict(real_m, ours_m, tmp_path)
    real_t = getattr(torch.nn, mode)(I, H, L, bias=bias, bidirectional=bi, batch_first=True)
    assert list(state) == list(real_t.state_dict())  # written in torch's order
    real_t.load_state_dict(state)  # strict: every name present, none left over, shapes checked
    x = np.random.default_rng(50 + CONFIGS.index(cfg)).standard_normal((B, T, I)).astype(np.float32)
    assert_all_close(torch_run(real_t, x), ms_run(real_m, x))


class TorchModel(torch.nn.Module):
    """A gated layer under the attribute `rnn` and a head (names get the prefixes "rnn." and "fc.")."""

    def __init__(self, torch_module: Any, mode: str):
        super().__init__()
        self.rnn = getattr(torch_module.nn, mode)(I, H, 2, bidirectional=True, batch_first=True)
        self.fc = torch_module.nn.Linear(2 * H, 1)

    def forward(self, x: Any) -> Any:
        return self.fc(self.rnn(x)[0][:, -1])


class OurTorchModel(ttorch.nn.Module):
    def __init__(self, mode: str):
        super().__init__()
        self.rnn = getattr(ttorch.nn, mode)(I, H, 2, bidirectional=True, batch_first=True)
        self.fc = ttorch.nn.Linear(2 * H, 1)


def ms_model(ms: Any, mode: str) -> Any:
    """The same model as a (real or our) MindSpore Cell."""

    class MsModel(ms.nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = getattr(ms.nn, mode)(I, H, 2, bidirectional=True, batch_first=True)
            self.fc = ms.nn.Dense(2 * H, 1)

        def construct(self, x: Any) -> Any:
            return self.fc(self.rnn(x)[0][:, -1])

    return MsModel()


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_nested_model_round_trip_through_both_real_frameworks(mode, tmp_path, capsys):
    """Prefixed names ("rnn.weight_ih_l0", "fc.weight"): real torch -> real MindSpore -> real torch."""
    torch.manual_seed(3)
    real_t = TorchModel(torch, mode)
    real_m = ms_model(mindspore, mode)
    arrays = torch_to_ckpt(real_t, OurTorchModel(mode), tmp_path, capsys)
    assert list(arrays) == [p.name for p in real_m.trainable_params()]
    assert arrays["rnn.weight_ih_l0"].shape == ({"LSTM": 4, "GRU": 3}[mode] * H, I)
    assert mindspore.load_param_into_net(real_m, as_ms_parameters(arrays)) == ([], [])
    x = np.random.default_rng(4).standard_normal((B, T, I)).astype(np.float32)
    want = real_t(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(real_m(mindspore.Tensor(x)).asnumpy(), want, **TOL)
    # and back from real MindSpore's parameters into a fresh real torch model
    state = ms_to_state_dict(real_m, ms_model(tms, mode), tmp_path)
    fresh = TorchModel(torch, mode)
    assert list(state) == list(fresh.state_dict())
    fresh.load_state_dict(state)
    np.testing.assert_allclose(fresh(torch.tensor(x)).detach().numpy(), want, **TOL)


@pytest.mark.parametrize("mode", ["LSTMCell", "GRUCell"])
def test_cells_convert_both_ways(mode, tmp_path, capsys):
    """A cell's weight_ih, weight_hh, bias_ih, bias_hh: same names and order in both real frameworks."""
    torch.manual_seed(5)
    real_t = getattr(torch.nn, mode)(I, H)
    arrays = torch_to_ckpt(real_t, getattr(ttorch.nn, mode)(I, H), tmp_path, capsys)
    real_m = getattr(mindspore.nn, mode)(I, H)
    assert list(arrays) == [p.name for p in real_m.trainable_params()] == list(real_t.state_dict())
    assert mindspore.load_param_into_net(real_m, as_ms_parameters(arrays)) == ([], [])
    rng = np.random.default_rng(6)
    x, h, c = (rng.standard_normal((B, n)).astype(np.float32) for n in (I, H, H))
    if mode == "LSTMCell":
        want = [t.detach().numpy() for t in real_t(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))]
        got = [t.asnumpy() for t in real_m(mindspore.Tensor(x), (mindspore.Tensor(h), mindspore.Tensor(c)))]
    else:
        want = [real_t(torch.tensor(x), torch.tensor(h)).detach().numpy()]
        got = [real_m(mindspore.Tensor(x), mindspore.Tensor(h)).asnumpy()]
    assert_all_close(got, want)
    state = ms_to_state_dict(real_m, getattr(tms.nn, mode)(I, H), tmp_path)
    fresh = getattr(torch.nn, mode)(I, H)
    fresh.load_state_dict(state)
    for k, v in real_t.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[k].numpy(), v.numpy())


# gate blocks (rows of weight_* / bias_*) in torch's order: LSTM i, f, g, o; GRU r, z, n
SWAPS = {"LSTM": [(0, 1), (1, 3), (2, 3)], "GRU": [(0, 1), (1, 2), (0, 2)]}


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_a_wrong_gate_order_would_be_caught(mode):
    """The numerical comparisons above are sensitive to gate order: loading torch's weights into real
    MindSpore with any two gate blocks swapped gives different numbers, so identical arrays giving the
    same numbers means the real frameworks stack the gates identically (nothing to convert)."""
    torch.manual_seed(7)
    real_t = getattr(torch.nn, mode)(I, H, 1)
    x = np.random.default_rng(8).standard_normal((T, B, I)).astype(np.float32)
    want = torch_run(real_t, x)
    for a, b in SWAPS[mode]:
        swapped = {}
        for name, w in torch_state(real_t).items():
            blocks = list(np.split(w, {"LSTM": 4, "GRU": 3}[mode]))
            blocks[a], blocks[b] = blocks[b], blocks[a]
            swapped[name] = np.concatenate(blocks)
        real_m = getattr(mindspore.nn, mode)(I, H, 1)
        assert mindspore.load_param_into_net(real_m, as_ms_parameters(swapped)) == ([], [])
        got = ms_run(real_m, x)
        assert max(np.abs(g - w).max() for g, w in zip(got, want)) > 1e-3, f"gates {a} and {b} swapped"


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
def test_lstm_with_proj_size_is_refused_for_mindspore_and_kept_for_torch(tmp_path, capsys):
    """torch's proj_size adds weight_hr_l{k}[_reverse] (after bias_hh in each layer/direction); MindSpore's
    nn.LSTM has no proj_size (real MindSpore: TypeError), so the converter names weight_hr and writes
    nothing; torch -> torch keeps real torch's order and values."""
    with pytest.raises(TypeError, match="proj_size"):
        mindspore.nn.LSTM(I, H, proj_size=2)
    torch.manual_seed(9)
    real_t = torch.nn.LSTM(I, H, 2, proj_size=2, bidirectional=True)
    ours_t = ttorch.nn.LSTM(I, H, 2, proj_size=2, bidirectional=True)
    ours_t.load_state_dict({k: ttorch.tensor(v) for k, v in torch_state(real_t).items()})
    ttorch.save(ours_t.state_dict(), str(tmp_path / "p.pt"))
    assert main(["convert", str(tmp_path / "p.pt"), str(tmp_path / "p"), "--to", "mindspore"]) == 2
    out, err = capsys.readouterr()
    assert not out and err.count("\n") == 1 and err.startswith("tinygrad-rnn convert: error: ")
    assert "weight_hr_l0" in err and "weight_hr_l1_reverse" in err and "proj_size" in err
    assert not (tmp_path / "p.ckpt").exists()
    t_names = list(real_t.state_dict())
    with pytest.raises(ValueError, match="weight_hr_l0, weight_hr_l0_reverse, weight_hr_l1"):
        reorder(t_names, "mindspore")
    # MindSpore-style grouping (by kind, weight_hr last) back to torch gives torch's per-layer order
    grouped = sorted(t_names, key=lambda n: (n.startswith("weight_hr"), n.rsplit("_l", 1)[0]))
    assert grouped != t_names and reorder(grouped, "torch") == t_names
    assert main(["convert", str(tmp_path / "p.pt"), str(tmp_path / "q.pt"), "--to", "torch"]) == 0
    state = {k: torch.tensor(v.numpy()) for k, v in ttorch.load(str(tmp_path / "q.pt")).items()}
    assert list(state) == t_names
    fresh = torch.nn.LSTM(I, H, 2, proj_size=2, bidirectional=True)
    fresh.load_state_dict(state)
    x = np.random.default_rng(10).standard_normal((T, B, I)).astype(np.float32)
    assert_all_close(torch_run(fresh, x), torch_run(real_t, x))
