"""torch.nn.Embedding, F.embedding and F.one_hot, built from the core's getitem (gather) op.

A lookup is `weight[indices]`, whose backward adds each gradient row into its weight row (repeated
indices add up), and is differentiable again. padding_idx and scale_grad_by_freq only change the
gradient: the output is `w[i] + (weight[indices] - w[i]) * s` with `w[i]` a constant copy and `s` the
per-lookup gradient scale (0 at padding_idx, 1/count with scale_grad_by_freq): the forward values are
exactly the rows, and the gradient is scaled by s.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ops
from ...random import generator
from ...tape import TensorBase, no_grad
from .. import _check, _dtype
from .._factories import make
from .._tensor import Tensor
from .modules import Module
from .parameter import Parameter

__all__ = ["Embedding", "embedding", "one_hot"]

_LEGACY_NAME = {
    "f4": "Float",
    "f8": "Double",
    "f2": "Half",
    "u1": "Byte",
    "b1": "Bool",
    "i2": "Short",
    "i1": "Char",
}


def _qualified(v: Any) -> str:
    t = type(v)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _padding_index(padding_idx: int | None, n: int) -> int | None:
    """padding_idx checked against n rows and made non-negative (torch's assertions)."""
    if padding_idx is None:
        return None
    if padding_idx > 0 and padding_idx >= n:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if padding_idx < 0:
        if padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx += n
    return padding_idx


def _check_indices(input: Any, weight: Any, padding_idx: Any) -> np.ndarray:
    if not isinstance(input, TensorBase):
        raise TypeError(
            f"embedding(): argument 'indices' (position 2) must be Tensor, not {_qualified(input)}"
        )
    if not isinstance(weight, TensorBase):
        raise TypeError(
            f"embedding(): argument 'weight' (position 1) must be Tensor, not {_qualified(weight)}"
        )
    if padding_idx is not None and not _check.is_int(padding_idx):
        raise TypeError(
            f"embedding(): argument 'padding_idx' (position 3) must be int, not {_check.type_name(padding_idx)}"
        )
    if weight.array.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if weight.array.shape[0] == 0 and input.array.size:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    idx = input.array
    if idx.dtype not in (np.int64, np.int32):
        d = np.dtype(idx.dtype)
        name = _LEGACY_NAME.get(f"{d.kind}{d.itemsize}", d.name)
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got torch.{name}Tensor instead (while checking arguments for embedding)"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= weight.array.shape[0]):
        raise IndexError("index out of range in self")
    return idx.astype(np.int64)


def _renorm(weight: TensorBase, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """torch's embedding_renorm_: rows looked up whose norm exceeds max_norm are scaled down in place."""
    rows = np.unique(idx)
    w = weight.array
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """weight[input]: rows of weight (no gradient reaches row padding_idx). sparse=True: a dense grad."""
    if padding_idx is not None:  # torch reads weight.size(0) first, as a method call
        if not isinstance(weight, TensorBase):
            raise AttributeError(f"'{type(weight).__name__}' object has no attribute 'size'")
        if weight.array.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        padding_idx = _padding_index(padding_idx, weight.array.shape[0])
    idx = _check_indices(input, weight, padding_idx)
    if max_norm is not None:
        with no_grad():
            _renorm(weight, idx, float(max_norm), float(norm_type))
    picked = ops.getitem(weight, idx)
    if (padding_idx is None and not scale_grad_by_freq) or not weight.requires_grad:
        return picked  # the scaling below only shapes the gradient
    scale = np.ones(idx.shape, weight.array.dtype)
    if scale_grad_by_freq:
        values, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
        scale = (1.0 / counts[inverse.reshape(idx.shape)]).astype(weight.array.dtype)
    if padding_idx is not None:
        scale[idx == padding_idx] = 0
    const = weight.array[idx]  # the same values, as a constant: the output is picked, its grad scaled
    return (picked - const) * scale[..., None] + const


class Embedding(Module):
    """A lookup table of num_embeddings vectors of size embedding_dim, initialised N(0, 1)."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _dtype.check_device(device)
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            shape = _check.new_weight_shape(num_embeddings, embedding_dim)
            d = _dtype.to_np(dtype) or _dtype.default_float()
            self.weight = Parameter(make(np.empty(shape, d)), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """N(0, 1) from the package generator, the padding row zero."""
        w = self.weight.array
        w[...] = generator().standard_normal(w.shape).astype(w.dtype)
        if self.padding_idx is not None:
            if not isinstance(self.padding_idx, (int, np.integer)):  # torch zeroes weight[padding_idx]
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                    f"valid indices (got {type(self.padding_idx).__name__})"
                )
            w[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight shares embeddings' data (frozen unless freeze=False)."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(
            rows,
            cols,
            _weight=embeddings,
            _freeze=freeze,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
        )


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """(*, num_classes) int64 tensor with a 1 at each index (num_classes=-1: max + 1)."""
    _check.tensor("one_hot", "input", 1, tensor)
    if num_classes is None or isinstance(num_classes, bool) or not _check.is_int(num_classes):
        pos = "" if num_classes is None else " (position 2)"
        raise TypeError(
            f"one_hot(): argument 'num_classes'{pos} must be int, not {_check.type_name(num_classes)}"
        )
    idx = tensor.array
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    n = int(num_classes)
    if n == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        n = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= n:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return make((idx[..., None] == np.arange(max(n, 0))).astype(np.int64))
