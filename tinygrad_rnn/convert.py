"""Move weights between a torch-style state_dict file and a MindSpore-style checkpoint file.

The two file formats are the frontends' own (both .npz archives, never pickle), read and written
through their public functions, so a converted file is exactly what the other frontend saves:

- torch-style: ``tinygrad_rnn.torch.save(model.state_dict(), path)`` / ``tinygrad_rnn.torch.load``;
- MindSpore-style: ``tinygrad_rnn.mindspore.save_checkpoint(net, path)`` / ``load_checkpoint``
  (MindSpore appends ".ckpt" to a name without it).

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

FORMATS = ("torch", "mindspore")
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


def read_weights(path: str) -> tuple[str, OrderedDict[str, np.ndarray]]:
    """(format, name -> array) of a torch-style state_dict file or a MindSpore-style checkpoint.

    FileNotFoundError / IsADirectoryError for a path that is not a file; ValueError for anything else
    unusable (damaged, tampered with, neither format, or not only weights).
    """
    import tinygrad_rnn.torch as torch
    from tinygrad_rnn.mindspore.train.serialization import read_arrays

    try:
        obj = torch.load(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist") from None
    except RuntimeError as torch_error:  # torch.load's documented errors for a file it cannot read
        try:
            arrays = read_arrays(path)  # any file name: the content decides, not the extension
        except ValueError as ms_error:
            raise ValueError(
                f"{path} is neither a tinygrad_rnn.torch state_dict file ({torch_error}) nor a "
                f"tinygrad_rnn.mindspore checkpoint ({ms_error})"
            ) from None
        texts = [k for k, v in arrays.items() if not isinstance(v, np.ndarray)]
        if texts:
            raise ValueError(f"{path} holds text entries {texts}, not only weights") from None
        return "mindspore", OrderedDict(arrays)
    if not isinstance(obj, Mapping) or not all(
        isinstance(k, str) and hasattr(v, "numpy") for k, v in obj.items()
    ):
        raise ValueError(
            f"{path} holds a {type(obj).__name__}, not a state_dict (a dict of name -> tensor); save "
            "model.state_dict() to convert it"
        )
    return "torch", OrderedDict((k, np.array(v.detach().numpy())) for k, v in obj.items())


def output_path(path: str, to: str) -> str:
    """The file `write_weights(path, ..., to)` writes (MindSpore appends ".ckpt" when missing)."""
    _check_format(to)
    return path if to == "torch" or path.endswith(".ckpt") else path + ".ckpt"


def write_weights(path: str, arrays: Mapping[str, np.ndarray], to: str) -> str:
    """Write `arrays` in format `to` (atomically, by the frontend's own saver); returns the path written."""
    _check_format(to)
    if to == "torch":
        import tinygrad_rnn.torch as torch

        torch.save(OrderedDict((k, torch.from_numpy(np.array(a))) for k, a in arrays.items()), path)
        return path
    import tinygrad_rnn.mindspore as ms

    ms.save_checkpoint([{"name": k, "data": ms.Tensor(np.array(a))} for k, a in arrays.items()], path)
    return output_path(path, to)


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
