"""Training checkpoints: one .npz (model and optimiser arrays) with a JSON header (everything else),
written atomically and read without pickle, every part checked: a damaged or tampered file raises
only CheckpointError.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from typing import Any

import numpy as np

from .._io import CorruptFileError, atomic_write, parse_json, read_npz, remove_stale_temps, resolve
from .backends import Backend
from .config import CheckpointError, Curve, TrainConfig

CKPT_FORMAT = "tinygrad_rnn.train/1"
MAX_DEPTH = 32  # an optimiser state nested deeper than this in a checkpoint is refused


def _flatten_opt(sd: Any, prefix: str, arrays: dict[str, np.ndarray]) -> Any:
    """Replace every array in a nested structure by a reference, collecting arrays by key."""
    if isinstance(sd, dict):
        return {
            "__dict__": [
                [_flatten_opt(k, "", arrays), _flatten_opt(v, f"{prefix}/{k}", arrays)] for k, v in sd.items()
            ]
        }
    if isinstance(sd, (list, tuple)):
        return {
            "__" + type(sd).__name__ + "__": [
                _flatten_opt(v, f"{prefix}/{i}", arrays) for i, v in enumerate(sd)
            ]
        }
    if isinstance(sd, np.ndarray):
        key = f"opt{prefix}"
        arrays[key] = sd
        return {"__array__": key}
    if isinstance(sd, np.generic):
        return sd.item()
    if isinstance(sd, float) and not math.isfinite(sd):
        return {"__float__": repr(sd)}
    return sd


def _unflatten_opt(obj: Any, arrays: dict[str, np.ndarray], used: set[str], depth: int = 0) -> Any:
    """The structure _flatten_opt described; each array member it names is used once (else CheckpointError)."""
    if depth > MAX_DEPTH:
        raise CheckpointError(f"the optimiser state is nested more than {MAX_DEPTH} deep")
    if not isinstance(obj, dict):
        return obj
    if len(obj) != 1:
        raise CheckpointError(f"unexpected optimiser entry {str(obj)[:80]}")
    (kind, value), inner = next(iter(obj.items())), depth + 1
    if kind == "__dict__":
        return {
            _unflatten_opt(k, arrays, used, inner): _unflatten_opt(v, arrays, used, inner) for k, v in value
        }
    if kind == "__list__":
        return [_unflatten_opt(v, arrays, used, inner) for v in value]
    if kind == "__tuple__":
        return tuple(_unflatten_opt(v, arrays, used, inner) for v in value)
    if kind == "__array__":
        if not isinstance(value, str) or not value.startswith("opt") or value not in arrays or value in used:
            raise CheckpointError(
                f"the optimiser state names a missing or repeated array {str(value)[:80]!r}"
            )
        used.add(value)
        return np.array(arrays[value])
    if kind == "__float__" and value in ("inf", "-inf", "nan"):
        return float(value)
    raise CheckpointError(f"unexpected optimiser entry {str(obj)[:80]}")


def save_checkpoint(
    path: str, cfg: TrainConfig, backend: Backend, data_rng: np.random.Generator, curve: Curve
) -> None:
    """Write model, optimiser state, data RNG state, epoch and curve to `path` atomically (through a
    symlink; a directory, FIFO or device is refused with an OSError)."""
    arrays = {f"model/{k}": v for k, v in backend.model_arrays().items()}
    opt_meta = _flatten_opt(backend.optimizer_state(), "", arrays)
    meta = {
        "format": CKPT_FORMAT,
        "config": dataclasses.asdict(cfg),
        "epoch": len(curve.epoch),
        "curve": dataclasses.asdict(curve),
        "data_rng": data_rng.bit_generator.state,
        "optimizer": opt_meta,
    }
    arrays["meta"] = np.array(json.dumps(meta))
    os.makedirs(os.path.dirname(resolve(path)), exist_ok=True)
    atomic_write(path, lambda f: np.savez(f, **arrays))


def _check_meta(meta: Any) -> None:
    """CheckpointError unless meta has our format and a consistent curve and epoch count."""
    if not isinstance(meta, dict) or meta.get("format") != CKPT_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise CheckpointError(f"unknown format {str(found)[:40]!r}")
    missing = {"config", "epoch", "curve", "data_rng", "optimizer"} - meta.keys()
    if missing:
        raise CheckpointError(f"it lacks {sorted(missing)}")
    curve, epoch = meta["curve"], meta["epoch"]
    fields = {f.name for f in dataclasses.fields(Curve)}
    if (
        not isinstance(curve, dict)
        or curve.keys() != fields
        or not all(isinstance(v, list) for v in curve.values())
    ):
        raise CheckpointError("its curve is not a record of per-epoch lists")
    if type(epoch) is not int or any(len(v) != epoch for v in curve.values()):
        raise CheckpointError(f"its epoch count {str(epoch)[:20]} does not match its curve")
    if not isinstance(meta["config"], dict) or not isinstance(meta["data_rng"], dict):
        raise CheckpointError("its config or data RNG state is not a record")


def load_checkpoint(path: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(meta, arrays) of a checkpoint; for any unusable file (missing, a directory or device, damaged,
    tampered with, another format) only CheckpointError, with a one-line reason. Removes temp files a
    killed save of this path left behind."""
    if not os.path.exists(path):
        raise CheckpointError(f"checkpoint not found: {path}")
    if os.path.isdir(path):
        raise CheckpointError(f"checkpoint is a directory, not a file: {path}")
    remove_stale_temps(path)
    try:
        arrays = read_npz(path, text_members=("meta",), required="meta")
        meta = parse_json(arrays.pop("meta"), "its header")
        _check_meta(meta)
    except (CorruptFileError, CheckpointError, OSError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise CheckpointError(
            f"cannot read checkpoint {path}: not a tinygrad-rnn training checkpoint ({reason})"
        ) from None
    if not all(k.startswith(("model/", "opt/")) for k in arrays):
        raise CheckpointError(f"cannot read checkpoint {path}: unexpected arrays {sorted(arrays)[:5]}")
    return meta, arrays


def restore(path: str, backend: Backend, data_rng: np.random.Generator) -> Curve:
    """Load a checkpoint into `backend` and `data_rng`; returns the curve so far (CheckpointError if unfit)."""
    meta, arrays = load_checkpoint(path)
    used: set[str] = set()
    try:
        backend.load_model_arrays({k[6:]: v for k, v in arrays.items() if k.startswith("model/")})
        backend.load_optimizer_state(_unflatten_opt(meta["optimizer"], arrays, used))
        unused = [k for k in arrays if k.startswith("opt/") and k not in used]
        if unused:
            raise CheckpointError(f"arrays {unused[:5]} are not part of the optimiser state")
        data_rng.bit_generator.state = meta["data_rng"]
        curve = Curve(**meta["curve"])
    except CheckpointError as e:
        raise CheckpointError(f"checkpoint {path} does not fit this model: {e}") from None
    except Exception as e:  # any mismatch with this model / optimiser: one line, not a traceback
        raise CheckpointError(f"checkpoint {path} does not fit this model: {type(e).__name__}: {e}") from None
    return curve


def config_from_checkpoint(path: str) -> TrainConfig:
    """The TrainConfig a checkpoint was trained with (checked: CheckpointError if unusable)."""
    meta, _ = load_checkpoint(path)
    config = meta["config"]
    try:
        fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
        for k, v in config.items():
            want = fields[k].type  # "int", "float", "str", "int | None" (postponed annotations)
            ok = {"int": int, "float": (int, float), "str": str, "int | None": (int, type(None))}[want]
            if isinstance(v, bool) or not isinstance(v, ok):
                raise ValueError(f"{k} is {v!r}")
        cfg = TrainConfig(**config)
        cfg.validate()
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"checkpoint {path} has an unusable config: {e}") from None
    return cfg
