"""The package's random generator: one seeded numpy Generator for init and dropout."""

from __future__ import annotations

import numpy as np

_GEN = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Reseed the generator used for initialisation and dropout masks."""
    global _GEN
    _GEN = np.random.default_rng(int(seed))


def generator() -> np.random.Generator:
    """The current generator."""
    return _GEN
