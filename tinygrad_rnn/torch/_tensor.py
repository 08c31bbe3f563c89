"""The frontend Tensor: the core Tensor plus torch's method names, argument names and printing.

Every op still runs through the core (tinygrad_rnn.ops); results come back as this class because
the core builds an op's output with the `result_type` of its first Tensor input.

Every method is a thin adapter (torch's argument names, checks and messages, then one core op). The
class is assembled from method families, one module each: `.array` / detach_ / retain_grad
(_storage), in-place ops and the version counter (_inplace), new_* / narrow / repeat_interleave
(_new), shape ops (_shape), elementwise math (_math), reductions (_reduce); this module keeps
construction, metadata, conversion, operators and indexing. grad_fn objects and torch.return_types are in _grad_fn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from .._shapes import broadcast_error
from ..tape import Node, ShapeError, TensorBase
from ..tensor import Tensor as _CoreTensor
from . import _check, _dtype, _printing
from ._check import norm_dim
from ._dtype import Size
from ._grad_fn import Clone, Function, grad_fn_of
from ._inplace import InplaceMethods, saved_modified_error
from ._math import MathMethods
from ._new import NewMethods
from ._reduce import ReduceMethods
from ._shape import ShapeMethods
from ._storage import StorageMethods, check_memory_format


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _sizes(args: tuple[Any, ...], fn: str = "view", name: str = "size") -> tuple[int, ...]:
    return _check.sizes(fn, name, args)


def _operand(x: Any) -> Any:
    return x.array if isinstance(x, TensorBase) else x


def _remainder(a: Any, b: Any) -> Any:
    """a % b as torch: an integer remainder by zero raises (numpy would give 0 with a warning)."""
    bb = b.array if isinstance(b, TensorBase) else np.asarray(b)
    aa = a.array if isinstance(a, TensorBase) else np.asarray(a)
    if aa.dtype.kind in "iub" and bb.dtype.kind in "iub" and np.any(bb == 0):
        raise RuntimeError("ZeroDivisionError")
    return ops.remainder(a, b)


class Tensor(
    StorageMethods, InplaceMethods, NewMethods, ShapeMethods, MathMethods, ReduceMethods, _CoreTensor
):
    """torch.Tensor on the core engine (CPU, numpy storage in the core's `array` slot).

    `.array` is torch's (a detached Tensor sharing the storage: _storage.py); in-place methods and the
    version counter are in _inplace.py, new_* / narrow / repeat_interleave in _new.py.
    """

    __slots__ = ()

    @classmethod
    def saved_modified(cls, node: Node) -> Exception | None:
        """torch's error for a saved tensor modified in place (only for values torch saves)."""
        return saved_modified_error(node)

    @classmethod
    def op_error(cls, err: ShapeError) -> Exception:
        """A core ShapeError as torch raises it: a plain RuntimeError (IndexError when indexing) with
        torch's message, rebuilt from `err.facts` where the core's neutral wording differs."""
        f, kind, msg = err.facts, err.facts.get("kind"), str(err)
        if err.op == "split" and kind == "sum":
            msg = (
                f"split_with_sizes expects split_sizes to sum exactly to {f['size']} (input tensor's size at "
                f"dimension {f['dim']}), but got split_sizes={list(f['sizes'])}"
            )
        elif err.op == "transpose" and kind == "perm":  # in range and as long as the dims: a duplicate
            msg = (
                "permute(): duplicate dims are not allowed."
                if len(f["perm"]) == f["ndim"]
                else "permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
                f"the desired ordering of dimensions i.e. input.dim() = {f['ndim']} is not equal to "
                f"len(dims) = {len(f['perm'])}"
            )
        elif err.op in ("max", "min") and kind == "empty":  # max() of all elements, else amax / amin
            fn = err.op if f["whole"] else "a" + err.op
            msg = (
                f"{fn}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                "reduction dim with the 'dim' argument."
                if f["dim"] is None
                else f"{fn}(): Expected reduction dim {f['dim']} to have non-zero size."
            )
        return (IndexError if isinstance(err, IndexError) else RuntimeError)(msg)

    def __init__(self, *args: Any):
        # the legacy constructor: torch.Tensor(2, 3) (zeros here, torch leaves memory uninitialised)
        # or torch.Tensor(data) -> float32
        if not args:
            arr = np.zeros((0,), np.float32)
        elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            arr = np.zeros(tuple(int(a) for a in args), np.float32)
        elif len(args) == 1 and isinstance(args[0], Size):
            arr = np.zeros(tuple(args[0]), np.float32)
        elif len(args) == 1:
            if not isinstance(args[0], (list, tuple, np.ndarray, TensorBase)):
                raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
            arr = _check.data_array(args[0], np.float32)
        else:
            raise TypeError("Tensor(): expected sizes or one sequence of data")
        self._set(arr)

    # -- metadata ------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """torch.Size of the tensor."""
        return Size(self.array.shape)

    def size(self, dim: int | None = None) -> Any:
        """torch.Size, or one dimension's size."""
        if dim is None:
            return Size(self.array.shape)
        return self.array.shape[norm_dim(dim, self.array.ndim)]

    @property
    def dtype(self) -> _dtype.dtype:  # type: ignore[override]
        """torch.float32, torch.float64, ..."""
        return _dtype.from_np(self.array.dtype)

    @property
    def device(self) -> _dtype.device:
        """Always the CPU."""
        return _dtype.CPU

    is_cuda = False

    def dim(self) -> int:
        """Number of dimensions."""
        return self.array.ndim

    ndimension = dim

    def nelement(self) -> int:
        """Number of elements."""
        return int(self.array.size)

    def element_size(self) -> int:
        """Bytes per element."""
        return self.array.itemsize

    def is_floating_point(self) -> bool:
        """True for float dtypes."""
        return self.array.dtype.kind == "f"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """numpy storage is always usable as is."""
        check_memory_format("is_contiguous", memory_format)
        return True

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """Self (numpy handles strides; every memory format is the one layout)."""
        check_memory_format("contiguous", memory_format)
        return self

    @property
    def grad_fn(self) -> Function | None:  # type: ignore[override]
        """The op that produced this tensor, as torch shows it (None for leaves)."""
        return grad_fn_of(self._node)

    def type(self, dtype: Any = None) -> Any:
        """'torch.FloatTensor' etc., or a converted tensor."""
        if dtype is None:
            return "torch." + _dtype.LEGACY_TYPE.get(self.dtype, self.dtype.name)
        if isinstance(dtype, str):
            raise ValueError(f"invalid type: '{dtype}'")
        if not isinstance(dtype, (_dtype.dtype, np.dtype, type)):
            raise TypeError("dtype must be a type, str, or dtype object")
        return self.to(dtype)

    # -- conversion ----------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The numpy array (shared); like torch, refuses while the tensor requires grad."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        d = self.array
        return d if isinstance(d, np.ndarray) else np.asarray(d)  # 0-d results may be numpy scalars

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert dtype (device may only be the CPU); returns self when nothing changes (and not copy)."""
        check_memory_format("to", kwargs.get("memory_format"))
        target, copy = _dtype.parse_to(args, kwargs)
        out = self if target is None else self._cast(target)
        return out.clone() if copy and out is self else out

    def _cast(self, dt: np.dtype) -> Tensor:
        return ops.cast(self, dt)  # integer and bool results carry no gradient

    def float(self) -> Tensor:
        """As float32."""
        return self._cast(np.dtype(np.float32))

    def double(self) -> Tensor:
        """As float64."""
        return self._cast(np.dtype(np.float64))

    def half(self) -> Tensor:
        """As float16."""
        return self._cast(np.dtype(np.float16))

    def long(self) -> Tensor:
        """As int64."""
        return self._cast(np.dtype(np.int64))

    def int(self) -> Tensor:
        """As int32."""
        return self._cast(np.dtype(np.int32))

    def bool(self) -> Tensor:
        """As bool."""
        return self._cast(np.dtype(np.bool_))

    def cpu(self) -> Tensor:
        """Self: everything lives on the CPU."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        raise AssertionError("Torch not compiled with CUDA enabled")

    def clone(self, *, memory_format: Any = None) -> Tensor:
        """A copy that stays in the graph."""
        check_memory_format("clone", memory_format)
        return Clone.apply(self)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as needing gradients."""
        _check.boolean("requires_grad_", "requires_grad", 1, requires_grad)
        if requires_grad:
            _check.grad_dtype(self.array.dtype, method=True)
        return super().requires_grad_(requires_grad)

    # -- printing ------------------------------------------------------------------------------
    def __repr__(self, *, tensor_contents: Any = None) -> str:
        fn = self._node.name if self._node is not None else None
        return _printing.tensor_repr(self.array, fn, self.requires_grad)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self.array.ndim == 0:
            return self.array.item().__format__(spec)
        return object.__format__(self, spec)

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.array.item())

    def __index__(self) -> int:
        if self.array.size != 1 or self.array.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.array.item())

    # -- arithmetic: integer tensors with float scalars promote to float32, as in torch ---------
    @staticmethod
    def _operand_ok(o: Any) -> bool:
        """Tensors, arrays and real numbers; anything else gets NotImplemented (a TypeError), as in torch."""
        return isinstance(o, (TensorBase, np.ndarray)) or _check.is_number(o)

    def _target(self, o: Any) -> np.dtype:
        """The dtype torch computes self (op) o in: torch.result_type for a Tensor o (float32 + int64
        is float32, where numpy says float64), the default float for an integer self and a float."""
        if isinstance(o, TensorBase):
            return _dtype.result_type(self, o)
        if isinstance(o, float) and self.array.dtype.kind in "iub":
            return _dtype.default_float()
        return self.array.dtype

    def _pair(self, o: Any, true_div: bool = False) -> tuple[Any, Any]:
        """(self, o) in the dtype torch computes self (op) o in (a number takes it in ops.binary);
        true division computes integers in the default float."""
        t = self._target(o)
        if true_div and t.kind not in "fc":
            t = _dtype.default_float()
        return _dtype.cast_to(self, t), _dtype.cast_to(o, t)

    def __add__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a, b = self._pair(o)
        return ops.add(a, b)

    def __radd__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a, b = self._pair(o)
        return ops.add(b, a)

    def _no_bool_sub(self, o: Any) -> None:
        if self.array.dtype == np.bool_ or (isinstance(o, TensorBase) and o.array.dtype == np.bool_):
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                "invert a mask, use the `~` or `logical_not()` operator instead."
            )

    def __sub__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        self._no_bool_sub(o)
        a, b = self._pair(o)
        return ops.sub(a, b)

    def __rsub__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        self._no_bool_sub(o)
        a, b = self._pair(o)
        return ops.sub(b, a)

    def __mul__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a, b = self._pair(o)
        return ops.mul(a, b)

    def __rmul__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a, b = self._pair(o)
        return ops.mul(b, a)

    def __truediv__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a, b = self._pair(o, true_div=True)
        return ops.div(a, b)

    def __rtruediv__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a, b = self._pair(o, true_div=True)
        return ops.div(b, a)

    def __mod__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        return _remainder(*self._pair(o))

    def __rmod__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a, b = self._pair(o)
        return _remainder(b, a)

    def remainder(self, other: Any) -> Tensor:
        """self mod other, with other's sign (Python's %); gradient 1 and -floor(self / other)."""
        _check.tensor_or_number("remainder", "other", 1, other)
        return self % other

    def __pow__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        return self.pow(o)

    def __rpow__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a, b = self._pair(o)  # 2.5 ** int_tensor: the default float
        return ops.pow_(b, a)

    def __matmul__(self, o):
        if not isinstance(o, TensorBase):
            return NotImplemented
        return self.matmul(o)

    def __rmatmul__(self, o):
        return NotImplemented

    def __neg__(self):
        return self.neg()

    def __getitem__(self, idx: Any) -> Tensor:
        # torch treats an integer as a basic index even next to index arrays; numpy counts it as an
        # advanced index (which can move the indexed dims to the front), so apply integers first
        items = idx if isinstance(idx, tuple) else (idx,)
        _check.index_items(self, items)
        is_int = [isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) for i in items]
        is_adv = [isinstance(i, (list, np.ndarray, TensorBase)) for i in items]
        if any(is_int) and any(is_adv):
            first = tuple(
                i if k or i is Ellipsis else slice(None) for i, k in zip(items, is_int) if i is not None
            )
            rest = tuple(i for i, k in zip(items, is_int) if not k)
            return ops.getitem(ops.getitem(self, first), rest)
        return ops.getitem(self, idx)

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's .grad (implicit 1 only for scalars)."""
        if gradient is not None and not isinstance(gradient, TensorBase):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(gradient).__name__}")
        if gradient is not None and gradient.array.shape != self.array.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {Size(gradient.array.shape)} and output[0] "
                f"has a shape of {Size(self.array.shape)}."
            )
        super().backward(gradient, retain_graph, create_graph, inputs)

    def index_select(self, dim: int, index: Any) -> Tensor:
        """Pick entries along dim."""
        d = norm_dim(dim, self.array.ndim, "index_select")
        _check.tensor("index_select", "index", 2, index)
        if index.array.dtype.kind not in "iu":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if index.array.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        idx = index.array.astype(np.int64).reshape(-1)
        if self.array.ndim == 0 and idx.size != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
            )
        if self.array.ndim and self.array.shape[d] == 0 and idx.size:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        n = self.array.shape[d] if self.array.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError("index out of range in self")
        if self.array.ndim == 0:
            return self.clone()
        return ops.getitem(self, (slice(None),) * d + (idx,))

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """value where mask, else self."""
        _check.tensor("masked_fill", "mask", 1, mask)
        _check.number("masked_fill", "value", 2, value)
        if mask.array.dtype != np.bool_:
            raise RuntimeError(
                f"masked_fill_ only supports boolean masks, but got mask with dtype {_check.cpp_name(mask)}"
            )
        if isinstance(value, TensorBase) and value.array.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.array.ndim} dimension(s)."
            )
        err = broadcast_error("masked_fill", self.array.shape, mask.array.shape)
        if err is not None:
            raise self.op_error(err)
        v = value if isinstance(value, TensorBase) else np.asarray(value, self.array.dtype)
        return ops.where(mask, v, self)
