"""Module and Parameter: registration by attribute, named parameters, state dicts, train/eval."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter (requires grad by default)."""

    __slots__ = ()
    result_type = Tensor  # ops on a parameter give ordinary tensors

    def __init__(self, data: Any = None, requires_grad: bool = True, dtype: Any = None):
        super().__init__(np.zeros((0,), np.float32) if data is None else data, dtype=dtype)
        self.requires_grad_(requires_grad)


class IncompatibleKeys(NamedTuple):
    """What load_state_dict(strict=False) could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of layers: attributes that are Parameters or Modules are registered in order."""

    # the class layers create their parameters with; a frontend sets its own Parameter here
    param_class: type[Parameter] = Parameter

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # -- registration --------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError("cannot assign before Module.__init__() call")
        if isinstance(value, Parameter):
            self._modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            self._modules[name] = value
        elif name in params and value is None:
            params[name] = None
        else:
            params.pop(name, None)
            self._modules.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register `param` (or a None placeholder) under `name`."""
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    # -- traversal -----------------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their attribute names."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """Direct sub-modules."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all sub-modules, depth first, with dotted names."""
        stack: list[tuple[str, Module]] = [(prefix, self)]
        seen: set[int] = set()
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            kids = [(f"{name}.{k}" if name else k, c) for k, c in m._modules.items() if c is not None]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        """This module and all sub-modules."""
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) in registration order, each parameter once."""
        seen: set[int] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mname, m in mods:
            for pname, p in m._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """All parameters in registration order."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    # -- state ---------------------------------------------------------------------------------
    def _all_parameter_names(self) -> Iterator[tuple[str, Parameter]]:
        """Every (dotted name, parameter), a module or parameter shared under two names listed twice."""
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:
            mname, m = stack.pop()
            for pname, p in m._parameters.items():
                if p is not None:
                    yield (f"{mname}.{pname}" if mname else pname), p
            kids = [(f"{mname}.{k}" if mname else k, c) for k, c in m._modules.items() if c is not None]
            stack.extend(reversed(kids))

    def state_dict(self) -> OrderedDict[str, Tensor]:
        """Name -> tensor sharing the parameter's data (detached), every name a module is known by."""
        return OrderedDict((k, p.detach()) for k, p in self._all_parameter_names())

    def _fmt_shape(self, shape: tuple[int, ...]) -> str:
        return str(tuple(shape))

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy values in by name; strict: missing or unexpected keys raise (shapes always must match)."""
        own = dict(self._all_parameter_names())  # shared parameters appear under every name
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for k, p in own.items():
            if k not in state_dict:
                continue
            v = state_dict[k]
            arr = np.asarray(getattr(v, "array", v))
            if arr.shape != p.array.shape:
                errors.append(
                    f"size mismatch for {k}: copying a param with shape {self._fmt_shape(arr.shape)} "
                    f"from checkpoint, the shape in current model is {self._fmt_shape(p.array.shape)}."
                )
        if strict:
            if unexpected:
                errors.insert(
                    0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". "
                )
            if missing:
                errors.insert(
                    0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". "
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors)
            )
        for k, p in own.items():
            if k in state_dict:
                v = state_dict[k]
                p.array = np.array(getattr(v, "array", v), dtype=p.array.dtype)
        return IncompatibleKeys(missing, unexpected)

    # -- modes and helpers ---------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode here and in every sub-module."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode (no dropout)."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.array = np.zeros_like(p.grad.array)

    def to_dtype(self, dtype: Any) -> Module:
        """Convert every floating parameter, in place (the Parameter objects stay the same)."""
        for p in self.parameters():
            if p.array.dtype.kind == "f":
                p.array = p.array.astype(dtype)
                if p.grad is not None:
                    p.grad.array = p.grad.array.astype(dtype)
        return self

    def double(self) -> Module:
        """Parameters to float64."""
        return self.to_dtype(np.float64)

    def float(self) -> Module:
        """Parameters to float32."""
        return self.to_dtype(np.float32)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def extra_repr(self) -> str:
        """The part inside the parentheses of repr."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            sub = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {sub}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = "\n  ".join(([extra] if extra else []) + lines)
        return f"{type(self).__name__}(\n  {body}\n)"
