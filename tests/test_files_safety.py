"""Files a user saved: 0-d tensors, symlinks and special files, killed saves, tampered files, and the
`train` command's output paths (issue 10, "Files a user saved").

Where a real framework has the behaviour (torch.save / torch.load round trips, writing through a
symlink, the error type for a directory or a file that is not a checkpoint) the test runs the real one
beside ours. The tampering grid checks the loaders' documented error contract: every damaged or
hand-made file raises one of the documented types (exactly, not a subclass such as RecursionError) or,
for a harmless change, loads the very content that was saved.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import textwrap
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import _report
import numpy as np
import pytest

import tinygrad_rnn.mindspore as tms
import tinygrad_rnn.torch as tt
from tinygrad_rnn import cli
from tinygrad_rnn import train as train_mod
from tinygrad_rnn.convert import convert, read_weights
from tinygrad_rnn.mindspore.train.serialization import HEADER
from tinygrad_rnn.torch.serialization import MAGIC, UnreadableCheckpointError
from tinygrad_rnn.train import (
    CheckpointError,
    OutputPathError,
    TrainConfig,
    config_from_checkpoint,
    load_checkpoint,
    plot_curve,
    train,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = dict(hidden=4, epochs=1, steps=1, batch=4)


def tiny_cfg(**kw: Any) -> TrainConfig:
    return TrainConfig.for_task("sine", **{**TINY, **kw})


def quiet(cfg: TrainConfig, **kw: Any) -> Any:
    return train(cfg, progress=False, out=None, sample_chars=0, **kw)


def temps(folder: Any) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


@contextlib.contextmanager
def deadline(seconds: int = 20) -> Iterator[None]:
    """Fail instead of hanging if a FIFO is ever opened (opening one blocks until the other end does)."""

    def boom(*_: Any) -> None:
        raise TimeoutError("blocked: a special file was opened")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# =================================================================================================
# 1. 0-d tensors (and every dtype) survive torch.save / torch.load exactly as in real torch
# =================================================================================================
W = np.arange(6, dtype=np.float32).reshape(2, 3) / 10
B = np.array([0.5, -0.25], np.float32)
X = np.array([[1.0, -2.0, 0.5]], np.float32)


def saved_objects(T: Any) -> dict[str, Any]:
    """The same objects built in torch-like module T: a state_dict, Adam's state after a step (its
    `step` is a 0-d tensor) and nested containers of 0-d / empty tensors of several dtypes."""
    lin = T.nn.Linear(3, 2)
    lin.load_state_dict({"weight": T.tensor(W), "bias": T.tensor(B)})
    opt = T.optim.Adam(lin.parameters(), lr=0.1)
    (lin(T.tensor(X)) ** 2).sum().backward()
    opt.step()
    return {
        "model": lin.state_dict(),
        "optim_state": opt.state_dict()["state"],
        "nested": [
            T.tensor(1.5),
            (
                T.tensor(7),
                {"flag": T.tensor(True), "empty": T.zeros(0), "half": T.tensor(0.5, dtype=T.float16)},
            ),
        ],
        "scalars": {
            "f64": T.tensor(2.25, dtype=T.float64),
            "i32": T.tensor(-3, dtype=T.int32),
            "u8": T.tensor(200, dtype=T.uint8),
            "c64": T.from_numpy(np.array(1 + 2j, np.complex64)),
            "row": T.tensor([[4.0]]),
        },
        "number": 3,
        "text": "epoch",
    }


def describe(obj: Any, values: list[np.ndarray]) -> Any:
    """The structure of obj (containers, keys, tensor shapes and dtypes); tensor values go to `values`."""
    if hasattr(obj, "shape") and hasattr(obj, "dtype") and hasattr(obj, "detach"):
        values.append(np.array(obj.detach().numpy()))
        return ("tensor", tuple(obj.shape), str(obj.dtype), bool(obj.requires_grad))
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, describe(v, values)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [describe(v, values) for v in obj])
    return (type(obj).__name__, obj)


def round_trip(T: Any, obj: Any, path: str) -> Any:
    T.save(obj, path)
    return T.load(path)


def test_save_load_round_trip_matches_real_torch(tmp_path):
    import torch

    real_vals: list[np.ndarray] = []
    our_vals: list[np.ndarray] = []
    real = describe(round_trip(torch, saved_objects(torch), str(tmp_path / "real.pt")), real_vals)
    ours = describe(round_trip(tt, saved_objects(tt), str(tmp_path / "ours.pt")), our_vals)
    assert ours == real  # containers, keys, shapes (0-d stays ()), dtypes, requires_grad
    for a, b in zip(our_vals, real_vals):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    step = round_trip(tt, saved_objects(tt), str(tmp_path / "o.pt"))["optim_state"][0]["step"]
    assert step.shape == () and str(step.dtype) == "torch.float32"


def test_zero_d_survives_in_a_file_object_and_for_numpy_arrays(tmp_path):
    import torch

    buf, real_buf = io.BytesIO(), io.BytesIO()
    tt.save({"s": tt.tensor(4.0), "a": np.array(5, np.int16)}, buf)
    torch.save({"s": torch.tensor(4.0)}, real_buf)
    buf.seek(0)
    real_buf.seek(0)
    back, real_back = tt.load(buf), torch.load(real_buf)
    assert tuple(back["s"].shape) == tuple(real_back["s"].shape) == ()
    assert back["a"].shape == () and back["a"].dtype == np.int16 and back["a"] == 5


# =================================================================================================
# 2. symlinks are written through; directories and special files are refused
# =================================================================================================
def test_torch_save_writes_through_a_symlink_like_real_torch(tmp_path):
    import torch

    for T, name in ((torch, "real"), (tt, "ours")):
        d = tmp_path / name
        (d / "store").mkdir(parents=True)
        (d / "link.pt").symlink_to(d / "store" / "target.pt")  # dangling: the save creates the target
        T.save({"w": T.ones(2)}, str(d / "link.pt"))
        T.save({"w": T.zeros(3)}, str(d / "link.pt"))  # and an existing target is replaced through it
        assert (d / "link.pt").is_symlink() and (d / "store" / "target.pt").is_file()
        assert tuple(T.load(str(d / "link.pt"))["w"].shape) == (3,)
        assert temps(d) == temps(d / "store") == []


def test_mindspore_save_writes_through_a_symlink_like_real_mindspore(tmp_path):
    import mindspore

    for ms, name in ((mindspore, "real"), (tms, "ours")):
        d = tmp_path / name
        d.mkdir()
        (d / "link.ckpt").symlink_to(d / "target.ckpt")
        ms.save_checkpoint(ms.nn.Dense(2, 3), str(d / "link.ckpt"))
        assert (d / "link.ckpt").is_symlink() and (d / "target.ckpt").is_file()
        assert list(ms.load_checkpoint(str(d / "link.ckpt"))) == ["weight", "bias"]


def test_the_temp_file_goes_beside_the_resolved_target(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "link.pt").symlink_to(tmp_path / "b" / "real.pt")
    seen: list[str] = []
    real_mkstemp = tempfile.mkstemp

    def spy(*a: Any, **k: Any) -> tuple[int, str]:
        fd, name = real_mkstemp(*a, **k)
        seen.append(name)  # the temp file the save writes
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    tt.save({"w": tt.ones(1)}, str(tmp_path / "a" / "link.pt"))
    assert len(seen) == 1 and os.path.dirname(seen[0]) == str(tmp_path / "b")
    assert os.path.basename(seen[0]).startswith(f".real.pt.{os.getpid()}.")


def test_a_directory_gets_the_real_frameworks_error_type(tmp_path):
    import mindspore
    import torch

    (tmp_path / "d.pt").mkdir()
    (tmp_path / "d.ckpt").mkdir()
    for T in (torch, tt):
        with pytest.raises(RuntimeError):
            T.save({"w": T.ones(1)}, str(tmp_path / "d.pt"))
        with pytest.raises(IsADirectoryError):
            T.load(str(tmp_path / "d.pt"))
    for ms in (mindspore, tms):
        with pytest.raises(IsADirectoryError, match="is a directory, it must be a file name"):
            ms.save_checkpoint(ms.nn.Dense(2, 2), str(tmp_path / "d.ckpt"))
        with pytest.raises(ValueError, match="Failed to read the checkpoint file"):
            ms.load_checkpoint(str(tmp_path / "d.ckpt"))
    with pytest.raises(RuntimeError, match="Parent directory .*nope does not exist"):
        tt.save({"w": tt.ones(1)}, str(tmp_path / "nope" / "x.pt"))
    assert (tmp_path / "d.pt").is_dir() and (tmp_path / "d.ckpt").is_dir()


def make_special(kind: str, path: str) -> Any:
    """A FIFO, character device (a copy of /dev/null's node, made in tmp) or socket at path."""
    if kind == "fifo":
        os.mkfifo(path)
        return None
    if kind == "chardev":
        try:
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))
        except (PermissionError, OSError) as e:
            pytest.skip(f"cannot make a device node here: {e}")
        return None
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    return s


def writers(path: str, convert_src: str) -> dict[str, Callable[[], Any]]:
    """Every writer of the project, aimed at path (convert reads convert_src)."""
    return {
        "torch.save": lambda: tt.save({"w": tt.ones(1)}, path),
        "ms.save_checkpoint": lambda: tms.save_checkpoint({"w": tms.Tensor(np.ones(1, np.float32))}, path),
        "train --save": lambda: quiet(tiny_cfg(), save=path),
        "train --plot": lambda: quiet(tiny_cfg(), plot=path),
        "convert output": lambda: convert(convert_src, path, "torch"),
    }


@pytest.fixture
def convert_src(tmp_path):
    src = str(tmp_path / "src.pt")
    tt.save({"w": tt.ones(2)}, src)
    return src


# the error each writer raises for a special file: torch.save's RuntimeError (as torch does for a path
# it cannot open), an OSError elsewhere (OutputPathError before training starts)
WRITER_ERRORS = {
    "torch.save": RuntimeError,
    "ms.save_checkpoint": OSError,
    "train --save": OutputPathError,
    "train --plot": OutputPathError,
    "convert output": RuntimeError,
}


@pytest.mark.parametrize("kind", ["fifo", "chardev", "socket"])
def test_every_writer_refuses_special_files_and_leaves_them_alone(tmp_path, kind, convert_src):
    names = {"ms.save_checkpoint": "s.ckpt", "train --plot": "s.png"}
    for writer in WRITER_ERRORS:
        path = str(tmp_path / f"{writer.replace(' ', '_')}-{names.get(writer, 's.pt')}")
        keep = make_special(kind, path)
        try:
            with deadline(), pytest.raises(WRITER_ERRORS[writer], match="not a regular file"):
                writers(path, convert_src)[writer]()
            mode = os.lstat(path).st_mode
            assert not stat.S_ISREG(mode), f"{writer} replaced the {kind}"
        finally:
            if keep is not None:
                keep.close()
    assert temps(tmp_path) == []


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
def test_every_loader_refuses_special_files_without_opening_them(tmp_path, kind):
    for name, load, error in (
        ("x.pt", tt.load, UnreadableCheckpointError),
        ("x.ckpt", tms.load_checkpoint, ValueError),
        ("x.npz", load_checkpoint, CheckpointError),
        ("y.pt", read_weights, ValueError),
    ):
        path = str(tmp_path / name)
        make_special(kind, path)
        with deadline():
            with pytest.raises(error) as info:
                load(path)
        assert type(info.value) is error


def test_a_special_file_behind_a_symlink_is_refused_too(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link.pt").symlink_to(tmp_path / "pipe")
    with deadline(), pytest.raises(RuntimeError, match="named pipe"):
        tt.save({"w": tt.ones(1)}, str(tmp_path / "link.pt"))
    assert (tmp_path / "link.pt").is_symlink() and stat.S_ISFIFO(os.stat(tmp_path / "pipe").st_mode)


def test_plot_is_written_through_a_symlink(tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "plots").mkdir()
    (tmp_path / "curve.png").symlink_to(tmp_path / "plots" / "real.png")
    res = quiet(tiny_cfg())
    plot_curve(res, str(tmp_path / "curve.png"))
    assert (tmp_path / "curve.png").is_symlink()
    assert (tmp_path / "plots" / "real.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert temps(tmp_path) == temps(tmp_path / "plots") == []


def test_overwriting_keeps_the_files_permissions(tmp_path):
    path = tmp_path / "w.pt"
    tt.save({"w": tt.ones(1)}, str(path))
    os.chmod(path, 0o640)
    tt.save({"w": tt.ones(2)}, str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


# =================================================================================================
# 3. a save killed before its rename: the next save or load of that path removes its temp file
# =================================================================================================
CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    import numpy as np
    kind, path, how = sys.argv[1], sys.argv[2], sys.argv[3]
    if how == "self":  # a crash exactly between the temp file's write and the rename
        os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)
    else:  # the parent kills us while the temp file is being written
        def stall(fd):
            print("writing", flush=True)
            time.sleep(120)
        os.fsync = stall
    if kind == "torch":
        import tinygrad_rnn.torch as tt
        tt.save({"w": tt.zeros(50_000)}, path)
    elif kind == "mindspore":
        import tinygrad_rnn.mindspore as ms
        ms.save_checkpoint({"w": ms.Tensor(np.zeros(50_000, np.float32))}, path)
    else:
        from tinygrad_rnn.train import TrainConfig, train
        cfg = TrainConfig.for_task("sine", hidden=4, epochs=1, steps=1, batch=4)
        train(cfg, save=path, progress=False, out=None, sample_chars=0)
    """
)


def killed_save(kind: str, path: str, how: str) -> None:
    cmd = [sys.executable, "-c", CHILD, kind, path, how]
    env = {**os.environ, "PYTHONPATH": ROOT}
    if how == "self":
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == -signal.SIGKILL, r.stderr
        return
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout.readline().strip() == "writing", p.stderr.read()
        p.send_signal(signal.SIGKILL)
        assert p.wait(timeout=60) == -signal.SIGKILL
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()
        p.stderr.close()


SAVERS: dict[str, tuple[str, Callable[[str], Any], Callable[[str], Any]]] = {
    "torch": ("c.pt", lambda p: tt.save({"w": tt.ones(3)}, p), tt.load),
    "mindspore": (
        "c.ckpt",
        lambda p: tms.save_checkpoint({"w": tms.Tensor(np.ones(3, np.float32))}, p),
        tms.load_checkpoint,
    ),
    "train": ("c.npz", lambda p: quiet(tiny_cfg(), save=p), load_checkpoint),
}


@pytest.mark.parametrize("kind,kills", [("torch", 10), ("mindspore", 3), ("train", 2)])
def test_killed_saves_leave_temps_that_the_next_save_removes(tmp_path, kind, kills):
    name, save, _ = SAVERS[kind]
    path = str(tmp_path / name)
    save(path)
    before = open(path, "rb").read()
    for i in range(kills):
        killed_save(kind, path, "self" if i % 2 == 0 else "external")
        assert open(path, "rb").read() == before  # the killed save never touched the checkpoint
        assert len(temps(tmp_path)) == 1  # its own temp; the one before was removed by this save
    save(path)
    assert temps(tmp_path) == []
    assert sorted(os.listdir(tmp_path)) == [name]


@pytest.mark.parametrize("kind", ["torch", "mindspore", "train"])
def test_loading_removes_the_temps_of_a_killed_save(tmp_path, kind):
    name, save, load = SAVERS[kind]
    path = str(tmp_path / name)
    save(path)
    killed_save(kind, path, "self")
    assert len(temps(tmp_path)) == 1
    load(path)
    assert temps(tmp_path) == []


def test_cleanup_touches_only_our_stale_temps_for_that_target(tmp_path):
    path = tmp_path / "c.pt"
    tt.save({"w": tt.ones(1)}, str(path))
    killed_save("torch", str(path), "self")
    stale = temps(tmp_path)
    live = f".c.pt.{os.getpid()}.abcd1234.tmp"  # a save in progress in this (running) process
    others = [
        live,
        f".c.pt.{os.getppid()}.abcd1234.tmp",  # another running process's save in progress
        ".c.pt.notes.tmp",  # not our pattern
        ".other.pt.abcd1234.tmp",  # another target's
        "c.pt.abcd1234.tmp",  # no leading dot
        ".c.pt.abcd1234.tmp.bak",
        ".c.pt.abcd12345.tmp",  # 9 random characters
    ]
    for n in others:
        (tmp_path / n).write_bytes(b"keep me")
    (tmp_path / ".c.pt.999999999.dirdir12.tmp").mkdir()  # a directory is never removed
    tt.save({"w": tt.ones(2)}, str(path))
    left = set(os.listdir(tmp_path))
    assert not set(stale) & left
    assert set(others) <= left and ".c.pt.999999999.dirdir12.tmp" in left
    assert all((tmp_path / n).read_bytes() == b"keep me" for n in others)


# =================================================================================================
# 4. tampered files raise only the documented error types
# =================================================================================================
def npy(header: str, data: bytes = b"", version: int = 1) -> bytes:
    """A raw .npy member with a hand-written header."""
    h = header.encode("latin1")
    size = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + size + h + data


def npy_of(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def members(path: str) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def write_zip(
    path: str, items: dict[str, bytes] | list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED
) -> str:
    """A zip of raw members (so their CRCs are right: the parser, not the checksum, must catch them)."""
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", method) as z:
        warnings.simplefilter("ignore")  # "Duplicate name": wanted here
        for name, data in items.items() if isinstance(items, dict) else items:
            z.writestr(name, data)
    return path


def write_bytes(path: str, data: bytes) -> str:
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def npy_crafts(arr: np.ndarray) -> dict[str, bytes]:
    """Hand-made .npy members standing for a numeric array member."""
    data = arr.tobytes()
    d = arr.dtype.str
    good = f"{{'descr': '{d}', 'fortran_order': False, 'shape': {arr.shape}, }}"
    return {
        "object dtype (pickled)": npy_of(np.array([{"a": 1}, None], dtype=object), allow_pickle=True),
        "shape too small for the data": npy(good.replace(str(arr.shape), "(1,)"), data),
        "shape too large for the data": npy(good.replace(str(arr.shape), f"({arr.size + 5},)"), data),
        "huge claimed shape": npy(good.replace(str(arr.shape), "(1000000000000,)"), data),
        "huge 2-d claimed shape": npy(good.replace(str(arr.shape), f"({2**62}, {2**62})"), data),
        "negative shape": npy(good.replace(str(arr.shape), "(-1,)"), data),
        "shape is a string": npy(good.replace(str(arr.shape), "'abc'"), data),
        "shape of floats": npy(good.replace(str(arr.shape), "(1.5,)"), data),
        "shape of bools": npy(good.replace(str(arr.shape), "(True,)"), data),
        "fortran_order not a bool": npy(good.replace("False", "'yes'"), data),
        "unknown dtype string": npy(good.replace(d, "abc"), data),
        "impossible dtype size": npy(good.replace(d, "<f99"), data),
        "structured dtype": npy(good.replace(f"'{d}'", "[('a', '<f4')]"), data),
        "void dtype": npy(good.replace(d, "|V4"), data),
        "datetime dtype": npy(good.replace(d, "<M8[s]"), data),
        "bytes dtype": npy(good.replace(d, "|S4"), data),
        "unicode dtype for numbers": npy(good.replace(d, "<U1"), data),
        "header is a list": npy("[1, 2, 3]", data),
        "header lacks keys": npy(f"{{'descr': '{d}'}}", data),
        "header with extra keys": npy(good.replace("}", "'x': 1, }"), data),
        "header not Python": npy("{descr: <f4", data),
        "deeply nested header": npy("(" * 5000 + ")" * 5000, data),
        "100k-deep header (v2)": npy("[" * 100_000 + "]" * 100_000, data, version=2),
        "header length beyond the file": b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**31) + b"{",
        "bad magic": b"\x93NUMPX\x01\x00" + npy(good, data)[8:],
        "unknown version": b"\x93NUMPY\x09\x09" + npy(good, data)[8:],
        "only the magic": b"\x93NUMPY",
        "empty member": b"",
    }


def json_crafts(kind: str) -> dict[str, str]:
    """Hand-made JSON headers for each format (the text member that describes the file)."""
    common = {
        "not JSON": "this is not json",
        "a list": "[]",
        "a number": "1",
        "100k-deep nesting": "[" * 100_000 + "]" * 100_000,
        "200-deep nesting": "[" * 200 + "]" * 200,
    }
    if kind == "torch":
        t = '{"tensor": "a0", "requires_grad": false, "parameter": false}'
        obj = lambda o: json.dumps({"format": 1, "object": json.loads(o)})  # noqa: E731
        return {
            **common,
            "format as a string": '{"format": "1", "object": {"v": 1}}',
            "format 2": '{"format": 2, "object": {"v": 1}}',
            "no object": '{"format": 1}',
            "entry is a number": obj("5"),
            "entry is unknown": obj('{"pickle": "os.system"}'),
            "entry with extra keys": obj('{"v": 1, "w": 2}'),
            "value is a list": obj('{"v": [1, 2]}'),
            "tensor named by a number": obj('{"tensor": 5, "requires_grad": false, "parameter": false}'),
            "tensor named the header": obj(t.replace('"a0"', json.dumps(MAGIC))),
            "tensor with a missing member": obj(t.replace('"a0"', '"a99"')),
            "a member used twice": obj(f'{{"list": [{t}, {t}]}}'),
            "unreferenced members": obj('{"v": 1}'),
            "requires_grad not a bool": obj(t.replace('"requires_grad": false', '"requires_grad": "yes"')),
            "dtype __class__": obj('{"dtype": "__class__"}'),
            "dtype Size": obj('{"dtype": "Size"}'),
            "dtype unknown": obj('{"dtype": "float99"}'),
            "dtype not a string": obj('{"dtype": [1]}'),
            "size negative": obj('{"size": [-1]}'),
            "size of strings": obj('{"size": ["a"]}'),
            "list holds a dict": obj('{"list": {"a": 1}}'),
            "dict holds a string": obj('{"dict": "x", "ordered": false}'),
            "dict item not a pair": obj('{"dict": [[{"v": 1}]], "ordered": false}'),
            "dict key unhashable": obj(
                '{"dict": [[{"dict": [], "ordered": false}, {"v": 1}]], "ordered": false}'
            ),
            "ordered not a bool": obj('{"dict": [], "ordered": 1}'),
            "40-deep lists": obj('{"list": [' * 40 + '{"v": 1}' + "]}" * 40),
        }
    if kind == "mindspore":
        return {
            **common,
            "names a string": '{"format": 1, "names": "weight"}',
            "names of numbers": '{"format": 1, "names": [1, 2]}',
            "names repeated": '{"format": 1, "names": ["weight", "weight", "bias"]}',
            "a name missing": '{"format": 1, "names": ["weight"]}',
            "a name too many": '{"format": 1, "names": ["weight", "bias", "ghost"]}',
            "format 2": '{"format": 2, "names": ["weight", "bias"]}',
            "format as a string": '{"format": "1", "names": ["weight", "bias"]}',
            "extra keys": '{"format": 1, "names": ["weight", "bias"], "x": 1}',
        }
    return {**common}  # the training checkpoint's meta: crafted from the real one below


def train_meta_crafts(meta: dict[str, Any]) -> dict[str, Any]:
    """Tampered copies of a training checkpoint's meta record."""

    def edit(**changes: Any) -> dict[str, Any]:
        m = json.loads(json.dumps(meta))
        for k, v in changes.items():
            if v is None:
                m.pop(k)
            else:
                m[k] = v
        return m

    curve = meta["curve"]
    return {
        "format unknown": edit(format="other/1"),
        "no optimizer": edit(optimizer=None),
        "epoch a string": edit(epoch="1"),
        "epoch not the curve's length": edit(epoch=5),
        "curve not a record": edit(curve=[1, 2]),
        "curve lists of other lengths": edit(curve={**curve, "val_loss": []}),
        "config lr a list": edit(config={**meta["config"], "lr": [1]}),
        "config hidden a string": edit(config={**meta["config"], "hidden": "4"}),
        "config hidden a bool": edit(config={**meta["config"], "hidden": True}),
        "config unknown key": edit(config={**meta["config"], "colour": 1}),
        "config a list": edit(config=[1]),
        "data_rng garbage": edit(data_rng={"state": "x"}),
        "optimizer unknown entry": edit(optimizer={"__pickle__": "x"}),
        "optimizer names a model array": edit(optimizer={"__array__": "model/head.weight"}),
        "optimizer names a number": edit(optimizer={"__array__": 5}),
        "optimizer 40 deep": edit(optimizer=json.loads('{"__list__": [' * 40 + "1" + "]}" * 40)),
        "optimizer dict of non-pairs": edit(optimizer={"__dict__": [1, 2]}),
        "optimizer unhashable key": edit(optimizer={"__dict__": [[{"__list__": []}, 1]]}),
        "optimizer float garbage": edit(optimizer={"__float__": "1e999999x"}),
    }


def write_legacy_torch(path: str) -> str:
    """A file in the .npz layout tinygrad_rnn.torch.save wrote before the real format (users have
    them: load still reads them): {"model": {weight, bias}, "n": [tensor(2.), (1, "x")]}."""
    t = lambda k: {"tensor": k, "requires_grad": False, "parameter": False}  # noqa: E731
    v = lambda x: {"v": x}  # noqa: E731
    model = {"dict": [[v("weight"), t("a0")], [v("bias"), t("a1")]], "ordered": True}
    n = {"list": [t("a2"), {"tuple": [v(1), v("x")]}]}
    obj = {"dict": [[v("model"), model], [v("n"), n]], "ordered": False}
    header = np.array(json.dumps({"format": 1, "object": obj}))
    with open(path, "wb") as fh:
        np.savez(fh, a0=W, a1=B, a2=np.array(2.0, np.float32), **{MAGIC: header})
    return path


def write_legacy_mindspore(path: str) -> str:
    """A checkpoint in the .npz layout tinygrad_rnn.mindspore.save_checkpoint wrote before the real
    protobuf format (load_checkpoint still reads it)."""
    header = np.array(json.dumps({"format": 1, "names": ["weight", "bias"]}))
    items = [(HEADER, header), ("weight", W), ("bias", B)]
    return write_zip(path, {f"{name}.npy": npy_of(arr) for name, arr in items})


@pytest.fixture(scope="module")
def base_files(tmp_path_factory):
    """One valid file of each format, small."""
    d = tmp_path_factory.mktemp("base")
    lin = tt.nn.Linear(2, 2)
    opt = tt.optim.Adam(lin.parameters())
    lin(tt.ones(1, 2)).sum().backward()
    opt.step()
    torch_file = str(d / "base.pt")
    tt.save(
        {"model": lin.state_dict(), "optim": opt.state_dict(), "n": [tt.tensor(2.0), (1, "x")]}, torch_file
    )
    sd_file = str(d / "state_dict.pt")  # what convert reads: a state_dict
    tt.save(lin.state_dict(), sd_file)
    dense = tms.nn.Dense(2, 2)
    ms_file, crc_file, st_file = str(d / "base.ckpt"), str(d / "crc.ckpt"), str(d / "base.safetensors")
    tms.save_checkpoint(dense, ms_file, append_dict={"epoch": 3})
    tms.save_checkpoint(dense, crc_file, crc_check=True)
    tms.save_checkpoint(dense, st_file, format="safetensors")
    train_file = str(d / "base.npz")
    quiet(tiny_cfg(), save=train_file)
    return {
        "torch": torch_file,
        "torch_legacy": write_legacy_torch(str(d / "legacy.pt")),
        "state_dict": sd_file,
        "mindspore": ms_file,
        "mindspore_crc": crc_file,
        "safetensors": st_file,
        "mindspore_legacy": write_legacy_mindspore(str(d / "legacy.ckpt")),
        "train": train_file,
    }


def resume(path: str) -> Any:
    """What `tinygrad-rnn train --resume` does with a file: read its config, then restore the run."""
    config_from_checkpoint(path)
    return quiet(tiny_cfg(), resume=path, stop_after=0)


def snapshot_torch(path: str) -> Any:
    vals: list[np.ndarray] = []
    return describe(tt.load(path), vals), [v.tobytes() for v in vals]


def snapshot_ms(path: str, **kw: Any) -> Any:
    return [
        (k, v) if isinstance(v, str) else (k, v.asnumpy().dtype.str, v.asnumpy().tobytes())
        for k, v in tms.load_checkpoint(path, **kw).items()
    ]


def ms_loader(**kw: Any) -> Callable[[str], Any]:
    return lambda path: tms.load_checkpoint(path, **kw)


def snapshot_weights(path: str) -> Any:
    fmt, arrays = read_weights(path)
    return fmt, [(k, v.dtype.str, v.shape, v.tobytes()) for k, v in arrays.items()]


def snapshot_train(path: str) -> Any:
    meta, arrays = load_checkpoint(path)
    return json.dumps(meta, sort_keys=True), sorted((k, v.dtype.str, v.tobytes()) for k, v in arrays.items())


# loader name -> (format of its files, extension, load function, the documented error types, snapshot)
LOADERS: dict[str, tuple[str, str, Callable[[str], Any], set[type], Callable[[str], Any]]] = {
    "torch.load": (
        "torch",
        ".pt",
        tt.load,
        {RuntimeError, UnreadableCheckpointError, pickle.UnpicklingError},
        snapshot_torch,
    ),
    "torch.load, earlier .npz": (
        "torch_legacy",
        ".pt",
        tt.load,
        {RuntimeError, UnreadableCheckpointError},
        snapshot_torch,
    ),
    "ms.load_checkpoint": ("mindspore", ".ckpt", tms.load_checkpoint, {ValueError}, snapshot_ms),
    "ms.load_checkpoint crc_check": (
        "mindspore_crc",
        ".ckpt",
        ms_loader(crc_check=True),
        {ValueError},
        lambda p: snapshot_ms(p, crc_check=True),
    ),
    "ms.load_checkpoint safetensors": (
        "safetensors",
        ".safetensors",
        ms_loader(format="safetensors"),
        {ValueError},
        lambda p: snapshot_ms(p, format="safetensors"),
    ),
    "ms.load_checkpoint, earlier .npz": (
        "mindspore_legacy",
        ".ckpt",
        tms.load_checkpoint,
        {ValueError},
        snapshot_ms,
    ),
    "train resume": ("train", ".npz", resume, {CheckpointError}, snapshot_train),
    "convert torch file": ("state_dict", ".pt", read_weights, {ValueError}, snapshot_weights),
    "convert ms file": ("mindspore", ".ckpt", read_weights, {ValueError}, snapshot_weights),
    "convert safetensors": ("safetensors", ".safetensors", read_weights, {ValueError}, snapshot_weights),
}
# MindSpore's .ckpt and safetensors carry no checksum unless saved with crc_check=True (as in real
# MindSpore): a flipped byte inside a name or a value loads there, different. Such a file must
# still give the saved entries' number, dtypes and shapes; a cut at a record boundary of a .ckpt
# is a valid shorter checkpoint (real MindSpore loads it too) and must give a prefix of the entries.
UNCHECKED = {"mindspore", "safetensors"}
NO_END_MARK = {"mindspore", "mindspore_crc"}  # a .ckpt cut before its CRC record only warns, as MindSpore


def outcome(load: Callable[[str], Any], path: str) -> BaseException | None:
    try:
        with deadline(60):
            load(path)
    except BaseException as e:  # noqa: BLE001 - the type is what is checked
        return e
    return None


def check_case(loader: str, path: str, original: str, may_load: bool, label: str) -> str:
    """How the file came out: "error" (a documented type), "same" (it loaded the saved content), or
    for the formats without a checksum "prefix" (a cut between records) / "unchecked" (a flipped
    byte in a name or value: the saved entries' count, dtypes and shapes, other bytes)."""
    fmt, _, load, allowed, snap = LOADERS[loader]
    err = outcome(load, path)
    if err is not None:
        assert type(err) in allowed, f"{loader}: {label}: {type(err).__name__}: {err}"
        return "error"
    if may_load and snap(path) == snap(original):
        return "same"
    got, want = shape_of(snap(path)), shape_of(snap(original))
    if fmt in NO_END_MARK and label.startswith("truncated"):
        assert got == want[: len(got)], f"{loader}: {label}: loaded {got}, not a prefix of {want}"
        return "prefix"
    if fmt in UNCHECKED and "flipped" in label:
        assert got == want, f"{loader}: {label}: loaded {got}, saved {want}"
        return "unchecked"
    raise AssertionError(f"{loader}: {label}: a tampered file loaded silently, not what was saved")


def shape_of(snapshot: Any) -> list[Any]:
    """A MindSpore snapshot without names and values: per entry, its dtype and byte count (or 'str')."""
    if isinstance(snapshot, tuple):  # convert's (format, [(name, dtype, shape, bytes)])
        return [(d, s) for _, d, s, _ in snapshot[1]]
    return [("str",) if len(e) == 2 else (e[1], len(e[2])) for e in snapshot]


NPZ_HEADERS = {"torch_legacy": MAGIC, "mindspore_legacy": HEADER, "train": "meta"}  # their text member


def tampered_copies(fmt: str, original: str, folder: Any, ext: str) -> Iterator[tuple[str, str, bool]]:
    """(label, path, may it load) for truncations, byte flips and hand-crafted files of `original`."""
    data = open(original, "rb").read()
    n = len(data)
    path = str(folder / f"t{ext}")
    for cut in sorted(set(range(0, n, max(1, n // 60))) | {1, 4, 30, n - 22, n - 1}):
        yield f"truncated at {cut}/{n}", write_bytes(path, data[:cut]), False
    for pos in sorted(set(range(0, n, max(1, n // 80))) | set(range(0, min(n, 160), 7))):
        flipped = bytearray(data)
        flipped[pos] ^= 0xFF
        yield f"byte {pos}/{n} flipped", write_bytes(path, bytes(flipped)), True  # e.g. a zip timestamp
    if fmt in NPZ_HEADERS:
        yield from npz_crafts(fmt, original, path)
    elif fmt in ("torch", "state_dict"):
        yield from torch_zip_crafts(original, path)
    yield "hand-made: a .npy file", write_bytes(path, npy_of(np.ones(3))), False
    yield "hand-made: an empty file", write_bytes(path, b""), False
    yield "hand-made: text", write_bytes(path, b"not a checkpoint"), False


def torch_zip_crafts(original: str, path: str) -> Iterator[tuple[str, str, bool]]:
    """Hand-made zips from a torch file's records: each loads the saved content or is refused
    (tests/test_torch_file_format.py crafts the hostile pickles)."""
    orig = members(original)
    pkl = next(k for k in orig if k.endswith("/data.pkl"))
    storage = next(k for k in orig if "/data/" in k and not k.endswith("serialization_id"))
    yield "hand-made: no data.pkl", write_zip(path, {k: v for k, v in orig.items() if k != pkl}), False
    yield (
        "hand-made: no storage record",
        write_zip(path, {k: v for k, v in orig.items() if k != storage}),
        False,
    )
    yield (
        "hand-made: a storage record cut short",
        write_zip(path, {**orig, storage: orig[storage][:-1]}),
        False,
    )
    yield (
        "hand-made: a storage record too long",
        write_zip(path, {**orig, storage: orig[storage] + b"\0" * 4}),
        True,
    )
    yield "hand-made: data.pkl empty", write_zip(path, {**orig, pkl: b""}), False
    yield "hand-made: data.pkl cut short", write_zip(path, {**orig, pkl: orig[pkl][:-2]}), False
    yield "hand-made: two top-level folders", write_zip(path, {**orig, "other/data.pkl": orig[pkl]}), True
    yield "hand-made: compressed records", write_zip(path, orig, zipfile.ZIP_DEFLATED), True
    yield "hand-made: a repeated record", write_zip(path, list(orig.items()) + [(pkl, orig[pkl])]), True
    yield "hand-made: an empty archive", write_zip(path, {}), False


def npz_crafts(fmt: str, original: str, path: str) -> Iterator[tuple[str, str, bool]]:
    """Hand-made archives of the .npz formats (training checkpoints, the earlier frontend files)."""
    orig = members(original)
    text_member = NPZ_HEADERS[fmt] + ".npy"
    numeric = next(k for k in orig if k != text_member)
    arr = np.lib.format.read_array(io.BytesIO(orig[numeric]))
    for label, member in npy_crafts(arr).items():
        yield f"member {numeric}: {label}", write_zip(path, {**orig, numeric: member}), False
    for label, member in npy_crafts(np.array("x")).items():
        yield f"header member: {label}", write_zip(path, {**orig, text_member: member}), False
    texts = dict(json_crafts(fmt.split("_")[0]))
    if fmt == "train":
        meta = json.loads(str(np.lib.format.read_array(io.BytesIO(orig[text_member]))))
        texts.update({k: json.dumps(v) for k, v in train_meta_crafts(meta).items()})
    for label, text in texts.items():
        yield f"header JSON: {label}", write_zip(path, {**orig, text_member: npy_of(np.array(text))}), False
    yield "header member holds numbers", write_zip(path, {**orig, text_member: npy_of(np.ones(2))}), False
    yield "no header member", write_zip(path, {k: v for k, v in orig.items() if k != text_member}), False
    yield "an extra member", write_zip(path, {**orig, "extra.npy": npy_of(np.ones(2))}), False
    yield "a member not .npy", write_zip(path, {**orig, "notes.txt": b"hello"}), False
    yield "a repeated member", write_zip(path, list(orig.items()) + [(numeric, orig[numeric])]), False
    yield "compressed members", write_zip(path, orig, zipfile.ZIP_DEFLATED), False
    yield "an empty archive", write_zip(path, {}), False


@pytest.mark.parametrize("loader", list(LOADERS))
def test_tampered_files_raise_only_the_documented_errors(loader, base_files, tmp_path):
    fmt, ext, _, _, _ = LOADERS[loader]
    original = base_files[fmt]
    outcomes: Counter[str] = Counter()
    for label, path, may_load in tampered_copies(fmt, original, tmp_path, ext):
        outcomes[check_case(loader, path, original, may_load, label)] += 1
    cases = sum(outcomes.values())
    _report.record(
        f"tampering grid, {loader}: {cases} files: {outcomes['error']} documented errors, "
        f"{outcomes['same']} harmless changes that load the saved content"
        + (f", {outcomes['prefix']} cuts between records load a prefix" if fmt in NO_END_MARK else "")
        + (f", {outcomes['unchecked']} flips in a name/value load (no checksum)" if fmt in UNCHECKED else "")
        + ", 0 other outcomes"
    )
    assert cases > 150 and outcomes["error"] > cases // 2


def test_the_header_limits_protect_the_parsers(base_files, tmp_path):
    """The 100k-deep header of the issue: a documented error, never RecursionError / MemoryError."""
    orig = members(base_files["torch_legacy"])
    path = write_zip(str(tmp_path / "deep.pt"), {**orig, MAGIC + ".npy": npy_of(np.array("[" * 100_000))})
    with pytest.raises(RuntimeError, match="nested 100000 levels deep") as info:
        tt.load(path)
    assert type(info.value) is RuntimeError


def test_mindspore_refuses_a_npy_and_a_non_checkpoint_like_real_mindspore(tmp_path):
    import mindspore

    npy_path = str(tmp_path / "arr.npy")
    np.save(npy_path, np.ones(3))
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"not a checkpoint")
    for path in (npy_path, str(junk)):
        errors = []
        for ms in (mindspore, tms):
            with pytest.raises(Exception) as info:
                ms.load_checkpoint(path)
            errors.append((type(info.value), str(info.value).split(". ")[0]))
        assert errors[0] == errors[1], errors
    assert errors[0][0] is ValueError


def test_strings_in_append_dict_round_trip_like_real_mindspore(tmp_path):
    import mindspore

    got = []
    for ms in (mindspore, tms):
        ms.save_checkpoint(
            ms.nn.Dense(2, 2), str(tmp_path / "s"), append_dict={"note": "abc", "lr": 0.5, "e": 3}
        )
        loaded = ms.load_checkpoint(str(tmp_path / "s.ckpt"))
        got.append(
            [(k, v if isinstance(v, str) else (tuple(v.shape), str(v.dtype))) for k, v in loaded.items()]
        )
    assert got[0] == got[1]


# =================================================================================================
# 5. the train command: --save onto another run's file, output paths checked before training
# =================================================================================================
def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["train", *argv])
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_training(monkeypatch):
    def refuse(*a: Any, **k: Any) -> None:
        raise AssertionError("training started although an output path is unusable")

    monkeypatch.setattr(train_mod, "train", refuse)


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("tinygrad-rnn train: error:") and "Traceback" not in err
    return lines[0]


def test_save_onto_another_runs_checkpoint_is_refused(tmp_path, capsys, no_training):
    other = tmp_path / "other.npz"
    other.write_bytes(b"another run's checkpoint")
    code, out, err = run_cli(capsys, "sine", "--quick", "--no-plot", "--save", str(other))
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert "already exists" in line and "--overwrite" in line and f"--resume {other}" in line
    assert other.read_bytes() == b"another run's checkpoint"
    # the same through a symlink to it, and --resume of one file with --save onto another
    (tmp_path / "link.npz").symlink_to(other)
    assert run_cli(capsys, "sine", "--quick", "--no-plot", "--save", str(tmp_path / "link.npz"))[0] == 2
    capsys.readouterr()


def test_overwrite_and_resume_may_replace_the_checkpoint(tmp_path, capsys):
    ck = tmp_path / "c.npz"
    ck.write_bytes(b"old")
    base = ["sine", "--epochs", "1", "--steps", "2", "--hidden", "4", "--no-plot", "--no-progress"]
    code, _, err = run_cli(capsys, *base, "--save", str(ck), "--overwrite")
    assert code in (0, 1), err
    assert load_checkpoint(str(ck))[0]["epoch"] == 1
    code, _, err = run_cli(capsys, "sine", "--epochs", "2", "--resume", str(ck), "--no-plot", "--no-progress")
    assert code in (0, 1), err
    assert load_checkpoint(str(ck))[0]["epoch"] == 2
    other = tmp_path / "d.npz"
    other.write_bytes(b"keep")
    code, _, err = run_cli(
        capsys, "sine", "--epochs", "3", "--resume", str(ck), "--save", str(other), "--no-plot"
    )
    assert code == 2 and "already exists" in one_error_line(err) and other.read_bytes() == b"keep"


def unwritable_paths(tmp_path: Any) -> dict[str, str]:
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "a_dir.png").mkdir()
    os.mkfifo(tmp_path / "fifo.png")
    return {
        "parent is a file": str(tmp_path / "a_file" / "out.png"),
        "a directory": str(tmp_path / "a_dir.png"),
        "a FIFO": str(tmp_path / "fifo.png"),
        "a read-only filesystem": "/sys/tinygrad_rnn_curve.png",
        "a folder that cannot be created": "/proc/tinygrad_rnn/curve.png",
    }


@pytest.mark.parametrize("option", ["--plot", "--save"])
def test_unwritable_outputs_exit_2_before_training(tmp_path, capsys, no_training, option):
    for label, path in unwritable_paths(tmp_path).items():
        argv = ["sine", "--quick", option, path] + (["--no-plot"] if option == "--save" else [])
        with deadline():
            code, out, err = run_cli(capsys, *argv)
        assert code == 2, (label, err)
        line = one_error_line(err)
        assert path in line and ("plot" if option == "--plot" else "checkpoint") in line, line
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo.png").st_mode)


def test_plot_format_and_non_image_files_are_checked_before_training(tmp_path, capsys, no_training):
    pytest.importorskip("matplotlib")
    code, _, err = run_cli(capsys, "sine", "--quick", "--plot", str(tmp_path / "c.xyz"))
    assert code == 2 and "cannot write .xyz files" in one_error_line(err)
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    code, _, err = run_cli(capsys, "sine", "--quick", "--plot", str(notes))
    assert code == 2 and "not an image" in one_error_line(err) and notes.read_text() == "my notes"


def test_default_plot_in_an_unwritable_folder_is_found_before_training(
    tmp_path, capsys, no_training, monkeypatch
):
    (tmp_path / "f").write_text("x")
    monkeypatch.chdir("/sys")  # where the default sine_curve.png would go
    code, _, err = run_cli(capsys, "sine", "--quick")
    assert code == 2 and "sine_curve.png" in one_error_line(err) and "--no-plot" in err


def test_the_library_train_checks_outputs_first(tmp_path, monkeypatch):
    def boom(*a: Any, **k: Any) -> None:
        raise AssertionError("the model was built before the outputs were checked")

    monkeypatch.setattr(train_mod, "make_backend", boom)
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputPathError, match="cannot write the checkpoint to .*: .*directory"):
        quiet(tiny_cfg(), save=str(tmp_path / "d"))
    with pytest.raises(OutputPathError, match="cannot write the plot"):
        quiet(tiny_cfg(), plot=str(tmp_path / "d"))


def test_convert_refuses_to_replace_an_existing_file_without_overwrite(tmp_path, capsys, convert_src):
    out = tmp_path / "out.ckpt"
    out.write_bytes(b"precious")
    code = cli.main(["convert", convert_src, str(out), "--to", "mindspore"])
    assert code == 2 and "already exists" in capsys.readouterr().err and out.read_bytes() == b"precious"
    assert cli.main(["convert", convert_src, str(out), "--to", "mindspore", "--overwrite"]) == 0
    assert list(tms.load_checkpoint(str(out))) == ["w"]
    (tmp_path / "dir.pt").mkdir()
    assert cli.main(["convert", convert_src, str(tmp_path / "dir.pt"), "--to", "torch", "--overwrite"]) == 2
    assert "cannot be opened" in capsys.readouterr().err
