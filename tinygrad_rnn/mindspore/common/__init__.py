"""mindspore.common: Tensor, Parameter, ParameterTuple, the dtypes and the initializers."""

from . import dtype, initializer
from .parameter import Parameter, ParameterTuple
from .tensor import Tensor

__all__ = ["Parameter", "ParameterTuple", "Tensor", "dtype", "initializer"]
