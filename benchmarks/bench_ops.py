"""Per-op overhead of small-tensor op chains: tinygrad_rnn vs the real torch, in one process.

Each case builds a chain of N ops on small float32 tensors and times, per library:

* ``fwd+bwd``: the forward chain, recorded, then ``loss.backward()``;
* ``fwd``:     the forward chain, recorded on the tape (no backward);
* ``no_grad``: the forward chain under no_grad (nothing recorded).

The elementwise chain cycles ``h + w``, ``h * w``, ``tanh(h)``, ``sigmoid(h)``; the matmul chain
cycles ``h @ W``, ``+ b`` (a broadcast add), ``tanh`` on a (4, 16) state, like an RNN step. The
same Python code drives both libraries (both Tensors have ``+ * @ .tanh() .sigmoid() .sum()``),
so the two sides do the same work; before timing, each case checks both give the same loss and
gradients. Times are medians of settled, alternating calls (see _timing.py).

Usage::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_ops.py [--quick]

(see benchmarks/README.md for why the two variables are unset in that command alone).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import DEFAULT_PAUSE, blas_report, configure_threads, machine_load, timeit_pair_samples  # noqa: E402

import tinygrad_rnn as tg  # noqa: E402

try:
    import torch
except ImportError:  # the benchmark still times our side alone
    torch = None


# ---------------------------------------------------------------------------------------------
# The chains (library-agnostic: `h`, `w`, `W`, `b` are tg.Tensor or torch.Tensor)
# ---------------------------------------------------------------------------------------------
def elementwise_chain(h: Any, w: Any, n: int) -> Any:
    for i in range(n):
        k = i % 4
        if k == 0:
            h = h + w
        elif k == 1:
            h = h * w
        elif k == 2:
            h = h.tanh()
        else:
            h = h.sigmoid()
    return h


def matmul_chain(h: Any, W: Any, b: Any, n: int) -> Any:
    for i in range(n):
        k = i % 3
        if k == 0:
            h = h @ W
        elif k == 1:
            h = h + b
        else:
            h = h.tanh()
    return h


@dataclass
class Case:
    kind: str  # "elementwise" | "matmul"
    shape: tuple[int, ...]
    n: int

    @property
    def label(self) -> str:
        return f"{self.kind} {self.shape}"


def make_inputs(case: Case, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    if case.kind == "elementwise":
        # w near 1 keeps the chain bounded and its gradients non-trivial
        return {
            "h": rng.standard_normal(case.shape).astype(np.float32),
            "w": (0.9 + 0.2 * rng.random(case.shape)).astype(np.float32),
        }
    d = case.shape[-1]
    return {
        "h": rng.standard_normal(case.shape).astype(np.float32),
        "W": (rng.standard_normal((d, d)) / np.sqrt(d)).astype(np.float32),
        "b": (0.1 * rng.standard_normal((d,))).astype(np.float32),
    }


def build(lib: str, case: Case, arrays: dict[str, np.ndarray]) -> tuple[dict[str, Any], Callable, Any]:
    """Leaves (requiring grad), the chain function and the no_grad context factory for `lib`."""
    if lib == "ours":
        leaves = {k: tg.Tensor(v, requires_grad=True) for k, v in arrays.items()}
        no_grad = tg.no_grad
    else:
        leaves = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
        no_grad = torch.no_grad
    if case.kind == "elementwise":

        def chain():
            return elementwise_chain(leaves["h"], leaves["w"], case.n).sum()
    else:

        def chain():
            return matmul_chain(leaves["h"], leaves["W"], leaves["b"], case.n).sum()

    return leaves, chain, no_grad


def make_fns(lib: str, case: Case, arrays: dict[str, np.ndarray]) -> dict[str, Callable[[], Any]]:
    leaves, chain, no_grad = build(lib, case, arrays)

    def fwd_bwd():
        for t in leaves.values():
            t.grad = None
        chain().backward()

    def fwd():
        return chain()

    def fwd_no_grad():
        with no_grad():
            return chain()

    return {"fwd+bwd": fwd_bwd, "fwd": fwd, "no_grad": fwd_no_grad, "_leaves": leaves, "_chain": chain}


def check_same(case: Case) -> None:
    """Both libraries compute the same loss and gradients (so the timings compare like with like)."""
    arrays = make_inputs(case)
    ours = make_fns("ours", case, arrays)
    theirs = make_fns("torch", case, arrays)
    lo, lt = ours["_chain"](), theirs["_chain"]()
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=2e-4, atol=1e-5, err_msg=case.label)
    for k in arrays:
        np.testing.assert_allclose(
            ours["_leaves"][k].grad.numpy(),
            theirs["_leaves"][k].grad.numpy(),
            rtol=2e-3,
            atol=1e-5,
            err_msg=f"{case.label} grad {k}",
        )


# ---------------------------------------------------------------------------------------------
# Running and reporting
# ---------------------------------------------------------------------------------------------
def cases(quick: bool) -> list[Case]:
    ns = (100,) if quick else (100, 1000)
    out = []
    for n in ns:
        for shape in ((), (4,), (16, 16)):
            out.append(Case("elementwise", shape, n))
        out.append(Case("matmul", (4, 16), n))
    return out


def run(quick: bool, repeats: int, pause: float, modes: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for case in cases(quick):
        if torch is not None:
            check_same(case)
        arrays = make_inputs(case)
        ours = make_fns("ours", case, arrays)
        theirs = make_fns("torch", case, arrays) if torch is not None else None
        for mode in modes:
            so, st = timeit_pair_samples(ours[mode], theirs[mode] if theirs else None, repeats, pause)
            row = {
                "case": case.label,
                "n": case.n,
                "mode": mode,
                "ours": statistics.median(so),
                "torch": statistics.median(st) if st else None,
                "ours_min": min(so),
                "torch_min": min(st) if st else None,
            }
            rows.append(row)
            print(format_row(row), flush=True)
    return rows


HEADER = (
    f"{'case':<22} {'N':>5} {'mode':<8} {'ours ms':>9} {'torch ms':>9} "
    f"{'ours us/op':>10} {'torch us/op':>11} {'ours/torch':>10} {'(of mins)':>9}"
)


def format_row(row: dict[str, Any]) -> str:
    """One table line: medians, per-op medians, the ratio of medians and the ratio of minimums."""
    n = row["n"]
    o, t = row["ours"], row["torch"]
    t_ms = f"{t * 1e3:9.3f}" if t is not None else f"{'-':>9}"
    t_op = f"{t * 1e6 / n:11.2f}" if t is not None else f"{'-':>11}"
    ratio = f"{o / t:10.2f}" if t else f"{'-':>10}"
    rmin = f"{row['ours_min'] / row['torch_min']:9.2f}" if row.get("torch_min") else f"{'-':>9}"
    return f"{row['case']:<22} {n:>5} {row['mode']:<8} {o * 1e3:9.3f} {t_ms} {o * 1e6 / n:10.2f} {t_op} {ratio} {rmin}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke run: N=100 only, 3 repeats, short pause")
    p.add_argument("--repeats", type=int, default=None, help="timed calls per library and case (7)")
    p.add_argument("--pause", type=float, default=None, help=f"settle pause in s ({DEFAULT_PAUSE})")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (2)")
    p.add_argument(
        "--modes", default="fwd+bwd,fwd,no_grad", help="comma-separated subset of fwd+bwd,fwd,no_grad"
    )
    args = p.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    pause = args.pause if args.pause is not None else (0.05 if args.quick else DEFAULT_PAUSE)
    modes = tuple(m for m in args.modes.split(",") if m)
    bad = [m for m in modes if m not in ("fwd+bwd", "fwd", "no_grad")]
    if bad:
        p.error(f"unknown mode(s) {bad}")

    configure_threads(args.threads)
    print(blas_report())
    print(machine_load())
    print(f"repeats={repeats} pause={pause}s (median of settled, alternating calls)\n")
    print(HEADER)
    print("-" * len(HEADER))
    t0 = time.perf_counter()
    run(args.quick, repeats, pause, modes)
    print(f"\n(total {time.perf_counter() - t0:.1f} s; at the end, {machine_load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
