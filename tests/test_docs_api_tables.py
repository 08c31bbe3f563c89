"""The frontends' API tables (docs/torch_frontend.md, docs/mindspore_frontend.md) cannot drift from the code.

Each page's section "The claimed surface" has one table per module or class (`### ` headings naming it
in backticks) with rows `| `api` | status | tested by |`. Checked here:

- every API a frontend claims has a row: the names its modules export, enumerated exactly as the
  docstring-example harness does (`claimed` in tests/_doctest_oracle.py, with the modules and classes of
  test_docstring_examples_<framework>.py), and the public attributes of each claimed class (of a
  subclass of another claimed class, such as MindSpore's Parameter, only what it adds);
- every row names something ours has, except a row whose status is "not yet", which must not exist
  yet (when it lands, the row has to be updated);
- every test file in "tested by" exists and mentions the API (an attribute, a call, a string or an
  import of the name; never numpy's `np.<name>`); the docstring harness, which enumerates instead of
  naming, is accepted when the real framework's docstring of the API has examples;
- an "ours only" row names something the real framework does not have, and a docstring listed in
  tests/docstring_divergences/<framework>.txt (other than "uses an API the frontend does not claim")
  has a row whose status is not a bare "full".
"""

from __future__ import annotations

import functools
import inspect
import re
import types
from dataclasses import dataclass
from pathlib import Path

import _doctest_oracle as oracle
import pytest
import test_docstring_examples_mindspore as ms_harness
import test_docstring_examples_torch as torch_harness

TESTS = Path(__file__).resolve().parent
DOCS = TESTS.parent / "docs"
PAGES = {"torch": DOCS / "torch_frontend.md", "mindspore": DOCS / "mindspore_frontend.md"}
FRAMEWORKS = {"torch": torch_harness.FW, "mindspore": ms_harness.FW}
STATUSES = ("full", "partial: ", "ours only", "untested", "not yet")
NOT_A_DEVIATION = "uses an API the frontend does not claim"


@dataclass(frozen=True)
class Row:
    table: tuple[str, ...]  # the real paths of the modules / classes its heading names
    names: tuple[str, ...]
    status: str
    files: tuple[str, ...]
    line: int

    def where(self) -> str:
        return f"line {self.line} ({', '.join(self.names)})"


@functools.cache
def rows(framework: str) -> list[Row]:
    """The rows of the page's "The claimed surface" tables."""
    lines = PAGES[framework].read_text().splitlines()
    start = lines.index("## The claimed surface")
    out: list[Row] = []
    table: tuple[str, ...] = ()
    for k, line in enumerate(lines[start + 1 :], start + 2):
        if line.startswith("## "):
            break
        if line.startswith("### "):
            table = tuple(re.findall(rf"`({framework}(?:\.\w+)*)`", line))
        elif line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            assert len(cells) == 3, f"{PAGES[framework].name} line {k}: not 3 cells: {line}"
            names, files = (tuple(re.findall(r"`([^`]+)`", c)) for c in (cells[0], cells[2]))
            out.append(Row(table, names, cells[1], files, k))
    return out


def is_module(obj: object) -> bool:
    return isinstance(obj, types.ModuleType)


@functools.cache
def claimed_apis(framework: str) -> set[tuple[str, str]]:
    """(real module or class path, name) for every API the frontend claims (see the module docstring)."""
    fw = FRAMEWORKS[framework]
    ours = lambda path: oracle.resolve(oracle.swap_path(fw, path))  # noqa: E731
    out = set()
    for path in oracle.claimed(fw):
        parent, _, name = path.rpartition(".")
        if is_module(ours(parent)):
            out.add((parent, name))
    classes = {c: ours(c) for c in fw.classes}
    for cpath, cls in classes.items():
        bases = [b for b in classes.values() if b is not cls and issubclass(cls, b)]
        inherited = {a for b in bases for a in dir(b)}
        out |= {(cpath, a) for a in dir(cls) if not a.startswith("_") and a not in inherited}
    return out


@functools.cache
def used_names(text: str) -> frozenset[str]:
    """The names a test file uses: `.name` (not numpy's), `name(`, a quoted name, a name on an import line."""
    out = set(re.findall(r"(?<!\bnp)(?<!numpy)\.(\w+)", text))
    out |= set(re.findall(r"(?<![\w.])(\w+)\(", text)) | set(re.findall(r"[\"'](\w+)[\"']", text))
    out |= {w for line in re.findall(r"import[^\n]*", text) for w in re.findall(r"\w+", line)}
    return frozenset(out)


def mentions(text: str, name: str) -> bool:
    """Whether a test file's text uses `name` (see `used_names`)."""
    return name in used_names(text)


@functools.cache
def has_examples(path: str) -> bool:
    real = oracle.resolve(path)
    doc = None if real is None or isinstance(real, str) else inspect.getdoc(real)
    return bool(doc and ">>>" in doc)


@pytest.fixture(scope="module", params=sorted(PAGES))
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


def test_the_tables_are_there(framework: str) -> None:
    rs = rows(framework)
    assert len(rs) > 200, f"{PAGES[framework].name}: only {len(rs)} rows under 'The claimed surface'"
    assert all(r.table for r in rs), [r.where() for r in rs if not r.table]
    bad = [f"{r.where()}: {r.status!r}" for r in rs if not r.status.startswith(STATUSES)]
    assert not bad, f"status must start with one of {STATUSES}:\n" + "\n".join(bad)


def test_every_claimed_api_has_a_row(framework: str) -> None:
    have = {(t, n) for r in rows(framework) for t in r.table for n in r.names}
    missing = sorted(claimed_apis(framework) - have)
    assert not missing, f"{PAGES[framework].name}: claimed APIs without a row:\n" + "\n".join(
        f"{t}.{n}" for t, n in missing
    )


def test_every_row_names_an_api_of_ours(framework: str) -> None:
    fw = FRAMEWORKS[framework]
    bad, seen = [], set()
    for r in rows(framework):
        for name in r.names:
            exists = any(hasattr(oracle.resolve(oracle.swap_path(fw, t)), name) for t in r.table)
            if exists == r.status.startswith("not yet"):
                bad.append(f"{r.where()}: {'exists' if exists else 'does not exist'}, status {r.status!r}")
            if (r.table, name) in seen:
                bad.append(f"{r.where()}: a second row for {name}")
            seen.add((r.table, name))
    assert not bad, "\n".join(bad)


def test_tested_by_files_exist_and_mention_the_api(framework: str) -> None:
    harness = f"test_docstring_examples_{framework}.py"
    texts: dict[str, str] = {}
    bad = []
    for r in rows(framework):
        for f in r.files:
            if not (TESTS / f).is_file():
                bad.append(f"{r.where()}: no file tests/{f}")
            elif f == harness:
                bad += [f"{r.where()}: {n} has no docstring example in {framework} for {f} to run"
                        for n in r.names if not any(has_examples(f"{t}.{n}") for t in r.table)]  # fmt: skip
            else:
                text = texts.setdefault(f, (TESTS / f).read_text())
                bad += [f"{r.where()}: {f} never mentions {n}" for n in r.names if not mentions(text, n)]
        if not r.files and r.status.startswith(("full", "partial")):
            bad.append(f"{r.where()}: status {r.status!r} but no test named (say 'untested')")
    assert not bad, "\n".join(bad)


def test_ours_only_rows_are_not_in_the_real_framework(framework: str) -> None:
    bad = [f"{r.where()}: {t}.{n} exists in real {framework}"
           for r in rows(framework) if r.status.startswith("ours only")
           for t in r.table for n in r.names if oracle.resolve(f"{t}.{n}") is not None]  # fmt: skip
    assert not bad, "\n".join(bad)


def test_listed_docstring_divergences_are_not_plain_full(framework: str) -> None:
    status = {f"{t}.{n}": r.status for r in rows(framework) for t in r.table for n in r.names}
    lines = (TESTS / "docstring_divergences" / f"{framework}.txt").read_text().splitlines()
    listed = [ln.split(": ", 1) for ln in lines if ln.strip() and not ln.startswith("#")]
    bad = [f"{path}: {why} -- but its row says {status.get(path)!r}" for path, why in listed
           if not why.startswith(NOT_A_DEVIATION) and status.get(path, "full") == "full"]  # fmt: skip
    assert not bad, "\n".join(bad)


def test_the_checks_can_fail() -> None:
    """The mention check on made-up text: numpy's names and substrings do not count."""
    assert mentions("y = x.topk(2)", "topk") and mentions('row("F.one_hot", ...)', "one_hot")
    assert mentions("from m import pad_sequence as ps", "pad_sequence") and mentions("zeros(3)", "zeros")
    assert not mentions("a = np.zeros(3)", "zeros") and not mentions("numpy.float32", "float32")
    assert not mentions("x.sum_to_size()", "sum") and not mentions("nonzeros(3)", "zeros")
