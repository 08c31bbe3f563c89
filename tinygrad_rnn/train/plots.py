"""Output paths checked before training starts, and the plot of a finished run."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._io import atomic_write, probe_writable, resolve
from .config import Result


class OutputPathError(OSError):
    """An output path (checkpoint, plot) that cannot be written: found before any training."""


def plot_format(path: str) -> str:
    """The image format a plot path asks for (its extension; png without one), checked with matplotlib."""
    ext = os.path.splitext(path)[1][1:].lower() or "png"
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        return ext  # no matplotlib: the plot is skipped with a message anyway
    formats = FigureCanvasBase.get_supported_filetypes()
    if ext not in formats:
        raise OutputPathError(
            f"cannot write the plot to {path}: matplotlib cannot write .{ext} files (use one of "
            f"{', '.join('.' + f for f in sorted(formats))})"
        )
    return ext


def check_outputs(save: str | None = None, plot: str | None = None) -> None:
    """Before any training: OutputPathError with a one-line reason if `save` or `plot` cannot be
    written (a directory, FIFO or device, a parent that is a file, an unwritable folder, a plot format
    matplotlib lacks). Missing folders are fine: they are created when written."""
    if plot is not None:
        plot_format(plot)
    for path, what in ((save, "the checkpoint"), (plot, "the plot")):
        if path is None:
            continue
        try:
            probe_writable(path, make_folders=True)
        except OSError as e:
            reason = f"{e.strerror}: {e.filename}" if e.strerror and e.filename else (e.strerror or str(e))
            raise OutputPathError(f"cannot write {what} to {path}: {reason}") from None


def plot_curve(res: Result, path: str) -> str:
    """Save a PNG: loss per epoch (train, validation, baseline) and, beside it, the metric per epoch
    (accuracy tasks), the final model's predictions on validation data (regression tasks) or the
    learning rate per epoch (charlm, whose metric is its loss)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c, task, cfg = res.curve, res.task, res.config
    bname, bloss, bmetric = res.baseline
    from matplotlib.ticker import MaxNLocator

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4.6))
    a1.plot(c.epoch, c.train_loss, "o-", ms=3, label="train loss")
    a1.plot(c.epoch, c.val_loss, "s-", ms=3, label="validation loss")
    a1.axhline(bloss, color="grey", ls="--", label=f"baseline: {bname}")
    if task.metric in ("mse", "loss"):
        a1.axhline(task.target, color="C3", ls=":", label=f"target {task.target_text()}")
    a1.set_yscale("log")
    a1.set_xlabel("epoch")
    a1.set_ylabel("cross-entropy (nats)" if task.classification else "mean squared error")
    a1.set_title(f"{task.name}: loss ({cfg.frontend}, hidden {cfg.hidden}, seed {cfg.seed})")
    _legend_below(a1)
    if task.metric == "accuracy":
        a2.plot(c.epoch, c.metric, "o-", ms=3, color="C2", label=f"validation {task.metric}")
        a2.axhline(task.target, color="C3", ls=":", label=f"target {task.target_text()}")
        a2.axhline(bmetric, color="grey", ls="--", label=f"baseline: {bname}")
        a2.set_ylim(0, 1.02)
        a2.set_xlabel("epoch")
        a2.set_ylabel(task.metric)
        a2.set_title(f"{task.name}: validation {task.metric}")
    elif task.classification:  # charlm: the metric is the loss; show the schedule instead
        a2.plot(c.epoch, c.lr, "o-", ms=3, color="C4", label=f"{cfg.optimizer} lr ({cfg.schedule})")
        a2.set_xlabel("epoch")
        a2.set_ylabel("learning rate")
        a2.set_title("learning rate per epoch")
    else:
        x, y = task.val_set()
        pred = res.backend.predict(x[:64]) if res.backend is not None else None
        if pred is not None and task.n_scored > 1:  # sequences: targets and predictions over time
            t = np.arange(x.shape[1] - task.n_scored, x.shape[1]) + 1
            for i, col in ((0, "C0"), (1, "C1")):
                a2.plot(t, y[i, :, 0], "-", color=col, alpha=0.5, lw=3, label=f"target {i}")
                a2.plot(t, pred[i, :, 0], "k--", lw=1, label="prediction" if i == 0 else None)
            a2.set_xlabel("time step")
            a2.set_ylabel("value")
        elif pred is not None:  # one number per sequence: predicted against true
            a2.plot(y[:64, -1, 0], pred[:, -1, 0], "o", ms=3, label="validation sequences")
            lo, hi = float(y.min()), float(y.max())
            a2.plot([lo, hi], [lo, hi], "k:", lw=1, label="perfect")
            a2.set_xlabel("target")
            a2.set_ylabel("prediction")
        a2.set_title(f"{task.name}: the trained model on validation data")
    _legend_below(a2)
    for ax in (a1, a2):
        if ax.get_xlabel() == "epoch":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no "epoch 2.5" ticks
    fig.tight_layout()
    fmt = plot_format(path)
    os.makedirs(os.path.dirname(resolve(path)), exist_ok=True)
    try:
        atomic_write(path, lambda fh: fig.savefig(fh, format=fmt, dpi=90))
    finally:
        plt.close(fig)
    return path


def _legend_below(ax: Any) -> None:
    """The legend under the axes, where it cannot hide a curve."""
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
