"""torch.save / torch.load in torch's own file format, never executing pickle code.

`save` writes the zip container real torch 2.x writes (``<name>/data.pkl``, ``<name>/data/<key>``,
``version``, ``byteorder``, ``.format_version``, ``.storage_alignment``, ``.data/serialization_id``,
records aligned to 64 bytes), with a protocol-2 pickle that real ``torch.load(f, weights_only=True)``
accepts: state dicts (their ``_metadata`` kept), optimizer state dicts, and nested dicts / lists /
tuples of tensors, Parameters, numbers, strings, bytes, None, dtypes and Sizes. Tensors that view one
buffer share one storage, as in torch. A numpy array is pickled as numpy pickles it (as real torch does):
real torch loads it only with ``weights_only=False``, ours loads it back (numeric dtypes only). A whole
Module is refused: save its ``state_dict()``. A path is written atomically and through a symlink (the
temp file is renamed over the target); a file object is written directly.

`load` reads what real torch 2.x writes (any archive folder name, little or big byte order) and the
``.npz`` files earlier versions of this frontend wrote (told apart by their content). It ALWAYS loads
weights only, whatever ``weights_only`` says: the pickle goes through an allow-list interpreter
(``_weights_unpickler``) that resolves only our own stand-ins for the rebuild functions, containers,
storages and dtypes a weights file needs; no module is imported and nothing of the file is called.
bfloat16 tensors load as float32 with the exact values (this frontend has no bfloat16); uint16 / uint32 /
uint64 tensors load (and save, as torch's ``_rebuild_tensor_v3``) with their own dtype. ``map_location``
and ``mmap`` are accepted; every tensor loads into memory on the CPU.

Errors of `load` (its whole contract; nothing else escapes for any file content):

- FileNotFoundError: no such path. IsADirectoryError: a directory.
- pickle.UnpicklingError ("Weights only load failed. ..."): the pickle names a global that is not on
  the allow-list ("Unsupported global: GLOBAL os.system ...") or uses an opcode a weights file never
  holds (INST, OBJ, NEWOBJ, EXT codes, ...), is malformed, nests containers more than 64 deep, or
  contains itself. Nothing was executed.
- RuntimeError: a damaged or truncated archive ("PytorchStreamReader failed reading zip archive: ..."),
  a missing record, a storage whose record is shorter or longer than its element count, a view reaching
  outside its storage, an expanded view of more than 2**24 elements, a dtype this frontend lacks, or a
  damaged legacy ``.npz`` file.
- UnreadableCheckpointError (both a pickle.UnpicklingError and a RuntimeError): the file is no archive
  at all (empty, text, a .npy, torch's pre-1.6 format, a FIFO or device).

No claimed size is trusted: each record's size is checked against the file before it is read, so a
record claiming a terabyte costs nothing.
"""

from __future__ import annotations

import errno
import hashlib
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
    check_magic,
    check_readable,
    check_target,
    parse_json,
    read_npz,
    remove_stale_temps,
    resolve,
)
from . import _dtype
from ._factories import from_numpy
from ._tensor import Tensor
from ._weights_pickle import Emitter
from ._weights_unpickler import WeightsUnpickler
from ._zip_container import Archive, write_archive


class UnreadableCheckpointError(pickle.UnpicklingError, RuntimeError):
    """torch.load of a file that is not a checkpoint archive at all (empty, text, a .npy, a FIFO).

    Real torch raises pickle.UnpicklingError for such files (and RuntimeError for a damaged archive);
    this is both, so code written for either catches it.
    """


MAGIC = "__tinygrad_rnn_torch__"  # the member that marks this frontend's earlier .npz format
FORMAT = 1


# ---------------------------------------------------------------------------------------------
# the earlier .npz format (read only): a JSON structure member plus one .npy member per array

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


# ---------------------------------------------------------------------------------------------
# torch's format


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


def _records(obj: Any) -> list[tuple[str, bytes]]:
    """The archive records of obj, in the order torch writes them (TypeError for what cannot be saved)."""
    emitter = Emitter()
    pkl = emitter.dumps(obj)
    serial = int.from_bytes(hashlib.sha256(pkl).digest()[:16], "little") % 10**40
    return [
        ("data.pkl", pkl),
        (".format_version", b"1"),
        (".storage_alignment", b"64"),
        ("byteorder", b"little"),
        *emitter.storages.records,
        ("version", b"3\n"),
        (".data/serialization_id", f"{serial:040d}".encode()),
    ]


def save(
    obj: Any,
    f: Any,
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
) -> None:
    """Write obj (a state_dict, tensor, or nested dict/list of them) to a path or binary file, in
    torch's zip format.

    A path is written atomically and through a symlink (the link stays); RuntimeError, as torch raises,
    when it is a directory, a FIFO / device / socket, or its folder does not exist. pickle_module,
    pickle_protocol and _use_new_zipfile_serialization are accepted and ignored (always protocol 2 in
    the zip format).
    """
    records = _records(obj)
    if not isinstance(f, (str, os.PathLike)):
        write_archive(f, records)
        return
    _check_save_path(f)
    folder = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"  # as torch names it
    atomic_write(f, lambda fh: write_archive(fh, records, folder))


def _storage_reader(archive: Archive, folder: str, order: str) -> Any:
    """storage(kind, key, numel): the native-order 1-D array of record data/<key>, its size checked."""

    def storage(kind: Any, key: str, numel: int) -> np.ndarray:
        name = f"{folder}/data/{key}"
        item = 2 if kind.dtype is None else np.dtype(kind.dtype).itemsize  # None: bfloat16
        claimed = archive.member_size(name)
        if claimed != numel * item:
            raise RuntimeError(
                f"storage {key} claims {numel} elements ({numel * item} bytes) but its record holds {claimed}"
            )
        raw = archive.read(name)
        if kind.dtype is None:  # bfloat16 is the top half of a float32: widen exactly
            return (np.frombuffer(raw, order + "u2").astype(np.uint32) << 16).view(np.float32)
        native = np.dtype(kind.dtype)
        return np.frombuffer(raw, native.newbyteorder(order)).astype(native)  # a writable copy

    return storage


def _load_torch(archive: Archive) -> Any:
    folder = archive.folder()
    names = set(archive.names())
    order = archive.read(f"{folder}/byteorder") if f"{folder}/byteorder" in names else b"little"
    if order not in (b"little", b"big"):
        raise RuntimeError(f"Unknown endianness type: {order[:20]!r}")
    data = archive.read(f"{folder}/data.pkl")
    reader = _storage_reader(archive, folder, "<" if order == b"little" else ">")
    return WeightsUnpickler(data, reader).load()


def _read(fh: Any) -> Any:
    """The object in the open file `fh`: torch's format, or this frontend's earlier .npz format."""
    start = fh.tell()
    with Archive(fh) as archive:
        if f"{MAGIC}.npy" not in archive.names():
            return _load_torch(archive)
    fh.seek(start)
    return _structure(read_npz(fh, text_members=(MAGIC,), required=MAGIC))


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: Any = None,
    **kwargs: Any,
) -> Any:
    """Read a torch checkpoint (real torch's zip format, or ours of earlier versions) without ever
    executing pickle code; the errors it raises are listed in this module's docstring."""
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", repr(f))
    if isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
        remove_stale_temps(resolve(f))
    prefix = f"torch.load: {name} is not a readable tinygrad_rnn.torch checkpoint"
    try:
        if not isinstance(f, (str, os.PathLike)):
            check_magic(f)
            return _read(f)
        with open(check_readable(f), "rb") as fh:
            check_magic(fh)
            return _read(fh)
    except NotRegularFileError as e:
        raise UnreadableCheckpointError(f"{prefix}: it {e.strerror}") from None
    except NotAnArchiveError as e:
        raise UnreadableCheckpointError(f"{prefix}: {e}") from None
    except MissingMemberError:
        raise RuntimeError(f"{prefix}: PytorchStreamReader failed locating file data.pkl") from None
    except CorruptFileError as e:
        raise RuntimeError(f"{prefix}: PytorchStreamReader failed reading zip archive: {e}") from None
