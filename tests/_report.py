"""Summary lines that generated grids and fuzzers print at the end of a pytest run.

A test calls `record("torch bad-input grid: 512 cases, 505 same exception type (98.6%), ...")`;
conftest.py prints every recorded line in pytest's terminal summary, so the counts show in CI's log
even with output capture on.
"""

from __future__ import annotations

LINES: list[str] = []


def record(line: str) -> None:
    """Keep one summary line for the end of the run."""
    LINES.append(line)
