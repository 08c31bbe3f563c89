"""Every ```python block of every docs/*.md page runs, so the docs cannot drift from the code.

Conventions (for whoever writes a page under docs/):

* A block fenced ```python (or ```py) is executed. Its `assert`s are the page's checked claims.
* The blocks of one page run **in order, in one namespace**: a later block may use names an
  earlier one defined. Each page starts from a fresh namespace (with ``__name__ == "__main__"``,
  as when a reader runs the code as a script).
* A block whose fence is ```python no-run (any extra word ``no-run`` after the language) is shown,
  not run: pseudo-code, a sketch, output of a long job. Use it sparingly.
* Other languages (```bash, ```text, plain ```) are never run.
* Blocks run with a fresh temporary directory as the working directory (files a page writes go
  there, not into the repository) and with ``MPLBACKEND=Agg`` (no screen needed).
* Pages are found automatically (``docs/**/*.md``): a new page is tested without touching this
  file. A page may import the real torch or mindspore (test oracles, installed with the
  ``oracle`` extra).

A failure names the page, the block number (counting every fenced block of the page, from 1) and
the line of the page where the block's code starts; the traceback's line numbers are the page's own.
"""

from __future__ import annotations

import pathlib
import re
import traceback
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

RUN_LANGS = {"python", "py"}
NO_RUN = "no-run"

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass
class Block:
    number: int  # 1-based, counting every fenced block of the page
    line: int  # 1-based line of the page where the code starts (after the opening fence)
    lang: str
    flags: tuple[str, ...]
    code: str

    @property
    def runs(self) -> bool:
        return self.lang in RUN_LANGS and NO_RUN not in self.flags


def fenced_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a markdown text (CommonMark fences: ``` or ~~~, 3 or more)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["info"]):
            i += 1
            continue
        fence, indent = m["fence"], len(m["indent"])
        words = m["info"].strip().split()
        lang = words[0].lower() if words else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            close = _FENCE.match(lines[j])
            if (
                close
                and close["fence"][0] == fence[0]
                and len(close["fence"]) >= len(fence)
                and not close["info"].strip()
            ):
                break
            line = lines[j]
            # content is de-indented by the opening fence's indentation (inside list items)
            strip = len(line) - len(line.lstrip(" "))
            body.append(line[min(indent, strip) :])
            j += 1
        blocks.append(
            Block(len(blocks) + 1, i + 2, lang, tuple(w.lower() for w in words[1:]), "\n".join(body))
        )
        i = j + 1  # an unclosed fence runs to the end of the page, as in CommonMark
    return blocks


def all_doc_pages() -> list[pathlib.Path]:
    return sorted(DOCS.rglob("*.md")) if DOCS.is_dir() else []


def doc_pages() -> list[pathlib.Path]:
    """The pages with at least one python block to run."""
    return [p for p in all_doc_pages() if any(b.runs for b in fenced_blocks(p.read_text("utf-8")))]


# pages that are prose only, by design; any other page without a runnable block is a mistake
PROSE_ONLY = {"docs/CHANGELOG.md"}


def test_only_prose_pages_have_no_python_block():
    runnable = set(doc_pages())
    prose = {str(p.relative_to(ROOT)) for p in all_doc_pages() if p not in runnable}
    assert prose == PROSE_ONLY


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_page_python_blocks_run(page: pathlib.Path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    rel = page.relative_to(ROOT)
    namespace: dict = {"__name__": "__main__", "__file__": str(page)}
    ran = 0
    for block in fenced_blocks(page.read_text(encoding="utf-8")):
        if not block.runs:
            continue
        # pad with blank lines so tracebacks give the page's own line numbers
        source = "\n" * (block.line - 1) + block.code + "\n"
        error = None
        try:
            exec(compile(source, str(page), "exec"), namespace)
        except Exception:
            error = traceback.format_exc()
        if error is not None:  # failed outside the except: no "during handling" noise in the report
            pytest.fail(
                f"{rel}: python block {block.number} (line {block.line}) failed:\n{error}", pytrace=False
            )
        ran += 1
    if not ran:
        pytest.skip(f"{rel} has no python block to run")


# -- the block finder itself ----------------------------------------------------------------------
SAMPLE = """\
# Title

```python
a = 1
```

text

```python no-run
this is not python
```

```bash
echo not python
```

- a list item:

  ```py
  b = a + 1
  ```

````python
c = '''
```
'''
````

~~~python
d = 4
~~~
"""


def test_fenced_blocks_finds_languages_flags_and_lines():
    blocks = fenced_blocks(SAMPLE)
    assert [(b.lang, b.flags, b.runs) for b in blocks] == [
        ("python", (), True),
        ("python", ("no-run",), False),
        ("bash", (), False),
        ("py", (), True),
        ("python", (), True),
        ("python", (), True),
    ]
    assert blocks[0].line == 4 and blocks[0].code == "a = 1"
    assert blocks[3].code == "b = a + 1"  # de-indented inside the list item
    assert "```" in blocks[4].code  # a longer fence may contain a shorter one


def test_sample_runs_in_one_namespace():
    ns: dict = {}
    for b in fenced_blocks(SAMPLE):
        if b.runs:
            exec(b.code, ns)
    assert (ns["a"], ns["b"], ns["d"]) == (1, 2, 4)
