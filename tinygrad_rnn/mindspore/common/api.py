"""mindspore.jit: here an honest no-op compiler.

MindSpore's ``jit`` compiles a function into a static graph for speed; the results are the function's.
This frontend has no graph compiler, so ``jit`` runs the function eagerly (PyNative), giving the same
numbers; it still checks its arguments as MindSpore 2.10 does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_CAPTURE_MODES = ["ast", "bytecode", "trace"]


def jit(
    function: Callable[..., Any] | None = None,
    *,
    capture_mode: str = "ast",
    jit_level: str = "O0",
    dynamic: int = 0,
    fullgraph: bool = False,
    backend: str = "",
    **options: Any,
) -> Any:
    """Decorator (``@jit`` or ``@jit(...)``) that runs the function eagerly: compiling is an optimisation,
    and this frontend runs every function in PyNative mode with the same numbers."""
    if not isinstance(capture_mode, str) or capture_mode not in _CAPTURE_MODES:
        raise ValueError(
            f"For 'jit', the 'capture_mode' must be str and must be in '{_CAPTURE_MODES}', but got "
            f"{capture_mode!r}."
        )

    def wrap(fn: Any) -> Any:
        if not callable(fn):
            return fn  # MindSpore hands back what is not callable unchanged

        @functools.wraps(fn)
        def eager(*args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        return eager

    return wrap if function is None else wrap(function)
