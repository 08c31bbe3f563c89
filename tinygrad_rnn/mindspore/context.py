"""mindspore.context: set_context / get_context (recorded; this frontend always runs eagerly)."""

from __future__ import annotations

from typing import Any

GRAPH_MODE = 0
PYNATIVE_MODE = 1

_CONTEXT: dict[str, Any] = {"mode": PYNATIVE_MODE, "device_target": "CPU"}


def set_context(**kwargs: Any) -> None:
    """Record settings such as mode and device_target. GRAPH_MODE is accepted but runs eagerly too."""
    _CONTEXT.update(kwargs)


def get_context(attr_key: str) -> Any:
    """A recorded setting."""
    if not isinstance(attr_key, str):
        raise TypeError(f"attribute name must be string, not '{type(attr_key).__name__}'")
    if attr_key not in _CONTEXT:
        raise ValueError(f"For 'get_context', the argument 'attr_key' {attr_key!r} is not set.")
    return _CONTEXT[attr_key]
