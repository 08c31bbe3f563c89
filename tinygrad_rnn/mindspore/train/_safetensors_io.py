"""safetensors files as MindSpore 2.x writes them (``save_checkpoint(..., format="safetensors")``).

Written with the ``safetensors`` package (``safetensors.numpy.save``), as MindSpore does: tensors in name
order, metadata ``{"format": "ms"}`` (plus ``"crc_num"`` with crc_check: a CRC32 chained over each name's
UTF-8 bytes then its tensor's bytes, in name order), no metadata at all for an empty file. A str value is
passed on to safetensors, which refuses it (as it does for MindSpore: strings cannot be stored).

Read with ``safetensors.deserialize``, which checks the header's JSON, dtypes, shapes and offsets against
the data; before it sees the file, the 8-byte header length is checked against the file's size and
safetensors' own 100 MB header limit, so a header claiming terabytes is refused without allocating it.
``BF16`` tensors are read widened to float32 (exact), because our frontend has no bfloat16 dtype and
``safetensors.numpy`` maps none; other dtypes MindSpore cannot load (F8 ...) are refused.
"""

from __future__ import annotations

import binascii
import struct
from collections import OrderedDict
from collections.abc import Iterable
from typing import IO

import numpy as np

from ..._io import CorruptFileError, parse_json

MAX_HEADER = 100_000_000  # safetensors refuses larger headers too
MAX_CRC_ZEROS = 1 << 28  # see _crc: the largest 0-d integer whose CRC we compute (256 MiB of zeros)
_ZEROS = memoryview(bytes(1 << 20))
TYPES: dict[str, np.dtype] = {
    name: np.dtype(code)
    for name, code in (
        ("F16", "<f2"),
        ("F32", "<f4"),
        ("F64", "<f8"),
        ("I8", "i1"),
        ("I16", "<i2"),
        ("I32", "<i4"),
        ("I64", "<i8"),
        ("U8", "u1"),
        ("U16", "<u2"),
        ("U32", "<u4"),
        ("U64", "<u8"),
        ("BOOL", "?"),
        ("BF16", "<u2"),
    )
}


def looks_like(head: bytes, size: int) -> bool:
    """Whether a file of `size` bytes starting with `head` (>= 9 bytes) can be a safetensors file."""
    if len(head) < 9:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 2 <= n <= min(size - 8, MAX_HEADER) and head[8:9] == b"{"


def _header(data: bytes) -> dict:
    """The header JSON of a safetensors file, its claimed length checked against the bytes first."""
    if len(data) < 8:
        raise CorruptFileError(f"{len(data)} bytes: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8 or n > MAX_HEADER:
        raise CorruptFileError(
            f"the header claims {n} bytes but the file has {len(data) - 8} after the length"
        )
    header = parse_json(bytes(data[8 : 8 + n]).decode("utf-8", "replace"), "the safetensors header")
    if not isinstance(header, dict):
        raise CorruptFileError("the safetensors header is not a JSON object")
    return header


def _crc(name: str, arr: np.ndarray, crc: int) -> int:
    """The CRC32 MindSpore chains for one tensor: its name's UTF-8 bytes, then ``bytes(array)``.

    ``bytes()`` of a 0-d integer array is Python's ``bytes(n)``: n zero bytes, not the array's bytes. We
    hash the same (so CRCs agree both ways) in 1 MiB steps without allocating them, for 0 <= n <=
    MAX_CRC_ZEROS; beyond that (MindSpore would allocate n bytes) or below 0 (MindSpore fails) we refuse.
    """
    crc = binascii.crc32(name.encode(), crc)
    if arr.ndim == 0 and arr.dtype.kind in "iu":
        n = int(arr)
        if not 0 <= n <= MAX_CRC_ZEROS:
            raise CorruptFileError(
                f"crc_check: MindSpore's CRC hashes the 0-d integer {name!r} = {n} as {n} zero bytes "
                f"(Python's bytes(array)); only values in [0, {MAX_CRC_ZEROS}] are hashed here"
            )
        while n:
            step = min(n, len(_ZEROS))
            crc = binascii.crc32(_ZEROS[:step], crc)
            n -= step
        return crc
    return binascii.crc32(arr.tobytes(), crc)


def read(data: bytes, crc_check: bool = False) -> tuple[OrderedDict[str, np.ndarray], dict[str, str]]:
    """(name -> array in name order, metadata) of a safetensors file's bytes; CorruptFileError if bad."""
    from safetensors import deserialize

    header = _header(data)
    try:
        tensors = deserialize(data)  # validates offsets, shapes and sizes against the data
    except Exception as e:  # noqa: BLE001 - SafetensorError and whatever the parser raises for bad input
        raise CorruptFileError(f"{type(e).__name__}: {e}") from None
    meta = header.get("__metadata__") or {}
    check = crc_check and "crc_num" in meta
    out: OrderedDict[str, np.ndarray] = OrderedDict()
    crc = 0
    for name, view in sorted(tensors, key=lambda t: t[0]):
        dtype = TYPES.get(view["dtype"])
        if dtype is None:
            raise CorruptFileError(f"{name!r}: dtype {view['dtype']!r} is not supported")
        raw = np.frombuffer(view["data"], dtype=dtype).reshape(view["shape"])
        if view["dtype"] == "BF16":
            out[name] = (
                (raw.astype(np.uint32).reshape(-1) << np.uint32(16)).view(np.float32).reshape(raw.shape)
            )
            raw = raw.reshape(-1)  # hashed as its stored bytes (a float: never the 0-d integer rule)
        else:
            out[name] = raw.astype(dtype.newbyteorder("="))
        if check:
            crc = _crc(name, raw, crc)
    if check and str(crc) != str(meta["crc_num"]):
        raise CorruptFileError("the crc check has failed, the file is damaged")
    return out, meta


def write(fh: IO[bytes], items: Iterable[tuple[str, np.ndarray | str]], crc_check: bool = False) -> None:
    """Write the named values as MindSpore writes safetensors (a str raises safetensors' own error)."""
    from safetensors.numpy import save

    tensors = {name: np.asarray(value, order="C") for name, value in items}  # a str: safetensors refuses it
    meta = {"format": "ms"}
    if crc_check:
        crc = 0
        for name in sorted(tensors):
            crc = _crc(name, tensors[name], crc)
        meta["crc_num"] = str(crc)
    fh.write(save(tensors, metadata=meta if tensors else None))
