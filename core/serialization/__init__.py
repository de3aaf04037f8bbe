"""`save` and `load`: PyTorch-style checkpoints in a format that never runs code on load.

`save` writes a zip of raw tensor storages plus a JSON tree (`format`), atomically when
given a path. `load` detects what it is given: a tensorweave checkpoint, a PyTorch ``.pt``
zip (read by a restricted pickle interpreter, `torch_pt`), or a ``.safetensors`` file
(`safetensors`, also written by `save_file`). A pickle that names anything but tensors and
plain containers is refused by name; nothing from a file is ever imported or called.
"""

from __future__ import annotations

import zipfile
from collections import OrderedDict
from typing import IO, Any

from . import format, torch_pt
from . import safetensors as _safetensors
from .errors import (
    CheckpointError,
    CorruptCheckpointError,
    UnsafeCheckpointError,
    UnsupportedObjectError,
)
from .files import atomic_output, describe, open_input
from .restricted_pickle import unpickle
from .safetensors import load_file, load_metadata, save_file

__all__ = ["save", "load", "save_file", "load_file", "load_metadata", "CheckpointError",
           "CorruptCheckpointError", "UnsafeCheckpointError", "UnsupportedObjectError"]

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# The first pickle of PyTorch's pre-1.6 format (torch.serialization.MAGIC_NUMBER).
_LEGACY_TORCH_MAGIC = 0x1950A86A20F9469CFC6C


def save(obj: Any, f: Any) -> None:
    """Save ``obj`` -- tensors, numbers, strings, bools, None, and lists, tuples and dicts
    of them (a state_dict, a checkpoint dict) -- to ``f``, like `torch.save`.

    Tensors keep their dtype, shape, strides, offset, ``requires_grad``, whether they are
    a `Parameter`, and which of them share a storage; each storage is written once, as
    host bytes, with the device it came from. Writing to a path is atomic: a crash
    mid-save leaves the previous file intact.

    Args:
        obj: the object to save.
        f: a path (``str`` or ``os.PathLike``) or a binary file object.

    Raises:
        UnsupportedObjectError: (a TypeError) for any other type; the message names where
            it is, e.g. ``obj['model']['fc.weight']``.

    See also:
        `load`; `save_file` for ``.safetensors``.

    Example:
        >>> model = tw.nn.Linear(3, 2)
        >>> tw.save({"epoch": 3, "model_state_dict": model.state_dict()}, "ckpt.tw")
        >>> tw.load("ckpt.tw")["epoch"]
        3
    """
    with atomic_output(f) as out:
        format.write(obj, out)


def load(f: Any, map_location: Any = None, weights_only: bool = True) -> Any:
    """Load what `save` (or `torch.save`, or a safetensors writer) wrote to ``f``.

    Args:
        f: a path or a binary file object.
        map_location: where tensors go, as in `torch.load`: None for the device each was
            saved from; a device or string for all of them; a dict mapping saved device
            strings to targets; or a callable ``(storage, location) -> tensor or None``
            (``storage``: a 1-d cpu tensor).
        weights_only: accepted for PyTorch compatibility. tensorweave never runs code from
            a file, so False reads exactly the same objects as True.

    Returns:
        The saved object, with tensorweave tensors (and Parameters) for the saved ones.

    Raises:
        CorruptCheckpointError: the file is truncated or corrupted (names the file and the
            record).
        UnsafeCheckpointError: a pickle names a global outside the allow-list (names it);
            nothing was executed.
        CheckpointError: any other file that is not a checkpoint tensorweave reads.
        DeviceError: a saved device that is not usable here and no ``map_location``.

    Example:
        >>> tw.save({"w": tw.ones(2)}, "w.tw")
        >>> tw.load("w.tw", map_location="cpu")["w"]
        tensor([1., 1.])
    """
    name = describe(f)
    with open_input(f) as src:
        start = src.tell()
        head = src.read(9)
        src.seek(start)
        if not head:
            raise CorruptCheckpointError(name, "the file is empty")
        if head[:4] in _ZIP_MAGIC:
            return _load_zip(src, map_location, name)
        if _safetensors.is_safetensors(head):
            return _safetensors.read(src, map_location, name)
        return _load_pickle(src.read(), name)


def _load_zip(src: IO[bytes], map_location: Any, name: str) -> Any:
    try:
        zf = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        raise CorruptCheckpointError(name, f"not a complete zip archive: {e}") from None
    with zf:
        if format.MANIFEST in zf.namelist():
            return format.read(zf, map_location, name)
        if torch_pt.is_torch_zip(zf):
            return torch_pt.read(zf, map_location, name)
    raise CheckpointError(name, f"a zip archive with neither {format.MANIFEST} (tensorweave) "
                                "nor data.pkl (PyTorch); it is not a checkpoint")


def _load_pickle(data: bytes, name: str) -> Any:
    """A bare pickle: refused, after the restricted reader has named any unsafe global."""
    try:
        first = unpickle(data, {"collections.OrderedDict": OrderedDict}, None, name)
    except CorruptCheckpointError:
        raise CheckpointError(name, "not a tensorweave checkpoint, a PyTorch zip checkpoint "
                                    "or a safetensors file") from None
    if first == _LEGACY_TORCH_MAGIC:
        raise CheckpointError(name, "a PyTorch checkpoint in the format before 1.6, which "
                                    "tensorweave does not read; re-save it with a current "
                                    "torch.save")
    raise CheckpointError(name, "a bare pickle, not a checkpoint; tensorweave loads no pickles "
                                "(they can run code). Save the data with tensorweave.save")
