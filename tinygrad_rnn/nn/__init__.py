"""Core layers: Module, Parameter, Linear, Dropout, Sequential and the recurrent family."""

from .layers import (
    GRU,
    LSTM,
    RNN,
    Dropout,
    GRUCell,
    Linear,
    LSTMCell,
    RNNBase,
    RNNCell,
    RNNCellBase,
    Sequential,
    uniform_,
)
from .module import IncompatibleKeys, Module, Parameter

__all__ = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "RNNBase",
    "RNNCell",
    "RNNCellBase",
    "Dropout",
    "IncompatibleKeys",
    "Linear",
    "Module",
    "Parameter",
    "Sequential",
    "uniform_",
]
