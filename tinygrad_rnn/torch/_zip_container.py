"""The zip container of torch's file format: writing it as torch 2.x does, reading it without trusting it.

torch.save writes an uncompressed zip whose members all sit in one folder (``archive/`` by default):
``data.pkl`` (the pickled object), ``data/<key>`` (one raw storage each), ``version``, ``byteorder``,
``.format_version``, ``.storage_alignment`` and ``.data/serialization_id``. Every member's data starts
at a multiple of 64 bytes (torch pads the local header's extra field with an ``FB`` record) so that a
reader can mmap storages in place.

Reading accepts any single top-level folder name (torch names it after the file), stored members only,
each once, every size checked against the size of the file before anything is read; the CRC of each
member is verified as it is read. A file that is no zip at all raises NotAnArchiveError; a damaged zip
raises DamagedArchiveError.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from typing import IO, Any

from .._io import ZIP_ERRORS, CorruptFileError, check_magic

ALIGNMENT = 64  # torch's .storage_alignment: the data of every record starts at a multiple of it
_LOCAL = struct.Struct("<IHHHHHIIIHH")  # local file header (30 bytes)
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # central directory entry (46 bytes)
_END = struct.Struct("<IHHHHIIH")  # end of central directory record (22 bytes)
_UTF8 = 0x800  # general purpose flag: the name is UTF-8
_LIMIT = 0xFFFFFFFF  # beyond this a zip needs zip64 records, which this writer does not emit


class DamagedArchiveError(CorruptFileError):
    """A zip archive that is truncated, tampered with or not laid out as torch writes it."""


def _padding(offset: int, name: bytes) -> bytes:
    """The ``FB`` extra field that puts the data of a record starting at `offset` on ALIGNMENT."""
    start = offset + _LOCAL.size + len(name) + 4  # 4: the extra field's own header
    pad = -start % ALIGNMENT
    return b"FB" + struct.pack("<H", pad) + b"Z" * pad


def write_archive(fh: IO[bytes], records: list[tuple[str, bytes]], folder: str = "archive") -> None:
    """Write `records` (name inside the folder, data) to `fh` as torch's uncompressed, aligned zip."""
    start = fh.tell()
    central = []
    offset = 0
    for name, data in records:
        raw = f"{folder}/{name}".encode()
        extra = _padding(offset, raw)
        crc = zlib.crc32(data)
        if len(data) > _LIMIT or offset > _LIMIT:
            raise ValueError(
                "torch.save: the file would exceed 4 GiB, which needs zip64 records (not written)"
            )
        fh.write(_LOCAL.pack(0x04034B50, 20, _UTF8, 0, 0, 0, crc, len(data), len(data), len(raw), len(extra)))
        fh.write(raw + extra)
        fh.write(data)
        central.append(
            _CENTRAL.pack(
                0x02014B50, 20, 20, _UTF8, 0, 0, 0, crc, len(data), len(data), len(raw), 0, 0, 0, 0, 0, offset
            )
            + raw
        )
        offset = fh.tell() - start
    directory = b"".join(central)
    fh.write(directory)
    fh.write(_END.pack(0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0))


class Archive:
    """The members of a zip archive, read on demand and checked; names() lists them as stored."""

    def __init__(self, fh: IO[bytes]):
        check_magic(fh)
        start = fh.tell()
        self.size = fh.seek(0, os.SEEK_END) - start
        fh.seek(start)
        try:
            self._zip = zipfile.ZipFile(fh)
            infos = self._zip.infolist()
        except ZIP_ERRORS as e:
            raise DamagedArchiveError(f"failed finding central directory ({type(e).__name__}: {e})") from None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename in self._infos:
                raise DamagedArchiveError(f"the member {info.filename!r} is stored twice")
            self._infos[info.filename] = info

    def names(self) -> list[str]:
        """The member names, in the order of the central directory."""
        return list(self._infos)

    def folder(self) -> str:
        """The one top-level folder every member sits in (torch's archive name)."""
        folders = {name.split("/", 1)[0] for name in self._infos}
        if len(folders) != 1 or any("/" not in name for name in self._infos):
            raise DamagedArchiveError("file in archive is not in a subdirectory (or in more than one)")
        return folders.pop()

    def member_size(self, name: str) -> int:
        """The byte count the archive claims for `name` (DamagedArchiveError if missing or impossible)."""
        info = self._infos.get(name)
        if info is None:
            raise DamagedArchiveError(f"failed locating file {name}: file not found")
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 1:
            raise DamagedArchiveError(
                f"the member {name} is compressed or encrypted (torch stores them plain)"
            )
        if info.file_size != info.compress_size or info.file_size > self.size:
            raise DamagedArchiveError(
                f"the member {name} claims {info.file_size} bytes but the file has only {self.size}"
            )
        return info.file_size

    def read(self, name: str) -> bytes:
        """The bytes of member `name`, size and CRC checked."""
        size = self.member_size(name)
        try:
            with self._zip.open(self._infos[name]) as member:
                data = member.read(size + 1)
        except ZIP_ERRORS as e:
            raise DamagedArchiveError(f"failed reading file {name} ({type(e).__name__}: {e})") from None
        if len(data) != size:
            raise DamagedArchiveError(f"the member {name} holds {len(data)} bytes, not the {size} it claims")
        return data

    def close(self) -> None:
        """Release the zip reader (the file object stays open)."""
        self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
