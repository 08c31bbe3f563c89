"""Our training loop against the same loop on the real PyTorch, side by side in one process.

    python benchmarks/bench_train.py                    # seconds per epoch, every task
    python benchmarks/bench_train.py --full             # + the full default runs: metric, wall time
    python benchmarks/bench_train.py --tasks sine,copy --repeats 3

The loop is tinygrad_rnn.train's: the same task batches (numpy), the same model (RNN + Linear head
on the scored steps), Adam, gradient clipping, the cosine schedule. Three model backends run it:

* core:      tinygrad_rnn.nn.RNN / nn.Linear / tinygrad_rnn.optim (what `tinygrad-rnn train` uses);
* ours/torch: the torch-style model built on tinygrad_rnn.torch;
* torch Nt:  the very same torch-style code with the real torch module passed in, timed with
  torch.set_num_threads(N) for each N of --torch-threads (default 2 and 1: in this loop numpy's
  OpenBLAS pool and torch's OpenMP pool alternate every step, and with 2 threads each on 2 cores
  torch's small ops pay for the contention; 1 thread is torch's best setting here).

Per-epoch timing follows benchmarks/_timing.py: one untimed warm-up epoch each, then `repeats`
rounds that time one epoch of each backend in alternating order, each call after gc.collect() and
a 0.15 s sleep (numpy's and torch's idle worker threads spin for a while after a call; without the
pause the two pools fight over the 2 cores). The median is reported.

--full trains each task's default run to the end on the core and on real torch (same loop, same
data, each framework's own initialisation; torch with --full-torch-threads, default 1) and reports
the validation metric, whether the target was reached, and the wall time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _timing import blas_report, configure_threads, settle, time_once

from tinygrad_rnn.tasks import TASKS, get_task
from tinygrad_rnn.train import TrainConfig, make_backend, train


def epoch_fn(backend, task, cfg, rng, before=None):
    def run():
        if before is not None:
            before()
        for _ in range(cfg.steps):
            x, y = task.batch(rng, cfg.batch)
            backend.train_step(x, y)

    return run


def bench_epochs(name: str, repeats: int, torch, thread_counts: list[int]) -> dict[str, float]:
    import numpy as np

    cfg = TrainConfig.for_task(name)
    task = get_task(name, cfg.length)
    runs = [("core", "core", None, None)]
    try:
        import tinygrad_rnn.torch  # noqa: F401

        runs.append(("ours/torch", "torch", None, None))
    except ImportError:
        pass
    for n in thread_counts:
        runs.append((f"torch {n}t", "torch", torch, n))
    fns = {}
    for label, frontend, module, threads in runs:
        backend = make_backend(task, TrainConfig.for_task(name, frontend=frontend), module)
        backend.set_lr(cfg.lr)
        before = (lambda n=threads: torch.set_num_threads(n)) if threads else None
        fns[label] = epoch_fn(backend, task, cfg, np.random.default_rng(0), before)
    for f in fns.values():  # warm-up
        f()
    samples: dict[str, list[float]] = {k: [] for k in fns}
    labels = list(fns)
    for r in range(repeats):
        for k in labels if r % 2 == 0 else labels[::-1]:
            samples[k].append(time_once(fns[k]))
    return {k: statistics.median(v) for k, v in samples.items()}


def full_run(name: str, torch, threads: int) -> dict[str, tuple[float, bool, float]]:
    out = {}
    torch.set_num_threads(threads)
    for label, module in (("core", None), ("torch", torch)):
        cfg = TrainConfig.for_task(name, frontend="core" if module is None else "torch")
        settle()
        t0 = time.perf_counter()
        res = train(cfg, progress=False, out=None, module=module, sample_chars=0)
        out[label] = (res.metric, res.reached, time.perf_counter() - t0)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default=",".join(TASKS), help="comma-separated tasks (default: all)")
    p.add_argument("--repeats", type=int, default=5, help="timed epochs per backend (median reported)")
    p.add_argument("--full", action="store_true", help="also train every default run to the end")
    p.add_argument(
        "--torch-threads",
        default="2,1",
        help="torch.set_num_threads values to time real torch with, comma-separated (default 2,1)",
    )
    p.add_argument("--full-torch-threads", type=int, default=1, help="torch threads for --full (default 1)")
    args = p.parse_args()
    try:
        import torch
    except ImportError:
        print("the real torch is not installed: nothing to compare with (pip install torch)")
        return 1
    threads = [int(n) for n in args.torch_threads.split(",") if n]
    configure_threads(max(threads))
    print(blas_report())
    names = [t for t in args.tasks.split(",") if t]
    unknown = [t for t in names if t not in TASKS]
    if unknown:
        print(f"unknown task(s): {', '.join(unknown)}", file=sys.stderr)
        return 2

    print(f"\n## seconds per epoch (median of {args.repeats} alternated, settled runs)\n")
    cols = ["core", "ours/torch"] + [f"torch {n}t" for n in threads]
    print("| task | steps x batch | " + " | ".join(cols) + " | core / best torch |")
    print("| --- | --- | " + " | ".join("---" for _ in cols) + " | --- |")
    for name in names:
        cfg = TrainConfig.for_task(name)
        t = bench_epochs(name, args.repeats, torch, threads)
        best = min(t[f"torch {n}t"] for n in threads)
        cells = " | ".join(f"{t[c]:.3f} s" if c in t else "n/a" for c in cols)
        print(f"| {name} | {cfg.steps} x {cfg.batch} | {cells} | {t['core'] / best:.2f}x |", flush=True)

    if args.full:
        print(f"\n## full default runs (same loop, real torch with {args.full_torch_threads} thread(s))\n")
        print("| task | target | core: metric | core: wall time | torch: metric | torch: wall time |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name in names:
            r = full_run(name, torch, args.full_torch_threads)
            cls = TASKS[name]

            def cell(m, ok):
                return f"{m:.4g} ({'reached' if ok else 'NOT reached'})"

            print(
                f"| {name} | {cls.target_text()} | {cell(*r['core'][:2])} | {r['core'][2]:.1f} s | "
                f"{cell(*r['torch'][:2])} | {r['torch'][2]:.1f} s |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
