"""`tinygrad-rnn graph`: draw the autograd graph of an unrolled RNN (DOT, SVG, PNG or PDF)."""

from __future__ import annotations

import argparse
import sys

from ._rnn_options import add_rnn_arguments, positive_int, rnn_kwargs


def run(args: argparse.Namespace) -> int:
    """Build the RNN, run it once, export its tape."""
    from ..viz import GraphvizNotFoundError, export_rnn_graph

    try:
        path = export_rnn_graph(
            rnn_kwargs(args),
            args.seq_len,
            batch=args.batch,
            collapse=args.collapse,
            values=args.values,
            out_path=args.output,
            show_saved=args.saved,
            legend=args.legend,
            seed=args.seed,
        )
    except GraphvizNotFoundError as e:
        print(f"tinygrad-rnn graph: {e}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as e:
        print(f"tinygrad-rnn graph: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `graph` subcommand."""
    p = sub.add_parser(
        "graph",
        help="draw the autograd graph of an unrolled RNN",
        description=(
            "Run an RNN once on random input and draw the tape its output and h_n were built on: "
            "grey op nodes (named like torch's grad_fn), blue parameters, green outputs, one box "
            "per time step inside one box per layer/direction. The output file's suffix picks the "
            "format: .dot needs nothing else; .svg/.png/.pdf need Graphviz's `dot` "
            "(apt-get install graphviz)."
        ),
    )
    add_rnn_arguments(p)
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
