"""torch.Tensor's in-place methods (`add_`, `x[i] = v`, ...) and its version counter's error.

Outside the graph an in-place op writes into the numpy buffer (views and `from_numpy` arrays see
it). On a tensor in the graph it is allowed, as in torch: the op runs out of place on a copy of the
old value (torch's `original_self`), the result is written into the buffer, and the tensor becomes
that op's output, so gradients flow through the in-place op. Every write ticks the storage's
version (tinygrad_rnn.tape.bump_version); the backward walk then finds saved values written since
they were saved, and `saved_modified` keeps those torch saves and words torch's RuntimeError.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import ops
from .._shapes import broadcast_error, index_error
from ..random import generator as _generator
from ..tape import Node, SavedChange, TensorBase, bump_version, is_grad_enabled, make_tensor, stale_values
from . import _check, _dtype

LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."

# grad_fns whose inputs torch saves only when another input needs a gradient: input i -> inputs whose
# need makes torch save it (mul saves `other` for self's gradient, `self` for other's, ...)
_SAVED_IF_NEEDED: dict[str, dict[int, tuple[int, ...]]] = {
    "MulBackward0": {0: (1,), 1: (0,)},
    "MmBackward0": {0: (1,), 1: (0,)},
    "DotBackward0": {0: (1,), 1: (0,)},
    "MatmulBackward0": {0: (1,), 1: (0,)},
    "DivBackward0": {0: (1,), 1: (0, 1)},
    "AddmmBackward0": {0: (), 1: (2,), 2: (1,)},
}


_NAMESPACED = {"AccumulateGrad", "CopySlices", "CopyBackwards"}  # C++ nodes torch names torch::autograd::X


def node_name(node: Node) -> str:
    """A node's name as torch's grad_fn.name() gives it."""
    return f"torch::autograd::{node.name}" if node.name in _NAMESPACED else node.name


def torch_saves(node: Node, change: SavedChange) -> bool:
    """Does torch's grad_fn save this value? (the core saves every input of some ops)"""
    rule = _SAVED_IF_NEEDED.get(node.name)
    if change.role != "input" or rule is None:
        return True
    return any(node.next[j] is not None for j in rule.get(change.index, (change.index,)))


def saved_modified_error(node: Node) -> RuntimeError | None:
    """torch's error for the first value `node` saved (as torch saves) that was written in place since."""
    kept = [c for c in stale_values(node) if torch_saves(node, c)]
    if not kept:
        return None
    c = kept[0]
    arr = np.asarray(operand(c.value))
    kind = "torch." + _dtype.LEGACY_TYPE.get(_dtype.from_np(arr.dtype), arr.dtype.name)
    where = f"[{kind} [{', '.join(str(s) for s in arr.shape)}]]"
    # an output names the node that saved it; an input its tensor's grad_fn now, as torch does
    src = (node, c.index) if c.role == "output" else (c.value._node, c.value._idx)
    if src[0] is not None:
        # torch drops "Backward" and a "0" version from the name: ExpBackward0 -> Exp, FillBackward2 -> Fill2
        short = re.sub(r"Backward([0-9]*)$", lambda m: m.group(1).lstrip("0"), node_name(src[0]))
        where += f", which is output {src[1]} of {short},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"{where} is at version {c.version}; expected version {c.expected} instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def operand(x: Any) -> Any:
    """The array of a Tensor operand; anything else as is."""
    return x.array if isinstance(x, TensorBase) else x


def expand_message(have: tuple[int, ...], target: tuple[int, ...]) -> str:
    """torch's error for a value that does not broadcast to the indexed part of a tensor."""
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


_WHERE_AS: dict[str, type] = {}


def where_as(name: str, mask: np.ndarray, a: Any, b: Any) -> Any:
    """ops.where(mask, a, b) recorded under torch's grad_fn name for the in-place op it stands for."""
    cls = _WHERE_AS.get(name)
    if cls is None:
        cls = _WHERE_AS[name] = type(name, (ops.Where,), {"name": name})
    if not isinstance(a, TensorBase):
        a = np.asarray(a, dtype=b.array.dtype)
    return cls.apply(a, b, cond=mask)


def _fill(src: Any, value: Any, name: str = "CopyBackwards") -> Any:
    """`value` everywhere (broadcast), recorded so the old value gets a zero gradient, as torch's do."""
    mask = np.ones(src.array.shape, dtype=bool)
    if isinstance(value, TensorBase) and value.array.dtype != src.array.dtype:
        value = ops.cast(value, src.array.dtype)
    return where_as(name, mask, value, src)


class InplaceMethods:
    """The in-place half of torch.Tensor (a mixin of the frontend Tensor)."""

    __slots__ = ()

    # -- the machinery ---------------------------------------------------------------------------
    def _in_graph(self, operands: tuple[Any, ...]) -> bool:
        """Does this in-place op have to be recorded (as torch records it)?"""
        if not is_grad_enabled():
            return False
        if self.requires_grad and self._node is None:
            raise RuntimeError(LEAF_ERROR)
        return self.requires_grad or any(isinstance(o, TensorBase) and o.requires_grad for o in operands)

    def _store(self, value: Any) -> Any:
        """Write `value` into the buffer (broadcast) and tick the storage's version."""
        value = np.broadcast_to(np.asarray(value), self.array.shape)
        if self.array.flags.writeable:
            self.array[...] = value  # into the buffer: views and from_numpy arrays see it, as in torch
        else:
            self.array = value.astype(self.array.dtype)
        bump_version(self.array)
        return self

    def _record(self, compute: Callable[[Any], Any]) -> Any:
        """Run `compute` on a copy of the old value in the graph, store it, become its output."""
        if isinstance(self.array, np.ndarray) and self.array.base is not None:
            raise RuntimeError(
                "tinygrad_rnn.torch: an in-place operation on a view of a tensor in the graph is not "
                "supported (torch rebases the view's base); apply it to the base tensor, or clone() first."
            )
        retains = self.retains_grad
        old = make_tensor(self.result_type, np.array(self.array), self._node, self._idx)
        res = compute(old)
        self._store(res.array)
        self._node, self._idx, self._accum = res._node, res._idx, None
        self.requires_grad = res.requires_grad
        if retains:
            self.retain_grad()  # torch keeps retaining: the gradient of the new value
        return self

    def _inplace(self, value: Any, name: str) -> Any:
        """Fill with `value` (an array or number, never differentiated); `name`: torch's grad_fn."""
        if self._in_graph(()):
            return self._record(lambda old: _fill(old, value, name))
        return self._store(value)

    def _inplace_op(self, name: str, o: Any, fn: Any, op: Any) -> Any:
        """self = fn(self, o) in place after torch's checks; `op` is the recorded (Tensor) version."""
        if not self._operand_ok(o):
            if name.startswith("__"):
                return NotImplemented
            raise TypeError(
                f"{name}(): argument 'other' (position 1) must be Tensor, not {_check.type_name(o)}"
            )
        if "sub" in name:
            self._no_bool_sub(o)
        od = operand(o)
        err = broadcast_error(name, self.array.shape, np.shape(od))
        if err is not None:
            raise self.op_error(err)
        out_shape = np.broadcast_shapes(self.array.shape, np.shape(od))
        if out_shape != self.array.shape:
            raise RuntimeError(
                f"output with shape {list(self.array.shape)} doesn't match the broadcast shape {list(out_shape)}"
            )
        res = fn(self.array, od)
        if self.array.dtype.kind in "iub" and np.asarray(res).dtype.kind not in "iub":
            raise RuntimeError(
                f"result type {_check.scalar_name(np.asarray(res).dtype)} can't be cast to the desired "
                f"output type {_check.scalar_name(self)}"
            )
        if self._in_graph((o,)):
            return self._record(lambda old: op(old, o))
        return self._store(res)

    # -- arithmetic --------------------------------------------------------------------------------
    def __iadd__(self, o):
        return self._inplace_op("__iadd__", o, np.add, ops.add)

    def __isub__(self, o):
        return self._inplace_op("__isub__", o, np.subtract, ops.sub)

    def __imul__(self, o):
        return self._inplace_op("__imul__", o, np.multiply, ops.mul)

    def __itruediv__(self, o):
        return self._inplace_op("__itruediv__", o, np.true_divide, ops.div)

    def add_(self, other: Any, *, alpha: float = 1) -> Any:
        """self += alpha * other."""
        return self._inplace_op(
            "add_", other, lambda a, b: a + alpha * b, lambda a, b: ops.add(a, _scaled(b, alpha))
        )

    def sub_(self, other: Any, *, alpha: float = 1) -> Any:
        """self -= alpha * other."""
        return self._inplace_op(
            "sub_", other, lambda a, b: a - alpha * b, lambda a, b: ops.sub(a, _scaled(b, alpha))
        )

    def mul_(self, other: Any) -> Any:
        """self *= other."""
        return self._inplace_op("mul_", other, np.multiply, ops.mul)

    def div_(self, other: Any) -> Any:
        """self /= other."""
        return self._inplace_op("div_", other, np.true_divide, ops.div)

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        """Clamp in place."""
        out = self.clamp(min, max)  # torch's checks (and the value outside the graph)
        if self.array.dtype.kind in "iub" and out.array.dtype.kind not in "iub":
            raise RuntimeError(
                f"result type {_check.scalar_name(out.array.dtype)} can't be cast to the desired "
                f"output type {_check.cpp_name(self)}"
            )
        if self._in_graph(()):
            return self._record(lambda old: old.clamp(min, max))
        return self._store(out.array)

    # -- fills ---------------------------------------------------------------------------------------
    def zero_(self) -> Any:
        """Fill with zeros."""
        return self._inplace(np.zeros_like(self.array), "ZeroBackward0")

    def fill_(self, value: Any) -> Any:
        """Fill with one value (a 0-d Tensor value gets the sum of the gradient, as in torch)."""
        _check.number("fill_", "value", 1, value)
        if isinstance(value, TensorBase) and value.array.ndim:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value.array.ndim} dimensions."
            )
        if isinstance(value, TensorBase) and self._in_graph((value,)):
            return self._record(lambda old: _fill(old, value, "FillBackward3"))
        name = "FillBackward3" if isinstance(value, TensorBase) else "FillBackward2"
        return self._inplace(np.full_like(self.array, operand(value)), name)

    def copy_(self, src: Any, non_blocking: bool = False) -> Any:
        """Copy src's values (broadcast to this shape; the gradient flows to src)."""
        _check.tensor("copy_", "src", 1, src)
        return self._inplace_op("copy_", src, lambda a, b: np.broadcast_to(b, a.shape).astype(a.dtype), _fill)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Any:
        """Fill from U(a, b) with the package generator (not torch's random stream)."""
        _check.number("uniform_", "from", 1, a)
        _check.number("uniform_", "to", 2, b)
        _check.kernel("check_uniform_bounds", self)
        a, b = float(a), float(b)
        if not a <= b:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
        if b - a > np.finfo(self.array.dtype).max:
            raise RuntimeError(
                f"uniform_ expects to-from <= std::numeric_limits<{_check.scalar_name(self).lower()}>::max(), "
                f"but found to={b} and from={a} which result in to-from to exceed the limit"
            )
        return self._inplace(_generator().uniform(a, b, self.array.shape), "UniformBackward0")

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        """Fill from N(mean, std^2) with the package generator."""
        _check.number("normal_", "mean", 1, mean)
        _check.number("normal_", "std", 2, std)
        _check.kernel("normal_kernel_cpu", self)
        if not float(std) >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {float(std)}")
        return self._inplace(
            _generator().normal(float(mean), float(std), self.array.shape), "NormalBackward0"
        )

    def random_(self, *args: Any, generator: Any = None, **kw: Any) -> Any:
        """Integers uniform in [from, to) (one bound: [0, to); none: every integer the dtype holds exactly)."""
        if "from" in kw or "to" in kw:  # random_(from=..., to=...): `from` is a Python keyword
            args = (kw.pop("from", 0), kw.pop("to", None))
        if kw:
            raise _check.unexpected_keyword("random_", next(iter(kw)))
        lo, hi = random_bounds(self.array.dtype, args)
        values = _generator().integers(lo, hi, self.array.shape).astype(self.array.dtype)
        return self._inplace(values, "RandomBackward0")

    # -- item assignment ---------------------------------------------------------------------------
    def __setitem__(self, idx: Any, value: Any) -> None:
        if not self._operand_ok(value):
            raise TypeError(f"can't assign a {type(value).__name__} to a {self.type()}")
        items = idx if isinstance(idx, tuple) else (idx,)
        _check.index_items(self, items)
        plain = ops.plain_index(idx)
        err = index_error(self.array.shape, plain)
        if err is not None:
            raise self.op_error(err)
        target = self.array[plain].shape
        vshape = np.shape(operand(value))
        if (
            broadcast_error("setitem", target, vshape) is not None
            or np.broadcast_shapes(target, vshape) != target
        ):
            raise RuntimeError(expand_message(vshape, target))
        if self._in_graph((value,)):
            self._record(lambda old: _put(old, plain, value, target))
            return
        data = self.array if self.array.flags.writeable else np.array(self.array)
        data[plain] = operand(value)
        self.array = data
        bump_version(data)


def _scaled(b: Any, alpha: float) -> Any:
    return b if alpha == 1 else ops.mul(b, alpha) if isinstance(b, TensorBase) else b * alpha


def _put(old: Any, plain: Any, value: Any, target: tuple[int, ...]) -> Any:
    """old with `value` at `plain`, recorded: the old value's gradient is zero there, value's is g[plain]."""
    mask = np.zeros(old.array.shape, dtype=bool)
    mask[plain] = True
    if isinstance(value, TensorBase):
        v = value if value.array.dtype == old.array.dtype else ops.cast(value, old.array.dtype)
        v = ops.expand(v, target) if v.array.shape != target else v
        put = ops.Scatter.apply(v, idx=plain, shape=old.array.shape)
    else:
        put = np.zeros(old.array.shape, dtype=old.array.dtype)
        put[plain] = value
    return where_as("CopySlices", mask, put, old)


_RANDOM_SIGNATURES = (
    " * (*, torch.Generator generator = None)\n{why} * (int from, int to, *, torch.Generator generator = None)\n"
    " * (int to, *, torch.Generator generator = None)\n"
)


_C_TYPES = {
    "b1": "bool",
    "i1": "signed char",
    "u1": "unsigned char",
    "i2": "short int",
    "i4": "int",
    "i8": "long int",
}


def random_bounds(dtype: np.dtype, args: tuple[Any, ...]) -> tuple[int, int]:
    """[lo, hi) of Tensor.random_(*args) as torch picks it for this dtype, with torch's errors."""
    ok = len(args) <= 2 and all(_check.is_int(a) or (a is None and i == 1) for i, a in enumerate(args))
    if not ok:
        names = [_check.type_name(a) for a in args]
        raise TypeError(
            f"random_() received an invalid combination of arguments - got ({', '.join(names)}), but expected "
            "one of:\n"
            + _RANDOM_SIGNATURES.format(
                why="      didn't match because some of the arguments have invalid types: "
                f"({', '.join(f'!{n}!' for n in names)})\n"
                if len(args) == 2  # torch explains the mismatch only for two arguments
                else ""
            )
        )
    lo, hi = (0, args[0]) if len(args) == 1 else (args + (0, None))[:2] if args else (0, None)
    lo = int(lo)
    if hi is None:
        if dtype.kind == "f":
            hi = 2 ** (np.finfo(dtype).nmant + 1) + 1  # every integer the float holds exactly
        else:
            hi = 2 if dtype.kind == "b" else int(np.iinfo(dtype).max) + 1
    hi = int(hi)
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= to={hi}")
    top = 1 if dtype.kind == "b" else np.iinfo(dtype).max if dtype.kind in "iu" else None
    if top is not None and hi - 1 > top:
        raise RuntimeError(f"to - 1 is out of bounds for {_C_TYPES.get(dtype.str[1:], dtype.name)}")
    return lo, hi
