"""mindspore.Tensor: the core Tensor with MindSpore's API (asnumpy, dtype objects, printing)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ops as core_ops
from ...tensor import Tensor as CoreTensor
from . import dtype as mstype

_SUMMARY_THRESHOLD = 1000  # more elements than this: show the first and last 3 of each axis


def _fmt_scalar(v: Any) -> str:
    """A 0-d value as MindSpore's C++ printer writes it (floats like printf("%g"))."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)):
        return f"{float(v):g}"
    return str(v)


def _fmt_array(a: np.ndarray) -> str:
    """MindSpore's repr body: floats in %.8e (%.4e for float16), ", " separated, one row per line."""
    if a.dtype.kind == "f":
        digits = 4 if a.dtype == np.float16 else 8

        def fmt(v: Any) -> str:
            return f"{v: .{digits}e}"

    else:
        width = max((len(str(v)) for v in a.ravel()), default=0)

        def fmt(v: Any) -> str:
            return str(v).rjust(width)

    summarise = a.size > _SUMMARY_THRESHOLD

    def rec(x: np.ndarray, depth: int) -> str:
        n = x.shape[0]
        idx: list[int | None] = list(range(n))
        if summarise and n > 6:
            idx = [0, 1, 2, None, n - 3, n - 2, n - 1]
        if x.ndim == 1:
            parts = [fmt(x[i]) for i in idx if i is not None]
            if None in idx:
                return "[" + ", ".join(parts[:3]) + " ... " + ", ".join(parts[3:]) + "]"
            return "[" + ", ".join(parts) + "]"
        rows = ["..." if i is None else rec(x[i], depth + 1) for i in idx]
        return "[" + (",\n" + " " * (depth + 1)).join(rows) + "]"

    return rec(a, 0)


class Tensor(CoreTensor):
    """A MindSpore Tensor: ``Tensor(input_data, dtype=None)`` on the core engine.

    Python floats become float32 and Python ints int64 (MindSpore's defaults); numpy arrays keep their
    dtype. ``dtype`` is a MindSpore dtype object, ``shape`` a tuple, ``asnumpy()`` the numpy array.
    """

    __slots__ = ()

    def __init__(
        self,
        input_data: Any = None,
        dtype: Any = None,
        shape: Any = None,
        init: Any = None,
        const_arg: bool = False,
        device: Any = None,
    ):
        np_dtype = mstype.to_np(dtype)
        if input_data is None:
            if shape is None:
                raise ValueError("For 'Tensor', 'input_data' and 'shape' can not both be None.")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            input_data = np.zeros(shape, dtype=np_dtype or np.float32)
        super().__init__(input_data, dtype=np_dtype)

    # -- MindSpore's accessors -----------------------------------------------------------------
    @property
    def dtype(self) -> mstype.Type:  # type: ignore[override]
        """The MindSpore dtype (prints as Float32 ...)."""
        return mstype.from_np(self.data.dtype)

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(self.data.size)

    def asnumpy(self) -> np.ndarray:
        """The values as a numpy array."""
        return self.data

    def __str__(self) -> str:
        return str(self.data)

    def __repr__(self) -> str:
        shape = list(self.data.shape)
        head = f"Tensor(shape={shape}, dtype={self.dtype}, value="
        if self.data.ndim == 0:
            return f"{head} {_fmt_scalar(self.data.item())})"
        if self.data.size == 0:
            return head + (" )" if self.data.ndim == 1 else "\n)")
        sep = " " if self.data.ndim == 1 else "\n"
        return f"{head}{sep}{_fmt_array(self.data)})"

    # -- methods whose MindSpore signatures differ from the core's --------------------------------
    def astype(self, dtype: Any, copy: bool = True) -> Tensor:
        """Convert to another dtype (differentiable)."""
        return core_ops.cast(self, mstype.to_np(dtype))

    def sum(self, axis: Any = None, dtype: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:
        """Sum over axes (optionally cast first, optionally starting from `initial`)."""
        x = self if dtype is None else self.astype(dtype)
        out = core_ops.sum_(x, axis, keepdims)
        return out if initial is None else out + initial

    def mean(self, axis: Any = None, keep_dims: bool = False) -> Tensor:
        """Mean over axes."""
        return core_ops.mean(self, axis, keep_dims)

    def view(self, *shape: Any) -> Tensor:
        """Same data, new shape."""
        return self.reshape(*shape)

    def expand_dims(self, axis: int) -> Tensor:
        """Insert a size-1 axis."""
        return self.unsqueeze(axis)

    def flatten(self, order: str = "C", *, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Collapse axes start_dim..end_dim into one."""
        nd = max(self.ndim, 1)
        s, e = start_dim % nd, end_dim % nd
        shape = self.shape[:s] + (-1,) + self.shape[e + 1 :]
        return self.reshape(shape)

    def abs(self) -> Tensor:
        """|x| (gradient sign(x))."""
        return core_ops.maximum(self, -self)

    def square(self) -> Tensor:
        """x * x."""
        return self * self

    def sqrt(self) -> Tensor:
        """x ** 0.5."""
        return self**0.5

    def copy(self) -> Tensor:
        """A detached copy."""
        return type(self).result_type(self.data.copy())
