"""Reading PyTorch's ``.pt``/``.pth`` checkpoints (the zip format of `torch.save` since 1.6)
without PyTorch and without `pickle.load`.

Such a file is a zip whose one folder holds ``data.pkl`` (the object, pickled with each
storage as a persistent id ``('storage', storage type, key, location, numel)``),
``data/<key>`` (each storage's raw bytes) and ``byteorder``. ``data.pkl`` is read by
`restricted_pickle` with the globals a tensor checkpoint needs, each mapped to a stand-in
here that builds tensorweave tensors; any other global is refused by name.
"""

from __future__ import annotations

import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from .. import dtypes as D
from .errors import CheckpointError, CorruptCheckpointError
from .files import read_array
from .restricted_pickle import unpickle
from .storage import Restorer

__all__ = ["is_torch_zip", "read"]

# torch.<Name>Storage -> tensorweave dtype (None: a torch dtype tensorweave lacks here).
_STORAGES: dict[str, D.dtype | None] = {
    "FloatStorage": D.float32, "DoubleStorage": D.float64, "HalfStorage": D.float16,
    "LongStorage": D.int64, "IntStorage": D.int32, "ShortStorage": D.int16,
    "CharStorage": D.int8, "ByteStorage": D.uint8, "BoolStorage": D.bool,
    "BFloat16Storage": D.bfloat16 if D.HAS_BFLOAT16 else None,
    "ComplexFloatStorage": D.complex64, "ComplexDoubleStorage": D.complex128,
}


class _StorageType:
    """Stands in for ``torch.<Name>Storage``: only its element type matters."""

    def __init__(self, name: str) -> None:
        self.name = name


class _Storage:
    """A storage named by a persistent id: where its bytes are and how many elements."""

    def __init__(self, key: str, dtype: D.dtype, location: str, numel: int) -> None:
        self.key, self.dtype, self.location, self.numel = key, dtype, location, numel


def _prefix(names: list[str]) -> str | None:
    """The folder holding ``data.pkl`` (``archive/`` since PyTorch 2, the file stem before)."""
    for n in names:
        if n.endswith("/data.pkl") and n.count("/") == 1:
            return n[: -len("data.pkl")]
    return None


def is_torch_zip(zf: zipfile.ZipFile) -> bool:
    return _prefix(zf.namelist()) is not None


def read(zf: zipfile.ZipFile, map_location: Any, filename: str) -> Any:
    """The object a `torch.save` archive holds, with tensorweave tensors for torch's.

    Raises:
        UnsafeCheckpointError: ``data.pkl`` names a global outside the allow-list.
        CheckpointError: a tensor of a dtype tensorweave lacks (bfloat16 without ml_dtypes).
        CorruptCheckpointError: a record is missing or short.
    """
    prefix = _prefix(zf.namelist())
    assert prefix is not None  # the caller checked is_torch_zip
    restorer = Restorer(map_location, filename)

    def record(name: str) -> bytes:
        try:
            return zf.read(prefix + name)
        except (KeyError, zipfile.BadZipFile, EOFError, ValueError) as e:
            raise CorruptCheckpointError(filename, f"record {prefix + name!r}: {e}") from None

    byteorder = record("byteorder").decode() if prefix + "byteorder" in zf.namelist() \
        else "little"
    order = "<" if byteorder == "little" else ">"

    def persistent_load(pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise CorruptCheckpointError(filename, f"unexpected persistent id {pid!r:.80}")
        _, kind, key, location, numel = pid
        dtype = _STORAGES[kind.name]
        if dtype is None:
            raise CheckpointError(filename, f"it holds torch.{kind.name} tensors, and bfloat16 "
                                            "needs the ml_dtypes package (pip install "
                                            "ml_dtypes), or convert them in PyTorch first, "
                                            "e.g. tensor.float()")
        return _Storage(str(key), dtype, str(location), int(numel))

    def fetch(s: _Storage) -> tuple[np.ndarray, D.dtype, str]:
        name = f"{prefix}data/{s.key}"
        try:
            array = read_array(zf, name, s.dtype.np.newbyteorder(order), s.numel)
        except (KeyError, zipfile.BadZipFile, EOFError, ValueError) as e:
            raise CorruptCheckpointError(filename, f"record {name!r}: {e}") from None
        return array, s.dtype, s.location

    def rebuild_tensor(storage: _Storage, offset: int, size: tuple[int, ...],
                       stride: tuple[int, ...], requires_grad: bool, hooks: Any = None,
                       metadata: Any = None) -> Any:
        if not isinstance(storage, _Storage):
            raise CorruptCheckpointError(filename, "_rebuild_tensor_v2 without a storage")
        geom = (tuple(int(n) for n in size), tuple(int(s) for s in stride), int(offset))
        return restorer.tensor(storage.key, lambda: fetch(storage), geom, bool(requires_grad),
                               False)

    def rebuild_parameter(data: Any, requires_grad: bool, hooks: Any = None,
                          state: Any = None) -> Any:
        from ..nn.parameter import Parameter

        return Parameter(data, bool(requires_grad))

    allowed: dict[str, Any] = {
        "torch._utils._rebuild_tensor_v2": rebuild_tensor,
        "torch._utils._rebuild_parameter": rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": rebuild_parameter,
        "collections.OrderedDict": OrderedDict,
        **{f"torch.{name}": _StorageType(name) for name in _STORAGES},
    }
    return unpickle(record("data.pkl"), allowed, persistent_load, filename)
