"""torch.nn modules as thin subclasses of the core's: torch's names, signatures and messages."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ... import functional as _F
from ... import nn as _nn
from ...tape import TensorBase
from .. import _check, _dtype
from .._dtype import Size
from .._tensor import Tensor
from .parameter import Parameter


class _IncompatibleKeys(_nn.IncompatibleKeys):
    """What load_state_dict returns, printed as torch prints it."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


def _check_name(kind: str, name: Any) -> None:
    """torch's checks of a sub-module / parameter name."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError(
            f'{kind} name can\'t contain ".", got: {name}'
            if kind == "module"
            else f'{kind} name can\'t contain "."'
        )
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')


class Module(_nn.Module):
    """torch.nn.Module: the core Module with torch's extra methods and message formatting."""

    param_class = Parameter

    def _fmt_shape(self, shape: tuple[int, ...]) -> str:
        return repr(Size(shape))

    def _fmt_dtype(self, dt: Any) -> str:
        return str(_dtype.from_np(dt))

    def state_dict(
        self, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Name -> tensor (detached unless keep_vars), in registration order."""
        sd = super().state_dict()
        if keep_vars:
            own = dict(self.named_parameters())
            sd = OrderedDict((k, own.get(k, v)) for k, v in sd.items())
        out = destination if destination is not None else OrderedDict()
        for k, v in sd.items():
            out[prefix + k] = v
        return out

    def load_state_dict(
        self, state_dict: Any, strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy tensors in by name; strict: torch's "Error(s) in loading state_dict" RuntimeError."""
        if not isinstance(state_dict, (dict, OrderedDict)):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        r = super().load_state_dict(state_dict, strict)
        return _IncompatibleKeys(r.missing_keys, r.unexpected_keys)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating parameters to a floating or complex dtype (the device may only be the CPU)."""
        target, copy = _dtype.parse_to(args, kwargs)
        if copy is not None:
            raise RuntimeError(".to() does not accept copy argument")
        if target is None:
            return self
        if target.kind not in "fc":
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={_dtype.from_np(target)}"
            )
        return self.to_dtype(target)

    def half(self) -> Module:
        """Parameters to float16."""
        return self.to_dtype(np.float16)

    def cpu(self) -> Module:
        """Self."""
        return self

    def cuda(self, device: Any = None) -> Module:
        raise AssertionError("Torch not compiled with CUDA enabled")

    def train(self, mode: bool = True) -> Module:
        """Training mode on (or off) here and below."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        return super().train(mode)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch requires_grad of every parameter."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn: Any) -> Module:
        """fn(m) for every sub-module (children first), then fn(self)."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a sub-module under name."""
        if module is not None and not isinstance(module, _nn.Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name("module", name)
        setattr(self, name, module)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register a parameter (or a None placeholder) under name."""
        _check_name("parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__module__}.{type(param).__name__}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        super().register_parameter(name, param)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path."""
        m: Any = self
        for part in target.split(".") if target != "" else []:
            if part not in m._modules:
                raise AttributeError(f"{type(m).__name__} has no attribute `{part}`")
            m = m._modules[part]
        return m

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path."""
        mod, _, name = target.rpartition(".")
        m = self.get_submodule(mod)
        if name not in m._parameters:
            raise AttributeError(f"{type(m).__name__} has no attribute `{name}`")
        return m._parameters[name]

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Keep a tensor as a plain attribute (buffers are not part of state_dict here)."""
        object.__setattr__(self, name, tensor)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """None: the core modules hold no buffers."""
        return iter(())

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """None: the core modules hold no buffers."""
        return iter(())


class Linear(Module, _nn.Linear):
    """y = x W^T + b."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ):
        _dtype.check_device(device)
        _check.new_weight_shape(out_features, in_features)
        super().__init__(in_features, out_features, bias, dtype=_dtype.to_np(dtype) or _dtype.default_float())

    def forward(self, input: Tensor) -> Tensor:
        _check.tensor("linear", "input", 1, input)
        w = self.weight
        if input.array.shape[-1:] != (self.in_features,):
            rows = int(np.prod(input.array.shape[:-1])) if input.array.ndim > 1 else 1
            cols = input.array.shape[-1] if input.array.ndim else 1
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and {self.in_features}x{self.out_features})"
            )
        if input.array.dtype != w.array.dtype:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {_check.scalar_name(input)} and {_check.scalar_name(w)}"
            )
        return super().forward(input)


def _modules_only(mods: Iterable[Any]) -> None:
    for m in mods:
        if m is not None and not isinstance(m, _nn.Module):
            raise TypeError(f"{type(m).__name__} is not a Module subclass")


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero elements with probability p (scaled by 1/(1-p)) when training."""
    if p < 0.0 or p > 1.0:  # torch's test (a TypeError for a non-number)
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    _check.tensor("dropout", "input", 1, input)
    _check.boolean("dropout", "train", 3, training)
    if training and p and input.array.dtype.kind not in "fc":
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {_check.scalar_name(input)}"
        )
    return _F.dropout(input, p, training)


class Dropout(Module, _nn.Dropout):
    """Zero elements with probability p in training mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        if p < 0 or p > 1:  # torch's test and message (a TypeError for a non-number)
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        super().__init__(p)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Sequential(Module, _nn.Sequential):
    """Modules applied in order (also from an OrderedDict of name -> module)."""

    def __init__(self, *args: Any):
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            _modules_only(args[0].values())
            _nn.Module.__init__(self)
            for k, m in args[0].items():
                setattr(self, k, m)
        else:
            _modules_only(args)
            super().__init__(*args)

    def __getitem__(self, i: Any) -> Any:
        mods = list(self._modules.items())
        if isinstance(i, slice):
            return Sequential(OrderedDict(mods[i]))
        return mods[i][1]

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add a module at the end."""
        setattr(self, str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of registered sub-modules."""

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None and not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList.extend should be called with an iterable, but got {type(modules).__name__}"
            )
        mods = list(modules or ())
        _modules_only(mods)
        for m in mods:
            self.append(m)

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end."""
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add several modules."""
        for m in modules:
            self.append(m)
        return self


class Identity(Module):
    """Returns its input."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Tanh(Module):
    """Elementwise tanh."""

    def forward(self, input: Tensor) -> Tensor:
        _check.tensor("tanh", "input", 1, input)
        return input.tanh()


class ReLU(Module):
    """Elementwise max(x, 0)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        _check.tensor("relu", "input", 1, input)
        return input.relu()


class Sigmoid(Module):
    """Elementwise logistic sigmoid."""

    def forward(self, input: Tensor) -> Tensor:
        _check.tensor("sigmoid", "input", 1, input)
        return input.sigmoid()


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        if size_average is None:
            size_average = True
        if reduce is None:
            reduce = True
        return ("mean" if size_average else "sum") if reduce else "none"
    return reduction


def mse_loss(
    input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
) -> Tensor:
    """Mean squared error, with torch's size warning and broadcast error."""
    for v in (input, target):
        if not isinstance(v, TensorBase):  # torch calls target.size(): its AttributeError
            raise AttributeError(f"'{type(v).__name__}' object has no attribute 'size'")
    _check_reduction(_reduction(size_average, reduce, reduction))
    tshape = tuple(np.shape(getattr(target, "array", target)))
    if tshape != input.array.shape:
        warnings.warn(
            f"Using a target size ({Size(tshape)}) that is different to the input size ({Size(input.array.shape)}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
        _check_broadcast(input.array.shape, tshape)
    return _F.mse_loss(input, target, _reduction(size_average, reduce, reduction))


def _check_broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    for i in range(1, min(len(a), len(b)) + 1):
        if a[-i] != b[-i] and 1 not in (a[-i], b[-i]):
            raise RuntimeError(
                f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) at non-singleton "
                f"dimension {max(len(a), len(b)) - i}"
            )


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross entropy over class dim 1 (integer classes, or class probabilities)."""
    if weight is not None or label_smoothing:
        raise NotImplementedError(
            "tinygrad_rnn.torch cross_entropy: weight and label_smoothing are not supported"
        )
    reduction = _reduction(size_average, reduce, reduction)
    _check.tensor("cross_entropy_loss", "input", 1, input)
    _check.tensor("cross_entropy_loss", "target", 2, target)
    _check_reduction(reduction)
    _check.kernel("log_softmax_lastdim_kernel_impl", input)
    _check_ce_shapes(input, target)
    t = np.asarray(getattr(target, "array", target))
    if t.dtype.kind == "f":
        if t.shape != input.array.shape:
            raise RuntimeError(
                f"expected target dtype to be Long or Byte, but got {_check.scalar_name(target) if isinstance(target, TensorBase) else 'Float'}"
            )
        lp = _F.log_softmax(input, 1 if input.array.ndim > 1 else 0)
        loss = -(lp * t.astype(input.array.dtype)).sum(1 if input.array.ndim > 1 else 0)
        if reduction == "mean":
            return loss.mean() if input.array.ndim > 1 else loss
        return loss.sum() if reduction == "sum" else loss
    if np.any(t == ignore_index):
        raise NotImplementedError(
            "tinygrad_rnn.torch cross_entropy: targets equal to ignore_index are not supported"
        )
    return _F.cross_entropy(input, t, reduction)


def _check_reduction(reduction: Any) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_ce_shapes(input: TensorBase, target: TensorBase) -> None:
    """torch's shape checks of cross_entropy (class indices, or probabilities of input's shape)."""
    xs, ts = input.array.shape, target.array.shape
    if not xs:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if target.array.dtype.kind == "f":
        if ts != xs:
            if len(xs) > 1 and (not ts or ts[0] != xs[0]):
                n = ts[0] if ts else 0
                raise ValueError(f"Expected input batch_size ({xs[0]}) to match target batch_size ({n}).")
            raise RuntimeError(
                f"expected target dtype to be Long or Byte, but got {_check.scalar_name(target)}"
            )
        return
    if target.array.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {_check.scalar_name(target)}")
    if len(xs) == 1:
        if ts not in ((), (1,)):
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {ts[0] if ts else 0}"
            )
        return
    if len(ts) > 1 and len(xs) == 2:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if not ts or ts[0] != xs[0]:
        raise ValueError(
            f"Expected input batch_size ({xs[0]}) to match target batch_size ({ts[0] if ts else 0})."
        )
    want = (xs[0],) + xs[2:]
    if ts != want:
        raise RuntimeError(f"Expected target size {list(want)}, got {list(ts)}")
    if target.array.size and (target.array.min() < 0 or target.array.max() >= xs[1]):
        bad = int(target.array.max() if target.array.max() >= xs[1] else target.array.min())
        raise IndexError(f"Target {bad} is out of bounds.")


class MSELoss(Module):
    """mean((input - target)^2) (or sum / none)."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean"):
        super().__init__()
        self.reduction = _reduction(size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(Module):
    """Softmax cross entropy with integer class targets (class dim 1)."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ):
        super().__init__()
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing
        self.reduction = _reduction(size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )
