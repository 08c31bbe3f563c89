"""MindSpore's dtype objects (``mindspore.float32`` ...): print as ``Float32``, map onto numpy dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np


class Type:
    """One element type: ``str`` gives MindSpore's name (Float32), ``repr`` the attribute (mindspore.float32).

    ``.dtype`` is the numpy dtype, so ``np.dtype(mindspore.float32)`` and ``arr.astype(mindspore.float32)``
    work wherever numpy takes a dtype.
    """

    __slots__ = ("name", "attr", "dtype")

    def __init__(self, name: str, attr: str, np_dtype: Any):
        self.name, self.attr, self.dtype = name, attr, np.dtype(np_dtype)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"mindspore.{self.attr}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Type) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(self.dtype)


float16 = Type("Float16", "float16", np.float16)
float32 = Type("Float32", "float32", np.float32)
float64 = Type("Float64", "float64", np.float64)
int8 = Type("Int8", "int8", np.int8)
int16 = Type("Int16", "int16", np.int16)
int32 = Type("Int32", "int32", np.int32)
int64 = Type("Int64", "int64", np.int64)
uint8 = Type("UInt8", "uint8", np.uint8)
uint16 = Type("UInt16", "uint16", np.uint16)  # a checkpoint may hold these (MindSpore saves them)
uint32 = Type("UInt32", "uint32", np.uint32)
uint64 = Type("UInt64", "uint64", np.uint64)
bool_ = Type("Bool", "bool", np.bool_)

half, single, double = float16, float32, float64

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool_)
_BY_NP = {t.dtype: t for t in _ALL}


def to_np(dtype: Any) -> np.dtype:
    """A numpy dtype for a MindSpore Type, a numpy dtype or type, or None (-> None)."""
    if dtype is None:
        return None
    if isinstance(dtype, Type):
        return dtype.dtype
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"For 'Tensor', the 'dtype' must be a mindspore dtype, but got {dtype!r}.") from None


def from_np(dtype: Any) -> Type:
    """The MindSpore Type of a numpy dtype."""
    dt = np.dtype(dtype)
    t = _BY_NP.get(dt)
    if t is None:
        raise TypeError(f"numpy dtype {dt} has no MindSpore counterpart here")
    return t


def dtype_to_nptype(type_: Type) -> type:
    """The numpy scalar type of a MindSpore dtype (mindspore.float32 -> numpy.float32)."""
    if not isinstance(type_, Type):  # MindSpore looks it up in a dict: KeyError
        raise KeyError(f"dtype_to_nptype: {type_!r} is not a MindSpore dtype")
    return to_np(type_).type


def pytype_to_dtype(obj: Any) -> Type:
    """bool -> bool_, int -> int64, float -> float32 (MindSpore's defaults), numpy types by dtype."""
    if obj is bool:
        return bool_
    if obj is int:
        return int64
    if obj is float:
        return float32
    return from_np(obj)
