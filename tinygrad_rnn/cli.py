"""The `tinygrad-rnn` command line: one subcommand per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _demo(args: argparse.Namespace) -> int:
    """Differentiate a tiny expression, check it against finite differences, print both."""
    import numpy as np

    from .gradcheck import gradcheck
    from .tensor import Tensor

    rng = np.random.default_rng(args.seed)
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    loss = (x @ w).tanh().sum()
    loss.backward()
    print("loss = sum(tanh(x @ w)) =", round(loss.item(), 6))
    print("dloss/dw from the tape:\n", np.round(w.grad.numpy(), 6))
    ok = gradcheck(lambda a, b: (a @ b).tanh().sum(), [x, w])
    print("gradcheck against central differences:", "passed" if ok else "FAILED")
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    p = argparse.ArgumentParser(
        prog="tinygrad-rnn",
        description=(
            "tinygrad_rnn: a small numpy autodiff framework for learning how recurrent networks "
            "and reverse-mode autodiff work. Pick a subcommand; each has its own --help."
        ),
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    d = sub.add_parser("demo", help="differentiate a small expression and gradcheck it")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.set_defaults(func=_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
