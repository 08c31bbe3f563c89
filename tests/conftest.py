"""Shared pytest hooks: print the counts the generated grids and fuzzers recorded."""

from __future__ import annotations

from typing import Any

import _report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _report.LINES:
        terminalreporter.section("generated checks")
        for line in _report.LINES:
            terminalreporter.write_line(line)
