"""The Tensor: a numpy array plus the autograd slots (requires_grad, grad, the node that made it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from ._shapes import normalize_axes
from .engine import run_backward
from .tape import Node, TensorBase, make_tensor


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Array for Tensor(...): Python floats become float32 (torch's default); arrays keep dtype."""
    if isinstance(data, TensorBase):
        data = data.array
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype))
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)
    a = np.array(data)
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    return a


def _shape_args(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class Tensor(TensorBase):
    """An n-d array that can record the ops applied to it and run reverse-mode autodiff."""

    __slots__ = ()
    __array_priority__ = 1000  # so ndarray <op> Tensor defers to Tensor's reflected operators

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        self._set(as_array(data, dtype))
        if requires_grad:
            self.requires_grad_(True)

    # -- autograd ------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as needing gradients (only floating-point tensors can)."""
        if self._node is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self.array.dtype.kind not in "fcO":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self) -> Node | None:
        """The node that created this tensor (None for leaves)."""
        return self._node

    @property
    def is_leaf(self) -> bool:
        """True for tensors not created by a recorded op."""
        return self._node is None

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's .grad (implicit 1 only for scalars)."""
        gradient = _seed(self, gradient, 0)
        retain = create_graph if retain_graph is None else retain_graph
        if inputs is not None:
            grads = run_backward(
                [self],
                [gradient],
                retain_graph=retain,
                create_graph=create_graph,
                inputs=list(inputs),
                accumulate=False,
                allow_unused=True,
            )
            for t, g in zip(inputs, grads):
                if g is not None:
                    t.grad = g if t.grad is None else t.grad + g
            return
        run_backward([self], [gradient], retain_graph=retain, create_graph=create_graph)

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return make_tensor(self.result_type, self.array, None, 0)

    # -- data access ---------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying numpy array (shared, not copied)."""
        return self.array

    def item(self) -> Any:
        """The single element as a Python number."""
        if self.array.size != 1:
            raise RuntimeError(f"a Tensor with {self.array.size} elements cannot be converted to Scalar")
        return self.array.item()

    def tolist(self) -> Any:
        """Nested Python lists."""
        return self.array.tolist()

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape as a tuple."""
        return self.array.shape

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype."""
        return self.array.dtype

    def numel(self) -> int:
        """Number of elements."""
        return int(self.array.size)

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        return (
            iter(ops.unbind(self, 0))
            if self.requires_grad
            else iter([make_tensor(self.result_type, a, None, 0) for a in self.array])
        )

    def __repr__(self) -> str:
        extra = ", requires_grad=True" if self.requires_grad else ""
        # prefix: rows after the first line up under the first one, as in numpy's array(...) repr
        body = np.array2string(self.array, separator=", ", prefix="Tensor(")
        return f"Tensor({body}, dtype={self.dtype}{extra})"

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.array)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    # -- operators -----------------------------------------------------------------------------
    def __add__(self, o):
        return ops.add(self, o)

    def __radd__(self, o):
        return ops.add(o, self)

    def __sub__(self, o):
        return ops.sub(self, o)

    def __rsub__(self, o):
        return ops.sub(o, self)

    def __mul__(self, o):
        return ops.mul(self, o)

    def __rmul__(self, o):
        return ops.mul(o, self)

    def __truediv__(self, o):
        return ops.div(self, o)

    def __rtruediv__(self, o):
        return ops.div(o, self)

    def __mod__(self, o):
        return ops.remainder(self, o)

    def __rmod__(self, o):
        return ops.remainder(o, self)

    def __pow__(self, o):
        return ops.pow_(self, o)

    def __rpow__(self, o):
        return ops.pow_(o, self)

    def __matmul__(self, o):
        return ops.matmul(self, o)

    def __rmatmul__(self, o):
        return ops.matmul(o, self)

    def __neg__(self):
        return ops.neg(self)

    def __pos__(self):
        return self

    def __getitem__(self, idx):
        return ops.getitem(self, idx)

    # comparisons give plain boolean tensors (never differentiable)
    def _cmp(self, o, fn):
        return make_tensor(
            self.result_type, fn(self.array, o.array if isinstance(o, TensorBase) else o), None, 0
        )

    def __lt__(self, o):
        return self._cmp(o, np.less)

    def __le__(self, o):
        return self._cmp(o, np.less_equal)

    def __gt__(self, o):
        return self._cmp(o, np.greater)

    def __ge__(self, o):
        return self._cmp(o, np.greater_equal)

    def __eq__(self, o):  # type: ignore[override]
        return self._cmp(o, np.equal)

    def __ne__(self, o):  # type: ignore[override]
        return self._cmp(o, np.not_equal)

    # -- methods -------------------------------------------------------------------------------
    # exp, log, tanh, sigmoid, relu, sqrt, ...: one per elementwise math op, added after the class

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """Clamp into [lo, hi]."""
        return ops.clip(self, lo, hi)

    def pow(self, o: Any) -> Tensor:
        """self ** o."""
        return ops.pow_(self, o)

    def matmul(self, o: Any) -> Tensor:
        """self @ o."""
        return ops.matmul(self, o)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Sum over axes."""
        return ops.sum_(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Mean over axes."""
        return ops.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Max over axes."""
        return ops.max_(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Min over axes."""
        return ops.min_(self, axis, keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        """Same data, new shape."""
        return ops.reshape(self, _shape_args(shape))

    def transpose(self, *perm: Any) -> Tensor:
        """Permute axes (numpy convention: no argument reverses them)."""
        return ops.transpose(self, _shape_args(perm) if perm else None)

    permute = transpose

    def swapaxes(self, i: int, j: int) -> Tensor:
        """Exchange two axes."""
        return ops.swapaxes(self, i, j)

    @property
    def T(self) -> Tensor:
        """All axes reversed."""
        return ops.transpose(self)

    def expand(self, *shape: Any) -> Tensor:
        """Broadcast to a larger shape."""
        return ops.expand(self, _shape_args(shape))

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert a size-1 axis."""
        axis = normalize_axes(axis, self.array.ndim + 1)[0]
        return ops.reshape(self, self.shape[:axis] + (1,) + self.shape[axis:])

    def squeeze(self, axis: int | None = None) -> Tensor:
        """Drop size-1 axes (all, or just `axis` if it has size 1)."""
        if axis is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            axis = normalize_axes(axis, self.array.ndim)[0]  # a 0-d tensor takes axis 0 or -1
            shape = (
                self.shape
                if self.array.ndim == 0 or self.shape[axis] != 1
                else self.shape[:axis] + self.shape[axis + 1 :]
            )
        return ops.reshape(self, shape)

    def split(self, sizes: Any, axis: int = 0) -> tuple[Tensor, ...]:
        """Split into chunks along an axis."""
        return ops.split(self, sizes, axis)

    def unbind(self, axis: int = 0) -> tuple[Tensor, ...]:
        """All slices along an axis."""
        return ops.unbind(self, axis)

    def astype(self, dtype: Any) -> Tensor:
        """Convert dtype (differentiable)."""
        return ops.cast(self, dtype)

    def float(self) -> Tensor:
        """As float32."""
        return ops.cast(self, np.float32)

    def double(self) -> Tensor:
        """As float64."""
        return ops.cast(self, np.float64)


# x.exp(), x.tanh(), ...: every elementwise math op (ops.UNARY_MATH) is a method, its function itself
for _name in ops.UNARY_MATH:
    setattr(Tensor, _name, getattr(ops, _name))


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Make a Tensor (a copy of `data`)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A Tensor of zeros."""
    return Tensor(np.zeros(_shape_args(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A Tensor of ones."""
    return Tensor(np.ones(_shape_args(shape), dtype=dtype), requires_grad=requires_grad)


def _seed(output: TensorBase, g: Any, i: int) -> Any:
    """The gradient backward starts from for output i: implicit 1 for scalars, else shape-checked."""
    if g is None:
        if output.array.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return np.ones(output.array.shape, dtype=output.array.dtype)
    gshape = tuple(np.shape(getattr(g, "array", g)))
    if gshape != output.array.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of {gshape} and output[{i}] has a "
            f"shape of {output.array.shape}."
        )
    return g


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """Gradients of `outputs` w.r.t. `inputs` (no .grad is touched); create_graph for higher order."""
    outs = [outputs] if isinstance(outputs, TensorBase) else list(outputs)
    ins = [inputs] if isinstance(inputs, TensorBase) else list(inputs)
    if grad_outputs is None:
        gos: list[Any] = [None] * len(outs)
    elif isinstance(grad_outputs, (TensorBase, np.ndarray)):  # one gradient, not a list of rows
        gos = [grad_outputs]
    else:
        gos = list(grad_outputs)
    if len(gos) != len(outs):  # zip would silently drop the extra outputs
        raise RuntimeError(
            f"grad requires one gradient per output: expected {len(outs)} grad_outputs, got {len(gos)} "
            f"(got {len(outs)} tensors and {len(gos)} gradients)"
        )
    seeds = [_seed(o, g, i) for i, (o, g) in enumerate(zip(outs, gos))]
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    res = run_backward(
        outs,
        seeds,
        retain_graph=retain,
        create_graph=create_graph,
        inputs=ins,
        accumulate=False,
        allow_unused=allow_unused,
    )
    return tuple(res)
