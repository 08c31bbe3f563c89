"""torch.cuda: there is no GPU here."""

from __future__ import annotations


def is_available() -> bool:
    """Always False: tinygrad_rnn runs on numpy."""
    return False


def device_count() -> int:
    """Always 0."""
    return 0
