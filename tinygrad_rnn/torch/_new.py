"""torch.Tensor's constructors-on-a-tensor (`new`, `new_zeros`, ...) and the methods that pick or
repeat parts of it (`narrow`, `repeat_interleave`, `view(dtype)`), as a mixin of the frontend Tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tape import TensorBase, make_tensor
from . import _check, _dtype


class _IndexSelect(ops.GetItem):
    """x[..., idx] with an index array, named as torch names repeat_interleave's gather."""

    name = "IndexSelectBackward0"

    def forward(self, a: np.ndarray, idx: Any = None) -> np.ndarray:
        return np.asarray(a[idx])


def _size(fn: str, size: tuple[Any, ...], kw_size: Any) -> tuple[int, ...]:
    """A size given positionally or as `size=` (torch accepts either, not both)."""
    if kw_size is not None:
        if size:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        size = (kw_size,)
    if not size:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    return _check.new_sizes(fn, size)


def _dim(fn: str, dim: Any, nd: int) -> int:
    d = _check.integer(fn, "dim", 1, dim)
    n = max(nd, 1)
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d % n


def repeat_counts(repeats: Any, n: int, dim: int | None) -> np.ndarray:
    """repeat_interleave's repeats as one count per slice (torch's checks and messages)."""
    if isinstance(repeats, TensorBase):
        r = repeats.array
        if r.dtype.kind not in "iu":
            raise NotImplementedError(
                f"\"repeat_interleave_cpu\" not implemented for '{_check.scalar_name(r.dtype)}'"
            )
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.size == 1:
            r = np.full(n, r.reshape(-1)[0], np.int64)
        elif r.size != n:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got repeats.size(0) = "
                f"{r.size} and input.size({dim or 0}) = {n}"
            )
        if np.any(r < 0):
            raise RuntimeError("repeats can not be negative")
        return r.astype(np.int64)
    if int(repeats) < 0:
        raise RuntimeError("Repeats must be non-negative")
    return np.full(n, int(repeats), np.int64)


class NewMethods:
    """new / new_* / narrow / repeat_interleave / view(dtype) of torch.Tensor."""

    __slots__ = ()

    def _new(self, arr: np.ndarray, requires_grad: bool) -> Any:
        """A new leaf of this tensor's type (a factory's wording when it cannot require gradients)."""
        t = make_tensor(self.result_type, arr, None, 0)
        if requires_grad:
            _check.grad_dtype(arr.dtype)
            t.requires_grad = True
        return t

    def _new_dtype(self, dtype: Any, device: Any) -> np.dtype:
        _dtype.check_device(device)
        return _dtype.to_np(dtype) or self.array.dtype

    def new(self, *args: Any, device: Any = None) -> Any:
        """The legacy constructor with this tensor's dtype: new(), new(2, 3), new(data), new(size)."""
        _dtype.check_device(device)
        made = _check.legacy_array(args, self.array.dtype, "new")
        return made if isinstance(made, TensorBase) else self._new(made, False)

    def new_zeros(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
    ) -> Any:
        """Zeros with this tensor's dtype by default."""
        shape = _size("new_zeros", size, kw.pop("size", None))
        _no_more("new_zeros", kw)
        return self._new(np.zeros(shape, self._new_dtype(dtype, device)), requires_grad)

    def new_ones(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
    ) -> Any:
        """Ones with this tensor's dtype by default."""
        shape = _size("new_ones", size, kw.pop("size", None))
        _no_more("new_ones", kw)
        return self._new(np.ones(shape, self._new_dtype(dtype, device)), requires_grad)

    def new_empty(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
    ) -> Any:
        """An uninitialised tensor in torch (zeros here) with this tensor's dtype by default."""
        shape = _size("new_empty", size, kw.pop("size", None))
        _no_more("new_empty", kw)
        return self._new(np.zeros(shape, self._new_dtype(dtype, device)), requires_grad)

    def new_full(
        self,
        size: Any = None,
        fill_value: Any = None,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> Any:
        """`fill_value` everywhere, with this tensor's dtype by default."""
        if fill_value is None:
            raise TypeError('new_full() missing 1 required positional arguments: "fill_value"')
        shape = _check.new_sizes("new_full", (size,))
        _check.number("new_full", "fill_value", 2, fill_value)
        dt = self._new_dtype(dtype, device)
        value = fill_value.array if isinstance(fill_value, TensorBase) else fill_value
        return self._new(np.full(shape, np.asarray(value).astype(dt), dt), requires_grad)

    def new_tensor(
        self, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Any:
        """A new leaf from data (copied), with this tensor's dtype by default."""
        dt = self._new_dtype(dtype, device)
        if not isinstance(data, (list, tuple, np.ndarray, TensorBase)) and not _check.is_number(data):
            raise TypeError(f"must be real number, not {type(data).__name__}")
        arr = data.array if isinstance(data, TensorBase) else data
        return self._new(np.array(_check.data_array(arr, dt)), requires_grad)

    def narrow(self, dim: int, start: Any, length: int) -> Any:
        """The slice start:start+length along dim (a view, in the graph)."""
        _narrow_types(dim, start, length)
        nd = self.array.ndim
        if nd == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        d = _dim("narrow", dim, nd)
        if isinstance(start, TensorBase):
            if start.array.ndim or start.array.dtype.kind not in "iu":
                raise RuntimeError("start must be an 0-dim integral Tensor.")
            start = int(start.array)
        s = _check.integer("narrow", "start", 2, start)
        n = _check.integer("narrow", "length", 3, length)
        size = self.array.shape[d]
        if not -size <= s <= size:
            raise IndexError(
                f"start out of range (expected to be in range of [{-size}, {size}], but got {s})"
            )
        s %= size if size else 1
        if n < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        if s + n > size:
            raise RuntimeError(f"start ({s}) + length ({n}) exceeds dimension size ({size}).")
        return ops.getitem(self, (slice(None),) * d + (slice(s, s + n),))

    def repeat_interleave(self, repeats: Any, dim: Any = None, *, output_size: Any = None) -> Any:
        """Repeat each slice along dim `repeats` times (each element of the flattened tensor without dim)."""
        return interleave(self, repeats, dim, output_size, method=True)

    def view_dtype(self, dtype: Any) -> Any:
        """The same bytes read as another dtype (outside the graph, as torch's view(dtype) is)."""
        dt = _dtype.to_np(dtype)
        a = self.array
        if dt.itemsize != a.dtype.itemsize:
            if a.ndim == 0:
                raise RuntimeError(
                    "self.dim() cannot be 0 to view "
                    f"{_check.scalar_name(a.dtype)} as {_check.scalar_name(dt)} (different element sizes)"
                )
            last = a.shape[-1] * a.dtype.itemsize
            if last % dt.itemsize:
                raise RuntimeError(
                    f"self.size(-1) must be divisible by {dt.itemsize // a.dtype.itemsize} to view "
                    f"{_check.scalar_name(a.dtype)} as {_check.scalar_name(dt)} (different element sizes), "
                    f"but got {a.shape[-1]}"
                )
            a = np.ascontiguousarray(a) if not a.flags.c_contiguous else a
        return make_tensor(self.result_type, a.view(dt), None, 0)


def _narrow_types(dim: Any, start: Any, length: Any) -> None:
    """torch's invalid-combination TypeError when narrow's arguments match neither of its signatures."""

    def is_int(v: Any) -> bool:
        return _check.is_int(v) and not isinstance(v, TensorBase)

    args = (dim, start, length)
    if is_int(dim) and is_int(length) and (is_int(start) or isinstance(start, TensorBase)):
        return
    names = [_check.type_name(a) for a in args]
    lines = []
    for sig, start_ok in (
        ("(int dim, Tensor start, int length)", isinstance(start, TensorBase)),
        ("(int dim, int start, int length)", is_int(start)),
    ):
        marks = [n if ok else f"!{n}!" for n, ok in zip(names, (is_int(dim), start_ok, is_int(length)))]
        lines.append(
            f" * {sig}\n      didn't match because some of the arguments have invalid types: ({', '.join(marks)})\n"
        )
    raise TypeError(
        f"narrow() received an invalid combination of arguments - got ({', '.join(names)}), but expected one of:\n"
        + "".join(lines)
    )


def _no_more(fn: str, kw: dict[str, Any]) -> None:
    for k in kw:
        if k not in ("layout", "pin_memory"):
            raise _check.unexpected_keyword(fn, k)


_NOT_GIVEN: Any = object()  # repeat_interleave(t) differs from repeat_interleave(t, None) (a TypeError)
_SIGNATURES_FN = (
    " * (Tensor input, Tensor repeats, int dim = None, *, int output_size = None)\n"
    " * (Tensor repeats, *, int output_size = None)\n{why}"
    " * (Tensor input, int repeats, int dim = None, *, int output_size = None)\n"
)
_SIGNATURES_METHOD = (
    " * (Tensor repeats, int dim = None, *, int output_size = None)\n"
    " * (int repeats, int dim = None, *, int output_size = None)\n"
)


def _invalid_repeats(args: tuple[Any, ...], method: bool) -> TypeError:
    """torch's invalid-combination TypeError for repeats of another type (function or method form)."""
    names = [_check.type_name(a) for a in args]
    got = f"got ({', '.join(names)}), but expected one of:\n"
    if method:
        return TypeError(
            f"repeat_interleave() received an invalid combination of arguments - {got}{_SIGNATURES_METHOD}"
        )
    why = (  # torch explains the mismatch against (Tensor repeats) only when a dim was given too
        f"      didn't match because some of the arguments have invalid types: "
        f"({', '.join(n if i == 0 and n == 'Tensor' else f'!{n}!' for i, n in enumerate(names))})\n"
        if len(args) > 2
        else ""
    )
    return TypeError(
        f"repeat_interleave() received an invalid combination of arguments - {got}{_SIGNATURES_FN.format(why=why)}"
    )


def repeat_interleave(
    input: Any,  # noqa: A002
    repeats: Any = _NOT_GIVEN,
    dim: Any = None,
    *,
    output_size: Any = None,
) -> Any:
    """torch.repeat_interleave(input, repeats, dim) or, with one tensor of counts, the indices they repeat."""
    # repeat_interleave(repeats): the indices 0..n-1, each repeated repeats[i] times
    if repeats is _NOT_GIVEN:
        _check.tensor("repeat_interleave", "repeats", 1, input)
        idx = make_tensor(input.result_type, np.arange(input.array.size, dtype=np.int64), None, 0)
        return interleave(idx, input, 0, output_size, method=False)
    return interleave(input, repeats, dim, output_size, method=False)


def _zero_dim(repeats: Any, dim: Any) -> IndexError:
    """torch's error for a 0-d input with a dim: index_select's, or unsqueeze(dim + 1)'s."""
    if isinstance(repeats, TensorBase):
        d = _check.integer("repeat_interleave", "dim", 3, dim)
        return IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    _dim("repeat_interleave", dim, 0)
    return IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")


def interleave(input: Any, repeats: Any, dim: Any, output_size: Any, method: bool) -> Any:  # noqa: A002
    """repeat_interleave with the repeats given, as the function (method=False) or the Tensor method."""
    ok = isinstance(input, TensorBase) and (isinstance(repeats, TensorBase) or _check.is_int(repeats))
    if not ok or (dim is not None and (isinstance(dim, TensorBase) or not _check.is_int(dim))):
        given = (repeats,) if method else (input, repeats)
        raise _invalid_repeats(given + (() if dim is None else (dim,)), method)
    if input.array.ndim == 0 and dim is not None:
        raise _zero_dim(repeats, dim)
    x = input if dim is not None else ops.reshape(input, (-1,))
    d = 0 if dim is None else _dim("repeat_interleave", dim, input.array.ndim)
    counts = repeat_counts(repeats, x.array.shape[d], dim)
    if output_size is not None and int(output_size) != int(counts.sum()):
        raise RuntimeError("allocated size does not match required size")
    if not isinstance(repeats, TensorBase):  # tile a new axis and merge it: a view's gradient, as torch
        r, shp = int(counts[0]) if counts.size else 0, x.array.shape
        y = ops.expand(ops.reshape(x, shp[: d + 1] + (1,) + shp[d + 1 :]), shp[: d + 1] + (r,) + shp[d + 1 :])
        return ops.reshape(y, shp[:d] + (shp[d] * r,) + shp[d + 1 :])
    idx = np.repeat(np.arange(counts.size), counts)
    return _IndexSelect.apply(x, idx=(slice(None),) * d + (idx,))
