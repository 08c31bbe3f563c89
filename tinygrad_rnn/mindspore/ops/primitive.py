"""mindspore.ops.primitive: the base class of the operator classes in ops.operations."""

from __future__ import annotations

from typing import Any


class Primitive:
    """Base of the operator classes: ``op = ops.Tanh(); y = op(x)``."""

    def __call__(self, *args: Any) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"Prim[{type(self).__name__}]"
