"""`tinygrad-rnn explore`: an unrolled RNN, LSTM or GRU's tape as one interactive HTML page."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

from ._rnn_options import add_rnn_arguments, positive_int, rnn_kwargs
from .graph import MODES, run_rnn

#: The cells whose ||d loss / d h_t|| curves the page compares (label, mode, nonlinearity).
CELLS = (("tanh", "rnn", "tanh"), ("relu", "rnn", "relu"), ("LSTM", "lstm", "tanh"), ("GRU", "gru", "tanh"))


def explore_rnn(
    rnn_kwargs: Mapping[str, Any],
    seq_len: int,
    out_path: str | os.PathLike[str] = "tape.html",
    *,
    batch: int = 1,
    seed: int = 0,
    mode: str = "rnn",
    compare: bool = True,
    collapse: bool | None = None,
    full_max: int | None = None,
) -> str:
    """Run the model, explore the tape of loss = h_n.sum() and write the page; returns the path.

    With `compare`, the same sizes are also run as tanh/relu RNN, LSTM and GRU, and their
    ||d loss / d h_t|| curves join the plot.
    """
    from .. import viz

    with viz.record_lines() as lines:
        rnn, outs = run_rnn(rnn_kwargs, seq_len, batch, seed, mode)
        loss = outs["h_n"].sum()
    others = {}
    own = (mode, dict(rnn_kwargs).get("nonlinearity", "tanh") if mode == "rnn" else "tanh")
    for label, m, act in CELLS if compare else ():
        if (m, act) != own:
            kw = {k: v for k, v in rnn_kwargs.items() if k != "nonlinearity"}
            kw.update({"nonlinearity": act} if m == "rnn" else {})
            others[label] = run_rnn(kw, seq_len, batch, seed, m)[1]["h_n"].sum()
    title = f"{mode.upper() if mode != 'rnn' else 'RNN'} over {seq_len} steps: loss = h_n.sum()"
    extra = {} if full_max is None else {"full_max": full_max}
    page = viz.explore(
        {"loss": loss}, rnn, lines=lines, compare=others, collapse=collapse, title=title, **extra
    )
    return page.save(out_path)


def run(args: argparse.Namespace) -> int:
    """Build the model, run it once, write the explorer page."""
    kwargs = rnn_kwargs(args)
    if args.mode != "rnn" and kwargs.pop("nonlinearity") != "tanh":
        print("tinygrad-rnn explore: error: --nonlinearity applies to --mode rnn only", file=sys.stderr)
        return 2
    collapse = {"auto": None, "compact": True, "full": False}[args.view]
    start = time.perf_counter()
    try:
        path = explore_rnn(
            kwargs,
            args.seq_len,
            args.output,
            batch=args.batch,
            seed=args.seed,
            mode=args.mode,
            compare=not args.no_compare,
            collapse=collapse,
            full_max=args.full_max,
        )
    except (ValueError, OSError) as e:
        print(f"tinygrad-rnn explore: error: {e}", file=sys.stderr)
        return 2
    size = os.path.getsize(path)
    print(f"wrote {path} ({size / 1e3:.0f} kB in {time.perf_counter() - start:.1f} s); open it in a browser")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `explore` subcommand."""
    p = sub.add_parser(
        "explore",
        help="write an interactive HTML page of an RNN/LSTM/GRU's tape (click nodes, step through backprop)",
        description=(
            "Run an RNN, LSTM or GRU (--mode) once on random input and write ONE self-contained HTML "
            "page (no network) of the tape behind loss = h_n.sum(): click a node for its op, "
            "forward/backward formula, shapes, value, gradient and source line; step through the "
            "forward and backward pass (arrow keys); fold steps and layers; see ||d loss / d h_t|| "
            "per step next to the same curve for tanh, relu, LSTM and GRU. Needs Graphviz's `dot`."
        ),
    )
    add_rnn_arguments(p)
    p.add_argument("--mode", choices=list(MODES), default="rnn", help="which cell (default rnn)")
    p.add_argument("--seq-len", type=positive_int, default=3, help="time steps to unroll (default 3)")
    p.add_argument("--batch", type=positive_int, default=1, help="batch size (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seed for weights and input (default 0)")
    p.add_argument(
        "--view",
        choices=["auto", "compact", "full"],
        default="auto",
        help="view the page opens on: compact draws one step per layer/direction (auto: compact "
        "above 300 tape nodes)",
    )
    p.add_argument(
        "--full-max",
        type=positive_int,
        default=None,
        help="lay out the full view only up to this many tape nodes (default 600: dot gets slow)",
    )
    p.add_argument("--no-compare", action="store_true", help="do not add the other cells' curves to the plot")
    p.add_argument("-o", "--output", default="tape.html", help="output file (default tape.html)")
    p.set_defaults(func=run)
