"""MindSpore's protobuf checkpoint (``.ckpt``): a small reader and writer of the wire format, no dependency.

The file is MindSpore 2.10's ``checkpoint.proto`` (proto2), serialised as a run of ``Checkpoint``
messages, one per parameter (or per 512 MiB slice of a large one; consecutive slices of one name are
concatenated on load), optionally followed by ``b"crc_num"`` and a 10-byte big-endian CRC32 of everything
before it::

    message Checkpoint  { repeated Value value = 1;
                          message Value { required string tag = 1;
                                          oneof value { TensorProto tensor = 2; MapTensorProto maptensor = 3; } } }
    message TensorProto { repeated int64 dims = 1; required string tensor_type = 2;
                          required bytes tensor_content = 3; }

Why not the ``protobuf`` runtime: the message has three fields, and parsing it ourselves lets every claim
be checked before anything is allocated: every varint is at most 10 bytes and must fit in 64 bits, every
length must fit in the bytes left in its enclosing message, and a tensor's content length must equal
prod(dims) * itemsize (Python ints, no overflow) before an array is made. The only allocations are the file's
bytes (read once), one array copy per parameter and a small record per name, so memory is linear in the
file size. The protobuf runtime is used in the tests to cross-check our bytes against MindSpore's own
``checkpoint_pb2``.

Decisions, stricter than protobuf where a checkpoint could not be meant:

- Unknown field numbers are skipped (wire types 0, 1, 2 and 5), as protobuf does, so a later MindSpore
  that adds a field stays readable. Group wire types (3, 4) and the undefined 6 and 7 are refused.
- A known field with the wrong wire type is refused (protobuf would skip it as unknown).
- ``dims`` may be unpacked (what proto2 writes) or packed; a negative dim, more than 32 dims (numpy's
  limit) or a product that disagrees with the content length is refused. ``dims == [0]`` with one
  element of content is a 0-d tensor, as MindSpore reads it; with no content it is shape (0,).
- A Value without a tensor (a MapParameter: ``maptensor``) or without a tag, a TensorProto without
  its tensor_type or content, or a second ``tensor`` in one Value is refused.
- The tensor types are MindSpore's names (``Float32``, ``UInt8``, ``Bool``, ``str`` ...). ``BFloat16``
  is read widened to float32 (exact: a bfloat16 is the top 16 bits of a float32) because our frontend has
  no bfloat16 dtype; ``Int4`` and unknown names are refused.

Every failure raises CorruptFileError (a ValueError) with what was wrong and where.
"""

from __future__ import annotations

import binascii
import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import IO, Any

import numpy as np

from ..._io import CorruptFileError

# MindSpore's tensor_type names and the little-endian numpy dtypes of their bytes
TYPES: dict[str, np.dtype] = {
    name: np.dtype(code)
    for name, code in (
        ("Float16", "<f2"),
        ("Float32", "<f4"),
        ("Float64", "<f8"),
        ("Int8", "i1"),
        ("Int16", "<i2"),
        ("Int32", "<i4"),
        ("Int64", "<i8"),
        ("UInt8", "u1"),
        ("UInt16", "<u2"),
        ("UInt32", "<u4"),
        ("UInt64", "<u8"),
        ("Bool", "?"),
    )
}
BFLOAT16 = "BFloat16"
STRING = "str"
NAMES: dict[np.dtype, str] = {dt.newbyteorder("="): name for name, dt in TYPES.items()}
SLICE_BYTES = 512 * 1024 * 1024  # MindSpore writes a larger tensor as consecutive slices of this size
CRC_MARK = b"crc_num"
MAX_DIMS = 32
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


# ---------------------------------------------------------------------------------------------
# reading


def _varint(buf: memoryview, pos: int, end: int) -> tuple[int, int]:
    """(value, next position) of the varint at buf[pos:end]; at most 10 bytes, value < 2**64."""
    value = shift = 0
    for i in range(10):
        if pos + i >= end:
            raise CorruptFileError(f"a varint at byte {pos} runs past the end of its message")
        byte = buf[pos + i]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            if value >= 1 << 64:
                raise CorruptFileError(f"the varint at byte {pos} overflows 64 bits")
            return value, pos + i + 1
        shift += 7
    raise CorruptFileError(f"the varint at byte {pos} is longer than 10 bytes")


def _fields(buf: memoryview, pos: int, end: int) -> Iterator[tuple[int, int, Any, int]]:
    """(field number, wire type, value, position) of each field in buf[pos:end]: an int for a varint,
    (start, stop) for a length-delimited field; fixed-width fields are skipped over (value None)."""
    while pos < end:
        at = pos
        key, pos = _varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise CorruptFileError(f"field number 0 at byte {at}")
        if wire == _VARINT:
            value, pos = _varint(buf, pos, end)
        elif wire == _LEN:
            length, pos = _varint(buf, pos, end)
            if length > end - pos:
                raise CorruptFileError(
                    f"field {number} at byte {at} claims {length} bytes but only {end - pos} are left"
                )
            value, pos = (pos, pos + length), pos + length
        elif wire in (_I64, _I32):
            width = 8 if wire == _I64 else 4
            if width > end - pos:
                raise CorruptFileError(f"field {number} at byte {at} runs past the end of its message")
            value, pos = None, pos + width
        else:
            raise CorruptFileError(f"field {number} at byte {at} has wire type {wire} (groups are not read)")
        yield number, wire, value, at


def _expect(number: int, wire: int, want: int, at: int, what: str) -> None:
    if wire != want:
        raise CorruptFileError(f"{what} (field {number}) at byte {at} has wire type {wire}, expected {want}")


def _text(buf: memoryview, span: tuple[int, int], what: str) -> str:
    try:
        return bytes(buf[span[0] : span[1]]).decode("utf-8")
    except UnicodeDecodeError:
        raise CorruptFileError(f"{what} at byte {span[0]} is not UTF-8") from None


def _dims(buf: memoryview, wire: int, value: Any, at: int, dims: list[int]) -> None:
    """Append one unpacked dim or a packed run of them, refusing negatives and too many."""
    if wire == _VARINT:
        raw = [value]
    elif wire == _LEN:
        raw, pos = [], value[0]
        while pos < value[1]:
            v, pos = _varint(buf, pos, value[1])
            raw.append(v)
    else:
        raise CorruptFileError(f"dims (field 1) at byte {at} has wire type {wire}")
    for v in raw:
        if v >= 1 << 63:
            raise CorruptFileError(f"a negative dimension {v - (1 << 64)} at byte {at}")
        dims.append(v)
    if len(dims) > MAX_DIMS:
        raise CorruptFileError(f"a tensor with more than {MAX_DIMS} dimensions at byte {at}")


def _tensor(buf: memoryview, start: int, end: int) -> tuple[tuple[int, ...], str, memoryview]:
    """(dims, tensor_type, content) of the TensorProto in buf[start:end]."""
    dims: list[int] = []
    ttype = content = None
    for number, wire, value, at in _fields(buf, start, end):
        if number == 1:
            _dims(buf, wire, value, at, dims)
        elif number == 2:
            _expect(number, wire, _LEN, at, "tensor_type")
            ttype = _text(buf, value, "tensor_type")
        elif number == 3:
            _expect(number, wire, _LEN, at, "tensor_content")
            content = buf[value[0] : value[1]]
        # other field numbers: unknown, skipped
    if ttype is None or content is None:
        raise CorruptFileError(f"the tensor at byte {start} has no tensor_type or no tensor_content")
    return tuple(dims), ttype, content


def _value(buf: memoryview, start: int, end: int) -> tuple[str, tuple[int, ...], str, memoryview]:
    """(tag, dims, tensor_type, content) of the Checkpoint.Value in buf[start:end]."""
    tag = tensor = None
    for number, wire, value, at in _fields(buf, start, end):
        if number == 1:
            _expect(number, wire, _LEN, at, "tag")
            tag = _text(buf, value, "tag")
        elif number == 2:
            _expect(number, wire, _LEN, at, "tensor")
            if tensor is not None:
                raise CorruptFileError(f"a second tensor in one value at byte {at}")
            tensor = _tensor(buf, *value)
        elif number == 3:
            raise CorruptFileError(f"a map parameter (maptensor) at byte {at}: not supported here")
    if tag is None or tensor is None:
        raise CorruptFileError(f"the value at byte {start} has no tag or no tensor")
    return (tag, *tensor)


def values(buf: memoryview) -> Iterator[tuple[str, tuple[int, ...], str, memoryview]]:
    """(tag, dims, tensor_type, content) of every Checkpoint.Value in a .ckpt's bytes (no CRC trailer)."""
    for number, wire, value, at in _fields(buf, 0, len(buf)):
        if number == 1:
            _expect(number, wire, _LEN, at, "value")
            yield _value(buf, *value)


def strip_crc(data: bytes, check: bool) -> tuple[memoryview, bool]:
    """(the protobuf bytes, whether a CRC trailer was there); with `check`, a wrong CRC is refused."""
    if data[-17:-10] != CRC_MARK:
        return memoryview(data), False
    body = memoryview(data)[:-17]
    if check and binascii.crc32(body) != int.from_bytes(data[-10:], "big"):
        raise CorruptFileError("the crc check is failed, the file is damaged")
    return body, True


def _array(tag: str, dims: tuple[int, ...], ttype: str, content: bytes) -> np.ndarray | str:
    """The value of one parameter, every size checked before the array is made."""
    if ttype == STRING:
        if len(content) % 4:
            raise CorruptFileError(f"{tag!r}: a string of {len(content)} bytes, not UTF-32")
        try:
            return content.decode("utf-32-le").rstrip("\x00")  # numpy's "U" drops trailing NULs too
        except UnicodeDecodeError:
            raise CorruptFileError(f"{tag!r}: the string is not valid UTF-32") from None
    dtype = TYPES["UInt16"] if ttype == BFLOAT16 else TYPES.get(ttype)
    if dtype is None:
        raise CorruptFileError(f"{tag!r}: tensor_type {ttype[:40]!r} is not supported")
    if dims == (0,) and len(content) == dtype.itemsize:
        dims = ()  # MindSpore reads dims [0] as a 0-d tensor
    want = math.prod(dims) * dtype.itemsize
    if want != len(content):
        raise CorruptFileError(
            f"{tag!r}: dims {list(dims)[:8]} of {ttype} need {want} bytes but the content has {len(content)}"
        )
    try:
        arr = np.frombuffer(content, dtype=dtype).reshape(dims)
    except ValueError as e:  # e.g. a 0 dim beside dims whose product overflows numpy's sizes
        raise CorruptFileError(f"{tag!r}: dims {list(dims)[:8]}: {e}") from None
    if ttype == BFLOAT16:
        return (arr.astype(np.uint32).reshape(-1) << np.uint32(16)).view(np.float32).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))  # a writable, native-order copy


def read(data: bytes, crc_check: bool = False) -> tuple[OrderedDict[str, np.ndarray | str], bool]:
    """(name -> array or str, whether the file had a CRC) of a .ckpt's bytes; CorruptFileError if bad.

    Consecutive values of one name are slices of one tensor, joined; a name repeated later replaces the
    earlier value in its first position (as MindSpore's dict does).
    """
    body, had_crc = strip_crc(data, crc_check)
    out: OrderedDict[str, np.ndarray | str] = OrderedDict()
    group: list[tuple[str, tuple[int, ...], str, memoryview]] = []
    for item in values(body):
        if group and item[0] != group[0][0]:
            out[group[0][0]] = _joined(group)
            group = []
        group.append(item)
    if group:
        out[group[0][0]] = _joined(group)
    return out, had_crc


def _joined(group: list[tuple[str, tuple[int, ...], str, memoryview]]) -> np.ndarray | str:
    tag, dims, ttype, _ = group[0]
    if any(g[1] != dims or g[2] != ttype for g in group):
        raise CorruptFileError(f"{tag!r}: its slices disagree on dims or tensor_type")
    content = b"".join(g[3] for g in group)  # at most the file's size
    return _array(tag, dims, ttype, content)


# ---------------------------------------------------------------------------------------------
# writing


def _varint_bytes(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _len_field(number: int, length: int) -> bytes:
    return _varint_bytes(number << 3 | _LEN) + _varint_bytes(length)


def _record_head(tag: str, dims: Iterable[int], ttype: str, content_len: int) -> bytes:
    """Every byte of one Checkpoint{value: Value{tag, tensor}} before the tensor's content."""
    tensor = b"".join(_varint_bytes(1 << 3 | _VARINT) + _varint_bytes(d) for d in dims)
    type_bytes = ttype.encode()
    tensor += _len_field(2, len(type_bytes)) + type_bytes + _len_field(3, content_len)
    tag_bytes = tag.encode()
    value = _len_field(1, len(tag_bytes)) + tag_bytes + _len_field(2, len(tensor) + content_len)
    value += tensor
    return _len_field(1, len(value) + content_len) + value


def encode(name: str, value: np.ndarray | str) -> tuple[list[int], str, memoryview]:
    """(dims, tensor_type, content bytes) MindSpore writes for an array or a str (TypeError if neither
    a numeric array of a type MindSpore stores nor a str)."""
    if isinstance(value, str):
        text = np.asarray(value, dtype=f"<U{max(1, len(value))}")  # MindSpore: np.array(s).tobytes()
        return [0], STRING, memoryview(text.tobytes())
    ttype = NAMES.get(value.dtype.newbyteorder("="))
    if ttype is None:
        raise TypeError(f"For 'save_checkpoint', {name}: arrays of dtype {value.dtype} cannot be saved")
    little = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<"))
    return list(value.shape), ttype, memoryview(little.reshape(-1).view(np.uint8))


def write(fh: IO[bytes], items: Iterable[tuple[str, np.ndarray | str]], crc_check: bool = False) -> None:
    """Write the named values as MindSpore's .ckpt (slices of 512 MiB; with crc_check, the CRC trailer)."""
    crc = 0
    for name, value in items:
        dims, ttype, content = encode(name, value)
        for start in range(0, max(len(content), 1), SLICE_BYTES):
            piece = content[start : start + SLICE_BYTES]
            head = _record_head(name, dims, ttype, len(piece))
            fh.write(head)
            fh.write(piece)
            if crc_check:
                crc = binascii.crc32(piece, binascii.crc32(head, crc))
    if crc_check:
        fh.write(CRC_MARK + crc.to_bytes(10, "big"))
