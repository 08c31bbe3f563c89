"""The frontend Tensor: the core Tensor plus torch's method names, argument names and printing.

Every op still runs through the core (tinygrad_rnn.ops); results come back as this class because
the core builds an op's output with the `result_type` of its first Tensor input.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import functional, ops
from ..random import generator as _generator
from ..tape import AccumulateGrad, Node, TensorBase, _wrap, is_grad_enabled
from ..tensor import Tensor as _CoreTensor
from ..tensor import as_array
from . import _dtype, _printing
from ._dtype import Size

# torch.return_types.max / min: (values, indices)
_ret_max = namedtuple("max", ["values", "indices"])
_ret_min = namedtuple("min", ["values", "indices"])
_ret_sort = namedtuple("sort", ["values", "indices"])
for _cls in (_ret_max, _ret_min, _ret_sort):
    _cls.__module__ = "torch.return_types"
    _cls.__repr__ = lambda self: (  # type: ignore[method-assign]
        f"torch.return_types.{type(self).__name__}(\nvalues={self.values!r},\nindices={self.indices!r})"
    )


# ---------------------------------------------------------------------------------------------
# grad_fn: torch's view of a core Node (.name(), .next_functions, repr <TanhBackward0 object ...>)
# ---------------------------------------------------------------------------------------------
class Function:
    """Base of the grad_fn classes; one subclass per node name, so type(grad_fn).__name__ is torch's."""

    __slots__ = ("_node",)

    def __init__(self, node: Node):
        self._node = node

    def name(self) -> str:
        """The node's name (torch::autograd::AccumulateGrad for a leaf's sink, as in torch)."""
        n = self._node.name
        return "torch::autograd::AccumulateGrad" if n == "AccumulateGrad" else n

    @property
    def next_functions(self) -> tuple[tuple[Function | None, int], ...]:
        """(grad_fn, output index) for every input of the op; (None, 0) where no gradient flows."""
        return tuple((None, 0) if e is None else (grad_fn_of(e[0]), e[1]) for e in self._node.next)

    @property
    def variable(self) -> Any:
        """For AccumulateGrad: the leaf tensor it accumulates into."""
        if not isinstance(self._node, AccumulateGrad):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute 'variable'")
        return self._node.variable()

    @property
    def metadata(self) -> dict[str, Any]:
        """torch's per-node metadata dict (here: the name_scope labels the core recorded)."""
        return {"scope": getattr(self._node, "scope", ())}

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Function) and other._node is self._node

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __hash__(self) -> int:
        return id(self._node)


_FN_CLASSES: dict[str, type[Function]] = {}


def grad_fn_of(node: Node | None) -> Function | None:
    """The torch-style grad_fn object for a core node."""
    if node is None:
        return None
    name = node.name
    cls = _FN_CLASSES.get(name)
    if cls is None:
        cls = _FN_CLASSES[name] = type(name, (Function,), {"__slots__": ()})
    return cls(node)


class _Clone(Node):
    """x.clone(): a copy whose gradient is passed through unchanged."""

    name = "CloneBackward0"

    def forward(self, a):
        return np.array(a, copy=True)

    def backward(self, F, g):
        return g


class _MaxValues(ops.GetItem):
    """values of x.max(dim): a gather, named as torch names it."""

    name = "MaxBackward0"


class _MinValues(ops.GetItem):
    name = "MinBackward0"


class _SortValues(ops.GetItem):
    name = "SortBackward0"


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _dims(dim: Any, axis: Any) -> Any:
    if axis is not None:
        if dim is not None:
            raise TypeError("got both 'dim' and its alias 'axis'")
        return axis
    return dim


def _keep(keepdim: bool, keepdims: bool | None) -> bool:
    return bool(keepdim if keepdims is None else keepdims)


def _sizes(args: tuple[Any, ...]) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(int(s) for s in args)


def _norm_dim(d: int, nd: int) -> int:
    n = max(nd, 1)
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d % n


def _check_inplace(t: TensorBase) -> None:
    if t.requires_grad and is_grad_enabled():
        if t._node is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        raise RuntimeError(
            "tinygrad_rnn.torch: in-place operations on tensors recorded in a graph are not supported "
            "(the core tape has no version counters); use an out-of-place op instead."
        )


def _operand(x: Any) -> Any:
    return x.data if isinstance(x, TensorBase) else x


class Tensor(_CoreTensor):
    """torch.Tensor on the core engine (CPU, numpy storage).

    `.data` is the numpy array itself (the core's storage slot), not a Tensor as in torch.
    """

    __slots__ = ()

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
            arr = as_array(args[0], np.float32)
        else:
            raise TypeError("Tensor(): expected sizes or one sequence of data")
        self._set(arr)

    # -- metadata ------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """torch.Size of the tensor."""
        return Size(self.data.shape)

    def size(self, dim: int | None = None) -> Any:
        """torch.Size, or one dimension's size."""
        if dim is None:
            return Size(self.data.shape)
        return self.data.shape[_norm_dim(dim, self.data.ndim)]

    @property
    def dtype(self) -> _dtype.dtype:  # type: ignore[override]
        """torch.float32, torch.float64, ..."""
        return _dtype.from_np(self.data.dtype)

    @property
    def device(self) -> _dtype.device:
        """Always the CPU."""
        return _dtype.CPU

    is_cuda = False

    def dim(self) -> int:
        """Number of dimensions."""
        return self.data.ndim

    ndimension = dim

    def nelement(self) -> int:
        """Number of elements."""
        return int(self.data.size)

    def element_size(self) -> int:
        """Bytes per element."""
        return self.data.itemsize

    def is_floating_point(self) -> bool:
        """True for float dtypes."""
        return self.data.dtype.kind == "f"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """numpy storage is always usable as is."""
        return True

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """Self (numpy handles strides)."""
        return self

    @property
    def grad_fn(self) -> Function | None:  # type: ignore[override]
        """The op that produced this tensor, as torch shows it (None for leaves)."""
        return grad_fn_of(self._node)

    def type(self, dtype: Any = None) -> Any:
        """'torch.FloatTensor' etc., or a converted tensor."""
        if dtype is None:
            return "torch." + _dtype.LEGACY_TYPE.get(self.dtype, self.dtype.name)
        return self.to(dtype)

    # -- conversion ----------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The numpy array (shared); like torch, refuses while the tensor requires grad."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        d = self.data
        return d if isinstance(d, np.ndarray) else np.asarray(d)  # 0-d results may be numpy scalars

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert dtype (device may only be the CPU); returns self when nothing changes."""
        target = kwargs.pop("dtype", None)
        _dtype.check_device(kwargs.pop("device", None))
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, (_dtype.dtype, np.dtype, type)):
                target = a
            elif isinstance(a, TensorBase):
                target = a.data.dtype
            elif isinstance(a, (str, _dtype.device)):
                _dtype.check_device(a)
            elif isinstance(a, (bool, np.bool_)):
                continue  # non_blocking / copy positional flags
            else:
                raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
        out = self if target is None else self._cast(_dtype.to_np(target))
        return out.clone() if copy and out is self else out

    def _cast(self, dt: np.dtype) -> Tensor:
        if dt == self.data.dtype:
            return self
        if dt.kind in "fc" and self.data.dtype.kind in "fc":
            return ops.cast(self, dt)
        return _wrap(self.result_type, self.data.astype(dt), None, 0)  # integer results: no gradient

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
        return _Clone.apply(self)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Zeros with this tensor's dtype by default."""
        dt = _dtype.to_np(dtype) or self.data.dtype
        t = _wrap(self.result_type, np.zeros(_sizes(size), dt), None, 0)
        return t.requires_grad_(requires_grad) if requires_grad else t

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Ones with this tensor's dtype by default."""
        dt = _dtype.to_np(dtype) or self.data.dtype
        t = _wrap(self.result_type, np.ones(_sizes(size), dt), None, 0)
        return t.requires_grad_(requires_grad) if requires_grad else t

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A new leaf from data, with this tensor's dtype by default."""
        dt = _dtype.to_np(dtype) or self.data.dtype
        t = _wrap(self.result_type, np.array(_operand(data), dtype=dt), None, 0)
        return t.requires_grad_(requires_grad) if requires_grad else t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as needing gradients."""
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        return super().requires_grad_(requires_grad)

    # -- printing ------------------------------------------------------------------------------
    def __repr__(self, *, tensor_contents: Any = None) -> str:
        fn = self._node.name if self._node is not None else None
        return _printing.tensor_repr(self.data, fn, self.requires_grad)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self.data.ndim == 0:
            return self.data.item().__format__(spec)
        return object.__format__(self, spec)

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.data.item())

    def __index__(self) -> int:
        if self.data.size != 1 or self.data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data.item())

    # -- arithmetic: integer tensors with float scalars promote to float32, as in torch ---------
    def _promote(self, o: Any) -> Any:
        if self.data.dtype.kind in "iub" and (
            isinstance(o, float) or (isinstance(o, TensorBase) and o.data.dtype.kind == "f")
        ):
            return self.float()
        return self

    def __add__(self, o):
        return ops.add(self._promote(o), o)

    def __radd__(self, o):
        return ops.add(o, self._promote(o))

    def __sub__(self, o):
        return ops.sub(self._promote(o), o)

    def __rsub__(self, o):
        return ops.sub(o, self._promote(o))

    def __mul__(self, o):
        return ops.mul(self._promote(o), o)

    def __rmul__(self, o):
        return ops.mul(o, self._promote(o))

    def __truediv__(self, o):
        a = self.float() if self.data.dtype.kind in "iub" else self
        return ops.div(a, o)

    def __rtruediv__(self, o):
        a = self.float() if self.data.dtype.kind in "iub" else self
        return ops.div(o, a)

    # -- in-place (only outside the graph: leaves under no_grad, or tensors not requiring grad) --
    def _inplace(self, value: Any) -> Tensor:
        _check_inplace(self)
        value = np.broadcast_to(np.asarray(value), self.data.shape)
        if self.data.flags.writeable:
            self.data[...] = value  # write into the buffer: views and from_numpy arrays see it, as in torch
        else:
            self.data = value.astype(self.data.dtype)
        return self

    def __iadd__(self, o):
        return self._inplace(self.data + _operand(o))

    def __isub__(self, o):
        return self._inplace(self.data - _operand(o))

    def __imul__(self, o):
        return self._inplace(self.data * _operand(o))

    def __itruediv__(self, o):
        return self._inplace(self.data / _operand(o))

    def add_(self, o: Any, *, alpha: float = 1) -> Tensor:
        """self += alpha * o."""
        return self._inplace(self.data + alpha * _operand(o))

    def sub_(self, o: Any, *, alpha: float = 1) -> Tensor:
        """self -= alpha * o."""
        return self._inplace(self.data - alpha * _operand(o))

    def mul_(self, o: Any) -> Tensor:
        """self *= o."""
        return self._inplace(self.data * _operand(o))

    def div_(self, o: Any) -> Tensor:
        """self /= o."""
        return self._inplace(self.data / _operand(o))

    def zero_(self) -> Tensor:
        """Fill with zeros."""
        return self._inplace(np.zeros_like(self.data))

    def fill_(self, value: Any) -> Tensor:
        """Fill with one value."""
        return self._inplace(np.full_like(self.data, _operand(value)))

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        """Copy src's values (broadcast to this shape)."""
        return self._inplace(np.broadcast_to(np.asarray(_operand(src)), self.data.shape))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Clamp in place."""
        return self._inplace(np.clip(self.data, min, max))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill from U(a, b) with the package generator (not torch's random stream)."""
        return self._inplace(_generator().uniform(a, b, self.data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill from N(mean, std^2) with the package generator."""
        return self._inplace(_generator().normal(mean, std, self.data.shape))

    def __getitem__(self, idx: Any) -> Tensor:
        # torch treats an integer as a basic index even next to index arrays; numpy counts it as an
        # advanced index (which can move the indexed dims to the front), so apply integers first
        items = idx if isinstance(idx, tuple) else (idx,)
        is_int = [isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) for i in items]
        is_adv = [isinstance(i, (list, np.ndarray, TensorBase)) for i in items]
        if any(is_int) and any(is_adv):
            first = tuple(
                i if k or i is Ellipsis else slice(None) for i, k in zip(items, is_int) if i is not None
            )
            rest = tuple(i for i, k in zip(items, is_int) if not k)
            return ops.getitem(ops.getitem(self, first), rest)
        return ops.getitem(self, idx)

    def __setitem__(self, idx: Any, value: Any) -> None:
        _check_inplace(self)
        data = self.data if self.data.flags.writeable else np.array(self.data)
        data[ops._plain_index(idx)] = _operand(value)
        self.data = data

    # -- reductions (torch's dim / keepdim names; axis / keepdims are accepted aliases) ---------
    def sum(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        """Sum over dim(s) (all by default)."""
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "b":
            x = x.long()
        return ops.sum_(x, _dims(dim, axis), _keep(keepdim, keepdims))

    def mean(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        """Mean over dim(s) (all by default)."""
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                f"complex dtype. Got: {_dtype.SCALAR_NAME.get(x.dtype, x.dtype.name)}"
            )
        return ops.mean(x, _dims(dim, axis), _keep(keepdim, keepdims))

    def _select(self, fn: Any, ret: Any, dim: Any, keepdim: bool, node: Any = ops.GetItem) -> Any:
        d = _norm_dim(int(dim), self.data.ndim)
        idx = fn(self.data, axis=d) if self.data.ndim else np.asarray(0)
        if self.data.ndim == 0:
            return ret(self, _wrap(self.result_type, np.asarray(0, np.int64), None, 0))
        grids = list(np.indices(idx.shape, sparse=True))
        full = tuple(grids[:d] + [idx] + grids[d:])
        values = node.apply(self, idx=full)
        if keepdim:
            values = ops.reshape(values, self.data.shape[:d] + (1,) + self.data.shape[d + 1 :])
            idx = np.expand_dims(idx, d)
        return ret(values, _wrap(self.result_type, idx.astype(np.int64), None, 0))

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Max of all elements; with dim, (values, indices) like torch; with a tensor, elementwise."""
        dim = _dims(dim, axis)
        if isinstance(dim, TensorBase):
            return ops.maximum(self, dim)
        if dim is None:
            return ops.max_(self)
        return self._select(np.argmax, _ret_max, dim, _keep(keepdim, keepdims), _MaxValues)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Min of all elements; with dim, (values, indices) like torch; with a tensor, elementwise."""
        dim = _dims(dim, axis)
        if isinstance(dim, TensorBase):
            return ops.minimum(self, dim)
        if dim is None:
            return ops.min_(self)
        return self._select(np.argmin, _ret_min, dim, _keep(keepdim, keepdims), _MinValues)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Max over dim(s); ties share the gradient."""
        return ops.max_(self, None if dim == () else dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Min over dim(s); ties share the gradient."""
        return ops.min_(self, None if dim == () else dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Index of the max (of the flattened tensor without dim)."""
        if dim is None:
            return _wrap(self.result_type, np.asarray(np.argmax(self.data), np.int64), None, 0)
        return self._select(np.argmax, _ret_max, dim, keepdim).indices

    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Index of the min (of the flattened tensor without dim)."""
        if dim is None:
            return _wrap(self.result_type, np.asarray(np.argmin(self.data), np.int64), None, 0)
        return self._select(np.argmin, _ret_min, dim, keepdim).indices

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """(values, indices), stable like torch's CPU sort."""
        d = _norm_dim(dim, self.data.ndim)
        key = -self.data if descending else self.data
        idx = np.argsort(key, axis=d, kind="stable")
        grids = list(np.indices(idx.shape, sparse=True))
        full = tuple(grids[:d] + [idx] + grids[d + 1 :])
        return _ret_sort(
            _SortValues.apply(self, idx=full), _wrap(self.result_type, idx.astype(np.int64), None, 0)
        )

    # -- shape ops -----------------------------------------------------------------------------
    def view(self, *shape: Any) -> Tensor:
        """Same data, new shape (one -1 allowed); numpy storage makes every view possible."""
        return ops.reshape(self, _sizes(shape))

    def view_as(self, other: TensorBase) -> Tensor:
        """view(other.shape)."""
        return ops.reshape(self, other.data.shape)

    def reshape(self, *shape: Any) -> Tensor:
        """Same data, new shape."""
        return ops.reshape(self, _sizes(shape))

    def reshape_as(self, other: TensorBase) -> Tensor:
        """reshape(other.shape)."""
        return ops.reshape(self, other.data.shape)

    def transpose(self, dim0: int, dim1: int) -> Tensor:  # type: ignore[override]
        """Swap two dimensions (torch's transpose, not numpy's)."""
        return ops.swapaxes(self, dim0, dim1)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        """Alias of transpose."""
        return ops.swapaxes(self, dim0, dim1)

    def t(self) -> Tensor:
        """Transpose a matrix (vectors and scalars are returned as is)."""
        if self.data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.data.ndim}D")
        return ops.transpose(self) if self.data.ndim == 2 else self

    def permute(self, *dims: Any) -> Tensor:  # type: ignore[override]
        """Reorder all dimensions."""
        return ops.transpose(self, _sizes(dims))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one."""
        nd = self.data.ndim
        if nd == 0:
            return ops.reshape(self, (1,))
        s, e = _norm_dim(start_dim, nd), _norm_dim(end_dim, nd)
        shp = self.data.shape
        return ops.reshape(self, shp[:s] + (int(np.prod(shp[s : e + 1])),) + shp[e + 1 :])

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dimension."""
        d = _norm_dim(dim, self.data.ndim + 1)
        return ops.reshape(self, self.data.shape[:d] + (1,) + self.data.shape[d:])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Drop size-1 dimensions (all, or those in dim)."""
        shp = self.data.shape
        if dim is None:
            dims = {i for i, s in enumerate(shp) if s == 1}
        else:
            ds = dim if isinstance(dim, (tuple, list)) else (dim,)
            dims = {_norm_dim(d, len(shp)) for d in ds if shp and shp[_norm_dim(d, len(shp))] == 1}
        return ops.reshape(self, tuple(s for i, s in enumerate(shp) if i not in dims))

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape (-1 keeps a dimension)."""
        sizes = _sizes(sizes)
        lead = len(sizes) - self.data.ndim
        shp = tuple(self.data.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return ops.expand(self, shp)

    def expand_as(self, other: TensorBase) -> Tensor:
        """expand(other.shape)."""
        return ops.expand(self, other.data.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor (torch's repeat)."""
        reps = _sizes(sizes)
        x = self
        lead = len(reps) - x.data.ndim
        shp = (1,) * lead + x.data.shape
        x = ops.reshape(x, tuple(v for s in shp for v in (1, s)))
        x = ops.expand(x, tuple(v for r, s in zip(reps, shp) for v in (r, s)))
        return ops.reshape(x, tuple(r * s for r, s in zip(reps, shp)))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:  # type: ignore[override]
        """Chunks of the given size(s) along dim."""
        return ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """`chunks` nearly equal pieces along dim."""
        n = self.data.shape[_norm_dim(dim, self.data.ndim)]
        size = -(-n // chunks)
        return ops.split(self, size, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:  # type: ignore[override]
        """All slices along dim."""
        return ops.unbind(self, dim)

    def index_select(self, dim: int, index: Any) -> Tensor:
        """Pick entries along dim."""
        d = _norm_dim(dim, self.data.ndim)
        idx = np.asarray(_operand(index)).astype(np.int64).reshape(-1)
        return ops.getitem(self, (slice(None),) * d + (idx,))

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """value where mask, else self."""
        return ops.where(mask, _operand(value) if not isinstance(value, TensorBase) else value, self)

    # -- elementwise math ----------------------------------------------------------------------
    def abs(self) -> Tensor:
        """|x| (gradient sign(x), 0 at 0)."""
        return ops.mul(self, np.sign(self.data))

    def sqrt(self) -> Tensor:
        """x ** 0.5."""
        return ops.pow_(self, 0.5)

    def square(self) -> Tensor:
        """x * x."""
        return ops.mul(self, self)

    def neg(self) -> Tensor:
        """-x."""
        return ops.neg(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Clamp into [min, max]."""
        return ops.clip(self, min, max)

    clip = clamp  # type: ignore[assignment]

    def softmax(self, dim: int) -> Tensor:
        """exp / sum(exp) along dim."""
        return functional.softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        """log(softmax) along dim."""
        return functional.log_softmax(self, dim)

    def mm(self, o: Any) -> Tensor:
        """Matrix product of two matrices."""
        return ops.matmul(self, o)

    def dot(self, o: Any) -> Tensor:
        """Inner product of two vectors."""
        return ops.matmul(self, o)

    def allclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
        """numpy.allclose on the values."""
        return bool(np.allclose(self.data, _operand(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def equal(self, other: Any) -> bool:
        """Same shape and values."""
        o = _operand(other)
        return self.data.shape == np.shape(o) and bool(np.all(self.data == o))
