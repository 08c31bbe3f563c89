"""Forward + backward of tinygrad_rnn's RNN against torch's fused nn.RNN, same weights, float32.

    python benchmarks/bench_rnn.py            # full run: timing table, linearity, peak memory
    python benchmarks/bench_rnn.py --quick    # fewer repeats, shorter linearity check
    python benchmarks/bench_rnn.py --only W1,W4 --no-memory --no-linearity

Run it for the record with OpenBLAS left to detect the CPU itself:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_rnn.py

(some processors' environments set those two variables to work around older OpenBLAS builds; they
slow current numpy, so report a run with them set as well; the header prints which are set).

Workloads (seq, batch, input, hidden, layers):
  W1 50x16, 8 -> 32, 1 layer      W2 100x32, 64 -> 128, 2 layers      W3 = W2 bidirectional
  W4 200x64, 256 -> 512, 1 layer  W5 1000x8, 16 -> 64, 1 layer

One timed call = forward of the whole sequence, then backward of a fixed random upstream gradient
on the output (the parameters' gradients are reset to None first, in both libraries; the input
does not require a gradient, as in training). Before the table, the two libraries' outputs and
parameter gradients are compared once, so a fast wrong answer cannot pass unnoticed.

Timing discipline (see _timing.py): torch.set_num_threads(2); ours and torch alternate; before
every timed call gc.collect() and a 0.15 s pause let the other library's spinning threads go to
sleep; one warm-up call each; the median of the repeats is reported.

Linearity: time(seq=2000) / time(seq=200) at W5's other sizes (batch 8, 16 -> 64). Linear cost
gives ~10; the goal is <= 11. A per-step slice whose backward allocates a full-size gradient
would make it grow towards 100.

Peak memory (W4 and W5), each measurement in a fresh subprocess so that peaks are clean:
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


def make_case(seq, batch, inp, hidden, layers, bi, seed=0):
    """torch RNN, our RNN with its weights, and the two fwd+bwd closures."""
    import torch

    from tinygrad_rnn import Tensor, nn

    torch.manual_seed(seed)
    t = torch.nn.RNN(inp, hidden, num_layers=layers, bidirectional=bi)
    o = nn.RNN(inp, hidden, num_layers=layers, bidirectional=bi)
    o.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    rng = np.random.default_rng(seed)
    D = 2 if bi else 1
    x = rng.standard_normal((seq, batch, inp)).astype(np.float32)
    g = rng.standard_normal((seq, batch, D * hidden)).astype(np.float32)
    xt, gt, xo = torch.from_numpy(x), torch.from_numpy(g), Tensor(x)
    t_params, o_params = list(t.parameters()), list(o.parameters())

    def ours():
        for p in o_params:
            p.grad = None
        out, _ = o(xo)
        out.backward(g)
        return out

    def theirs():
        for p in t_params:
            p.grad = None
        out, _ = t(xt)
        out.backward(gt)
        return out

    return ours, theirs, o, t


def check_agreement(ours, theirs, o, t) -> float:
    """Largest relative difference of output and parameter gradients (a sanity check)."""
    a, b = ours().data, theirs().detach().numpy()
    worst = float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-30))
    for p, q in zip(o.parameters(), t.parameters()):
        pa, pb = p.grad.data, q.grad.numpy()
        worst = max(worst, float(np.max(np.abs(pa - pb)) / (np.max(np.abs(pb)) + 1e-30)))
    return worst


def time_pair(fn_ours, fn_torch, repeats: int) -> tuple[list[float], list[float]]:
    """All samples (seconds) of alternating settled calls, after one warm-up call each.

    Same discipline as _timing.timeit_pair (which returns medians only); the samples are kept so
    the minimum, which a busy machine disturbs least, can be printed next to the median.
    """
    fn_ours()
    fn_torch()
    so: list[float] = []
    st: list[float] = []
    for r in range(repeats):
        pair = [(fn_ours, so), (fn_torch, st)]
        for fn, acc in pair if r % 2 == 0 else reversed(pair):
            acc.append(time_once(fn))
    return so, st


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


def memory_child(lib: str, name: str, method: str) -> dict:
    """One forward+backward of `lib` on workload `name` in this (fresh) process: peak bytes."""
    import tracemalloc

    configure_threads(2)
    w = WORKLOADS[name]
    small = make_case(**{**w, "seq": 2})
    (small[0] if lib == "ours" else small[1])()  # one-time costs out of the way
    ours, theirs, _, _ = make_case(**w)
    fn = ours if lib == "ours" else theirs
    if method == "tracemalloc":
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        return {"peak": peak}
    reset = _reset_peak_rss()
    rss0 = _status_kib("VmRSS")
    out = fn()
    del out
    peak = _status_kib("VmHWM") - rss0
    # without the reset VmHWM is the whole process's high-water mark: only an upper bound
    return {"peak": peak * 1024, "upper_bound": not reset}


def measure_memory(lib: str, name: str, method: str) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--memory-child", f"{lib}:{name}:{method}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ.copy())
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
def fmt_mb(b: float | None) -> str:
    return "-" if b is None else f"{b / 2**20:8.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--repeats", type=int, default=None, help="timed calls per library (default 7)")
    ap.add_argument("--only", default=None, help="comma-separated workloads, e.g. W1,W4")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-linearity", action="store_true")
    ap.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.memory_child:
        lib, name, method = args.memory_child.split(":")
        print(json.dumps(memory_child(lib, name, method)))
        return 0

    configure_threads(args.threads)
    repeats = args.repeats or (3 if args.quick else 7)
    names = args.only.split(",") if args.only else list(WORKLOADS)
    print("tinygrad_rnn RNN vs torch.nn.RNN (fused), float32, forward + backward")
    print(blas_report())
    print(f"repeats={repeats} (median), gc.collect + 0.15 s pause before each timed call")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cpus", end="")
    if load[0] > 0.5 * (os.cpu_count() or 1):
        print("  WARNING: other processes are running; torch's 2 OpenMP threads suffer most", end="")
    print("\n")

    print("median of the repeats (and, in brackets, the minimum: the least disturbed by other load)")
    print(
        f"{'workload':<34} {'ours ms':>9} {'torch ms':>9} {'ratio':>6}  "
        f"{'[ours':>8} {'torch':>8} {'ratio]':>7}  max rel diff"
    )
    rows = []
    for name in names:
        w = WORKLOADS[name]
        ours, theirs, o, t = make_case(**w)
        diff = check_agreement(ours, theirs, o, t)
        so, st = time_pair(ours, theirs, repeats)
        to, tt = statistics.median(so), statistics.median(st)
        mo, mt = min(so), min(st)
        desc = (
            f"{name} seq={w['seq']} b={w['batch']} {w['inp']}->{w['hidden']} "
            f"L{w['layers']}{' bi' if w['bi'] else ''}"
        )
        rows.append((name, to, tt))
        print(
            f"{desc:<34} {to * 1e3:9.2f} {tt * 1e3:9.2f} {to / tt:6.2f}  "
            f"[{mo * 1e3:7.2f} {mt * 1e3:8.2f} {mo / mt:6.2f}]  {diff:.1e}",
            flush=True,
        )
    goal = all(to / tt <= 1.0 for _, to, tt in rows)
    print(f"goal ours/torch <= 1.0 (medians) on every workload: {'met' if goal else 'NOT met'}\n")

    if not args.no_linearity:
        w5 = WORKLOADS["W5"]
        short, long_ = 200, 2000
        res = {}
        for seq in (short, long_):
            ours, theirs, _, _ = make_case(**{**w5, "seq": seq})
            so, st = time_pair(ours, theirs, max(3, repeats // 2))
            res[seq] = (statistics.median(so), statistics.median(st))
        ro = res[long_][0] / res[short][0]
        rt = res[long_][1] / res[short][1]
        print(f"linearity, W5 sizes (batch 8, 16->64): time(seq={long_}) / time(seq={short})")
        print(
            f"  ours {res[short][0] * 1e3:.1f} -> {res[long_][0] * 1e3:.1f} ms: {ro:.2f}   "
            f"torch {res[short][1] * 1e3:.1f} -> {res[long_][1] * 1e3:.1f} ms: {rt:.2f}   "
            f"(goal ours <= 11: {'met' if ro <= 11 else 'NOT met'})\n"
        )

    if not args.no_memory:
        print("peak memory of one forward+backward (MiB; fresh subprocess each; see docstring)")
        print(
            f"{'workload':<10} {'ours tracemalloc':>17} {'ours RSS':>9} {'torch RSS':>10} {'ratio RSS':>10}"
        )
        for name in [n for n in ("W4", "W5") if n in names or not args.only]:
            t0 = time.perf_counter()
            tm = measure_memory("ours", name, "tracemalloc")["peak"]
            ro = measure_memory("ours", name, "rss")
            rt = measure_memory("torch", name, "rss")
            ratio = ro["peak"] / rt["peak"] if rt["peak"] > 0 else float("nan")
            flag = " (upper bound: could not reset VmHWM)" if ro["upper_bound"] or rt["upper_bound"] else ""
            print(
                f"{name:<10} {fmt_mb(tm):>17} {fmt_mb(ro['peak']):>9} {fmt_mb(rt['peak']):>10} "
                f"{ratio:10.2f}   ({time.perf_counter() - t0:.0f} s){flag}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
