"""What torch.Tensor methods return about the graph: grad_fn objects (torch's view of a core Node),
torch.return_types, and the few nodes named as torch names them (clone, max/min/sort values).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import ops
from ..tape import AccumulateGrad, Node
from ._inplace import node_name

# torch.return_types.max / min: (values, indices)
ret_max = namedtuple("max", ["values", "indices"])
ret_min = namedtuple("min", ["values", "indices"])
ret_sort = namedtuple("sort", ["values", "indices"])
for _cls in (ret_max, ret_min, ret_sort):
    _cls.__module__ = "torch.return_types"
    _cls.__repr__ = lambda self: (  # type: ignore[method-assign]
        f"torch.return_types.{type(self).__name__}(\nvalues={self.values!r},\nindices={self.indices!r})"
    )


# ---------------------------------------------------------------------------------------------
# grad_fn: torch's view of a core Node (.name(), .next_functions, repr <TanhBackward0 object ...>)
# ---------------------------------------------------------------------------------------------
class Function:
    """Base of the grad_fn classes; one subclass per node name, so type(grad_fn).__name__ is torch's."""

    __slots__ = ("_node",)

    def __init__(self, node: Node):
        self._node = node

    def name(self) -> str:
        """The node's name (torch::autograd::AccumulateGrad for a leaf's sink, as in torch)."""
        return node_name(self._node)

    @property
    def next_functions(self) -> tuple[tuple[Function | None, int], ...]:
        """(grad_fn, output index) for every input of the op; (None, 0) where no gradient flows."""
        return tuple((None, 0) if e is None else (grad_fn_of(e[0]), e[1]) for e in self._node.next)

    @property
    def variable(self) -> Any:
        """For AccumulateGrad: the leaf tensor it accumulates into."""
        if not isinstance(self._node, AccumulateGrad):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute 'variable'")
        return self._node.variable()

    @property
    def metadata(self) -> dict[str, Any]:
        """torch's per-node metadata dict (here: the name_scope labels the core recorded)."""
        return {"scope": getattr(self._node, "scope", ())}

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Function) and other._node is self._node

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __hash__(self) -> int:
        return id(self._node)


FN_CLASSES: dict[str, type[Function]] = {}


def grad_fn_of(node: Node | None) -> Function | None:
    """The torch-style grad_fn object for a core node."""
    if node is None:
        return None
    name = node.name
    cls = FN_CLASSES.get(name)
    if cls is None:
        cls = FN_CLASSES[name] = type(name, (Function,), {"__slots__": ()})
    return cls(node)


class Clone(Node):
    """x.clone(): a copy whose gradient is passed through unchanged."""

    name = "CloneBackward0"

    def forward(self, a):
        return np.array(a, copy=True)

    def backward(self, F, g):
        return g


class MaxValues(ops.GetItem):
    """values of x.max(dim): a gather, named as torch names it."""

    name = "MaxBackward0"


class MinValues(ops.GetItem):
    name = "MinBackward0"


class SortValues(ops.GetItem):
    name = "SortBackward0"
