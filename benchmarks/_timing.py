"""Shared timing discipline for the benchmark scripts (ours vs the real torch, in one process).

Every benchmark in this folder imports this module (``from _timing import timeit_pair``; a script
run as ``python benchmarks/x.py`` has its own folder on ``sys.path``). The rules it enforces:

* **Settle before every timed call.** numpy's OpenBLAS threads and torch's OpenMP threads keep
  spinning for a while after a call returns. Timing one library right after the other then
  measures two thread pools fighting over two cores, and both read 3-5x slow. So before each
  timed call we run ``gc.collect()`` (so a collection left over from the previous call's garbage
  is not charged to this one) and sleep ``pause`` seconds (0.15 s by default) so spinning
  workers go back to sleep.
* **Alternate, then take the median.** Repeats alternate ours / torch, so slow drift of the
  machine (another process, thermal state) hits both alike; the median of the repeats is
  reported, which ignores the odd outlier.
* **Warm up first.** One untimed call of each before the timed ones (imports, caches, lazy
  initialisation, the first allocation of arrays of a new size).
* **The garbage collector stays on inside the timed call.** Building a graph allocates many small
  Python objects and the collections that triggers are a real cost users pay; only the
  collection *before* the call is forced.
* **Threads.** ``configure_threads(2)`` calls ``torch.set_num_threads(2)`` (one thread per core
  of the 2-core reference machine; it also fixes torch's inter-op pool). numpy's OpenBLAS pool is
  left at its default (one thread per core). Small-tensor op chains never reach the size where
  either library splits work across threads, so the setting mostly fixes *which* pools exist
  and spin; it is printed in each report so runs can be compared.

A benchmark is a script, never a timed unit test: numbers depend on the machine.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

DEFAULT_PAUSE = 0.15  # seconds: long enough for OpenBLAS / OpenMP workers to stop spinning
BLAS_ENV_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def settle(pause: float = DEFAULT_PAUSE) -> None:
    """Collect garbage and let idle library threads stop spinning before a timed call."""
    gc.collect()
    if pause > 0:
        time.sleep(pause)


def time_once(fn: Callable[[], Any], pause: float = DEFAULT_PAUSE, number: int = 1) -> float:
    """Seconds taken by one call of `fn` after `settle` (the mean of `number` back-to-back calls).

    A settled call starts cold: gc.collect() walks every tracked object and the sleep lets the
    CPU idle, so the first ~0.25 ms after either runs slower (measured: a 100-op torch chain
    went from 1.2 to 3.7-4.1 us per op). That is part of a real call after idling, but it weighs
    on short calls; `number` > 1 amortises it (only the first call follows the pause).
    """
    settle(pause)
    t0 = time.perf_counter()
    for _ in range(max(1, number)):
        fn()
    return (time.perf_counter() - t0) / max(1, number)


def timeit_one(
    fn: Callable[[], Any], repeats: int = 7, pause: float = DEFAULT_PAUSE, warmup: int = 1, number: int = 1
) -> float:
    """Median seconds of `repeats` settled calls of `fn` (after `warmup` untimed calls)."""
    for _ in range(warmup):
        fn()
    return statistics.median(time_once(fn, pause, number) for _ in range(max(1, repeats)))


def timeit_pair_samples(
    fn_ours: Callable[[], Any],
    fn_torch: Callable[[], Any] | None,
    repeats: int = 7,
    pause: float = DEFAULT_PAUSE,
    warmup: int = 1,
    number: int = 1,
) -> tuple[list[float], list[float]]:
    """All samples (seconds) of `fn_ours` and `fn_torch`, timed alternately with the settle discipline.

    Each of `repeats` rounds times one call of each; which goes first alternates too, so neither
    always follows the other. `fn_torch` may be None (torch not installed): its list is empty.
    Keep the samples when you want more than the median (e.g. the minimum, which a busy machine
    disturbs least). `number`: see `time_once`.
    """
    fns = [fn_ours] + ([fn_torch] if fn_torch is not None else [])
    for _ in range(warmup):
        for f in fns:
            f()
    samples: list[list[float]] = [[] for _ in fns]
    for r in range(max(1, repeats)):
        order = range(len(fns)) if r % 2 == 0 else reversed(range(len(fns)))
        for k in order:
            samples[k].append(time_once(fns[k], pause, number))
    return samples[0], (samples[1] if fn_torch is not None else [])


def timeit_pair(
    fn_ours: Callable[[], Any],
    fn_torch: Callable[[], Any] | None,
    repeats: int = 7,
    pause: float = DEFAULT_PAUSE,
    warmup: int = 1,
    number: int = 1,
) -> tuple[float, float | None]:
    """Median seconds of `fn_ours` and of `fn_torch` (None if `fn_torch` is None); see timeit_pair_samples."""
    ours, theirs = timeit_pair_samples(fn_ours, fn_torch, repeats, pause, warmup, number)
    return statistics.median(ours), (statistics.median(theirs) if theirs else None)


def machine_load() -> str:
    """The 1-minute load average against the core count, with a warning when the machine is busy.

    Another process on a 2-core machine takes the core a library's second thread wants: torch's
    OpenMP regions (even a tanh on 256 elements) then wait for a descheduled thread and single
    calls take milliseconds instead of microseconds. Benchmark on an idle machine.
    """
    try:
        load1 = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform
        return "load average: unknown"
    cpus = os.cpu_count() or 1
    msg = f"load average (1 min): {load1:.2f} on {cpus} cpus"
    if load1 > 0.5 * cpus:
        msg += "  WARNING: the machine is busy, timings (torch's especially) will be noisy"
    return msg


def configure_threads(n: int = 2) -> int | None:
    """Set torch's intra- and inter-op thread counts to `n` (if torch is importable)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(n)
    except RuntimeError:  # only settable before torch's first parallel work
        pass
    return torch.get_num_threads()


def blas_report() -> str:
    """Which BLAS kernel numpy (and torch) run, and the environment variables that steer it.

    Uses threadpoolctl when installed (it names OpenBLAS's runtime `architecture`, i.e. the
    kernel set actually chosen); otherwise falls back to numpy's build configuration.
    """
    lines = [f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus"]
    import numpy as np

    lines.append(f"numpy {np.__version__}")
    try:
        import torch

        lines.append(f"torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}")
    except ImportError:
        lines.append("torch: not installed")
    env = ", ".join(f"{k}={os.environ[k]!r}" for k in BLAS_ENV_VARS if k in os.environ)
    lines.append(f"BLAS environment: {env or 'none of ' + ', '.join(BLAS_ENV_VARS) + ' set'}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        lines.append("threadpoolctl not installed; numpy's build configuration:")
        lines.append(_numpy_blas_config())
    else:
        for info in threadpool_info():
            arch = info.get("architecture")
            lines.append(
                f"pool {info.get('internal_api')} {info.get('version') or ''} "
                f"threads={info.get('num_threads')}"
                + (f" kernel={arch}" if arch else "")
                + f" ({os.path.basename(info.get('filepath', ''))})"
            )
    return "\n".join(lines)


def _numpy_blas_config() -> str:
    import numpy as np

    try:  # numpy >= 1.25 exposes the build configuration as a dict
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return (
            f"  blas {blas.get('name')} {blas.get('version')}: "
            f"{blas.get('openblas configuration', '')} (build-time; the runtime kernel is not shown)"
        )
    except Exception:  # older numpy: print whatever it prints
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            np.show_config()
        return buf.getvalue().rstrip()
