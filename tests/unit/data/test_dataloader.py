"""DataLoader: batches, len() and option errors as PyTorch's; reproducible shuffling from
tensorweave's RNG; worker processes that give the same batches and fail loudly and fast.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.utils.data import (
    BatchSampler,
    CollateError,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
    get_worker_info,
)


class Squares(Dataset):
    """Item i is (i, i*i as a float array); no randomness, so workers must agree."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i, np.array([i * i, -i], np.float32)

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    """0..n-1, split between workers by get_worker_info."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


class FailsAt(Dataset):
    def __init__(self, n, bad):
        self.n, self.bad = n, bad

    def __getitem__(self, i):
        if i == self.bad:
            raise ValueError(f"cannot load sample {i}")
        return i

    def __len__(self):
        return self.n


class DiesAt(FailsAt):
    def __getitem__(self, i):
        if i == self.bad:
            os._exit(7)
        return i


def _indices(loader):
    return [b[0].tolist() for b in loader]


@pytest.mark.parametrize("n,bs,drop_last", [(10, 3, False), (10, 3, True), (10, 5, True),
                                            (3, 4, False), (3, 4, True)])
def test_batches_and_len_match_torch(n, bs, drop_last):
    """Sequential batches, the short last batch and len() as torch's DataLoader."""
    loader = DataLoader(Squares(n), batch_size=bs, drop_last=drop_last)
    expected = [list(range(i, min(i + bs, n))) for i in range(0, n, bs)]
    expected = [b for b in expected if not drop_last or len(b) == bs]
    assert _indices(loader) == expected and len(loader) == len(expected)
    torch = pytest.importorskip("torch")
    theirs = torch.utils.data.DataLoader(range(n), batch_size=bs, drop_last=drop_last)
    assert len(loader) == len(theirs)
    assert expected == [b.tolist() for b in theirs]


def test_batch_values_and_dtypes():
    """A batch of (int, float32 array) samples is (int64 tensor, stacked float32 tensor)."""
    idx, arr = next(iter(DataLoader(Squares(5), batch_size=3)))
    assert idx.dtype is tw.int64 and idx.tolist() == [0, 1, 2]
    assert arr.dtype is tw.float32 and arr.tolist() == [[0, 0], [1, -1], [4, -2]]


def test_len_for_iterable_dataset_matches_torch():
    """An iterable dataset's len() comes from its own len and the batch size."""
    for bs, drop_last, expected in [(3, False, 4), (3, True, 3), (None, False, 10)]:
        assert len(DataLoader(Stream(10), batch_size=bs, drop_last=drop_last)) == expected
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [
        [0, 1, 2], [3, 4, 5]]


def test_batch_size_none_yields_converted_samples():
    """batch_size=None turns batching off: each sample, arrays as tensors."""
    out = list(DataLoader(Squares(2), batch_size=None))
    assert len(out) == 2 and out[1][0] == 1 and out[1][1].tolist() == [1.0, -1.0]


def test_custom_batch_sampler_and_collate_fn():
    """batch_sampler decides the groups; collate_fn builds the batch."""
    bs = BatchSampler(SequentialSampler(range(5)), 2, drop_last=False)
    loader = DataLoader(Squares(5), batch_sampler=bs, collate_fn=lambda b: [s[0] for s in b])
    assert list(loader) == [[0, 1], [2, 3], [4]] and len(loader) == 3
    assert loader.batch_size is None and loader.drop_last is False


@pytest.mark.parametrize("kwargs,message", [
    ({"shuffle": True, "sampler": [0, 1]}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2},
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
     "drop_last"),
    ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
    ({"batch_size": None, "drop_last": True},
     "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
    ({"num_workers": -1}, "num_workers option should be non-negative"),
    ({"timeout": -1}, "timeout option should be non-negative"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in "
                             "multiprocessing"),
])
def test_mutually_exclusive_options_raise_torch_messages(kwargs, message):
    """The option checks and their messages are PyTorch's."""
    with pytest.raises(ValueError, match=message):
        DataLoader(Squares(4), **kwargs)
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        torch.utils.data.DataLoader(range(4), **kwargs)


def test_iterable_dataset_rejects_shuffle_and_samplers():
    """An iterable dataset takes no shuffle, sampler or batch_sampler."""
    for kw in ("shuffle", "sampler", "batch_sampler"):
        value = True if kw == "shuffle" else [0]
        with pytest.raises(ValueError, match=f"DataLoader with IterableDataset: expected "
                                             f"unspecified {kw} option"):
            DataLoader(Stream(3), **{kw: value})


def test_options_cannot_change_after_init():
    """Setting batch_size (and the other frozen options) later raises, as in PyTorch."""
    loader = DataLoader(Squares(3))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after "
                                         "DataLoader is initialized"):
        loader.batch_size = 2


def test_shuffle_is_reproducible_from_manual_seed_and_generator():
    """shuffle=True orders come from tw.manual_seed, or from the loader's generator."""
    tw.manual_seed(7)
    a = _indices(DataLoader(Squares(12), batch_size=4, shuffle=True))
    tw.manual_seed(7)
    b = _indices(DataLoader(Squares(12), batch_size=4, shuffle=True))
    assert a == b and sorted(sum(a, [])) == list(range(12)) and sum(a, []) != list(range(12))
    g1, g2 = tw.Generator().manual_seed(1), tw.Generator().manual_seed(1)
    assert (_indices(DataLoader(Squares(12), batch_size=4, shuffle=True, generator=g1))
            == _indices(DataLoader(Squares(12), batch_size=4, shuffle=True, generator=g2)))


def test_resume_from_saved_generator_state_is_bit_for_bit():
    """Restoring the generator state saved after epoch 1 replays epochs 2 and 3 exactly."""
    g = tw.Generator().manual_seed(123)
    loader = DataLoader(Squares(10), batch_size=3, shuffle=True, generator=g)
    _indices(loader)
    state = g.get_state()
    later = [_indices(loader), _indices(loader)]
    g2 = tw.Generator().set_state(state)
    resumed = DataLoader(Squares(10), batch_size=3, shuffle=True, generator=g2)
    assert [_indices(resumed), _indices(resumed)] == later
    # The same with the global RNG: tw.get_rng_state / set_rng_state.
    tw.manual_seed(5)
    state = tw.get_rng_state()
    first = _indices(DataLoader(Squares(10), batch_size=3, shuffle=True))
    tw.set_rng_state(state)
    assert _indices(DataLoader(Squares(10), batch_size=3, shuffle=True)) == first


def test_workers_yield_the_same_batches_as_the_main_process():
    """num_workers=2 gives exactly num_workers=0's batches, shuffled or not."""
    for shuffle in (False, True):
        runs = []
        for workers in (0, 2):
            g = tw.Generator().manual_seed(11)
            loader = DataLoader(Squares(23), batch_size=4, shuffle=shuffle, generator=g,
                                num_workers=workers)
            runs.append([(i.tolist(), a.numpy().tolist()) for i, a in loader])
        assert runs[0] == runs[1] and len(runs[0]) == 6


def test_iterable_dataset_split_between_workers():
    """Workers sharding by get_worker_info cover the stream once, each batch from one worker."""
    batches = [b.tolist() for b in DataLoader(Stream(10), batch_size=2, num_workers=2)]
    assert sorted(sum(batches, [])) == list(range(10))
    assert batches[0] == [0, 2] and batches[1] == [1, 3]


def test_worker_init_fn_and_seeds():
    """worker_init_fn runs in each worker; worker seeds are base_seed + id."""

    class Seeds(Dataset):
        def __getitem__(self, i):
            info = get_worker_info()
            return info.id, info.seed, os.environ.get("TW_TEST_INIT", "")

        def __len__(self):
            return 4

    def init(worker_id):
        os.environ["TW_TEST_INIT"] = f"w{worker_id}"

    out = list(DataLoader(Seeds(), batch_size=1, num_workers=2, worker_init_fn=init))
    ids = [b[0].item() for b in out]
    seeds = {b[0].item(): b[1].item() for b in out}
    assert ids == [0, 1, 0, 1] and seeds[1] == seeds[0] + 1
    assert [b[2] for b in out] == [["w0"], ["w1"], ["w0"], ["w1"]]
    assert get_worker_info() is None


def test_failing_worker_raises_the_original_error_quickly():
    """A worker's exception is re-raised with its type, the worker id and its traceback."""
    start = time.monotonic()
    with pytest.raises(ValueError) as info:
        list(DataLoader(FailsAt(8, bad=5), batch_size=2, num_workers=2))
    msg = str(info.value)
    assert "Caught ValueError in DataLoader worker process 0" in msg
    assert "cannot load sample 5" in msg and "Traceback" in msg
    assert time.monotonic() - start < 10


def test_dead_worker_is_reported_not_waited_for():
    """A worker that exits (a crash) raises a RuntimeError naming it, without hanging."""
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker exited unexpectedly: worker 1 "
                                           r"\(pid \d+, exit code 7\)"):
        list(DataLoader(DiesAt(8, bad=3), batch_size=2, num_workers=2))
    assert time.monotonic() - start < 10


def test_collate_error_in_loader_names_batch_and_dataset_index():
    """A bad sample is reported with the loader's batch number and its dataset index."""

    class Ragged(Dataset):
        def __getitem__(self, i):
            return np.zeros(2 if i == 6 else 3)

        def __len__(self):
            return 8

    for workers in (0, 2):
        with pytest.raises((CollateError, RuntimeError),
                           match=r"DataLoader batch 1, item 2 \(dataset\[6\]\): default_collate: "
                                 r"batch item 2 is a NumPy float64 array of shape \(2,\) but "
                                 r"item 0 is a NumPy float64 array of shape \(3,\)"):
            list(DataLoader(Ragged(), batch_size=4, num_workers=workers))


def test_pin_memory_is_accepted_and_persistent_workers_refused():
    """pin_memory is a no-op; persistent_workers=True says it is unsupported."""
    ds = TensorDataset(tw.arange(4))
    assert [b[0].tolist() for b in DataLoader(ds, batch_size=2, pin_memory=True)] == [
        [0, 1], [2, 3]]
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(NotImplementedError, match="persistent_workers=True is not supported"):
        DataLoader(ds, num_workers=1, persistent_workers=True)


def test_timeout_raises_instead_of_waiting():
    """A worker slower than timeout= raises PyTorch's timeout error promptly."""

    class Slow(Dataset):
        def __getitem__(self, i):
            time.sleep(30)
            return i

        def __len__(self):
            return 2

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
        next(iter(DataLoader(Slow(), num_workers=1, timeout=0.3)))
    assert time.monotonic() - start < 5


def test_leaving_an_epoch_early_stops_its_workers():
    """Abandoning an iterator (break) shuts its workers down."""
    it = iter(DataLoader(Squares(40), batch_size=2, num_workers=2))
    assert next(it)[0].tolist() == [0, 1]
    workers = list(it._workers)
    del it
    assert not any(w.is_alive() for w in workers)


def test_random_transforms_in_workers_follow_the_loader_generator():
    """Workers seed tensorweave's RNG from the loader's generator: same seed, same draws."""

    class Noisy(Dataset):
        def __getitem__(self, i):
            return tw.rand(2)

        def __len__(self):
            return 6

    def run(seed):
        g = tw.Generator().manual_seed(seed)
        return [b.tolist() for b in DataLoader(Noisy(), batch_size=2, num_workers=2,
                                               generator=g)]

    a = run(0)
    assert a == run(0) and a != run(1)
    assert a[0] != a[1]  # the two workers draw different streams


def test_multiprocessing_context_needs_workers():
    """A start method is refused without workers, and an unknown one is named."""
    with pytest.raises(ValueError, match="multiprocessing_context can only be used with "
                                         "multi-process loading"):
        DataLoader(Squares(2), multiprocessing_context="fork")
    with pytest.raises(ValueError, match="should specify a valid start method"):
        DataLoader(Squares(2), num_workers=1, multiprocessing_context="nope")
