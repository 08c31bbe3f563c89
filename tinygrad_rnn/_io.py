"""Safe files: what a user saved is either the old file or the complete new one, and reading a file
never runs code nor trusts a size, dtype or shape it claims.

Writing (``atomic_write``): a symlink is followed (the link stays and its target gets the new content,
as ``open(path, "wb")`` would do), a directory, named pipe, device or socket is refused, and the bytes go
to a temporary file beside the resolved target that is fsynced and then renamed over it. Temporary files
are named ``.NAME.PID.XXXXXXXX.tmp``; one left behind by a killed process (whose PID no longer runs) is
removed by the next save or load of that target (``remove_stale_temps``); nothing else is ever touched.

Reading (``read_npz``): an ``.npz`` archive is parsed without pickle, member by member, and every
member's dtype, shape and byte count is checked against the bytes actually in the file before an array
is made. Anything inconsistent raises ``CorruptFileError`` (``NotAnArchiveError`` when the file is not
a zip archive at all); the loaders turn that into the error type they document.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import stat
import struct
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import IO, Any

import numpy as np

NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex: everything our writers store
MAX_JSON_DEPTH = 64  # deeper structure in a header is refused (ours never nests beyond ~6 levels)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # how a zip archive (an .npz, torch's files) starts
_NPY_MAGIC = b"\x93NUMPY"
# what zipfile raises for a malformed archive (e.g. NotImplementedError for a flipped "version needed")
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ValueError,
    EOFError,
    OSError,
    struct.error,
    NotImplementedError,
    OverflowError,
    RuntimeError,  # zipfile: "File ... is encrypted, password required for extraction"
    KeyError,
    IndexError,
)
# ... and numpy's .npy header parser (everything else is a bug of ours)
_PARSE_ERRORS = ZIP_ERRORS + (TypeError, SyntaxError)


class CorruptFileError(ValueError):
    """A file whose content is not what its reader expects (truncated, tampered with, or foreign)."""


class NotAnArchiveError(CorruptFileError):
    """A file that is not a zip archive at all (so not one of our .npz files)."""


class MissingMemberError(CorruptFileError):
    """An archive without the member that marks the format (e.g. an .npz some other program wrote)."""


class NotRegularFileError(OSError):
    """A path naming a named pipe, device or socket: never written over, never read as a checkpoint."""


# ---------------------------------------------------------------------------------------------
# paths


def resolve(path: str | os.PathLike[str]) -> str:
    """The absolute path with every symlink followed (a dangling link gives the file it would create)."""
    return os.path.realpath(os.fspath(path))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_target(path: str | os.PathLike[str]) -> str:
    """The resolved path to write `path` through; raise an OSError if that cannot be a regular file.

    IsADirectoryError for a directory, NotRegularFileError for a FIFO / device / socket, FileNotFoundError
    or NotADirectoryError when the folder it goes in does not exist or is not a folder.
    """
    target = resolve(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        raise NotADirectoryError(
            errno.ENOTDIR, "a parent of the path is a file, not a folder", target
        ) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", target)
    if mode is not None and not stat.S_ISREG(mode):
        raise NotRegularFileError(
            errno.EINVAL, f"is {_kind(mode)}, not a regular file: refusing to write it", target
        )
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        if os.path.exists(folder):
            raise NotADirectoryError(errno.ENOTDIR, "its folder is not a directory", folder)
        raise FileNotFoundError(errno.ENOENT, "its folder does not exist", folder)
    return target


def check_readable(path: str | os.PathLike[str]) -> str:
    """The resolved path of an existing regular file to read; FileNotFoundError, IsADirectoryError or
    NotRegularFileError (a FIFO or device is never opened: reading one could block or never end)."""
    target = resolve(path)
    mode = os.stat(target).st_mode  # FileNotFoundError / NotADirectoryError as open() would raise
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", os.fspath(path))
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(errno.EINVAL, f"is {_kind(mode)}, not a regular file", os.fspath(path))
    return target


def probe_writable(path: str | os.PathLike[str], make_folders: bool = False) -> str:
    """Check, before any long work, that `path` can be written: the target checks of check_target, then a
    real temporary file created and removed in its folder (or, with make_folders, in the deepest folder
    that exists). Returns the resolved target; raises OSError with the reason."""
    target = resolve(path)
    folder = os.path.dirname(target)
    if make_folders:
        while not os.path.lexists(folder):
            folder = os.path.dirname(folder)
        if not os.path.isdir(folder):
            raise NotADirectoryError(errno.ENOTDIR, "a parent of the path is a file, not a folder", folder)
    if folder == os.path.dirname(target):
        check_target(target)
    fd, probe = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=folder)
    os.close(fd)
    os.remove(probe)
    return target


# ---------------------------------------------------------------------------------------------
# temporary files


def _temp_prefix(target: str) -> str:
    return f".{os.path.basename(target)}.{os.getpid()}."


def _temp_patterns(target: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Names of our temp files for `target`: the current ``.NAME.PID.XXXXXXXX.tmp`` and the earlier
    ``.NAME.XXXXXXXX.tmp`` (tempfile.mkstemp's 8 random characters) of versions before the PID was added."""
    base = re.escape(os.path.basename(target))
    rand = "[a-z0-9_]{8}"
    return re.compile(rf"\.{base}\.(\d+)\.{rand}\.tmp"), re.compile(rf"\.{base}\.{rand}\.tmp")


def _pid_running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # ours: a save in progress in another thread
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0  # it exists (another user's), or the number is not a PID at all
    return True


def stale_temps(path: str | os.PathLike[str]) -> list[str]:
    """Our temporary files for `path` (resolved) that no running process is writing: the leftovers of
    a save that was killed before its rename."""
    target = resolve(path)
    folder = os.path.dirname(target)
    current, legacy = _temp_patterns(target)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    out = []
    for name in names:
        m = current.fullmatch(name)
        if (m is not None and not _pid_running(int(m.group(1)))) or legacy.fullmatch(name):
            full = os.path.join(folder, name)
            if os.path.isfile(full) and not os.path.islink(full):
                out.append(full)
    return sorted(out)


def remove_stale_temps(path: str | os.PathLike[str]) -> list[str]:
    """Remove stale_temps(path); returns the paths removed (best effort: a read-only folder is left as is)."""
    removed = []
    for tmp in stale_temps(path):
        try:
            os.remove(tmp)
        except OSError:
            continue
        removed.append(tmp)
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot fsync a directory; the rename itself is still atomic
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], Any]) -> str:
    """Call write(fh) on a temp file beside the resolved `path`, fsync it, then rename it over the target.

    A symlink is written through (it keeps pointing at the target, which gets the new bytes); a directory,
    FIFO, device or socket is refused (see check_target). A crash or an exception part-way leaves the
    previous file untouched; a temp file left by a killed earlier save of this target is removed first.
    Returns the resolved path written.
    """
    target = check_target(path)
    remove_stale_temps(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)  # overwriting keeps the file's permissions
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # mkstemp makes 0600; a new file gets an ordinary file's mode
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=os.path.dirname(target))
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_folder(os.path.dirname(target))
    return target


# ---------------------------------------------------------------------------------------------
# reading .npz archives and JSON headers without trusting them


def _npy_array(name: str, data: bytes, text: bool | None) -> np.ndarray:
    """The array of one .npy member, every claim of its header checked against `data`.

    text: True, the member must be one string (a 0-d unicode array); False, numbers; None, either.
    """
    buf = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(buf)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(buf)
        else:
            raise CorruptFileError(f"unsupported .npy format version {version}")
    except CorruptFileError:
        raise
    except Exception as e:  # numpy tokenizes and literal_evals the header: any failure means "malformed"
        raise CorruptFileError(
            f"member {name!r} has a malformed .npy header ({type(e).__name__}: {e})"
        ) from None
    if text is None:
        text = dtype.kind == "U"
    kinds = "U" if text else NUMERIC_KINDS
    if dtype.hasobject:
        raise CorruptFileError(
            f"member {name!r} holds Python objects, which only pickle can read: refused (allow_pickle=False)"
        )
    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in kinds:
        raise CorruptFileError(
            f"member {name!r} has dtype {dtype.str!r}; expected {'text' if text else 'numbers'}"
        )
    if not isinstance(fortran, bool) or not all(type(d) is int and d >= 0 for d in shape):
        raise CorruptFileError(f"member {name!r} has an invalid shape {shape!r} or order {fortran!r}")
    if text and shape != ():
        raise CorruptFileError(f"member {name!r} should hold one string, but has shape {shape}")
    count = math.prod(shape)
    payload = data[buf.tell() :]
    if len(payload) != count * dtype.itemsize:
        raise CorruptFileError(
            f"member {name!r} claims shape {shape} of {dtype.str} ({count * dtype.itemsize} bytes) but holds "
            f"{len(payload)} bytes"
        )
    flat = np.frombuffer(payload, dtype=dtype, count=count)
    arr = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    return np.array(arr, dtype=dtype.newbyteorder("="), order="C")  # a writable, native-order copy


def _open_archive(source: Any) -> tuple[IO[bytes], bool]:
    """(binary file, whether we opened it) for a path or an open binary file."""
    if isinstance(source, (str, os.PathLike)):
        return open(check_readable(source), "rb"), True
    return source, False


def check_magic(fh: IO[bytes]) -> None:
    """NotAnArchiveError unless `fh` (left where it was) starts like a zip archive."""
    start = fh.tell()
    head = fh.read(6)
    fh.seek(start)
    if not isinstance(head, bytes):
        raise TypeError(f"expected a binary file, got one returning {type(head).__name__}")
    if head.startswith(_NPY_MAGIC):
        raise NotAnArchiveError("it holds a single numpy array (.npy), not an archive")
    if head[:4] not in ZIP_MAGIC:
        raise NotAnArchiveError("it is not a zip archive" + (" (the file is empty)" if not head else ""))


def read_npz(
    source: Any, text_members: Iterable[str] = (), required: str | None = None, strings: bool = False
) -> OrderedDict[str, Any]:
    """name -> array (or str for the 0-d string members named in text_members) of an .npz archive.

    `source` is a path (FileNotFoundError / IsADirectoryError / NotRegularFileError if it is not a
    regular file) or an open binary file. Members must be uncompressed ``NAME.npy`` files, each once,
    holding numbers (text members: one string); anything else raises CorruptFileError
    (MissingMemberError, checked first, if there is no member `required`). With `strings`, any member
    holding one string (a 0-d unicode array) is accepted too and returned as a str.
    """
    texts = set(text_members)
    fh, owned = _open_archive(source)
    try:
        check_magic(fh)
        start = fh.tell()
        size = fh.seek(0, os.SEEK_END) - start
        fh.seek(start)
        try:
            with zipfile.ZipFile(fh) as z:
                infos = z.infolist()
                if required is not None and required + ".npy" not in {i.filename for i in infos}:
                    raise MissingMemberError(f"no {required} member")
                out: OrderedDict[str, Any] = OrderedDict()
                for info in infos:
                    name = info.filename
                    if not name.endswith(".npy") or name[:-4] in out:
                        raise CorruptFileError(f"unexpected or repeated member {name!r}")
                    if info.compress_type != zipfile.ZIP_STORED or info.file_size > size:
                        raise CorruptFileError(
                            f"member {name!r} is compressed or claims {info.file_size} bytes"
                        )
                    text = True if name[:-4] in texts else (None if strings else False)
                    array = _npy_array(name, z.read(info), text)
                    out[name[:-4]] = array.item() if array.dtype.kind == "U" else array
                return out
        except CorruptFileError:
            raise
        except _PARSE_ERRORS as e:
            raise CorruptFileError(f"a damaged zip archive ({type(e).__name__}: {e})") from None
    finally:
        if owned:
            fh.close()


def parse_json(text: Any, what: str) -> Any:
    """json.loads(text), with nesting beyond MAX_JSON_DEPTH and any malformed text as CorruptFileError."""
    if not isinstance(text, str):
        raise CorruptFileError(f"{what} is not a string")
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:  # bound the nesting before the recursive parser sees it
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    if deepest > MAX_JSON_DEPTH:
        raise CorruptFileError(f"{what} is nested {deepest} levels deep (at most {MAX_JSON_DEPTH} are read)")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise CorruptFileError(f"{what} is not valid JSON ({e})") from None
