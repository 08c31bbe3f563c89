"""The packed layout's index arithmetic, shared by nn.utils.rnn (pack / pad) and nn.RNN (packed input).

A PackedSequence stores the valid steps of a batch time-major: rows for t = 0 (one per sequence still
running), then t = 1, ...; batch_sizes[t] says how many. Everything here is numpy index math: the
tensors themselves move with single gather ops (core getitem), so gradients flow through them.
"""

from __future__ import annotations

import numpy as np


def packed_layout(
    batch_sizes: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """For packed data of n_rows rows: the (T, B) row index of every padded slot (n_rows where the
    slot is padding), each sequence's length, and the (t, b) position of every packed row."""
    T = len(batch_sizes)
    B = int(batch_sizes[0]) if T else 0
    t = np.repeat(np.arange(T), batch_sizes)
    b = np.concatenate([np.arange(k) for k in batch_sizes]) if T else np.zeros(0, np.int64)
    index = np.full((T, B), n_rows, dtype=np.int64)
    index[t, b] = np.arange(t.size)
    lengths = (batch_sizes[:, None] > np.arange(B)[None, :]).sum(0).astype(np.int64)
    return index, lengths, (t, b)
