"""Core layers: Module, Parameter, Linear, Dropout, Sequential, RNNCell, RNN."""

from .layers import RNN, Dropout, Linear, RNNCell, Sequential, uniform_
from .module import IncompatibleKeys, Module, Parameter

__all__ = [
    "RNN",
    "Dropout",
    "IncompatibleKeys",
    "Linear",
    "Module",
    "Parameter",
    "RNNCell",
    "Sequential",
    "uniform_",
]
