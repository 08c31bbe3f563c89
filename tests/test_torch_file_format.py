"""tinygrad_rnn.torch.save / load in torch's real file format (issue 15), against real torch 2.13.

Real torch is the oracle twice over: what ours writes must load with ``torch.load(weights_only=True)``
and hold exactly (bit for bit) what was saved, and what real torch writes must load in ours with the
values, dtypes, shapes, Parameters and requires_grad real torch itself reads back. Training continues
across the two (same next-step loss). Hostile files (pickles that would create a marker file if
executed, damaged archives, size and depth bombs) must raise the documented errors, with nothing run.
"""

from __future__ import annotations

import contextlib
import copyreg
import functools
import io
import os
import pickle
import struct
import tracemalloc
import zipfile
import zlib
from collections import OrderedDict
from typing import Any

import _report
import numpy as np
import pytest
import torch

import tinygrad_rnn.torch as tt
from tinygrad_rnn.torch.serialization import MAGIC, UnreadableCheckpointError

DAMAGED = (RuntimeError, UnreadableCheckpointError)  # the documented types for a damaged / foreign file


# ---------------------------------------------------------------------------------------------
# helpers


def flat(obj: Any, path: str = "") -> dict[str, Any]:
    """path -> leaf of a nested dict / list / tuple (keys printed with their types)."""
    if isinstance(obj, dict):
        out = {path + "{}": type(obj).__name__}
        for k, v in obj.items():
            out.update(flat(v, f"{path}[{k!r}]"))
        return out
    if isinstance(obj, (list, tuple)) and not isinstance(obj, (torch.Size, tt.Size)):
        out = {path + "[]": (type(obj).__name__, len(obj))}
        for i, v in enumerate(obj):
            out.update(flat(v, f"{path}[{i}]"))
        return out
    return {path: obj}


def tensor_record(t: Any) -> tuple[Any, ...]:
    """What must survive a file: dtype name, shape, requires_grad, is-a-Parameter and the exact bytes."""
    is_param = isinstance(t, (torch.nn.Parameter, tt.nn.Parameter))
    arr = t.detach().numpy()
    return (str(t.dtype), tuple(t.shape), bool(t.requires_grad), is_param, arr.dtype.str, arr.tobytes())


def describe(obj: Any) -> dict[str, Any]:
    """flat(obj) with every tensor replaced by its tensor_record (comparable across the frameworks)."""
    out = {}
    for k, v in flat(obj).items():
        if isinstance(v, (torch.Tensor, tt.Tensor)):
            v = tensor_record(v)
        elif isinstance(v, (torch.Size, tt.Size)):
            v = ("Size", tuple(v))
        elif isinstance(v, (torch.dtype, tt.dtype)):
            v = ("dtype", str(v))
        out[k] = v
    return out


def torch_bytes(obj: Any) -> io.BytesIO:
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return buf


def ours_bytes(obj: Any) -> io.BytesIO:
    buf = io.BytesIO()
    tt.save(obj, buf)
    buf.seek(0)
    return buf


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 5, batch_first=True)
        self.head = torch.nn.Linear(5, 2)

    def forward(self, x: Any) -> Any:
        return self.head(self.lstm(x)[0][:, -1])


class OurNet(tt.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = tt.nn.LSTM(3, 5, batch_first=True)
        self.head = tt.nn.Linear(5, 2)

    def forward(self, x: Any) -> Any:
        return self.head(self.lstm(x)[0][:, -1])


RNG = np.random.default_rng(15)
X = RNG.standard_normal((4, 6, 3)).astype(np.float32)
Y = RNG.standard_normal((4, 2)).astype(np.float32)


def train(T: Any, net: Any, opt: Any, steps: int) -> list[float]:
    """`steps` Adam steps on the fixed batch; the loss before each step."""
    losses = []
    x, y = T.tensor(X), T.tensor(Y)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    return losses


def trained(T: Any, steps: int = 2) -> tuple[Any, Any]:
    net = (TorchNet if T is torch else OurNet)()
    opt = T.optim.Adam(net.parameters(), lr=0.05)
    train(T, net, opt, steps)
    return net, opt


def checkpoint(net: Any, opt: Any) -> dict[str, Any]:
    return {"model": net.state_dict(), "optim": opt.state_dict(), "epoch": 3}


# ---------------------------------------------------------------------------------------------
# 1. round trips: model state_dict, Adam state, checkpoint


@pytest.mark.parametrize("what", ["model", "optim", "checkpoint"])
def test_ours_loads_in_real_torch_weights_only_bit_for_bit(what, tmp_path):
    net, opt = trained(tt)
    obj = {"model": net.state_dict(), "optim": opt.state_dict(), "checkpoint": checkpoint(net, opt)}[what]
    path = tmp_path / "ours.pt"
    tt.save(obj, path)
    real = torch.load(path, weights_only=True)
    assert describe(real) == describe(obj)
    if what == "model":
        assert type(real) is OrderedDict and list(real) == list(obj)
        fresh = TorchNet()
        fresh.load_state_dict(real)  # strict: every name and shape fits torch's own LSTM + Linear


@pytest.mark.parametrize("what", ["model", "optim", "checkpoint"])
def test_real_torch_files_load_in_ours_as_torch_reads_them(what, tmp_path):
    net, opt = trained(torch)
    obj = {"model": net.state_dict(), "optim": opt.state_dict(), "checkpoint": checkpoint(net, opt)}[what]
    path = tmp_path / "real.pt"
    torch.save(obj, path)
    ours = tt.load(path)
    assert describe(ours) == describe(torch.load(path, weights_only=True))
    if what == "model":
        assert ours._metadata == obj._metadata  # the state_dict's version records come along
        OurNet().load_state_dict(ours)


# ---------------------------------------------------------------------------------------------
# 2. every dtype, 0-d, Parameters and requires_grad

EDGE = {
    "float": [0.0, -0.0, 1.5, -2.25e-3, np.inf, -np.inf, np.nan, 6e4],
    "int8": [0, 1, -1, 7, -128, 127],
    "int16": [0, 1, -1, 7, -(2**15), 2**15 - 1],
    "int32": [0, 1, -1, 7, -(2**31), 2**31 - 1],
    "int64": [0, 1, -1, 7, -(2**63), 2**63 - 1],
    "uint8": [0, 1, 255, 128, 7, 200],
    "uint16": [0, 1, 2**16 - 1, 2**15, 7, 2**8],
    "uint32": [0, 1, 2**32 - 1, 2**31, 7, 2**16],
    "uint64": [0, 1, 2**64 - 1, 2**63, 7, 2**32],
    "bool": [True, False, True, True],
}


def all_dtypes(T: Any) -> dict[str, Any]:
    """A tensor of each dtype both frameworks have, 2-d and 0-d, with edge values."""
    out: dict[str, Any] = {}
    for name in ("float16", "float32", "float64", "complex64", "complex128", "bool", "int8", "int16",
                 "int32", "int64", "uint8", "uint16", "uint32", "uint64"):  # fmt: skip
        kind = "bool" if name == "bool" else "float" if name[0] in "fc" else name
        vals = np.array(EDGE[kind], dtype=np.dtype(name))
        if name.startswith("complex"):
            vals = vals * (1 - 2j)
        out[name] = T.from_numpy(vals.reshape(2, -1).copy())
        out[name + "_0d"] = T.from_numpy(vals[-1:].reshape(()).copy())
    out["empty"] = T.zeros(0, 3)
    out["param"] = T.nn.Parameter(T.ones(2, 2))
    out["frozen_param"] = T.nn.Parameter(T.zeros(3), requires_grad=False)
    out["grad_tensor"] = T.ones(2, dtype=T.float64).requires_grad_()
    return out


def test_every_dtype_0d_and_parameters_ours_to_real_torch():
    obj = all_dtypes(tt)
    real = torch.load(ours_bytes(obj), weights_only=True)
    assert describe(real) == describe(obj)
    assert describe(real) == describe(all_dtypes(torch))  # the same objects as torch builds them


def test_every_dtype_0d_and_parameters_real_torch_to_ours():
    obj = all_dtypes(torch)
    assert describe(tt.load(torch_bytes(obj))) == describe(torch.load(torch_bytes(obj)))


def test_bfloat16_loads_as_float32_with_the_exact_values():
    real = torch.tensor([[1.5, -2.25, 3.0e38], [1e-38, -0.0, float("inf")]], dtype=torch.bfloat16)
    ours = tt.load(torch_bytes({"w": real, "s": real[0, 1]}))
    assert ours["w"].dtype is tt.float32 and ours["s"].shape == ()
    assert ours["w"].numpy().tobytes() == real.float().numpy().tobytes()
    assert ours["s"].numpy().tobytes() == real[0, 1].float().numpy().tobytes()


@pytest.mark.parametrize("name", ["uint16", "uint32", "uint64"])
def test_unsigned_wide_dtypes_round_trip_both_ways_as_torch_writes_them(name):
    """tt.uint16 / tt.uint32 / tt.uint64: max, views and 0-d, through real torch and back, exactly."""
    top = np.iinfo(np.dtype(name)).max
    real = torch.tensor([[0, top, 7], [top - 1, 1, 0]], dtype=getattr(torch, name))
    ours = tt.tensor([[0, top, 7], [top - 1, 1, 0]], dtype=getattr(tt, name))
    assert ours.dtype is getattr(tt, name) and repr(ours) == repr(real)
    obj_t = {"w": real, "row": real[1], "col": real[:, 2], "s": real[0, 1]}
    obj_o = {"w": ours, "row": ours[1], "col": ours[:, 2], "s": ours[0, 1]}
    back = torch.load(ours_bytes(obj_o), weights_only=True)
    assert describe(back) == describe(obj_t)
    assert back["row"].untyped_storage().data_ptr() == back["w"].untyped_storage().data_ptr()
    loaded = tt.load(torch_bytes(obj_t))
    assert describe(loaded) == describe(torch.load(torch_bytes(obj_t), weights_only=True))
    assert describe(tt.load(ours_bytes(obj_o))) == describe(obj_t)


def test_unsigned_wide_dtypes_are_made_and_printed_as_in_torch():
    pairs = [(tt.uint16, torch.uint16), (tt.uint32, torch.uint32), (tt.uint64, torch.uint64)]
    for ours, real in pairs:
        assert (repr(ours), ours.is_signed, ours.itemsize) == (repr(real), real.is_signed, real.itemsize)
        top = np.iinfo(ours.dtype).max
        made = [tt.tensor([1], dtype=ours), tt.zeros(2, 3, dtype=ours), tt.tensor(top, dtype=ours)]
        want = [torch.tensor([1], dtype=real), torch.zeros(2, 3, dtype=real), torch.tensor(top, dtype=real)]
        for a, b in zip(made, want):
            assert (repr(a), str(a.dtype), a.numpy().dtype, a.numpy().tobytes()) == (
                repr(b),
                str(b.dtype),
                b.numpy().dtype,
                b.numpy().tobytes(),
            )
        arr = np.array([0, top, 5], ours.dtype)
        assert repr(tt.from_numpy(arr)) == repr(torch.from_numpy(arr))
        assert tt.from_numpy(arr).dtype is ours


def test_unsigned_wide_dtypes_are_pickled_as_real_torch_pickles_them():
    """The same calls, globals and storage ids as torch's pickle (v3 over an UntypedStorage)."""
    obj = {"a": np.array([0, 2**16 - 1], np.uint16), "b": np.array(5, np.uint64), "c": np.ones(3, np.uint32)}
    ours = pickled_calls(ours_bytes({k: tt.from_numpy(v) for k, v in obj.items()}))
    assert ours == pickled_calls(torch_bytes({k: torch.from_numpy(v) for k, v in obj.items()}))
    assert ours["b"] == (
        "torch._utils._rebuild_tensor_v3",
        (("storage", "torch.storage.UntypedStorage", "1", "cpu", 8), 0, (), (), False,
         ("collections.OrderedDict", ()), "torch.uint64"),
    )  # fmt: skip


class CallTrace(pickle.Unpickler):
    """Unpickles data.pkl into nested (global name, args) tuples: what the pickle calls, run nowhere."""

    def find_class(self, module: str, name: str) -> Any:
        path = f"{module}.{name}"
        if path == "torch._utils._rebuild_tensor_v2" or path.endswith(("_v3", "OrderedDict")):
            return lambda *args: (path, args)
        return path

    def persistent_load(self, pid: Any) -> Any:
        return pid


def pickled_calls(buf: io.BytesIO) -> Any:
    with zipfile.ZipFile(buf) as z:
        data = z.read(next(n for n in z.namelist() if n.endswith("/data.pkl")))
    return CallTrace(io.BytesIO(data)).load()


# ---------------------------------------------------------------------------------------------
# 3. views sharing one storage


def test_views_of_a_real_torch_file_share_storage_in_ours_as_in_torch():
    t = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    obj = {"a": t, "b": t[1:], "c": t.t(), "d": t[:, 1::2], "e": t[2, 3], "x": torch.ones(1, 3).expand(4, 3)}
    real, ours = torch.load(torch_bytes(obj)), tt.load(torch_bytes(obj))
    assert describe(ours) == describe(real)
    with torch.no_grad():
        real["a"].add_(100)
    with tt.no_grad():
        ours["a"].add_(100)
    assert describe(ours) == describe(real)  # the write through "a" is seen by every view, in both


def test_views_saved_by_ours_share_one_storage_in_real_torch():
    t = tt.arange(12, dtype=tt.float32).reshape(3, 4)
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    obj = {"a": t, "b": t[1:], "d": t[:, 1::2], "other": tt.ones(2)}
    real = torch.load(ours_bytes(obj), weights_only=True)
    assert describe(real) == describe(obj)
    shared = {k: np.shares_memory(v.numpy(), t.numpy()) for k, v in obj.items()}
    ptr = real["a"].untyped_storage().data_ptr()
    assert {k: v.untyped_storage().data_ptr() == ptr for k, v in real.items()} == shared
    assert shared["b"]  # slicing shares in ours, so the file must hold one storage for a and b
    strided = {"T": base.T, "step": base[1:, ::-2], "cols": base[:, 2:5], "rows": base[::2]}
    obj = {k: tt.from_numpy(v) for k, v in strided.items()}  # numpy layouts, negative strides included
    assert describe(torch.load(ours_bytes(obj), weights_only=True)) == describe(obj)


def test_a_state_dicts_metadata_is_kept_both_ways():
    sd = OrderedDict(w=tt.ones(2))
    sd._metadata = OrderedDict({"": {"version": 1}, "lstm": {"version": 2}})  # type: ignore[attr-defined]
    real = torch.load(ours_bytes(sd), weights_only=True)
    assert real._metadata == sd._metadata
    assert tt.load(torch_bytes(real))._metadata == sd._metadata


# ---------------------------------------------------------------------------------------------
# 4. training continues across the frameworks


def test_training_on_ours_continues_on_real_torch(tmp_path):
    net, opt = trained(tt, steps=3)
    path = tmp_path / "ckpt.pt"
    tt.save(checkpoint(net, opt), path)
    ours_next = train(tt, net, opt, 2)
    ckpt = torch.load(path, weights_only=True)
    real_net = TorchNet()
    real_net.load_state_dict(ckpt["model"])
    real_opt = torch.optim.Adam(real_net.parameters(), lr=0.05)
    real_opt.load_state_dict(ckpt["optim"])
    real_next = train(torch, real_net, real_opt, 2)
    _report.record(f"ours -> torch: next losses ours {ours_next}, torch {real_next}")
    np.testing.assert_allclose(ours_next, real_next, rtol=0, atol=1e-6)
    assert ckpt["epoch"] == 3


def test_training_on_real_torch_continues_on_ours(tmp_path):
    torch.manual_seed(1)
    net, opt = trained(torch, steps=3)
    path = tmp_path / "ckpt.pt"
    torch.save(checkpoint(net, opt), path)
    real_next = train(torch, net, opt, 2)
    ckpt = tt.load(path)
    our_net = OurNet()
    our_net.load_state_dict(ckpt["model"])
    our_opt = tt.optim.Adam(our_net.parameters(), lr=0.05)
    our_opt.load_state_dict(ckpt["optim"])
    ours_next = train(tt, our_net, our_opt, 2)
    _report.record(f"torch -> ours: next losses torch {real_next}, ours {ours_next}")
    np.testing.assert_allclose(ours_next, real_next, rtol=0, atol=1e-6)
    assert ckpt["epoch"] == 3


# ---------------------------------------------------------------------------------------------
# 5. the container: torch's records, in torch's order, aligned to 64 bytes


def data_offsets(path: Any) -> dict[str, int]:
    """member -> offset of its data in the file, read from each local header."""
    raw = open(path, "rb").read()
    out = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            o = info.header_offset
            name_len, extra_len = struct.unpack("<HH", raw[o + 26 : o + 30])
            out[info.filename] = o + 30 + name_len + extra_len
    return out


def test_the_archive_has_torchs_records_order_and_alignment(tmp_path):
    ours_path, real_path = tmp_path / "ours" / "model.pt", tmp_path / "real" / "model.pt"
    ours_path.parent.mkdir()
    real_path.parent.mkdir()
    net, opt = trained(tt)
    tt.save(checkpoint(net, opt), ours_path)
    real_net, real_opt = trained(torch)
    torch.save(checkpoint(real_net, real_opt), real_path)
    with zipfile.ZipFile(ours_path) as ours, zipfile.ZipFile(real_path) as real:
        assert ours.namelist() == real.namelist()  # same folder name (the file's), records and order
        assert all(i.compress_type == zipfile.ZIP_STORED for i in ours.infolist())
        for name in ("version", "byteorder", ".format_version", ".storage_alignment"):
            assert ours.read(f"model/{name}") == real.read(f"model/{name}")
        assert len(ours.read("model/.data/serialization_id")) == 40
    for path in (ours_path, real_path):
        assert all(off % 64 == 0 for off in data_offsets(path).values())
    assert tt.load(ours_path)["epoch"] == 3


def test_save_writes_through_a_symlink_and_buffers_directly(tmp_path):
    target = tmp_path / "real_target.pt"
    link = tmp_path / "link.pt"
    link.symlink_to(target)
    tt.save({"w": tt.ones(2)}, link)
    assert link.is_symlink() and target.is_file()
    assert sorted(os.listdir(tmp_path)) == ["link.pt", "real_target.pt"]
    assert torch.load(link, weights_only=True)["w"].tolist() == [1.0, 1.0]


def test_a_whole_module_is_refused_as_real_torch_weights_only_refuses_it():
    with pytest.raises(TypeError, match=r"Save its weights instead: torch.save\(model.state_dict"):
        tt.save(OurNet(), io.BytesIO())
    buf = torch_bytes(TorchNet())
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        torch.load(buf, weights_only=True)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL .*TorchNet") as info:
        tt.load(buf)
    assert "save model.state_dict() instead" in str(info.value)  # and says what to do
    with pytest.raises(pickle.UnpicklingError, match=r"torch\.nn\.modules\.rnn\.LSTM.*state_dict\(\)"):
        tt.load(torch_bytes(torch.nn.LSTM(2, 3)))  # a whole real torch module


def test_numpy_arrays_are_pickled_as_real_torch_pickles_them():
    arrays = {"i16": np.arange(6, dtype=np.int16).reshape(2, 3), "f64": np.array(2.5), "c": np.ones(2, ">c8")}
    buf = ours_bytes(arrays)
    with pytest.raises(pickle.UnpicklingError, match="numpy.core.multiarray._reconstruct"):
        torch.load(buf, weights_only=True)  # real torch refuses them weights-only ...
    buf.seek(0)
    real = torch.load(buf, weights_only=False)  # ... and unpickles them with weights_only=False
    buf.seek(0)
    ours, theirs = tt.load(buf), tt.load(torch_bytes(arrays))
    for loaded in (real, ours, theirs):  # values exact; big-endian data comes back in native order
        for k, a in arrays.items():
            assert type(loaded[k]) is np.ndarray and loaded[k].shape == a.shape
            assert loaded[k].dtype == a.dtype.newbyteorder("=") and np.array_equal(loaded[k], a)


def test_files_of_the_earlier_npz_format_still_load(tmp_path):
    structure = (
        '{"format": 1, "object": {"dict": [[{"v": "w"}, {"tensor": "a0", "requires_grad": false, '
        '"parameter": true}], [{"v": "epoch"}, {"v": 3}]], "ordered": true}}'
    )
    path = tmp_path / "old.pt"
    with open(path, "wb") as fh:
        np.savez(fh, **{MAGIC: np.array(structure), "a0": np.arange(3, dtype=np.float64)})
    back = tt.load(path)
    assert type(back) is OrderedDict and list(back) == ["w", "epoch"] and back["epoch"] == 3
    assert isinstance(back["w"], tt.nn.Parameter) and not back["w"].requires_grad
    assert back["w"].dtype is tt.float64 and back["w"].tolist() == [0.0, 1.0, 2.0]


# ---------------------------------------------------------------------------------------------
# 6. hostile pickles: would create a marker file if executed; must raise UnpicklingError, run nothing


def s(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def g(module: str, name: str) -> bytes:
    return f"c{module}\n{name}\n".encode()


def pk(*parts: bytes, proto: bool = True) -> bytes:
    return (b"\x80\x02" if proto else b"") + b"".join(parts) + b"."


def torch_zip(path: Any, pkl: bytes, storages: dict[str, bytes] | None = None) -> Any:
    """A torch-layout archive written with Python's zipfile (not our writer)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/byteorder", "little")
        for key, data in (storages or {}).items():
            z.writestr(f"archive/data/{key}", data)
        z.writestr("archive/version", "3\n")
    return path


EXT_CODE = 0xF1  # registered for os.system only while the EXT payload is checked


def payloads(marker: str) -> dict[str, bytes]:
    """name -> a pickle that creates `marker` when the standard unpickler runs it."""
    cmd = s(f"touch {marker}")
    call1 = b"\x85R"  # TUPLE1 REDUCE
    return {
        "GLOBAL os.system": pk(g("os", "system"), cmd, call1),
        "GLOBAL posix.system": pk(g("posix", "system"), cmd, call1),
        "GLOBAL builtins.eval": pk(g("builtins", "eval"), s(f"open({marker!r}, 'w').close()"), call1),
        "GLOBAL __builtin__.exec": pk(g("__builtin__", "exec"), s(f"open({marker!r}, 'w').close()"), call1),
        "GLOBAL subprocess.call": pk(g("subprocess", "call"), b"]", s("touch"), b"a", s(marker), b"a", call1),
        "STACK_GLOBAL os.system": pk(s("os"), s("system"), b"\x93", cmd, call1),
        "getattr(__import__('os'), 'system')": pk(
            g("builtins", "getattr"),
            g("builtins", "__import__"),
            s("os"),
            call1,
            s("system"),
            b"\x86R",
            cmd,
            call1,
        ),
        "nested pickle.loads": pk(
            g("pickle", "loads"),
            b"C" + bytes([len(inner := pk(g("os", "system"), cmd, call1))]) + inner,
            call1,
        ),
        "INST os.system": b"(" + cmd + b"ios\nsystem\n.",
        "OBJ os.system": pk(b"(", g("os", "system"), cmd, b"o"),
        "NEWOBJ pathlib.PosixPath then touch": pk(
            g("builtins", "getattr"),
            g("pathlib", "PosixPath"),
            s(marker),
            b"\x85\x81",
            s("touch"),
            b"\x86R)R",
        ),
        f"EXT1 {EXT_CODE} = os.system": pk(b"\x82" + bytes([EXT_CODE]), cmd, call1),
        "BUILD __setstate__ on an OrderedDict, then a call": pk(
            g("collections", "OrderedDict"), b")R}", s("__setstate__"), g("os", "system"), b"sb", cmd, b"b"
        ),
    }


@contextlib.contextmanager
def ext_registered() -> Any:
    copyreg.add_extension("os", "system", EXT_CODE)
    try:
        yield
    finally:
        copyreg.remove_extension("os", "system", EXT_CODE)


def test_the_hostile_payloads_are_live(tmp_path):
    """Each payload really does create its marker under the standard unpickler (so the next test means
    something)."""
    for name, payload in payloads(str(tmp_path / "m")).items():
        marker = tmp_path / "m"
        with ext_registered(), contextlib.suppress(Exception):
            pickle.loads(payload)
        assert marker.exists(), name
        marker.unlink()


@pytest.mark.parametrize("name", list(payloads("m")))
def test_hostile_pickles_raise_unpicklingerror_and_run_nothing(name, tmp_path):
    marker = tmp_path / "marker"
    path = torch_zip(tmp_path / "evil.pt", payloads(str(marker))[name])
    with ext_registered():
        with pytest.raises(pickle.UnpicklingError) as ours:
            tt.load(path)
        with pytest.raises(pickle.UnpicklingError):
            torch.load(path, weights_only=True)  # real torch refuses the same file
    assert not marker.exists()
    assert str(ours.value).startswith("Weights only load failed")
    if "GLOBAL" in name and "STACK" not in name and "getattr" not in name:
        assert "Unsupported global: GLOBAL" in str(ours.value)


def tensor_pickle(numel: int, offset: int, size: tuple[int, ...], stride: tuple[int, ...]) -> bytes:
    """A hand-written _rebuild_tensor_v2 pickle of a FloatStorage '0' (as torch writes it)."""

    def tup(xs: tuple[int, ...]) -> bytes:
        return b"(" + b"".join(b"J" + struct.pack("<i", x) for x in xs) + b"t"

    return pk(
        g("torch._utils", "_rebuild_tensor_v2"), b"((", s("storage"), g("torch", "FloatStorage"), s("0"),
        s("cpu"), b"J" + struct.pack("<i", numel), b"tQ", b"J" + struct.pack("<i", offset), tup(size),
        tup(stride), b"\x89", g("collections", "OrderedDict"), b")Rt", b"R",
    )  # fmt: skip


def test_build_cannot_touch_shared_objects(tmp_path):
    evil = pk(g("torch", "float32"), b"N}", s("name"), s("evil"), b"s\x86b")
    with pytest.raises(pickle.UnpicklingError, match="Can only build"):
        tt.load(torch_zip(tmp_path / "a.pt", evil))
    assert tt.float32.name == "float32" and repr(tt.float32) == "torch.float32"
    on_tensor = tensor_pickle(2, 0, (2,), (1,))[:-1] + b"}" + s("requires_grad") + b"\x88sb."
    with pytest.raises(pickle.UnpicklingError, match="Can only build"):
        tt.load(torch_zip(tmp_path / "b.pt", on_tensor, {"0": np.ones(2, "<f4").tobytes()}))


@pytest.mark.parametrize(
    "numel, offset, size, stride",
    [(2, 0, (3,), (1,)), (2, 2, (1,), (1,)), (4, 1, (2, 2), (2, 1)), (4, 0, (2,), (5,))],
)
def test_a_view_reaching_outside_its_storage_is_refused_like_torch(numel, offset, size, stride, tmp_path):
    path = torch_zip(tmp_path / "v.pt", tensor_pickle(numel, offset, size, stride), {"0": bytes(4 * numel)})
    with pytest.raises(RuntimeError, match="out of bounds"):
        tt.load(path)
    with pytest.raises(RuntimeError):
        torch.load(path, weights_only=True)


@pytest.mark.parametrize("nbytes", [0, 8, 20, 28])
def test_a_storage_shorter_or_longer_than_its_numel_is_refused_like_torch(nbytes, tmp_path):
    path = torch_zip(tmp_path / "s.pt", tensor_pickle(6, 0, (6,), (1,)), {"0": bytes(nbytes)})
    with pytest.raises(RuntimeError, match="claims 6 elements"):
        tt.load(path)
    if nbytes < 24:
        with pytest.raises(RuntimeError):
            torch.load(path, weights_only=True)


def peak_bytes(fn: Any) -> tuple[BaseException, int]:
    """(the exception fn raised, the peak memory traced while it ran)."""
    tracemalloc.start()
    try:
        fn()
    except BaseException as e:  # noqa: BLE001 - returned for the caller to check
        err = e
    else:
        raise AssertionError("no error raised")
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return err, peak


def zip_claiming(path: Any, pkl: bytes, claimed: int) -> Any:
    """A torch-layout zip whose record data/0 claims `claimed` bytes (zip64 sizes) but holds 8."""
    out, central = io.BytesIO(), []
    for name, data, size in (("archive/data.pkl", pkl, None), ("archive/data/0", bytes(8), claimed)):
        raw, crc, offset = name.encode(), zlib.crc32(data), out.tell()
        z64 = b"" if size is None else struct.pack("<HHQQ", 1, 16, size, size)
        n = len(data) if size is None else 0xFFFFFFFF
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, n, n, len(raw), len(z64)))
        out.write(raw + z64 + data)
        entry = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, n, n, len(raw),
                            len(z64), 0, 0, 0, 0, offset)  # fmt: skip
        central.append(entry + raw + z64)
    start = out.tell()
    out.write(b"".join(central))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, out.tell() - start, start, 0))
    path.write_bytes(out.getvalue())
    return path


def test_size_claims_and_bombs_never_allocate(tmp_path):
    cases = {
        "a record claiming 1 TB": (zip_claiming(tmp_path / "tb.pt", tensor_pickle(2, 0, (2,), (1,)), 2**40),
                                   RuntimeError, "claims 1099511627776 bytes"),
        "a storage numel of 2**31-1 over 8 bytes": (
            torch_zip(tmp_path / "n.pt", tensor_pickle(2**31 - 1, 0, (2,), (1,)), {"0": bytes(8)}),
            RuntimeError, "claims 2147483647 elements"),
        "a stride-0 view of 2**40 elements": (
            torch_zip(tmp_path / "e.pt", tensor_pickle(1, 0, (2**20, 2**20), (0, 0)), {"0": bytes(4)}),
            RuntimeError, "at most 16777216"),
        "a string claiming 4 GiB": (torch_zip(tmp_path / "s.pt", pk(b"X\xff\xff\xff\xffabc")),
                                    pickle.UnpicklingError, "malformed pickle"),
        "lists nested 100000 deep": (torch_zip(tmp_path / "d.pt", pk(b"]" * 100_000 + b"a" * 99_999)),
                                     pickle.UnpicklingError, "nested more than 64 deep"),
        "a list that contains itself": (torch_zip(tmp_path / "c.pt", pk(b"]q\x00h\x00a")),
                                        pickle.UnpicklingError, "contains itself"),
    }  # fmt: skip
    for label, (path, kind, message) in cases.items():
        err, peak = peak_bytes(functools.partial(tt.load, path))
        assert type(err) is kind and message in str(err), f"{label}: {type(err).__name__}: {err}"
        assert peak < 64 * 2**20, f"{label}: {peak} bytes traced"
    _report.record(f"torch file bombs: {len(cases)} cases, each a documented error under 64 MiB traced")


def test_truncated_files_raise_the_documented_errors_like_torch(tmp_path):
    net, opt = trained(torch)
    data = torch_bytes(checkpoint(net, opt)).getvalue()
    cuts = sorted(
        set(range(0, len(data), max(1, len(data) // 80))) | {1, 3, 4, 30, len(data) - 22, len(data) - 1}
    )
    path = tmp_path / "cut.pt"
    for cut in cuts:
        path.write_bytes(data[:cut])
        err, _ = peak_bytes(functools.partial(tt.load, path))
        assert type(err) in DAMAGED, f"cut at {cut}: {type(err).__name__}: {err}"
        if cut >= 4:  # it still starts like a zip archive: a damaged archive, as torch reports it
            assert type(err) is RuntimeError and "PytorchStreamReader failed" in str(err)
        with pytest.raises(Exception):  # noqa: B017 - real torch refuses it too (of its own types)
            torch.load(path, weights_only=True)
    _report.record(f"truncated real torch checkpoint: {len(cuts)} cut points, each a documented error")


def test_not_an_archive_is_unreadable_and_paths_get_oserrors(tmp_path):
    legacy = io.BytesIO()
    torch.save({"w": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)  # torch's pre-1.6 format
    for content in (b"", b"not a checkpoint", pickle.dumps([1, 2], protocol=2), legacy.getvalue()):
        path = tmp_path / "x.pt"
        path.write_bytes(content)
        with pytest.raises(UnreadableCheckpointError):
            tt.load(path)
    with pytest.raises(FileNotFoundError):
        tt.load(tmp_path / "missing.pt")
    with pytest.raises(IsADirectoryError):
        tt.load(tmp_path)


def test_mutated_pickles_load_or_raise_only_documented_errors(tmp_path):
    """Random byte changes in a real checkpoint's data.pkl (the zip rewritten, so its CRCs fit)."""
    net, opt = trained(torch)
    with zipfile.ZipFile(torch_bytes(checkpoint(net, opt))) as z:
        names = z.namelist()
        pkl = z.read(next(n for n in names if n.endswith("/data.pkl")))
        storages = {n.rsplit("/", 1)[1]: z.read(n) for n in names if "/data/" in n}
    rng = np.random.default_rng(0)
    outcomes: dict[str, int] = {}
    path = tmp_path / "m.pt"
    for _ in range(400):
        data = bytearray(pkl)
        for pos in rng.integers(2, len(data), size=rng.integers(1, 4)):
            data[pos] = int(rng.integers(0, 256))
        torch_zip(path, bytes(data), storages)
        try:
            tt.load(path)
            kind = "loaded"
        except (pickle.UnpicklingError, RuntimeError) as e:
            kind = type(e).__name__
        outcomes[kind] = outcomes.get(kind, 0) + 1
    _report.record(f"400 mutated real-torch pickles: {outcomes}")
    assert sum(outcomes.values()) == 400


def test_byte_flips_load_the_saved_content_or_raise_documented_errors(tmp_path):
    net, opt = trained(tt)
    obj = checkpoint(net, opt)
    data = ours_bytes(obj).getvalue()
    path = tmp_path / "f.pt"
    outcomes: dict[str, int] = {}
    for pos in sorted(set(range(0, len(data), max(1, len(data) // 150))) | set(range(0, 200, 3))):
        flipped = bytearray(data)
        flipped[pos] ^= 0xFF
        path.write_bytes(bytes(flipped))
        try:
            back = tt.load(path)
        except (pickle.UnpicklingError, RuntimeError) as e:
            kind = type(e).__name__
        else:
            assert describe(back) == describe(obj), f"byte {pos} flipped: loaded something else"
            kind = "loaded the saved content"
        outcomes[kind] = outcomes.get(kind, 0) + 1
    _report.record(f"byte flips of a file saved by ours: {outcomes}")
    assert "loaded the saved content" in outcomes and "RuntimeError" in outcomes


def test_big_endian_archives_load_with_the_values_torch_reads(tmp_path):
    obj = {
        "f": torch.tensor([1.5, -2.0, 3.25]),
        "i": torch.tensor([[1, -2], [3, 2**40]]),
        "h": torch.tensor(0.5).half(),
    }
    dtypes = [v.numpy().dtype for v in obj.values()]  # storages 0, 1, 2 in the order torch writes them
    with zipfile.ZipFile(torch_bytes(obj)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(tmp_path / "big.pt", "w") as z:
        for name, raw in members.items():
            if name.endswith("/byteorder"):
                raw = b"big"
            elif "/data/" in name:
                raw = np.frombuffer(raw, dtypes[int(name.rsplit("/", 1)[1])]).byteswap().tobytes()
            z.writestr(name, raw)
    real = torch.load(tmp_path / "big.pt", weights_only=True)
    assert describe(tt.load(tmp_path / "big.pt")) == describe(real) == describe(obj)


def test_weights_only_false_map_location_and_mmap_are_accepted_and_still_weights_only(tmp_path):
    buf = torch_bytes({"w": torch.ones(2)})
    assert tt.load(buf, map_location="cpu", weights_only=False, mmap=False)["w"].tolist() == [1.0, 1.0]
    marker = tmp_path / "marker"
    path = torch_zip(tmp_path / "evil.pt", payloads(str(marker))["GLOBAL os.system"])
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL os.system"):
        tt.load(path, weights_only=False)
    assert not marker.exists()


MALFORMED = {
    "STOP on an empty stack": pk(b""),
    "APPEND to a dict": pk(b"}", s("x"), b"a"),
    "SETITEM on a list": pk(b"]", s("k"), s("v"), b"s"),
    "a memo slot never written": pk(b"h\x07"),
    "a mark never closed": pk(b"(", s("x")),
    "TUPLE without a mark": pk(s("x"), b"t"),
    "an unknown opcode": pk(b"\xff"),
    "no STOP": b"\x80\x02" + s("x"),
    "a protocol-0 string": pk(b"S'abc'\n"),
    "REDUCE on a dtype": pk(g("torch", "float32"), b")R"),
    "REDUCE with a list of arguments": pk(g("collections", "OrderedDict"), b"]R"),
    "set of an unhashable": pk(g("builtins", "set"), b"]]a\x85R"),
    "complex of text": pk(g("builtins", "complex"), s("nope"), b"\x85R"),
    "bytearray of a terabyte": pk(g("builtins", "bytearray"), b"\x8a\x06\x00\x00\x00\x00\x00\x01\x85R"),
    "_codecs.encode with another codec": pk(g("_codecs", "encode"), s("x"), s("rot13"), b"\x86R"),
    "numpy object dtype": pk(g("numpy", "dtype"), s("O8"), b"\x89\x88\x87R"),
    "a storage id that is a string": pk(s("storage"), b"Q"),
    "torch.Size of text": pk(g("torch", "Size"), s("abc"), b"\x85R"),
    "a Parameter of a list": pk(g("torch._utils", "_rebuild_parameter"), b"]\x88}\x87R"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_pickles_raise_unpicklingerror(name, tmp_path):
    with pytest.raises(pickle.UnpicklingError) as info:
        tt.load(torch_zip(tmp_path / "m.pt", MALFORMED[name]))
    assert type(info.value) is pickle.UnpicklingError, name
