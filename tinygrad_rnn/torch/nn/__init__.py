"""torch.nn on the core layers: Module, Parameter, RNN, RNNCell, Linear, Dropout, losses, ..."""

from . import functional, init, utils
from .modules import (
    CrossEntropyLoss,
    Dropout,
    Identity,
    Linear,
    Module,
    ModuleList,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from .parameter import Parameter
from .rnn import RNN, RNNCell

__all__ = [
    "RNN",
    "CrossEntropyLoss",
    "Dropout",
    "Identity",
    "Linear",
    "MSELoss",
    "Module",
    "ModuleList",
    "Parameter",
    "RNNCell",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "functional",
    "init",
    "utils",
]
