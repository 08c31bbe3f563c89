"""The argument checks MindSpore's RNN layers and cells share, with its exception types and messages.

Real MindSpore keeps a copy of these in both ``nn/layer/rnns.py`` and ``nn/layer/rnn_cells.py``
(``_check_is_tensor``, ``_check_is_tuple``, ``_check_tuple_length``, ``_check_input_dtype``); here they
live once, for `rnns` and `rnn_cells` alike.
"""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor as CoreTensor
from ..common import dtype as mstype

FLOAT_INPUT = (mstype.float32, mstype.float16)
TUPLE_TYPE = "<class 'mindspore._c_expression.typing.Tuple'>"


def typeof(v: Any) -> str:
    """MindSpore's name for the type of an argument (as its errors print it: ops.typeof)."""
    if v is None:
        return "None"
    if isinstance(v, str):
        return "String"
    if isinstance(v, bool):
        return "Bool"
    if isinstance(v, int):
        return "Int64"
    if isinstance(v, float):
        return "Float32"
    if isinstance(v, CoreTensor):
        return f"Tensor[{v.dtype}]"
    if isinstance(v, (tuple, list)):
        names = [typeof(e) for e in v]
        inner = f"{names[0]}*{len(names)}" if names and len(set(names)) == 1 else ",".join(names)
        return f"{'Tuple' if isinstance(v, tuple) else 'List'}[{inner}]"
    return "External"


def check_is_tensor(name: str, v: Any, cls: str) -> None:
    """v is None or a Tensor: MindSpore's _check_is_tensor."""
    if v is not None and not isinstance(v, CoreTensor):
        raise TypeError(
            f"For '{cls}', the '{name}' must be '<class 'mindspore._c_expression.typing.TensorType'>', "
            f"but got '{typeof(v)}'"
        )


def check_hx_pair(hx: Any, cls: str) -> tuple[Any, Any]:
    """An LSTM's hx: a tuple of two Tensors (MindSpore's _check_is_tuple / _check_tuple_length)."""
    if not isinstance(hx, tuple):
        raise TypeError(f"For '{cls}', the 'hx' must be '{TUPLE_TYPE}', but got '{typeof(hx)}'")
    if len(hx) != 2:
        raise TypeError(f"For '{cls}', the length of 'hx' must be '2', but got '{len(hx)}'")
    for i, t in enumerate(hx):
        check_is_tensor(f"hx[{i}]", t, cls)
    for t in hx:
        if t is None:  # MindSpore's check lets None through, then reads its dtype
            raise AttributeError("'NoneType' object has no attribute 'dtype'")
    return hx[0], hx[1]


def check_float_dtype(name: str, dt: mstype.Type, cls: str) -> None:
    """dt is float32 or float16: MindSpore's check_tensor_dtype_valid."""
    if dt not in FLOAT_INPUT:
        raise TypeError(
            f"For '{cls}', the element of '{name}' must be one of Float32, Float16, but got {dt}.The supported "
            "data types depend on the hardware that executes the operator, for more details, please refer to "
            "the MindSpore official website to get more information about the data type."
        )


def check_same_float(args: list[tuple[str, Any]], cls: str) -> None:
    """MindSpore's check_types_same_and_valid: each dtype valid, then equal to the first one's, in turn."""
    first, first_dt = args[0]
    check_float_dtype(first, first_dt, cls)
    for name, dt in args[1:]:
        check_float_dtype(name, dt, cls)
        if dt != first_dt:
            raise TypeError(
                f"For '{cls}', the type of '{name}' should be same as '{first}', but got '{first}' with type "
                f"{first_dt} and '{name}' with type {dt}."
            )


def check_type_name(name: str, dt: Any, valid: tuple[mstype.Type, ...], cls: str) -> None:
    """dt is one of `valid`: MindSpore's check_type_name."""
    if not (isinstance(dt, mstype.Type) and dt in valid):
        shown = getattr(dt, "__name__", repr(dt))
        raise TypeError(f"For '{cls}', the '{name}' should be one of {list(valid)}, but got '{shown}'.")


# the dtypes MindSpore 2.10's Tensor accepts (mstype.number_type + (bool_, string)), as its message lists them
TENSOR_DTYPES = (
    "mindspore.int8, mindspore.int16, mindspore.int32, mindspore.int64, mindspore.uint8, mindspore.uint16, "
    "mindspore.uint32, mindspore.uint64, mindspore.float16, mindspore.float32, mindspore.float64, "
    "mindspore.bfloat16, mindspore.complex64, mindspore.complex128, mindspore.int4, mindspore.float8_e4m3fn, "
    "mindspore.float8_e5m2, mindspore.hifloat8, mindspore.bool, mindspore.string_"
)


def parameter_dtype(dtype: Any, cell: bool) -> mstype.Type:
    """A layer's or cell's `dtype` argument, checked where MindSpore's parameter Tensors check it.

    None is float32 for a layer (its weights are Tensors of float32 numpy arrays) and an error for a cell
    (its weights come from `initializer`, which needs a dtype)."""
    if dtype is None:
        if cell:
            raise ValueError("init, dtype and shape must have values at the same time.")
        return mstype.float32
    if not isinstance(dtype, mstype.Type):
        shown = getattr(dtype, "__name__", repr(dtype))
        raise TypeError(f"For 'Tensor', the 'dtype' should be one of [{TENSOR_DTYPES}], but got '{shown}'.")
    return dtype
