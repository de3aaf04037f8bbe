"""Indexing: ``x[key]`` and ``x[key] = v`` against NumPy and PyTorch's rules, gather/scatter,
masks, flip/roll, their error messages, and the primitives-only decompositions."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.conformance import runner
from tensorweave.plugin.manager import get_registry

A = np.arange(60, dtype=np.float64).reshape(3, 4, 5)


def _idx(v):
    return tw.tensor(v)


# Keys where NumPy's and PyTorch's rules agree.
KEYS = [
    (1,), (-1, slice(None), 2), (slice(None, None, 2), slice(1, -1)), (Ellipsis, 1), (None, 0),
    (slice(None), None, slice(3, 0)), (Ellipsis,), (slice(5, None),),
    ([2, 0],), ([[0, 1], [2, 2]],), (slice(None), [1, -1], [0, 4]), ([0, 2], slice(1, 3), [4, 0]),
    (A[..., 0] > 20,), (slice(None), A[0] > 7), (Ellipsis, [True, False, True, False, True]),
    (None, [1, 2], Ellipsis, None), (True,), (False, 0), (np.array([1, 0]), 2),
]


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_getitem_matches_numpy(key):
    tkey = tuple(_idx(k) if isinstance(k, np.ndarray) and k.dtype == bool else k for k in key)
    got = tw.tensor(A)[tkey]
    want = A[key]
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.numpy(), want)


def test_ints_select_before_advanced_indexing_like_pytorch():
    # NumPy gives (2, 4) here; PyTorch selects dim 0 first and indexes an adjacent dim.
    x = tw.tensor(A)
    assert x[0, :, [1, 2]].shape == (4, 2)
    assert x[0, :, [1, 2]].tolist() == A[0][:, [1, 2]].tolist()


def test_list_key_heuristics_and_zero_d_tensor_indices():
    x = tw.tensor(A)
    assert x[[0, 2]].shape == (2, 4, 5)  # a list of ints is one index
    assert x[[slice(None), 1]].shape == (3, 5)  # a list holding a slice is a tuple
    assert x[tw.tensor(1), tw.tensor(2)].tolist() == A[1, 2].tolist()
    assert np.shares_memory(x.numpy(), x[tw.tensor(1)].numpy())  # 0-d ints index like ints
    assert x[[]].shape == (0, 4, 5)


def test_index_error_messages():
    x = tw.zeros(3, 4)
    with pytest.raises(IndexError, match="^index 5 is out of bounds for dimension 0 with size 3$"):
        x[5]
    with pytest.raises(IndexError, match="^index -5 is out of bounds for dimension 1 with size 4$"):
        x[:, -5]
    with pytest.raises(IndexError, match="^index 5 is out of bounds for dimension 0 with size 3$"):
        x[[0, 5]]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match=r"invalid index of a 0-dim tensor. Use `tensor.item\(\)`"):
        tw.tensor(1.0)[0]
    with pytest.raises(IndexError, match=r"only integers, slices .* are valid indices \(got float"):
        x[1.5]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        x[tw.tensor([0.0])]
    with pytest.raises(IndexError, match=r"The shape of the mask \[2\] at index 0 does not match "
                                         r"the shape of the indexed tensor \[3, 4\] at index 0"):
        x[tw.tensor([True, False])]
    with pytest.raises(IndexError, match=r"shape mismatch: indexing tensors could not be broadcast "
                                         r"together with shapes \[2\], \[3\]"):
        x[[0, 1], [0, 1, 2]]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
    with pytest.raises(IndexError, match="an index can only have a single ellipsis"):
        x[..., ...]


# -- __setitem__ -------------------------------------------------------------------------------


def test_setitem_basic_broadcast_and_cast():
    x = tw.zeros(3, 4, dtype=tw.int64)
    x[1] = 7
    x[:, ::3] = tw.tensor([[1.9], [2.9], [3.9]])  # cast like copy_
    x[2, 1:3] = [5, 6]
    x[None, 0, 1] = tw.tensor([[9]])  # leading size-1 dims of the value are dropped
    assert x.tolist() == [[1, 9, 0, 1], [2, 7, 7, 2], [3, 5, 6, 3]]


def test_setitem_advanced():
    x = tw.zeros(3, 4)
    x[[0, 2], [1, 3]] = tw.tensor([1.0, 2.0])
    x[x > 1.5] = -1
    x[:, [0]] = tw.tensor([[4.0], [5.0], [6.0]])
    x[tw.tensor([True, False, False])] = 8
    want = np.zeros((3, 4))
    want[[0, 2], [1, 3]] = [1, 2]
    want[want > 1.5] = -1
    want[:, [0]] = [[4], [5], [6]]
    want[0] = 8
    np.testing.assert_array_equal(x.numpy(), want)
    with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[3\] cannot "
                                           r"be broadcast to indexing result of shape \[2, 4\]"):
        x[[0, 1]] = tw.ones(3)


def test_setitem_advanced_through_a_view_writes_the_base():
    x = tw.zeros(3, 4)
    v = x[1:]
    v[[0, 1], [0, 3]] = 5.0
    assert x.tolist() == [[0, 0, 0, 0], [5, 0, 0, 0], [0, 0, 0, 5]]
    assert x._version == 1


def test_advanced_setitem_gradients():
    w = tw.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = tw.tensor([10.0, 20.0], requires_grad=True)
    x = w * 1
    x[[2, 0]] = v * 2
    (x * tw.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.grad.tolist() == [0, 2, 0]
    assert v.grad.tolist() == [6, 2]


def test_getitem_gradient_accumulates_repeats():
    w = tw.zeros(3, requires_grad=True)
    w[[0, 0, 2]].sum().backward()
    assert w.grad.tolist() == [2, 0, 1]
    w2 = tw.zeros(2, 3, requires_grad=True)
    w2[:, 1:].sum().backward()
    assert w2.grad.tolist() == [[0, 1, 1], [0, 1, 1]]


def test_getitem_then_inplace_on_source_keeps_backward_valid():
    w = tw.ones(4, requires_grad=True)
    x = w * 1
    y = x[[1, 3]]
    x.add_(1)  # the index copy does not need x's old values (as in PyTorch)
    (y * 3).sum().backward()
    assert w.grad.tolist() == [0, 3, 0, 3]


@pytest.mark.parametrize("fn", [
    lambda t: t[[0, 2], 1:] ** 2,
    lambda t: t[t.detach() > 0] ** 3,
    lambda t: tw.gather(t * t, 1, tw.tensor([[0, 0], [3, 1], [2, 2]])),
    lambda t: tw.index_put(t, (tw.tensor([1, 1]),), t[0, :4] ** 2, accumulate=True) ** 2,
])
def test_index_gradients_are_differentiable_again(fn):
    w = tw.randn(3, 4, dtype=tw.float64, requires_grad=True)
    assert tw.autograd.gradgradcheck(fn, (w,))


# -- gather / scatter / index_select / index_put -------------------------------------------------


def test_gather_scatter_pytorch_doc_examples():
    t = tw.tensor([[1, 2], [3, 4]])
    assert tw.gather(t, 1, tw.tensor([[0, 0], [1, 0]])).tolist() == [[1, 1], [4, 3]]
    src = tw.arange(1, 11).reshape(2, 5)
    index = tw.tensor([[0, 1, 2, 0]])
    assert tw.zeros(3, 5, dtype=src.dtype).scatter(0, index, src).tolist() == [
        [1, 0, 0, 4, 0], [0, 2, 0, 0, 0], [0, 0, 3, 0, 0]]
    assert tw.full((2, 4), 2.0).scatter(1, tw.tensor([[2], [3]]), 1.23).tolist() == [
        [2, 2, pytest.approx(1.23), 2], [2, 2, 2, pytest.approx(1.23)]]
    index = tw.tensor([[0, 1, 2, 0, 0], [0, 1, 2, 2, 2]])
    assert tw.zeros(3, 5).scatter_add(0, index, tw.ones(2, 5)).tolist() == [
        [2, 0, 0, 1, 1], [0, 2, 0, 0, 0], [0, 0, 2, 1, 1]]
    assert tw.zeros(2, 3).scatter(1, tw.tensor([[1]]), 5.0, reduce="add").tolist() == [
        [0, 5, 0], [0, 0, 0]]


def test_gather_scatter_errors():
    x = tw.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"gather\(\): index 3 is out of bounds for dimension "
                                           r"0 with size 3"):
        tw.gather(x, 0, tw.tensor([[3]]))
    with pytest.raises(RuntimeError, match=r"gather\(\): index -1 is out of bounds"):
        tw.gather(x, 0, tw.tensor([[-1]]))
    with pytest.raises(RuntimeError, match="Expected dtype int64 for index; got int32"):
        tw.gather(x, 0, tw.tensor([[0]], dtype=tw.int32))
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions"):
        tw.gather(x, 0, tw.tensor([0]))
    with pytest.raises(RuntimeError, match=r"Expected index \[4, 5\] to be smaller than self "
                                           r"\[3, 4\] apart from dimension 0"):
        tw.gather(x, 0, tw.zeros(4, 5, dtype=tw.int64))
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        x.scatter(0, tw.tensor([[0]]), tw.ones(1, 1, dtype=tw.float64))


def test_inplace_scatter_and_index_put_under_autograd():
    w = tw.ones(2, 3, requires_grad=True)
    s = tw.tensor([[5.0, 6.0]], requires_grad=True)
    x = w * 2
    x.scatter_(1, tw.tensor([[2, 0]]), s)
    x.index_put_((tw.tensor([1]),), tw.tensor(1.0), accumulate=True)
    assert x.tolist() == [[6, 2, 5], [3, 3, 3]]
    (x * tw.arange(6.0).view(2, 3)).sum().backward()
    assert w.grad.tolist() == [[0, 2, 0], [6, 8, 10]]
    assert s.grad.tolist() == [[2, 0]]


def test_index_select_and_index_put_checks():
    x = tw.arange(12.0).view(3, 4)
    assert tw.index_select(x, 1, tw.tensor([3, 0])).tolist() == [[3, 0], [7, 4], [11, 8]]
    with pytest.raises(IndexError, match=r"index_select\(\): index 4 is out of bounds for "
                                         r"dimension 1 with size 4"):
        x.index_select(1, tw.tensor([4]))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(0, tw.tensor([[0]]))
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes "
                                           "match"):
        x.index_put((tw.tensor([0]),), tw.tensor([1]))
    assert x.index_put((None, tw.tensor([0])), tw.tensor(-1.0))[:, 0].tolist() == [-1, -1, -1]


# -- masks, nonzero, flip, roll ----------------------------------------------------------------


def test_masked_fill_scalar_and_tensor_value_gradients():
    x = tw.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = tw.tensor(9.0, requires_grad=True)
    m = tw.tensor([True, False])
    y = x.masked_fill(m, v)
    assert y.tolist() == [[9, 2], [9, 4]]
    y.sum().backward()
    assert x.grad.tolist() == [[0, 1], [0, 1]] and v.grad.item() == 2
    assert tw.tensor([1, 2]).masked_fill(tw.tensor([False, True]), 7.9).tolist() == [1, 7]
    with pytest.raises(RuntimeError, match="only supports boolean masks, but got mask with dtype "
                                           "int64"):
        x.masked_fill(tw.tensor([1, 0]), 0.0)
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional value tensor"):
        x.masked_fill(m, tw.ones(2))


def test_masked_fill_inplace_keeps_gradient_of_the_rest():
    w = tw.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = w * w
    x.masked_fill_(x > 2, 0.0)
    x.sum().backward()
    assert x.tolist() == [1, 0, 0] and w.grad.tolist() == [2, 0, 0]


def test_masked_select_and_nonzero():
    x = tw.tensor([[1, 0, 3], [0, 5, 6]])
    assert tw.masked_select(x, x > 2).tolist() == [3, 5, 6]
    assert x.masked_select(tw.tensor([True, False, True])).tolist() == [1, 3, 0, 6]
    assert x.nonzero().tolist() == [[0, 0], [0, 2], [1, 1], [1, 2]]
    rows, cols = x.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 0, 1, 1] and cols.tolist() == [0, 2, 1, 2]
    assert [t.tolist() for t in tw.tensor(3).nonzero(as_tuple=True)] == [[0]]
    assert tw.nonzero(tw.zeros(2, 0)).shape == (0, 2)


def test_flip_roll():
    x = tw.arange(6).view(2, 3)
    assert x.flip(1).tolist() == [[2, 1, 0], [5, 4, 3]]
    assert tw.flip(x, (0, 1)).tolist() == [[5, 4, 3], [2, 1, 0]]
    assert x.roll(1).tolist() == [[5, 0, 1], [2, 3, 4]]
    assert tw.roll(x, (1, -1), (0, 1)).tolist() == [[4, 5, 3], [1, 2, 0]]
    with pytest.raises(RuntimeError, match="roll: shifts and dimensions must align"):
        x.roll((1, 2), 0)
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.flip((0, 0))


# -- decompositions: what a backend with only the primitives runs ------------------------------

DECOMPOSED = ["index", "index_put", "index_select", "flip", "roll", "repeat", "view", "expand",
              "permute"]


@pytest.mark.parametrize("name", DECOMPOSED)
def test_composites_pass_conformance_without_cpu_fast_kernels(name, monkeypatch):
    op = get_registry().ops[name]
    monkeypatch.delitem(op.kernels, "cpu")
    bad = [r for dt in (tw.float64, tw.int64, tw.bool) if dt in op.dtypes
           for r in runner.check_forward(op, "cpu", dt) if not r.passed]
    bad += [r for r in runner.check_backward(op, "cpu") if not r.passed]
    assert not bad, "\n".join(f"{r.check}: {r.detail}" for r in bad)
