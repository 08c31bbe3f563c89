"""Move weights between torch's, MindSpore's and safetensors files, and out of training checkpoints.

Every format is read and written through the frontends' public functions, so a converted file is
exactly what the other frontend (and the real framework) saves and loads:

- torch: the zip container real torch 2.x writes (``tinygrad_rnn.torch.save`` / ``load``); a
  state_dict, or a checkpoint dict keeping one under "model" / "state_dict" / "model_state_dict" /
  "net" (the rest, e.g. an optimiser state, is left out). Only the loader's allow-list is unpickled.
- mindspore: MindSpore's protobuf ``.ckpt``; safetensors: the file MindSpore 2.x writes with
  ``format="safetensors"`` (``tinygrad_rnn.mindspore.save_checkpoint`` / ``load_checkpoint``; ".ckpt"
  or ".safetensors" is appended to an output name without it, as MindSpore does).
- a ``tinygrad-rnn train --save`` checkpoint is read (its model weights); it is not written, since a
  training checkpoint needs the run's config, optimiser and data state, which a weights file lacks.

The input format is found from the content, not the file name.

Names: torch and MindSpore name the parameters of RNN / LSTM / GRU, their cells and Linear / Dense
the same way (``weight_ih_l0``, ``bias_hh_l1_reverse``, ``weight``, ``bias``; an LSTM's or GRU's have
4H or 3H rows) and prefix nested modules/cells by attribute path the same way (``rnn.weight_ih_l0``;
MindSpore's LSTM/GRU hold a sub-cell ``rnn`` but do not put it in their parameters' names), so the
mapping is the identity for these. The gates are stacked in the same order in both (LSTM i, f, g, o;
GRU r, z, n), so the arrays are copied unchanged. What differs is the order: torch lists a layer's
parameters per layer and direction (w_ih, w_hh, b_ih, b_hh[, w_hr], then the next), MindSpore groups
them by kind (all weight_ih, then weight_hh, bias_ih, bias_hh). An LSTM with torch's ``proj_size``
(``weight_hr_l{k}``) has no MindSpore counterpart: converting it to MindSpore is a ValueError.
Anything else can be renamed explicitly (``rename={"old": "new"}``, ``--rename old=new``).
Verified against real torch 2.13.0 and MindSpore 2.10.0 in tests/test_convert_gated.py.

The frontends are imported inside the functions (this module is a tool: nothing imports it back).
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

FORMATS = ("torch", "mindspore", "safetensors")  # what convert writes
_RNN_NAME = re.compile(
    r"^(?P<prefix>.*?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)"
    r"_l(?P<layer>\d+)(?P<rev>_reverse)?$"
)
_KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")  # torch's order in a layer/direction


def _rnn_key(name: str, to: str) -> tuple[str, tuple[int, int, int]] | None:
    """(module prefix, sort key within that RNN's parameters in `to`'s order), or None if not an RNN weight."""
    m = _RNN_NAME.match(name)
    if m is None:
        return None
    kind, layer, rev = _KINDS.index(m["kind"]), int(m["layer"]), int(bool(m["rev"]))
    return m["prefix"], ((kind, layer, rev) if to == "mindspore" else (layer, rev, kind))


def reorder(names: Sequence[str], to: str) -> list[str]:
    """`names` in the framework's order: each RNN/LSTM/GRU's parameters (sharing a prefix) regrouped where
    the first of them stood, every other name in place; ValueError for a weight_hr going to MindSpore."""
    _check_format(to)
    if to == "mindspore":
        _check_no_projection(names)
    groups: dict[str, list[str]] = {}
    for n in names:
        key = _rnn_key(n, to)
        if key is not None:
            groups.setdefault(key[0], []).append(n)
    out: list[str] = []
    done: set[str] = set()
    for n in names:
        key = _rnn_key(n, to)
        if key is None:
            out.append(n)
        elif key[0] not in done:
            done.add(key[0])
            out.extend(sorted(groups[key[0]], key=lambda x: _rnn_key(x, to)[1]))  # type: ignore[index]
    return out


def _check_no_projection(names: Sequence[str]) -> None:
    """MindSpore's nn.LSTM has no proj_size: a weight_hr cannot be given a MindSpore name or place."""
    hr = [n for n in names if (m := _RNN_NAME.match(n)) is not None and m["kind"] == "weight_hr"]
    if hr:
        raise ValueError(
            f"cannot convert {', '.join(hr)} to MindSpore: an LSTM with proj_size (weight_hr) has no "
            "MindSpore counterpart (mindspore.nn.LSTM takes no proj_size)"
        )


def _check_format(to: str) -> None:
    if to not in FORMATS:
        raise ValueError(f"unknown target format {to!r}: expected one of {', '.join(FORMATS)}")


_MODEL_KEYS = ("model", "state_dict", "model_state_dict", "net")  # where checkpoints keep the weights


def _state_dict_of(obj: Any, path: str) -> tuple[str, Mapping[str, Any]]:
    """("", obj) for a state_dict (name -> tensor), (key, obj[key]) for a training checkpoint keeping
    one under a usual key ({"model": ..., "optim": ..., "epoch": ...}); ValueError otherwise."""

    def is_state_dict(d: Any) -> bool:
        return isinstance(d, Mapping) and all(
            isinstance(k, str) and hasattr(v, "numpy") for k, v in d.items()
        )

    if is_state_dict(obj):
        return "", obj
    if isinstance(obj, Mapping):
        found = [k for k in _MODEL_KEYS if is_state_dict(obj.get(k))]
        if found:
            return found[0], obj[found[0]]
        raise ValueError(
            f"{path} holds a dict with keys {list(obj)[:8]} but no state_dict (a dict of name -> tensor) "
            f"under {' / '.join(_MODEL_KEYS)}; save model.state_dict() to convert it"
        )
    raise ValueError(
        f"{path} holds a {type(obj).__name__}, not a state_dict (a dict of name -> tensor); save "
        "model.state_dict() to convert it"
    )


def _read_torch(path: str) -> tuple[str, OrderedDict[str, np.ndarray]]:
    import tinygrad_rnn.torch as torch

    key, sd = _state_dict_of(torch.load(path), path)
    return "torch" + (f"[{key!r}]" if key else ""), OrderedDict(
        (k, np.array(v.detach().numpy())) for k, v in sd.items()
    )


def _read_mindspore(path: str) -> tuple[str, OrderedDict[str, np.ndarray]]:
    from tinygrad_rnn.mindspore.train.serialization import file_layout, read_arrays

    arrays = read_arrays(path)  # any file name: the content decides, not the extension
    texts = [k for k, v in arrays.items() if not isinstance(v, np.ndarray)]
    if texts:
        raise ValueError(f"{path} holds text entries {texts}, not only weights")
    return "safetensors" if file_layout(path) == "safetensors" else "mindspore", OrderedDict(arrays)


def _read_training(path: str) -> tuple[str, OrderedDict[str, np.ndarray]]:
    from tinygrad_rnn.train import load_checkpoint

    _, arrays = load_checkpoint(path)
    return "training checkpoint", OrderedDict((k[6:], v) for k, v in arrays.items() if k.startswith("model/"))


def read_weights(path: str) -> tuple[str, OrderedDict[str, np.ndarray]]:
    """(format read, name -> array) of any weights file: torch's (real or ours, a state_dict or a
    checkpoint dict holding one), MindSpore's .ckpt, safetensors, or a `tinygrad-rnn train` checkpoint.

    FileNotFoundError / IsADirectoryError for a path that is not a file; ValueError for anything else
    unusable (damaged, tampered with, none of the formats, or not only weights). Nothing is unpickled
    beyond the torch loader's allow-list.
    """
    import pickle

    from tinygrad_rnn.train import CheckpointError

    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a directory, not a weights file")
    reasons = []
    readers = (
        ("a torch file", _read_torch, (RuntimeError, pickle.UnpicklingError)),
        ("a MindSpore checkpoint or safetensors file", _read_mindspore, (ValueError,)),
        ("a tinygrad-rnn training checkpoint", _read_training, (CheckpointError,)),
    )
    for what, read, errors in readers:
        try:
            return read(path)
        except errors as e:
            if isinstance(e, pickle.UnpicklingError) and not isinstance(e, RuntimeError):
                raise ValueError(f"{path}: {e}") from None  # a torch file whose pickle was refused
            reasons.append(f"not {what} ({e})")
    raise ValueError(f"{path} is unreadable: " + "; ".join(reasons))


def output_path(path: str, to: str) -> str:
    """The file `write_weights(path, ..., to)` writes: MindSpore's rule for its formats, "." + format
    appended unless the name already ends with it ("ckpt" / "safetensors")."""
    _check_format(to)
    fmt = {"torch": "", "mindspore": "ckpt", "safetensors": "safetensors"}[to]
    return path if path.endswith(fmt) else f"{path}.{fmt}"


def write_weights(path: str, arrays: Mapping[str, np.ndarray], to: str) -> str:
    """Write `arrays` in format `to` (atomically, by the frontend's own saver); returns the path written."""
    _check_format(to)
    if to == "torch":
        import tinygrad_rnn.torch as torch

        torch.save(OrderedDict((k, torch.from_numpy(np.array(a))) for k, a in arrays.items()), path)
        return path
    from tinygrad_rnn.mindspore.train.serialization import write_arrays

    out = output_path(path, to)
    write_arrays(
        out, [(k, np.array(a)) for k, a in arrays.items()], format="ckpt" if to == "mindspore" else to
    )
    return out


def convert(
    src: str, dst: str, to: str, rename: Mapping[str, str] | None = None, overwrite: bool = True
) -> dict[str, Any]:
    """Convert the weights file `src` into format `to` at `dst`.

    Returns a report: {"from": format read, "to": to, "path": path written, "names": [(old, new), ...]}
    in the order written. `rename` maps old names to new ones (unknown old names are an error). With
    overwrite=False an existing output file is refused (FileExistsError) before anything is read.
    """
    _check_format(to)
    out = output_path(dst, to)
    if not overwrite and os.path.exists(out):
        raise FileExistsError(f"{out} already exists; pass --overwrite to replace it")
    fmt, arrays = read_weights(src)
    rename = dict(rename or {})
    unknown = [k for k in rename if k not in arrays]
    if unknown:
        raise KeyError(f"cannot rename {unknown}: not in {src} (it has {list(arrays)})")
    new_names = [rename.get(k, k) for k in arrays]
    if len(set(new_names)) != len(new_names):
        raise ValueError(f"the renames give duplicate names: {new_names}")
    renamed = OrderedDict(zip(new_names, arrays.values()))
    old_of = dict(zip(new_names, arrays))
    order = reorder(list(renamed), to)
    path = write_weights(dst, OrderedDict((n, renamed[n]) for n in order), to)
    return {"from": fmt, "to": to, "path": path, "names": [(old_of[n], n) for n in order]}
