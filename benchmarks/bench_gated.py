"""Forward + backward of tinygrad_rnn's LSTM and GRU (torch frontend) against torch's fused nn.LSTM / nn.GRU.

    python benchmarks/bench_gated.py                        # both cells, W2 and W4, interleaved
    python benchmarks/bench_gated.py --cell lstm --only W2 --quick
    python benchmarks/bench_gated.py --mode both --json gated.json
    python benchmarks/bench_gated.py --check-only           # only the agreement check (seconds)
    python benchmarks/bench_gated.py --profile --only W2    # cProfile of ours, top costs

Run it for the record with OpenBLAS left to detect the CPU itself (see README.md):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_gated.py --mode both

Workloads (bench_rnn.py's sizes): W2 seq 100, batch 32, 64 -> 128, 2 layers; W4 seq 200, batch
64, 256 -> 512, 1 layer.

Contenders, all with the same weights (numpy U(-1/sqrt(H), 1/sqrt(H)), seed 0, torch's gate
layout: LSTM i, f, g, o; GRU r, z, n), input and upstream gradient:
  * ours: tinygrad_rnn.torch.nn.LSTM / GRU, the frontend module a torch user's code would build,
    on the core's gated cells composed from primitive ops;
  * torch-1, torch-2: torch.nn.LSTM / GRU (fused) after torch.set_num_threads(1) / (2), set
    before each call outside the timed region; "best torch" is the faster of the two.
There is no numpy floor for the gated cells (bench_rnn.py has one for the Elman RNN only).

One timed call = forward of the whole sequence, then backward of a fixed random upstream gradient
on the output (a fixed random-weighted sum of it); parameter and input gradients are reset to None
first. Unlike bench_rnn.py the input requires a gradient here, so both sides also compute dL/dx.
Before any timing, ours is compared with torch (1 thread): the output, dL/dx and every parameter
gradient; a relative difference above 1e-4 aborts the run.

Goal (printed per workload, never asserted): ours / best torch <= 1.0. Timing discipline and the
two modes (interleaved, fresh processes) are _harness.py's and _timing.py's, as in bench_rnn.py.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import (  # noqa: E402
    GATES,
    WARMUP,
    WORKLOADS,
    Contender,
    Suite,
    add_common_args,
    build_module,
    build_torch,
    call,
    chosen,
    describe,
    fresh_samples,
    load_line,
    make_inputs,
    ratios,
    run_timing,
    write_json,
)
from _timing import blas_report, configure_threads  # noqa: E402

CELLS = {"lstm": "LSTM", "gru": "GRU"}
NAMES = ["W2", "W4"]
CONTENDERS = ("ours", "torch-1", "torch-2")
GOAL_TORCH = 1.0  # ours / best torch; printed, not asserted


def build(kind: str, contender: str, w: dict, seed: int = 0) -> Contender:
    """The contender's closure for cell `kind` on workload w (only the torch-* ones import torch)."""
    weights, x, g = make_inputs(w, seed, gates=GATES[kind])
    if contender == "ours":
        import tinygrad_rnn.torch as tt

        return build_module(tt, kind, w, weights, x, g, input_grad=True)
    threads = int(contender.split("-")[1])
    return build_torch(w, weights, x, g, threads, kind=kind, input_grad=True)


def suite(kind: str) -> Suite:
    """The harness's view of one cell: three contenders, the goal line, and how a child rebuilds it."""

    def goal(rows: dict[str, dict[str, float]]) -> dict[str, bool]:
        met = {n: ratios(t)["ours/best_torch"] <= GOAL_TORCH for n, t in rows.items()}
        cells = ", ".join(
            f"{n} {ratios(t)['ours/best_torch']:.3f} {'met' if met[n] else 'NOT met'}"
            for n, t in rows.items()
        )
        print(f"goal {kind} ours/best torch <= {GOAL_TORCH} (not asserted): {cells}")
        return met

    return Suite(
        CONTENDERS,
        lambda contender, w: build(kind, contender, w),
        lambda name: f"{kind} {describe(name)}",
        goal,
        os.path.abspath(__file__),
        child_args=("--cell", kind.lower()),
    )


def time_child(spec: str, kind: str) -> dict:
    """In a fresh process: WARMUP calls, then `repeats` settled calls of one contender; its samples."""
    contender, name, repeats = spec.split(":")
    if contender.startswith("torch"):
        configure_threads(2)  # the same inter-op pool as the interleaved mode; prep sets intra-op
    return fresh_samples(build(kind, contender, WORKLOADS[name]), int(repeats))


def profile(kind: str, name: str, top: int = 15) -> None:
    """cProfile of ours on one workload (after WARMUP calls): the top costs by own time, then cumulative."""
    c = build(kind, "ours", WORKLOADS[name])
    for _ in range(WARMUP):
        call(c)
    prof = cProfile.Profile()
    prof.runcall(c.run)
    print(f"cProfile, ours, {kind} {describe(name)}: one forward+backward (profiling slows it)")
    stats = pstats.Stats(prof, stream=sys.stdout).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_args(ap)
    ap.add_argument("--cell", default="lstm,gru", help="comma-separated cells: lstm, gru (default both)")
    ap.add_argument("--profile", action="store_true", help="cProfile ours instead of timing")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    kinds = [CELLS.get(c, c) for c in args.cell.split(",")]
    unknown = [k for k in kinds if k not in CELLS.values()]
    if unknown:
        raise SystemExit(f"unknown cell(s) {unknown}; choose from {list(CELLS)}")
    if args.time_child:
        print(json.dumps(time_child(args.time_child, kinds[0])))
        return 0
    names, repeats = chosen(args, NAMES)
    if args.profile:  # before configure_threads: a profile of ours has no torch in its process
        for kind in kinds:
            for name in names:
                profile(kind, name)
        return 0
    configure_threads(2)
    print("tinygrad_rnn.torch LSTM/GRU vs torch.nn.LSTM/GRU (fused, 1 and 2 threads), float32, fwd + bwd")
    print(blas_report())
    print(
        f"cells={','.join(kinds)} mode={args.mode} repeats={repeats} warm-up={WARMUP} "
        f"processes={args.processes}; gc + 0.15 s pause"
    )
    result: dict[str, Any] = {"config": vars(args) | {"repeats": repeats}, "load_start": load_line("start")}
    for kind in kinds:
        result[kind] = {}
        run_timing(suite(kind), names, args, repeats, result[kind])
    write_json(args, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
