"""Keep freed memory in the process, so that large arrays do not page-fault at every call (glibc).

glibc serves an allocation of at least M_MMAP_THRESHOLD bytes (128 KiB at start, raised to the
size of the largest block freed so far, up to 32 MiB) with fresh pages from the kernel and gives
them back on free; it also gives back the free top of its heap beyond M_TRIM_THRESHOLD. A forward
and backward through an unrolled RNN allocates and frees arrays of the same large sizes at every
call (the stacked outputs, the stacked step gradients), so every call faults all of them back in.
Measured on the benchmark's W4 (seq 200, batch 64, 256 -> 512): about 13,000 page faults and
265-316 ms per call in a fresh process, 0 faults and 223-234 ms with the thresholds fixed below.
A process that had run torch first happened to be in the fast state, so the speed looked random.

Fixing the thresholds keeps freed memory for reuse (up to TRIM_THRESHOLD of it), as torch's own
caching allocator does for its tensors. Set TINYGRAD_RNN_SYSTEM_MALLOC=1 to leave glibc's defaults.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20  # glibc's own maximum for the dynamic threshold on 64-bit
TRIM_THRESHOLD = 256 * 2**20


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds; True if they were set (glibc on Linux, not opted out)."""
    if not sys.platform.startswith("linux") or os.environ.get("TINYGRAD_RNN_SYSTEM_MALLOC"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to ask, or one without mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    # musl's mallopt is a stub that returns 0: then nothing changed and we say so
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
