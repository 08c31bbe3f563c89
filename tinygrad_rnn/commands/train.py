"""`tinygrad-rnn train TASK`: train an RNN on a toy sequence task, with a live progress bar, a curve
plot, checkpoints and resume."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import Any

# options that change the curve: explicit values must agree with a checkpoint being resumed
_CURVE_OPTIONS = (
    "hidden",
    "layers",
    "lr",
    "steps",
    "batch",
    "length",
    "seed",
    "clip",
    "optimizer",
    "schedule",
    "frontend",
    "cell",
)


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


def _task_help() -> str:
    from ..tasks import DEFAULT_TASK, TASKS

    lines = ["tasks (each with a trivial baseline and the target its default run reaches):"]
    for name, cls in TASKS.items():
        d = cls.defaults
        head = f"  {name}{' (default)' if name == DEFAULT_TASK else ''}: "
        body = cls.summary + f". Baseline: {cls.baseline_name}. Target: {cls.target_text()}."
        if cls.length_help:
            body += f" --length: {cls.length_help}."
        body += (
            f" Defaults: --hidden {d.hidden} --layers {d.layers} --lr {d.lr:g} --epochs {d.epochs}"
            f" --steps {d.steps} --batch {d.batch}."
        )
        lines.append(textwrap.fill(head + body, 100, subsequent_indent="      "))
    lines += [
        "",
        "examples:",
        "  tinygrad-rnn train sine                      # about 10 s: trains, prints the mse, writes sine_curve.png",
        "  tinygrad-rnn train charlm --save lm.npz      # prints a text sample; checkpoint after every epoch",
        "  tinygrad-rnn train charlm --resume lm.npz    # continue an interrupted run: the same curve",
        "  tinygrad-rnn train adding --length 40 --epochs 100   # longer sequences need more epochs",
        "  tinygrad-rnn train copy --frontend torch     # the same model via tinygrad_rnn.torch",
        "",
        "exit codes: 0 the target was reached (or --quick), 1 it was not, 2 bad input (including an output",
        "path that cannot be written, or --save onto an existing file without --overwrite), 130 interrupted.",
    ]
    return "\n".join(lines)


def _int(name: str):
    def parse(s: str) -> int:
        try:
            return int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {s!r}") from None

    return parse


def _float(name: str):
    def parse(s: str) -> float:
        try:
            return float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {s!r}") from None

    return parse


def _build_config(args: argparse.Namespace) -> tuple[Any, bool]:
    """(TrainConfig, resumed?) from the arguments, checked; UsageError with one line if unusable."""
    from ..tasks import DEFAULT_TASK, TASKS
    from ..train import CheckpointError, TrainConfig, config_from_checkpoint, load_checkpoint

    if args.task is None and args.resume is None:
        args.task = DEFAULT_TASK  # when resuming, the checkpoint's task (below)
    if args.task is not None and args.task not in TASKS:
        raise UsageError(f"unknown task {args.task!r}; choose one of: {', '.join(TASKS)}")
    explicit = {k: getattr(args, k) for k in _CURVE_OPTIONS + ("epochs",) if getattr(args, k) is not None}
    if args.resume is not None:
        try:
            cfg = config_from_checkpoint(args.resume)
        except CheckpointError as e:
            raise UsageError(str(e)) from None
        args.task = args.task or cfg.task
        if cfg.task != args.task:
            raise UsageError(f"checkpoint {args.resume} is of task {cfg.task!r}, not {args.task!r}")
        for k in _CURVE_OPTIONS:
            if k in explicit and explicit[k] != getattr(cfg, k):
                raise UsageError(
                    f"--{k} {explicit[k]} differs from the checkpoint's {getattr(cfg, k)}: "
                    "a resumed run keeps its settings (only --epochs may change)"
                )
        if "epochs" in explicit:
            done = load_checkpoint(args.resume)[0].get("epoch", 0)
            if explicit["epochs"] < done:
                raise UsageError(
                    f"--epochs {explicit['epochs']} is fewer than the {done} epochs the checkpoint has done"
                )
            cfg.epochs = explicit["epochs"]
        resumed = True
    else:
        cfg = TrainConfig.for_task(args.task, quick=args.quick, **explicit)
        resumed = False
    if args.sample_chars < 0:
        raise UsageError(f"--sample-chars must be >= 0, got {args.sample_chars}")
    try:
        cfg.validate()
    except ValueError as e:
        raise UsageError(str(e)) from None
    return cfg, resumed


def _fmt_metric(task: Any, v: float) -> str:
    """Accuracy with three decimals (1.000, not 1), other metrics to four significant digits."""
    return f"{v:.3f}" if task.metric == "accuracy" else f"{v:.4g}{task.unit}"


def _report(res: Any, save: str | None, resumed: bool, quick: bool) -> None:
    from ..train import CELLS

    cfg, task = res.config, res.task
    bname, bloss, bmetric = res.baseline
    print()
    print(
        f"{task.name}: {cfg.frontend} frontend, {CELLS[cfg.cell]} hidden {cfg.hidden} x {cfg.layers} layer(s), {cfg.optimizer} "
        f"lr {cfg.lr:g} ({cfg.schedule}), {len(res.curve.epoch)} epochs x {cfg.steps} steps of batch {cfg.batch}, "
        f"seed {cfg.seed}" + (f", length {task.length}" if task.length_help else "")
    )
    print(f"  baseline: {task.metric} {_fmt_metric(task, bmetric)}  ({bname})")
    if res.curve.metric:
        verdict = (
            "reached"
            if res.reached
            else "NOT reached" + (" - a --quick run only shows learning" if quick else "")
        )
        print(
            f"  result: validation {task.metric} {_fmt_metric(task, res.metric)} (target {task.target_text()}: {verdict})"
        )
        if task.name == "charlm":
            print(f"          = {res.metric / 0.6931471805599453:.3f} bits/char")
    print(f"  wall time: {res.seconds:.1f} s" + (" (this session, after resuming)" if resumed else ""))
    if res.plot:
        print(f"  curve: {res.plot}")
    if save:
        print(f"  checkpoint: {save}")
    if res.sample is not None:
        print("  sample (temperature 0.7):")
        print(textwrap.indent(res.sample, "    | "))


# the first bytes of the image files matplotlib writes: a --plot file that starts otherwise is not ours
_IMAGE_SIGNATURES = (b"\x89PNG", b"%PDF", b"<?xml", b"<svg", b"%!PS", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def _is_image(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head.startswith(_IMAGE_SIGNATURES) or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")


def _same_file(a: str, b: str | None) -> bool:
    return b is not None and os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)


def _check_outputs(args: argparse.Namespace, save: str | None, plot: str | None) -> None:
    """UsageError (one line) before any training: --save onto another run's file without --overwrite,
    --plot onto a file that is not an image, or an output path that cannot be written."""
    from ..train import OutputPathError, check_outputs

    if save is not None and os.path.isfile(save) and not args.overwrite and not _same_file(save, args.resume):
        raise UsageError(
            f"--save {save}: the file already exists (a checkpoint of another run?); continue that run with "
            f"--resume {save}, or pass --overwrite to replace it"
        )
    if plot is not None and os.path.isfile(plot) and not args.overwrite and not _is_image(plot):
        raise UsageError(
            f"--plot {plot}: the file exists and is not an image; pass --overwrite to replace it"
        )
    try:
        check_outputs(save, plot)
    except OutputPathError as e:
        hint = " (or --no-plot)" if plot is not None and str(e).startswith("cannot write the plot") else ""
        raise UsageError(f"{e}{hint}") from None


def run(args: argparse.Namespace) -> int:
    """Train, print the result, write the plot; 0 if the target is reached, 1 if not, 2 on bad input
    (output paths are checked before training starts)."""
    plot: str | None = None
    save: str | None = None
    try:
        cfg, resumed = _build_config(args)
        plot = None if args.no_plot else (args.plot or f"{cfg.task}_curve.png")
        save = args.save or args.resume  # a resumed run keeps checkpointing to its file
        _check_outputs(args, save, plot)
    except UsageError as e:
        print(f"tinygrad-rnn train: error: {e}", file=sys.stderr)
        return 2
    from ..train import CheckpointError, train

    try:
        res = train(
            cfg,
            save=save,
            resume=args.resume,
            plot=None,
            progress=not args.no_progress,
            sample_chars=args.sample_chars,
        )
    except (CheckpointError, RuntimeError, FloatingPointError) as e:
        print(f"tinygrad-rnn train: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"tinygrad-rnn train: error: cannot write the checkpoint: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        msg = "interrupted"
        if save:
            msg += f"; the last finished epoch is in {save}: continue with --resume {save}"
        print(f"\ntinygrad-rnn train: {msg}", file=sys.stderr)
        return 130
    if plot:
        try:
            from ..train import plot_curve

            res.plot = plot_curve(res, plot)
        except ImportError:
            print(
                "tinygrad-rnn train: matplotlib is not installed: no plot (pip install matplotlib)",
                file=sys.stderr,
            )
        except (OSError, ValueError) as e:  # checked before training; this is a late failure (disk full)
            _report(res, save, resumed, args.quick)
            print(f"tinygrad-rnn train: error: cannot write the plot: {e}", file=sys.stderr)
            return 2
    _report(res, save, resumed, args.quick)
    return 0 if (res.reached or args.quick) else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `train` subcommand."""
    from ..tasks import DEFAULT_TASK

    t = sub.add_parser(
        "train",
        help="train an RNN on a toy sequence task (sine, adding, parity, copy, charlm)",
        description=textwrap.fill(
            "Train an Elman RNN (nn.RNN, batch-first) with a Linear head on a toy sequence task, with "
            "a progress bar showing the live loss, a validation metric after every epoch, a PNG of "
            "the loss/metric curve, and atomic checkpoints that --resume continues to the very curve "
            "an uninterrupted run draws. The same --seed gives the same curve. Options left out "
            "take the task's defaults (listed below).",
            100,
        ),
        epilog=_task_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    def one_line_error(message: str) -> None:  # bad input: one line and exit 2, not a usage dump
        print(f"tinygrad-rnn train: error: {message} (see tinygrad-rnn train --help)", file=sys.stderr)
        sys.exit(2)

    t.error = one_line_error  # type: ignore[method-assign]
    parse_known = t.parse_known_args

    def parse_known_args(args=None, namespace=None):  # unknown options: our one line, not the top usage
        ns, extras = parse_known(args, namespace)
        if extras:
            one_line_error(f"unrecognized arguments: {' '.join(extras)}")
        return ns, extras

    t.parse_known_args = parse_known_args  # type: ignore[method-assign]
    t.add_argument(
        "task",
        metavar="TASK",
        nargs="?",
        default=None,
        help=f"which task (default: the --resume checkpoint's, else {DEFAULT_TASK}; see the list below)",
    )
    g = t.add_argument_group("model and optimiser (defaults: the task's)")
    g.add_argument(
        "--frontend",
        choices=("core", "torch", "mindspore"),
        default=None,
        help="build the model with the core (default), tinygrad_rnn.torch (nn.RNN, torch.optim) or "
        "tinygrad_rnn.mindspore (nn.RNN, nn.Dense, value_and_grad, nn.Adam)",
    )
    g.add_argument(
        "--cell",
        choices=("rnn", "lstm", "gru"),
        default=None,
        help="the recurrent layer: rnn (Elman, tanh; default), lstm or gru, in every frontend",
    )
    g.add_argument("--hidden", type=_int("--hidden"), default=None, help="hidden units of the RNN")
    g.add_argument("--layers", type=_int("--layers"), default=None, help="stacked RNN layers")
    g.add_argument("--lr", type=_float("--lr"), default=None, help="peak learning rate")
    g.add_argument(
        "--optimizer",
        choices=("adam", "adamw", "sgd"),
        default=None,
        help="adam (default), adamw (weight decay 0.01) or sgd (Nesterov momentum 0.9)",
    )
    g.add_argument(
        "--schedule",
        choices=("cosine", "step", "none"),
        default=None,
        help="learning rate per epoch: cosine to lr/20 (default), step (x0.3 every third of the run), none",
    )
    g.add_argument(
        "--clip",
        type=_float("--clip"),
        default=None,
        help="clip the gradients' global norm to this (0: off; default 1)",
    )
    r = t.add_argument_group("run length and data")
    r.add_argument(
        "--epochs",
        type=_int("--epochs"),
        default=None,
        help="epochs (a validation pass after each); with --resume: the new total",
    )
    r.add_argument("--steps", type=_int("--steps"), default=None, help="optimiser steps per epoch")
    r.add_argument("--batch", type=_int("--batch"), default=None, help="sequences per step")
    r.add_argument(
        "--length",
        type=_int("--length"),
        default=None,
        help="the task's length knob: sine steps, adding T, parity bits, copy delay, charlm window",
    )
    r.add_argument(
        "--seed",
        type=_int("--seed"),
        default=None,
        help="seeds the weights and the training batches (default 0); the same seed gives the same curve",
    )
    r.add_argument(
        "--quick",
        action="store_true",
        help="a run of a few seconds that shows learning: it ends clearly better than the trivial "
        "baseline, on an easier setting of the task (shorter sequences), and does not aim at the target",
    )
    o = t.add_argument_group("files and output")
    o.add_argument(
        "--save",
        metavar="CKPT",
        default=None,
        help="write a checkpoint (.npz: model, optimiser, RNG state, epoch, curve) after every epoch, atomically",
    )
    o.add_argument(
        "--resume",
        metavar="CKPT",
        default=None,
        help="continue the run saved in CKPT with its settings, checkpointing to CKPT again (or to --save)",
    )
    o.add_argument(
        "--plot",
        metavar="PNG",
        default=None,
        help="where to save the loss/metric curve (default TASK_curve.png)",
    )
    o.add_argument("--no-plot", action="store_true", help="do not save a plot")
    o.add_argument(
        "--overwrite",
        action="store_true",
        help="let --save replace an existing file that is not the --resume checkpoint, and --plot a file "
        "that is not an image (both refused without it)",
    )
    o.add_argument(
        "--no-progress", action="store_true", help="no progress bar: print one line per epoch instead"
    )
    o.add_argument(
        "--sample-chars",
        type=_int("--sample-chars"),
        default=300,
        help="charlm: characters of text to sample after training (default 300)",
    )
    t.set_defaults(func=run)
