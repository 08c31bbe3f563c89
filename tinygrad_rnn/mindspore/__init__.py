"""tinygrad_rnn.mindspore: a MindSpore-compatible frontend on the tinygrad_rnn core.

A MindSpore RNN script runs here after changing only its imports, e.g.
``import tinygrad_rnn.mindspore as mindspore`` and ``from tinygrad_rnn.mindspore import Tensor, nn``.
See docs/mindspore_frontend.md for what is covered and docs/differences.md for torch vs MindSpore.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import random as _core_random
from . import context, nn, ops, train
from .common import dtype
from .common.api import jit
from .common.dtype import (
    bool_,
    double,
    dtype_to_nptype,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    pytype_to_dtype,
    single,
    uint8,
    uint16,
    uint32,
    uint64,
)
from .common.parameter import Parameter, ParameterTuple
from .common.tensor import Tensor
from .context import GRAPH_MODE, PYNATIVE_MODE, get_context, set_context
from .ops.composite import get_grad, grad, jacfwd, jacrev, value_and_grad, vjp
from .ops.vmap import vmap
from .train.serialization import load_checkpoint, load_param_into_net, save_checkpoint

bool = bool_  # noqa: A001  (mindspore.bool, as MindSpore names it; builtins.bool stays reachable)

__version__ = "2.10.0"  # the MindSpore version this frontend follows

_SEED: list[int | None] = [None]


def set_seed(seed: int) -> None:
    """Seed numpy's global generator (MindSpore's RNN draws its initial weights from it) and the core's
    generator (other initialisers, dropout masks)."""
    if not isinstance(seed, int) or isinstance(seed, builtins.bool):
        raise TypeError(f"The argument 'seed' must be type of int, but got {type(seed)}.")
    if seed < 0:
        raise ValueError(f"The argument 'seed' must be greater than or equal to 0, but got {seed}.")
    _SEED[0] = seed
    np.random.seed(seed)
    _core_random.manual_seed(seed)


def get_seed() -> int | None:
    """The seed given to set_seed (None if never set)."""
    return _SEED[0]


def tensor(input_data: object = None, dtype: object = None) -> Tensor:
    """A Tensor of `input_data`."""
    return Tensor(input_data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor with the array's values and dtype."""
    return Tensor(np.asarray(array))


def is_tensor(obj: object) -> bool:
    """True for Tensors (Parameters included)."""
    return isinstance(obj, Tensor)


__all__ = [
    "GRAPH_MODE",
    "PYNATIVE_MODE",
    "Parameter",
    "ParameterTuple",
    "Tensor",
    "bool",
    "bool_",
    "context",
    "double",
    "dtype",
    "dtype_to_nptype",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "get_context",
    "get_grad",
    "get_seed",
    "grad",
    "half",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_tensor",
    "jacfwd",
    "jit",
    "jacrev",
    "load_checkpoint",
    "load_param_into_net",
    "nn",
    "ops",
    "pytype_to_dtype",
    "save_checkpoint",
    "set_context",
    "set_seed",
    "single",
    "tensor",
    "train",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "value_and_grad",
    "vjp",
    "vmap",
]
