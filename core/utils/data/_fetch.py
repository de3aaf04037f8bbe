"""Fetchers: turn what the sampler yields into one batch (in the main process or a worker).

A map-style dataset is indexed with each index of the batch; an iterable dataset is read
in order, ``len(index)`` samples per batch. A collate error is re-raised naming the
loader's batch number and the dataset index of the item that differed.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Callable

from .collate import CollateError
from .dataset import IterableDataset


def _collate(collate_fn: Callable[[list[Any]], Any], samples: list[Any], batch_number: int,
             indices: list[Any] | None) -> Any:
    try:
        return collate_fn(samples)
    except CollateError as e:
        item = "" if e.index is None else f", item {e.index}"
        if indices is not None and e.index is not None:
            item += f" (dataset[{indices[e.index]!r}])"
        raise CollateError(f"DataLoader batch {batch_number}{item}: {e}", e.index, e.path,
                           e.expected, e.actual) from e


class MapFetcher:
    """Batches from ``dataset[i]`` (or one ``dataset.__getitems__(indices)`` call when the
    dataset defines it, as PyTorch); with auto-collation off, one ``dataset[index]`` each."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable[..., Any],
                 drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, index: Any, batch_number: int) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(index) if getitems else [self.dataset[i] for i in index]
        return _collate(self.collate_fn, samples, batch_number, index)


class IterableFetcher:
    """Batches read in order from one iterator over ``dataset`` (made once per epoch, or
    per worker); raises StopIteration when the stream (or a short last batch with
    ``drop_last``) ends.
    """

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable[..., Any],
                 drop_last: bool) -> None:
        self.it = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = (auto_collation, collate_fn,
                                                                 drop_last)

    def fetch(self, index: Any, batch_number: int) -> Any:
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        samples = list(islice(self.it, len(index)))
        if not samples or (self.drop_last and len(samples) < len(index)):
            raise StopIteration
        return _collate(self.collate_fn, samples, batch_number, None)


def make_fetcher(dataset: Any, auto_collation: bool, collate_fn: Callable[..., Any],
                 drop_last: bool) -> MapFetcher | IterableFetcher:
    cls = IterableFetcher if isinstance(dataset, IterableDataset) else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)
