"""torch's legacy typed constructors: torch.FloatTensor(...), DoubleTensor, LongTensor, ...

`torch.FloatTensor([1, 2])` converts data, `torch.FloatTensor(2, 3)` (or a torch.Size) allocates that
shape (zeros here; torch leaves the memory uninitialised), `torch.FloatTensor()` is empty. The result
is an ordinary Tensor, and `isinstance(t, torch.FloatTensor)` asks for a float32 tensor, as in torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tape import TensorBase
from . import _check, _dtype
from ._dtype import Size
from ._factories import make

_SIGNATURES = (
    "but expected one of:\n * (*, torch.device device = None)\n * (torch.Storage storage)\n"
    " * (Tensor other)\n * (tuple of ints size, *, torch.device device = None)\n"
    " * (object data, *, torch.device device = None)\n"
)


def _options(d: np.dtype) -> str:
    return (
        f"TensorOptions(dtype={_check.cpp_name(d)}, device=cpu, layout=Strided, requires_grad=false (default), "
        "pinned_memory=false (default), memory_format=(nullopt))"
    )


def _invalid(args: tuple[Any, ...], kwargs: dict[str, Any]) -> TypeError:
    got = [_check.type_name(a) for a in args] + [f"{k}={_check.type_name(v)}" for k, v in kwargs.items()]
    got = [g.replace("dtype=dtype", "dtype=torch.dtype") for g in got]
    signatures = _SIGNATURES
    if len(args) > 1 and not kwargs:  # torch explains the mismatch: after (*, device) for two, else size/data
        why = f"      didn't match because some of the arguments have invalid types: ({', '.join(f'!{g}!' for g in got)})\n"
        lines = signatures.split("\n")
        for i in (1,) if len(args) == 2 else (4, 5):
            lines[i] += "\n" + why.rstrip("\n")
        signatures = "\n".join(lines)
    return TypeError(
        f"new() received an invalid combination of arguments - got ({', '.join(got)}), {signatures}"
    )


def _unpack_error(args: tuple[Any, ...]) -> TypeError | None:
    """torch's error for sizes whose first is an int and a later one is not (None: not that case)."""
    if not _check.is_int(args[0]):
        return None
    pos, bad = next((i, a) for i, a in enumerate(args) if not _check.is_int(a))
    return TypeError(
        f"new(): argument 'size' failed to unpack the object at pos {pos + 1} with error "
        f'"type must be tuple of ints,but got {_check.type_name(bad)}"'
    )


class _LegacyType(type):
    """isinstance(t, torch.FloatTensor) is true for a float32 Tensor, as torch's legacy types answer."""

    dtype: _dtype.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, TensorBase) and obj.array.dtype == cls.dtype.dtype

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


class _LegacyTensor(metaclass=_LegacyType):
    """torch.<Type>Tensor(*sizes | data | tensor, device=None): a new Tensor of the type's dtype."""

    dtype = _dtype.float32

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
        d = cls.dtype.dtype
        if set(kwargs) - {"device"}:
            raise _invalid(args, kwargs)
        dev = kwargs.get("device")
        if dev is not None and _dtype.device(dev).type != "cpu":
            raise RuntimeError(
                f"legacy constructor expects device type: cpu but device type: {_dtype.device(dev).type} was passed"
            )
        if not args:
            return make(np.zeros((0,), d))
        sizes = all(_check.is_int(a) for a in args) and (len(args) > 1 or not isinstance(args[0], TensorBase))
        if sizes or (len(args) == 1 and isinstance(args[0], Size)):
            return make(np.zeros(_check.new_sizes(cls.__name__, args), d))
        if len(args) > 1:
            raise _unpack_error(args) or _invalid(args, kwargs)
        data = args[0]
        if isinstance(data, TensorBase):
            if data.array.dtype != d:
                raise TypeError(f"expected {_options(d)} (got {_options(data.array.dtype)})")
            return ops.reshape(data, data.array.shape)  # torch returns an alias: same memory, same graph
        if isinstance(data, str):
            raise TypeError("new(): invalid data type 'str'")
        if not isinstance(data, (list, tuple, np.ndarray)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        return make(np.array(_check.data_array(data, d)))


def _legacy(name: str, dt: _dtype.dtype) -> type:
    return _LegacyType(name, (_LegacyTensor,), {"dtype": dt, "__doc__": f"torch.{name}: {dt} tensors."})


FloatTensor = _legacy("FloatTensor", _dtype.float32)
DoubleTensor = _legacy("DoubleTensor", _dtype.float64)
HalfTensor = _legacy("HalfTensor", _dtype.float16)
LongTensor = _legacy("LongTensor", _dtype.int64)
IntTensor = _legacy("IntTensor", _dtype.int32)
ShortTensor = _legacy("ShortTensor", _dtype.int16)
CharTensor = _legacy("CharTensor", _dtype.int8)
ByteTensor = _legacy("ByteTensor", _dtype.uint8)
BoolTensor = _legacy("BoolTensor", _dtype.bool)

__all__ = [
    "BoolTensor",
    "ByteTensor",
    "CharTensor",
    "DoubleTensor",
    "FloatTensor",
    "HalfTensor",
    "IntTensor",
    "LongTensor",
    "ShortTensor",
]
