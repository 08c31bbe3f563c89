"""mindspore.nn.Cell on the core Module: construct/__call__, set_train, MindSpore's parameter naming."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from ...nn.module import Module
from ..common.parameter import Parameter, ParameterTuple, is_generated_name
from ..common.tensor import Tensor


class Cell(Module):
    """Base class of MindSpore layers: define ``construct``; calling the cell runs it.

    ``training`` is False until ``set_train()``. A parameter without an explicit name takes its attribute
    name; a Cell assigned to attribute ``a`` renames all its parameters ``a.<path>`` (as MindSpore does),
    which are the names ``parameters_dict``, checkpoints and ``load_param_into_net`` use.
    """

    param_class = Parameter

    def __init__(self, auto_prefix: bool = True, flags: Any = None):
        super().__init__()
        object.__setattr__(self, "training", False)
        object.__setattr__(self, "_auto_prefix", auto_prefix)

    # -- registration --------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is not None and params.get(name) is not None and type(value) is Tensor:
            params[name].set_data(value)  # assigning a Tensor to a parameter attribute updates its data
            return
        if isinstance(value, ParameterTuple):
            for p in value:  # MindSpore registers a ParameterTuple's items under their own names
                self.insert_param_to_cell(p.name, p)
            object.__setattr__(self, name, value)
            return
        super().__setattr__(name, value)
        if isinstance(value, Parameter) and is_generated_name(value.name):
            value.name = name
        elif isinstance(value, Cell) and self.__dict__.get("_auto_prefix", True):
            value.update_parameters_name(name + ".")

    def __getattr__(self, name: str) -> Any:
        """A parameter registered by name only (insert_param_to_cell) is an attribute too, as in MindSpore."""
        params = self.__dict__.get("_parameters")  # only reached when the ordinary lookup failed
        if params is not None and name in params:
            return params[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def insert_param_to_cell(self, param_name: str, param: Parameter | None) -> None:
        """Register `param` under `param_name` (a generated parameter name becomes `param_name`)."""
        if isinstance(param, Parameter) and is_generated_name(param.name):
            param.name = param_name
        self._parameters[param_name] = param

    def insert_child_to_cell(self, child_name: str, child_cell: Cell) -> None:
        """Register a sub-cell under `child_name`."""
        setattr(self, child_name, child_cell)

    def update_parameters_name(self, prefix: str = "", recurse: bool = True) -> None:
        """Rename every parameter to `prefix` + its attribute path."""
        for path, p in self.parameters_and_names(expand=recurse):
            p.name = prefix + path

    # -- running -------------------------------------------------------------------------------
    def construct(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"For '{type(self).__name__}', the 'construct' method is not defined.")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.construct(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.construct(*args, **kwargs)

    def set_train(self, mode: bool = True) -> Cell:
        """Training mode (dropout active) for this cell and its sub-cells; returns self."""
        self.train(mode)
        return self

    def set_grad(self, requires_grad: bool = True) -> Cell:
        """Accepted for compatibility (the tape records whenever an input requires grad)."""
        return self

    @property
    def cls_name(self) -> str:
        """The class name, as used in error messages."""
        return type(self).__name__

    # -- traversal -----------------------------------------------------------------------------
    def cells_and_names(self, cells: Any = None, name_prefix: str = "") -> Iterator[tuple[str, Cell]]:
        """(attribute path, cell) for this cell and every sub-cell, depth first."""
        yield from self.named_modules(name_prefix)

    def cells(self) -> Iterator[Cell]:
        """Direct sub-cells."""
        return self.children()

    def name_cells(self) -> OrderedDict[str, Cell]:
        """Direct sub-cells by attribute name."""
        return OrderedDict(self.named_children())

    def parameters_and_names(
        self, name_prefix: str = "", expand: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(attribute path, parameter), each parameter once, this cell's own first."""
        yield from self.named_parameters(name_prefix, recurse=expand)

    def get_parameters(self, expand: bool = True) -> Iterator[Parameter]:
        """All parameters (with sub-cells' if expand)."""
        for _, p in self.parameters_and_names(expand=expand):
            yield p

    def trainable_params(self, recurse: bool = True) -> list[Parameter]:
        """Parameters with requires_grad=True, in MindSpore's order."""
        return [p for p in self.get_parameters(expand=recurse) if p.requires_grad]

    def untrainable_params(self, recurse: bool = True) -> list[Parameter]:
        """Parameters with requires_grad=False."""
        return [p for p in self.get_parameters(expand=recurse) if not p.requires_grad]

    def parameters_dict(self, recurse: bool = True) -> OrderedDict[str, Parameter]:
        """Parameter name -> parameter (the names checkpoints use)."""
        return OrderedDict((p.name, p) for p in self.get_parameters(expand=recurse))

    # -- printing ------------------------------------------------------------------------------
    def extend_repr(self) -> str:
        """The extra description inside the parentheses."""
        return ""

    def __repr__(self) -> str:
        extra = self.extend_repr().split("\n") if self.extend_repr() else []
        children = []
        for key, cell in self._modules.items():
            children.append(f"({key}): " + repr(cell).replace("\n", "\n  "))
        if len(extra) == 1 and not children:
            return f"{type(self).__name__}({extra[0]})"
        lines = extra + children
        if not lines:
            return f"{type(self).__name__}()"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class SequentialCell(Cell):
    """Cells applied in order (given as arguments or as one list)."""

    def __init__(self, *args: Any):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            named = list(args[0].items())
        else:
            cells = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
            named = [(str(i), c) for i, c in enumerate(cells)]
        for k, c in named:
            setattr(self, k, c)

    def construct(self, x: Any) -> Any:
        for c in self.children():
            x = c(x)
        return x

    def __getitem__(self, i: int) -> Cell:
        return list(self.children())[i]

    def __len__(self) -> int:
        return len(self._modules)


class CellList(Cell):
    """A list of cells, registered as sub-cells "0", "1", ..."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()
        for c in args[0] if args else ():
            self.append(c)

    def append(self, cell: Cell) -> None:
        """Add a cell at the end."""
        setattr(self, str(len(self._modules)), cell)

    def __getitem__(self, i: int) -> Cell:
        return list(self.children())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Cell]:
        return iter(list(self.children()))
