"""`DistributedSampler`: each of ``num_replicas`` processes reads its own share of a
dataset, as `torch.utils.data.distributed.DistributedSampler`.

tensorweave has no process group, so the replica count and this process's rank are given
explicitly (from the launcher's environment, for instance); the shares are PyTorch's: one
permutation per epoch seeded by ``seed + epoch`` (the same in every process), padded by
repetition (or cut, with ``drop_last``) to a multiple of ``num_replicas``, then strided by
rank.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized
from typing import TypeVar

from ...random import Generator, randperm
from .sampler import Sampler

__all__ = ["DistributedSampler"]

T_co = TypeVar("T_co", covariant=True)


class DistributedSampler(Sampler[T_co]):
    """The indices of rank ``rank``'s share of ``dataset``.

    Args:
        dataset: a sized dataset.
        num_replicas: how many processes share the dataset (required: there is no
            process group to ask).
        rank: this process's index in ``[0, num_replicas)`` (required likewise).
        shuffle: a new permutation each epoch (call `set_epoch` at each epoch start).
        seed: the permutations' base seed; must be the same in every process.
        drop_last: cut the tail so every rank gets ``len(dataset) // num_replicas`` items
            instead of padding with repeated ones.

    Raises:
        RuntimeError: if ``num_replicas`` or ``rank`` is not given.
        ValueError: for a rank outside ``[0, num_replicas)``.
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            raise RuntimeError("Requires distributed package to be available: tensorweave has "
                               "no process group, so pass num_replicas= and rank= explicitly")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.epoch, self.shuffle, self.seed, self.drop_last = 0, shuffle, seed, drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self) -> Iterator[T_co]:
        n = len(self.dataset)
        if self.shuffle:
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        elif indices:
            pad = self.total_size - len(indices)
            indices += (indices * math.ceil(pad / len(indices)))[:pad]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use epoch ``epoch``'s permutation (the same ``epoch`` in every process)."""
        self.epoch = epoch
