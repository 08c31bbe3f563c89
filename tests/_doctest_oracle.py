"""The docstring-example oracle: the real frameworks' own examples, run on them and on ours by import swap.

For every API a frontend claims (the public names its modules export, recursively, and the public
attributes of each claimed class) the real object at the same path is looked up and its ``__doc__``
parsed with ``doctest.DocTestParser`` at test time: nothing upstream is copied into the repository.
Each docstring's examples run in order in a fresh namespace whose names (``torch``, ``nn``, ``F``, ``np``,
``mindspore``, ``ops``, ``Tensor``, ...) are bound to the real framework, then to ours with the
examples' own ``import torch`` / ``from mindspore import ...`` redirected to ours (the import swap).
Each side runs in child processes (this file as a script): examples change process-wide state, and
real MindSpore segfaults on a few (that docstring is recorded as crashed, a new child goes on). Per
example: the printed text (``print`` and reprs of expression values), a summary of each value printed
or displayed (shape, dtype, data), the exception raised.

Ours is compared with the REAL RUN, never with the docstring's text (often stale): text equal up to
whitespace and addresses, or equal with numbers masked and the numbers within 1e-5 (one unit of the last
decimal when 4+ are printed: rounding; -0. is not 0.); values of the same kind, type, shape and dtype,
data within 1e-10 (float64) / 1e-5 (float32) / 1e-3 (float16) / exactly; an exception the docstring
shows, raised by ours too (same class name or a subclass).

Random output. The real run's draws from the framework's plain random functions (``replay``: randn,
rand, randint, ...) are recorded and replayed on ours (ours' function is still called, so its arguments
are checked), which makes most examples exact. From the first example that calls another random source
(``random``: dropout, initialisers, layers with random weights), a docstring compares text with numbers
masked and values by kind, shape and dtype only. A second real run under another seed checks that
list: an example whose output changes with the seed though it calls nothing listed is treated the same
and reported. Excluded, with the reason counted: examples needing a GPU, a distributed set-up, the
network or another package (``EXCLUDE``), and examples raising on the real framework where the
docstring shows no exception (undefined names, missing files).
"""

from __future__ import annotations

import builtins
import codeop
import contextlib
import dataclasses
import doctest
import importlib
import inspect
import io
import json
import linecache
import math
import os
import re
import signal
import subprocess
import sys
import types
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve()
DIVERGENCES = HERE.parent / "docstring_divergences"
EXAMPLE_TIMEOUT = 20  # seconds; a slower example is recorded as raising TimeoutError
EXCLUDE = {  # regex on an example's source -> why it is run on neither side
    r"\bcuda\b|\bGPU\b|\bAscend\b|device_target|\bmps\b|\bnpu\b|pin_memory": "needs a GPU / accelerator",
    r"\bdistributed\b|init_process_group|\bdist\.|\bcommunication\b|\bmpirun\b|\bmsrun\b|\brank\b":
        "needs a distributed set-up",
    r"https?://|\bdownload\w*|urlopen|\bhub\.": "needs the network",
}  # fmt: skip
ALLOWED_IMPORTS = {"torch", "mindspore", "numpy", "math", "collections", "typing", "itertools", "functools",
                   "copy", "os", "tempfile", "io", "dataclasses", "warnings", "operator", "time", "random",
                   "sys"}  # fmt: skip
UNINITIALISED = r"\b(empty|empty_like|new_empty|empty_strided)\("  # such an example prints garbage: random


@dataclass(frozen=True)
class Framework:
    """What one frontend claims and how its examples are run (each test file defines its own)."""

    name: str
    ours: str  # the package that replaces `name` under the import swap
    modules: tuple[str, ...]  # real module paths whose exported names are claimed
    classes: tuple[str, ...]  # real class paths listed first (their methods keep these paths)
    bindings: dict[str, str]  # name in the example namespace -> real module path (or module:attr)
    reset: tuple[str, ...]  # run before each docstring ({seed} filled in); each may fail on ours
    random: str  # regex: from an example calling one of these on, output is random
    isolate: str = r"$^"  # regex: after a docstring calling one of these, a new child process goes on
    setup: tuple[str, ...] = ()  # run once per child, on the real side only
    replay: tuple[str, ...] = ()  # real paths of random functions whose draws are replayed (not random)
    rebuild: str = ""  # an expression of `out` (a replayed call's result) and `data` (the real draw)


# Collection: the claimed APIs and their real docstrings' examples (in the pytest process)
def swap_path(fw: Framework, real_path: str) -> str:
    """`torch.nn.functional` -> `tinygrad_rnn.torch.nn.functional`."""
    return fw.ours + real_path[len(fw.name) :]


def resolve(path: str) -> Any:
    """The object at a dotted path (modules imported as needed); None if there is none."""
    parts = path.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for p in parts[k:]:
            obj = getattr(obj, p, None)
        return obj
    return None


def exported(mod: types.ModuleType) -> list[str]:
    """A module's public names: its __all__, else the public non-module names its package defines."""
    if getattr(mod, "__all__", None) is not None:
        return list(mod.__all__)
    root = mod.__name__.split(".")[0]
    return [n for n, v in vars(mod).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)
            and (getattr(v, "__module__", None) or "").startswith(root)]  # fmt: skip


def submodules(mod: types.ModuleType, names: list[str]) -> list[str]:
    """Public submodules with an __all__ set as attributes (torch.nn.init) and not among `names`."""
    return [n for n, v in vars(mod).items() if isinstance(v, types.ModuleType) and hasattr(v, "__all__")
            and v.__name__.startswith(mod.__name__ + ".") and not n.startswith("_") and n not in names]  # fmt: skip


def claimed(fw: Framework) -> list[str]:
    """Every real-framework path the frontend claims: exported names, recursively, then class attributes.

    A submodule counts when it is exported, or has an __all__ and the real framework has it too."""
    paths, todo, seen = list(fw.classes), list(fw.modules), set()
    while todo:
        mpath = todo.pop(0)
        mod = resolve(swap_path(fw, mpath))
        if not isinstance(mod, types.ModuleType) or id(mod) in seen:
            continue
        seen.add(id(mod))
        names = exported(mod)
        for name in names:
            (todo if isinstance(getattr(mod, name, None), types.ModuleType) else paths).append(
                f"{mpath}.{name}"
            )
        subs = [f"{mpath}.{n}" for n in submodules(mod, names)]
        todo += [p for p in subs if isinstance(resolve(p), types.ModuleType)]
    out: list[str] = []
    for path in paths:
        ours = resolve(swap_path(fw, path))
        out += [path] + ([f"{path}.{a}" for a in dir(ours) if a[0] != "_"] if inspect.isclass(ours) else [])
    return list(dict.fromkeys(out))


def exclusion(source: str) -> str | None:
    """Why an example is not run, from its source (None: it runs)."""
    for pattern, why in EXCLUDE.items():
        if re.search(pattern, source):
            return why
    roots = [m.group(1).split(".")[0] for m in re.finditer(r"^\s*(?:import|from)\s+([\w.]+)", source, re.M)]
    return next((f"needs package {r!r}" for r in roots if r not in ALLOWED_IMPORTS), None)


def complete(source: str) -> bool:
    """Whether `source` is a whole interactive statement (an invalid one counts as whole)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return codeop.compile_command(source, symbol="single") is not None
    except (SyntaxError, ValueError, OverflowError):
        return True


def merge_blocks(examples: list[doctest.Example]) -> list[tuple[str, bool]]:
    """(source, shows an exception) per statement: torch writes every line of a block after `>>>`
    (xdoctest style), so an unfinished statement is joined with the indented examples that follow."""
    out, k = [], 0
    while k < len(examples):
        src = examples[k].source
        while k + 1 < len(examples) and (not complete(src) or examples[k + 1].source[:1].isspace()):
            k += 1
            src += examples[k].source
        out.append((src, examples[k].exc_msg is not None))
        k += 1
    return out


@dataclass
class Doc:
    """One real docstring with examples, under the first claimed path that has it."""

    path: str
    sources: list[str]
    expects_exc: list[bool]
    skip: list[str | None]
    random: list[bool]  # this example or an earlier one of the docstring calls a random source
    isolate: bool  # it changes process-wide state the reset statements do not restore


def collect(fw: Framework) -> tuple[list[Doc], Counter]:
    """The docstrings to run (deduplicated by text) and the counts of what was not collected and why."""
    parser, docs, seen, counts = doctest.DocTestParser(), [], set(), Counter()
    for path in claimed(fw):
        real = resolve(path)
        if real is None:
            counts["claimed path absent from the real framework"] += 1
            continue
        text = None if isinstance(real, str) else inspect.getdoc(real)
        if not text or text in seen:
            continue
        seen.add(text)
        try:
            merged = merge_blocks(parser.get_examples(text))
        except ValueError:
            counts["docstring doctest cannot parse"] += 1
            continue
        if not merged:
            continue
        src, exc = zip(*merged)
        random = (np.cumsum([bool(re.search(fw.random, s)) for s in src]) > 0).tolist()
        alone = bool(re.search(fw.isolate, "\n".join(src)))
        docs.append(Doc(path, list(src), list(exc), [exclusion(s) for s in src], random, alone))
    return docs, counts


# Running (in a child process): one side, all docstrings
def summary(v: Any, depth: int = 0) -> Any:
    """A JSON summary of a printed / displayed value: kind, type name, shape, dtype, data."""
    if type(v).__name__ == "Size":  # torch.Size: a shape, compared exactly even when values are random
        return dict(kind="shape", type="Size", value=list(v))
    a = None
    if hasattr(v, "shape") and hasattr(v, "dtype") and not isinstance(v, (type, np.generic)):
        for get in (lambda: v.asnumpy(), lambda: v.detach().numpy(), lambda: np.asarray(v)):
            with contextlib.suppress(Exception):
                a = np.asarray(get())
                break
    if a is not None:
        flat = a.reshape(-1)[:20000]
        data = [[z.real, z.imag] for z in flat.tolist()] if a.dtype.kind == "c" else flat.tolist()
        return dict(kind="tensor", type=type(v).__name__, shape=list(a.shape), dtype=str(v.dtype),
                    np=str(a.dtype), data=data if a.dtype.kind in "biufc" else None)  # fmt: skip
    if isinstance(v, (tuple, list)) and depth < 3:
        return dict(kind="seq", type=type(v).__name__, items=[summary(x, depth + 1) for x in v[:50]])
    if isinstance(v, (bool, int, float, str)) or v is None:
        return dict(kind="scalar", type=type(v).__name__, value=v[:2000] if isinstance(v, str) else v)
    return dict(kind="other", type=type(v).__name__)


def swapped_import(fw: Framework) -> Any:
    """An __import__ that serves ours for `import <framework>...` (the import swap)."""

    def imp(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        if level or name.split(".")[0] != fw.name:
            return builtins.__import__(name, globals, locals, fromlist, level)
        target = swap_path(fw, name)
        mod = importlib.import_module(target)
        for f in fromlist or ():
            if not hasattr(mod, f):
                with contextlib.suppress(ImportError):
                    importlib.import_module(f"{target}.{f}")
        return mod if fromlist else importlib.import_module(fw.ours)

    return imp


def namespace(fw: Framework, side: str, index: int) -> dict[str, Any]:
    """A fresh example namespace: the bindings (real or ours) and, for ours, the swapped import.

    It is a registered module's namespace: MindSpore's graph compiler imports a function's module."""
    mod = types.ModuleType(f"docstring_example_{index}")
    sys.modules[mod.__name__] = mod
    ns = vars(mod)
    ns["__builtins__"] = dict(vars(builtins))
    if side == "ours":
        ns["__builtins__"]["__import__"] = swapped_import(fw)
    for name, spec in fw.bindings.items():
        path, _, attr = spec.partition(":")
        path = swap_path(fw, path) if side == "ours" and path.split(".")[0] == fw.name else path
        with contextlib.suppress(Exception):  # a binding ours lacks shows up as a NameError later
            obj = importlib.import_module(path)
            ns[name] = getattr(obj, attr) if attr else obj
    return ns


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError(f"example took longer than {EXAMPLE_TIMEOUT}s")


def run_example(source: str, ns: dict, where: str) -> dict[str, Any]:
    """Run one example: its printed text, the values printed / displayed, the exception it raised."""
    out, values, rec = io.StringIO(), [], {"exc": None}
    linecache.cache[where] = (len(source), None, source.splitlines(True), where)  # inspect.getsource works

    def display(v: Any) -> None:
        if v is not None:
            values.append(summary(v))
            print(repr(v), file=out)

    def recording_print(*args: Any, **kw: Any) -> None:
        values.extend(summary(a) for a in args)
        print(*args, **kw)

    ns["__builtins__"]["print"], old_hook, sys.displayhook = recording_print, sys.displayhook, display
    signal.alarm(EXAMPLE_TIMEOUT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, where, "single"), ns)
    except Exception as e:  # noqa: BLE001 - the exception is the result recorded
        rec["exc"] = dict(type=type(e).__name__, mro=[c.__name__ for c in type(e).__mro__], msg=str(e)[:300])
    finally:
        signal.alarm(0)
        sys.displayhook = old_hook
    return dict(rec, out=out.getvalue()[-20000:], values=values)


def install_draws(fw: Framework, side: str, state: dict) -> None:
    """Wrap the framework's replayed random functions (`fw.replay`): the first real run records what each
    call returns (`state["record"]`); later runs call their own function (so its arguments are checked)
    and return the recorded values instead, built by `fw.rebuild` (`state["replay"]`)."""

    def wrap(orig: Any) -> Any:
        def drawn(*args: Any, **kw: Any) -> Any:
            if state["depth"]:  # a replayed function calling another one: one draw
                return orig(*args, **kw)
            k, state["depth"] = state["n"], 1
            state["n"] += 1
            try:
                out = orig(*args, **kw)
            finally:
                state["depth"] = 0
            got = summary(out)
            if state["replay"] is None:
                state["record"].append(got if got["kind"] == "tensor" else None)
                return out
            want = state["replay"][k] if k < len(state["replay"]) else None
            if not want or got.get("shape") != want["shape"] or len(want["data"]) != np.prod(want["shape"]):
                return out  # not the call the real run made (or too large to record): its own values
            data = np.asarray(want["data"]).reshape(want["shape"])
            return eval(fw.rebuild, state["ns"], dict(out=out, data=data))

        return drawn

    for path in fw.replay:
        mod, _, name = path.rpartition(".")
        with contextlib.suppress(Exception):
            mod = importlib.import_module(swap_path(fw, mod) if side == "ours" else mod)
            setattr(mod, name, wrap(getattr(mod, name)))


def run_side(fw: Framework, side: str, seed: int, spec: dict, out: Path, start: int) -> None:
    """Run docstrings `start`... on one side (`real` or `ours`), appending one JSON line per docstring to
    `out` (its examples' records and its random draws); stop after an `isolate` docstring."""
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    for stmt in fw.setup if side == "real" else ():
        exec(stmt, {})
    docs, state = spec["docs"], dict(depth=0)
    install_draws(fw, side, state)
    for i in range(start, len(docs)):
        doc, ns = docs[i], namespace(fw, side, i)
        state.update(n=0, ns=ns, record=[], replay=spec["draws"][i] if spec["draws"] else None)
        for stmt in fw.reset:
            with contextlib.suppress(Exception):
                exec(stmt.format(seed=seed), ns)
        recs = [{"skipped": skip} if skip else run_example(src, ns, f"<{doc['path']}[{k}]>")
                for k, (src, skip) in enumerate(zip(doc["sources"], doc["skip"]))]  # fmt: skip
        with out.open("a") as f:
            f.write(json.dumps(dict(examples=recs, draws=state["record"])) + "\n")
        if doc["isolate"]:
            return


def run_child(
    fw: Framework, tmp: Path, side: str, seed: int, docs: list[Doc], draws: list | None
) -> list[dict]:
    """Run `docs` on one side in child processes (cwd `tmp`), a new child after each isolated docstring
    and after a crash (the crashing docstring is recorded as such); `draws`: the random values to replay."""
    spec, out = tmp / f"{fw.name}_{side}{seed}.json", tmp / f"{fw.name}_{side}{seed}.jsonl"
    fields = ("path", "sources", "skip", "isolate")
    docs_json = [{f: getattr(d, f) for f in fields} for d in docs]
    spec.write_text(json.dumps(dict(fw=dataclasses.asdict(fw), docs=docs_json, draws=draws)))
    out.write_text("")
    env = {**os.environ, "GLOG_v": "3", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(HERE.parent.parent)}
    records: list[dict] = []
    while len(records) < len(docs):
        cmd = [sys.executable, str(HERE), side, str(seed), str(spec), str(out), str(len(records))]
        p = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, timeout=900)
        records = [json.loads(line) for line in out.read_text().splitlines()]
        if p.returncode != 0 and len(records) < len(docs):
            crash = [{"crashed": f"exit status {p.returncode}"}] * len(docs[len(records)].sources)
            records.append(dict(examples=crash, draws=[]))
            out.write_text("".join(json.dumps(r) + "\n" for r in records))
    return records


# Comparison and the report (in the pytest process)
NUM = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|inf)")
TOL = {"float64": 1e-10, "float32": 1e-5, "float16": 1e-3}


def squash(text: str) -> str:
    """Text with whitespace runs made one space (none next to brackets, commas, `=`) and no addresses."""
    text = re.sub(r"\s+", " ", re.sub(r"0x[0-9a-fA-F]+", "0x?", text))
    return re.sub(r" ?([\[\](){},=:]) ?", r"\1", text).strip()


def number_diff(x: str, y: str) -> str | None:
    """Why printed number `x` (ours) differs from `y` (real), allowing 1e-5 relative (or absolute below 1)
    and, for numbers printed with 4 or more decimals, one unit of the last decimal (rounding)."""
    fx, fy = float(x), float(y)
    if fx == fy == 0 and x.startswith("-") != y.startswith("-"):
        return f"prints {x} where the real framework prints {y}"
    decimals = len(re.split(r"[eE]", y.split(".")[1])[0]) if "." in y else 0
    slack = 1.01 * 10.0**-decimals if decimals >= 4 else 0.0
    if (math.isnan(fx) and math.isnan(fy)) or abs(fx - fy) <= max(1e-5 * max(1.0, abs(fy)), slack):
        return None
    return f"printed number {x} != {y}"


def text_diff(ours: str, real: str, random: bool) -> str | None:
    """Why two printed texts differ (None if they agree)."""
    a, b = squash(ours.replace("tinygrad_rnn.", "")), squash(real)  # the import swap renames modules
    if a == b:
        return None
    if NUM.sub("#", a) != NUM.sub("#", b):
        return "printed text differs"
    return None if random else next(filter(None, map(number_diff, NUM.findall(a), NUM.findall(b))), None)


def value_close(a: list, b: list, np_dtype: str) -> bool:
    """Equal within the dtype's tolerance (exact for integers / bools)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    tol = TOL.get(np_dtype, 0.0)
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=tol, atol=tol, equal_nan=True))


def value_diff(o: Any, r: Any, random: bool) -> str | None:
    """Why two value summaries differ (None if they agree); of an `other`, only the repr is compared."""
    if o["kind"] != r["kind"] or (o["type"] != r["type"] and o["kind"] != "other"):
        return f"value is {o['kind']} {o['type']}, real {r['kind']} {r['type']}"
    if o["kind"] == "seq":
        if len(o["items"]) != len(r["items"]):
            return f"{len(o['items'])} items, real {len(r['items'])}"
        return next(filter(None, (value_diff(x, y, random) for x, y in zip(o["items"], r["items"]))), None)
    if o["kind"] == "shape" and o["value"] != r["value"]:
        return f"shape {o['value']} != {r['value']}"
    if o["kind"] == "scalar" and not random and o["value"] != r["value"]:
        if not (isinstance(r["value"], float) and value_close([o["value"]], [r["value"]], "float64")):
            return f"value {o['value']!r} != {r['value']!r}"
    if o["kind"] != "tensor":
        return None
    diff = next((f"{k} {o[k]} != {r[k]}" for k in ("shape", "dtype", "np") if o[k] != r[k]), None)
    if diff or random or r["data"] is None or value_close(o["data"], r["data"], r["np"]):
        return diff
    return "values differ"


def example_diff(o: dict, r: dict, random: bool) -> str | None:
    """Why ours differs from the real run for one compared example (None if it does not)."""
    if "crashed" in o:
        return f"the docstring's examples crash the process ({o['crashed']})"
    if r["exc"] and not o["exc"]:
        return f"real raises {r['exc']['type']}, ours returns"
    if r["exc"]:
        same = r["exc"]["type"] in o["exc"]["mro"]
        return None if same else f"raises {o['exc']['type']}, real {r['exc']['type']}"
    if o["exc"]:
        return f"raises {o['exc']['type']}: {o['exc']['msg']}"
    if len(o["values"]) != len(r["values"]):
        return f"{len(o['values'])} values printed, real {len(r['values'])}"
    diffs = (value_diff(ov, rv, random) for ov, rv in zip(o["values"], r["values"]))
    return next(filter(None, diffs), None) or text_diff(o["out"], r["out"], random)


@dataclass
class Report:
    """Counts, failing docstrings (path -> first difference) and exclusions of one framework's run."""

    framework: str
    docs: int = 0
    examples: int = 0
    compared: int = 0
    passed: int = 0
    random: int = 0
    excluded: Counter = field(default_factory=Counter)
    not_collected: Counter = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)
    unlisted_random: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed at the end of the pytest run."""
        return (f"{self.framework} docstring examples: {self.docs} docstrings, {self.examples} examples, "
                f"{self.compared} compared ({self.random} random: shapes/dtypes only), {self.passed} "
                f"passed, {self.compared - self.passed} failed (in {len(self.failures)} docstrings), "
                f"{sum(self.excluded.values())} excluded")  # fmt: skip

    def text(self) -> str:
        """The full report: counts, exclusions by reason, each failing docstring with its differences."""
        lines = [self.line(), "", "excluded examples by reason:"]
        lines += [f"  {n:4d}  {why}" for why, n in self.excluded.most_common()]
        lines += ["not collected:"] + [f"  {n:4d}  {why}" for why, n in self.not_collected.most_common()]
        lines += ["random output under a call the random-call list misses:"] + (
            self.unlisted_random or ["  none"]
        )
        return "\n".join(lines + ["", "failing docstrings (first difference):"] + self.details) + "\n"

    def add(self, doc: Doc, k: int, why: str | None, r: dict, o: dict) -> None:
        """Count one compared example; keep the first difference of a docstring in full."""
        self.compared += 1
        self.passed += why is None
        if why is not None and doc.path in self.failures:
            self.details[-1] += f"\n    also example {k}: {why}"
        elif why is not None:
            self.failures[doc.path] = why
            src = doc.sources[k].rstrip().replace("\n", "\n    ... ")
            self.details.append(f"{doc.path}: example {k}: {why}\n    >>> {src}\n"
                                f"    real: {r['out'].strip()[:400]!r}\n    ours: {o['out'].strip()[:400]!r}")  # fmt: skip


def same_run(a: dict, b: dict) -> bool:
    """Whether two real runs of an example (different seeds) printed the same."""
    if "crashed" in b or a["exc"] or b["exc"]:
        return True
    return squash(a["out"]) == squash(b["out"]) and a["values"] == b["values"]


def compare(fw: Framework, docs: list[Doc], real: list, again: list, ours: list, counts: Counter) -> Report:
    """Fold the runs into a Report (`again`: the real run under another seed)."""
    rep = Report(fw.name, docs=len(docs), not_collected=counts)
    for doc, rdoc, adoc, odoc in zip(docs, real, again, ours):
        for k, (r, a, o) in enumerate(zip(rdoc, adoc, odoc)):
            rep.examples += 1
            why_not = r.get("skipped") or ("crashed" in r and "the docstring crashes the real framework")
            if not why_not and r["exc"] and not doc.expects_exc[k]:
                why_not = f"raises {r['exc']['type']} on the real framework"
            if why_not:
                rep.excluded[why_not] += 1
                continue
            random = doc.random[k] or bool(re.search(UNINITIALISED, doc.sources[k]))
            if not random and not same_run(r, a):  # randomness the call list misses: reported
                random = True
                rep.unlisted_random.append(f"  {doc.path}[{k}]")
            rep.random += random
            rep.add(doc, k, example_diff(o, r, random), r, o)
    return rep


def run(fw: Framework, tmp: Path) -> Report:
    """Collect; run real (seed 0, recording its random draws), then real again (seed 1) and ours (seed 0)
    in parallel, both replaying those draws, in child processes with cwd `tmp`; compare; write the report
    to `tmp`."""
    docs, counts = collect(fw)
    real = run_child(fw, tmp, "real", 0, docs, None)
    draws = [r["draws"] for r in real]
    with ThreadPoolExecutor(2) as pool:
        again, ours = pool.map(
            lambda side, seed: run_child(fw, tmp, side, seed, docs, draws), ("real", "ours"), (1, 0)
        )
    rep = compare(fw, docs, *([r["examples"] for r in rs] for rs in (real, again, ours)), counts)
    (tmp / f"{fw.name}_docstring_report.txt").write_text(rep.text())
    return rep


def list_mismatch(rep: Report, fw: Framework) -> str | None:
    """What differs between the failing docstrings and tests/docstring_divergences/<framework>.txt
    (`<api path>: <why>` per line; # comments and blank lines ignored); None if they agree."""
    lines = (DIVERGENCES / f"{fw.name}.txt").read_text().splitlines()
    listed = {ln.partition(": ")[0].strip() for ln in lines if ln.strip() and not ln.startswith("#")}
    new = [d for d in rep.details if d.split(": ")[0] not in listed]
    fixed = sorted(listed - set(rep.failures))
    if not new and not fixed:
        return None
    msg = [f"tests/docstring_divergences/{fw.name}.txt is out of date ({rep.line()})."]
    if new:
        msg += [f"{len(new)} docstrings now fail (add a line '<path>: <why>' after looking):", *new]
    if fixed:
        msg += [f"{len(fixed)} listed docstrings now pass or are no longer run (remove their lines):", *fixed]
    return "\n".join(msg)


if __name__ == "__main__":  # a child: SIDE SEED SPEC.json OUT.jsonl START
    _spec = json.loads(Path(sys.argv[3]).read_text())
    _fw = Framework(**{k: tuple(v) if isinstance(v, list) else v for k, v in _spec["fw"].items()})
    run_side(_fw, sys.argv[1], int(sys.argv[2]), _spec, Path(sys.argv[4]), int(sys.argv[5]))
