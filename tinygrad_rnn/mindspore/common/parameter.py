"""mindspore.Parameter and ParameterTuple: a named Tensor that a Cell registers for training."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ...nn.module import Parameter as CoreParameter
from ...tensor import as_array
from .tensor import Tensor

GENERATED_PREFIX = "Parameter#"
_ids = itertools.count(1)


def is_generated_name(name: Any) -> bool:
    """True for the placeholder names a Parameter gets when created without one."""
    return isinstance(name, str) and name.startswith(GENERATED_PREFIX)


class Parameter(Tensor, CoreParameter):
    """``Parameter(default_input, name=None, requires_grad=True)``.

    A parameter made without a name is called ``Parameter#<n>`` until a Cell attribute takes it, then it is
    renamed after the attribute; a Cell assigned to an attribute ``net`` of another Cell prefixes the names
    of all its parameters with ``net.`` (MindSpore's naming). Ops on a Parameter give plain Tensors.
    """

    __slots__ = ("_name",)
    result_type = Tensor

    def __init__(
        self,
        default_input: Any,
        name: str | None = None,
        requires_grad: bool = True,
        layerwise_parallel: bool = False,
        parallel_optimizer: bool = True,
        storage_format: str = "",
        device: Any = None,
    ):
        if not isinstance(requires_grad, bool):
            raise TypeError("The argument `requires_grad` must be bool type")
        self._set(as_array(default_input))
        self.name = name
        # MindSpore lets integer parameters be "trainable" (e.g. a step counter): no float-only check here
        self.requires_grad = bool(requires_grad)

    @property
    def name(self) -> str:
        """The parameter's name (checkpoint key)."""
        return self._name

    @name.setter
    def name(self, name: str | None) -> None:
        if name is None or (isinstance(name, str) and not name.strip()):
            name = f"{GENERATED_PREFIX}{next(_ids)}"
        elif not isinstance(name, str):
            raise ValueError(
                f"The type of the Parameter's name should be 'string' or 'None', but got {type(name)}."
            )
        self._name = name.strip()

    def set_data(self, data: Any, slice_shape: bool = False) -> Parameter:
        """Replace the values (cast to this parameter's dtype); returns self."""
        if not isinstance(data, (Tensor, int, float, np.ndarray)):
            raise TypeError(
                "Parameter data must be [`Tensor`, `int`, `float`] or a kind of `Tensor` (like `Tensor`). "
                f"But with type {type(data)}."
            )
        arr = np.asarray(getattr(data, "array", data))
        self.array = np.array(arr, dtype=self.array.dtype)
        return self

    def value(self) -> Tensor:
        """The current value as a plain Tensor."""
        return Tensor(self.array.copy())

    def clone(self, init: str = "same") -> Parameter:
        """A new Parameter with a copy of the values (or zeros/ones for init='zeros'/'ones')."""
        data = {"zeros": np.zeros_like, "ones": np.ones_like}.get(init, np.copy)(self.array)
        return Parameter(data, name=self.name, requires_grad=self.requires_grad)

    def __str__(self) -> str:
        return (
            f"Parameter (name={self.name}, shape={self.shape}, dtype={self.dtype}, "
            f"requires_grad={self.requires_grad})"
        )

    __repr__ = __str__


class ParameterTuple(tuple):
    """A tuple of Parameters (what Cell.trainable_params feeds to optimisers and GradOperation)."""

    def __new__(cls, iterable: Any) -> ParameterTuple:
        items = tuple(iterable)
        for p in items:
            if not isinstance(p, Parameter):
                raise TypeError(f"ParameterTuple input should be 'Parameter' collection, but got {type(p)}.")
        return super().__new__(cls, items)

    def clone(self, prefix: str, init: str = "same") -> ParameterTuple:
        """Element-wise clone, each renamed ``prefix.name``."""
        out = []
        for p in self:
            c = p.clone(init)
            c.name = f"{prefix}.{p.name}"
            out.append(c)
        return ParameterTuple(out)
