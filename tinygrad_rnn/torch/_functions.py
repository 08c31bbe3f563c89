"""torch's top-level functions: grad-mode switches and the functional ops (factories: _factories.py).

The `torch.*` namespace, each entry a thin wrapper that parses torch's arguments and calls a core op.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import ops, tape
from .._shapes import broadcast_error, stack_error
from ..random import manual_seed as _core_manual_seed
from ..tape import TensorBase
from . import _check
from ._factories import make, python_data_array
from ._new import repeat_interleave as repeat_interleave
from ._tensor import Tensor


def manual_seed(seed: int) -> None:
    """Reseed the package generator (init, randn, dropout); torch's own stream is not reproduced."""
    seed = int(seed)  # torch's own conversion (and its ValueError / TypeError)
    if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
        raise RuntimeError(f"Overflow when unpacking long long, got {seed}")
    _core_manual_seed(seed % 2**64)


def is_tensor(obj: Any) -> bool:
    """True for tensors."""
    return isinstance(obj, TensorBase)


def numel(input: TensorBase) -> int:
    """Number of elements."""
    _check.tensor("numel", "input", 1, input)
    return int(input.array.size)


# -- grad mode -----------------------------------------------------------------------------------
class _GradMode:
    """A grad-mode switch usable as a context manager and as a decorator, like torch's."""

    mode = False

    def __enter__(self) -> None:
        self._prev = tape.set_grad_mode(self.mode)

    def __exit__(self, *exc: Any) -> None:
        tape.set_grad_mode(self._prev)

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapped


class no_grad(_GradMode):  # noqa: N801
    """Context manager / decorator under which no op is recorded."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Context manager / decorator that turns recording back on."""

    mode = True


class inference_mode(_GradMode):  # noqa: N801
    """Like no_grad (this frontend has no separate inference tensors)."""

    def __init__(self, mode: bool = True):
        self.mode = not mode

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        mode = self.mode

        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(not mode):
                return fn(*args, **kwargs)

        return wrapped


class set_grad_enabled(_GradMode):  # noqa: N801
    """Sets the grad mode at once (also as a plain call); restores the previous one on exit."""

    def __init__(self, mode: bool):
        _check.boolean("set_grad_enabled", "enabled", 1, mode)
        self.mode = bool(mode)
        self._prev = tape.set_grad_mode(self.mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        tape.set_grad_mode(self._prev)


def is_grad_enabled() -> bool:
    """True when ops are being recorded."""
    return tape.is_grad_enabled()


# -- functional ops ------------------------------------------------------------------------------
def cat(tensors: Sequence[TensorBase], dim: int = 0, *, axis: Any = None) -> Tensor:
    """Join along an existing dimension."""
    return ops.concat(
        _tensor_list("cat", tensors), _check.integer("cat", "dim", 2, dim if axis is None else axis)
    )


concat = concatenate = cat


def stack(tensors: Sequence[TensorBase], dim: int = 0) -> Tensor:
    """Join along a new dimension."""
    ts = _tensor_list("stack", tensors)
    dim = _check.integer("stack", "dim", 2, dim)
    err = ts and stack_error([t.array.shape for t in ts])
    if err:
        raise ts[0].op_error(err)
    return ops.stack(ts, dim)


def _tensor_list(fn: str, tensors: Any) -> list[Any]:
    """A tuple / list of Tensors, or torch's TypeError; mixed dtypes are promoted as torch does."""
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not {_check.type_name(tensors)}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    if not tensors:
        if fn == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dt = np.result_type(*[t.array.dtype for t in tensors]) if tensors else None
    return [t if t.array.dtype == dt else t.to(dt) for t in tensors]


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition, else other."""
    _check.tensor("where", "condition", 1, condition)
    _check.tensor_or_number("where", "input", 2, input)
    _check.tensor_or_number("where", "other", 3, other)
    if condition.array.dtype != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_check.scalar_name(condition)}"
        )
    if not isinstance(input, TensorBase) and not isinstance(other, TensorBase):
        # two Python scalars: the dtype torch.tensor([input, other]) would take
        input = make(np.asarray(input, python_data_array([input, other]).dtype))
    return ops.where(condition, input, other)


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise max."""
    _check.tensor("maximum", "input", 1, input)
    _check.tensor("maximum", "other", 2, other)
    return ops.maximum(input, other)


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise min."""
    _check.tensor("minimum", "input", 1, input)
    _check.tensor("minimum", "other", 2, other)
    return ops.minimum(input, other)


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product (numpy's batching rules)."""
    _check.tensor("matmul", "input", 1, input)
    _check.tensor("matmul", "other", 2, other)
    return input.matmul(other)


def mm(input: Any, mat2: Any) -> Tensor:
    """Product of two matrices (no broadcasting, no vectors)."""
    _check.tensor("mm", "input", 1, input)
    return input.mm(mat2)


def bmm(input: Any, mat2: Any) -> Tensor:
    """Batched product of two 3-D tensors of matrices."""
    _check.tensor("bmm", "input", 1, input)
    _check.tensor("bmm", "mat2", 2, mat2)
    for name, t in (("batch1", input), ("batch2", mat2)):
        if t.array.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if input.array.dtype == np.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if input.array.dtype != mat2.array.dtype:
        raise RuntimeError(
            f"expected scalar type {_check.scalar_name(input)} but found {_check.scalar_name(mat2)}"
        )
    b, n, m = input.array.shape
    if mat2.array.shape[:2] != (b, m):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {m}] but got: "
            f"{list(mat2.array.shape[:2])}."
        )
    return ops.matmul(input, mat2)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001
    """input ** exponent."""
    if not isinstance(input, TensorBase):
        _check.tensor("pow", "exponent", 2, exponent)
        return exponent.__rpow__(input)
    return input.pow(exponent)


def isclose(
    input: TensorBase, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> Tensor:
    """Elementwise closeness."""
    _check.tensor("isclose", "input", 1, input)
    _check.tensor("isclose", "other", 2, other)
    _check.same_dtype(input, other, "{a} did not match {b}")
    err = broadcast_error("isclose", input.array.shape, other.array.shape)
    if err is not None:
        raise input.op_error(err)
    o = other.array if isinstance(other, TensorBase) else other
    return make(np.isclose(input.array, o, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _method(name: str, check: bool = True) -> Callable[..., Any]:
    def fn(input: TensorBase, *args: Any, **kwargs: Any) -> Any:
        if check:  # torch.split / chunk-like Python functions just call the method (AttributeError)
            _check.tensor(name, "input", 1, input)
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...) == input.{name}(...)"
    return fn


# torch.<name>(input, ...) is input.<name>(...) for these
tanh = _method("tanh")
relu = _method("relu")
sigmoid = _method("sigmoid")
exp = _method("exp")
log = _method("log")
sqrt = _method("sqrt")
abs = _method("abs")
neg = _method("neg")
square = _method("square")
sum = _method("sum")
mean = _method("mean")
max = _method("max")
min = _method("min")
amax = _method("amax")
amin = _method("amin")
argmax = _method("argmax")
argmin = _method("argmin")
sort = _method("sort")
transpose = _method("transpose")
permute = _method("permute")
reshape = _method("reshape")
flatten = _method("flatten")
squeeze = _method("squeeze")
unsqueeze = _method("unsqueeze")
clamp = _method("clamp")
remainder = _method("remainder")
clip = _method("clip")
softmax = _method("softmax")
log_softmax = _method("log_softmax")
allclose = _method("allclose")
equal = _method("equal")
split = _method("split", check=False)
chunk = _method("chunk")
unbind = _method("unbind")
t = _method("t")
dot = _method("dot")
index_select = _method("index_select")
masked_fill = _method("masked_fill")
