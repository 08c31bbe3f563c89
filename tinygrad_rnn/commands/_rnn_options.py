"""The RNN options shared by subcommands that build an RNN (graph, gradcheck, ...)."""

from __future__ import annotations

import argparse
from typing import Any


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1, with a clear message otherwise."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {v}")
    return v


def add_rnn_arguments(p: argparse.ArgumentParser, input_size: int = 2, hidden_size: int = 3) -> None:
    """Add --input-size, --hidden-size, --num-layers, --nonlinearity, --no-bias, --batch-first, --bidirectional."""
    g = p.add_argument_group("RNN options (as torch.nn.RNN / mindspore.nn.RNN)")
    g.add_argument(
        "--input-size",
        type=positive_int,
        default=input_size,
        help=f"features per step (default {input_size})",
    )
    g.add_argument(
        "--hidden-size", type=positive_int, default=hidden_size, help=f"hidden units (default {hidden_size})"
    )
    g.add_argument("--num-layers", type=positive_int, default=1, help="stacked layers (default 1)")
    g.add_argument(
        "--nonlinearity", choices=["tanh", "relu"], default="tanh", help="activation (default tanh)"
    )
    g.add_argument("--no-bias", action="store_true", help="no bias_ih/bias_hh parameters")
    g.add_argument("--batch-first", action="store_true", help="input is (batch, seq, feature)")
    g.add_argument("--bidirectional", action="store_true", help="also run each layer backwards in time")


def rnn_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The nn.RNN keyword arguments the options above describe."""
    return dict(
        input_size=args.input_size,
        hidden_size=args.hidden_size,
        num_layers=args.num_layers,
        nonlinearity=args.nonlinearity,
        bias=not args.no_bias,
        batch_first=args.batch_first,
        bidirectional=args.bidirectional,
    )
