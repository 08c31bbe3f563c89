"""Our stand-ins for the globals a weights file may name: tensor / Parameter rebuilds, storages, dtypes.

Tensor data comes only from `Storage` objects the loader made from archive members. A view is checked
against its storage (offset, size and stride must stay inside it) before ``as_strided``, so nothing
outside the storage is ever read; a view with more elements than its storage (stride 0, as torch's
``expand`` saves) is materialised, and only up to MAX_VIEW_ELEMENTS elements. Views inside one storage
come back sharing it, as in torch. A bfloat16 storage is widened to float32 (exact: bfloat16 is the top
half of a float32); uint16 / uint32 / uint64 tensors (which torch writes with ``_rebuild_tensor_v3``
over an untyped storage) load with their dtype. Arguments a weights file never holds raise
``pickle.UnpicklingError``; data that does not fit its storage raises RuntimeError (as torch does).
"""

from __future__ import annotations

import math
import pickle
from typing import Any

import numpy as np

from . import _dtype
from ._factories import from_numpy

MAX_VIEW_ELEMENTS = 2**24  # elements a stride-0 view may materialise beyond its storage's own count

OUR_DTYPES = {
    name: getattr(_dtype, name)
    for name in (
        "float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "uint16", "uint32",
        "uint64", "bool", "complex64", "complex128",
    )
}  # fmt: skip
EXTRA_DTYPES = ("bfloat16",)  # torch dtypes we lack (bfloat16: widened from its typed storage)
# typed storage class -> numpy dtype of its elements (None: bfloat16, stored as the top half of float32)
STORAGE_DTYPES: dict[str, Any] = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "BFloat16Storage": None, "ComplexFloatStorage": np.complex64, "ComplexDoubleStorage": np.complex128,
    "BoolStorage": np.bool_, "CharStorage": np.int8, "ByteStorage": np.uint8, "ShortStorage": np.int16,
    "IntStorage": np.int32, "LongStorage": np.int64,
}  # fmt: skip


def brief(value: Any) -> str:
    """A short description of a value from a file (never a deep repr: that could recurse without end)."""
    scalars = (str, bytes, int, float, bool, type(None))
    if isinstance(value, scalars) or (
        isinstance(value, (tuple, list)) and len(value) <= 8 and all(isinstance(v, scalars) for v in value)
    ):
        return repr(value)[:80]
    return f"a {type(value).__name__}"


def refuse(message: str) -> pickle.UnpicklingError:
    """The error for a pickle that does what a weights file never does (worded as torch words it)."""
    return pickle.UnpicklingError(f"Weights only load failed. {message}")


class ExtraDtype:
    """A torch dtype tinygrad_rnn.torch does not have (bfloat16), named by a file."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class StorageType:
    """A torch storage class named by a file (torch.FloatStorage, torch.storage.UntypedStorage, ...)."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str, dtype: Any):
        self.name, self.dtype = name, dtype

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class Storage:
    """One storage of the archive: a 1-D native-order numpy array (bytes for an untyped storage)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray):
        self.array = array


class Pending:
    """A numpy array or dtype being rebuilt: REDUCE made it, BUILD (its state) finishes it."""

    __slots__ = ("kind", "dtype")

    def __init__(self, kind: str, dtype: Any = None):
        self.kind, self.dtype = kind, dtype

    def finish(self, state: Any) -> Any:
        if self.kind == "dtype":
            return _finish_dtype(self.dtype, state)
        return _finish_array(state)


def _finish_dtype(dtype: np.dtype, state: Any) -> np.dtype:
    ok = isinstance(state, tuple) and len(state) == 8 and isinstance(state[1], str) and state[1] in "<>|="
    if not ok or not all(x is None for x in state[2:5]):
        raise refuse(f"a numpy dtype with state {brief(state)}")
    return dtype.newbyteorder(state[1]) if state[1] in "<>" else dtype


def _finish_array(state: Any) -> np.ndarray:
    if not (isinstance(state, tuple) and len(state) == 5 and type(state[0]) is int and state[0] == 1):
        raise refuse(f"a numpy array with state {brief(state)}")
    _, shape, dtype, fortran, raw = state
    if not isinstance(dtype, np.dtype) or not isinstance(raw, bytes) or not isinstance(fortran, bool):
        raise refuse("a numpy array whose state is not (1, shape, dtype, fortran, bytes)")
    shape = _dims(shape, "numpy array shape")
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise RuntimeError(f"a numpy array of shape {shape} and dtype {dtype} holding {len(raw)} bytes")
    flat = np.frombuffer(raw, dtype=dtype)
    arr = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    return np.array(arr, dtype=dtype.newbyteorder("="))


def _dims(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or not all(type(d) is int and d >= 0 for d in value):
        raise refuse(f"{what} {brief(value)} is not a tuple of non-negative ints")
    if len(value) > 64:
        raise refuse(f"{what} has {len(value)} dimensions")
    return tuple(value)


def _view(storage: Any, offset: Any, size: Any, stride: Any, dtype: Any = None) -> np.ndarray:
    """The array a tensor rebuild describes, checked to stay inside its storage."""
    if not isinstance(storage, Storage):
        raise refuse(f"a tensor rebuilt from a {type(storage).__name__}, not a storage")
    flat = storage.array
    if dtype is not None:  # _rebuild_tensor_v3: an untyped (byte) storage and the dtype apart
        flat = _typed(flat, dtype)
    size, stride = _dims(size, "size"), _dims(stride, "stride")
    if type(offset) is not int or offset < 0 or len(size) != len(stride):
        raise refuse(f"a tensor view with offset {brief(offset)}, size {size} and stride {stride}")
    numel = math.prod(size)
    if numel == 0:
        return np.empty(size, flat.dtype)
    end = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if end >= flat.size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset} are out of "
            f"bounds for storage of {flat.size} elements"
        )
    if numel > max(flat.size, MAX_VIEW_ELEMENTS):
        raise RuntimeError(
            f"a view of {numel} elements over a storage of {flat.size} (at most {MAX_VIEW_ELEMENTS})"
        )
    item = flat.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * item for s in stride))
    return view.copy() if numel > flat.size else view  # overlapping (expanded) views become plain arrays


def _typed(raw: np.ndarray, dtype: Any) -> np.ndarray:
    if isinstance(dtype, ExtraDtype):
        raise RuntimeError(
            f"torch.load: a tensor of dtype torch.{dtype.name}, which tinygrad_rnn.torch lacks"
        )
    if not isinstance(dtype, _dtype.dtype) or raw.dtype != np.uint8:
        raise refuse(f"a tensor of dtype {brief(dtype)} over a typed storage")
    if raw.size % dtype.itemsize:
        raise RuntimeError(f"a storage of {raw.size} bytes is no whole number of {dtype.name} elements")
    return raw.view(dtype.dtype)


def _tensor(arr: np.ndarray, requires_grad: Any, hooks: Any) -> Any:
    if type(requires_grad) is not bool or not (hooks is None or (isinstance(hooks, dict) and not hooks)):
        raise refuse("a tensor with a requires_grad that is not a bool or with backward hooks")
    if requires_grad and arr.dtype.kind not in "fc":
        raise RuntimeError(f"a {arr.dtype} tensor marked requires_grad (only floating point can be)")
    return from_numpy(arr).requires_grad_(requires_grad)


def rebuild_tensor_v2(storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any, hooks: Any,
                      metadata: Any = None) -> Any:  # fmt: skip
    """Stand-in for torch._utils._rebuild_tensor_v2: a Tensor viewing the storage."""
    return _tensor(_view(storage, offset, size, stride), requires_grad, hooks)


def rebuild_tensor_v3(storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any, hooks: Any,
                      dtype: Any, metadata: Any = None) -> Any:  # fmt: skip
    """Stand-in for torch._utils._rebuild_tensor_v3 (an untyped storage and the dtype apart)."""
    return _tensor(_view(storage, offset, size, stride, dtype), requires_grad, hooks)


def rebuild_parameter(data: Any, requires_grad: Any, hooks: Any, state: Any = None) -> Any:
    """Stand-in for torch._utils._rebuild_parameter(_with_state): a Parameter of the tensor `data`."""
    from ._tensor import Tensor
    from .nn.parameter import Parameter

    no_state = state is None or (type(state) is dict and not state)
    if not isinstance(data, Tensor) or type(requires_grad) is not bool or not no_state:
        raise refuse("a Parameter whose data is not a tensor, or with attributes set on it")
    if hooks is not None and not (isinstance(hooks, dict) and not hooks):
        raise refuse("a Parameter with backward hooks")
    if requires_grad and data.array.dtype.kind not in "fc":
        raise RuntimeError(f"a {data.array.dtype} Parameter marked requires_grad")
    return Parameter(data, requires_grad=requires_grad)


def size(dims: Any) -> Any:
    """Stand-in for torch.Size(dims)."""
    return _dtype.Size(_dims(dims, "torch.Size"))


def device(*args: Any) -> Any:
    """Stand-in for torch.device(...): a CPU or other device name (tensors all load on the CPU)."""
    if not 1 <= len(args) <= 2 or not all(isinstance(a, (str, int)) for a in args):
        raise refuse(f"torch.device{args!r:.80}")
    try:
        return _dtype.device(*args)
    except (RuntimeError, TypeError) as e:
        raise refuse(f"torch.device{args!r:.80}: {e}") from None


def codecs_encode(text: Any, encoding: Any = "latin1") -> bytes:
    """Stand-in for _codecs.encode(str, 'latin1'): how protocol 2 pickles bytes (no other codec)."""
    if not isinstance(text, str) or not isinstance(encoding, str) or encoding not in ("latin1", "latin-1"):
        raise refuse(f"_codecs.encode with {type(text).__name__} and {brief(encoding)} (only 'latin1')")
    try:
        return text.encode("latin1")
    except UnicodeEncodeError:
        raise refuse("_codecs.encode of text that is not latin1") from None


def byte_array(data: Any = b"") -> bytearray:
    """Stand-in for builtins.bytearray: of bytes only (bytearray(10**12) would allocate a terabyte)."""
    if not isinstance(data, bytes):
        raise refuse(f"bytearray of a {type(data).__name__}")
    return bytearray(data)


NDARRAY = StorageType("numpy.ndarray", None)  # only an argument of numpy's _reconstruct


def np_reconstruct(cls: Any, shape: Any, typecode: Any) -> Pending:
    """Stand-in for numpy.core.multiarray._reconstruct: the array comes with BUILD's state."""
    if cls is not NDARRAY:
        raise refuse("numpy's _reconstruct of something other than numpy.ndarray")
    return Pending("array")


def np_dtype(spec: Any, align: Any = False, copy: Any = True) -> Pending:
    """Stand-in for numpy.dtype(spec, ...): numeric dtypes only (an object dtype would need pickle)."""
    try:
        dt = np.dtype(spec) if isinstance(spec, str) and spec.isalnum() else None
    except TypeError:
        dt = None
    if dt is None or dt.kind not in "biufc" or dt.fields is not None or dt.subdtype is not None:
        raise refuse(f"numpy dtype {brief(spec)} (only numbers are loaded)")
    return Pending("dtype", dt)
