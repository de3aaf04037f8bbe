"""Where checkpoint bytes come from and go to: paths, binary file objects, zip entries.

Writing to a path is atomic: the bytes go to a temporary file in the same folder, which is
flushed, fsynced and then renamed over the target with `os.replace`, so a crash or an error
mid-save leaves the previous file as it was (a rename within one folder is atomic on POSIX
and on Windows).
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import stat
import struct
import zipfile
from typing import IO, Any, Iterator

import numpy as np

__all__ = ["atomic_output", "describe", "open_input", "read_array"]


def describe(f: Any) -> str:
    """The name used in error messages: the path, or the file object's name or repr."""
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


@contextlib.contextmanager
def atomic_output(f: Any) -> Iterator[IO[bytes]]:
    """A seekable binary file to write into; for a path, renamed into place on success only.

    A file object is written in place (the caller owns its atomicity).
    """
    if not isinstance(f, (str, os.PathLike)):
        if not callable(getattr(f, "write", None)):
            raise TypeError(f"save: expected a path or a binary file object; got "
                            f"{type(f).__name__}")
        yield f
        return
    path = os.fspath(f)
    tmp = os.path.join(os.path.dirname(path) or ".",
                       f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
    # O_EXCL: never write through someone else's file; 0o666 lets the umask decide, as open().
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileNotFoundError):  # overwriting keeps the file's mode
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(os.path.dirname(path) or ".")


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); folders cannot be opened on Windows."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def open_input(f: Any) -> Iterator[IO[bytes]]:
    """A seekable binary file for ``f`` (a path or a readable binary file object); a file
    opened here is closed afterwards, the caller's is left open.

    Raises:
        TypeError: for a text-mode file or an object that is neither.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as src:
            yield src
        return
    if not callable(getattr(f, "read", None)):
        raise TypeError(f"load: expected a path or a binary file object; got {type(f).__name__}")
    if isinstance(f, io.TextIOBase):
        raise TypeError("load: the file is open in text mode; open it with 'rb'")
    seekable = getattr(f, "seekable", None)
    yield f if callable(seekable) and seekable() else io.BytesIO(f.read())


def read_array(zf: zipfile.ZipFile, name: str, dtype: np.dtype[Any], count: int) -> np.ndarray:
    """The first ``count`` elements of entry ``name`` as a new writable array.

    An uncompressed entry (what tensorweave and PyTorch write) is read straight from the
    archive's file into the array: one allocation and one copy, where ``zf.read`` costs
    two of each. Others go through zipfile.

    Raises:
        zipfile.BadZipFile, KeyError, EOFError: a missing, damaged or short entry.
    """
    info = zf.getinfo(name)
    nbytes = count * dtype.itemsize
    if info.file_size < nbytes:
        raise EOFError(f"{name!r} holds {info.file_size} bytes, expected {nbytes}")
    out = np.empty(count, dtype)
    if info.compress_type != zipfile.ZIP_STORED or zf.fp is None:
        out.view(np.uint8)[:] = np.frombuffer(zf.read(name), np.uint8, nbytes)
        return out
    fp = zf.fp
    fp.seek(info.header_offset)
    local = fp.read(_LOCAL_HEADER)
    if len(local) < _LOCAL_HEADER or local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{name!r}: bad local file header")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fp.seek(info.header_offset + _LOCAL_HEADER + name_len + extra_len)
    got = fp.readinto(memoryview(out.view(np.uint8)))
    if got != nbytes:
        raise EOFError(f"{name!r} ends after {got} of {nbytes} bytes")
    return out


_LOCAL_HEADER = 30  # bytes of a zip local file header before the name and extra field
