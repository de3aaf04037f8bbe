"""`StackDataset` (items, batches through `__getitems__`, errors) and `DistributedSampler`
(PyTorch's shares: lengths, padding, drop_last, and the same indices as PyTorch without
shuffling; with shuffling, disjoint shares that cover the epoch's permutation)."""

from __future__ import annotations

import pytest

import tensorweave as tw
from tensorweave.utils.data import DataLoader, DistributedSampler, StackDataset, TensorDataset

torch = pytest.importorskip("torch")
TD = torch.utils.data


class Batched(tw.utils.data.Dataset):
    """A dataset that answers whole batches and counts how it was asked."""

    def __init__(self, n):
        self.n, self.calls = n, []

    def __getitem__(self, i):
        self.calls.append("item")
        return i * 10

    def __getitems__(self, indices):
        self.calls.append("batch")
        return [i * 10 for i in indices]

    def __len__(self):
        return self.n


def test_stack_dataset_items_equal_pytorchs():
    xs, ys = list(range(5)), [chr(97 + i) for i in range(5)]
    for args, kwargs in (((xs, ys), {}), ((), {"x": xs, "y": ys})):
        mine, theirs = StackDataset(*args, **kwargs), TD.StackDataset(*args, **kwargs)
        assert len(mine) == len(theirs) == 5
        assert [mine[i] for i in range(5)] == [theirs[i] for i in range(5)]
        assert mine.__getitems__([3, 1]) == theirs.__getitems__([3, 1])


def test_stack_dataset_batches_through_getitems():
    inner = Batched(6)
    ds = StackDataset(a=inner, b=TensorDataset(tw.arange(6.0)))
    batches = list(DataLoader(ds, batch_size=4))
    assert inner.calls == ["batch", "batch"]
    assert batches[0]["a"].tolist() == [0, 10, 20, 30]
    assert batches[1]["b"][0].tolist() == [4.0, 5.0]


@pytest.mark.parametrize("args,kwargs,match", [
    (([1, 2], [1]), {}, "Size mismatch between datasets"),
    ((), {}, "At least one dataset should be passed"),
    (([1],), {"b": [1]}, "both types are given"),
])
def test_stack_dataset_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        StackDataset(*args, **kwargs)
    with pytest.raises(ValueError, match=match):
        TD.StackDataset(*args, **kwargs)


@pytest.mark.parametrize("n", [10, 11, 3, 1])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_shares_equal_pytorchs_without_shuffle(n, replicas, drop_last):
    data = list(range(n))
    for rank in range(replicas):
        mine = DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = TD.distributed.DistributedSampler(data, replicas, rank, shuffle=False,
                                                   drop_last=drop_last)
        assert len(mine) == len(theirs)
        assert list(mine) == list(theirs)


@pytest.mark.parametrize("n,drop_last", [(10, False), (11, False), (11, True)])
def test_distributed_shuffled_shares_cover_the_permutation(n, drop_last):
    replicas = 3
    samplers = [DistributedSampler(range(n), replicas, r, seed=7, drop_last=drop_last)
                for r in range(replicas)]
    epoch0 = [list(s) for s in samplers]
    assert all(len(share) == len(s) for share, s in zip(epoch0, samplers))
    seen = sorted(i for share in epoch0 for i in share)
    if drop_last:  # every index at most once
        assert len(set(seen)) == len(seen) == samplers[0].total_size
    else:  # every index, padded with repeats
        assert set(seen) == set(range(n)) and len(seen) == samplers[0].total_size
    g = tw.Generator()
    g.manual_seed(7)
    perm = tw.randperm(n, generator=g).tolist()
    assert epoch0[1] == (perm * 2)[1:samplers[0].total_size:replicas]
    assert [list(s) for s in samplers] == epoch0  # same epoch, same order
    for s in samplers:
        s.set_epoch(1)
    assert [list(s) for s in samplers] != epoch0


def test_distributed_sampler_errors():
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        DistributedSampler(range(4))
    for rank in (3, -1):
        with pytest.raises(ValueError, match=r"Invalid rank .*, rank should be in the interval "
                                             r"\[0, 2\]"):
            DistributedSampler(range(4), num_replicas=3, rank=rank)
