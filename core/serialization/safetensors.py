"""``.safetensors`` files, written and read per the spec (https://github.com/huggingface/
safetensors#format) without the ``safetensors`` package.

Layout: an 8-byte little-endian unsigned header size ``N``; ``N`` bytes of UTF-8 JSON
``{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__":
{str: str}}``, padded with spaces so the data starts 8-byte aligned; then the data: each
tensor's row-major little-endian bytes at ``[begin, end)`` of it, with no gaps or overlaps.
Tensors are laid out as the reference implementation lays them out (by its dtype order,
largest first, then by name), so both write the same bytes for the same tensors.
"""

from __future__ import annotations

import json
import struct
from typing import IO, Any, Mapping

import numpy as np

from .. import dtypes as D
from ..ops._rules import contiguous_strides
from ..tensor import Tensor
from .errors import CheckpointError, CorruptCheckpointError
from .files import atomic_output, describe, open_input
from .storage import Restorer

__all__ = ["save_file", "load_file", "load_metadata", "is_safetensors"]

# In the order of the reference implementation's Dtype enum (restricted to ours): files are
# laid out by descending rank, then name, which also aligns every tensor to its item size.
_CODES: dict[str, D.dtype] = {
    "BOOL": D.bool, "U8": D.uint8, "I8": D.int8, "I16": D.int16, "F16": D.float16,
    **({"BF16": D.bfloat16} if D.HAS_BFLOAT16 else {}),
    "I32": D.int32, "F32": D.float32, "F64": D.float64, "I64": D.int64}
_NAMES = {d.name: code for code, d in _CODES.items()}
_RANK = {d.name: rank for rank, d in enumerate(_CODES.values())}
_MAX_HEADER = 100_000_000  # the reference implementation's limit


def save_file(tensors: Mapping[str, Tensor], filename: Any,
              metadata: Mapping[str, str] | None = None) -> None:
    """Write ``tensors`` to a ``.safetensors`` file (atomically, for a path).

    Each tensor is stored contiguously by value: views of one storage are saved as
    separate copies (the format has no sharing) and load as separate tensors.

    Args:
        tensors: ``{name: tensor}``, on any device.
        filename: a path or a binary file object.
        metadata: ``{str: str}`` stored under ``"__metadata__"``.

    Raises:
        TypeError: a name or metadata entry that is not a string, or a value that is not
            a tensor.

    Example:
        >>> from tensorweave.serialization import save_file, load_file
        >>> save_file({"w": tw.ones(2, 3)}, "w.safetensors", {"step": "10"})
        >>> load_file("w.safetensors")["w"].shape
        tensorweave.Size([2, 3])
    """
    header: dict[str, Any] = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("save_file: metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    for name, t in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise TypeError(f"save_file: tensor names must be strings other than "
                            f"'__metadata__'; got {name!r}")
        if not isinstance(t, Tensor):
            raise TypeError(f"save_file: {name!r} is a {type(t).__name__}, not a Tensor")
        if t.dtype.name not in _NAMES:
            raise TypeError(f"save_file: {name!r} is a {t.dtype.name} tensor, and safetensors "
                            f"files hold {', '.join(d.name for d in _CODES.values())}; save "
                            "tw.view_as_real(t) for a complex one, or use tw.save")
    order = sorted(tensors, key=lambda n: (-_RANK[tensors[n].dtype.name], n))
    arrays, begin = [], 0
    for name in order:
        t = tensors[name]
        a = np.ascontiguousarray(t.detach()._host()).astype(t.dtype.np.newbyteorder("<"),
                                                            copy=False)
        header[name] = {"dtype": _NAMES[t.dtype.name], "shape": list(t.shape),
                        "data_offsets": [begin, begin + a.nbytes]}
        arrays.append(a)
        begin += a.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with atomic_output(filename) as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for a in arrays:
            out.write(a.reshape(-1).view(np.uint8).data)


def _read_header(src: IO[bytes], name: str) -> tuple[dict[str, Any], int]:
    """The parsed header and the file offset where the data starts."""
    start = src.tell()
    size_bytes = src.read(8)
    if len(size_bytes) < 8:
        raise CorruptCheckpointError(name, "shorter than the 8-byte safetensors header size")
    (n,) = struct.unpack("<Q", size_bytes)
    if n > _MAX_HEADER:
        raise CorruptCheckpointError(name, f"safetensors header size {n} is over the limit")
    raw = src.read(n)
    if len(raw) < n:
        raise CorruptCheckpointError(name, f"the safetensors header needs {n} bytes, the file "
                                           f"has {len(raw)}")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise CorruptCheckpointError(name, f"safetensors header: {e}") from None
    if not isinstance(header, dict):
        raise CorruptCheckpointError(name, "the safetensors header is not a JSON object")
    return header, start + 8 + n


def load_metadata(filename: Any) -> dict[str, str]:
    """The ``"__metadata__"`` of a ``.safetensors`` file (empty when it has none)."""
    with open_input(filename) as src:
        header, _ = _read_header(src, describe(filename))
    return dict(header.get("__metadata__") or {})


def load_file(filename: Any, device: Any = "cpu") -> dict[str, Tensor]:
    """The tensors of a ``.safetensors`` file, on ``device``.

    Raises:
        CorruptCheckpointError: a truncated file, or a header whose offsets do not tile
            the data exactly.
        CheckpointError: a dtype tensorweave lacks (F8, U16...; BF16 without ml_dtypes).
    """
    name = describe(filename)
    with open_input(filename) as src:
        return read(src, device, name)


def read(src: IO[bytes], map_location: Any, name: str) -> dict[str, Tensor]:
    """The tensors of the safetensors file open as ``src``; ``map_location`` as `load`'s,
    with ``"cpu"`` as every tensor's saved device.
    """
    header, data_start = _read_header(src, name)
    header.pop("__metadata__", None)
    entries = []
    for key, info in header.items():
        try:
            code, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
            shape, begin, end = tuple(int(n) for n in shape), int(begin), int(end)
        except (KeyError, TypeError, ValueError) as e:
            raise CorruptCheckpointError(name, f"tensor {key!r}: bad header entry {e}") from None
        if code not in _CODES:
            raise CheckpointError(name, f"tensor {key!r} has dtype {code}, which tensorweave "
                                        f"does not have (supported: {', '.join(_CODES)})")
        nbytes = int(np.prod(shape, dtype=np.int64)) * _CODES[code].itemsize
        if min(shape, default=0) < 0 or end - begin != nbytes:
            raise CorruptCheckpointError(name, f"tensor {key!r}: data_offsets [{begin}, {end}] "
                                               f"do not hold shape {list(shape)} of {code}")
        entries.append((begin, end, key, shape, _CODES[code]))
    pos = 0
    for begin, end, key, _, _ in sorted(entries):
        if begin != pos:
            raise CorruptCheckpointError(name, f"tensor {key!r} starts at {begin}, expected "
                                               f"{pos} (the data must be tiled exactly)")
        pos = end
    src.seek(data_start)
    data = src.read(pos)
    if len(data) < pos:
        raise CorruptCheckpointError(name, f"the data needs {pos} bytes, the file has "
                                           f"{len(data)}")
    restorer = Restorer(map_location, name)
    out = {}
    for begin, end, key, shape, dtype in entries:
        array = np.frombuffer(data, dtype.np.newbyteorder("<"), (end - begin) // dtype.itemsize,
                              begin)
        out[key] = restorer.tensor(key, lambda a=array, d=dtype: (a, d, "cpu"),
                                   (shape, contiguous_strides(shape), 0), False, False)
    return out


def is_safetensors(head: bytes) -> bool:
    """Whether the first 9 bytes of a file look like a safetensors header."""
    return len(head) >= 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] <= \
        _MAX_HEADER
