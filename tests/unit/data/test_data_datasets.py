"""Datasets and random_split: items, lengths and splits (PyTorch as the oracle when present)."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)


class Range(IterableDataset):
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def __iter__(self):
        return iter(range(self.lo, self.hi))

    def __len__(self):
        return self.hi - self.lo


def test_tensor_dataset_items_are_rows():
    """Item i of a TensorDataset is the tuple of row i of each tensor."""
    x = tw.arange(12).reshape(4, 3)
    y = tw.tensor([10, 11, 12, 13])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6, 7, 8] and b.item() == 12


def test_tensor_dataset_size_mismatch_names_the_sizes():
    """Tensors of different lengths are rejected with the sizes in the message."""
    with pytest.raises(ValueError, match=r"Size mismatch between tensors.*\[4, 3\]"):
        TensorDataset(tw.zeros(4), tw.zeros(3))


def test_subset_and_concat_index_into_their_parts():
    """Subset maps through its indices; ConcatDataset (and +) chains, with negative indices."""
    sub = Subset(list("abcdef"), [5, 0, 3])
    assert [sub[i] for i in range(len(sub))] == ["f", "a", "d"]
    cat = ConcatDataset([list("ab"), list("cde")])
    assert len(cat) == 5 and cat.cumulative_sizes == [2, 5]
    assert [cat[i] for i in range(5)] == list("abcde") and cat[-1] == "e"
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-6]

    class Letters(Dataset):
        def __init__(self, s):
            self.s = s

        def __getitem__(self, i):
            return self.s[i]

        def __len__(self):
            return len(self.s)

    both = Letters("xy") + Letters("z")
    assert isinstance(both, ConcatDataset) and [both[i] for i in range(3)] == ["x", "y", "z"]


def test_concat_rejects_empty_and_iterable():
    """ConcatDataset needs at least one map-style dataset."""
    with pytest.raises(ValueError, match="should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="does not support IterableDataset"):
        ConcatDataset([Range(0, 2)])


def test_chain_dataset_and_iterable_add():
    """Iterable datasets chain in order, and their lengths add up."""
    chained = Range(0, 3) + Range(10, 12)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 2, 10, 11] and len(chained) == 5


def test_random_split_lengths_partition_the_dataset():
    """Splits by length are disjoint, cover the dataset, and depend only on the generator."""
    parts = random_split(range(10), [3, 7], generator=tw.Generator().manual_seed(5))
    again = random_split(range(10), [3, 7], generator=tw.Generator().manual_seed(5))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    assert [p.indices for p in parts] == [p.indices for p in again]
    perm = tw.randperm(10, generator=tw.Generator().manual_seed(5)).tolist()
    assert parts[0].indices == perm[:3] and parts[1].indices == perm[3:]


def test_random_split_default_generator_follows_manual_seed():
    """Without a generator the split comes from the cpu default generator."""
    tw.manual_seed(3)
    a = [p.indices for p in random_split(range(8), [0.5, 0.5])]
    tw.manual_seed(3)
    b = [p.indices for p in random_split(range(8), [0.5, 0.5])]
    assert a == b


@pytest.mark.parametrize("n,fractions", [(10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]),
                                         (7, [0.1, 0.2, 0.7]), (5, [1 / 3, 1 / 3, 1 / 3])])
def test_random_split_fraction_lengths_match_torch(n, fractions):
    """Fractions become the counts PyTorch computes (floors, remainder round-robin)."""
    torch = pytest.importorskip("torch")
    ours = [len(p) for p in random_split(range(n), fractions)]
    theirs = [len(p) for p in torch.utils.data.random_split(range(n), fractions)]
    assert ours == theirs


def test_random_split_errors():
    """Lengths that do not add up, or fractions outside [0, 1], are rejected."""
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(range(5), [0.5, 1.5, -1.0])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])


def test_tensor_dataset_with_numpy_oracle():
    """Rows of a float tensor dataset equal the NumPy rows they came from."""
    arr = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    ds = TensorDataset(tw.tensor(arr))
    for i in range(5):
        np.testing.assert_array_equal(ds[i][0].numpy(), arr[i])
