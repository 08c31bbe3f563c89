"""torch.save / torch.load on numpy .npz files: no pickle in either direction.

The file is an ordinary .npz archive: every tensor / array is one member, and a JSON description
of the saved object's structure (dicts, lists, tuples, numbers, strings, tensors by member name)
sits in the member ``__tinygrad_rnn_torch__``. `load` opens it with ``np.load(allow_pickle=False)``,
so loading a file can never run code. `save` to a path writes a temporary file in the same
directory and renames it over the target (``os.replace``), so a crash never leaves half a file.
"""

from __future__ import annotations

import errno
import json
import os
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from .._io import atomic_write
from ..tape import TensorBase, _wrap
from . import _dtype
from ._tensor import Tensor

MAGIC = "__tinygrad_rnn_torch__"
FORMAT = 1


def _encode(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(obj, (TensorBase, np.ndarray)):
        arr = obj.data if isinstance(obj, TensorBase) else obj
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"torch.save: arrays of dtype {arr.dtype} would need pickle; not supported")
        key = f"a{len(arrays)}"
        arrays[key] = np.ascontiguousarray(arr)
        if isinstance(obj, np.ndarray):
            return {"ndarray": key}
        return {"tensor": key, "requires_grad": bool(obj.requires_grad), "parameter": _is_parameter(obj)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"v": obj}
    if isinstance(obj, np.generic):
        return {"v": obj.item()}
    if isinstance(obj, _dtype.dtype):
        return {"dtype": obj.name}
    if isinstance(obj, _dtype.Size):
        return {"size": list(obj)}
    if isinstance(obj, dict):
        return {
            "dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()],
            "ordered": isinstance(obj, OrderedDict),
        }
    if isinstance(obj, list):
        return {"list": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, tuple):
        return {"tuple": [_encode(v, arrays) for v in obj]}
    raise TypeError(
        f"torch.save: cannot store an object of type {type(obj).__name__} without pickle; tinygrad_rnn.torch "
        "saves tensors, arrays, numbers, strings, None and dicts / lists / tuples of them (e.g. state_dict())"
    )


def _is_parameter(t: TensorBase) -> bool:
    from .nn.parameter import Parameter

    return isinstance(t, Parameter)


def _decode(node: Any, z: Any) -> Any:
    if "v" in node:
        return node["v"]
    if "tensor" in node:
        arr = z[node["tensor"]]
        if node.get("parameter"):
            from .nn.parameter import Parameter

            return Parameter(_wrap(Tensor, arr, None, 0), requires_grad=node["requires_grad"])
        t = _wrap(Tensor, arr, None, 0)
        if node["requires_grad"]:
            t.requires_grad_(True)
        return t
    if "ndarray" in node:
        return z[node["ndarray"]]
    if "dtype" in node:
        return getattr(_dtype, node["dtype"])
    if "size" in node:
        return _dtype.Size(node["size"])
    if "dict" in node:
        items = [(_hashable(_decode(k, z)), _decode(v, z)) for k, v in node["dict"]]
        return OrderedDict(items) if node.get("ordered") else dict(items)
    if "list" in node:
        return [_decode(v, z) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, z) for v in node["tuple"])
    raise ValueError(f"unknown entry {sorted(node)}")


def _hashable(k: Any) -> Any:
    return tuple(_hashable(x) for x in k) if isinstance(k, list) else k


def save(
    obj: Any,
    f: Any,
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
) -> None:
    """Write obj (a state_dict, tensor, or nested dict/list of them) to a path or binary file."""
    arrays: dict[str, np.ndarray] = {}
    structure = _encode(obj, arrays)
    arrays[MAGIC] = np.array(json.dumps({"format": FORMAT, "object": structure}))
    if not isinstance(f, (str, os.PathLike)):
        np.savez(f, **arrays)
        return
    atomic_write(f, lambda fh: np.savez(fh, **arrays))


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: Any = None,
    **kwargs: Any,
) -> Any:
    """Read what save wrote (never unpickles: np.load(allow_pickle=False))."""
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", repr(f))
    if isinstance(f, (str, os.PathLike)) and not os.path.exists(f):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
    try:
        z = np.load(f, allow_pickle=False)
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single numpy array, not an archive")
        with z:
            if MAGIC not in z.files:
                raise ValueError(
                    "no " + MAGIC + " member (files written by real torch.save hold pickled data, which "
                    "this frontend never unpickles)"
                )
            meta = json.loads(str(z[MAGIC]))
            if meta.get("format") != FORMAT:
                raise ValueError(f"unknown format version {meta.get('format')!r}")
            return _decode(meta["object"], z)
    except (ValueError, OSError, KeyError, EOFError, zipfile.BadZipFile) as e:
        raise RuntimeError(f"torch.load: {name} is not a readable tinygrad_rnn.torch checkpoint: {e}") from e
