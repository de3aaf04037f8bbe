"""Tensors to host storages and back: what every checkpoint format stores for a tensor.

A checkpoint holds each *storage* once, as little-endian host bytes plus the device it came
from, and each tensor as a geometry (shape, strides and offset, in elements) into one
storage, so views of one storage load as views of one storage again.

Which tensors share a storage comes from what core tracks -- a view's ``_base``, and
tensors wrapping one native array (``detach``, `Parameter`) -- read through the backend
contract only (``stride``, ``storage_offset``, host copies). Packing then reads every tensor
back out of the packed storage and compares bits: a backend whose "views" are copies, or
that reports no offsets, still saves correct values, just unshared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .. import dtypes as D
from ..autograd.grad_mode import no_grad
from ..device import DeviceError, resolve
from ..device import device as Device
from ..nn.parameter import Parameter
from ..ops._rules import contiguous_strides
from ..ops.creation import tensor as new_tensor
from ..ops.movement import as_strided
from ..tensor import Tensor
from .errors import CorruptCheckpointError

__all__ = ["Geometry", "HostStorage", "Restorer", "TensorRecord", "pack"]

Geometry = tuple[tuple[int, ...], tuple[int, ...], int]  # shape, strides, offset (elements)


@dataclass
class HostStorage:
    """One storage as saved: a 1-d C-contiguous little-endian array and its device."""

    array: np.ndarray
    dtype: D.dtype
    device: str


@dataclass(frozen=True)
class TensorRecord:
    """One tensor as saved: which storage, where in it, and its autograd flags."""

    storage: int
    geometry: Geometry
    requires_grad: bool
    parameter: bool


def _numel(shape: Sequence[int]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _reach(geom: Geometry) -> int:
    """The last storage position a non-empty geometry reads."""
    shape, stride, offset = geom
    return offset + sum((n - 1) * s for n, s in zip(shape, stride))


def _window(buf: np.ndarray, geom: Geometry) -> np.ndarray:
    shape, stride, offset = geom
    return np.lib.stride_tricks.as_strided(buf[offset:], shape,
                                           tuple(s * buf.itemsize for s in stride))


def _bits(a: np.ndarray) -> np.ndarray:
    """``a`` as unsigned ints of its item size, so comparing is bitwise (NaN-safe); a
    complex array as the bits of its two parts (there is no 16-byte unsigned int)."""
    if a.dtype.kind == "c":
        return np.stack([_bits(a.real), _bits(a.imag)], axis=-1)
    return a.view(f"u{a.itemsize}")


def _little(a: np.ndarray) -> np.ndarray:
    return a.astype(a.dtype.newbyteorder("<"), copy=False)


def _pack_geometries(hosts: Sequence[np.ndarray],
                     geoms: Sequence[Geometry]) -> np.ndarray | None:
    """One storage every geometry reads its host array from, or None where they disagree
    (negative strides, or a backend whose views do not share memory).
    """
    if any(off < 0 or any(s < 0 for s in stride) for _, stride, off in geoms):
        return None
    if len(geoms) == 1 and geoms[0][2] == 0 and geoms[0][1] == contiguous_strides(geoms[0][0]):
        return np.ascontiguousarray(hosts[0]).reshape(-1)
    buf = np.zeros(max(_reach(g) for g in geoms) + 1, hosts[0].dtype)
    for h, g in zip(hosts, geoms):
        _window(buf, g)[...] = h
    if all(np.array_equal(_bits(_window(buf, g)), _bits(h)) for h, g in zip(hosts, geoms)):
        return buf
    return None


def _geometry(t: Tensor) -> Geometry:
    return tuple(t.shape), tuple(t.stride()), t.storage_offset()


def _groups(tensors: Sequence[Tensor]) -> list[list[int]]:
    """Indices of the tensors that may share a storage, by union of native arrays: a tensor
    joins its own native and its view base's native.
    """
    parent: dict[int, int] = {}

    def find(k: int) -> int:
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for t in tensors:
        base = t if t._base is None else t._base
        parent[find(id(t._data))] = find(id(base._data))
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, t in enumerate(tensors):
        key = (find(id(t._data)), t.dtype, t.device) if t.numel() else ("empty", i)
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def pack(tensors: Sequence[Tensor]) -> tuple[list[HostStorage], list[TensorRecord]]:
    """The storages to save and one record per tensor, in the order given.

    Empty tensors get an empty storage of their own; a group whose views cannot be packed
    into one storage falls back to one storage per tensor, then to a contiguous copy.
    """
    storages: list[HostStorage] = []
    records: list[TensorRecord | None] = [None] * len(tensors)

    def add(members: Sequence[int], array: np.ndarray, geoms: Sequence[Geometry]) -> None:
        t = tensors[members[0]]
        storages.append(HostStorage(array, t.dtype, str(t.device)))
        for i, g in zip(members, geoms):
            records[i] = TensorRecord(len(storages) - 1, g, tensors[i].requires_grad,
                                      isinstance(tensors[i], Parameter))

    for group in _groups(tensors):
        hosts = [_little(tensors[i]._host()) for i in group]
        geoms = [_geometry(tensors[i]) for i in group]
        if not tensors[group[0]].numel():
            shape = geoms[0][0]
            add(group, hosts[0].reshape(-1), [(shape, contiguous_strides(shape), 0)])
            continue
        buf = _pack_geometries(hosts, geoms)
        if buf is not None:
            add(group, buf, geoms)
            continue
        for i, h, g in zip(group, hosts, geoms):
            one = _pack_geometries([h], [g])
            if one is None:
                one, g = np.ascontiguousarray(h).reshape(-1), (g[0], contiguous_strides(g[0]), 0)
            add([i], one, [g])
    return storages, [r for r in records if r is not None]


MapLocation = Any  # None, a device (string), a dict {saved: target}, or a callable


class Restorer:
    """Builds tensors from host storages on the devices ``map_location`` asks for, as
    `torch.load` does: None keeps the saved device; a device moves everything there; a dict
    maps saved device strings to targets (others stay); a callable gets ``(storage,
    location)`` -- the storage as a 1-d cpu tensor -- and returns a tensor, or None for the
    saved device.
    """

    def __init__(self, map_location: MapLocation, filename: str) -> None:
        if not (map_location is None or isinstance(map_location, (str, Device, dict))
                or callable(map_location)):
            raise TypeError("load: map_location must be None, a device, a dict or a callable; "
                            f"got {type(map_location).__name__}")
        self._map = map_location
        self._filename = filename
        self._bases: dict[Any, Tensor] = {}

    def tensor(self, key: Any, fetch: Callable[[], tuple[np.ndarray, D.dtype, str]],
               geom: Geometry, requires_grad: bool, parameter: bool) -> Tensor:
        """The tensor ``geom`` reads from storage ``key``; ``fetch`` gives the storage's
        host array, dtype and saved device the first time ``key`` is met.

        The first tensor that covers its whole storage is that storage; the others are
        `as_strided` views of it, so in-place writes through one are seen by the others.
        """
        shape, stride, offset = geom
        with no_grad():
            base = self._bases.get(key)
            if base is None:
                array, dtype, location = fetch()
                _check_geometry(self._filename, key, geom, array.shape[0])
                covers = (offset == 0 and stride == contiguous_strides(shape)
                          and _numel(shape) == array.shape[0])
                base = self._place(array.reshape(shape) if covers else array, dtype, location)
                self._bases[key] = base
                out = base if covers else as_strided(base, shape, stride, offset)
            else:
                _check_geometry(self._filename, key, geom, base.numel())
                out = as_strided(base, shape, stride, offset)
        if parameter:
            return Parameter(out, requires_grad)
        return out.requires_grad_(True) if requires_grad else out

    def _place(self, array: np.ndarray, dtype: D.dtype, location: str) -> Tensor:
        m = self._map
        if callable(m) and not isinstance(m, (str, Device, dict)):
            cpu = new_tensor(array.reshape(-1), dtype=dtype, device="cpu")
            out = m(cpu, location)
            if out is None:
                return self._on(array, dtype, location, location)
            if not isinstance(out, Tensor) or out.dtype is not dtype or out.numel() != cpu.numel():
                raise TypeError(f"load: map_location({location!r}) must return the storage "
                                f"(a {dtype.name} tensor of {cpu.numel()} elements on any "
                                f"device) or None; got {out!r:.80}")
            return out if tuple(out.shape) == array.shape else out.reshape(array.shape)
        target = m.get(location, location) if isinstance(m, dict) else m
        return self._on(array, dtype, location, location if target is None else target)

    def _on(self, array: np.ndarray, dtype: D.dtype, location: str, target: Any) -> Tensor:
        try:
            dev, be = resolve(target)
        except DeviceError as e:
            raise DeviceError(
                f"load: {self._filename} holds tensors saved on {location!r}, and {str(target)!r} "
                f"is not usable here: {e}. Pass map_location='cpu' (or another device, a dict "
                "or a callable) to load them elsewhere.") from None
        be.check_dtype("load", dtype, dev)
        # The array is ours (read for this load): a host backend may keep it, uncopied.
        if not array.flags.writeable or array.dtype != dtype.np:
            array = np.array(array, dtype=dtype.np)
        return Tensor._wrap(be.from_numpy(array, dev.index), dev, dtype)


def _check_geometry(filename: str, key: Any, geom: Geometry, numel: int) -> None:
    """A geometry from a file must stay inside its storage, or the file is corrupted."""
    shape, stride, offset = geom
    ok = (len(shape) == len(stride) and offset >= 0 and all(n >= 0 for n in shape)
          and all(s >= 0 for s in stride))
    if ok and _numel(shape):
        ok = _reach(geom) < numel
    if not ok:
        raise CorruptCheckpointError(
            filename, f"a tensor of shape {list(shape)}, strides {list(stride)} and offset "
                      f"{offset} reaches outside its storage {key!r} of {numel} elements")
