"""Samplers: orders, lengths, reproducibility from tensorweave's RNG, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.utils.data import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def test_sequential_sampler():
    """The indices in order."""
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert len(SequentialSampler(range(4))) == 4


def test_random_sampler_is_a_permutation_drawn_from_the_generator():
    """Without replacement one epoch is a permutation; the same seed gives the same one."""
    s = RandomSampler(range(20), generator=tw.Generator().manual_seed(1))
    first = list(s)
    assert sorted(first) == list(range(20)) and first != list(range(20))
    assert first == list(RandomSampler(range(20), generator=tw.Generator().manual_seed(1)))
    assert list(s) != first  # the generator moved on: a new order next epoch


def test_random_sampler_without_generator_follows_manual_seed():
    """With no generator, tw.manual_seed fixes the order."""
    tw.manual_seed(0)
    a = list(RandomSampler(range(30)))
    tw.manual_seed(0)
    assert list(RandomSampler(range(30))) == a


def test_random_sampler_num_samples_beyond_length_chains_permutations():
    """num_samples > len without replacement: whole permutations, then a partial one."""
    s = RandomSampler(range(4), num_samples=10, generator=tw.Generator().manual_seed(2))
    out = list(s)
    assert len(out) == len(s) == 10
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]
    assert len(set(out[8:])) == 2


def test_random_sampler_with_replacement_covers_range_uniformly():
    """With replacement, draws fall in [0, n) with roughly equal counts."""
    out = list(RandomSampler(range(5), replacement=True, num_samples=5000,
                             generator=tw.Generator().manual_seed(0)))
    counts = np.bincount(out, minlength=5)
    assert len(out) == 5000 and counts.min() > 850 and counts.max() < 1150


def test_random_sampler_errors_match_torch():
    """Bad replacement/num_samples give PyTorch's messages."""
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got "
                                         "replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but "
                                         "got num_samples=0"):
        RandomSampler(range(3), num_samples=0)


def test_subset_random_sampler_permutes_the_given_indices():
    """Every given index once per epoch, in an order drawn from the generator."""
    out = list(SubsetRandomSampler([10, 20, 30, 40], generator=tw.Generator().manual_seed(0)))
    perm = tw.randperm(4, generator=tw.Generator().manual_seed(0)).tolist()
    assert out == [[10, 20, 30, 40][i] for i in perm]


def test_weighted_random_sampler_follows_the_weights():
    """Zero weights are never drawn; frequencies follow the weights."""
    s = WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=tw.Generator().manual_seed(0))
    counts = np.bincount(list(s), minlength=3)
    assert counts[0] == 0 and len(s) == 4000
    assert abs(counts[2] / 4000 - 0.75) < 0.03
    no_repl = list(WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False))
    assert sorted(no_repl) == [0, 1, 2, 3]


def test_weighted_random_sampler_errors():
    """PyTorch's messages for bad arguments."""
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights "
                                         r"have shape \(2, 2\)"):
        WeightedRandomSampler([[1, 2], [3, 4]], 2)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1, 2], True)


@pytest.mark.parametrize("n,bs,drop_last", [(10, 3, False), (10, 3, True), (9, 3, True),
                                            (2, 5, False), (2, 5, True), (0, 2, False)])
def test_batch_sampler_matches_torch(n, bs, drop_last):
    """Batches and len() equal torch's BatchSampler's."""
    ours = BatchSampler(SequentialSampler(range(n)), bs, drop_last)
    expected = [list(range(i, min(i + bs, n))) for i in range(0, n, bs)]
    if drop_last:
        expected = [b for b in expected if len(b) == bs]
    assert list(ours) == expected and len(ours) == len(expected)
    torch = pytest.importorskip("torch")
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), bs,
                                           drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_batch_sampler_errors_match_torch():
    """PyTorch's messages for a bad batch_size or drop_last."""
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but "
                                         "got batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got "
                                         "drop_last=1"):
        BatchSampler(range(3), 2, 1)
