"""Shared pytest set-up: oracle stand-ins when an oracle is absent, and the generated checks' counts.

**Oracles.** Real torch and MindSpore are test oracles (`pip install -e ".[oracle]"`). A
contributor without them can still run every test that does not need them: for each missing
oracle, `import torch` (or mindspore) gives a stand-in module, and the first use of anything in it
skips the test that used it (or the whole module, if the module uses it at import time) with the
reason "test oracle 'torch' is not installed". Nothing else is skipped. CI sets
TINYGRAD_RNN_REQUIRE_ORACLES=torch,mindspore: a missing oracle named there is an error, never a skip.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from typing import Any

import _report
import pytest

ORACLES = ("torch", "mindspore")


def _skip(name: str) -> BaseException:
    return pytest.skip.Exception(
        f"test oracle {name!r} is not installed (pip install -e '.[oracle]')", allow_module_level=True
    )


class _Absent(types.ModuleType):
    """A stand-in for a missing oracle: any public attribute skips the test that asks for it."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):  # dunder / private probes (pytest, inspect, pickle) find nothing
            raise AttributeError(attr)
        raise _skip(self.__name__.split(".")[0])


class _AbsentFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves `_Absent` modules for a missing oracle and all its submodules."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.split(".")[0] in self.names:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        mod = _Absent(spec.name)
        mod.__path__ = []  # a package, so `from torch.nn.utils.rnn import ...` reaches this finder
        return mod

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def _install_stand_ins() -> None:
    missing = tuple(n for n in ORACLES if importlib.util.find_spec(n) is None)
    required = [n for n in os.environ.get("TINYGRAD_RNN_REQUIRE_ORACLES", "").split(",") if n]
    if set(missing) & set(required):
        raise pytest.UsageError(
            f"TINYGRAD_RNN_REQUIRE_ORACLES={','.join(required)} but the test oracles "
            f"{[n for n in missing if n in required]} are not installed"
        )
    if missing:
        sys.meta_path.insert(0, _AbsentFinder(missing))


_install_stand_ins()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _report.LINES:
        terminalreporter.section("generated checks")
        for line in _report.LINES:
            terminalreporter.write_line(line)
