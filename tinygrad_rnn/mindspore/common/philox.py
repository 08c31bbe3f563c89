"""MindSpore's initializer random streams, reproduced in numpy (seeded weights equal to real MindSpore's).

MindSpore's initializers take one seed from numpy's global generator
(``np.random.randint(1, 2**63, dtype=int64)``, so ``set_seed`` fixes it) and fill the array on the CPU
with a Philox-4x32-10 counter generator: the key is the seed, the counter starts at (0, 0, seed_lo,
seed_hi) and each block of 4 uint32 words advances counter word 0. The distributions then compute in
double precision with float32 parameters:

- uniform: ``a + (b - a) * word / 2**32``;
- normal: Box-Muller on word pairs, u = (mantissa bits of the word as a float in [1, 2)) - 1, clipped
  to 1e-7, with float32 pi: ``mean + sigma * sqrt(-2 ln u1) * (cos, sin)(2 pi u2)``.

Both were checked word for word against ``mindspore._c_expression._random_uniform`` / ``_random_normal``
of MindSpore 2.10.0 (parallel filling splits the buffer at even offsets, so the result does not depend
on the thread count).
"""

from __future__ import annotations

import numpy as np

_M32 = np.uint64(0xFFFFFFFF)
_MUL = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))
_KEY_STEP = (np.uint64(0x9E3779B9), np.uint64(0xBB67AE85))
_PI = float(np.float32(3.1415926))
_TINY = float(np.float32(1.0e-7))


def numpy_seed() -> int:
    """The seed an initializer takes from numpy's global generator (as MindSpore's do)."""
    return int(np.random.randint(low=1, high=(1 << 63), dtype=np.int64))


def words(seed: int, n: int) -> np.ndarray:
    """The first n uint32 words of the Philox stream for `seed`."""
    s = np.uint64(seed)
    block = np.arange((n + 3) // 4, dtype=np.uint64)
    c0, c1 = block & _M32, block >> np.uint64(32)
    c2 = np.full_like(block, s & _M32)
    c3 = np.full_like(block, s >> np.uint64(32))
    k0, k1 = s & _M32, s >> np.uint64(32)
    for _ in range(10):
        p0, p1 = _MUL[0] * c0, _MUL[1] * c2
        c0, c1, c2, c3 = (
            (p1 >> np.uint64(32)) ^ c1 ^ k0,
            p1 & _M32,
            (p0 >> np.uint64(32)) ^ c3 ^ k1,
            p0 & _M32,
        )
        k0, k1 = (k0 + _KEY_STEP[0]) & _M32, (k1 + _KEY_STEP[1]) & _M32
    return np.stack([c0, c1, c2, c3], 1).reshape(-1)[:n].astype(np.uint32)


def uniform(shape: tuple[int, ...], a: float, b: float, seed: int) -> np.ndarray:
    """float32 samples in [a, b) as MindSpore's initializers draw them."""
    n = int(np.prod(shape, dtype=np.int64))
    lo, hi = float(np.float32(a)), float(np.float32(b))
    s = words(seed, n).astype(np.float64) / 2.0**32
    return ((hi - lo) * s + lo).astype(np.float32).reshape(shape)


def normal(shape: tuple[int, ...], mean: float, sigma: float, seed: int) -> np.ndarray:
    """float32 normal samples as MindSpore's initializers draw them."""
    n = int(np.prod(shape, dtype=np.int64))
    w = words(seed, 2 * ((n + 1) // 2))
    u = ((w & np.uint32(0x7FFFFF)) | np.uint32(127 << 23)).view(np.float32) - np.float32(1.0)
    u = np.maximum(u.astype(np.float64), _TINY)
    r = np.sqrt(-2.0 * np.log(u[0::2])) * float(np.float32(sigma))
    angle = 2.0 * _PI * u[1::2]
    m = float(np.float32(mean))
    pairs = np.stack([m + r * np.cos(angle), m + r * np.sin(angle)], 1).reshape(-1)
    return pairs[:n].astype(np.float32).reshape(shape)
