"""The machinery bench_rnn.py and bench_gated.py share: workloads, torch's side, agreement, two timing modes.

A script describes what it times as a `Suite` (its contenders, how to build one on a workload,
how to word a workload, which targets to print) and hands it to `check_agreement`,
`run_interleaved` and `run_processes`. Everything here follows `_timing.py`'s discipline: gc and
a pause before every timed call, WARMUP untimed calls first, medians reported.

Workloads are time-major and float32; one timed call is the forward of the whole sequence, then
the backward of a fixed random upstream gradient on the output (a fixed random-weighted sum).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from _timing import time_once

WORKLOADS = {
    "W1": dict(seq=50, batch=16, inp=8, hidden=32, layers=1, bi=False),
    "W2": dict(seq=100, batch=32, inp=64, hidden=128, layers=2, bi=False),
    "W3": dict(seq=100, batch=32, inp=64, hidden=128, layers=2, bi=True),
    "W4": dict(seq=200, batch=64, inp=256, hidden=512, layers=1, bi=False),
    "W5": dict(seq=1000, batch=8, inp=16, hidden=64, layers=1, bi=False),
}
KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}  # rows of weight_ih / weight_hh per hidden unit (torch's layout)
TOLERANCE = 1e-4  # max relative difference to torch before timing is refused
WARMUP = 2  # untimed calls before the repeats (a fresh process is colder than a warm one)


@dataclass
class Contender:
    """One forward+backward closure, how to read its results, and what to do (untimed) before a call."""

    run: Callable[[], Any]
    read: Callable[[Any], tuple[np.ndarray, dict[str, np.ndarray]]]
    prep: Callable[[], Any] | None = None


@dataclass
class Suite:
    """What one script times: its contenders (torch-1 and torch-2 among them) and how to build and word them."""

    contenders: tuple[str, ...]
    build: Callable[[str, dict], Contender]  # (contender, workload dict) -> its closure
    describe: Callable[[str], str]  # workload name -> one table cell
    targets: Callable[[dict[str, dict[str, float]]], dict]  # medians per workload -> printed, met
    script: str  # the script's path, re-run for the fresh-process mode
    child_args: tuple[str, ...] = ()  # what a --time-child process needs besides its spec


# ---------------------------------------------------------------------------------------------
# inputs and torch's side
# ---------------------------------------------------------------------------------------------
def param_names(layers: int, bi: bool) -> list[str]:
    """torch's parameter names, in torch's order (per layer, per direction, the four kinds)."""
    sfx = [f"_l{k}" + ("_reverse" if d else "") for k in range(layers) for d in range(2 if bi else 1)]
    return [kind + s for s in sfx for kind in KINDS]


def make_inputs(
    w: dict, seed: int = 0, gates: int = 1
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Weights by name (torch's init distribution, drawn with numpy so no torch is needed), x, g."""
    rng = np.random.default_rng(seed)
    H, D = w["hidden"], 2 if w["bi"] else 1
    k = 1 / np.sqrt(H)
    weights = {}
    for name in param_names(w["layers"], w["bi"]):
        in_k = w["inp"] if "_l0" in name else D * H
        shape = {"weight_ih": (gates * H, in_k), "weight_hh": (gates * H, H)}.get(
            name.rsplit("_l", 1)[0], (gates * H,)
        )
        weights[name] = rng.uniform(-k, k, shape).astype(np.float32)
    x = rng.standard_normal((w["seq"], w["batch"], w["inp"])).astype(np.float32)
    g = rng.standard_normal((w["seq"], w["batch"], D * H)).astype(np.float32)
    return weights, x, g


def build_module(
    lib: Any, kind: str, w: dict, weights: dict, x: np.ndarray, g: np.ndarray, input_grad: bool = False
) -> Contender:
    """lib.nn.<kind> on these weights, for torch or a frontend that speaks its API (tinygrad_rnn.torch).

    With input_grad the input requires a gradient, read back as "input" next to the parameters'.
    """
    m = getattr(lib.nn, kind)(w["inp"], w["hidden"], num_layers=w["layers"], bidirectional=w["bi"])
    m.load_state_dict({n: lib.tensor(v) for n, v in weights.items()})
    params, xm, gm = list(m.parameters()), lib.tensor(x, requires_grad=input_grad), lib.tensor(g)

    def run():
        for p in params:
            p.grad = None
        xm.grad = None
        out, _ = m(xm)
        out.backward(gm)
        return out

    def read(out):
        grads = {n: p.grad.numpy() for n, p in m.named_parameters()}
        return out.detach().numpy(), grads | ({"input": xm.grad.numpy()} if input_grad else {})

    return Contender(run, read)


def build_torch(
    w: dict,
    weights: dict,
    x: np.ndarray,
    g: np.ndarray,
    threads: int,
    kind: str = "RNN",
    input_grad: bool = False,
) -> Contender:
    """torch.nn.<kind> (fused), run after torch.set_num_threads(threads)."""
    import torch

    c = build_module(torch, kind, w, weights, x, g, input_grad)
    c.prep = lambda: torch.set_num_threads(threads)
    return c


def call(c: Contender) -> Any:
    """One untimed call: prep, then the closure."""
    if c.prep is not None:
        c.prep()
    return c.run()


def timed(c: Contender) -> float:
    """Seconds of one settled call; prep (torch's thread count) runs before the settle pause."""
    if c.prep is not None:
        c.prep()
    return time_once(c.run)


# ---------------------------------------------------------------------------------------------
# agreement
# ---------------------------------------------------------------------------------------------
def rel_diff(a: np.ndarray | None, b: np.ndarray) -> float:
    """max |a - b| / max |b|; inf when a is missing, has the wrong shape or is not finite."""
    if a is None or a.shape != b.shape:
        return float("inf")
    d = float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-30))
    return d if np.isfinite(d) else float("inf")


def worst_diff(res: tuple, ref: tuple) -> tuple[float, str]:
    """Largest relative difference to torch over the output and every gradient torch has, and where."""
    pairs = [("output", res[0], ref[0])] + [(n, res[1].get(n), b) for n, b in ref[1].items()]
    return max((rel_diff(a, b), n) for n, a, b in pairs)


def check_agreement(suite: Suite, name: str) -> dict[str, Any]:
    """Every non-torch contender against torch (1 thread) once on workload `name`; abort above TOLERANCE."""
    w = WORKLOADS[name]
    ref_c = suite.build("torch-1", w)  # 1 thread: torch-2 collapses on a busy machine
    ref = ref_c.read(call(ref_c))
    found: dict[str, Any] = {}
    cells = []
    for who in (c for c in suite.contenders if not c.startswith("torch")):
        c = suite.build(who, w)
        d, where = worst_diff(c.read(call(c)), ref)
        if not d <= TOLERANCE:
            raise SystemExit(
                f"{name}: {who} disagrees with torch on {where}: max relative difference {d:.2e} "
                f"> {TOLERANCE:.0e}; refusing to time a wrong answer"
            )
        found[who], found[who + "_worst"] = d, where
        cells.append(f"{who} vs torch {d:.1e} ({where})")
    print(f"  {suite.describe(name):<34} {'   '.join(cells)}", flush=True)
    return found


# ---------------------------------------------------------------------------------------------
# timing: interleaved in this process, or each contender in fresh processes
# ---------------------------------------------------------------------------------------------
def time_interleaved(suite: Suite, w: dict, names: tuple[str, ...], repeats: int) -> dict[str, list[float]]:
    """All samples (seconds) per contender; the order reverses every repeat, after WARMUP calls each."""
    cs = {n: suite.build(n, w) for n in names}
    for _ in range(WARMUP):
        for c in cs.values():
            call(c)
    samples: dict[str, list[float]] = {n: [] for n in names}
    for r in range(repeats):
        for n in names if r % 2 == 0 else names[::-1]:
            samples[n].append(timed(cs[n]))
    return samples


def fresh_samples(c: Contender, repeats: int) -> dict:
    """In a fresh process (a --time-child): WARMUP calls, then `repeats` settled calls; median and samples."""
    for _ in range(WARMUP):
        call(c)
    samples = [timed(c) for _ in range(repeats)]
    return {"median": statistics.median(samples), "samples": samples}


def run_child(script: str, args: list[str]) -> dict:
    """Run `script args` in a fresh interpreter; its last stdout line is JSON."""
    cmd = [sys.executable, os.path.abspath(script), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if out.returncode != 0:
        raise SystemExit(f"child {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_processes(suite: Suite, name: str, repeats: int, nproc: int) -> dict[str, list[dict]]:
    """Per contender, one result per fresh process; the contenders' order reverses every round."""
    cs = suite.contenders
    found: dict[str, list[dict]] = {n: [] for n in cs}
    for p in range(nproc):
        for n in cs if p % 2 == 0 else cs[::-1]:
            args = ["--time-child", f"{n}:{name}:{repeats}", *suite.child_args]
            found[n].append(run_child(suite.script, args))
    return found


# ---------------------------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------------------------
def describe(name: str) -> str:
    """A workload as one table cell: sizes, layers, direction."""
    w = WORKLOADS[name]
    return (
        f"{name} seq={w['seq']} b={w['batch']} {w['inp']}->{w['hidden']} "
        f"L{w['layers']}{' bi' if w['bi'] else ''}"
    )


RATIO_COLUMNS = ("ours/floor", "ours/untaped", "untaped/floor")  # "a/b": t[a] / t[b], where both ran


def ratios(t: dict[str, float]) -> dict[str, float]:
    """Best torch (the faster thread count), ours over it, and ours over the floor when there is one.

    With an `untaped` contender (bench_rnn.py: our numpy calls without the tape) ours / floor
    splits into ours / untaped (the tape) times untaped / floor (the op decomposition).
    """
    best = min(t["torch-1"], t["torch-2"])
    r = {"best_torch": best, "ours/best_torch": t["ours"] / best}
    for c in RATIO_COLUMNS:
        a, b = c.split("/")
        if a in t and b in t:
            r[c] = t[a] / t[b]
    return r


def _ratio_columns(suite: Suite) -> list[str]:
    have = set(suite.contenders)
    return [c for c in RATIO_COLUMNS if have >= set(c.split("/"))]


def print_header(suite: Suite, title: str) -> None:
    """A table's title and column names (the ratios to the floor only when the suite has one)."""
    print(title)
    cols = "".join(f"{n + ' ms':>11}" for n in suite.contenders)
    extra = "".join(f" {c:>13}" for c in _ratio_columns(suite))
    print(f"{'workload':<34}{cols} {'ours/best torch':>16}{extra}")


def print_row(suite: Suite, name: str, t: dict[str, float]) -> None:
    """One workload's milliseconds per contender and its ratios."""
    r = ratios(t)
    cols = "".join(f"{t[n] * 1e3:11.2f}" for n in suite.contenders)
    extra = "".join(f" {r[c]:13.2f}" for c in _ratio_columns(suite))
    print(f"{suite.describe(name):<34}{cols} {r['ours/best_torch']:16.2f}{extra}", flush=True)


def print_table(suite: Suite, title: str, rows: dict[str, dict[str, float]]) -> None:
    """A header and one row per workload."""
    print_header(suite, title)
    for name, t in rows.items():
        print_row(suite, name, t)


def print_spread(suite: Suite, per_proc: dict[str, dict[str, list[float]]]) -> None:
    """The spread (min-max, ms) of the per-process medians of each contender."""
    print("spread of the per-process medians, min-max ms")
    print(f"{'workload':<34}" + "".join(f"{n:>17}" for n in suite.contenders))
    for name, meds in per_proc.items():
        cells = "".join(f"{f'{min(m) * 1e3:.2f}-{max(m) * 1e3:.2f}':>17}" for m in meds.values())
        print(f"{suite.describe(name):<34}{cells}")


# ---------------------------------------------------------------------------------------------
# the two modes
# ---------------------------------------------------------------------------------------------
def run_interleaved(suite: Suite, names: list[str], repeats: int) -> dict:
    """Time every contender in this process; print the medians' and the minima's tables."""
    found = {}
    print_header(
        suite, f"interleaved: one process, median of {repeats} repeats (order reversed every repeat)"
    )
    for name in names:
        s = time_interleaved(suite, WORKLOADS[name], suite.contenders, repeats)
        med = {n: statistics.median(v) for n, v in s.items()}
        found[name] = {"samples": s, "median": med, "ratios": ratios(med)}
        print_row(suite, name, found[name]["median"])
    met = suite.targets({n: f["median"] for n, f in found.items()})
    print()
    print_table(
        suite,
        "interleaved, minimum of the repeats (the least disturbed by other load)",
        {n: {c: min(v) for c, v in f["samples"].items()} for n, f in found.items()},
    )
    print()
    return {"workloads": found, "met": met}


def run_processes(suite: Suite, names: list[str], repeats: int, nproc: int) -> dict:
    """Time every contender in nproc fresh processes each; print medians of medians and spreads."""
    found = {}
    print_header(
        suite,
        f"processes: {nproc} fresh processes per contender, each the median of {repeats} repeats; "
        "median of the per-process medians",
    )
    for name in names:
        res = time_processes(suite, name, repeats, nproc)
        per_proc = {n: [r["median"] for r in v] for n, v in res.items()}
        mm = {n: statistics.median(v) for n, v in per_proc.items()}
        found[name] = {"per_process": per_proc, "median_of_medians": mm, "ratios": ratios(mm)}
        found[name]["samples"] = {n: [r["samples"] for r in v] for n, v in res.items()}
        print_row(suite, name, mm)
    met = suite.targets({n: f["median_of_medians"] for n, f in found.items()})
    print()
    print_spread(suite, {n: f["per_process"] for n, f in found.items()})
    print()
    return {"workloads": found, "met": met}


def load_line(when: str) -> tuple[float, float, float]:
    """Print and return the load average (1, 5, 15 min); warn when it exceeds half the cores."""
    load = os.getloadavg()
    cpus = os.cpu_count() or 1
    warn = "  WARNING: other processes are running; torch's 2 OpenMP threads suffer most"
    print(f"load average at {when}: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {cpus} cpus", end="")
    print(warn if load[0] > 0.5 * cpus else "")
    return load


def add_common_args(ap: argparse.ArgumentParser) -> None:
    """The options both scripts take: mode, processes, repeats, workloads, agreement only, JSON."""
    ap.add_argument("--mode", choices=("interleaved", "processes", "both"), default="interleaved")
    ap.add_argument("--processes", type=int, default=3, help="fresh processes per contender (default 3)")
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--repeats", type=int, default=None, help="timed calls per contender (default 7)")
    ap.add_argument("--only", default=None, help="comma-separated workloads, e.g. W1,W4")
    ap.add_argument("--check-only", action="store_true", help="only the agreement check with torch")
    ap.add_argument("--json", default=None, metavar="PATH", help="write every measured number here")
    ap.add_argument("--time-child", default=None, help=argparse.SUPPRESS)


def chosen(args: argparse.Namespace, allowed: list[str]) -> tuple[list[str], int]:
    """The workloads --only names (all `allowed` without it) and the repeats; unknown names abort."""
    names = args.only.split(",") if args.only else allowed
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; choose from {allowed}")
    return names, args.repeats or (3 if args.quick else 7)


def write_json(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """The end-of-run load line, then every measured number to --json PATH if asked."""
    result["load_end"] = load_line("end")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
        print(f"wrote {args.json}")


def run_timing(suite: Suite, names: list[str], args: Any, repeats: int, result: dict[str, Any]) -> None:
    """The agreement check on every workload, then (unless --check-only) the modes args.mode asks for."""
    print(
        f"\nagreement with torch (max relative difference over output and gradients; abort > {TOLERANCE:.0e})"
    )
    result["agreement"] = {n: check_agreement(suite, n) for n in names}
    print()
    if args.check_only:
        return
    if args.mode in ("interleaved", "both"):
        result["interleaved"] = run_interleaved(suite, names, repeats)
    if args.mode in ("processes", "both"):
        result["processes"] = run_processes(suite, names, repeats, args.processes)
