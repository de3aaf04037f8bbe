"""`DataLoader`: batches from a dataset, in the main process or in worker processes.

The sampler always runs in the main process, so the batches (and the RNG draws behind
them) are the same for any ``num_workers``. Each ``iter(loader)`` first draws a base seed
from ``generator`` (or the cpu default generator), then the sampler draws its order: the
RNG state before an epoch fixes that epoch, and restoring it replays the epoch bit for
bit. Worker ``i`` seeds its tensorweave, `random` and NumPy generators from
``base_seed + i``.

Workers get tasks round-robin, at most ``prefetch_factor`` each ahead; results are
yielded in sampler order. A worker's exception is re-raised here as the same type, naming
the worker and holding its traceback; a worker that dies is noticed within `POLL_S`.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import pickle
import queue
import time
from typing import Any, Callable, Iterator

from ...random import Generator
from ._fetch import make_fetcher
from ._worker import POLL_S, IterationEnd, WorkerFailure, worker_loop
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, draw_seed

__all__ = ["DataLoader"]

# Seconds a worker gets to exit after its stop signal before it is terminated.
_JOIN_S = 5.0


class _InfiniteConstantSampler(Sampler[None]):
    """An iterable dataset's stand-in sampler: one ``None`` per sample asked for."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


class DataLoader:
    """Iterate over ``dataset`` in batches, like `torch.utils.data.DataLoader`.

    Args:
        dataset: a map-style `Dataset` (anything with ``__getitem__`` and ``__len__``) or an
            `IterableDataset`.
        batch_size: samples per batch; None turns batching off (each item is converted
            with `default_convert`).
        shuffle: a new random order each epoch (map-style datasets only).
        sampler: the order of the indices (excludes ``shuffle``).
        batch_sampler: yields lists of indices (excludes ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``).
        num_workers: worker processes (0: load in the main process).
        collate_fn: merges a list of samples into a batch (default `default_collate`).
        pin_memory: accepted for compatibility; has no effect.
        drop_last: drop the last batch when it is short.
        timeout: seconds to wait for a worker's batch (0: no limit).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker after
            seeding, before loading.
        multiprocessing_context: a start method name (``"fork"``, ``"spawn"``...) or a
            `multiprocessing` context (default: the platform's). With ``"spawn"`` the
            dataset and functions must be picklable.
        generator: the stream for shuffling and worker seeds (default: the cpu default
            generator, seeded by ``tw.manual_seed``). Save ``generator.get_state()`` between
            epochs to resume a run with the same data order.
        prefetch_factor: tasks sent ahead per worker (default 2 with workers).
        persistent_workers: only False is supported (workers start with each epoch).

    Raises:
        ValueError: for the option combinations PyTorch rejects, with its messages.

    Example:
        >>> import tensorweave as tw
        >>> from tensorweave.utils.data import TensorDataset
        >>> loader = DataLoader(TensorDataset(tw.arange(5)), batch_size=2)
        >>> len(loader), [b[0].tolist() for b in loader]
        (3, [[0, 1], [2, 3], [4]])
    """

    _frozen = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
               "persistent_workers")
    __initialized = False

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers:
            raise (ValueError("persistent_workers option needs num_workers > 0")
                   if num_workers == 0 else NotImplementedError(
                       "DataLoader: persistent_workers=True is not supported; workers start "
                       "with each epoch. Pass persistent_workers=False."))
        if isinstance(dataset, IterableDataset):
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            sampler = (_InfiniteConstantSampler() if isinstance(dataset, IterableDataset)
                       else RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset: Dataset[Any] = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.persistent_workers = persistent_workers
        self.collate_fn = collate_fn or (default_collate if self._auto_collation
                                         else default_convert)
        self.__initialized = True

    def __setattr__(self, attr: str, val: Any) -> None:
        if self.__initialized and attr in self._frozen:
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def multiprocessing_context(self) -> Any:
        return self._mp_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, ctx: Any) -> None:
        if ctx is not None and self.num_workers == 0:
            raise ValueError(f"multiprocessing_context can only be used with multi-process "
                             f"loading (num_workers > 0), but got num_workers="
                             f"{self.num_workers}")
        if isinstance(ctx, str):
            methods = multiprocessing.get_all_start_methods()
            if ctx not in methods:
                raise ValueError(f"multiprocessing_context option should specify a valid start "
                                 f"method in {methods!r}, but got "
                                 f"multiprocessing_context={ctx!r}")
            ctx = multiprocessing.get_context(ctx)
        self._mp_context = ctx

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> Iterator[Any]:
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        return _MultiProcessIter(self)

    def __len__(self) -> int:
        """Batches per epoch, as PyTorch counts them (an iterable dataset: from its len())."""
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self._index_sampler)


class _BaseIter:
    """One epoch: the base seed is drawn first, then the sampler is started."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._base_seed = draw_seed(loader.generator)
        self._sampler_iter = iter(loader._index_sampler)

    def __iter__(self) -> _BaseIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._fetcher = make_fetcher(loader.dataset, loader._auto_collation, loader.collate_fn,
                                     loader.drop_last)
        self._number = 0

    def __next__(self) -> Any:
        data = self._fetcher.fetch(next(self._sampler_iter), self._number)
        self._number += 1
        return data


class _MultiProcessIter(_BaseIter):
    _closed = True  # until there is something to shut down

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        n = loader.num_workers
        self._results = ctx.Queue()
        self._index_queues: list[Any] = []
        self._workers: list[Any] = []
        self._closed = False
        for i in range(n):
            q = ctx.Queue()
            q.cancel_join_thread()  # a stop signal left unread must not block our exit
            w = ctx.Process(target=worker_loop, daemon=True, args=(
                loader.dataset, loader._auto_collation, loader.collate_fn, loader.drop_last, q,
                self._results, self._base_seed + i, i, n, loader.worker_init_fn, os.getpid()))
            w.start()
            self._index_queues.append(q)
            self._workers.append(w)
        self._active = [True] * n
        self._next_worker = itertools.cycle(range(n))
        self._sent = self._received = 0
        self._tasks: dict[int, tuple[Any, ...]] = {}  # number -> (worker,) or (worker, data)
        for _ in range(loader.prefetch_factor * n):  # type: ignore[operator]
            self._send()

    def _send(self) -> None:
        """Give the sampler's next index to the next active worker."""
        if not any(self._active):
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        wid = next(w for w in self._next_worker if self._active[w])
        self._index_queues[wid].put((self._sent, index))
        self._tasks[self._sent] = (wid,)
        self._sent += 1

    def _get(self) -> tuple[int, Any]:
        """The next result from any worker, checking that workers are alive while waiting."""
        deadline = time.monotonic() + self._loader.timeout if self._loader.timeout else None
        while True:
            try:
                return pickle.loads(self._results.get(timeout=POLL_S))  # type: ignore[no-any-return]
            except queue.Empty:
                dead = [(i, w) for i, w in enumerate(self._workers) if not w.is_alive()]
                if dead:
                    self._shutdown(kill=True)
                    desc = ", ".join(f"worker {i} (pid {w.pid}, exit code {w.exitcode})"
                                     for i, w in dead)
                    raise RuntimeError(f"DataLoader worker exited unexpectedly: {desc}. A "
                                       "dataset that crashes the process (or runs out of "
                                       "memory) does this; try num_workers=0 to see the "
                                       "error") from None
                if deadline is not None and time.monotonic() > deadline:
                    self._shutdown(kill=True)
                    raise RuntimeError(f"DataLoader timed out after {self._loader.timeout} "
                                       "seconds") from None

    def __next__(self) -> Any:
        while True:
            # Skip tasks sent to a worker whose iterable dataset has ended.
            while self._received < self._sent:
                task = self._tasks[self._received]
                if len(task) == 2 or self._active[task[0]]:
                    break
                del self._tasks[self._received]
                self._received += 1
            else:
                self._shutdown()
                raise StopIteration
            if len(self._tasks[self._received]) == 2:
                return self._deliver(self._tasks.pop(self._received)[1])
            number, data = self._get()
            if isinstance(data, IterationEnd):
                self._active[data.worker_id] = False
                self._send()
            elif number == self._received:
                del self._tasks[number]
                return self._deliver(data)
            else:
                self._tasks[number] += (data,)

    def _deliver(self, data: Any) -> Any:
        self._received += 1
        if isinstance(data, WorkerFailure):
            self._shutdown(kill=True)
            data.reraise()
        self._send()
        return data

    def _shutdown(self, kill: bool = False) -> None:
        """Stop the workers: ask them to exit (or, after an error, when their results no
        longer matter and one may be stuck, terminate them), then close the queues.
        """
        if self._closed:
            return
        self._closed = True
        for q, w in zip(self._index_queues, self._workers):
            if kill:
                w.terminate()
            elif w.is_alive():
                q.put(None)
        for w in self._workers:
            w.join(_JOIN_S)
            if w.is_alive():
                w.terminate()
                w.join()
        for q in (*self._index_queues, self._results):
            q.cancel_join_thread()
            q.close()

    def __del__(self) -> None:
        self._shutdown()
