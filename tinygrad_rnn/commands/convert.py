"""`tinygrad-rnn convert IN OUT --to mindspore|torch`: move weights between the two frontends' files."""

from __future__ import annotations

import argparse
import sys


def _rename(text: str) -> tuple[str, str]:
    old, sep, new = text.partition("=")
    if not sep or not old or not new:
        raise argparse.ArgumentTypeError(f"expected OLD=NEW, got {text!r}")
    return old, new


def run(args: argparse.Namespace) -> int:
    """Convert one file and print what was written."""
    from ..convert import convert

    try:
        report = convert(args.input, args.output, args.to, dict(args.rename or []), overwrite=args.overwrite)
    except (OSError, ValueError, KeyError, RuntimeError) as e:  # RuntimeError: torch.save's, for a bad path
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e  # str(KeyError) adds quotes
        print(f"tinygrad-rnn convert: error: {msg}", file=sys.stderr)
        return 2
    print(f"read {args.input} ({report['from']} format), wrote {report['path']} ({report['to']} format):")
    for old, new in report["names"]:
        print(f"  {old}" + (f" -> {new}" if new != old else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `convert` subcommand."""
    c = sub.add_parser(
        "convert",
        help="convert weights between a torch-style state_dict file and a MindSpore-style checkpoint",
        description=(
            "Read a tinygrad_rnn.torch state_dict file (torch.save(model.state_dict(), path)) or a "
            "tinygrad_rnn.mindspore checkpoint (save_checkpoint(net, path)) and write the weights in the "
            "other format. RNN, LSTM, GRU, their cells and Linear/Dense parameters have the same names and "
            "gate order in both; they are reordered (MindSpore groups an RNN's parameters by kind). An "
            "LSTM with proj_size (weight_hr) cannot be converted to MindSpore."
        ),
    )
    c.add_argument("input", help="the file to read (either format: detected)")
    c.add_argument("output", help="the file to write (MindSpore appends .ckpt when missing)")
    c.add_argument("--to", required=True, choices=["mindspore", "torch"], help="the format to write")
    c.add_argument(
        "--overwrite",
        action="store_true",
        help="replace OUTPUT if it exists (without this, an existing file is never replaced)",
    )
    c.add_argument(
        "--rename", action="append", type=_rename, metavar="OLD=NEW", help="rename a parameter (repeatable)"
    )
    c.set_defaults(func=run)
