"""The DataLoader worker process: its loop, its seeding, and what it sends back.

A worker receives ``(batch_number, index)`` tasks, fetches and collates the batch, and sends
``(batch_number, pickled result)``. It pickles the result itself so that an unpicklable
batch becomes an error the main process sees, instead of an item silently dropped by the
queue's feeder thread (which would leave the main process waiting). Failures travel as a
`WorkerFailure` holding the exception's type and formatted traceback.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ...random import manual_seed
from ._fetch import make_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

# How often a waiting process checks that its peer is still alive (seconds).
POLL_S = 0.1


@dataclass(frozen=True)
class WorkerInfo:
    """What `get_worker_info` returns inside a worker.

    Attributes:
        id: this worker's number, ``0 .. num_workers - 1``.
        num_workers: how many workers the loader started.
        seed: the seed of this worker's tensorweave, `random` and NumPy generators.
        dataset: this worker's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's `WorkerInfo`, or None in the main process.

    An `IterableDataset` uses it to give each worker its own share of the stream.
    """
    return _worker_info


class _KeyErrorMessage(str):
    """KeyError shows its argument's repr; this keeps a multi-line message readable."""

    def __repr__(self) -> str:
        return str(self)


class WorkerFailure:
    """An exception raised in a worker, carried to the main process and re-raised there as
    the same type, with the worker's number and its original traceback in the message.
    """

    def __init__(self, worker_id: int, exc: BaseException) -> None:
        self.worker_id = worker_id
        self.type_name = type(exc).__name__
        self.text = "".join(traceback.format_exception(exc))
        try:
            pickle.dumps(type(exc))
            self.exc_type: type[BaseException] = type(exc)
        except Exception:  # a class defined where the main process cannot import it
            self.exc_type = RuntimeError

    def reraise(self) -> None:
        msg = (f"Caught {self.type_name} in DataLoader worker process {self.worker_id}.\n"
               f"Original {self.text}")
        try:
            exc = self.exc_type(_KeyErrorMessage(msg) if issubclass(self.exc_type, KeyError)
                                else msg)
        except Exception:  # its constructor needs other arguments
            exc = RuntimeError(msg)
        raise exc


@dataclass(frozen=True)
class IterationEnd:
    """A worker's iterable dataset is exhausted: send it no more tasks."""

    worker_id: int


def _seed(seed: int, worker_id: int) -> None:
    """Seed every generator a dataset or transform might draw from in this process."""
    manual_seed(seed)
    random.seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, seed]).generate_state(4))


def worker_loop(dataset: Any, auto_collation: bool, collate_fn: Callable[..., Any],
                drop_last: bool, index_queue: Any, result_queue: Any, seed: int, worker_id: int,
                num_workers: int, init_fn: Callable[[int], None] | None,
                parent_pid: int) -> None:
    """Serve tasks until a ``None`` task, or until the parent process is gone."""
    global _worker_info
    _seed(seed, worker_id)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    fetcher: Any = None
    init_error: WorkerFailure | None = None  # sent as the answer to the first task
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = make_fetcher(dataset, auto_collation, collate_fn, drop_last)
    except Exception as e:
        init_error = WorkerFailure(worker_id, e)
    ended = False
    while True:
        try:
            task = index_queue.get(timeout=POLL_S)
        except queue.Empty:
            if os.getppid() != parent_pid:
                break
            continue
        if task is None:
            break
        if ended:  # the main process skips tasks sent before it heard of the end
            continue
        number, index = task
        data: Any
        if init_error is not None:
            data = init_error
        else:
            try:
                data = fetcher.fetch(index, number)
            except StopIteration:
                data, ended = IterationEnd(worker_id), True
            except Exception as e:
                data = WorkerFailure(worker_id, e)
        try:
            payload = pickle.dumps((number, data), pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            payload = pickle.dumps((number, WorkerFailure(worker_id, e)))
        result_queue.put(payload)
    # Results still queued are for an epoch the main process has left: don't wait to
    # flush them at exit.
    result_queue.cancel_join_thread()
