"""The IDX file format of MNIST and Fashion-MNIST.

A file is a magic number ``00 00 <type> <ndim>``, ``ndim`` big-endian uint32 dimensions,
then the values, big-endian, in C order.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np

from ._base import read_bytes

__all__ = ["read_idx"]

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path) -> np.ndarray:
    """The array stored in an IDX file (plain or ``.gz``), in native byte order.

    Raises:
        ValueError: for a bad magic number or a size that does not match the header.
    """
    raw = read_bytes(path)
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in _TYPES:
        raise ValueError(f"{path}: not an IDX file: its magic number is {raw[:4].hex(' ')}; "
                         "expected 00 00 <type 08/09/0b/0c/0d/0e> <ndim>")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header: {ndim} dims need {header} bytes, the "
                         f"file has {len(raw)}")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dt = np.dtype(_TYPES[raw[2]])
    expected = header + math.prod(dims) * dt.itemsize
    if len(raw) != expected:
        raise ValueError(f"{path}: the IDX header says {dt.name} values of shape {dims} "
                         f"({expected} bytes) but the file has {len(raw)} bytes; it is "
                         "truncated or corrupt")
    return np.frombuffer(raw, dt, offset=header).reshape(dims).astype(dt.newbyteorder("="))
