"""torch.nn on the core layers: Module, Parameter, RNN, LSTM, GRU and their cells, Linear, Dropout, losses, ..."""

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
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "CrossEntropyLoss",
    "Dropout",
    "GRUCell",
    "Identity",
    "LSTMCell",
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
