"""Datasets: the map-style and iterable bases, tensor/subset/concatenated/stacked
datasets, `random_split`.

A map-style dataset answers ``len()`` and ``dataset[i]``; an iterable one only yields
samples. Both are plain Python objects, so a `DataLoader` can hand them to worker processes.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Any, Generic, TypeVar

from ...random import Generator, randperm
from ...tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "Subset",
           "ConcatDataset", "ChainDataset", "random_split"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map from indices to samples: subclasses define ``__getitem__`` (and usually
    ``__len__``, which samplers and ``len(loader)`` need).

    ``a + b`` is ``ConcatDataset([a, b])``.
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[Any]) -> ConcatDataset[Any]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A stream of samples: subclasses define ``__iter__``.

    With ``num_workers > 0`` every worker iterates its own copy; split the work with
    `get_worker_info` or each sample comes once per worker, as in PyTorch.
    ``a + b`` is ``ChainDataset([a, b])``.
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Dataset[Any]) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are rows of tensors: item ``i`` is ``(t[i] for t in tensors)``.

    Args:
        *tensors: tensors with the same size in dim 0.

    Raises:
        ValueError: if the tensors differ in dim 0 (or none is given).

    Example:
        >>> import tensorweave as tw
        >>> ds = TensorDataset(tw.arange(6).reshape(3, 2), tw.tensor([7, 8, 9]))
        >>> len(ds), ds[1]
        (3, (tensor([2, 3]), tensor(8)))
    """

    def __init__(self, *tensors: Tensor) -> None:
        sizes = [t.size(0) for t in tensors]
        if not sizes or len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: Size mismatch between tensors; every tensor needs "
                             f"the same size in dim 0, got sizes {sizes}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return int(self.tensors[0].size(0))


class StackDataset(Dataset[Any]):
    """Datasets of one length side by side: item ``i`` is ``(d[i] for d in args)``, or
    ``{name: d[i]}`` for keyword datasets, as `torch.utils.data.StackDataset`.

    Raises:
        ValueError: for no datasets, both positional and keyword ones, or datasets of
            different lengths.

    Example:
        >>> import tensorweave as tw
        >>> ds = StackDataset(image=[10, 11], label=[0, 1])
        >>> len(ds), ds[1]
        (2, {'image': 11, 'label': 1})
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or ``dict``- (via "
                             "``kwargs``) like input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        self.datasets: tuple[Any, ...] | dict[str, Any] = args or kwargs
        parts = list(args or kwargs.values())
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ValueError(f"Size mismatch between datasets: lengths "
                             f"{[len(d) for d in parts]}")

    def __getitem__(self, index: Any) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list[Any]) -> list[Any]:
        """A batch at once, through each dataset's own ``__getitems__`` when it has one."""
        named = self.datasets if isinstance(self.datasets, dict) else dict(
            enumerate(self.datasets))
        columns = {}
        for k, d in named.items():
            items = (d.__getitems__(indices) if callable(getattr(d, "__getitems__", None))
                     else [d[i] for i in indices])
            if len(items) != len(indices):
                raise ValueError(f"Nested dataset's output size mismatch. Expected "
                                 f"{len(indices)}, got {len(items)}")
            columns[k] = items
        if isinstance(self.datasets, dict):
            return [{k: columns[k][j] for k in named} for j in range(len(indices))]
        return [tuple(columns[k][j] for k in named) for j in range(len(indices))]

    def __len__(self) -> int:
        return self._length


class Subset(Dataset[T_co]):
    """The items of ``dataset`` at ``indices``, in that order (item ``i`` is
    ``dataset[indices[i]]``).
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Map-style datasets one after another; ``cumulative_sizes[k]`` is where dataset
    ``k + 1`` starts.

    Raises:
        ValueError: for no datasets.
        TypeError: for an `IterableDataset` (it has no indices; use `ChainDataset`).
    """

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset; use "
                                "ChainDataset to chain iterable datasets")
        self.cumulative_sizes = list(accumulate(len(d) for d in self.datasets))  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[k - 1] if k else 0
        return self.datasets[k][idx - start]  # type: ignore[no-any-return]


class ChainDataset(IterableDataset[Any]):
    """Iterable datasets one after another (built lazily, so streams stay streams)."""

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset; got "
                                f"{type(d).__name__}")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)  # type: ignore[arg-type]


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """Fractions summing to 1 become counts: floors first, the remainder handed out one
    by one from the first split on (PyTorch's rule, so the counts match its).
    """
    counts = []
    for i, frac in enumerate(lengths):
        if not 0 <= frac <= 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts.append(math.floor(n * frac))
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    for i, c in enumerate(counts):
        if c == 0:
            warnings.warn(f"Length of split at index {i} is 0. This might result in an empty "
                          "dataset.", stacklevel=3)
    return counts


def random_split(dataset: Dataset[T_co], lengths: Sequence[float],
                 generator: Generator | None = None) -> list[Subset[T_co]]:
    """Split ``dataset`` into non-overlapping random `Subset`\\ s.

    Args:
        dataset: a map-style dataset.
        lengths: the sizes of the splits, or fractions that sum to 1.
        generator: the stream the permutation is drawn from (default: the cpu default
            generator, seeded by ``tw.manual_seed``).

    Returns:
        One `Subset` per entry of ``lengths``.

    Raises:
        ValueError: if the lengths do not add up to ``len(dataset)``, or a fraction is
            outside [0, 1].

    Example:
        >>> import tensorweave as tw
        >>> a, b = random_split(range(10), [0.7, 0.3], generator=tw.Generator().manual_seed(0))
        >>> len(a), len(b), sorted([*a, *b]) == list(range(10))
        (7, 3, True)
    """
    n = len(dataset)  # type: ignore[arg-type]
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _split_lengths(n, lengths)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = randperm(n, generator=generator).tolist()
    return [Subset(dataset, indices[end - length:end])
            for end, length in zip(accumulate(lengths), lengths)]  # type: ignore[arg-type]
