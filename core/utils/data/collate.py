"""Collation: a list of samples becomes one batch, as PyTorch's ``default_collate``.

Tensors are stacked along a new dim 0; NumPy arrays and numbers become tensors; strings stay
a list; dicts, namedtuples, tuples and lists are collated field by field (a tuple sample
gives a list, as in PyTorch). Before building anything, each level checks that every item
has the first item's structure, so a bad sample is reported by its position in the batch
and the field where it differs, rather than by a stack error deep inside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ... import dtypes as D
from ...ops.creation import as_tensor, tensor
from ...ops.movement import stack
from ...tensor import Tensor

__all__ = ["default_collate", "default_convert", "CollateError"]

_ERR_TYPES = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
              "lists; found {}")


class CollateError(RuntimeError, TypeError):
    """A batch whose items differ in structure, type or shape.

    It is both a RuntimeError (PyTorch's error for unequal sizes) and a TypeError (its error
    for unsupported types), so ported ``except`` clauses catch it.

    Attributes:
        index: the position in the batch of the first item that differs from item 0 (None
            when unknown).
        path: where inside the sample, e.g. ``"[0]"`` or ``"['label']"`` (``""``: the item).
        expected: item 0 there, described; actual: item ``index`` there, described.
    """

    def __init__(self, message: str, index: int | None = None, path: str = "", expected: str = "",
                 actual: str = "") -> None:
        super().__init__(message)
        self.index, self.path, self.expected, self.actual = index, path, expected, actual


def _is_text_array(x: Any) -> bool:
    """NumPy strings and objects, which PyTorch leaves alone rather than make tensors of."""
    return isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in "SUO"


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.number, np.bool_))


def _signature(x: Any) -> tuple[Any, ...]:
    """What must agree across a batch at one level (types and shapes; not values)."""
    if isinstance(x, Tensor):
        return "tensor", tuple(x.shape)
    if isinstance(x, np.ndarray):
        return "array", x.shape, _is_text_array(x)
    if isinstance(x, (str, bytes)):
        return ("string",)
    if _is_number(x):
        return ("number",)
    if isinstance(x, Mapping):
        return "mapping", frozenset(x)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return "namedtuple", type(x)
    if isinstance(x, Sequence):
        return "sequence", len(x)
    return "other", type(x)


def _describe(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"a {x.dtype} tensor of shape {list(x.shape)}"
    if isinstance(x, np.ndarray):
        return f"a NumPy {x.dtype} array of shape {x.shape}"
    if isinstance(x, Mapping):
        return f"a {type(x).__name__} with keys {sorted(map(str, x))}"
    if isinstance(x, Sequence) and not isinstance(x, (str, bytes)):
        return f"a {type(x).__name__} of length {len(x)}"
    return f"a {type(x).__name__} ({x!r})" if _is_number(x) else f"a {type(x).__name__}"


def _check_alike(batch: list[Any], path: str) -> None:
    first = _signature(batch[0])
    for i, item in enumerate(batch):
        if _signature(item) != first:
            where = f" at {path}" if path else ""
            expected, actual = _describe(batch[0]), _describe(item)
            raise CollateError(
                f"default_collate: batch item {i}{where} is {actual} but item 0{where} is "
                f"{expected}; every item of a batch needs the same structure, types and "
                "shapes (or pass a collate_fn that handles the difference)",
                i, path, expected, actual)


def _like(template: Any, items: Any) -> Any:
    """``items`` in ``template``'s container type when that type can be built from them."""
    try:
        return type(template)(items)
    except TypeError:
        return items


def _collate(batch: list[Any], path: str) -> Any:
    _check_alike(batch, path)
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, np.ndarray) and not _is_text_array(elem):
        return stack([as_tensor(b) for b in batch], 0)
    if isinstance(elem, np.generic) and _is_number(elem):
        return as_tensor(batch)
    if isinstance(elem, float):
        return tensor(batch, dtype=D.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, Mapping):
        return _like(elem, {k: _collate([d[k] for d in batch], f"{path}[{k!r}]") for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its type
        return type(elem)(*(_collate(list(c), f"{path}.{name}")
                            for name, c in zip(elem._fields, zip(*batch))))
    if isinstance(elem, Sequence):
        out = [_collate(list(c), f"{path}[{j}]") for j, c in enumerate(zip(*batch))]
        return out if isinstance(elem, tuple) else _like(elem, out)
    found = elem.dtype if isinstance(elem, np.ndarray) else type(elem)
    raise CollateError(_ERR_TYPES.format(found) + (f" at {path}" if path else ""), 0, path)


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch (PyTorch's rules, see the module docstring).

    Args:
        batch: the samples, all with the same structure.

    Returns:
        The batch: a tensor with a new dim 0, a list of strings, or the samples' container
        holding collated fields.

    Raises:
        CollateError: when an item differs from item 0 in structure, type or shape (naming
            the item's position and the field), or holds a type that cannot be batched.

    Example:
        >>> import tensorweave as tw
        >>> default_collate([(tw.tensor([1, 2]), 0), (tw.tensor([3, 4]), 1)])
        [tensor([[1, 2],
                [3, 4]]), tensor([0, 1])]
    """
    return _collate(list(batch), "")


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars inside one sample into tensors (the `DataLoader`'s
    ``collate_fn`` when ``batch_size=None`` turns batching off); containers are rebuilt,
    tuples as lists, as in PyTorch.
    """
    if isinstance(data, (np.ndarray, np.generic)) and not _is_text_array(data):
        return as_tensor(data)
    if isinstance(data, Mapping):
        return _like(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        out = [default_convert(d) for d in data]
        return out if isinstance(data, tuple) else _like(data, out)
    return data
