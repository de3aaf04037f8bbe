"""The tensorweave checkpoint: a zip of raw storages plus a JSON manifest (no pickle).

Layout (every entry stored uncompressed, so the archive is also readable by any zip tool):

- ``storages/<i>``: storage ``i``'s elements, raw little-endian bytes.
- ``tensorweave.json`` (written last): ``{"format": "tensorweave.checkpoint", "version": 1,
  "byteorder": "little", "storages": [...], "tensors": [...], "root": node}`` where a
  storage is ``{"record", "dtype", "numel", "device", "sha256"}``, a tensor is
  ``{"storage", "shape", "stride", "offset", "requires_grad", "parameter"}`` and ``root``
  is the saved object as a `tree` node.

Integrity: the manifest keeps a SHA-256 of every storage (checked on load, where storages
are read straight from the file) and zip a CRC-32 of every entry (checked for the manifest);
a missing, short or mismatching record is reported as a truncated or corrupted file.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from typing import IO, Any

import numpy as np

from .. import dtypes as D
from .errors import CheckpointError, CorruptCheckpointError
from .files import read_array
from .storage import Restorer, pack
from .tree import Encoder, decode

__all__ = ["FORMAT", "MANIFEST", "VERSION", "read", "write"]

FORMAT = "tensorweave.checkpoint"
MANIFEST = "tensorweave.json"
VERSION = 1
_CORRUPTION = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, TypeError, ValueError,
               IndexError, AttributeError, UnicodeDecodeError)


def _entry(name: str, size: int) -> zipfile.ZipInfo:
    """A stored entry with a fixed timestamp (equal objects give equal files); the size is
    given up front so zipfile picks ZIP64 for storages over 2 GiB.
    """
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = size
    return info


def write(obj: Any, out: IO[bytes]) -> None:
    """Write ``obj`` to the binary file ``out``.

    Raises:
        UnsupportedObjectError: for an object that the format cannot hold (before anything
            is written).
    """
    enc = Encoder()
    root = enc.encode(obj)
    storages, records = pack(enc.tensors)
    manifest: dict[str, Any] = {"format": FORMAT, "version": VERSION, "byteorder": "little",
                                "storages": [], "tensors": [], "root": root}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for i, s in enumerate(storages):
            data = s.array.view(np.uint8)
            name = f"storages/{i}"
            with zf.open(_entry(name, data.nbytes), "w") as w:
                w.write(data)
            manifest["storages"].append({
                "record": name, "dtype": s.dtype.name, "numel": int(s.array.shape[0]),
                "device": s.device, "sha256": hashlib.sha256(data).hexdigest()})
        manifest["tensors"] = [
            {"storage": r.storage, "shape": list(r.geometry[0]), "stride": list(r.geometry[1]),
             "offset": r.geometry[2], "requires_grad": r.requires_grad,
             "parameter": r.parameter} for r in records]
        text = json.dumps(manifest, allow_nan=False, separators=(",", ":")).encode()
        zf.writestr(_entry(MANIFEST, len(text)), text)


def read(zf: zipfile.ZipFile, map_location: Any, filename: str) -> Any:
    """The object saved in the open archive ``zf`` (whose manifest `is_checkpoint` found).

    Raises:
        CorruptCheckpointError: a record is missing, short, or fails its checksum.
        CheckpointError: the file was written by a newer format version.
    """
    try:
        manifest = json.loads(zf.read(MANIFEST))
        version, kind = manifest["version"], manifest["format"]
        storages, tensors = manifest["storages"], manifest["tensors"]
    except _CORRUPTION as e:
        raise CorruptCheckpointError(filename, f"{MANIFEST}: {type(e).__name__}: {e}") from None
    if kind != FORMAT:
        raise CheckpointError(filename, f"{MANIFEST} describes {kind!r}, not {FORMAT!r}")
    if not isinstance(version, int) or version > VERSION:
        raise CheckpointError(filename, f"format version {version!r} is newer than this "
                                        f"tensorweave reads ({VERSION}); upgrade tensorweave")
    restorer = Restorer(map_location, filename)

    def fetch(i: int) -> Any:
        try:
            s = storages[i]
            record, numel, dtype = s["record"], int(s["numel"]), D._BY_NAME[s["dtype"]]
            array = read_array(zf, record, dtype.np.newbyteorder("<"), numel)
            digest = s["sha256"]
        except _CORRUPTION as e:
            detail = f"storage {i}: {type(e).__name__}: {e}"
            raise CorruptCheckpointError(filename, detail) from None
        if zf.getinfo(record).file_size != array.nbytes:
            raise CorruptCheckpointError(filename, f"record {record!r} holds "
                                                   f"{zf.getinfo(record).file_size} bytes, "
                                                   f"expected {numel} {dtype.name}")
        if hashlib.sha256(array.view(np.uint8)).hexdigest() != digest:
            raise CorruptCheckpointError(filename, f"record {record!r} fails its SHA-256 "
                                                   "checksum")
        return array, dtype, str(s["device"])

    try:
        entries = [(int(t["storage"]), (tuple(int(n) for n in t["shape"]),
                                        tuple(int(n) for n in t["stride"]), int(t["offset"])),
                    t["requires_grad"] is True, t["parameter"] is True) for t in tensors]
    except _CORRUPTION as e:
        raise CorruptCheckpointError(filename, f"{MANIFEST}: tensor table: {e}") from None
    built = [restorer.tensor(key, lambda key=key: fetch(key), geom, grad, param)
             for key, geom, grad, param in entries]
    try:
        return decode(manifest["root"], built.__getitem__)
    except _CORRUPTION as e:
        raise CorruptCheckpointError(filename, f"{MANIFEST}: {type(e).__name__}: {e}") from None
