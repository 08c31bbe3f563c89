"""Forward + backward of tinygrad_rnn's RNN against torch's fused nn.RNN and a numpy floor, float32.

    python benchmarks/bench_rnn.py                      # interleaved timing, linearity, peak memory
    python benchmarks/bench_rnn.py --mode processes     # each contender in its own fresh processes
    python benchmarks/bench_rnn.py --mode both --json run.json
    python benchmarks/bench_rnn.py --quick --only W1,W5 --no-memory --no-linearity
    python benchmarks/bench_rnn.py --check-only         # only the agreement check, all workloads

Run it for the record with OpenBLAS left to detect the CPU itself:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_rnn.py

(some processors' environments set those two variables to work around older OpenBLAS builds; they
slow current numpy, so report a run with them set as well; the header prints which are set).

Workloads (seq, batch, input, hidden, layers):
  W1 50x16, 8 -> 32, 1 layer      W2 100x32, 64 -> 128, 2 layers      W3 = W2 bidirectional
  W4 200x64, 256 -> 512, 1 layer  W5 1000x8, 16 -> 64, 1 layer

Contenders, all with the same weights (numpy U(-1/sqrt(H), 1/sqrt(H)), seed 0), input and upstream
gradient:
  * ours: tinygrad_rnn.nn.RNN, the RNN composed from the engine's primitive ops;
  * torch-1, torch-2: torch.nn.RNN (fused) after torch.set_num_threads(1) / (2), set before each
    call, outside the timed region; "best torch" is the faster of the two on each workload;
  * floor: numpy_floor.py, a hand-written numpy forward + BPTT (preallocated state buffers, one
    GEMM for the input projection and one per weight gradient): what numpy itself allows.
One timed call = forward of the whole sequence, then backward of a fixed random upstream gradient
on the output (parameter gradients reset to None first; the input does not require a gradient,
as in training). Before any timing, the outputs and every parameter gradient of ours and of the
floor are compared with torch's; a relative difference above 1e-4 aborts the run.

Timing discipline (see _timing.py): before every timed call gc.collect() and a 0.15 s pause let
other libraries' spinning threads go to sleep; warm-up calls first; medians reported. Two modes:
  * interleaved (default): all contenders in this process, the order reversed every repeat;
  * processes: each contender timed in --processes fresh subprocesses (default 3), each doing
    its warm-up and repeats and reporting its median; the table shows the median of those medians
    and the spread (min-max) of them. ours and floor processes never import torch, so no torch
    thread pool or allocator shares their process; both run with the glibc allocator tuning that
    importing tinygrad_rnn applies (tinygrad_rnn/_malloc.py), torch's processes without it.
Targets: ours/best torch <= 0.8 on W1-W5; ours/floor <= 1.15 on W2-W4 and <= 2.0 on W1, W5.

Linearity: time(seq=2000) / time(seq=200) at W5's other sizes (batch 8, 16 -> 64). Linear cost
gives ~10; the goal is <= 10.5. A per-step slice whose backward allocates a full-size gradient
would make it grow towards 100.

Peak memory (W4 and W5; goal ours <= torch-2 RSS), each measurement in a fresh subprocess:
  * ours, tracemalloc: numpy reports its array buffers to tracemalloc, so tracemalloc's peak
    during one forward+backward, minus what was traced just before it, is the peak of Python
    objects plus numpy arrays the call allocated (graph nodes, saved activations, gradients);
  * both, peak-RSS delta: the kernel's high-water mark of the resident set size (VmHWM in
    /proc/self/status, reset just before the call by writing 5 to /proc/self/clear_refs) minus
    VmRSS just before the call. torch allocates through its own CPU allocator, which tracemalloc
    does not see, so this is the measure comparable across the two. Both libraries
    first run the workload once at seq=2 so that one-time costs (BLAS buffers, lazy init, kernel
    dispatch tables) are not charged to the measured call. RSS counts pages, so small peaks (a
    few MB) are rounded by the allocator's reuse of already-resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _timing import blas_report, configure_threads, time_once  # noqa: E402

WORKLOADS = {
    "W1": dict(seq=50, batch=16, inp=8, hidden=32, layers=1, bi=False),
    "W2": dict(seq=100, batch=32, inp=64, hidden=128, layers=2, bi=False),
    "W3": dict(seq=100, batch=32, inp=64, hidden=128, layers=2, bi=True),
    "W4": dict(seq=200, batch=64, inp=256, hidden=512, layers=1, bi=False),
    "W5": dict(seq=1000, batch=8, inp=16, hidden=64, layers=1, bi=False),
}
CONTENDERS = ("ours", "torch-1", "torch-2", "floor")
KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
TOLERANCE = 1e-4  # max relative difference to torch before timing is refused
WARMUP = 2  # untimed calls before the repeats (a fresh process is colder than a warm one)
TARGET_TORCH = 0.8  # ours / best torch, every workload
TARGET_FLOOR = {"W1": 2.0, "W2": 1.15, "W3": 1.15, "W4": 1.15, "W5": 2.0}  # ours / floor
LINEARITY_GOAL = 10.5


@dataclass
class Contender:
    """One forward+backward closure, how to read its results, and what to do (untimed) before a call."""

    run: Callable[[], Any]
    read: Callable[[Any], tuple[np.ndarray, dict[str, np.ndarray]]]
    prep: Callable[[], Any] | None = None


def param_names(layers: int, bi: bool) -> list[str]:
    """torch's parameter names, in torch's order (per layer, per direction, the four kinds)."""
    sfx = [f"_l{k}" + ("_reverse" if d else "") for k in range(layers) for d in range(2 if bi else 1)]
    return [kind + s for s in sfx for kind in KINDS]


def make_inputs(w: dict, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Weights by name (torch's init distribution, drawn with numpy so no torch is needed), x, g."""
    rng = np.random.default_rng(seed)
    H, D = w["hidden"], 2 if w["bi"] else 1
    k = 1 / np.sqrt(H)
    weights = {}
    for name in param_names(w["layers"], w["bi"]):
        in_k = w["inp"] if "_l0" in name else D * H
        shape = {"weight_ih": (H, in_k), "weight_hh": (H, H)}.get(name.rsplit("_l", 1)[0], (H,))
        weights[name] = rng.uniform(-k, k, shape).astype(np.float32)
    x = rng.standard_normal((w["seq"], w["batch"], w["inp"])).astype(np.float32)
    g = rng.standard_normal((w["seq"], w["batch"], D * H)).astype(np.float32)
    return weights, x, g


def build_ours(w: dict, weights: dict, x: np.ndarray, g: np.ndarray) -> Contender:
    from tinygrad_rnn import Tensor, nn

    o = nn.RNN(w["inp"], w["hidden"], num_layers=w["layers"], bidirectional=w["bi"])
    o.load_state_dict(weights)
    params, xo = list(o.parameters()), Tensor(x)

    def run():
        for p in params:
            p.grad = None
        out, _ = o(xo)
        out.backward(g)
        return out

    return Contender(run, lambda out: (out.data, {n: p.grad.data for n, p in o.named_parameters()}))


def build_torch(w: dict, weights: dict, x: np.ndarray, g: np.ndarray, threads: int) -> Contender:
    import torch

    t = torch.nn.RNN(w["inp"], w["hidden"], num_layers=w["layers"], bidirectional=w["bi"])
    t.load_state_dict({n: torch.from_numpy(v) for n, v in weights.items()})
    params, xt, gt = list(t.parameters()), torch.from_numpy(x), torch.from_numpy(g)

    def run():
        for p in params:
            p.grad = None
        out, _ = t(xt)
        out.backward(gt)
        return out

    def read(out):
        return out.detach().numpy(), {n: p.grad.numpy() for n, p in t.named_parameters()}

    return Contender(run, read, lambda: torch.set_num_threads(threads))


def build_floor(w: dict, weights: dict, x: np.ndarray, g: np.ndarray) -> Contender:
    from numpy_floor import forward_backward

    # importing tinygrad_rnn tunes glibc's allocator for the whole process (tinygrad_rnn/_malloc.py);
    # the floor's own process gets the same tuning, so that it stays the fastest numpy allows
    # (measured on W4: 2,500 page faults and 222 ms per call without it, 0 and 192 ms with it)
    import tinygrad_rnn  # noqa: F401

    names = param_names(w["layers"], w["bi"])
    ws = [tuple(weights[n] for n in names[i : i + 4]) for i in range(0, len(names), 4)]

    def read(res):
        out, grads = res
        return out, dict(zip(names, (a for four in grads for a in four)))

    return Contender(lambda: forward_backward(x, ws, g, w["layers"], w["bi"]), read)


def build(contender: str, w: dict, seed: int = 0) -> Contender:
    """The contender's closure on workload w (only the torch-* ones import torch)."""
    weights, x, g = make_inputs(w, seed)
    if contender == "ours":
        return build_ours(w, weights, x, g)
    if contender == "floor":
        return build_floor(w, weights, x, g)
    return build_torch(w, weights, x, g, threads=int(contender.split("-")[1]))


def call(c: Contender) -> Any:
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
    """Largest relative difference to torch over the output and every parameter gradient, and where."""
    pairs = [("output", res[0], ref[0])] + [(n, res[1].get(n), b) for n, b in ref[1].items()]
    return max((rel_diff(a, b), n) for n, a, b in pairs)


def check_agreement(name: str) -> dict[str, Any]:
    """Ours and the floor against torch (1 thread) once on workload `name`; abort above TOLERANCE."""
    w = WORKLOADS[name]
    ref_c = build("torch-1", w)  # 1 thread: torch-2 collapses on a busy machine
    ref = ref_c.read(call(ref_c))
    found = {}
    for who in ("ours", "floor"):
        c = build(who, w)
        d, where = worst_diff(c.read(call(c)), ref)
        if not d <= TOLERANCE:
            raise SystemExit(
                f"{name}: {who} disagrees with torch on {where}: max relative difference {d:.2e} "
                f"> {TOLERANCE:.0e}; refusing to time a wrong answer"
            )
        found[who], found[who + "_worst"] = d, where
    print(
        f"  {describe(name):<34} ours vs torch {found['ours']:.1e} ({found['ours_worst']})   "
        f"floor vs torch {found['floor']:.1e} ({found['floor_worst']})",
        flush=True,
    )
    return found


# ---------------------------------------------------------------------------------------------
# timing: interleaved in this process, or each contender in fresh processes
# ---------------------------------------------------------------------------------------------
def time_interleaved(w: dict, names: tuple[str, ...], repeats: int) -> dict[str, list[float]]:
    """All samples (seconds) per contender; the order reverses every repeat, after WARMUP calls each."""
    cs = {n: build(n, w) for n in names}
    for _ in range(WARMUP):
        for c in cs.values():
            call(c)
    samples: dict[str, list[float]] = {n: [] for n in names}
    for r in range(repeats):
        for n in names if r % 2 == 0 else names[::-1]:
            samples[n].append(timed(cs[n]))
    return samples


def time_child(spec: str) -> dict:
    """In a fresh process: WARMUP calls, then `repeats` settled calls of one contender; its samples."""
    contender, name, repeats = spec.split(":")
    if contender.startswith("torch"):
        configure_threads(2)  # the same inter-op pool as the interleaved mode; prep sets intra-op
    c = build(contender, WORKLOADS[name])
    for _ in range(WARMUP):
        call(c)
    samples = [timed(c) for _ in range(int(repeats))]
    return {"median": statistics.median(samples), "samples": samples}


def run_child(flag: str, spec: str) -> dict:
    """Run this script with `flag spec` in a fresh interpreter; its last stdout line is JSON."""
    cmd = [sys.executable, os.path.abspath(__file__), flag, spec]
    out = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if out.returncode != 0:
        raise SystemExit(f"child {flag} {spec} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_processes(name: str, repeats: int, nproc: int) -> dict[str, list[dict]]:
    """Per contender, one result per fresh process; the contenders' order reverses every round."""
    found: dict[str, list[dict]] = {n: [] for n in CONTENDERS}
    for p in range(nproc):
        for n in CONTENDERS if p % 2 == 0 else CONTENDERS[::-1]:
            found[n].append(run_child("--time-child", f"{n}:{name}:{repeats}"))
    return found


# ---------------------------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------------------------
def describe(name: str) -> str:
    w = WORKLOADS[name]
    return (
        f"{name} seq={w['seq']} b={w['batch']} {w['inp']}->{w['hidden']} "
        f"L{w['layers']}{' bi' if w['bi'] else ''}"
    )


def ratios(t: dict[str, float]) -> dict[str, float]:
    best = min(t["torch-1"], t["torch-2"])
    return {"best_torch": best, "ours/best_torch": t["ours"] / best, "ours/floor": t["ours"] / t["floor"]}


def print_header(title: str) -> None:
    print(title)
    cols = "".join(f"{n + ' ms':>11}" for n in CONTENDERS)
    print(f"{'workload':<34}{cols} {'ours/best torch':>16} {'ours/floor':>11}")


def print_row(name: str, t: dict[str, float]) -> None:
    r = ratios(t)
    cols = "".join(f"{t[n] * 1e3:11.2f}" for n in CONTENDERS)
    print(f"{describe(name):<34}{cols} {r['ours/best_torch']:16.2f} {r['ours/floor']:11.2f}", flush=True)


def print_targets(rows: dict[str, dict[str, float]]) -> dict[str, dict[str, bool]]:
    """One line per target, met / NOT met per workload (on the medians)."""
    met: dict[str, dict[str, bool]] = {"torch": {}, "floor": {}}
    line = []
    for name, t in rows.items():
        r = ratios(t)["ours/best_torch"]
        met["torch"][name] = r <= TARGET_TORCH
        line.append(f"{name} {r:.3f} {'met' if met['torch'][name] else 'NOT met'}")
    print(f"target ours/best torch <= {TARGET_TORCH} on W1-W5: " + ", ".join(line))
    for limit, group in ((1.15, "W2-W4"), (2.0, "W1, W5")):
        line = []
        for name, t in rows.items():
            if TARGET_FLOOR[name] == limit:
                r = ratios(t)["ours/floor"]
                met["floor"][name] = r <= limit
                line.append(f"{name} {r:.3f} {'met' if met['floor'][name] else 'NOT met'}")
        if line:
            print(f"target ours/floor <= {limit} on {group}: " + ", ".join(line))
    return met


def print_table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print_header(title)
    for name, t in rows.items():
        print_row(name, t)


def print_spread(per_proc: dict[str, dict[str, list[float]]]) -> None:
    """The spread (min-max, ms) of the per-process medians of each contender."""
    print("spread of the per-process medians, min-max ms")
    print(f"{'workload':<34}" + "".join(f"{n:>17}" for n in CONTENDERS))
    for name, meds in per_proc.items():
        cells = "".join(f"{f'{min(m) * 1e3:.2f}-{max(m) * 1e3:.2f}':>17}" for m in meds.values())
        print(f"{describe(name):<34}{cells}")


# ---------------------------------------------------------------------------------------------
# the two modes
# ---------------------------------------------------------------------------------------------
def run_interleaved(names: list[str], repeats: int) -> dict:
    """Time every contender in this process; print the medians' and the minima's tables."""
    found = {}
    print_header(f"interleaved: one process, median of {repeats} repeats (order reversed every repeat)")
    for name in names:
        s = time_interleaved(WORKLOADS[name], CONTENDERS, repeats)
        med = {n: statistics.median(v) for n, v in s.items()}
        found[name] = {"samples": s, "median": med, "ratios": ratios(med)}
        print_row(name, found[name]["median"])
    medians = {n: f["median"] for n, f in found.items()}
    met = print_targets(medians)
    print()
    print_table(
        "interleaved, minimum of the repeats (the least disturbed by other load)",
        {n: {c: min(v) for c, v in f["samples"].items()} for n, f in found.items()},
    )
    print()
    return {"workloads": found, "met": met}


def run_processes(names: list[str], repeats: int, nproc: int) -> dict:
    """Time every contender in nproc fresh processes each; print medians of medians and spreads."""
    found = {}
    print_header(
        f"processes: {nproc} fresh processes per contender, each the median of {repeats} repeats; "
        "median of the per-process medians"
    )
    for name in names:
        res = time_processes(name, repeats, nproc)
        per_proc = {n: [r["median"] for r in v] for n, v in res.items()}
        mm = {n: statistics.median(v) for n, v in per_proc.items()}
        found[name] = {"per_process": per_proc, "median_of_medians": mm, "ratios": ratios(mm)}
        found[name]["samples"] = {n: [r["samples"] for r in v] for n, v in res.items()}
        print_row(name, mm)
    met = print_targets({n: f["median_of_medians"] for n, f in found.items()})
    print()
    print_spread({n: f["per_process"] for n, f in found.items()})
    print()
    return {"workloads": found, "met": met}


def run_linearity(repeats: int) -> dict:
    """time(seq=2000) / time(seq=200) at W5's other sizes, interleaved; goal ours <= LINEARITY_GOAL."""
    short, long_, names = 200, 2000, ("ours", "torch-1", "floor")
    med = {}
    for seq in (short, long_):
        s = time_interleaved({**WORKLOADS["W5"], "seq": seq}, names, max(3, repeats // 2))
        med[seq] = {n: statistics.median(v) for n, v in s.items()}
    ratio = {n: med[long_][n] / med[short][n] for n in names}
    print(f"linearity, W5 sizes (batch 8, 16->64): time(seq={long_}) / time(seq={short})")
    print(
        "  "
        + "   ".join(
            f"{n} {med[short][n] * 1e3:.1f} -> {med[long_][n] * 1e3:.1f} ms: {ratio[n]:.2f}" for n in names
        )
        + f"   (goal ours <= {LINEARITY_GOAL}: {'met' if ratio['ours'] <= LINEARITY_GOAL else 'NOT met'})\n"
    )
    return {
        "seconds": {str(k): v for k, v in med.items()},
        "ratio": ratio,
        "met": ratio["ours"] <= LINEARITY_GOAL,
    }


# ---------------------------------------------------------------------------------------------
# memory, in a fresh subprocess
# ---------------------------------------------------------------------------------------------
def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process's RSS (Linux >= 4.0: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def memory_child(spec: str) -> dict:
    """One forward+backward of `lib` (ours / torch) on workload `name` in this fresh process: peak bytes."""
    import tracemalloc

    lib, name, method = spec.split(":")
    contender = "ours" if lib == "ours" else "torch-2"
    if lib != "ours":
        configure_threads(2)
    call(build(contender, {**WORKLOADS[name], "seq": 2}))  # one-time costs out of the way
    c = build(contender, WORKLOADS[name])
    if method == "tracemalloc":
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = call(c)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        return {"peak": peak}
    reset = _reset_peak_rss()
    rss0 = _status_kib("VmRSS")
    out = call(c)
    del out
    peak = _status_kib("VmHWM") - rss0
    # without the reset VmHWM is the whole process's high-water mark: only an upper bound
    return {"peak": peak * 1024, "upper_bound": not reset}


def fmt_mb(b: float | None) -> str:
    return "-" if b is None else f"{b / 2**20:8.1f}"


def run_memory(names: list[str]) -> dict:
    """Peak memory of W4 and W5 (those of them selected), each measurement in a fresh subprocess."""
    if not any(n in names for n in ("W4", "W5")):
        return {}
    print("peak memory of one forward+backward (MiB; fresh subprocess each; see docstring)")
    print(f"{'workload':<10} {'ours tracemalloc':>17} {'ours RSS':>9} {'torch RSS':>10} {'ratio RSS':>10}")
    found = {}
    for name in [n for n in ("W4", "W5") if n in names]:
        t0 = time.perf_counter()
        tm = run_child("--memory-child", f"ours:{name}:tracemalloc")["peak"]
        ro = run_child("--memory-child", f"ours:{name}:rss")
        rt = run_child("--memory-child", f"torch:{name}:rss")
        ratio = ro["peak"] / rt["peak"] if rt["peak"] > 0 else float("nan")
        flag = " (upper bound: could not reset VmHWM)" if ro["upper_bound"] or rt["upper_bound"] else ""
        print(
            f"{name:<10} {fmt_mb(tm):>17} {fmt_mb(ro['peak']):>9} {fmt_mb(rt['peak']):>10} "
            f"{ratio:10.2f}   goal ours <= torch: {'met' if ratio <= 1 else 'NOT met'}"
            f"   ({time.perf_counter() - t0:.0f} s){flag}"
        )
        found[name] = {
            "ours_tracemalloc": tm,
            "ours_rss": ro["peak"],
            "torch_rss": rt["peak"],
            "ratio": ratio,
        }
    print()
    return found


# ---------------------------------------------------------------------------------------------
def load_line(when: str) -> tuple[float, float, float]:
    """Print and return the load average (1, 5, 15 min); warn when it exceeds half the cores."""
    load = os.getloadavg()
    cpus = os.cpu_count() or 1
    warn = "  WARNING: other processes are running; torch's 2 OpenMP threads suffer most"
    print(f"load average at {when}: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {cpus} cpus", end="")
    print(warn if load[0] > 0.5 * cpus else "")
    return load


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("interleaved", "processes", "both"), default="interleaved")
    ap.add_argument("--processes", type=int, default=3, help="fresh processes per contender (default 3)")
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--repeats", type=int, default=None, help="timed calls per contender (default 7)")
    ap.add_argument("--only", default=None, help="comma-separated workloads, e.g. W1,W4")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-linearity", action="store_true")
    ap.add_argument("--check-only", action="store_true", help="only compare the three contenders")
    ap.add_argument("--json", default=None, metavar="PATH", help="write every measured number here")
    ap.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--time-child", default=None, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_child or args.time_child:
        res = memory_child(args.memory_child) if args.memory_child else time_child(args.time_child)
        print(json.dumps(res))
        return 0
    configure_threads(2)
    repeats = args.repeats or (3 if args.quick else 7)
    names = args.only.split(",") if args.only else list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    print("tinygrad_rnn RNN vs torch.nn.RNN (fused, 1 and 2 threads) vs a numpy floor, float32, fwd + bwd")
    print(blas_report())
    print(
        f"mode={args.mode} repeats={repeats} warm-up={WARMUP} processes={args.processes}; gc + 0.15 s pause"
    )
    result: dict[str, Any] = {"config": vars(args) | {"repeats": repeats}, "load_start": load_line("start")}
    print(
        f"\nagreement with torch (max relative difference over output and parameter gradients; abort > {TOLERANCE:.0e})"
    )
    result["agreement"] = {n: check_agreement(n) for n in names}
    print()
    if not args.check_only:
        if args.mode in ("interleaved", "both"):
            result["interleaved"] = run_interleaved(names, repeats)
        if args.mode in ("processes", "both"):
            result["processes"] = run_processes(names, repeats, args.processes)
        if not args.no_linearity:
            result["linearity"] = run_linearity(repeats)
        if not args.no_memory:
            result["memory"] = run_memory(names)
    result["load_end"] = load_line("end")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
