"""`tinygrad-rnn demo`: differentiate a small expression and gradcheck it."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Differentiate a tiny expression, check it against finite differences, print both."""
    import numpy as np

    from ..gradcheck import gradcheck
    from ..tensor import Tensor

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


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `demo` subcommand."""
    d = sub.add_parser("demo", help="differentiate a small expression and gradcheck it")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.set_defaults(func=run)
