"""A protocol-2 pickle emitter for exactly what a weights file holds, written as torch.save pickles it.

Only these objects are written: dict / OrderedDict (with its ``_metadata``) / list / tuple / str / int /
float / bool / None / complex / bytes, torch.Size, torch dtypes and devices, numpy scalars (as Python
numbers), numpy arrays (as numpy itself pickles them), tensors and Parameters. A tensor becomes the
call ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())``
whose storage is a persistent id ``('storage', torch.FloatStorage, key, 'cpu', numel)``, as torch
writes it (uint16 / uint32 / uint64, which have no typed storage class: ``_rebuild_tensor_v3`` with
the dtype after the hooks, over ``('storage', torch.storage.UntypedStorage, key, 'cpu', nbytes)``);
tensors that are views of one numpy buffer share one storage, as torch's views do. Anything else
raises TypeError before a byte is written.
"""

from __future__ import annotations

import io
import struct
from collections import OrderedDict
from typing import Any

import numpy as np

from ..nn import Module as _CoreModule
from ..tape import TensorBase
from . import _dtype
from ._weights_rebuild import STORAGE_DTYPES

# numpy dtype -> the typed storage class torch pickles for it (the loader's table, inverted)
STORAGE_OF = {np.dtype(t): name for name, t in STORAGE_DTYPES.items() if t is not None}
# dtypes with no typed storage class: torch writes them as _rebuild_tensor_v3 over an UntypedStorage
UNTYPED = {np.dtype(np.uint16): "uint16", np.dtype(np.uint32): "uint32", np.dtype(np.uint64): "uint64"}
MAX_DEPTH = 64  # containers nested deeper than this are refused (a checkpoint nests about 5)


class Storages:
    """The storages a save writes: one per numpy buffer, keyed '0', '1', ... in order of first use."""

    def __init__(self) -> None:
        self.records: list[tuple[str, bytes]] = []
        self._keys: dict[int, tuple[str, np.ndarray]] = {}  # id(buffer) -> (key, buffer kept alive)

    def place(self, arr: np.ndarray) -> tuple[str, int, int, tuple[int, ...]]:
        """(key, storage numel, offset, strides in elements) of `arr`, its storage added if new."""
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        offset_strides = _inside(arr, root)
        if offset_strides is None:  # not a plain view of a contiguous buffer: store a copy of its own
            root = np.ascontiguousarray(arr).reshape(-1)
            offset_strides = 0, tuple(_contiguous_strides(arr.shape))
        entry = self._keys.get(id(root))
        if entry is None:
            entry = (str(len(self._keys)), root)
            self._keys[id(root)] = entry
            data = root.astype(root.dtype.newbyteorder("<"), copy=False).tobytes()
            self.records.append((f"data/{entry[0]}", data))
        return entry[0], root.size, offset_strides[0], offset_strides[1]


def _contiguous_strides(shape: tuple[int, ...]) -> list[int]:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return strides[::-1]


def _inside(arr: np.ndarray, root: np.ndarray) -> tuple[int, tuple[int, ...]] | None:
    """(offset, strides) in elements of `arr` within the C-contiguous same-dtype buffer `root`, or None."""
    item = arr.dtype.itemsize
    if root is arr and arr.flags.c_contiguous:
        return 0, tuple(_contiguous_strides(arr.shape))
    if root is arr or root.dtype != arr.dtype or not root.flags.c_contiguous or arr.size == 0:
        return None
    delta = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    if delta % item or any(s % item or s < 0 for s in arr.strides):
        return None
    strides = tuple(s // item for s in arr.strides)
    end = delta // item + sum((n - 1) * s for n, s in zip(arr.shape, strides))
    return (delta // item, strides) if delta >= 0 and end < root.size else None


class Emitter:
    """Pickles one object (protocol 2, torch's layout) into `out`; storages collects the tensor data."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.storages = Storages()

    def dumps(self, obj: Any) -> bytes:
        """The data.pkl bytes of obj."""
        self.out.write(b"\x80\x02")
        self.emit(obj, 0)
        self.out.write(b".")
        return self.out.getvalue()

    def _global(self, module: str, name: str) -> None:
        self.out.write(b"c" + f"{module}\n{name}\n".encode())

    def _tuple(self, items: Any, depth: int) -> None:
        items = list(items)
        self.out.write(b"(")
        for x in items:
            self.emit(x, depth)
        self.out.write(b"t")

    def _call(self, module: str, name: str, args: tuple[Any, ...], depth: int) -> None:
        self._global(module, name)
        self._tuple(args, depth)
        self.out.write(b"R")

    def emit(self, obj: Any, depth: int) -> None:
        """Write the opcodes that rebuild obj."""
        if depth > MAX_DEPTH:
            raise ValueError(f"torch.save: containers nested more than {MAX_DEPTH} deep (or a cycle)")
        w = self.out.write
        if obj is None:
            w(b"N")
        elif obj is True or obj is False:
            w(b"\x88" if obj else b"\x89")
        elif isinstance(obj, int) and not isinstance(obj, np.generic):
            self._int(int(obj))
        elif isinstance(obj, float):
            w(b"G" + struct.pack(">d", obj))
        elif isinstance(obj, str):
            raw = obj.encode("utf-8", "surrogatepass")
            w(b"X" + struct.pack("<I", len(raw)) + raw)
        elif isinstance(obj, np.generic):
            self.emit(obj.item(), depth)
        elif isinstance(obj, (complex, bytes, _dtype.dtype, _dtype.device, _dtype.Size)):
            self._value(obj, depth)
        elif isinstance(obj, TensorBase):
            self._tensor(obj, depth)
        elif isinstance(obj, np.ndarray):
            self._ndarray(obj, depth)
        elif isinstance(obj, (dict, list, tuple)):
            self._container(obj, depth + 1)
        else:
            raise TypeError(refusal(obj))

    def _int(self, v: int) -> None:
        if 0 <= v < 256:
            self.out.write(b"K" + bytes([v]))
        elif -(2**31) <= v < 2**31:
            self.out.write(b"J" + struct.pack("<i", v))
        else:
            raw = v.to_bytes(v.bit_length() // 8 + 1, "little", signed=True)
            if len(raw) > 255:
                raise ValueError("torch.save: an integer of more than 2040 bits")
            self.out.write(b"\x8a" + bytes([len(raw)]) + raw)

    def _value(self, obj: Any, depth: int) -> None:
        """complex, bytes, torch dtypes, devices and Sizes, each as torch's pickle writes it."""
        if isinstance(obj, complex):
            self._call("__builtin__", "complex", (obj.real, obj.imag), depth)
        elif isinstance(obj, bytes):
            self._call("_codecs", "encode", (obj.decode("latin1"), "latin1"), depth)
        elif isinstance(obj, _dtype.dtype):
            self._global("torch", obj.name)
        elif isinstance(obj, _dtype.device):
            self._call("torch", "device", (str(obj),), depth)
        else:
            self._call("torch", "Size", (tuple(int(d) for d in obj),), depth)

    def _container(self, obj: Any, depth: int) -> None:
        w = self.out.write
        if isinstance(obj, tuple):
            self._tuple(obj, depth)
            return
        if isinstance(obj, list):
            w(b"]")
            for x in obj:
                self.emit(x, depth)
                w(b"a")
            return
        if isinstance(obj, OrderedDict):
            self._call("collections", "OrderedDict", (), depth)
        elif type(obj) is dict:
            w(b"}")
        else:
            raise TypeError(refusal(obj))
        for k, v in obj.items():
            self.emit(k, depth)
            self.emit(v, depth)
            w(b"s")
        metadata = getattr(obj, "_metadata", None)
        if isinstance(obj, OrderedDict) and metadata is not None:  # a state_dict's version records
            w(b"}")
            self.emit("_metadata", depth)
            self.emit(metadata, depth)
            w(b"sb")

    def _tensor(self, t: TensorBase, depth: int) -> None:
        from .nn.parameter import Parameter

        arr = np.asarray(t.array)
        untyped = UNTYPED.get(arr.dtype)
        if arr.dtype not in STORAGE_OF and untyped is None:
            raise TypeError(f"torch.save: a tensor of numpy dtype {arr.dtype} has no torch storage type")
        key, numel, offset, strides = self.storages.place(arr)
        param = isinstance(t, Parameter)
        if param:
            self._global("torch._utils", "_rebuild_parameter")
            self.out.write(b"(")
        self._global("torch._utils", "_rebuild_tensor_v3" if untyped else "_rebuild_tensor_v2")
        self.out.write(b"((")
        self.emit("storage", depth)
        if untyped:  # an untyped storage counts bytes; the dtype follows the hooks
            self._global("torch.storage", "UntypedStorage")
            numel *= arr.dtype.itemsize
        else:
            self._global("torch", STORAGE_OF[arr.dtype])
        for x in (key, "cpu", numel):
            self.emit(x, depth)
        self.out.write(b"tQ")  # the storage's persistent id
        for x in (offset, tuple(arr.shape), strides, bool(t.requires_grad) and not param):
            self.emit(x, depth)
        self._call("collections", "OrderedDict", (), depth)  # backward hooks: none
        if untyped:
            self._global("torch", untyped)
        self.out.write(b"tR")
        if param:
            self.emit(bool(t.requires_grad), depth)
            self._call("collections", "OrderedDict", (), depth)
            self.out.write(b"tR")

    def _ndarray(self, a: np.ndarray, depth: int) -> None:
        """A numpy array, pickled as numpy pickles it (real torch's weights_only load refuses those)."""
        if a.dtype.kind not in "biufc" or a.dtype.fields is not None:
            raise TypeError(f"torch.save: arrays of dtype {a.dtype} would need pickle; not supported")
        w = self.out.write
        self._global("numpy.core.multiarray", "_reconstruct")
        self._global("numpy", "ndarray")
        self.emit((0,), depth)
        self._call("_codecs", "encode", ("b", "latin1"), depth)
        w(b"\x87R(")  # TUPLE3 REDUCE, then the state tuple
        self.emit(1, depth)
        self.emit(tuple(a.shape), depth)
        native = a.astype(a.dtype.newbyteorder("<"), copy=False) if a.dtype.byteorder == ">" else a
        self._call("numpy", "dtype", (native.dtype.str[1:], False, True), depth)
        order = "|" if native.dtype.itemsize == 1 else "<"
        self._tuple((3, order, None, None, None, -1, -1, 0), depth)
        w(b"b")
        self.emit(False, depth)
        self.emit(np.ascontiguousarray(native).tobytes(), depth)
        w(b"tb")


def refusal(obj: Any) -> str:
    """Why `obj` cannot be saved, and what to save instead (a module: its state_dict)."""
    kind = type(obj).__name__
    if isinstance(obj, _CoreModule):
        return (
            f"torch.save: cannot store a whole {kind} module without pickle. Save its weights instead: "
            "torch.save(model.state_dict(), path), then model.load_state_dict(torch.load(path)) on a model "
            "built by the same code. (Real torch 2.13's default torch.load(weights_only=True) refuses a "
            f"pickled whole module too: its class {kind} 'was not an allowed global by default'.)"
        )
    return (
        f"torch.save: cannot store an object of type {kind} without pickle; tinygrad_rnn.torch saves tensors, "
        "arrays, numbers, strings, None and dicts / lists / tuples of them. For a model, save "
        "model.state_dict() instead (as real torch 2.13's weights_only=True load also asks)."
    )
