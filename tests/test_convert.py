"""tinygrad_rnn.convert and `tinygrad-rnn convert`: weights between torch-style and MindSpore-style files."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_rnn.mindspore as ms
import tinygrad_rnn.torch as torch
from tinygrad_rnn.cli import main
from tinygrad_rnn.convert import convert, read_weights, reorder

TORCH_ORDER = [
    "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
    "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
    "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
    "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
]  # fmt: skip


class TorchModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.RNN(2, 3, 2, bidirectional=True, batch_first=True)
        self.fc = torch.nn.Linear(6, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


class MsModel(ms.nn.Cell):
    def __init__(self):
        super().__init__()
        self.rnn = ms.nn.RNN(2, 3, 2, bidirectional=True, batch_first=True)
        self.fc = ms.nn.Dense(6, 1)

    def construct(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


def test_reorder_groups_rnn_parameters_by_kind_for_mindspore_and_back():
    names = ["emb"] + ["rnn." + n for n in TORCH_ORDER] + ["fc.weight", "fc.bias"]
    to_ms = reorder(names, "mindspore")
    ms_rnn = [p.name for p in ms.nn.RNN(2, 3, 2, bidirectional=True).trainable_params()]
    assert to_ms == ["emb"] + ["rnn." + n for n in ms_rnn] + ["fc.weight", "fc.bias"]
    assert reorder(to_ms, "torch") == names
    with pytest.raises(ValueError, match="unknown target format 'tf'"):
        reorder(names, "tf")


def test_function_round_trip_keeps_names_values_and_dtypes(tmp_path):
    rng = np.random.default_rng(0)
    sd = {n: rng.standard_normal((3, 2)).astype(np.float64 if "hh" in n else np.float32) for n in TORCH_ORDER}
    sd["scale"] = np.array(2.0, np.float16)  # 0-d and another dtype survive too
    torch.save({k: torch.from_numpy(v) for k, v in sd.items()}, str(tmp_path / "a.pt"))
    r1 = convert(str(tmp_path / "a.pt"), str(tmp_path / "b"), "mindspore")
    assert r1["from"] == "torch" and r1["path"] == str(tmp_path / "b.ckpt")
    fmt, ms_arrays = read_weights(r1["path"])
    assert fmt == "mindspore" and list(ms_arrays) == reorder(list(sd), "mindspore")
    r2 = convert(r1["path"], str(tmp_path / "c.pt"), "torch")
    assert r2["from"] == "mindspore"
    back = torch.load(str(tmp_path / "c.pt"))
    assert list(back) == list(sd)
    for k, v in sd.items():
        assert back[k].numpy().dtype == v.dtype
        np.testing.assert_array_equal(back[k].numpy(), v)


def test_converted_model_gives_the_same_numbers_in_the_other_frontend(tmp_path):
    torch.manual_seed(0)
    model = TorchModel()
    torch.save(model.state_dict(), str(tmp_path / "model.pt"))
    report = convert(str(tmp_path / "model.pt"), str(tmp_path / "model.ckpt"), "mindspore")
    net = MsModel()
    assert ms.load_param_into_net(net, ms.load_checkpoint(report["path"])) == ([], [])
    x = np.random.default_rng(1).standard_normal((4, 5, 2)).astype(np.float32)
    np.testing.assert_allclose(
        net(ms.Tensor(x)).asnumpy(), model(torch.tensor(x)).detach().numpy(), atol=1e-6
    )
    # and back: a MindSpore checkpoint into the torch model
    ms.save_checkpoint(net, str(tmp_path / "net.ckpt"))
    convert(str(tmp_path / "net.ckpt"), str(tmp_path / "net.pt"), "torch")
    fresh = TorchModel()
    fresh.load_state_dict(torch.load(str(tmp_path / "net.pt")))
    np.testing.assert_allclose(
        fresh(torch.tensor(x)).detach().numpy(), net(ms.Tensor(x)).asnumpy(), atol=1e-6
    )


def test_rename(tmp_path):
    torch.save({"w": torch.zeros(2), "b": torch.ones(2)}, str(tmp_path / "a.pt"))
    report = convert(str(tmp_path / "a.pt"), str(tmp_path / "b.ckpt"), "mindspore", {"w": "fc.weight"})
    assert report["names"] == [("w", "fc.weight"), ("b", "b")]
    assert list(ms.load_checkpoint(str(tmp_path / "b.ckpt"))) == ["fc.weight", "b"]
    with pytest.raises(KeyError, match="cannot rename"):
        convert(str(tmp_path / "a.pt"), str(tmp_path / "c.ckpt"), "mindspore", {"nope": "x"})
    with pytest.raises(ValueError, match="duplicate"):
        convert(str(tmp_path / "a.pt"), str(tmp_path / "c.ckpt"), "mindspore", {"w": "b"})


def test_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        convert(str(tmp_path / "missing.pt"), str(tmp_path / "x"), "mindspore")
    (tmp_path / "junk.pt").write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="not a torch file .* not a MindSpore checkpoint or safetensors"):
        convert(str(tmp_path / "junk.pt"), str(tmp_path / "x"), "mindspore")
    torch.save([torch.zeros(2)], str(tmp_path / "list.pt"))
    with pytest.raises(ValueError, match="not a state_dict"):
        convert(str(tmp_path / "list.pt"), str(tmp_path / "x"), "mindspore")
    with pytest.raises(ValueError, match="unknown target format"):
        convert(str(tmp_path / "list.pt"), str(tmp_path / "x"), "onnx")
    assert sorted(os.listdir(tmp_path)) == ["junk.pt", "list.pt"]  # nothing half-written


def test_cli_round_trip(tmp_path, capsys):
    torch.manual_seed(1)
    rnn = torch.nn.RNN(2, 3, 2, bidirectional=True)
    torch.save(rnn.state_dict(), str(tmp_path / "rnn.pt"))
    assert main(["convert", str(tmp_path / "rnn.pt"), str(tmp_path / "rnn"), "--to", "mindspore"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'rnn.ckpt'} (mindspore format)" in out
    listed = [ln.strip() for ln in out.splitlines()[1:]]
    assert listed == [p.name for p in ms.nn.RNN(2, 3, 2, bidirectional=True).trainable_params()]
    args = ["convert", str(tmp_path / "rnn.ckpt"), str(tmp_path / "back.pt"), "--to", "torch"]
    assert main(args + ["--rename", "weight_ih_l0=w0"]) == 0
    assert "weight_ih_l0 -> w0" in capsys.readouterr().out
    back = torch.load(str(tmp_path / "back.pt"))
    assert list(back) == ["w0"] + TORCH_ORDER[1:]
    for k, v in rnn.state_dict().items():
        np.testing.assert_array_equal(back["w0" if k == "weight_ih_l0" else k].numpy(), v.numpy())
    assert main(["convert", str(tmp_path / "nope.pt"), str(tmp_path / "x"), "--to", "torch"]) == 2
    out, err = capsys.readouterr()
    assert not out and err.count("\n") == 1  # one line, on stderr
    assert err.startswith("tinygrad-rnn convert: error: ") and err.count("convert") == 1 and "nope.pt" in err
    with pytest.raises(SystemExit):
        main(["convert", "a", "b", "--to", "onnx"])
    with pytest.raises(SystemExit):
        main(["convert", "a", "b", "--to", "torch", "--rename", "no-equals-sign"])


def test_console_script_lists_convert():
    out = subprocess.run(
        [sys.executable, "-m", "tinygrad_rnn", "convert", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--to {torch,mindspore,safetensors}" in out and "--rename OLD=NEW" in out


def test_a_mindspore_checkpoint_under_another_name_still_converts(tmp_path):
    """load_checkpoint wants a ".ckpt" name (as MindSpore); convert decides by content, not by name."""
    ms.save_checkpoint({"w": ms.Tensor(np.arange(3, dtype=np.float32))}, str(tmp_path / "w.ckpt"))
    os.rename(tmp_path / "w.ckpt", tmp_path / "w.weights")
    with pytest.raises(ValueError, match="format must same"):
        ms.load_checkpoint(str(tmp_path / "w.weights"))
    fmt, arrays = read_weights(str(tmp_path / "w.weights"))
    assert fmt == "mindspore" and list(arrays) == ["w"]
    np.testing.assert_array_equal(arrays["w"], np.arange(3, dtype=np.float32))
