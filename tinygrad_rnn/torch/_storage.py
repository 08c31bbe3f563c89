"""torch.Tensor's `.data`, `detach_`, `retain_grad` and the memory-format objects.

`.data` is torch's: a Tensor outside the graph sharing this tensor's storage (writes through it are
seen by the original), with a version counter of its own, as torch gives it. Code inside this
package reads `tensor.array`, the core's storage slot, never `.data`.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..tape import TensorBase, make_tensor, own_counter, version_of


class MemoryFormat:
    """torch.memory_format: numpy storage has one layout, so every format is the same to us."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


MemoryFormat.__module__ = "torch"
MemoryFormat.__name__ = MemoryFormat.__qualname__ = "memory_format"
contiguous_format = MemoryFormat("contiguous_format")
preserve_format = MemoryFormat("preserve_format")
channels_last = MemoryFormat("channels_last")
channels_last_3d = MemoryFormat("channels_last_3d")


def check_memory_format(fn: str, memory_format: Any) -> None:
    """torch's TypeError for a memory_format that is not a torch.memory_format."""
    if memory_format is not None and not isinstance(memory_format, MemoryFormat):
        raise TypeError(
            f"{fn}(): argument 'memory_format' must be torch.memory_format, not {type(memory_format).__name__}"
        )


def _type_name(v: Any) -> str:
    t = type(v)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


class StorageMethods:
    """`.data`, `detach_`, `retain_grad` of torch.Tensor (a mixin of the frontend Tensor)."""

    __slots__ = ()

    @property
    def data(self) -> Any:
        """A Tensor sharing this tensor's storage, outside the graph (torch's `.data`)."""
        a = self.array
        alias = a.view() if isinstance(a, np.ndarray) else np.asarray(a)
        own_counter(alias)  # torch's .data has a version counter of its own
        return make_tensor(self.result_type, alias, None, 0)

    @data.setter
    def data(self, value: Any) -> None:
        if isinstance(value, TensorBase):
            self.array = value.array  # share the new tensor's storage, as torch does
        else:
            raise TypeError(f"Variable data has to be a tensor, but got {_type_name(value)}")

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's storage has had (torch's version counter)."""
        return version_of(self.array)

    def detach_(self) -> Any:
        """Cut this tensor from the graph in place (it becomes a leaf that does not require grad)."""
        if isinstance(self.array, np.ndarray) and isinstance(self.array.base, np.ndarray):
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
                "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._node, self._idx, self._accum = None, 0, None
        self.requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep the gradient arriving at this non-leaf tensor in its `.grad` (a no-op on leaves)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        node = self._node
        if node is None or self.retains_grad:
            return
        node.retained = (node.retained or []) + [(self._idx, weakref.ref(self))]

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor whose gradient retain_grad() keeps."""
        node = self._node
        return node is not None and any(r() is self for _, r in getattr(node, "retained", None) or ())
