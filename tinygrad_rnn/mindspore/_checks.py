"""MindSpore's argument checks and log lines, with its exact message templates (mindspore._checkparam)."""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any


def positive_int(value: Any, name: str, cls: str) -> int:
    """An int > 0 (bools rejected): MindSpore's check_positive_int."""
    prefix = f"For '{cls}', the '{name}'"
    if not isinstance(value, int):
        raise TypeError(f"{prefix} must be int, but got '{type(value).__name__}'")
    if isinstance(value, bool) or value <= 0:
        msg = f"{prefix} must be int and must > 0, but got '{value}' with type '{type(value).__name__}'."
        raise (TypeError if isinstance(value, bool) else ValueError)(msg)
    return value


def is_float(value: Any, name: str, cls: str) -> float:
    """A (finite) Python float: MindSpore's check_is_float."""
    if not isinstance(value, float) or isinstance(value, bool):
        raise TypeError(
            f"For '{cls}', the type of '{name}' must be 'float', but got '{type(value).__name__}'."
        )
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"For '{cls}', the '{name}' must be a legal float, but got '{value}'.")
    return value


def value_type(name: str, value: Any, types: tuple[type, ...], cls: str) -> Any:
    """isinstance check (a bool is not an int unless bool is listed): MindSpore's check_value_type."""
    names = [t.__name__ for t in types]
    shown = f"one of '{names}'" if len(types) > 1 else f"'{names[0]}'"
    bad = (isinstance(value, bool) and bool not in types) or not isinstance(value, types)
    if bad:
        raise TypeError(
            f"For '{cls}', the type of '{name}' should be {shown}, but got type '{type(value).__name__}'."
        )
    return value


def warning(msg: str, where: str) -> None:
    """A MindSpore-style log line on stderr (silenced, like MindSpore's, by GLOG_v=3 or 4)."""
    if os.environ.get("GLOG_v", "2") in ("3", "4"):
        return
    stamp = time.strftime("%Y-%m-%d-%H:%M:%S")
    print(f"[WARNING] ME({os.getpid()},MainProcess):{stamp} [{where}] {msg}", file=sys.stderr)
