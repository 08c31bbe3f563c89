"""The training loop for the toy tasks in tinygrad_rnn.tasks: an RNN + Linear head, trained with the
core optimisers, gradient clipping and a learning-rate schedule.

One loop, three interchangeable model backends (``frontend``):

* ``core``: ``tinygrad_rnn.nn.RNN`` + ``nn.Linear``, ``tinygrad_rnn.optim``, ``functional`` losses;
* ``torch``: the same model written against a torch-like module (``tinygrad_rnn.torch`` by default;
  the benchmark passes the real torch to time the very same loop there);
* ``mindspore``: the same model written against ``tinygrad_rnn.mindspore`` (``nn.Cell``, ``nn.Dense``,
  ``value_and_grad`` and ``optimizer(grads)``).

Reproducibility: the seed fixes the weights' initialisation and a numpy Generator that draws the
training batches. A checkpoint (``save``) holds the model, the optimiser state, that Generator's
state, the epoch and the curve so far, in one ``.npz`` written atomically (temporary file, then
``os.replace``, through a symlink) and read without pickle, every part checked (a damaged or
tampered file raises only CheckpointError); resuming from it continues to the same curve a run
without the interruption draws. Output paths are checked before the first epoch (check_outputs).

The package: `config` (TrainConfig, schedule, curve), `backends` (the model in each framework),
`checkpoints`, `loop` (train), `plots` (output paths and the picture).
"""

from .backends import Backend, CoreBackend, MindSporeBackend, TorchBackend, make_backend
from .checkpoints import (
    CKPT_FORMAT,
    CheckpointError,
    config_from_checkpoint,
    load_checkpoint,
    restore,
    save_checkpoint,
)
from .config import CELLS, FRONTENDS, OPTIMIZERS, SCHEDULES, Curve, Result, TrainConfig, lr_schedule
from .loop import evaluate, sample_text, train
from .plots import OutputPathError, check_outputs, plot_curve, plot_format

__all__ = [
    "CELLS",
    "CKPT_FORMAT",
    "FRONTENDS",
    "OPTIMIZERS",
    "SCHEDULES",
    "Backend",
    "CheckpointError",
    "CoreBackend",
    "Curve",
    "MindSporeBackend",
    "OutputPathError",
    "Result",
    "TorchBackend",
    "TrainConfig",
    "check_outputs",
    "config_from_checkpoint",
    "evaluate",
    "load_checkpoint",
    "lr_schedule",
    "make_backend",
    "plot_curve",
    "plot_format",
    "restore",
    "sample_text",
    "save_checkpoint",
    "train",
]
