"""The `tinygrad-rnn` command line: one subcommand per job (each in tinygrad_rnn/commands/)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__

# subcommand modules under tinygrad_rnn.commands, in the order --help lists them
COMMANDS = ["demo", "train", "graph", "explore", "convert", "gradcheck"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    p = argparse.ArgumentParser(
        prog="tinygrad-rnn",
        description=(
            "tinygrad_rnn: a small numpy autodiff framework for learning how recurrent networks "
            "and reverse-mode autodiff work. Pick a subcommand; each has its own --help."
        ),
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"tinygrad_rnn.commands.{name}").register(sub)
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
