"""The reverse-mode tape: graph nodes, grad modes, anomaly mode and the iterative backward walk.

Every differentiable op is a `Node` subclass (see the ops package) whose forward runs on numpy arrays and
whose backward rule is written against a small namespace `F` of array functions. The walk passes
`F = numpy` functions for a plain backward (fast, no graph) and `F = tensor ops` when
`create_graph=True`, so the very same rule also builds the graph of the gradient (double backward).
"""

from __future__ import annotations

import contextlib
import os
import traceback
import weakref
from collections import deque
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))


class _Mode:
    """Global switches: is the tape recording, and is anomaly detection on."""

    grad_enabled = True
    anomaly = False
    scope: tuple[str, ...] = ()


def is_grad_enabled() -> bool:
    """True when ops record themselves on the tape."""
    return _Mode.grad_enabled


def set_grad_mode(mode: bool) -> bool:
    """Turn recording on or off now (for frontends' own context managers); returns the old mode."""
    prev, _Mode.grad_enabled = _Mode.grad_enabled, bool(mode)
    return prev


def is_anomaly_enabled() -> bool:
    """True inside detect_anomaly: nodes record their user line, NaN gradients raise."""
    return _Mode.anomaly


def set_anomaly_mode(mode: bool) -> bool:
    """Turn anomaly detection on or off now; returns the old mode."""
    prev, _Mode.anomaly = _Mode.anomaly, bool(mode)
    return prev


@contextlib.contextmanager
def set_grad_enabled(mode: bool) -> Iterator[None]:
    """Context manager that turns recording on or off and restores the previous state."""
    prev = _Mode.grad_enabled
    _Mode.grad_enabled = bool(mode)
    try:
        yield
    finally:
        _Mode.grad_enabled = prev


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager under which no op is recorded."""
    return set_grad_enabled(False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager that re-enables recording (e.g. inside no_grad)."""
    return set_grad_enabled(True)


@contextlib.contextmanager
def detect_anomaly(check_nan: bool = True) -> Iterator[None]:
    """Record each op's user code line; a backward rule that returns NaN raises, naming both.

    As in torch, the forward is never checked (exp(100.) = inf is a legitimate value) and an
    infinite gradient is not an anomaly: only NaN in a backward rule's output is.
    """
    prev = _Mode.anomaly
    _Mode.anomaly = bool(check_nan)
    try:
        yield
    finally:
        _Mode.anomaly = prev


def current_scope() -> tuple[str, ...]:
    """The scope labels new nodes are tagged with (innermost last)."""
    return _Mode.scope


def set_scope(scope: tuple[str, ...]) -> None:
    """Tag nodes recorded from now on with `scope`: cheaper than a `with name_scope()` per time step."""
    _Mode.scope = scope


@contextlib.contextmanager
def name_scope(label: str) -> Iterator[None]:
    """Tag every node recorded inside with `label` (nested scopes stack), e.g. for graph clusters."""
    prev = _Mode.scope
    _Mode.scope = prev + (label,)
    try:
        yield
    finally:
        _Mode.scope = prev


def _user_frame() -> str:
    """The innermost stack frame outside this package: where the user created the op."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not os.path.abspath(frame.filename).startswith(_PKG_DIR + os.sep):
            return f'File "{frame.filename}", line {frame.lineno}, in {frame.name}\n    {frame.line}'
    return "<unknown>"


def has_nan(a: Any) -> bool:
    """True when a gradient (array or Tensor) holds a NaN: what anomaly mode reports."""
    data = a.array if isinstance(a, TensorBase) else a
    return (
        isinstance(data, (np.ndarray, np.generic))  # 0-d ufunc results are numpy scalars
        and data.dtype.kind in "fc"
        and bool(np.isnan(data).any())
    )


class ShapeError(RuntimeError):
    """Operands an op cannot take (shapes, sizes, dims), found before numpy runs.

    `op` names the core op ("add", "matmul", "concat", ...) and `facts` holds the numbers (the
    operands' shapes, the dim, ...): framework-neutral facts that a frontend re-words through its
    Tensor class's `op_error`, so numpy's own message never reaches a user.
    """

    def __init__(self, op: str, message: str, **facts: Any):
        super().__init__(message)
        self.op = op
        self.facts = facts


class TensorBase:
    """The slots every Tensor has; ops and the tape only rely on these.

    `array` is the storage (a numpy array). `data` is the same array for the core; a frontend may
    give `.data` its own meaning (e.g. a detached Tensor), which is why the tape reads `array`.
    """

    __slots__ = ("array", "requires_grad", "grad", "_node", "_idx", "_accum", "__weakref__")
    result_type: type  # the class an op on this tensor returns (a Parameter's ops give a Tensor)

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "result_type" not in cls.__dict__:
            cls.result_type = cls

    @classmethod
    def op_error(cls, err: ShapeError) -> Exception:
        """The exception to raise for `err`; a frontend's Tensor overrides this to word it its way."""
        return err

    @property
    def data(self) -> Any:
        """The storage array."""
        return self.array

    @data.setter
    def data(self, value: Any) -> None:
        self.array = value

    @classmethod
    def saved_modified(cls, node: Node) -> Exception | None:
        """The error if a value `node` saved was written in place since (None: none was).

        Called only when the in-place clock moved since the node saved (see Versions); a frontend
        overrides it to keep what its framework saves and to word the error its way.
        """
        stale = stale_values(node)
        what = ", ".join(f"{c.role} {c.index} (version {c.version}, saved at {c.expected})" for c in stale)
        return (
            RuntimeError(f"{node.name}: saved values written in place since the forward: {what}")
            if stale
            else None
        )

    def _set(self, data: np.ndarray, node: Node | None = None, idx: int = 0) -> None:
        self.array = data
        self.requires_grad = node is not None
        self.grad = None
        self._node = node
        self._idx = idx
        self._accum = None

    def grad_edge(self) -> tuple[Node, int] | None:
        """Where this tensor's gradient goes: (creating node, output index), or its AccumulateGrad.

        None for a tensor outside any graph. `edge[0].is_sink` tells a leaf from an op result.
        """
        if self._node is not None:
            return (self._node, self._idx)
        if not self.requires_grad:
            return None
        acc = self._accum
        if acc is None:
            acc = self._accum = AccumulateGrad(self)
        return (acc, 0)


class Node:
    """One recorded op: edges to its inputs' nodes and what its backward rule needs."""

    __slots__ = (
        "next",
        "inputs",
        "shapes",
        "out",
        "proto",
        "n_out",
        "kw",
        "trace",
        "freed",
        "scope",
        "saved_at",  # Versions.epoch when the node saved its values (see check_saved)
        "retained",  # [(output index, weakref to a tensor)] that keep the gradient arriving there
        "_buf",  # scratch of the backward walk: the gradients arriving at this node's outputs
    )
    name = "Node"
    # backward needs the input values: all of them (True), or only those at these positions (a
    # tuple: the others are saved as None, so that a large value nobody reads again can be freed)
    keep_inputs: bool | tuple[int, ...] = False
    keep_output = False  # backward needs the output value
    multi_output = False  # forward returns a tuple (backward gets a list, even of one gradient)
    is_sink = False  # AccumulateGrad: the walk adds into a leaf's .grad instead of calling backward
    input_names: tuple[str, ...] = ()  # names of the inputs in graph pictures (torch's argument names)

    def backward(self, F: Any, g: Any) -> Any:
        """Gradient(s) w.r.t. each input, given the gradient `g` of the output(s)."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **kw: Any) -> Any:
        """Run forward on the inputs' arrays and, if any input needs grad, record the node."""
        # This runs once per op: it is written for speed (no generators, no helper calls).
        node = cls.__new__(cls)
        node.kw = kw
        arrays = []
        edges = []
        proto = None
        need = False
        for x in inputs:
            if isinstance(x, TensorBase):
                arrays.append(x.array)
                if proto is None:
                    proto = x.result_type
                if x.requires_grad:
                    need = True
                    src = x._node
                    edges.append((src, x._idx) if src is not None else x.grad_edge())
                else:
                    edges.append(None)
            else:
                arrays.append(x)
                edges.append(None)
        try:  # free on the success path; a forward's ShapeError is worded by the result's Tensor class
            out = node.forward(*arrays, **kw) if kw else node.forward(*arrays)
        except ShapeError as e:
            raise (e if proto is None else proto.op_error(e)) from None
        multi = False
        if type(out) is not np.ndarray:  # the one test an ordinary array result pays
            if type(out) is tuple:
                multi = True
            elif not isinstance(out, np.generic):
                # arithmetic on 0-d object arrays gives the bare object (a sympy expression): re-wrap it
                out = np.asarray(out, dtype=object)
        if need and _Mode.grad_enabled:
            node.next = edges
            node.shapes = [d.shape for d in arrays]
            keep = cls.keep_inputs
            node.inputs = inputs if keep is True else saved_inputs(inputs, keep) if keep else None
            node.out = out if cls.keep_output else None
            node.proto = proto
            node.freed = False
            node.scope = _Mode.scope
            node.saved_at = Versions.epoch
            node.retained = None
        else:
            need = False
        if _Mode.anomaly:
            node.trace = _user_frame()  # read by the backward walk if this node's rule gives NaN
        if multi:
            node.n_out = len(out)
            return tuple(make_tensor(proto, o, node if need else None, i) for i, o in enumerate(out))
        node.n_out = 1
        if proto is None:
            raise TypeError("an op needs at least one Tensor among its inputs")
        t = proto.__new__(proto)
        t.array = out
        t.requires_grad = need
        t.grad = None
        t._node = node if need else None
        t._idx = 0
        t._accum = None
        return t

    def forward(self, *arrays: Any, **kw: Any) -> Any:
        """The op on the inputs' numpy arrays (Node.apply wraps a bare object result in an array)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.name} object at {hex(id(self))}>"  # as torch prints a grad_fn

    def recompute(self, *arrays: Any) -> Any:
        """This op's forward run again on `arrays`, recording nothing (graph pictures use it)."""
        fresh = type(self).__new__(type(self))  # a forward may write to its node: not to this one
        fresh.kw = dict(self.kw or {})
        out = fresh.forward(*arrays, **fresh.kw)
        return out if isinstance(out, (np.ndarray, np.generic, tuple)) else np.asarray(out, dtype=object)

    def input_labels(self) -> list[str]:
        """What each input is called in a picture: the op's own `input_names`, else self/other."""
        k = len(self.next or ())
        if len(self.input_names) == k:
            return list(self.input_names)
        return ["self"] if k == 1 else ["self", "other"] if k == 2 else [f"input{j}" for j in range(k)]

    # -- what the backward rule reads; `F` decides arrays (plain) or Tensors (create_graph) --
    def needs(self, i: int) -> bool:
        """Does input `i` want a gradient?"""
        return self.next[i] is not None

    def args(self, F: Any) -> tuple[Any, ...]:
        """The saved inputs: arrays for a plain backward, Tensors for create_graph."""
        if self.freed:
            raise freed_graph_error()
        if F.tensor_mode:
            return [
                x if isinstance(x, TensorBase) or x is None else F.const(x, self.proto) for x in self.inputs
            ]
        return [x.array if isinstance(x, TensorBase) else x for x in self.inputs]

    def output(self, F: Any) -> Any:
        """The saved output: an array, or a Tensor still attached to this node for create_graph."""
        if self.freed:
            raise freed_graph_error()
        if F.tensor_mode:
            return make_tensor(self.proto, self.out, self, 0)
        return self.out

    def release(self) -> None:
        """Drop saved values after a backward without retain_graph."""
        if self.keep_inputs or self.keep_output:
            self.inputs = None
            self.out = None
            self.freed = True


def saved_inputs(inputs: tuple[Any, ...], keep: tuple[int, ...]) -> tuple[Any, ...]:
    """The inputs a node keeps for its backward: those at positions `keep`, None elsewhere."""
    saved = [None] * len(inputs)
    for j in keep:
        saved[j] = inputs[j]
    return tuple(saved)


# ---------------------------------------------------------------------------------------------
# Versions: frontends with in-place ops record each write; a backward finds saved values gone stale
# ---------------------------------------------------------------------------------------------
class Versions:
    """In-place writes: a clock ticked by each (`bump_version`), and each storage's count and recent times.

    A storage is the array that owns the memory (views share it). A node records the clock when it saves its values (`saved_at`); the backward walk asks
    the node's Tensor class (`saved_modified`) about it only when the clock moved since.
    """

    epoch = 0
    writes: dict[int, tuple[weakref.ref, list[int], deque[int]]] = {}  # id(storage) -> (it, [count], times)
    own: dict[int, weakref.ref] = {}  # arrays with a counter of their own (see own_counter)
    RECENT = 64  # times kept per storage (a saved version more writes ago is reported approximately)


class SavedChange(NamedTuple):
    """A value a node saved for its backward, written in place after it was saved."""

    role: str  # "input" or "output"
    index: int  # which input / output of the node
    value: Any  # the saved Tensor (an input) or array (an output), as it is now
    version: int  # writes into its storage so far
    expected: int  # writes into its storage when the node saved it


def check_saved(node: Node) -> None:
    """Raise the node's Tensor class's error if a value it saved was written in place since."""
    if getattr(node, "saved_at", Versions.epoch) == Versions.epoch:
        return
    err = (node.proto or TensorBase).saved_modified(node)
    if err is not None:
        raise err


def own_counter(a: np.ndarray) -> None:
    """Count writes through this very array object apart from its storage's (an alias a frontend
    hands out whose writes must not make the original's saved values stale)."""
    key = id(a)
    Versions.own[key] = weakref.ref(a, lambda _r, k=key: Versions.own.pop(k, None))


def _counter(a: np.ndarray, create: bool = False) -> tuple[weakref.ref, list[int], deque[int]] | None:
    """The write record that counts for `a`: its own, else its storage owner's."""
    ref = Versions.own.get(id(a))
    if ref is None or ref() is not a:
        while isinstance(a.base, np.ndarray):
            a = a.base
    key = id(a)
    entry = Versions.writes.get(key)
    if entry is not None and entry[0]() is a:
        return entry
    if not create:
        return None  # (an entry of a dead array whose id was reused is replaced on the next write)
    entry = (weakref.ref(a, lambda _r: Versions.writes.pop(key, None)), [0], deque(maxlen=Versions.RECENT))
    Versions.writes[key] = entry
    return entry


def bump_version(a: Any) -> None:
    """Record an in-place write into `a`'s storage (a frontend calls this for every in-place op)."""
    if isinstance(a, np.ndarray):
        _, count, times = _counter(a, create=True)
        Versions.epoch += 1
        count[0] += 1
        times.append(Versions.epoch)


def version_of(a: Any) -> int:
    """How many in-place writes `a`'s storage has had."""
    entry = _counter(a) if isinstance(a, np.ndarray) else None
    return 0 if entry is None else entry[1][0]


def stale_values(node: Node) -> list[SavedChange]:
    """The values `node` saved (its inputs, its output) that were written in place since it saved them."""
    out = getattr(node, "out", None)
    saved = [
        ("input", i, x)
        for i, x in enumerate(getattr(node, "inputs", None) or ())
        if isinstance(x, TensorBase)
    ]
    saved += [
        ("output", i, o) for i, o in enumerate(out if type(out) is tuple else () if out is None else (out,))
    ]
    changes = []
    for role, i, value in saved:
        a = value.array if isinstance(value, TensorBase) else value
        entry = _counter(a) if isinstance(a, np.ndarray) else None
        if entry is not None and entry[2] and entry[2][-1] > node.saved_at:
            count, times = entry[1][0], entry[2]
            changes.append(SavedChange(role, i, value, count, count - sum(t > node.saved_at for t in times)))
    return changes


def freed_graph_error() -> RuntimeError:
    """The error for a backward through nodes whose saved values an earlier backward freed."""
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward."
    )


def make_tensor(cls: type | None, data: Any, node: Node | None = None, idx: int = 0) -> Any:
    """A tensor of class `cls` holding `data`: output `idx` of `node`, or a constant if node is None.

    The one way to make an op's result (frontends too): `cls.__init__` is not run, so no argument
    parsing or copying happens, and a frontend's Tensor subclass comes out as itself.
    """
    if cls is None:
        raise TypeError("an op needs at least one Tensor among its inputs")
    t = cls.__new__(cls)
    t._set(data, node, idx)
    return t


class AccumulateGrad(Node):
    """The sink node of a leaf tensor: adds the incoming gradient into `leaf.grad`."""

    __slots__ = ("variable",)
    name = "AccumulateGrad"
    is_sink = True

    def __init__(self, leaf: TensorBase):
        self.variable = weakref.ref(leaf)
        self.scope = ()
        self.next = ()
        self.n_out = 1
        self.freed = False
