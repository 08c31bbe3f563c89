"""The frontend Tensor: the core Tensor plus torch's method names, argument names and printing.

Every op still runs through the core (tinygrad_rnn.ops); results come back as this class because
the core builds an op's output with the `result_type` of its first Tensor input.

One module on purpose, though long: it is one idea, the torch.Tensor class, and every method is a
thin adapter (torch's argument names, checks and messages, then one core op). Method families in
mixin modules would only scatter one class's surface; what is shared lives elsewhere already (the
checks in _check, dtypes in _dtype, printing in _printing). The grad_fn view (Function) and
torch.return_types at the top are the vocabulary the methods return.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import functional, ops
from .._shapes import broadcast_error, index_error, normalize_axes
from ..random import generator as _generator
from ..tape import AccumulateGrad, Node, ShapeError, TensorBase, is_grad_enabled, make_tensor
from ..tensor import Tensor as _CoreTensor
from . import _check, _dtype, _printing
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


def _sizes(args: tuple[Any, ...], fn: str = "view", name: str = "size") -> tuple[int, ...]:
    return _check.sizes(fn, name, args)


def _norm_dim(d: int, nd: int, fn: str = "dim") -> int:
    """One int dim in [0, nd) (0 for a 0-d tensor): torch's TypeError, then its IndexError (the core's)."""
    return normalize_axes(_check.integer(fn, "dim", 1, d), nd)[0]


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


def _check_index(t: TensorBase, items: tuple[Any, ...]) -> None:
    """torch's checks of an index before numpy sees it: types, and boolean masks' shapes."""
    for i in items:
        if isinstance(i, str):
            raise TypeError(f"new(): invalid data type '{type(i).__name__}'")
        if isinstance(i, TensorBase) and i.data.dtype == np.bool_:
            err = index_error(t.data.shape, ops.plain_index(items))
            if err is not None:
                raise t.op_error(err)


def _expand_message(have: tuple[int, ...], target: tuple[int, ...]) -> str:
    lead = len(target) - len(have)
    if lead < 0:
        return (
            f"expand(torch.FloatTensor{{{list(have)}}}, size={list(target)}): the number of sizes provided "
            f"({len(target)}) must be greater or equal to the number of dimensions in the tensor ({len(have)})"
        )
    d = next(i for i in range(len(target)) if i >= lead and have[i - lead] not in (1, target[i]))
    return (
        f"The expanded size of the tensor ({target[d]}) must match the existing size ({have[d - lead]}) at "
        f"non-singleton dimension {d}.  Target sizes: {list(target)}.  Tensor sizes: {list(have)}"
    )


class Tensor(_CoreTensor):
    """torch.Tensor on the core engine (CPU, numpy storage).

    `.data` is the numpy array itself (the core's storage slot), not a Tensor as in torch.
    """

    __slots__ = ()

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
        d = self.data
        return d if isinstance(d, np.ndarray) else np.asarray(d)  # 0-d results may be numpy scalars

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert dtype (device may only be the CPU); returns self when nothing changes (and not copy)."""
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
        return _Clone.apply(self)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Zeros with this tensor's dtype by default."""
        dt = _dtype.to_np(dtype) or self.data.dtype
        return self._new(np.zeros(_check.new_sizes("new_zeros", size), dt), requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Ones with this tensor's dtype by default."""
        dt = _dtype.to_np(dtype) or self.data.dtype
        return self._new(np.ones(_check.new_sizes("new_ones", size), dt), requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A new leaf from data, with this tensor's dtype by default."""
        dt = _dtype.to_np(dtype) or self.data.dtype
        if not isinstance(data, (list, tuple, np.ndarray, TensorBase)) and not _check.is_number(data):
            raise TypeError(f"must be real number, not {type(data).__name__}")
        return self._new(np.array(_check.data_array(_operand(data), dt)), requires_grad)

    def _new(self, arr: np.ndarray, requires_grad: bool) -> Tensor:
        """A new leaf of this tensor's type (a factory's wording when it cannot require gradients)."""
        t = make_tensor(self.result_type, arr, None, 0)
        if requires_grad:
            _check.grad_dtype(arr.dtype)
            t.requires_grad = True
        return t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as needing gradients."""
        _check.boolean("requires_grad_", "requires_grad", 1, requires_grad)
        if requires_grad:
            _check.grad_dtype(self.data.dtype, method=True)
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
    @staticmethod
    def _operand_ok(o: Any) -> bool:
        """Tensors, arrays and real numbers; anything else gets NotImplemented (a TypeError), as in torch."""
        return isinstance(o, (TensorBase, np.ndarray)) or _check.is_number(o)

    def _promote(self, o: Any) -> Any:
        if self.data.dtype.kind in "iub" and (
            isinstance(o, float) or (isinstance(o, TensorBase) and o.data.dtype.kind == "f")
        ):
            return self.float()
        return self

    def __add__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        return ops.add(self._promote(o), o)

    def __radd__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        return ops.add(o, self._promote(o))

    def _no_bool_sub(self, o: Any) -> None:
        if self.data.dtype == np.bool_ or (isinstance(o, TensorBase) and o.data.dtype == np.bool_):
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                "invert a mask, use the `~` or `logical_not()` operator instead."
            )

    def __sub__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        self._no_bool_sub(o)
        return ops.sub(self._promote(o), o)

    def __rsub__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        self._no_bool_sub(o)
        return ops.sub(o, self._promote(o))

    def __mul__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        return ops.mul(self._promote(o), o)

    def __rmul__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        return ops.mul(o, self._promote(o))

    def __truediv__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a = self.float() if self.data.dtype.kind in "iub" else self
        return ops.div(a, o)

    def __rtruediv__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a = self.float() if self.data.dtype.kind in "iub" else self
        return ops.div(o, a)

    def __pow__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        return self.pow(o)

    def __rpow__(self, o):
        if not self._operand_ok(o):
            return NotImplemented
        a = self.float() if self.data.dtype.kind in "iub" and isinstance(o, float) else self
        return ops.pow_(o, a)

    def __matmul__(self, o):
        if not isinstance(o, TensorBase):
            return NotImplemented
        return self.matmul(o)

    def __rmatmul__(self, o):
        return NotImplemented

    def __neg__(self):
        return self.neg()

    # -- in-place (only outside the graph: leaves under no_grad, or tensors not requiring grad) --
    def _inplace(self, value: Any) -> Tensor:
        _check_inplace(self)
        value = np.broadcast_to(np.asarray(value), self.data.shape)
        if self.data.flags.writeable:
            self.data[...] = value  # write into the buffer: views and from_numpy arrays see it, as in torch
        else:
            self.data = value.astype(self.data.dtype)
        return self

    def _inplace_op(self, name: str, o: Any, fn: Any) -> Tensor:
        """self = fn(self, o) in place, after torch's checks: operand type, shapes, result dtype."""
        if not self._operand_ok(o):
            if name.startswith("__"):
                return NotImplemented
            raise TypeError(
                f"{name}(): argument 'other' (position 1) must be Tensor, not {_check.type_name(o)}"
            )
        if "sub" in name:
            self._no_bool_sub(o)
        od = _operand(o)
        err = broadcast_error(name, self.data.shape, np.shape(od))
        if err is not None:
            raise self.op_error(err)
        out_shape = np.broadcast_shapes(self.data.shape, np.shape(od))
        if out_shape != self.data.shape:
            raise RuntimeError(
                f"output with shape {list(self.data.shape)} doesn't match the broadcast shape {list(out_shape)}"
            )
        res = fn(self.data, od)
        if self.data.dtype.kind in "iub" and np.asarray(res).dtype.kind not in "iub":
            raise RuntimeError(
                f"result type {_check.scalar_name(np.asarray(res).dtype)} can't be cast to the desired "
                f"output type {_check.scalar_name(self)}"
            )
        return self._inplace(res)

    def __iadd__(self, o):
        return self._inplace_op("__iadd__", o, np.add)

    def __isub__(self, o):
        return self._inplace_op("__isub__", o, np.subtract)

    def __imul__(self, o):
        return self._inplace_op("__imul__", o, np.multiply)

    def __itruediv__(self, o):
        return self._inplace_op("__itruediv__", o, np.true_divide)

    def add_(self, o: Any, *, alpha: float = 1) -> Tensor:
        """self += alpha * o."""
        return self._inplace_op("add_", o, lambda a, b: a + alpha * b)

    def sub_(self, o: Any, *, alpha: float = 1) -> Tensor:
        """self -= alpha * o."""
        return self._inplace_op("sub_", o, lambda a, b: a - alpha * b)

    def mul_(self, o: Any) -> Tensor:
        """self *= o."""
        return self._inplace_op("mul_", o, np.multiply)

    def div_(self, o: Any) -> Tensor:
        """self /= o."""
        return self._inplace_op("div_", o, np.true_divide)

    def zero_(self) -> Tensor:
        """Fill with zeros."""
        return self._inplace(np.zeros_like(self.data))

    def fill_(self, value: Any) -> Tensor:
        """Fill with one value."""
        _check.number("fill_", "value", 1, value)
        if isinstance(value, TensorBase) and value.data.ndim:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value.data.ndim} dimensions."
            )
        return self._inplace(np.full_like(self.data, _operand(value)))

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        """Copy src's values (broadcast to this shape)."""
        _check.tensor("copy_", "src", 1, src)
        return self._inplace_op("copy_", src, lambda a, b: np.broadcast_to(b, a.shape).astype(a.dtype))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Clamp in place."""
        out = self.clamp(min, max)  # torch's checks; the result is written back
        return self._inplace_op("clamp_", out, lambda a, b: b)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill from U(a, b) with the package generator (not torch's random stream)."""
        _check.number("uniform_", "from", 1, a)
        _check.number("uniform_", "to", 2, b)
        _check.kernel("check_uniform_bounds", self)
        a, b = float(a), float(b)
        if not a <= b:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
        if b - a > np.finfo(self.data.dtype).max:
            raise RuntimeError(
                f"uniform_ expects to-from <= std::numeric_limits<{_check.scalar_name(self).lower()}>::max(), "
                f"but found to={b} and from={a} which result in to-from to exceed the limit"
            )
        return self._inplace(_generator().uniform(a, b, self.data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill from N(mean, std^2) with the package generator."""
        _check.number("normal_", "mean", 1, mean)
        _check.number("normal_", "std", 2, std)
        _check.kernel("normal_kernel_cpu", self)
        if not float(std) >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {float(std)}")
        return self._inplace(_generator().normal(float(mean), float(std), self.data.shape))

    def __getitem__(self, idx: Any) -> Tensor:
        # torch treats an integer as a basic index even next to index arrays; numpy counts it as an
        # advanced index (which can move the indexed dims to the front), so apply integers first
        items = idx if isinstance(idx, tuple) else (idx,)
        _check_index(self, items)
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
        if not self._operand_ok(value):
            raise TypeError(f"can't assign a {type(value).__name__} to a {self.type()}")
        items = idx if isinstance(idx, tuple) else (idx,)
        _check_index(self, items)
        plain = ops.plain_index(idx)
        err = index_error(self.data.shape, plain)
        if err is not None:
            raise self.op_error(err)
        target = self.data[plain].shape
        vshape = np.shape(_operand(value))
        if (
            broadcast_error("setitem", target, vshape) is not None
            or np.broadcast_shapes(target, vshape) != target
        ):
            raise RuntimeError(_expand_message(vshape, target))
        data = self.data if self.data.flags.writeable else np.array(self.data)
        data[plain] = _operand(value)
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
        dim = _check.dims("sum", _dims(dim, axis))
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "b":
            x = x.long()
        return ops.sum_(x, dim, _keep(keepdim, keepdims))

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
        dim = _check.dims("mean", _dims(dim, axis))
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                f"complex dtype. Got: {_check.scalar_name(x)}"
            )
        return ops.mean(x, dim, _keep(keepdim, keepdims))

    def _select(self, fn: Any, ret: Any, dim: Any, keepdim: bool, node: Any = ops.GetItem) -> Any:
        d = _norm_dim(dim, self.data.ndim, fn.__name__)
        if self.data.size == 0 and self.data.ndim and self.data.shape[d] == 0:
            raise IndexError(f"{fn.__name__[3:]}(): Expected reduction dim {d} to have non-zero size.")
        idx = fn(self.data, axis=d) if self.data.ndim else np.asarray(0)
        if self.data.ndim == 0:
            return ret(self, make_tensor(self.result_type, np.asarray(0, np.int64), None, 0))
        grids = list(np.indices(idx.shape, sparse=True))
        full = tuple(grids[:d] + [idx] + grids[d:])
        values = node.apply(self, idx=full)
        if keepdim:
            values = ops.reshape(values, self.data.shape[:d] + (1,) + self.data.shape[d + 1 :])
            idx = np.expand_dims(idx, d)
        return ret(values, make_tensor(self.result_type, idx.astype(np.int64), None, 0))

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Max of all elements; with dim, (values, indices) like torch; with a tensor, elementwise."""
        dim = _dims(dim, axis)
        if isinstance(dim, TensorBase) and dim.data.dtype.kind not in "iu":
            return ops.maximum(self, dim)
        if dim is None:
            return ops.max_all(self)
        return self._select(np.argmax, _ret_max, dim, _keep(keepdim, keepdims), _MaxValues)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Min of all elements; with dim, (values, indices) like torch; with a tensor, elementwise."""
        dim = _dims(dim, axis)
        if isinstance(dim, TensorBase) and dim.data.dtype.kind not in "iu":
            return ops.minimum(self, dim)
        if dim is None:
            return ops.min_all(self)
        return self._select(np.argmin, _ret_min, dim, _keep(keepdim, keepdims), _MinValues)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Max over dim(s); ties share the gradient."""
        return self._amax_amin("amax", ops.max_, dim, keepdim)

    def _amax_amin(self, name: str, fn: Any, dim: Any, keepdim: bool) -> Tensor:
        axes = _check.dims(name, None if dim == () else dim)
        if self.data.size == 0:
            ax = range(self.data.ndim) if axes is None else (axes if isinstance(axes, tuple) else (axes,))
            ax = tuple(_norm_dim(d, self.data.ndim, name) for d in ax)
            for d in ax:
                if self.data.shape[d] == 0:
                    raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
            out = (np.max if name == "amax" else np.min)(self.data, axis=ax, keepdims=keepdim)
            return make_tensor(self.result_type, np.asarray(out), None, 0)  # empty: nothing to differentiate
        return fn(self, axes, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Min over dim(s); ties share the gradient."""
        return self._amax_amin("amin", ops.min_, dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Index of the max (of the flattened tensor without dim)."""
        _check.not_bool("argmax", self)
        if dim is None:
            return make_tensor(self.result_type, np.asarray(np.argmax(self.data), np.int64), None, 0)
        return self._select(np.argmax, _ret_max, dim, keepdim).indices

    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Index of the min (of the flattened tensor without dim)."""
        _check.not_bool("argmin", self)
        if dim is None:
            return make_tensor(self.result_type, np.asarray(np.argmin(self.data), np.int64), None, 0)
        return self._select(np.argmin, _ret_min, dim, keepdim).indices

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """(values, indices), stable like torch's CPU sort."""
        d = _norm_dim(dim, self.data.ndim, "sort")
        if self.data.ndim == 0:
            return _ret_sort(self.clone(), make_tensor(self.result_type, np.zeros((), np.int64), None, 0))
        key = -self.data if descending else self.data
        idx = np.argsort(key, axis=d, kind="stable")
        grids = list(np.indices(idx.shape, sparse=True))
        full = tuple(grids[:d] + [idx] + grids[d + 1 :])
        return _ret_sort(
            _SortValues.apply(self, idx=full), make_tensor(self.result_type, idx.astype(np.int64), None, 0)
        )

    # -- shape ops -----------------------------------------------------------------------------
    def view(self, *shape: Any) -> Tensor:
        """Same data, new shape (one -1 allowed); numpy storage makes every view possible."""
        return ops.reshape(self, _check.sizes("view", "size", shape))

    def view_as(self, other: TensorBase) -> Tensor:
        """view(other.shape)."""
        _check.tensor("view_as", "other", 1, other)
        return ops.reshape(self, other.data.shape)

    def reshape(self, *shape: Any) -> Tensor:
        """Same data, new shape."""
        return ops.reshape(self, _check.sizes("reshape", "shape", shape))

    def reshape_as(self, other: TensorBase) -> Tensor:
        """reshape(other.shape)."""
        _check.tensor("reshape_as", "other", 1, other)
        return ops.reshape(self, other.data.shape)

    def transpose(self, dim0: int, dim1: int) -> Tensor:  # type: ignore[override]
        """Swap two dimensions (torch's transpose, not numpy's)."""
        d0, d1 = _norm_dim(dim0, self.data.ndim, "transpose"), _norm_dim(dim1, self.data.ndim, "transpose")
        return self.clone() if self.data.ndim == 0 else ops.swapaxes(self, d0, d1)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        """Alias of transpose."""
        return self.transpose(dim0, dim1)

    swapaxes = swapdims  # type: ignore[assignment]

    def t(self) -> Tensor:
        """Transpose a matrix (vectors and scalars are returned as is)."""
        if self.data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.data.ndim}D")
        return ops.transpose(self) if self.data.ndim == 2 else self

    def permute(self, *dims: Any) -> Tensor:  # type: ignore[override]
        """Reorder all dimensions."""
        perm = _sizes(dims, "permute", "dims")
        nd = self.data.ndim
        if len(perm) != nd:
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
                f"the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(perm)}"
            )
        perm = tuple(_norm_dim(p, nd, "permute") for p in perm)
        if len(set(perm)) != nd:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return ops.transpose(self, perm)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one."""
        nd = self.data.ndim
        s, e = _norm_dim(start_dim, nd, "flatten"), _norm_dim(end_dim, nd, "flatten")
        if nd == 0:
            return ops.reshape(self, (1,))
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shp = self.data.shape
        return ops.reshape(self, shp[:s] + (int(np.prod(shp[s : e + 1])),) + shp[e + 1 :])

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dimension."""
        d = _norm_dim(dim, self.data.ndim + 1, "unsqueeze")
        return ops.reshape(self, self.data.shape[:d] + (1,) + self.data.shape[d:])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Drop size-1 dimensions (all, or those in dim)."""
        shp = self.data.shape
        if dim is None:
            dims = {i for i, s in enumerate(shp) if s == 1}
        else:
            ds = _check.dims("squeeze", dim)
            ds = ds if isinstance(ds, tuple) else (ds,)
            dims = {_norm_dim(d, len(shp), "squeeze") for d in ds}
            dims = {d for d in dims if shp and shp[d] == 1}
        return ops.reshape(self, tuple(s for i, s in enumerate(shp) if i not in dims))

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape (-1 keeps a dimension)."""
        sizes = _check.sizes("expand", "size", sizes)
        lead = len(sizes) - self.data.ndim
        for i, s in enumerate(sizes):
            if s < -1 or (s == -1 and i < lead):
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}"
                    if s == -1
                    else f"Trying to create tensor with negative dimension {s}: {list(sizes)}"
                )
        shp = tuple(self.data.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return ops.expand(self, shp)

    def expand_as(self, other: TensorBase) -> Tensor:
        """expand(other.shape)."""
        _check.tensor("expand_as", "other", 1, other)
        return self.expand(other.data.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor (torch's repeat)."""
        reps = _check.sizes("repeat", "repeats", sizes)
        x = self
        lead = len(reps) - x.data.ndim
        if lead < 0:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
            )
        if any(r < 0 for r in reps):
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(reps)}: {list(reps)}")
        shp = (1,) * lead + x.data.shape
        x = ops.reshape(x, tuple(v for s in shp for v in (1, s)))
        x = ops.expand(x, tuple(v for r, s in zip(reps, shp) for v in (r, s)))
        return ops.reshape(x, tuple(r * s for r, s in zip(reps, shp)))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:  # type: ignore[override]
        """Chunks of the given size(s) along dim."""
        d = _norm_dim(dim, self.data.ndim, "split")
        if self.data.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        n = self.data.shape[d]
        if isinstance(split_size_or_sections, (tuple, list)):
            sizes = _check.sizes("split_with_sizes", "split_sizes", (split_size_or_sections,))
            if any(s < 0 for s in sizes):
                raise RuntimeError(
                    "split_with_sizes expects split_sizes have only non-negative entries, but got "
                    f"split_sizes={list(sizes)}"
                )
            return ops.split(self, sizes, d)
        size = _check.integer("split", "split_size", 1, split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        if size == 0:
            if n:
                raise RuntimeError(
                    f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
                )
            return (self.clone(),)
        return ops.split(self, size, d) if n else (self.clone(),)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """`chunks` nearly equal pieces along dim."""
        chunks = _check.integer("chunk", "chunks", 1, chunks)
        d = _norm_dim(dim, self.data.ndim, "chunk")
        if self.data.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        n = self.data.shape[d]
        return self.split(-(-n // chunks), d)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:  # type: ignore[override]
        """All slices along dim."""
        d = _norm_dim(dim, self.data.ndim, "unbind")
        if self.data.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        return ops.unbind(self, d)

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
        if gradient is not None and gradient.data.shape != self.data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {Size(gradient.data.shape)} and output[0] "
                f"has a shape of {Size(self.data.shape)}."
            )
        super().backward(gradient, retain_graph, create_graph, inputs)

    def index_select(self, dim: int, index: Any) -> Tensor:
        """Pick entries along dim."""
        d = _norm_dim(dim, self.data.ndim, "index_select")
        _check.tensor("index_select", "index", 2, index)
        if index.data.dtype.kind not in "iu":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if index.data.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        idx = index.data.astype(np.int64).reshape(-1)
        if self.data.ndim == 0 and idx.size != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
            )
        if self.data.ndim and self.data.shape[d] == 0 and idx.size:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        n = self.data.shape[d] if self.data.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError("index out of range in self")
        if self.data.ndim == 0:
            return self.clone()
        return ops.getitem(self, (slice(None),) * d + (idx,))

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """value where mask, else self."""
        _check.tensor("masked_fill", "mask", 1, mask)
        _check.number("masked_fill", "value", 2, value)
        if mask.data.dtype != np.bool_:
            raise RuntimeError(
                f"masked_fill_ only supports boolean masks, but got mask with dtype {_check.cpp_name(mask)}"
            )
        if isinstance(value, TensorBase) and value.data.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.data.ndim} dimension(s)."
            )
        err = broadcast_error("masked_fill", self.data.shape, mask.data.shape)
        if err is not None:
            raise self.op_error(err)
        v = value if isinstance(value, TensorBase) else np.asarray(value, self.data.dtype)
        return ops.where(mask, v, self)

    # -- elementwise math ----------------------------------------------------------------------
    def abs(self) -> Tensor:
        """|x| (gradient sign(x), 0 at 0)."""
        _check.kernel("abs_cpu", self, "fciu")
        return ops.mul(self, np.sign(self.data))

    def _float_in(self) -> Tensor:
        """torch computes exp, log, ... of integer and bool tensors in float32."""
        return self.float() if self.data.dtype.kind in "iub" else self

    def exp(self) -> Tensor:
        """e ** x."""
        return ops.exp(self._float_in())

    def log(self) -> Tensor:
        """Natural logarithm."""
        return ops.log(self._float_in())

    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
        return ops.tanh(self._float_in())

    def sigmoid(self) -> Tensor:
        """Logistic sigmoid."""
        return ops.sigmoid(self._float_in())

    def relu(self) -> Tensor:
        """max(x, 0)."""
        _check.not_bool("relu", self, "Boolean inputs not supported for relu")
        return ops.relu(self)

    def sqrt(self) -> Tensor:
        """Square root."""
        return ops.sqrt(self._float_in())

    def square(self) -> Tensor:
        """x * x."""
        x = self.long() if self.data.dtype == np.bool_ else self
        return ops.mul(x, x)

    def neg(self) -> Tensor:
        """-x."""
        _check.not_bool(
            "neg",
            self,
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
            "mask, use the `~` or `logical_not()` operator instead.",
        )
        return ops.neg(self)

    def pow(self, exponent: Any) -> Tensor:
        """x ** exponent."""
        _check.tensor_or_number("pow", "exponent", 1, exponent)
        x = self
        if self.data.dtype.kind in "iub" and (
            isinstance(exponent, float)
            or (isinstance(exponent, TensorBase) and exponent.data.dtype.kind == "f")
        ):
            x = self.float()
        elif self.data.dtype == np.bool_:
            x = self.long()
        return ops.pow_(x, exponent)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with torch's broadcasting rules."""
        _check.tensor("matmul", "other", 1, other)
        if self.data.ndim == 1 and other.data.ndim == 1:
            return self.dot(other)
        _check.same_dtype(self, other, "expected m1 and m2 to have the same dtype, but got: {a} != {b}")
        return ops.matmul(self, other)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Clamp into [min, max]."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        _check.number("clamp", "min", 1, min, allow_none=True)
        _check.number("clamp", "max", 2, max, allow_none=True)
        to_float = self.data.dtype.kind in "iub" and (isinstance(min, float) or isinstance(max, float))
        x = self.float() if to_float else self
        lo, hi = (_operand(v) if v is None or isinstance(v, TensorBase) else v for v in (min, max))
        return ops.clip(x, lo, hi)

    clip = clamp  # type: ignore[assignment]

    def softmax(self, dim: int) -> Tensor:
        """exp / sum(exp) along dim."""
        d = _norm_dim(dim, self.data.ndim, "softmax")
        _check.kernel("softmax_lastdim_kernel_impl", self)
        return self if self.data.size == 0 else functional.softmax(self, d)

    def log_softmax(self, dim: int) -> Tensor:
        """log(softmax) along dim."""
        d = _norm_dim(dim, self.data.ndim, "log_softmax")
        _check.kernel("log_softmax_lastdim_kernel_impl", self)
        return self if self.data.size == 0 else functional.log_softmax(self, d)

    def mm(self, mat2: Any) -> Tensor:
        """Matrix product of two matrices."""
        _check.tensor("mm", "mat2", 1, mat2)
        if self.data.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if mat2.data.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        _check.same_dtype(self, mat2, "expected m1 and m2 to have the same dtype, but got: {a} != {b}")
        return ops.matmul(self, mat2)

    def dot(self, tensor: Any) -> Tensor:
        """Inner product of two vectors."""
        _check.tensor("dot", "tensor", 1, tensor)
        if self.data.ndim != 1 or tensor.data.ndim != 1:
            raise RuntimeError(
                f"1D tensors expected, but got {self.data.ndim}D and {tensor.data.ndim}D tensors"
            )
        if self.data.dtype != tensor.data.dtype:
            raise RuntimeError(
                "dot : expected both vectors to have same dtype, but found "
                f"{_check.scalar_name(self)} and {_check.scalar_name(tensor)}"
            )
        return ops.matmul(self, tensor)

    def allclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
        """numpy.allclose on the values."""
        _check.tensor("allclose", "other", 1, other)
        _check.same_dtype(self, other, "{a} did not match {b}")
        err = broadcast_error("allclose", self.data.shape, other.data.shape)
        if err is not None:
            raise self.op_error(err)
        return bool(np.allclose(self.data, _operand(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def equal(self, other: Any) -> bool:
        """Same shape and values."""
        _check.tensor("equal", "other", 1, other)
        o = _operand(other)
        return self.data.shape == np.shape(o) and bool(np.all(self.data == o))
