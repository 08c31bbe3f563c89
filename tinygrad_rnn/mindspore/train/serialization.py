"""save_checkpoint / load_checkpoint / load_param_into_net on a plain .npz file (never pickle).

The checkpoint is a zip archive of ``<parameter name>.npy`` members in the order saved, plus one member
``__tinygrad_rnn_mindspore__.npy`` holding a small JSON header (format version, names). It is parsed
without pickle, every member's dtype, shape and size checked against its bytes, so loading can never
run code and a damaged or hand-made file raises MindSpore's ValueError. It is written through a symlink
(as MindSpore does) to a temporary file beside the target that is then renamed over it (``os.replace``):
a crash never leaves half a checkpoint. Real MindSpore's protobuf ``.ckpt`` files are not readable here
(and ours not by it); the names, the dict returned by ``load_checkpoint`` and the lists returned by
``load_param_into_net`` are MindSpore's.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from ..._io import (
    CorruptFileError,
    NotRegularFileError,
    atomic_write,
    parse_json,
    read_npz,
    remove_stale_temps,
    resolve,
)
from .._checks import warning
from ..common.parameter import Parameter
from ..common.tensor import Tensor

HEADER = "__tinygrad_rnn_mindspore__"
FORMAT = 1


def _value_array(v: Any) -> np.ndarray:
    """A value to store: a tensor's data, a str as a 0-d string, a Python float as float32 (as MindSpore)."""
    if isinstance(v, float):
        return np.array(v, np.float32)
    return np.asarray(getattr(v, "array", v))


def _named_arrays(save_obj: Any) -> list[tuple[str, np.ndarray]]:
    """(name, array) pairs of a Cell, a list of {"name", "data"} dicts, or a dict name -> tensor."""
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
            out.append((str(item["name"]), _value_array(item["data"])))
        return out
    if isinstance(save_obj, dict):
        return [(str(k), _value_array(v)) for k, v in save_obj.items()]
    raise TypeError(
        f"For 'save_checkpoint', the argument 'save_obj' must be a Cell, list or dict, but got {type(save_obj)}."
    )


def _check_storable(name: str, arr: np.ndarray) -> None:
    """Numbers, or one string (what MindSpore keeps of a str in append_dict); anything else needs pickle."""
    if arr.dtype.kind not in "biufc" and not (arr.dtype.kind == "U" and arr.ndim == 0):
        raise TypeError(f"For 'save_checkpoint', {name}: arrays of dtype {arr.dtype} need pickle")


def write_arrays(path: str, arrays: list[tuple[str, np.ndarray]]) -> str:
    """Write the named arrays atomically (through a symlink) as an .npz archive with our header member;
    returns the resolved path written."""
    names = [n for n, _ in arrays]
    if len(set(names)) != len(names) or HEADER in names:
        raise ValueError(f"For 'save_checkpoint', the parameter names must be unique, but got {names}.")
    for name, arr in arrays:
        _check_storable(name, arr)

    def write(fh: IO[bytes]) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as z:
            header = np.array(json.dumps({"format": FORMAT, "names": names}))
            for name, arr in [(HEADER, header)] + arrays:
                with z.open(name + ".npy", "w") as member:
                    np.lib.format.write_array(member, np.asarray(arr), allow_pickle=False)

    return atomic_write(path, write)


def _corrupt(path: str, detail: str) -> ValueError:
    return ValueError(
        f"Failed to read the checkpoint file {path}. The file may be corrupted, and the content cannot be "
        f"parsed. ({detail})"
    )


def read_arrays(path: str) -> OrderedDict[str, Any]:
    """The named arrays (str for a saved string) of a checkpoint written by write_arrays.

    Raises only ValueError, with MindSpore's messages: the file does not exist, cannot be read (a
    directory, FIFO, device), or is damaged / tampered with / not such a checkpoint. Loading also removes
    temp files a killed save of this path left behind.
    """
    real = resolve(path)
    if not os.path.exists(real):
        raise ValueError(
            f"For 'load_checkpoint', the checkpoint file: {real} does not exist, please check whether the "
            "'ckpt_file_name' is correct."
        )
    remove_stale_temps(real)
    try:
        members = read_npz(real, text_members=(HEADER,), required=HEADER, strings=True)
        return _checked_members(members)
    except (IsADirectoryError, NotRegularFileError, PermissionError):
        raise ValueError(
            f"Failed to read the checkpoint file {real}. May not have permission to read it, please check the "
            "correct of the file."
        ) from None
    except CorruptFileError as e:
        raise _corrupt(real, str(e)) from None


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
    """Save the parameters of a Cell (or a list of {"name", "data"} / a dict) to `ckpt_file_name`
    (".ckpt" is appended when missing, as MindSpore does; a symlink is written through).

    IsADirectoryError for a directory (as MindSpore), NotRegularFileError (an OSError) for a FIFO, device
    or socket, FileNotFoundError when the folder does not exist.
    """
    if enc_key is not None:
        raise NotImplementedError("encrypted checkpoints are not supported by tinygrad_rnn.mindspore")
    if not isinstance(ckpt_file_name, str):
        raise TypeError(
            f"For 'save_checkpoint', the parameter {ckpt_file_name} for checkpoint file name is invalid,"
            f"'ckpt_file_name' must be string, but got {type(ckpt_file_name)}."
        )
    path = ckpt_file_name if ckpt_file_name.endswith(".ckpt") else ckpt_file_name + ".ckpt"
    for candidate in {ckpt_file_name, path}:
        if os.path.isdir(candidate):
            raise IsADirectoryError(
                f"For 'save_checkpoint', the parameter `ckpt_file_name`: {resolve(candidate)} is a directory, "
                "it must be a file name."
            )
    arrays = _named_arrays(save_obj)
    if choice_func is not None:
        arrays = [(n, a) for n, a in arrays if choice_func(n)]
    for k, v in (append_dict or {}).items():
        arrays.append((str(k), _value_array(v)))
    write_arrays(path, arrays)


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
    """A dict name -> Parameter of the checkpoint's contents (loaded into `net` too when given).

    For a bad file it raises only MindSpore's ValueError: a name not ending in ".ckpt" (e.g. a .npy), a
    missing file, one that cannot be read (a directory, FIFO, device), or one that is damaged, truncated,
    tampered with or not such a checkpoint; TypeError for a name that is not a str (as MindSpore).
    """
    _check_file_name(ckpt_file_name, "load_checkpoint", "ckpt_file_name")
    if format not in ("ckpt", "safetensors"):
        raise ValueError(
            "For 'load_checkpoint', the checkpoint file should end with '.ckpt' or '.safetensors', please "
            "input the correct 'format'."
        )
    if not ckpt_file_name.endswith(format):
        raise ValueError(
            "For 'load_checkpoint', the checkpoint file format must same with 'format', but got "
            f"file_name:'{ckpt_file_name}', format:'{format}'"
        )
    arrays = read_arrays(ckpt_file_name)

    def _prefixes(p: Any) -> tuple[str, ...]:
        return (p,) if isinstance(p, str) else tuple(p or ())

    skip, only = _prefixes(filter_prefix), _prefixes(specify_prefix)
    out: dict[str, Any] = {}
    for name, arr in arrays.items():
        if skip and name.startswith(skip):
            continue
        if only and not name.startswith(only):
            continue
        if choice_func is not None and not choice_func(name):
            continue
        out[name] = _loaded_value(name, arr)
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
