"""`tinygrad-rnn graph`: draw the autograd graph of an unrolled RNN, LSTM or GRU (DOT, SVG, PNG or PDF)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._rnn_options import add_rnn_arguments, positive_int, rnn_kwargs

MODES = ("rnn", "lstm", "gru")


def run_rnn(
    rnn_kwargs: Mapping[str, Any], seq_len: int, batch: int = 1, seed: int = 0, mode: str = "rnn"
) -> tuple[Any, dict[str, Any]]:
    """`nn.RNN(**rnn_kwargs)` (`nn.LSTM` / `nn.GRU` for mode "lstm" / "gru") run once on a random
    (seq_len, batch) input: (the model, {"output": ..., "h_n": ...[, "c_n": ...]})."""
    from .. import random
    from ..nn import GRU, LSTM, RNN
    from ..tensor import Tensor

    if int(seq_len) < 1 or int(batch) < 1:
        raise ValueError(f"seq_len and batch must be >= 1, got seq_len={seq_len}, batch={batch}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    random.manual_seed(seed)
    rnn = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[mode](**dict(rnn_kwargs))
    rng = np.random.default_rng(seed)
    shape = (batch, seq_len, rnn.input_size) if rnn.batch_first else (seq_len, batch, rnn.input_size)
    x = Tensor(rng.standard_normal(shape).astype(rnn.weight_ih_l0.array.dtype))
    out, state = rnn(x)
    if mode == "lstm":
        return rnn, {"output": out, "h_n": state[0], "c_n": state[1]}
    return rnn, {"output": out, "h_n": state}


def export_rnn_graph(
    rnn_kwargs: Mapping[str, Any],
    seq_len: int,
    batch: int = 1,
    collapse: bool = False,
    values: bool = False,
    out_path: str | os.PathLike[str] = "rnn.svg",
    *,
    show_saved: bool = False,
    show_attrs: bool = False,
    legend: bool = False,
    seed: int = 0,
    format: str | None = None,
    mode: str = "rnn",
) -> str:
    """Build `nn.RNN(**rnn_kwargs)` (`nn.LSTM` / `nn.GRU` for mode "lstm" / "gru"), run it on a
    random (seq_len, batch) input, draw its graph.

    The outputs are `output` and `h_n` (and `c_n` for the LSTM), the leaves are named after the
    model's parameters, and `out_path`'s suffix picks the format (.dot/.gv text needs no Graphviz;
    .svg/.png/.pdf need `dot`). Returns the path written.
    """
    from ..viz import make_dot, render

    rnn, outputs = run_rnn(rnn_kwargs, seq_len, batch, seed, mode)
    dot = make_dot(
        outputs,
        params=rnn,
        values=values,
        collapse=collapse,
        show_saved=show_saved,
        show_attrs=show_attrs,
        legend=legend,
    )
    return render(dot, out_path, format)


def run(args: argparse.Namespace) -> int:
    """Build the RNN, run it once, export its tape."""
    from ..viz import GraphvizNotFoundError

    kwargs = rnn_kwargs(args)
    if args.mode != "rnn" and kwargs.pop("nonlinearity") != "tanh":
        print("tinygrad-rnn graph: error: --nonlinearity applies to --mode rnn only", file=sys.stderr)
        return 2
    try:
        path = export_rnn_graph(
            kwargs,
            args.seq_len,
            batch=args.batch,
            collapse=args.collapse,
            values=args.values,
            out_path=args.output,
            show_saved=args.saved,
            legend=args.legend,
            seed=args.seed,
            mode=args.mode,
        )
    except (GraphvizNotFoundError, ValueError, OSError) as e:
        print(f"tinygrad-rnn graph: error: {e}", file=sys.stderr)
        return 2
    if not os.path.splitext(args.output)[1]:
        # the suffix picks the format: with none, say what the file holds
        print(f"wrote {path} (DOT text; name it .svg, .png or .pdf for a picture)")
    else:
        print(f"wrote {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `graph` subcommand."""
    p = sub.add_parser(
        "graph",
        help="draw the autograd graph of an unrolled RNN, LSTM or GRU",
        description=(
            "Run an RNN, LSTM or GRU (--mode) once on random input and draw the tape its output and "
            "h_n (and c_n) were built on: grey op nodes (named like torch's grad_fn), blue "
            "parameters, green outputs, one box per time step inside one box per layer/direction, "
            "one small box per gate (i/f/g/o, r/z/n) inside each step and the LSTM's cell state "
            "as green edges. The output file's suffix picks the "
            "format: .dot needs nothing else; .svg/.png/.pdf need Graphviz's `dot` "
            "(apt-get install graphviz)."
        ),
    )
    add_rnn_arguments(p)
    p.add_argument(
        "--mode",
        choices=list(MODES),
        default="rnn",
        help="which cell: the Elman RNN (default; --nonlinearity applies), LSTM or GRU",
    )
    p.add_argument("--seq-len", type=positive_int, default=3, help="time steps to unroll (default 3)")
    p.add_argument("--batch", type=positive_int, default=1, help="batch size (default 1)")
    p.add_argument(
        "--collapse", action="store_true", help="draw one time step per layer/direction, marked xT"
    )
    p.add_argument(
        "--values", action="store_true", help="show data | grad records in each node (small sizes)"
    )
    p.add_argument("--saved", action="store_true", help="also draw the tensors ops saved for backward")
    p.add_argument("--legend", action="store_true", help="add a colour legend")
    p.add_argument("--seed", type=int, default=0, help="seed for weights and input (default 0)")
    p.add_argument(
        "-o", "--output", default="rnn.svg", help="output file: .dot, .svg, .png or .pdf (default rnn.svg)"
    )
    p.set_defaults(func=run)
