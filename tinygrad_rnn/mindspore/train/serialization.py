"""save_checkpoint / load_checkpoint / load_param_into_net on a plain .npz file (never pickle).

The checkpoint is a zip archive of ``<parameter name>.npy`` members in the order saved, plus one member
``__tinygrad_rnn_mindspore__.npy`` holding a small JSON header (format version). It is read with
``np.load(allow_pickle=False)``, so loading can never run code, and written to a temporary file in the
target's directory that is then renamed over the target (``os.replace``): a crash never leaves half a
checkpoint. Real MindSpore's protobuf ``.ckpt`` files are not readable here (and ours not by it); the
names, the dict returned by ``load_checkpoint`` and the lists returned by ``load_param_into_net`` are
MindSpore's.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from ..._io import atomic_write
from .._checks import warning
from ..common.parameter import Parameter
from ..common.tensor import Tensor

HEADER = "__tinygrad_rnn_mindspore__"
FORMAT = 1


def _named_arrays(save_obj: Any) -> list[tuple[str, np.ndarray]]:
    """(name, array) pairs of a Cell, a list of {"name", "data"} dicts, or a dict name -> tensor."""
    if hasattr(save_obj, "parameters_dict"):
        return [(k, p.data) for k, p in save_obj.parameters_dict().items()]
    if isinstance(save_obj, list):
        out = []
        for item in save_obj:
            if not isinstance(item, dict) or "name" not in item or "data" not in item:
                raise TypeError(
                    "For 'save_checkpoint', when 'save_obj' is a list, each element must be a dict with "
                    f"the keys 'name' and 'data', but got {item!r}."
                )
            out.append((str(item["name"]), np.asarray(getattr(item["data"], "data", item["data"]))))
        return out
    if isinstance(save_obj, dict):
        return [(str(k), np.asarray(getattr(v, "data", v))) for k, v in save_obj.items()]
    raise TypeError(
        f"For 'save_checkpoint', the argument 'save_obj' must be a Cell, list or dict, but got {type(save_obj)}."
    )


def write_arrays(path: str, arrays: list[tuple[str, np.ndarray]]) -> None:
    """Write the named arrays atomically as an .npz archive with our header member."""

    def write(fh: IO[bytes]) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as z:
            header = np.array(json.dumps({"format": FORMAT, "names": [n for n, _ in arrays]}))
            for name, arr in [(HEADER, header)] + arrays:
                if arr.dtype.kind not in "biufcU":
                    raise TypeError(f"For 'save_checkpoint', {name}: arrays of dtype {arr.dtype} need pickle")
                with z.open(name + ".npy", "w") as member:
                    np.lib.format.write_array(member, np.asarray(arr), allow_pickle=False)

    atomic_write(path, write)


def read_arrays(path: str) -> OrderedDict[str, np.ndarray]:
    """The named arrays of a checkpoint written by write_arrays (clear errors for missing/corrupt files)."""
    if not os.path.isfile(path):
        raise ValueError(
            f"For 'load_checkpoint', the checkpoint file: {path} does not exist, please check whether the "
            "'ckpt_file_name' is correct."
        )
    try:
        with np.load(path, allow_pickle=False) as z:
            if HEADER not in z.files:
                raise ValueError(f"no {HEADER} member")
            meta = json.loads(str(z[HEADER]))
            if meta.get("format") != FORMAT:
                raise ValueError(f"unknown format version {meta.get('format')!r}")
            return OrderedDict((name, z[name]) for name in meta["names"])
    except (ValueError, OSError, KeyError, EOFError, zipfile.BadZipFile, AttributeError) as e:
        raise ValueError(
            f"Failed to read the checkpoint file {path}. The file may be corrupted, and the content cannot be "
            f"parsed. ({e})"
        ) from None


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
    (".ckpt" is appended when missing, as MindSpore does)."""
    if enc_key is not None:
        raise NotImplementedError("encrypted checkpoints are not supported by tinygrad_rnn.mindspore")
    path = os.fspath(ckpt_file_name)
    if not path.endswith(".ckpt"):
        path += ".ckpt"
    arrays = _named_arrays(save_obj)
    if choice_func is not None:
        arrays = [(n, a) for n, a in arrays if choice_func(n)]
    for k, v in (append_dict or {}).items():
        arrays.append((str(k), np.asarray(getattr(v, "data", v))))
    write_arrays(path, arrays)


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
) -> dict[str, Parameter]:
    """A dict name -> Parameter of the checkpoint's contents (loaded into `net` too when given)."""
    arrays = read_arrays(os.fspath(ckpt_file_name))

    def _prefixes(p: Any) -> tuple[str, ...]:
        return (p,) if isinstance(p, str) else tuple(p or ())

    skip, only = _prefixes(filter_prefix), _prefixes(specify_prefix)
    out: dict[str, Parameter] = {}
    for name, arr in arrays.items():
        if skip and name.startswith(skip):
            continue
        if only and not name.startswith(only):
            continue
        if choice_func is not None and not choice_func(name):
            continue
        out[name] = Parameter(Tensor(arr), name=name)
    if net is not None:
        load_param_into_net(net, out, strict_load)
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
            new = parameter_dict[name].data
            if new.shape != p.data.shape:
                raise RuntimeError(
                    f"For 'load_param_into_net', {name} in the argument 'net' should have the same shape as "
                    f"{name} in the argument 'parameter_dict'. But got its shape {p.data.shape} in the argument "
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
