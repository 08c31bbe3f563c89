"""mindspore.common: Tensor, Parameter, ParameterTuple and the dtypes."""

from . import dtype
from .parameter import Parameter, ParameterTuple
from .tensor import Tensor

__all__ = ["Parameter", "ParameterTuple", "Tensor", "dtype"]
