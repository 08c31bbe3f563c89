"""An allow-list unpickler for weights files: it never imports a module or calls anything a file names.

The pickle is read opcode by opcode (``pickletools.genops`` parses each opcode and its argument, bounded
by the bytes present) and only the opcodes a weights file uses are interpreted, as torch's own
``weights_only`` unpickler does: containers, numbers, strings, bytes and the memo; GLOBAL / STACK_GLOBAL
resolved to OUR OWN stand-ins (see `GLOBALS`: tensor and Parameter rebuilds, storage classes, dtypes,
torch.Size, torch.device, OrderedDict, Counter, set, complex, bytes via ``_codecs.encode``, numeric numpy
arrays); REDUCE on those stand-ins only; BUILD only on an OrderedDict (its ``_metadata``) or a numpy
array / dtype being rebuilt; BINPERSID for storages. A global not on the list raises
``pickle.UnpicklingError`` worded as torch words it ("Unsupported global: GLOBAL os.system was not an
allowed global by default ..."), and so do INST, OBJ, NEWOBJ, the EXT codes and every other opcode
("Unsupported operand"). Nothing of the file is ever executed.

Why not ``pickle.Unpickler`` with a restricted ``find_class``: its C BUILD sets attributes (slot state)
on whatever object a global resolved to, e.g. the one shared ``torch.float32`` object of this process;
an interpreter that owns BUILD refuses that.

The loaded object may nest containers at most MAX_DEPTH deep and may not contain itself
(``pickle.UnpicklingError``).
"""

from __future__ import annotations

import pickle
import pickletools
import warnings
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _weights_rebuild as rb

MAX_DEPTH = 64  # a state_dict nests 2 levels, an optimizer checkpoint about 5


def _globals() -> dict[str, Any]:
    table: dict[str, Any] = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "builtins.set": set,
        "builtins.complex": complex,
        "builtins.bytearray": rb.byte_array,
        "_codecs.encode": rb.codecs_encode,
        "torch._utils._rebuild_tensor_v2": rb.rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": rb.rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": rb.rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": rb.rebuild_parameter,
        "torch.Size": rb.size,
        "torch.device": rb.device,
        "torch.storage.UntypedStorage": rb.StorageType("storage.UntypedStorage", np.uint8),
        "numpy.core.multiarray._reconstruct": rb.np_reconstruct,
        "numpy._core.multiarray._reconstruct": rb.np_reconstruct,
        "numpy.ndarray": rb.NDARRAY,
        "numpy.dtype": rb.np_dtype,
    }
    table.update({f"torch.{n}": d for n, d in rb.OUR_DTYPES.items()})
    table.update({f"torch.{n}": rb.ExtraDtype(n) for n in rb.EXTRA_DTYPES})
    table.update({f"torch.{n}": rb.StorageType(n, d) for n, d in rb.STORAGE_DTYPES.items()})
    return table


GLOBALS = _globals()  # "module.name" -> the stand-in a GLOBAL of that name pushes
_CALLABLE = {id(v) for v in GLOBALS.values() if callable(v)}  # what REDUCE may call (all ours)
_SETTABLE = (dict, OrderedDict, Counter)


def unsupported_global(module: str, name: str) -> pickle.UnpicklingError:
    """torch's message for a global that is not on the allow-list."""
    path = f"{module}.{name}"
    if module == "builtins":
        path = name
    hint = ""
    if name[:1].isupper():  # a class: a pickled object, most often a whole nn.Module
        hint = (
            " This file holds a pickled object, such as a whole model saved by torch.save(model, path): "
            "where its code is trusted, save model.state_dict() instead and load that into a model "
            "built by the same code."
        )
    return rb.refuse(
        f"Unsupported global: GLOBAL {path} was not an allowed global by default. tinygrad_rnn.torch.load "
        "only ever loads weights (as torch.load(weights_only=True)); nothing in the file was executed." + hint
    )


def _opcodes(data: bytes) -> Iterator[tuple[str, Any]]:
    """(opcode name, argument) of each opcode up to STOP; a malformed pickle raises UnpicklingError."""
    ops = pickletools.genops(data)
    while True:
        try:
            with warnings.catch_warnings():  # genops decoding a text opcode may warn; it is refused next
                warnings.simplefilter("ignore", DeprecationWarning)
                op, arg, _ = next(ops)
        except StopIteration:
            raise pickle.UnpicklingError("pickle data was truncated (no STOP opcode)") from None
        except (ValueError, UnicodeDecodeError, OverflowError) as e:
            raise pickle.UnpicklingError(f"a malformed pickle ({e})") from None
        yield op.name, arg
        if op.name == "STOP":
            return


class WeightsUnpickler:
    """Loads one data.pkl; `storage(storage_type, key, numel)` gives the array of a storage id."""

    def __init__(self, data: bytes, storage: Callable[[Any, str, int], np.ndarray]):
        self.data, self.storage = data, storage
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.pending: dict[int, list[int]] = {}  # id of a numpy object being rebuilt -> its memo slots
        self.storages: dict[str, tuple[Any, rb.Storage]] = {}

    def load(self) -> Any:
        """The object the pickle describes, made of allowed parts only."""
        for name, arg in _opcodes(self.data):
            handler = _HANDLERS.get(name)
            if handler is None:
                raise rb.refuse(f"Unsupported operand {name} (a weights file never holds it)")
            try:
                handler(self, arg)
                result = self.stack.pop() if name == "STOP" else None
            except (IndexError, KeyError):
                raise pickle.UnpicklingError(
                    f"a malformed pickle: {name} on an empty stack or memo"
                ) from None
        check_depth(result)
        return result

    def pop_mark(self) -> list[Any]:
        items = self.stack
        self.stack = self.marks.pop()
        return items

    def target(self, kinds: tuple[type, ...], opcode: str) -> Any:
        top = self.stack[-1]
        if type(top) not in kinds:
            raise rb.refuse(
                f"Can only {opcode} a {'/'.join(k.__name__ for k in kinds)}, got {type(top).__name__}"
            )
        return top

    def set_items(self, items: list[Any], opcode: str) -> None:
        target = self.target(_SETTABLE, opcode)
        if len(items) % 2:
            raise pickle.UnpicklingError(f"{opcode} with an odd number of items")
        try:
            for i in range(0, len(items), 2):
                target[items[i]] = items[i + 1]
        except TypeError as e:
            raise rb.refuse(f"{opcode} with an unhashable key ({e})") from None

    def put(self, index: Any) -> None:
        if type(index) is not int or index < 0:
            raise pickle.UnpicklingError(f"a memo index {index!r}")
        self.memo[index] = top = self.stack[-1]
        if isinstance(top, rb.Pending):
            self.pending.setdefault(id(top), []).append(index)

    def find(self, module: Any, name: Any) -> Any:
        if not isinstance(module, str) or not isinstance(name, str):
            raise rb.refuse("a STACK_GLOBAL whose module or name is not a string")
        module = "builtins" if module == "__builtin__" else module
        found = GLOBALS.get(f"{module}.{name}")
        if found is None:
            raise unsupported_global(module, name)
        return found

    def reduce(self, _: Any) -> None:
        args, fn = self.stack.pop(), self.stack[-1]
        if id(fn) not in _CALLABLE or not callable(fn):
            raise rb.refuse(f"Trying to call reduce for unrecognized function {rb.brief(fn)}")
        if type(args) is not tuple:
            raise rb.refuse(f"REDUCE with arguments of type {type(args).__name__}")
        try:
            self.stack[-1] = fn(*args)
        except (pickle.UnpicklingError, RuntimeError):
            raise
        except Exception as e:  # noqa: BLE001 - whatever a builtin (complex, set, ...) says of bad arguments
            raise rb.refuse(f"{getattr(fn, '__name__', fn)}(...) with these arguments failed: {e}") from None

    def build(self, _: Any) -> None:
        state, inst = self.stack.pop(), self.stack[-1]
        if type(inst) is OrderedDict:  # a state_dict's version records
            if not isinstance(state, dict) or set(state) - {"_metadata"}:
                raise rb.refuse(f"BUILD of an OrderedDict with {rb.brief(state)} (only _metadata is kept)")
            if "_metadata" in state:
                inst._metadata = state["_metadata"]  # type: ignore[attr-defined]
        elif isinstance(inst, rb.Pending):
            result = inst.finish(state)
            self.stack[-1] = result
            for index in self.pending.pop(id(inst), ()):
                self.memo[index] = result
        else:
            raise rb.refuse(f"Can only build an OrderedDict or a numpy array, but got {type(inst).__name__}")

    def persistent_load(self, _: Any) -> None:
        pid = self.stack.pop()
        if not (isinstance(pid, tuple) and len(pid) == 5 and isinstance(pid[0], str) and pid[0] == "storage"):
            raise rb.refuse(f"unsupported persistent id {rb.brief(pid)}")
        _, kind, key, location, numel = pid
        ok = isinstance(kind, rb.StorageType) and kind is not rb.NDARRAY and isinstance(location, str)
        if not ok or not isinstance(key, str) or type(numel) is not int or numel < 0:
            raise rb.refuse(f"a storage id with {rb.brief(pid)}")
        if key not in self.storages:
            self.storages[key] = (kind, rb.Storage(self.storage(kind, key, numel)))
        seen_kind, found = self.storages[key]
        if seen_kind is not kind or found.array.size != numel:
            raise RuntimeError(f"storage {key} is named with two different types or sizes")
        self.stack.append(found)


def _push(self: WeightsUnpickler, arg: Any) -> None:
    self.stack.append(arg)


def _stop(self: WeightsUnpickler, _: Any) -> None:
    if self.marks or len(self.stack) != 1:
        raise pickle.UnpicklingError("a malformed pickle: STOP with an open MARK or not one object left")


def _mark(self: WeightsUnpickler, _: Any) -> None:
    self.marks.append(self.stack)
    self.stack = []


def _pop(self: WeightsUnpickler, _: Any) -> None:
    if self.stack:
        self.stack.pop()
    else:
        self.pop_mark()


def _append(self: WeightsUnpickler, _: Any) -> None:
    item = self.stack.pop()
    self.target((list,), "append to").append(item)


def _appends(self: WeightsUnpickler, _: Any) -> None:
    items = self.pop_mark()
    self.target((list,), "extend").extend(items)


def _setitem(self: WeightsUnpickler, _: Any) -> None:
    value, key = self.stack.pop(), self.stack.pop()
    self.set_items([key, value], "SETITEM")


def _additems(self: WeightsUnpickler, _: Any) -> None:
    items = self.pop_mark()
    target = self.target((set,), "add items to")
    try:
        target.update(items)
    except TypeError as e:
        raise rb.refuse(f"ADDITEMS of an unhashable item ({e})") from None


def _tuple_of(n: int) -> Callable[[WeightsUnpickler, Any], None]:
    def handler(self: WeightsUnpickler, _: Any) -> None:
        items = self.stack[len(self.stack) - n :] if n else []
        if len(items) != n:
            raise IndexError
        del self.stack[len(self.stack) - n :]
        self.stack.append(tuple(items))

    return handler


def _from_mark(make: Callable[[list[Any]], Any]) -> Callable[[WeightsUnpickler, Any], None]:
    def handler(self: WeightsUnpickler, _: Any) -> None:
        items = self.pop_mark()
        self.stack.append(make(items))

    return handler


def _dict_of(items: list[Any]) -> dict[Any, Any]:
    if len(items) % 2:
        raise pickle.UnpicklingError("DICT with an odd number of items")
    try:
        return dict(zip(items[::2], items[1::2]))
    except TypeError as e:
        raise rb.refuse(f"DICT with an unhashable key ({e})") from None


def _frozen(items: list[Any]) -> frozenset[Any]:
    try:
        return frozenset(items)
    except TypeError as e:
        raise rb.refuse(f"FROZENSET of an unhashable item ({e})") from None


def _global(self: WeightsUnpickler, arg: Any) -> None:
    module, _, name = str(arg).partition(" ")
    self.stack.append(self.find(module, name))


def _stack_global(self: WeightsUnpickler, _: Any) -> None:
    name, module = self.stack.pop(), self.stack.pop()
    self.stack.append(self.find(module, name))


def _get(self: WeightsUnpickler, index: Any) -> None:
    self.stack.append(self.memo[index])


_VALUES = (
    "INT BININT BININT1 BININT2 LONG LONG1 LONG4 FLOAT BINFLOAT UNICODE BINUNICODE "
    "SHORT_BINUNICODE BINUNICODE8 BINBYTES SHORT_BINBYTES BINBYTES8"
).split()
_HANDLERS: dict[str, Callable[[WeightsUnpickler, Any], None]] = {
    **{name: _push for name in _VALUES},
    "NONE": lambda self, arg: self.stack.append(None),
    "NEWTRUE": lambda self, arg: self.stack.append(True),
    "NEWFALSE": lambda self, arg: self.stack.append(False),
    "PROTO": lambda self, arg: None,
    "FRAME": lambda self, arg: None,
    "STOP": _stop,
    "MARK": _mark,
    "POP": _pop,
    "POP_MARK": lambda self, arg: self.pop_mark() and None,
    "DUP": lambda self, arg: self.stack.append(self.stack[-1]),
    "EMPTY_DICT": lambda self, arg: self.stack.append({}),
    "EMPTY_LIST": lambda self, arg: self.stack.append([]),
    "EMPTY_SET": lambda self, arg: self.stack.append(set()),
    "EMPTY_TUPLE": _tuple_of(0),
    "TUPLE1": _tuple_of(1),
    "TUPLE2": _tuple_of(2),
    "TUPLE3": _tuple_of(3),
    "TUPLE": _from_mark(tuple),
    "LIST": _from_mark(list),
    "DICT": _from_mark(_dict_of),
    "FROZENSET": _from_mark(_frozen),
    "APPEND": _append,
    "APPENDS": _appends,
    "SETITEM": _setitem,
    "SETITEMS": lambda self, arg: self.set_items(self.pop_mark(), "SETITEMS"),
    "ADDITEMS": _additems,
    "PUT": WeightsUnpickler.put,
    "BINPUT": WeightsUnpickler.put,
    "LONG_BINPUT": WeightsUnpickler.put,
    "MEMOIZE": lambda self, arg: self.put(len(self.memo)),
    "GET": _get,
    "BINGET": _get,
    "LONG_BINGET": _get,
    "GLOBAL": _global,
    "STACK_GLOBAL": _stack_global,
    "REDUCE": WeightsUnpickler.reduce,
    "BUILD": WeightsUnpickler.build,
    "BINPERSID": WeightsUnpickler.persistent_load,
}


def _children(node: Any) -> list[Any] | None:
    """The objects a container holds (None for anything that is no container)."""
    if isinstance(node, dict):
        kids = [*node.keys(), *node.values()]
        extra = getattr(node, "_metadata", None) if type(node) is OrderedDict else None
        return kids + [extra] if extra is not None else kids
    if isinstance(node, (list, tuple, set, frozenset)):
        return list(node)
    return None


def check_depth(obj: Any, limit: int = MAX_DEPTH) -> None:
    """UnpicklingError if obj nests containers more than `limit` deep or contains itself (iterative)."""
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    todo: list[tuple[Any, bool]] = [(obj, False)]
    while todo:
        node, done = todo.pop()
        kids = _children(node)
        if kids is None:
            continue
        key = id(node)
        if done:
            on_path.discard(key)
            depth[key] = 1 + max((depth.get(id(k), 0) for k in kids), default=0)
            if depth[key] > limit:
                raise rb.refuse(f"containers nested more than {limit} deep")
        elif key in on_path:
            raise rb.refuse("a container that contains itself")
        elif key not in depth:
            on_path.add(key)
            todo.append((node, True))
            todo.extend((k, False) for k in kids)
