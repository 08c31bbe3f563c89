"""torch.nn.utils.rnn: PackedSequence and the pack / pad helpers, built from core indexing ops.

A PackedSequence stores the valid steps of a batch time-major ("packed"): rows for t = 0 (one per
sequence still running), then t = 1, ...; batch_sizes[t] says how many. Packing and padding are
single gather ops (core getitem with integer index arrays), so gradients flow through both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from .... import ops
from ....tape import TensorBase
from ... import _check, _dtype
from ..._factories import from_numpy
from ..._tensor import Tensor
from ._packing import packed_layout

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class PackedSequence_(NamedTuple):  # noqa: N801 - torch's name
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """Holds the packed data and batch_sizes (plus the permutation when lengths were unsorted)."""

    def __new__(
        cls,
        data: Any,
        batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """Convert the data's dtype; self if nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def double(self) -> PackedSequence:
        """Data as float64."""
        return self.to(dtype=_dtype.float64)

    def float(self) -> PackedSequence:
        """Data as float32."""
        return self.to(dtype=_dtype.float32)

    def half(self) -> PackedSequence:
        """Data as float16."""
        return self.to(dtype=_dtype.float16)

    def long(self) -> PackedSequence:
        """Data as int64."""
        return self.to(dtype=_dtype.int64)

    def int(self) -> PackedSequence:
        """Data as int32."""
        return self.to(dtype=_dtype.int32)

    def short(self) -> PackedSequence:
        """Data as int16."""
        return self.to(dtype=_dtype.int16)

    def char(self) -> PackedSequence:
        """Data as int8."""
        return self.to(dtype=_dtype.int8)

    def byte(self) -> PackedSequence:
        """Data as uint8."""
        return self.to(dtype=_dtype.uint8)

    def cpu(self) -> PackedSequence:
        """Self."""
        return self

    @property
    def is_cuda(self) -> bool:
        """Always False."""
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation (None stays None)."""
    if permutation is None:
        return None
    _check.tensor("empty_like", "input", 1, permutation)
    p = np.asarray(permutation.array)
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return from_numpy(out)


def _operand_value(v: Any) -> Any:
    return v.array.item() if isinstance(v, TensorBase) else v


def _as_lengths(lengths: Any) -> np.ndarray:
    if isinstance(lengths, str) or (
        isinstance(lengths, (list, tuple)) and any(isinstance(x, str) for x in lengths)
    ):
        raise TypeError("new(): invalid data type 'str'")
    arr = np.asarray(lengths.array if isinstance(lengths, TensorBase) else lengths)
    arr = arr.astype(np.int64)
    if arr.ndim != 1:
        raise RuntimeError(
            f"'lengths' argument should be a 1D CPU int64 tensor, but got {arr.ndim}D cpu Long tensor"
        )
    return arr


def pack_padded_sequence(
    input: Tensor, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded (T, B, *) batch (B, T, * if batch_first) given each sequence's length.

    Unlike torch, a length greater than T raises ValueError (torch packs whatever memory follows).
    """
    _check.tensor("_pack_padded_sequence", "input", 1, input)
    _check.boolean("_pack_padded_sequence", "batch_first", 3, batch_first)
    lens = _as_lengths(lengths)
    if input.dim() < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    T, B = (input.array.shape[1], input.array.shape[0]) if batch_first else input.array.shape[:2]
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lens, kind="stable")  # torch's CPU sort keeps ties in order
        if lens.size > B:
            raise IndexError("index out of range in self")
        lens, sorted_indices, B = lens[order], order, lens.size
    if input.array.size == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lens.size != B:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} (batch_size={B})"
        )
    if lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0"
        )
    if enforce_sorted and np.any(lens[1:] > lens[:-1]):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
            "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement "
            "if you do not need ONNX exportability."
        )
    if lens[0] > T:
        raise ValueError(
            f"pack_padded_sequence: a length of {int(lens[0])} exceeds the padded sequence length {T} "
            f"(input.size({1 if batch_first else 0})); lengths must be at most {T}. (Real torch does not "
            "check this and packs whatever memory follows the input.)"
        )
    batch_sizes = (lens[None, :] > np.arange(int(lens[0]))[:, None]).sum(1).astype(np.int64)
    _, _, (t, b) = packed_layout(batch_sizes, 0)
    src = sorted_indices[b] if sorted_indices is not None else b
    data = input[(src, t) if batch_first else (t, src)]
    return PackedSequence(
        data,
        from_numpy(batch_sizes),
        None if sorted_indices is None else from_numpy(sorted_indices.astype(np.int64)),
        None,
    )


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo packing: (padded batch in the original order, lengths)."""
    _check.boolean("_pad_packed_sequence", "batch_first", 3, batch_first)
    _check.number("_pad_packed_sequence", "padding_value", 4, padding_value)
    bs = np.asarray(sequence.batch_sizes.array, dtype=np.int64)
    max_len = len(bs)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {max_len}"
            )
        max_len = total_length
    data = sequence.data
    n = data.array.shape[0]
    index, lengths, _ = packed_layout(bs, n)
    if max_len > len(bs):
        index = np.concatenate([index, np.full((max_len - len(bs), index.shape[1]), n, np.int64)])
    if sequence.unsorted_indices is not None:
        u = np.asarray(sequence.unsorted_indices.array)
        index, lengths = index[:, u], lengths[u]
    pad = np.full((1,) + data.array.shape[1:], padding_value, dtype=data.array.dtype)
    padded = ops.concat([data, pad], 0)[index.T if batch_first else index]
    return padded, from_numpy(lengths)


def pad_sequence(
    sequences: Any, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Stack variable-length (L, *) sequences into (T, B, *) (B, T, * if batch_first), padding with a value."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            f"pad_sequence: Expected iterable for input sequences, but got arg of type: {type(sequences)}"
        )
    seqs = tuple(sequences)
    _check.boolean("pad_sequence", "batch_first", 2, batch_first)
    _check.number("pad_sequence", "padding_value", 3, padding_value)
    padding_value = float(_operand_value(padding_value))
    for i, s in enumerate(seqs):
        if not isinstance(s, TensorBase):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(s).__name__}")
        if s.array.ndim == 0:
            raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    trailing = seqs[0].array.shape[1:]
    for s in seqs[1:]:
        rest = s.array.shape[1:]
        for j, (a, c) in enumerate(zip(trailing, rest)):
            if a != c:
                raise RuntimeError(
                    f"The size of tensor a ({a}) must match the size of tensor b ({c}) at non-singleton dimension {j + 1}"
                )
    T = max(s.array.shape[0] for s in seqs)
    cols = []
    for s in seqs:
        k = T - s.array.shape[0]
        if k:
            pad = np.full((k,) + trailing, padding_value, dtype=s.array.dtype)
            s = ops.concat([s, pad] if padding_side == "right" else [pad, s], 0)
        cols.append(s)
    return ops.stack(cols, 0 if batch_first else 1)


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """pad_sequence followed by pack_padded_sequence."""
    for s in sequences:
        if isinstance(s, TensorBase) and s.array.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The list of unpadded sequences (torch's errors: it zips the batch with lengths, strictly)."""
    if not isinstance(padded_sequences, TensorBase):
        raise AttributeError(f"'{type(padded_sequences).__name__}' object has no attribute 'transpose_'")
    if not isinstance(lengths, TensorBase):
        raise AttributeError(f"'{type(lengths).__name__}' object has no attribute 'device'")
    if lengths.array.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    lens = _as_lengths(lengths)
    if x.array.shape[0] != lens.size:
        side = "shorter" if lens.size < x.array.shape[0] else "longer"
        raise ValueError(f"zip() argument 2 is {side} than argument 1")
    return [x[b, : int(n)] for b, n in enumerate(lens)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences a PackedSequence holds."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
