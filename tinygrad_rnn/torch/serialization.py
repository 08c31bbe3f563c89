"""torch.save / torch.load on numpy .npz files: no pickle in either direction.

The file is an ordinary .npz archive: every tensor / array is one member, and a JSON description
of the saved object's structure (dicts, lists, tuples, numbers, strings, tensors by member name)
sits in the member ``__tinygrad_rnn_torch__``. `load` parses it without pickle and checks every
member's dtype, shape and size and every entry of the structure before building anything, so loading a
file can never run code, and a damaged or hand-made file gives one of the documented errors. `save` to a
path follows a symlink (as torch does) and writes a temporary file beside the target that is renamed
over it (``os.replace``), so a crash never leaves half a file.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
from collections import OrderedDict
from typing import Any

import numpy as np

from .._io import (
    CorruptFileError,
    MissingMemberError,
    NotAnArchiveError,
    NotRegularFileError,
    atomic_write,
    check_target,
    parse_json,
    read_npz,
    remove_stale_temps,
    resolve,
)
from ..nn import Module as _CoreModule
from ..tape import TensorBase
from . import _dtype
from ._factories import from_numpy
from ._tensor import Tensor


class UnreadableCheckpointError(pickle.UnpicklingError, RuntimeError):
    """torch.load of a file that is not a checkpoint archive at all (empty, text, a .npy, a FIFO).

    Real torch raises pickle.UnpicklingError for such files (and RuntimeError for a damaged archive);
    this is both, so code written for either catches it.
    """


MAGIC = "__tinygrad_rnn_torch__"
FORMAT = 1


def _encode(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(obj, (TensorBase, np.ndarray)):
        arr = obj.array if isinstance(obj, TensorBase) else obj
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"torch.save: arrays of dtype {arr.dtype} would need pickle; not supported")
        key = f"a{len(arrays)}"
        arrays[key] = np.asarray(arr)  # not np.ascontiguousarray: that makes a 0-d array 1-d
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
    raise TypeError(_refusal(obj))


def _refusal(obj: Any) -> str:
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


def _is_parameter(t: TensorBase) -> bool:
    from .nn.parameter import Parameter

    return isinstance(t, Parameter)


MAX_DEPTH = 32  # containers nested deeper than this in a file are refused (a state_dict nests 3)


def _node(node: Any, keys: set[str]) -> dict[str, Any]:
    """`node` checked to be a dict with exactly the keys `keys`."""
    if not isinstance(node, dict) or node.keys() != keys:
        raise CorruptFileError(f"unexpected entry {str(node)[:80]}")
    return node


def _member(node: dict[str, Any], key: str, arrays: dict[str, np.ndarray], used: set[str]) -> np.ndarray:
    """The array member `node[key]` names; each member may be named once."""
    name = node[key]
    if not isinstance(name, str) or name not in arrays or name == MAGIC or name in used:
        raise CorruptFileError(f"entry refers to a missing or repeated member {str(name)[:80]!r}")
    used.add(name)
    return arrays[name]


def _tensor(node: dict[str, Any], arrays: dict[str, np.ndarray], used: set[str]) -> Tensor:
    node = _node(node, {"tensor", "requires_grad", "parameter"})
    arr = _member(node, "tensor", arrays, used)
    grad, param = node["requires_grad"], node["parameter"]
    if not isinstance(grad, bool) or not isinstance(param, bool):
        raise CorruptFileError("a tensor entry's requires_grad / parameter flags are not booleans")
    try:
        _dtype.from_np(arr.dtype)
    except TypeError:
        raise CorruptFileError(f"a tensor of numpy dtype {arr.dtype} (no torch dtype)") from None
    if grad and arr.dtype.kind not in "fc":
        raise CorruptFileError(f"a {arr.dtype} tensor marked requires_grad (only floating point can be)")
    if param:
        from .nn.parameter import Parameter

        return Parameter(from_numpy(arr), requires_grad=grad)
    return from_numpy(arr).requires_grad_(grad)


def _decode(node: Any, arrays: dict[str, np.ndarray], used: set[str], depth: int = 0) -> Any:
    """The object an entry of the JSON structure describes, every part of it checked."""
    if depth > MAX_DEPTH:
        raise CorruptFileError(f"containers nested more than {MAX_DEPTH} deep")
    kind = next(iter(node), None) if isinstance(node, dict) else None
    if kind == "v":
        value = _node(node, {"v"})["v"]
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise CorruptFileError(f"a value entry holds a {type(value).__name__}")
        return value
    if kind == "tensor":
        return _tensor(node, arrays, used)
    if kind == "ndarray":
        return _member(_node(node, {"ndarray"}), "ndarray", arrays, used)
    if kind == "dtype":
        name = _node(node, {"dtype"})["dtype"]
        found = getattr(_dtype, name, None) if isinstance(name, str) else None
        if not isinstance(found, _dtype.dtype):
            raise CorruptFileError(f"unknown dtype {str(node['dtype'])[:40]!r}")
        return found
    if kind == "size":
        dims = _node(node, {"size"})["size"]
        if not isinstance(dims, list) or not all(type(d) is int and d >= 0 for d in dims):
            raise CorruptFileError(f"a Size entry holds {str(dims)[:80]}")
        return _dtype.Size(dims)
    if kind in ("list", "tuple"):
        items = _node(node, {kind})[kind]
        if not isinstance(items, list):
            raise CorruptFileError(f"a {kind} entry holds a {type(items).__name__}")
        values = [_decode(v, arrays, used, depth + 1) for v in items]
        return values if kind == "list" else tuple(values)
    if kind == "dict":
        return _decode_dict(_node(node, {"dict", "ordered"}), arrays, used, depth)
    raise CorruptFileError(f"unexpected entry {str(node)[:80]}")


def _decode_dict(node: dict[str, Any], arrays: dict[str, np.ndarray], used: set[str], depth: int) -> Any:
    pairs, ordered = node["dict"], node["ordered"]
    if not isinstance(pairs, list) or not isinstance(ordered, bool):
        raise CorruptFileError("a dict entry is not a list of pairs")
    items = []
    for pair in pairs:
        if not isinstance(pair, list) or len(pair) != 2:
            raise CorruptFileError(f"a dict item is not a [key, value] pair: {str(pair)[:80]}")
        key = _hashable(_decode(pair[0], arrays, used, depth + 1))
        try:
            hash(key)
        except TypeError:
            raise CorruptFileError(f"a dict key of type {type(key).__name__} (unhashable)") from None
        items.append((key, _decode(pair[1], arrays, used, depth + 1)))
    return OrderedDict(items) if ordered else dict(items)


def _hashable(k: Any) -> Any:
    """JSON has no tuples: a tuple key comes back as a list; make it a tuple again."""
    return tuple(_hashable(x) for x in k) if isinstance(k, list) else k


def _check_save_path(f: str | os.PathLike[str]) -> None:
    """Raise RuntimeError, as torch.save does, for a path that cannot hold a file."""
    try:
        check_target(f)
    except (FileNotFoundError, NotADirectoryError):
        raise RuntimeError(
            f"Parent directory {os.path.dirname(os.fspath(f)) or '.'} does not exist."
        ) from None
    except (IsADirectoryError, NotRegularFileError) as e:
        raise RuntimeError(f"File {os.fspath(f)} cannot be opened: it {e.strerror}.") from None


def save(
    obj: Any,
    f: Any,
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
) -> None:
    """Write obj (a state_dict, tensor, or nested dict/list of them) to a path or binary file.

    A path is written atomically and through a symlink (the link stays); RuntimeError, as torch raises,
    when it is a directory, a FIFO / device / socket, or its folder does not exist.
    """
    arrays: dict[str, np.ndarray] = {}
    structure = _encode(obj, arrays)
    arrays[MAGIC] = np.array(json.dumps({"format": FORMAT, "object": structure}))
    if not isinstance(f, (str, os.PathLike)):
        np.savez(f, **arrays)
        return
    _check_save_path(f)
    atomic_write(f, lambda fh: np.savez(fh, **arrays))


def _structure(members: dict[str, Any]) -> Any:
    """The saved object of an archive's members (CorruptFileError for anything inconsistent)."""
    meta = parse_json(members[MAGIC], "the structure header")
    if not isinstance(meta, dict) or meta.keys() != {"format", "object"}:
        raise CorruptFileError("the structure header is not a {format, object} record")
    if type(meta["format"]) is not int or meta["format"] != FORMAT:
        raise CorruptFileError(f"unknown format version {str(meta['format'])[:40]!r}")
    arrays = {k: v for k, v in members.items() if k != MAGIC}
    used: set[str] = set()
    obj = _decode(meta["object"], arrays, used)
    if used != arrays.keys():
        raise CorruptFileError(f"members {sorted(arrays.keys() - used)[:5]} are not part of the saved object")
    return obj


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: Any = None,
    **kwargs: Any,
) -> Any:
    """Read what save wrote, never unpickling; for a bad file it raises only these documented errors.

    FileNotFoundError (no such path) and IsADirectoryError (a directory), as torch; RuntimeError for an
    archive that is damaged, truncated, tampered with or not written by this save (a real torch
    checkpoint included), as torch raises for a damaged archive; UnreadableCheckpointError, a
    ``pickle.UnpicklingError`` that is also a RuntimeError, for a file that is no archive at all (empty,
    text, a .npy, a FIFO or device). Loading a path also removes temp files a killed save of it left.
    """
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", repr(f))
    if isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
        remove_stale_temps(resolve(f))
    prefix = f"torch.load: {name} is not a readable tinygrad_rnn.torch checkpoint"
    try:
        members = read_npz(f, text_members=(MAGIC,), required=MAGIC)
        return _structure(members)
    except NotRegularFileError as e:
        raise UnreadableCheckpointError(f"{prefix}: it {e.strerror}") from None
    except NotAnArchiveError as e:
        raise UnreadableCheckpointError(f"{prefix}: {e}") from None
    except MissingMemberError:
        raise RuntimeError(
            f"{prefix}: no {MAGIC} member (files written by real torch.save hold pickled data, which this "
            "frontend never unpickles)"
        ) from None
    except CorruptFileError as e:
        raise RuntimeError(f"{prefix}: {e}") from None
