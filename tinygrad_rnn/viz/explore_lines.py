"""Which source line created each tape node: recorded only while exploring, never by the tape itself.

`record_lines()` watches `Node.apply` return (with `sys.setprofile`) for the duration of a `with`
block and notes, for every node recorded there, two frames: the first one outside the package
(your line) and the innermost one inside it that is not op machinery (e.g. the line of `rnn.py`
that made a cell's matmul). Outside the block nothing is recorded and the tape pays nothing; inside,
the forward runs about 3x slower (measured in docs/visualisation.md, "Explorer").
"""

from __future__ import annotations

import contextlib
import linecache
import os
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any

from ..tape import Node, TensorBase

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# frames that only carry an op to the tape: the line worth showing is the caller's
_PLUMBING = tuple(
    _PKG + p
    for p in ("tape.py", "tensor.py", "engine.py", "ops" + os.sep, "torch" + os.sep, "mindspore" + os.sep)
)
_APPLY = Node.apply.__func__.__code__

Where = tuple[str, int, str]  # (file, line, function)


class SourceLines:
    """Node -> (your line, library line), filled by `record_lines()`; look up with `get(node)`."""

    def __init__(self) -> None:
        self.frames: dict[Node, tuple[Where | None, Where | None]] = {}
        self.order: list[Node] = []  # the nodes in the order they were recorded (the forward)

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<SourceLines: {len(self.frames)} nodes>"

    def get(self, node: Node) -> tuple[str | None, str | None]:
        """(your line, library line) as 'file:line in function: code' text; None when not recorded."""
        user, lib = self.frames.get(node, (None, None))
        return describe(user), describe(lib)

    def note(self, frame: FrameType, result: Any) -> None:
        """Record the frames above `Node.apply` (`frame`) for the node that made `result`."""
        t = result[0] if type(result) is tuple and result else result
        node = t._node if isinstance(t, TensorBase) else None
        if node is None or node in self.frames:
            return
        user = lib = None
        f = frame.f_back
        while f is not None:
            path = f.f_code.co_filename
            if not path.startswith((_PKG, "<")):  # "<frozen runpy>", "<string>": no line to show
                user = (path, f.f_lineno, f.f_code.co_name)
                break
            if lib is None and path.startswith(_PKG) and not path.startswith(_PLUMBING):
                lib = (path, f.f_lineno, f.f_code.co_name)
            f = f.f_back
        self.frames[node] = (user, lib)
        self.order.append(node)


def describe(where: Where | None) -> str | None:
    """'file:line in function: code', the file relative to the package or the working directory."""
    if where is None:
        return None
    path, line, func = where
    code = linecache.getline(path, line).strip()
    shown = "tinygrad_rnn/" + path[len(_PKG) :] if path.startswith(_PKG) else os.path.relpath(path)
    if shown.startswith(".." + os.sep + ".."):
        shown = path
    return f"{shown}:{line} in {func}: {code}" if code else f"{shown}:{line} in {func}"


@contextlib.contextmanager
def record_lines() -> Iterator[SourceLines]:
    """Note the creating source line of every node recorded inside the block (for `explore`)."""
    lines = SourceLines()
    prev = sys.getprofile()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "return" and frame.f_code is _APPLY:
            lines.note(frame, arg)

    sys.setprofile(profile)
    try:
        yield lines
    finally:
        sys.setprofile(prev)
