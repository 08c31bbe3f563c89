"""mindspore.Tensor: the core Tensor with MindSpore's API (asnumpy, dtype objects, printing)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ops as core_ops
from ...tape import ShapeError
from ...tensor import Tensor as CoreTensor
from .. import _checks as check
from . import dtype as mstype
from .setitem import setitem
from .tensor_methods import TensorMethods, divide

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

    else:  # booleans always take the width of "False"
        width = 5 if a.dtype == np.bool_ else max((len(str(v)) for v in a.ravel()), default=0)

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


def _operand(op: str, other: Any) -> Any:
    """The other operand of an arithmetic operator: a Tensor, a number or an array (TypeError otherwise)."""
    if isinstance(other, (CoreTensor, bool, int, float, np.ndarray, np.generic)):
        return other
    raise TypeError(
        f"For '{op}', the other operand must be a Tensor or a number, but got {type(other).__name__}."
    )


class Tensor(TensorMethods, CoreTensor):
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

    @classmethod
    def op_error(cls, err: ShapeError) -> Exception:
        """A core op's shape error as MindSpore raises it: RuntimeError for matmul (MatMulExt), else
        ValueError (broadcast, concat/stack, reshape, indexing ...), with the core's facts in the message."""
        kind = RuntimeError if err.op in ("matmul", "mm", "bmm") else ValueError
        return kind(f"For '{err.op}', {err}")

    @classmethod
    def saved_modified(cls, node: Any) -> Exception | None:
        """None: MindSpore's backward reads saved values as they are after an in-place write (checked:
        the gradient of y * y after ``y[0] = 0`` is 0 in row 0), it never refuses."""
        return None

    # -- MindSpore's accessors -----------------------------------------------------------------
    @property
    def dtype(self) -> mstype.Type:  # type: ignore[override]
        """The MindSpore dtype (prints as Float32 ...)."""
        return mstype.from_np(self.array.dtype)

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(self.array.size)

    def asnumpy(self) -> np.ndarray:
        """The values as a numpy array."""
        return self.array

    def __str__(self) -> str:
        return str(self.array)

    def __repr__(self) -> str:
        shape = list(self.array.shape)
        head = f"Tensor(shape={shape}, dtype={self.dtype}, value="
        if self.array.ndim == 0:
            return f"{head} {_fmt_scalar(self.array.item())})"
        if self.array.size == 0:
            return head + (" )" if self.array.ndim == 1 else "\n)")
        sep = " " if self.array.ndim == 1 else "\n"
        return f"{head}{sep}{_fmt_array(self.array)})"

    # -- methods whose MindSpore signatures differ from the core's --------------------------------
    def astype(self, dtype: Any, copy: bool = True) -> Tensor:
        """Convert to another dtype (differentiable)."""
        return core_ops.cast(self, mstype.to_np(dtype))

    def reshape(self, *shape: Any) -> Tensor:
        """Same data, new shape (one -1 allowed)."""
        return core_ops.reshape(self, check.reshape_target("reshape", shape, self.array.size))

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (none given: reverse them)."""
        perm = check.permutation("transpose", axes, self.ndim) if axes else None
        return core_ops.transpose(self, perm)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        """Exchange two axes."""
        for name, a in (("axis0", axis0), ("axis1", axis1)):
            check.axis("swapaxes", name, a, self.ndim)
        return core_ops.swapaxes(self, axis0, axis1)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 axis."""
        check.axis("unsqueeze", "dim", dim, self.ndim + 1)
        return super().unsqueeze(dim)

    def squeeze(self, axis: Any = None) -> Tensor:
        """Drop size-1 axes (all, or those in `axis`)."""
        axes = () if axis is None else tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        axes = tuple(check.axis("squeeze", "axis", a, self.ndim) % max(self.ndim, 1) for a in axes)
        shape = tuple(s for i, s in enumerate(self.shape) if not (s == 1 and (not axes or i in axes)))
        return core_ops.reshape(self, shape)

    def __matmul__(self, other: Any) -> Tensor:
        check.tensor("matmul", "other", other)
        check.same_dtype("matmul", ("input", "other"), self, other)
        if self.ndim == 0 or other.ndim == 0:
            raise ValueError(
                f"For 'matmul', the inputs must have rank >= 1, but got shapes {self.shape} and "
                f"{other.shape}."
            )
        return super().__matmul__(other)

    def __getitem__(self, index: Any) -> Tensor:
        for i, k in enumerate(index if isinstance(index, tuple) else (index,)):
            if isinstance(k, str):
                raise IndexError(
                    f"Tensor indices must be int, slice, list, tuple or Tensor, but got str {k!r}."
                )
            if isinstance(k, int) and not isinstance(k, bool) and i < self.ndim:
                n = self.shape[i]
                if not -n <= k < n:
                    raise IndexError(f"index {k} is out of bounds for dimension {i} with size {n}")
        return super().__getitem__(index)

    def __setitem__(self, index: Any, value: Any) -> None:
        setitem(self, index, value)

    def __add__(self, other: Any) -> Tensor:
        return super().__add__(_operand("add", other))

    def __radd__(self, other: Any) -> Tensor:
        return super().__radd__(_operand("add", other))

    def __sub__(self, other: Any) -> Tensor:
        return super().__sub__(_operand("sub", other))

    def __rsub__(self, other: Any) -> Tensor:
        return super().__rsub__(_operand("sub", other))

    def __mul__(self, other: Any) -> Tensor:
        return super().__mul__(_operand("mul", other))

    def __rmul__(self, other: Any) -> Tensor:
        return super().__rmul__(_operand("mul", other))

    def __truediv__(self, other: Any) -> Tensor:
        return super().__truediv__(_operand("div", other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return super().__rtruediv__(_operand("div", other))

    def __floordiv__(self, other: Any) -> Tensor:
        return divide(self, _operand("floor_divide", other), "floor")

    def __rfloordiv__(self, other: Any) -> Tensor:
        return divide(_operand("floor_divide", other), self, "floor")

    def __mod__(self, other: Any) -> Tensor:
        return self - divide(self, _operand("mod", other), "floor") * other

    def item(self) -> Any:
        """The value of a one-element Tensor."""
        if self.array.size != 1:
            raise ValueError(
                f"The tensor should have only one element, but got {self.array.size}, more than one element is "
                "ambiguous."
            )
        return self.array.item()

    def view(self, *shape: Any) -> Tensor:
        """Same data, new shape."""
        return self.reshape(*shape)

    def expand_dims(self, axis: int) -> Tensor:
        """Insert a size-1 axis."""
        check.axis("expand_dims", "axis", axis, self.ndim + 1)
        return self.unsqueeze(axis)

    def flatten(self, order: str = "C", *, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Collapse axes start_dim..end_dim into one."""
        nd = max(self.ndim, 1)
        for name, d in (("start_dim", start_dim), ("end_dim", end_dim)):
            if not -nd <= check.integer("flatten", name, d) < nd or (self.ndim == 0 and d not in (0, -1)):
                raise ValueError(f"For 'flatten', the '{name}' must be in [{-nd}, {nd}), but got {d}.")
        if self.ndim == 0:
            return core_ops.reshape(self, (1,))
        s, e = start_dim % nd, end_dim % nd
        if s > e:
            raise ValueError(f"For 'flatten', 'start_dim' {start_dim} cannot come after 'end_dim' {end_dim}.")
        merged = int(np.prod(self.shape[s : e + 1]))
        return core_ops.reshape(self, self.shape[:s] + (merged,) + self.shape[e + 1 :])

    def abs(self) -> Tensor:
        """|x| (|-0.0| = 0.0; gradient sign(x), 0 at 0 and at NaN, as MindSpore's)."""
        return core_ops.abs(self)

    def square(self) -> Tensor:
        """x * x."""
        return self * self

    def sqrt(self) -> Tensor:
        """Square root (of integers and booleans in float32, as MindSpore)."""
        return core_ops.sqrt(self if self.array.dtype.kind in "fc" else core_ops.cast(self, np.float32))

    def copy(self) -> Tensor:
        """A detached copy."""
        return type(self).result_type(self.array.copy())
