"""`tinygrad-rnn convert IN OUT --to torch|mindspore|safetensors`: move weights between file formats."""

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
        help="convert weights between torch .pt, MindSpore .ckpt and safetensors files",
        description=(
            "Read the weights of a torch file (torch.save(model.state_dict(), path), by real torch or "
            "tinygrad_rnn.torch, or a checkpoint dict keeping the state_dict under 'model'), a MindSpore "
            ".ckpt or .safetensors file (save_checkpoint), or a `tinygrad-rnn train --save` checkpoint, "
            "and write them as a torch, MindSpore or safetensors file that the real frameworks load. "
            "RNN, LSTM, GRU, their cells and Linear/Dense parameters have the same names and gate order "
            "in both frameworks; they are reordered (MindSpore groups an RNN's parameters by kind). An "
            "LSTM with proj_size (weight_hr) cannot be converted to MindSpore. Nothing is unpickled "
            "beyond the allow-list of a weights file (see docs/files.md)."
        ),
    )
    c.add_argument("input", help="the file to read (any of the formats: found from its content)")
    c.add_argument(
        "output", help="the file to write (.ckpt / .safetensors is appended when missing, as MindSpore does)"
    )
    c.add_argument(
        "--to", required=True, choices=["torch", "mindspore", "safetensors"], help="the format to write"
    )
    c.add_argument(
        "--overwrite",
        action="store_true",
        help="replace OUTPUT if it exists (without this, an existing file is never replaced)",
    )
    c.add_argument(
        "--rename", action="append", type=_rename, metavar="OLD=NEW", help="rename a parameter (repeatable)"
    )
    c.set_defaults(func=run)
