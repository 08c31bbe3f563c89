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
    GEMM for the input projection and one per weight gradient): what numpy itself allows;
  * untaped: numpy_untaped.py, the numpy calls our forwards and backward rules make, without the
    tape (checked bit-equal to ours before timing). ours / floor = ours / untaped (the tape's
    cost) x untaped / floor (the cost of the op decomposition, which no cheaper recording removes).
One timed call = forward of the whole sequence, then backward of a fixed random upstream gradient
on the output (parameter gradients reset to None first; the input does not require a gradient,
as in training). Before any timing, the outputs and every parameter gradient of ours, the floor
and untaped are compared with torch's; a relative difference above 1e-4 aborts the run.

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
import sys
import time
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import (  # noqa: E402
    WARMUP,
    WORKLOADS,
    Contender,
    Suite,
    add_common_args,
    build_torch,
    call,
    chosen,
    describe,
    fresh_samples,
    load_line,
    make_inputs,
    param_names,
    ratios,
    run_child,
    run_timing,
    time_interleaved,
    write_json,
)
from _timing import blas_report, configure_threads  # noqa: E402

CONTENDERS = ("ours", "torch-1", "torch-2", "floor", "untaped")
TARGET_TORCH = 0.8  # ours / best torch, every workload
TARGET_FLOOR = {"W1": 2.0, "W2": 1.15, "W3": 1.15, "W4": 1.15, "W5": 2.0}  # ours / floor
LINEARITY_GOAL = 10.5


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


def build_floor(w: dict, weights: dict, x: np.ndarray, g: np.ndarray, untaped: bool = False) -> Contender:
    import numpy_floor

    # importing tinygrad_rnn tunes glibc's allocator for the whole process (tinygrad_rnn/_malloc.py);
    # the floor's own process gets the same tuning, so that it stays the fastest numpy allows
    # (measured on W4: 2,500 page faults and 222 ms per call without it, 0 and 192 ms with it)
    import tinygrad_rnn  # noqa: F401

    names = param_names(w["layers"], w["bi"])
    ws = [tuple(weights[n] for n in names[i : i + 4]) for i in range(0, len(names), 4)]
    fwd, bwd = numpy_floor.floor_forward, numpy_floor.direction_backward
    if untaped:  # the same layer loop over our numpy calls without the tape
        import numpy_untaped

        fwd, bwd = numpy_untaped.direction_forward, numpy_untaped.direction_backward

    def read(res):
        out, grads = res
        return out, dict(zip(names, (a for four in grads for a in four)))

    return Contender(lambda: numpy_floor.forward_backward(x, ws, g, w["layers"], w["bi"], fwd, bwd), read)


def build(contender: str, w: dict, seed: int = 0) -> Contender:
    """The contender's closure on workload w (only the torch-* ones import torch)."""
    weights, x, g = make_inputs(w, seed)
    if contender == "ours":
        return build_ours(w, weights, x, g)
    if contender in ("floor", "untaped"):
        return build_floor(w, weights, x, g, untaped=contender == "untaped")
    return build_torch(w, weights, x, g, threads=int(contender.split("-")[1]))


def time_child(spec: str) -> dict:
    """In a fresh process: WARMUP calls, then `repeats` settled calls of one contender; its samples."""
    contender, name, repeats = spec.split(":")
    if contender.startswith("torch"):
        configure_threads(2)  # the same inter-op pool as the interleaved mode; prep sets intra-op
    return fresh_samples(build(contender, WORKLOADS[name]), int(repeats))


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


def check_untaped(names: list[str]) -> None:
    """numpy_untaped.py must run our very arithmetic: bit-equal results, or it has drifted from the rules."""
    for name in names:
        ours, untaped = (build(c, WORKLOADS[name]) for c in ("ours", "untaped"))
        (ya, ga), (yb, gb) = ours.read(call(ours)), untaped.read(call(untaped))
        differ = [
            n
            for n in sorted(ga.keys() | gb.keys())
            if n not in ga or n not in gb or not np.array_equal(ga[n], gb[n])
        ]
        differ += [] if np.array_equal(ya, yb) else ["output"]
        if differ:
            raise SystemExit(
                f"{name}: numpy_untaped.py no longer computes what our rules compute ({', '.join(differ)} "
                "differ); update it to the current forwards and backward rules before timing"
            )
    print(f"untaped equals ours bit for bit on {', '.join(names)}")


SUITE = Suite(CONTENDERS, build, describe, print_targets, os.path.abspath(__file__))


def run_linearity(repeats: int) -> dict:
    """time(seq=2000) / time(seq=200) at W5's other sizes, interleaved; goal ours <= LINEARITY_GOAL."""
    short, long_, names = 200, 2000, ("ours", "torch-1", "floor")
    med = {}
    for seq in (short, long_):
        s = time_interleaved(SUITE, {**WORKLOADS["W5"], "seq": seq}, names, max(3, repeats // 2))
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
        tm = run_child(__file__, ["--memory-child", f"ours:{name}:tracemalloc"])["peak"]
        ro = run_child(__file__, ["--memory-child", f"ours:{name}:rss"])
        rt = run_child(__file__, ["--memory-child", f"torch:{name}:rss"])
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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_args(ap)
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-linearity", action="store_true")
    ap.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_child or args.time_child:
        res = memory_child(args.memory_child) if args.memory_child else time_child(args.time_child)
        print(json.dumps(res))
        return 0
    configure_threads(2)
    names, repeats = chosen(args, list(WORKLOADS))
    print("tinygrad_rnn RNN vs torch.nn.RNN (fused, 1 and 2 threads) vs a numpy floor, float32, fwd + bwd")
    print(blas_report())
    print(
        f"mode={args.mode} repeats={repeats} warm-up={WARMUP} processes={args.processes}; gc + 0.15 s pause"
    )
    result: dict[str, Any] = {"config": vars(args) | {"repeats": repeats}, "load_start": load_line("start")}
    check_untaped(names)
    run_timing(SUITE, names, args, repeats, result)
    if not args.check_only:
        if not args.no_linearity:
            result["linearity"] = run_linearity(repeats)
        if not args.no_memory:
            result["memory"] = run_memory(names)
    write_json(args, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
