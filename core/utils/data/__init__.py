"""`tensorweave.utils.data`: datasets, samplers and the `DataLoader`, as `torch.utils.data`.

Every random choice (shuffling, `random_split`, worker seeds) draws from tensorweave's RNG
(``tw.manual_seed`` or a `tensorweave.Generator`), so saving a generator's state saves where
a run's data order stands.
"""

from __future__ import annotations

from . import distributed
from ._worker import WorkerInfo, get_worker_info
from .collate import CollateError, default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "Subset",
           "ConcatDataset", "ChainDataset", "random_split", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "DistributedSampler", "distributed", "DataLoader",
           "default_collate", "default_convert", "CollateError", "get_worker_info", "WorkerInfo"]
