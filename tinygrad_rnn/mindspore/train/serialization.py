"""save_checkpoint / load_checkpoint / load_param_into_net on MindSpore's own file formats.

``format="ckpt"`` (the default) writes and reads MindSpore 2.10's protobuf checkpoint (see _ckpt_proto: a
bounded reader of its three-field message, no protobuf dependency); ``format="safetensors"`` the
safetensors files MindSpore 2.x writes (see _safetensors_io, through the ``safetensors`` package). Files go
both ways: real ``mindspore.load_checkpoint`` reads ours and we read its, names, dtypes, shapes (0-d too)
and append_dict entries as MindSpore encodes them (int -> Int64, float -> Float32, bool -> Bool, str ->
a ``str`` tensor of UTF-32 text that loads back as a str). Our earlier ``.ckpt`` files, an ``.npz``
archive with a JSON header member, are still read: the content decides (a zip archive), not the name.

Writes go through a symlink to a temporary file beside the target that is renamed over it
(``_io.atomic_write``): a crash never leaves half a checkpoint. Reading never runs code: every size a file
claims is checked against its bytes before anything is allocated, and a damaged, truncated or hand-made
file raises ValueError with MindSpore's message. bfloat16 tensors (our frontend has no such dtype) load
widened to float32, exactly.
"""

from __future__ import annotations

import io
import os
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..._io import (
    ZIP_MAGIC,
    CorruptFileError,
    NotRegularFileError,
    atomic_write,
    check_readable,
    parse_json,
    read_npz,
    remove_stale_temps,
    resolve,
)
from .._checks import warning
from ..common.parameter import Parameter
from ..common.tensor import Tensor
from . import _ckpt_proto, _safetensors_io

HEADER = "__tinygrad_rnn_mindspore__"  # the JSON member of our earlier .npz-layout checkpoints
FORMAT = 1
FORMATS = ("ckpt", "safetensors")


def _value_array(v: Any) -> np.ndarray | str:
    """A value to store: a str as is, a tensor's data, Python bool / int / float as MindSpore's Tensor(v)
    makes them (Bool, Int64, Float32)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return np.array(v, np.bool_)
    if isinstance(v, int):
        return np.array(v, np.int64)
    if isinstance(v, float):
        return np.array(v, np.float32)
    return np.asarray(getattr(v, "array", v))


def _named_arrays(save_obj: Any) -> list[tuple[str, Any]]:
    """(name, value) pairs of a Cell, a list of {"name", "data"} dicts, or a dict name -> tensor."""
    if hasattr(save_obj, "parameters_dict"):
        return [(k, p.array) for k, p in save_obj.parameters_dict().items()]
    if isinstance(save_obj, list):
        out = []
        for item in save_obj:
            if not isinstance(item, dict) or "name" not in item or "data" not in item:
                raise TypeError(
                    "For 'save_checkpoint', when 'save_obj' is a list, each element must be a dict with "
                    f"the keys 'name' and 'data', but got {item!r}."
                )
            out.append((item["name"], _value_array(item["data"])))
        return out
    if isinstance(save_obj, dict):
        return [(k, _value_array(v)) for k, v in save_obj.items()]
    raise TypeError(
        f"For 'save_checkpoint', the argument 'save_obj' must be a Cell, list or dict, but got {type(save_obj)}."
    )


def _check_append_dict(append_dict: Any) -> dict[str, Any]:
    """MindSpore's check: str keys; int, float, bool, str or Tensor values."""
    if append_dict is None:
        return {}
    if not isinstance(append_dict, dict):
        raise TypeError(
            f"For 'save_checkpoint', the argument 'append_dict' must be dict, but got {type(append_dict)}."
        )
    for key, value in append_dict.items():
        if not isinstance(key, str) or not isinstance(value, (int, float, bool, str, Tensor)):
            raise TypeError(
                "For 'save_checkpoint', the type of dict 'append_info' must be key: string, value: int, float, "
                f"bool or Generator, but got key: {type(key)}, value: {type(value)}"
            )
    return append_dict


def _storable(name: Any, value: Any) -> tuple[str, np.ndarray | str]:
    """(name, array or str) ready for a writer: TypeError for a non-str name or an unstorable dtype."""
    if not isinstance(name, str):
        raise TypeError(f"For 'save_checkpoint', the parameter name must be str, but got {type(name)}.")
    if isinstance(value, str):
        return name, value
    arr = np.asarray(getattr(value, "array", value))
    if arr.dtype.kind == "U" and arr.ndim == 0:
        return name, str(arr.item())  # a str our earlier code kept as a 0-d unicode array
    if arr.dtype.newbyteorder("=") not in _ckpt_proto.NAMES:
        why = "they need pickle" if arr.dtype.hasobject else "MindSpore stores no such dtype"
        raise TypeError(f"For 'save_checkpoint', {name}: arrays of dtype {arr.dtype} cannot be saved ({why})")
    return name, arr


def write_arrays(
    path: str,
    arrays: Iterable[tuple[str, Any]] | Mapping[str, Any],
    format: str = "ckpt",
    crc_check: bool = False,
) -> str:
    """Write named arrays (or strs) atomically, through a symlink, as MindSpore's .ckpt or (format=
    "safetensors") safetensors file at exactly `path`; returns the resolved path written."""
    if format not in FORMATS:
        raise ValueError(
            f"For 'save_checkpoint', the format must be 'safetensors' or 'ckpt', but got {format}."
        )
    pairs = list(arrays.items()) if isinstance(arrays, Mapping) else list(arrays)
    items = [_storable(name, value) for name, value in pairs]
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        raise ValueError(f"For 'save_checkpoint', the parameter names must be unique, but got {names}.")
    writer = _ckpt_proto.write if format == "ckpt" else _safetensors_io.write
    return atomic_write(path, lambda fh: writer(fh, items, crc_check))


def _corrupt(path: str, detail: str) -> ValueError:
    return ValueError(
        f"Failed to read the checkpoint file {path}. The file may be corrupted, and the content cannot be "
        f"parsed. ({detail})"
    )


def _corrupt_safetensors(path: str, detail: str) -> ValueError:
    return ValueError(
        f"Fail to parse the input safetensors: '{path}'. Please check the correctness of the file. ({detail})"
    )


def _empty() -> ValueError:
    return ValueError(
        "The loaded parameter dict is empty after filter or specify, please check whether 'filter_prefix' or "
        "'specify_prefix' are set correctly."
    )


def _detect(head: bytes, size: int) -> str:
    """The layout of a checkpoint from its first 9 bytes and its size: "npz" (our earlier files),
    "safetensors" or "ckpt"."""
    if head[:4] in ZIP_MAGIC:
        return "npz"
    return "safetensors" if _safetensors_io.looks_like(head[:9], size) else "ckpt"


def file_layout(path: str) -> str:
    """How read_arrays(path) reads the file (found from its content): "npz", "safetensors" or "ckpt"."""
    with open(check_readable(path), "rb") as fh:
        head = fh.read(9)
        return _detect(head, fh.seek(0, os.SEEK_END))


def _parse(real: str, data: bytes, layout: str, crc_check: bool) -> OrderedDict[str, Any]:
    """name -> array or str of a checkpoint's bytes in `layout`; CorruptFileError if damaged."""
    if layout == "npz":
        members = read_npz(io.BytesIO(data), text_members=(HEADER,), required=HEADER, strings=True)
        return _checked_members(members)
    if layout == "safetensors":
        arrays, meta = _safetensors_io.read(data, crc_check)
        if crc_check and "crc_num" not in meta:
            warning(
                "For 'load_checkpoint', the safetensors file do not contain the crc code, please check the file.",
                "mindspore/train/serialization.py:1233",
            )
        return OrderedDict(arrays)
    arrays, had_crc = _ckpt_proto.read(data, crc_check)
    if crc_check and not had_crc:
        warning(
            "For 'load_checkpoint', the ckpt file do not contain the crc code, please check the file.",
            "mindspore/train/serialization.py:1692",
        )
    return arrays


def read_arrays(path: str, format: str | None = None, crc_check: bool = False) -> OrderedDict[str, Any]:
    """The named arrays (str for a saved string) of a MindSpore .ckpt, safetensors file or one of our
    earlier .npz-layout checkpoints; format None tells them apart by content, "ckpt" reads a .ckpt (or an
    earlier file), "safetensors" only safetensors.

    Raises only ValueError, with MindSpore's messages: the file does not exist, cannot be read (a
    directory, FIFO, device), holds nothing, or is damaged / tampered with / not such a checkpoint
    (TypeError for a path that is not a str). Loading also removes temp files a killed save of this path
    left behind.
    """
    _check_file_name(path, "load_checkpoint", "ckpt_file_name")
    real = resolve(path)
    if not os.path.exists(real):
        raise ValueError(
            f"For 'load_checkpoint', the checkpoint file: {real} does not exist, please check whether the "
            "'ckpt_file_name' is correct."
        )
    remove_stale_temps(real)
    try:
        with open(check_readable(real), "rb") as fh:
            data = fh.read()  # at most the file's size; every claim inside is checked against it
    except (IsADirectoryError, NotRegularFileError, PermissionError):
        raise ValueError(
            f"Failed to read the checkpoint file {real}. May not have permission to read it, please check the "
            "correct of the file."
        ) from None
    layout = _detect(data[:9], len(data)) if format is None else format
    if layout == "ckpt" and data[:4] in ZIP_MAGIC:
        layout = "npz"
    try:
        arrays = _parse(real, data, layout, crc_check)
    except CorruptFileError as e:
        raise (_corrupt_safetensors if layout == "safetensors" else _corrupt)(real, str(e)) from None
    if not arrays:
        raise _empty()
    return arrays


def _checked_members(members: OrderedDict[str, Any]) -> OrderedDict[str, Any]:
    """The members in the header's order, the header checked against them (CorruptFileError if not)."""
    meta = parse_json(members.pop(HEADER), "the header")
    if not isinstance(meta, dict) or meta.keys() != {"format", "names"}:
        raise CorruptFileError("the header is not a {format, names} record")
    if type(meta["format"]) is not int or meta["format"] != FORMAT:
        raise CorruptFileError(f"unknown format version {str(meta['format'])[:40]!r}")
    names = meta["names"]
    if (
        not isinstance(names, list)
        or not all(isinstance(n, str) for n in names)
        or len(set(names)) != len(names)
    ):
        raise CorruptFileError("the header's names are not a list of distinct strings")
    if set(names) != members.keys():
        raise CorruptFileError(
            f"the header names {sorted(set(names) ^ members.keys())[:5]} but the archive does not match them"
        )
    return OrderedDict((n, members[n]) for n in names)


def _check_file_name(name: Any, func: str, arg: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"For '{func}', the argument '{arg}' must be string, but got {type(name)}.")
    return name


def save_checkpoint(
    save_obj: Any,
    ckpt_file_name: str,
    integrated_save: bool = True,
    async_save: bool = False,
    append_dict: dict[str, Any] | None = None,
    enc_key: Any = None,
    enc_mode: str = "AES-GCM",
    choice_func: Any = None,
    crc_check: bool = False,
    format: str = "ckpt",
    **kwargs: Any,
) -> None:
    """Save the parameters of a Cell (or a list of {"name", "data"} / a dict) and `append_dict` as
    MindSpore's .ckpt or (format="safetensors") safetensors; "." + format is appended unless the name
    ends with format, as MindSpore does; a symlink is written through.

    IsADirectoryError for a directory (as MindSpore), NotRegularFileError (an OSError) for a FIFO, device
    or socket, FileNotFoundError when the folder does not exist.
    """
    if enc_key is not None:
        raise NotImplementedError("encrypted checkpoints are not supported by tinygrad_rnn.mindspore")
    if format not in FORMATS:
        raise ValueError(
            f"For 'save_checkpoint', the format must be 'safetensors' or 'ckpt', but got {format}."
        )
    if not isinstance(ckpt_file_name, str):
        raise TypeError(
            f"For 'save_checkpoint', the parameter {ckpt_file_name} for checkpoint file name is invalid,"
            f"'ckpt_file_name' must be string, but got {type(ckpt_file_name)}."
        )
    path = ckpt_file_name if ckpt_file_name.endswith(format) else f"{ckpt_file_name}.{format}"
    for candidate in {ckpt_file_name, path}:
        if os.path.isdir(candidate):
            raise IsADirectoryError(
                f"For 'save_checkpoint', the parameter `ckpt_file_name`: {resolve(candidate)} is a directory, "
                "it must be a file name."
            )
    extra = _check_append_dict(append_dict)
    values: OrderedDict[str, Any] = OrderedDict()  # a repeated name: the last value, in its first place
    for name, value in _named_arrays(save_obj):
        if choice_func is None or choice_func(name):
            values[name] = value
    for name, value in extra.items():
        values[name] = _value_array(value)
    write_arrays(path, values, format, crc_check)


def _loaded_value(name: str, value: Any) -> Any:
    """A Parameter for an array; a saved string stays a str, as MindSpore returns it."""
    return value if isinstance(value, str) else Parameter(Tensor(value), name=name)


def load_checkpoint(
    ckpt_file_name: str,
    net: Any = None,
    strict_load: bool = False,
    filter_prefix: Any = None,
    dec_key: Any = None,
    dec_mode: str = "AES-GCM",
    specify_prefix: Any = None,
    choice_func: Any = None,
    crc_check: bool = False,
    remove_redundancy: bool = False,
    format: str = "ckpt",
) -> dict[str, Any]:
    """A dict name -> Parameter (a str for a saved string) of a MindSpore .ckpt or safetensors file, or
    one of our earlier checkpoints (loaded into `net` too when given); safetensors in name order.

    For a bad file it raises only MindSpore's ValueError: a name not ending in `format` (e.g. a .npy), a
    missing file, one that cannot be read (a directory, FIFO, device), one that is damaged, truncated,
    tampered with or not such a checkpoint, or nothing left to load; TypeError for a name that is not a
    str (as MindSpore).
    """
    _check_file_name(ckpt_file_name, "load_checkpoint", "ckpt_file_name")
    if format not in FORMATS:
        raise ValueError(
            "For 'load_checkpoint', the checkpoint file should end with '.ckpt' or '.safetensors', please "
            "input the correct 'format'."
        )
    if not ckpt_file_name.endswith(format):
        raise ValueError(
            "For 'load_checkpoint', the checkpoint file format must same with 'format', but got "
            f"file_name:'{ckpt_file_name}', format:'{format}'"
        )
    arrays = read_arrays(ckpt_file_name, format, crc_check)

    def _prefixes(p: Any) -> tuple[str, ...]:
        return (p,) if isinstance(p, str) else tuple(p or ())

    # MindSpore's safetensors loader knows only choice_func; for .ckpt the prefixes win over it
    skip, only = (), ()
    if format == "ckpt":
        skip, only = _prefixes(filter_prefix), _prefixes(specify_prefix)
        if skip or only:
            choice_func = None
    out: dict[str, Any] = {}
    for name, arr in arrays.items():
        if skip and name.startswith(skip):
            continue
        if only and not name.startswith(only):
            continue
        if choice_func is not None and not choice_func(name):
            continue
        out[name] = _loaded_value(name, arr)
    if not out:
        raise _empty()
    if net is not None:  # a saved string is returned, never loaded into a parameter
        load_param_into_net(net, {k: v for k, v in out.items() if isinstance(v, Parameter)}, strict_load)
    return out


def load_param_into_net(
    net: Any, parameter_dict: dict[str, Any], strict_load: bool = False, remove_redundancy: bool = False
) -> tuple[list[str], list[str]]:
    """Copy values into `net`'s parameters by name; returns (param_not_load, ckpt_not_load)."""
    if not isinstance(parameter_dict, dict):
        raise TypeError(
            "For 'load_param_into_net', the argument 'parameter_dict' should be a dict, but got "
            f"{type(parameter_dict)}."
        )
    for k, v in parameter_dict.items():
        if not isinstance(k, str) or not isinstance(v, Parameter):
            raise TypeError(
                "For 'parameter_dict', the element in the argument 'parameter_dict' should be a 'str' and "
                f"'Parameter' , but got {type(k)} and {type(v)}."
            )
    own = net.parameters_dict()
    for name, p in own.items():
        if name in parameter_dict:
            new = parameter_dict[name].array
            if new.shape != p.array.shape:
                raise RuntimeError(
                    f"For 'load_param_into_net', {name} in the argument 'net' should have the same shape as "
                    f"{name} in the argument 'parameter_dict'. But got its shape {p.array.shape} in the argument "
                    f"'net' and shape {new.shape} in the argument 'parameter_dict'.May you need to check whether "
                    "the checkpoint you loaded is correct or the batch size and so on in the 'net' and "
                    "'parameter_dict' are same."
                )
    param_not_load = [n for n in own if n not in parameter_dict]
    ckpt_not_load = [n for n in parameter_dict if n not in own]
    for name, p in own.items():
        if name in parameter_dict:
            p.set_data(parameter_dict[name])
    if param_not_load:
        warning(
            f"For 'load_param_into_net', {len(param_not_load)} parameters in the 'net' are not loaded, because "
            "they are not in the 'parameter_dict', please check whether the network structure is consistent "
            "when training and loading checkpoint.",
            "mindspore/train/serialization.py:1858",
        )
    return param_not_load, ckpt_not_load
