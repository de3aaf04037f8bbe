"""The object tree of a checkpoint as JSON: what `save` accepts and `load` rebuilds.

JSON has no tuples, non-string keys or non-finite floats, so those (and tensors, dtypes,
devices, bytes) are objects tagged by a ``"$"`` member; lists, strings, finite numbers,
bools and null are themselves. Only these types exist in the format, so loading creates
nothing else -- no class named by the file is ever imported or called.

======================  ==================================================================
Python                  JSON node
======================  ==================================================================
None, bool, str, list   null, true/false, string, array
int / finite float      number (``1`` is an int, ``1.0`` a float)
non-finite float        ``{"$": "float", "value": "nan" | "inf" | "-inf"}``
tuple / `Size`          ``{"$": "tuple" | "size", "items": [node, ...]}``
dict / Counter          ``{"$": "dict" | "counter", "items": [[key node, node], ...]}``
OrderedDict             ``{"$": "odict", "items": [...], "attrs": {name: node}}``
                        (``attrs``: instance attributes, e.g. a state_dict's ``_metadata``)
Tensor / Parameter      ``{"$": "tensor", "index": i}`` (into the manifest's tensor table;
                        one object saved twice loads as one object)
dtype / device          ``{"$": "dtype" | "device", "name": "float32" | "cuda:0"}``
bytes                   ``{"$": "bytes", "base64": "..."}``
======================  ==================================================================
"""

from __future__ import annotations

import base64
import math
from collections import Counter, OrderedDict
from typing import Any, Callable

from .. import dtypes as D
from ..device import device as Device
from ..tensor import Size, Tensor
from .errors import UnsupportedObjectError

__all__ = ["ALLOWED", "Encoder", "decode"]

ALLOWED = ("tensors, None, bools, ints, floats, strings, bytes, dtypes, devices, and "
           "lists, tuples, dicts, OrderedDicts and Counters of them")

_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_DICTS: dict[type, str] = {dict: "dict", OrderedDict: "odict", Counter: "counter"}


class Encoder:
    """Turns an object into a JSON node, collecting its tensors (each object once)."""

    def __init__(self) -> None:
        self.tensors: list[Tensor] = []
        self._index: dict[int, int] = {}
        self._open: set[int] = set()  # containers on the current path, to catch cycles

    def encode(self, obj: Any, path: str = "obj") -> Any:
        """The node for ``obj``; ``path`` (``obj['model']['fc.weight']``) names it in errors.

        Raises:
            UnsupportedObjectError: (a TypeError) for any other type, or a cycle.
        """
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if type(obj) is int:
            return obj
        if isinstance(obj, float):
            if math.isfinite(obj):
                return float(obj)
            return {"$": "float", "value": "nan" if math.isnan(obj) else
                    ("inf" if obj > 0 else "-inf")}
        if isinstance(obj, Tensor):
            if id(obj) not in self._index:
                self._index[id(obj)] = len(self.tensors)
                self.tensors.append(obj)
            return {"$": "tensor", "index": self._index[id(obj)]}
        if isinstance(obj, D.dtype):
            return {"$": "dtype", "name": obj.name}
        if isinstance(obj, Device):
            return {"$": "device", "name": str(obj)}
        if type(obj) is bytes:
            return {"$": "bytes", "base64": base64.b64encode(obj).decode("ascii")}
        if type(obj) in (list, tuple, Size) or type(obj) in _DICTS:
            if id(obj) in self._open:
                raise UnsupportedObjectError(path, obj, "no cycles: this container contains "
                                                        "itself")
            self._open.add(id(obj))
            try:
                return self._container(obj, path)
            finally:
                self._open.discard(id(obj))
        raise UnsupportedObjectError(path, obj, ALLOWED)

    def _container(self, obj: Any, path: str) -> Any:
        if type(obj) is list:
            return [self.encode(v, f"{path}[{i}]") for i, v in enumerate(obj)]
        if type(obj) in (tuple, Size):
            return {"$": "tuple" if type(obj) is tuple else "size",
                    "items": [self.encode(v, f"{path}[{i}]") for i, v in enumerate(obj)]}
        node: dict[str, Any] = {"$": _DICTS[type(obj)], "items": [
            [self.encode(k, f"{path}.keys()"), self.encode(v, f"{path}[{k!r}]")]
            for k, v in obj.items()]}
        attrs = getattr(obj, "__dict__", None)
        if attrs:
            node["attrs"] = {str(k): self.encode(v, f"{path}.{k}") for k, v in attrs.items()}
        return node


def decode(node: Any, tensor: Callable[[int], Tensor]) -> Any:
    """The object a node encodes; ``tensor(i)`` gives entry ``i`` of the tensor table.

    Raises:
        ValueError: for a node that no `Encoder` writes (the caller reports the file as
            corrupted).
    """
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [decode(v, tensor) for v in node]
    if not isinstance(node, dict):
        raise ValueError(f"unexpected JSON value {node!r:.60}")
    kind = node.get("$")
    if kind == "tensor":
        return tensor(node["index"])
    if kind in ("tuple", "size"):
        items = tuple(decode(v, tensor) for v in node["items"])
        return items if kind == "tuple" else Size(items)
    if kind in ("dict", "odict", "counter"):
        cls = {"dict": dict, "odict": OrderedDict, "counter": Counter}[kind]
        out = cls()
        for k, v in node["items"]:  # not cls(pairs): a Counter would count the pairs
            out[decode(k, tensor)] = decode(v, tensor)
        for name, v in node.get("attrs", {}).items():
            if not name.isidentifier() or name.startswith("__"):
                raise ValueError(f"bad attribute name {name!r}")
            setattr(out, name, decode(v, tensor))
        return out
    if kind == "float":
        return _SPECIAL_FLOATS[node["value"]]
    if kind == "dtype":
        return D._BY_NAME[node["name"]]
    if kind == "device":
        return Device(node["name"])
    if kind == "bytes":
        return base64.b64decode(node["base64"], validate=True)
    raise ValueError(f"unknown node kind {kind!r}")
