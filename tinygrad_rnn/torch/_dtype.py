"""torch's small value types: dtype objects (printing as torch.float32), Size and device."""

from __future__ import annotations

import builtins
import functools
from typing import Any

import numpy as np

from .. import ops
from ..tape import TensorBase
from . import _check


class dtype:  # noqa: N801 - torch's name
    """A torch dtype: prints as ``torch.float32``; ``.dtype`` is the numpy dtype (so numpy accepts it)."""

    __slots__ = ("name", "dtype", "is_floating_point", "is_complex", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype: Any):
        self.name = name
        self.dtype = np.dtype(np_dtype)
        self.is_floating_point = self.dtype.kind == "f"
        self.is_complex = self.dtype.kind == "c"
        self.is_signed = self.dtype.kind in "ifc"
        self.itemsize = self.dtype.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # pickles/copies as the module-level singleton


float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
float16 = dtype("float16", np.float16)
int64 = dtype("int64", np.int64)
int32 = dtype("int32", np.int32)
int16 = dtype("int16", np.int16)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
uint16 = dtype("uint16", np.uint16)  # torch has few ops for uint16/32/64; they are kept and saved
uint32 = dtype("uint32", np.uint32)
uint64 = dtype("uint64", np.uint64)
bool = dtype("bool", np.bool_)  # noqa: A001 - torch.bool
complex64 = dtype("complex64", np.complex64)
complex128 = dtype("complex128", np.complex128)

_BY_NP = {
    d.dtype: d
    for d in (
        float32, float64, float16, int64, int32, int16, int8, uint8, uint16, uint32, uint64, bool, complex64,
        complex128,
    )
}  # fmt: skip
LEGACY_TYPE = {
    float32: "FloatTensor",
    float64: "DoubleTensor",
    int64: "LongTensor",
    int32: "IntTensor",
    bool: "BoolTensor",
}


_DEFAULT = [float32]  # torch.set_default_dtype's state: the dtype of Python floats and factories


def default_float() -> np.dtype:
    """The numpy dtype Python floats and floating factories get (float32 unless set_default_dtype)."""
    return _DEFAULT[0].dtype


def default_complex() -> np.dtype:
    """The numpy dtype Python complex numbers get: complex128 under a float64 default, else complex64."""
    return np.dtype(np.complex128 if _DEFAULT[0] is float64 else np.complex64)


def get_default_dtype() -> dtype:
    """The current default floating dtype (torch.float32 at start)."""
    return _DEFAULT[0]


def set_default_dtype(d: Any) -> None:
    """Set the dtype of Python floats and floating factories: float16, float32 or float64, as torch."""
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _DEFAULT[0] = d


def _category(d: np.dtype) -> int:
    return {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[d.kind]


def _promote_two(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch's promotion of two dtypes: the higher category wins as it is (float32 with int64 is
    float32, where numpy says float64); within a category, the wider (numpy agrees there)."""
    ca, cb = _category(a), _category(b)
    return a if ca > cb else b if cb > ca else np.result_type(a, b)


def result_type(*tensors: TensorBase) -> np.dtype:
    """torch.result_type of Tensors: dimensioned ones decide, and 0-d ones only when their category
    is higher than all of theirs (a float32 vector with a float64 scalar tensor stays float32)."""
    dims = [t.array.dtype for t in tensors if t.array.ndim]
    zeros = [t.array.dtype for t in tensors if not t.array.ndim]
    out = functools.reduce(_promote_two, dims or zeros)
    higher = [z for z in zeros if _category(z) > _category(out)] if dims else []
    if higher:
        top = max(_category(z) for z in higher)
        out = functools.reduce(_promote_two, [z for z in higher if _category(z) == top])
    return out


def cast_to(x: Any, dt: np.dtype) -> Any:
    """A Tensor in dtype dt (a recorded cast, so gradients flow back); numbers and arrays as they are."""
    return ops.cast(x, dt) if isinstance(x, TensorBase) and x.array.dtype != dt else x


def from_np(d: Any) -> dtype:
    """The torch dtype of a numpy dtype."""
    d = np.dtype(d)
    try:
        return _BY_NP[d]
    except KeyError:
        raise TypeError(f"tinygrad_rnn.torch: numpy dtype {d} has no torch counterpart") from None


def to_np(d: Any) -> np.dtype | None:
    """A dtype argument (torch dtype, numpy dtype or Python type) as a numpy dtype (None stays None)."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.dtype
    if isinstance(d, (str, int, float)) and not isinstance(d, type):
        raise TypeError(f"argument 'dtype' must be torch.dtype, not {type(d).__name__}")
    if d is float:
        return np.dtype(np.float64)  # torch maps Python float to float64, as numpy does
    return np.dtype(d)


class Size(tuple):
    """torch.Size: a tuple that prints as ``torch.Size([4, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, i: Any) -> Any:
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def numel(self) -> int:
        """Product of the sizes."""
        n = 1
        for s in self:
            n *= s
        return n


# the device types torch's parser knows (its "Expected one of ..." list, in its order)
DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
    "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip


class device:  # noqa: N801 - torch's name
    """torch.device: any of torch's device types can be named; only the CPU can hold a tensor here."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any = "cpu", index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, int) and type is not True and type is not False:  # `bool` is torch.bool here
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError(
                f"device() received an invalid combination of arguments - got ({type.__class__.__name__}), "
                "but expected one of: (torch.device device) (str type, int index = -1)"
            )
        spec = type
        if ":" in spec:
            spec, idx = spec.split(":", 1)
            if not idx.isdigit() or index is not None:
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if spec not in DEVICE_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: {type}"
            )
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type, self.index = spec, index

    def __repr__(self) -> str:
        return (
            f"device(type='{self.type}')"
            if self.index is None
            else f"device(type='{self.type}', index={self.index})"
        )

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> Any:
        if isinstance(other, str):  # a deviation kept for existing code: torch says False here
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(d: Any) -> None:
    """Accept None / 'cpu' / device('cpu'); any other device raises what torch without it raises."""
    if d is None:
        return
    dev = device(d)
    if dev.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if dev.type != "cpu":
        raise RuntimeError(f"tinygrad_rnn.torch has only the 'cpu' device, not '{dev}'")


def parse_to(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[np.dtype | None, builtins.bool | None]:
    """The arguments of Tensor.to and nn.Module.to, parsed as torch's _parse_to does: (the target numpy
    dtype or None, the copy flag or None when not given).

    By keyword: dtype, device (the CPU only), non_blocking, copy, memory_format. Positionally: a dtype, a
    tensor (its dtype), a device (or None), then bools (non_blocking, copy); an int is an accelerator
    index, and a bool first is torch.bool (as torch reads it).
    """
    kwargs = dict(kwargs)
    target = kwargs.pop("dtype", None)
    check_device(kwargs.pop("device", None))
    copy = kwargs.pop("copy", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise _check.unexpected_keyword("to", next(iter(kwargs)))
    flags = 0
    for i, a in enumerate(args):
        if isinstance(a, (dtype, np.dtype, type)):
            target = a
        elif isinstance(a, TensorBase):
            target = a.array.dtype
        elif isinstance(a, (str, device)) or a is None:
            check_device(a)
        elif isinstance(a, (builtins.bool, np.bool_)):  # `bool` is torch.bool in this module
            if i == 0:  # torch's parser reads a leading bool as the dtype torch.bool
                target = bool
                continue
            flags += 1
            if flags == 2:  # non_blocking, then copy
                copy = a
        elif isinstance(a, int):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    return to_np(target), copy
