"""`tinygrad-rnn convert` on the real file formats (issue 15): files written by REAL torch 2.13.0 and
REAL MindSpore 2.10.0 go in, files the real frameworks load come out, with no other step.

Every check compares the arrays a real framework wrote with the arrays a real framework reads back
from the converted file (bit for bit: conversion copies, it never computes), names and dtypes too.
The converted weights then give the other real framework the first one's numbers (float32, 1e-5).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GLOG_v", "3")
_RECURSION_LIMIT = sys.getrecursionlimit()

import mindspore  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import safetensors.numpy  # noqa: E402
import torch  # noqa: E402

from tinygrad_rnn.cli import main  # noqa: E402
from tinygrad_rnn.convert import convert, read_weights  # noqa: E402
from tinygrad_rnn.train import TrainConfig, train  # noqa: E402

mindspore.runtime.launch_blocking()
sys.setrecursionlimit(_RECURSION_LIMIT)  # importing real MindSpore raises it to 10000; keep the default


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = torch.nn.GRU(3, 4, 2, bidirectional=True, batch_first=True)
        self.fc = torch.nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


class MsNet(mindspore.nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = mindspore.nn.GRU(3, 4, 2, bidirectional=True, batch_first=True)
        self.fc = mindspore.nn.Dense(8, 2)

    def construct(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


X = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)


def real_torch_arrays(sd: dict) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy() for k, v in sd.items()}


def real_ms_arrays(params: dict) -> dict[str, np.ndarray]:
    return {k: v.asnumpy() for k, v in params.items() if hasattr(v, "asnumpy")}


def assert_same_arrays(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert sorted(got) == sorted(want)
    for k in want:
        assert got[k].dtype == want[k].dtype and got[k].shape == want[k].shape, k
        assert got[k].tobytes() == want[k].tobytes(), k


def ms_params(arrays: dict[str, np.ndarray]) -> dict:
    return {k: mindspore.Parameter(mindspore.Tensor(v), name=k) for k, v in arrays.items()}


@pytest.mark.parametrize("to", ["mindspore", "safetensors"])
@pytest.mark.parametrize("saved", ["state_dict", "checkpoint dict"])
def test_real_torch_file_to_real_mindspore(saved, to, tmp_path):
    torch.manual_seed(1)
    net = TorchNet()
    obj = net.state_dict()
    if saved == "checkpoint dict":  # what training scripts save; the optimiser state is left out
        opt = torch.optim.Adam(net.parameters())
        net(torch.tensor(X)).sum().backward()
        opt.step()
        obj = {"model": net.state_dict(), "optim": opt.state_dict(), "epoch": 1}
    torch.save(obj, tmp_path / "real.pt")
    report = convert(str(tmp_path / "real.pt"), str(tmp_path / "out"), to=to)
    assert report["from"] == ("torch" if saved == "state_dict" else "torch['model']")
    fmt = "ckpt" if to == "mindspore" else "safetensors"
    assert report["path"] == str(tmp_path / f"out.{fmt}")
    loaded = mindspore.load_checkpoint(report["path"], format=fmt)  # the real one
    assert_same_arrays(real_ms_arrays(loaded), real_torch_arrays(net.state_dict()))
    ms_net = MsNet()
    assert mindspore.load_param_into_net(ms_net, loaded) == ([], [])
    got = ms_net(mindspore.Tensor(X)).asnumpy()
    np.testing.assert_allclose(got, net(torch.tensor(X)).detach().numpy(), rtol=1e-5, atol=1e-5)
    if to == "safetensors":  # any safetensors reader takes it
        assert_same_arrays(safetensors.numpy.load_file(report["path"]), real_torch_arrays(net.state_dict()))


@pytest.mark.parametrize("fmt", ["ckpt", "safetensors"])
def test_real_mindspore_file_to_real_torch(fmt, tmp_path):
    mindspore.set_seed(2)
    net = MsNet()
    name = str(tmp_path / f"real.{fmt}")
    mindspore.save_checkpoint(net, name, format=fmt)
    report = convert(name, str(tmp_path / "out.pt"), to="torch")
    assert report["from"] == ("mindspore" if fmt == "ckpt" else "safetensors")
    sd = torch.load(tmp_path / "out.pt", weights_only=True)  # the real one, its safe loader
    want = real_ms_arrays(dict(net.parameters_and_names()))
    assert_same_arrays(real_torch_arrays(sd), want)
    t_net = TorchNet()
    t_net.load_state_dict(sd)  # strict: every name, every shape
    got = t_net(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(got, net(mindspore.Tensor(X)).asnumpy(), rtol=1e-5, atol=1e-5)
    if fmt == "ckpt":  # safetensors keeps its names sorted: the module order is not in the file
        assert list(sd) == list(t_net.state_dict())  # written in torch's order


def test_a_training_checkpoint_converts_to_real_torch(tmp_path):
    cfg = TrainConfig.for_task("sine", hidden=4, epochs=1, steps=2, batch=4, frontend="torch")
    path = str(tmp_path / "run.npz")
    train(cfg, progress=False, out=None, sample_chars=0, save=path)
    fmt, weights = read_weights(path)
    assert fmt == "training checkpoint"
    with np.load(path) as z:  # the checkpoint's own model arrays, read by numpy itself
        want = {k[len("model/") :]: z[k] for k in z.files if k.startswith("model/")}
    report = convert(path, str(tmp_path / "run.pt"), to="torch")
    assert_same_arrays(real_torch_arrays(torch.load(report["path"], weights_only=True)), want)


def test_cli_writes_safetensors_and_says_what_it_read(tmp_path, capsys):
    torch.save(TorchNet().state_dict(), tmp_path / "real.pt")
    code = main(["convert", str(tmp_path / "real.pt"), str(tmp_path / "w"), "--to", "safetensors"])
    out = capsys.readouterr().out
    assert code == 0 and "(torch format)" in out and "w.safetensors (safetensors format)" in out
    assert "rnn.weight_ih_l1_reverse" in out
    with pytest.raises(SystemExit):
        main(["convert", str(tmp_path / "real.pt"), str(tmp_path / "x"), "--to", "onnx"])


class _Marker:
    """Pickles as a call that would create a file: it must never run."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("via", ["function", "cli"])
def test_a_pickle_payload_is_refused_and_never_runs(via, tmp_path, capsys):
    marker = tmp_path / "marker"
    torch.save({"w": torch.ones(2), "x": _Marker(str(marker))}, tmp_path / "evil.pt")
    if via == "function":
        with pytest.raises(ValueError, match="open"):
            read_weights(str(tmp_path / "evil.pt"))
    else:
        assert main(["convert", str(tmp_path / "evil.pt"), str(tmp_path / "o.pt"), "--to", "torch"]) == 2
        assert "error" in capsys.readouterr().err
        assert not (tmp_path / "o.pt").exists()
    assert not marker.exists()
    with open(tmp_path / "evil.pt", "rb") as fh:  # the payload is really in the file
        assert b"marker" in fh.read()


def test_unreadable_files_name_every_format(tmp_path):
    (tmp_path / "junk.bin").write_bytes(b"\x00" * 64)
    with pytest.raises(ValueError) as info:
        read_weights(str(tmp_path / "junk.bin"))
    msg = str(info.value)
    assert "torch" in msg and "MindSpore" in msg and "training checkpoint" in msg
    with pytest.raises(FileNotFoundError):
        read_weights(str(tmp_path / "missing.pt"))
