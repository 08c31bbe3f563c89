"""torch's argument checks: its argument parser's TypeErrors and its dtype checks, in torch's words.

Each helper raises what real torch raises for a bad argument (verified by tests/test_torch_error_grid.py),
so a wrong argument never reaches numpy and leaks numpy's message.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import ops
from .._shapes import index_error, normalize_axes
from ..tape import TensorBase
from ..tensor import as_array

# torch's C++ scalar type names, as its kernels print them ("not implemented for 'Long'")
SCALAR = {"f2": "Half", "f4": "Float", "f8": "Double", "i8": "Long", "i4": "Int", "i2": "Short", "i1": "Char"}
SCALAR.update({"u1": "Byte", "b1": "Bool", "c8": "ComplexFloat", "c16": "ComplexDouble"})


def scalar_name(t: Any) -> str:
    """'Float', 'Long', 'Bool', ... for a tensor or numpy dtype."""
    d = np.dtype(t.array.dtype if isinstance(t, TensorBase) else t)
    return SCALAR.get(f"{d.kind}{d.itemsize}", d.name)


# the C++ names some of torch's messages use ("expected m1 and m2 to have the same dtype ... float != double")
CPP = {
    "Float": "float",
    "Double": "double",
    "Long": "long int",
    "Int": "int",
    "Bool": "bool",
    "Half": "c10::Half",
}


def cpp_name(t: Any) -> str:
    """'float', 'double', 'long int', ... for a tensor or numpy dtype."""
    n = scalar_name(t)
    return CPP.get(n, n)


def type_name(v: Any) -> str:
    """How torch's argument parser names a value's type."""
    return "Tensor" if isinstance(v, TensorBase) else type(v).__name__


def is_int(v: Any) -> bool:
    """A Python / numpy integer (not a bool), or an integer tensor of one element."""
    if isinstance(v, TensorBase):
        return v.array.size == 1 and v.array.dtype.kind in "iu"
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def is_number(v: Any) -> bool:
    """A real Python / numpy number (bools count, as in torch)."""
    return isinstance(v, (numbers.Real, np.number, np.bool_))


def tensor(fn: str, name: str, pos: int, v: Any) -> None:
    """argument must be a Tensor."""
    if not isinstance(v, TensorBase):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type_name(v)}")


def tensor_or_number(fn: str, name: str, pos: int, v: Any) -> None:
    """argument must be a Tensor or a real number."""
    if not isinstance(v, TensorBase) and not is_number(v):
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got {type_name(v)} for '{name}' "
            f"(position {pos}), but expected Tensor or Number"
        )


def number(fn: str, name: str, pos: int, v: Any, allow_none: bool = False) -> None:
    """argument must be a real number (a one-element tensor too)."""
    if v is None and allow_none:
        return
    if not is_number(v) and not (isinstance(v, TensorBase) and v.array.size == 1):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Number, not {type_name(v)}")


def integer(fn: str, name: str, pos: int, v: Any) -> int:
    """argument must be an int; returns it."""
    if not is_int(v):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not {type_name(v)}")
    return int(v.array.item() if isinstance(v, TensorBase) else v)


def dims(fn: str, v: Any, allow_none: bool = True) -> Any:
    """A dim argument: an int, a tuple / list of ints (or None): TypeError otherwise."""
    if v is None and allow_none:
        return v
    if isinstance(v, (tuple, list)):
        for i, d in enumerate(v):
            if not is_int(d):
                raise TypeError(
                    f"{fn}(): argument 'dim' must be tuple of ints, but found element of type "
                    f"{type_name(d)} at pos {i}"
                )
        return tuple(int(d) for d in v)
    return integer(fn, "dim", 2, v)


def sizes(fn: str, name: str, args: tuple[Any, ...]) -> tuple[int, ...]:
    """A size given as ints or as one sequence of ints: TypeError for anything else."""
    seq = args[0] if len(args) == 1 and not is_int(args[0]) else args
    if not isinstance(seq, (tuple, list)):
        raise TypeError(f"{fn}(): argument '{name}' (position 1) must be tuple of ints, not {type_name(seq)}")
    for i, s in enumerate(seq):
        if not is_int(s):
            raise TypeError(
                f"{fn}(): argument '{name}' (position 1) must be tuple of ints, but found element of "
                f"type {type_name(s)} at pos {i}"
            )
    return tuple(int(s) for s in seq)


def new_sizes(fn: str, args: tuple[Any, ...]) -> tuple[int, ...]:
    """The size of a new tensor: ints, none negative."""
    shape = sizes(fn, "size", args)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def new_weight_shape(*shape: Any) -> tuple[int, ...]:
    """A module's weight size: torch allocates it with empty() first, so its errors are empty()'s."""
    for i, s in enumerate(shape):
        if not is_int(s) and i == 0:
            raise TypeError(
                "empty(): argument 'size' (position 1) must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos 0"
            )
        if not is_int(s):
            raise TypeError(
                f"empty(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                f'"type must be tuple of ints,but got {type(s).__name__}"'
            )
    return new_sizes("empty", shape)


def grad_dtype(dtype: Any, method: bool = False) -> None:
    """Only floating-point and complex tensors can require gradients. torch words the refusal by path:
    `t.requires_grad_()` (method) says "only ... floating point dtype", requires_grad=True of a factory
    (torch.tensor, zeros, new_zeros, nn.Parameter, ...) "Only ... floating point and complex dtype"."""
    if np.dtype(dtype).kind not in "fc":
        raise RuntimeError(
            "only Tensors of floating point dtype can require gradients"
            if method
            else "Only Tensors of floating point and complex dtype can require gradients"
        )


def boolean(fn: str, name: str, pos: int, v: Any) -> bool:
    """argument must be a bool."""
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be bool, not {type_name(v)}")
    return bool(v)


def not_bool(fn: str, x: TensorBase, msg: str | None = None) -> None:
    """Ops torch refuses on bool tensors."""
    if x.array.dtype == np.bool_:
        raise RuntimeError(msg or f"{fn}(): does not support bool input")


def kernel(fn: str, x: TensorBase, kinds: str = "fc") -> None:
    """A kernel torch only has for some dtypes: NotImplementedError '"fn" not implemented for 'Long''."""
    if x.array.dtype.kind not in kinds:
        raise NotImplementedError(f"\"{fn}\" not implemented for '{scalar_name(x)}'")


def same_dtype(a: TensorBase, b: TensorBase, msg: str) -> None:
    """Operands that must share a dtype; msg has {a} and {b} for their names ('Float', or 'float' if cpp)."""
    if a.array.dtype != b.array.dtype:
        name = cpp_name if "!=" in msg else scalar_name
        raise RuntimeError(msg.format(a=name(a), b=name(b)))


def index_items(t: TensorBase, items: tuple[Any, ...]) -> None:
    """torch's checks of an index before numpy sees it: types, and boolean masks' shapes."""
    for i in items:
        if isinstance(i, str):
            raise TypeError(f"new(): invalid data type '{type(i).__name__}'")
        if isinstance(i, TensorBase) and i.array.dtype == np.bool_:
            err = index_error(t.array.shape, ops.plain_index(items))
            if err is not None:
                raise t.op_error(err)


def data_array(data: Any, dtype: Any) -> np.ndarray:
    """torch.tensor's data as an array: torch's errors for ragged lists and non-numeric data."""
    if (
        isinstance(data, str)
        or data is None
        or isinstance(data, dict)
        or (not isinstance(data, (list, tuple, np.ndarray, np.generic, TensorBase)) and not is_number(data))
    ):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    try:
        return as_array(data, dtype)
    except ValueError:
        raise ValueError(
            f"expected sequence of length {_first_len(data)} at dim 1 (got {_other_len(data)})"
        ) from None


def _first_len(data: Any) -> int:
    return (
        len(data[0]) if isinstance(data, (list, tuple)) and data and isinstance(data[0], (list, tuple)) else 0
    )


def _other_len(data: Any) -> int:
    n = _first_len(data)
    return next(
        (
            len(x) if isinstance(x, (list, tuple)) else 0
            for x in data
            if not (isinstance(x, (list, tuple)) and len(x) == n)
        ),
        0,
    )


def norm_dim(d: int, nd: int, fn: str = "dim") -> int:
    """One int dim in [0, nd) (0 for a 0-d tensor): torch's TypeError, then its IndexError (the core's)."""
    return normalize_axes(integer(fn, "dim", 1, d), nd)[0]


def kw_size(fn: str, args: tuple[Any, ...], kw_value: Any, rest: dict[str, Any] | None = None) -> tuple:
    """Positional sizes, or the one keyword torch names them by (`size=`, `shape=`, `repeats=`)."""
    if rest:
        raise unexpected_keyword(fn, next(iter(rest)))
    if kw_value is None:
        return args
    if args:
        raise TypeError(
            f"{fn}() received an invalid combination of arguments: both positional sizes and a keyword"
        )
    return (kw_value,)


def unexpected_keyword(fn: str, key: str) -> TypeError:
    """torch's TypeError for a keyword the function does not take."""
    return TypeError(f"{fn}() got an unexpected keyword argument '{key}'")


def tensor_options(d: np.dtype) -> str:
    """How torch prints a legacy constructor's TensorOptions for dtype `d`."""
    return (
        f"TensorOptions(dtype={cpp_name(d)}, device=cpu, layout=Strided, requires_grad=false (default), "
        "pinned_memory=false (default), memory_format=(nullopt))"
    )


def legacy_array(args: tuple[Any, ...], d: np.dtype, fn: str) -> Any:
    """What a legacy constructor of dtype `d` makes of its arguments: a new array (sizes, a torch.Size or
    data; zeros where torch leaves memory uninitialised), or a Tensor of that dtype itself (torch returns it).
    """
    if not args:
        return np.zeros((0,), d)
    if all(is_int(a) and not isinstance(a, TensorBase) for a in args) or (
        len(args) == 1 and isinstance(args[0], tuple) and type(args[0]).__name__ == "Size"
    ):
        return np.zeros(new_sizes(fn, args), d)
    if len(args) > 1:
        raise TypeError(f"{fn}(): expected sizes or one sequence of data, got {len(args)} arguments")
    data = args[0]
    if isinstance(data, TensorBase):
        if data.array.dtype != d:
            raise TypeError(f"expected {tensor_options(d)} (got {tensor_options(data.array.dtype)})")
        return data
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if not isinstance(data, (list, tuple, np.ndarray)):
        raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    return np.array(data_array(data, d))
