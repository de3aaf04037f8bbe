"""View semantics (shared storage, versions, strides), shape helpers, copy_/fill_/zero_, and
in-place writes through views under autograd."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw


def _grid() -> tw.Tensor:
    return tw.arange(12).view(3, 4)


# -- shared storage and versions --------------------------------------------------------------


def test_inplace_on_slice_changes_base_and_shares_version_counter():
    a = tw.arange(6.0).view(2, 3)
    b = a[1:]
    b.add_(1)
    assert a.tolist() == [[0, 1, 2], [4, 5, 6]]
    assert a._version == b._version == 1


def test_numpy_of_views_shares_memory():
    a = _grid()
    for v in (a[1:], a[:, ::2], a.t(), a[1], a[None], a.narrow(1, 1, 2), a.unbind(1)[2]):
        assert np.shares_memory(a.numpy(), v.numpy())
    a.numpy()[2, 3] = 100
    assert a[2:, 3:].item() == 100


def test_advanced_indexing_copies():
    a = _grid()
    c = a[[0, 2]]
    c.zero_()
    assert a.sum().item() == 66
    assert not np.shares_memory(a.numpy(), c.numpy())


@pytest.mark.parametrize("key,stride,offset,contiguous", [
    ((slice(1, None),), (4, 1), 4, True),
    ((slice(None), slice(None, None, 2)), (4, 2), 0, False),
    ((slice(None), 1), (4,), 1, False),
    ((1,), (1,), 4, True),
    ((None,), (12, 4, 1), 0, True),
    ((slice(None), None), (4, 4, 1), 0, True),
    ((Ellipsis, None), (4, 1, 1), 0, True),
    ((None, slice(1, None)), (12, 4, 1), 4, True),  # None is applied before the slice
    ((slice(None, None, 2), slice(1, 3)), (8, 1), 1, False),
])
def test_slice_strides_and_offsets_match_pytorch(key, stride, offset, contiguous):
    v = _grid()[key]
    assert v.stride() == stride
    assert v.storage_offset() == offset
    assert v.is_contiguous() is contiguous


def test_transpose_strides():
    a = _grid()
    assert a.t().stride() == (1, 4) and not a.t().is_contiguous()
    assert a.t().contiguous().stride() == (3, 1)
    assert tw.zeros(2, 3, 4).permute(2, 0, 1).stride() == (1, 12, 4)


def test_views_of_a_result_laid_out_like_transposed_inputs(device):
    # An elementwise result of transposed operands may keep their layout (cpu's does, as
    # PyTorch's): slicing, writing and reshaping it still address the right elements.
    x, y = np.arange(18.0).reshape(2, 3, 3), np.arange(18.0).reshape(2, 3, 3) ** 2
    a = tw.tensor(x, device=device).mT + tw.tensor(y, device=device).mT
    want = x.transpose(0, 2, 1) + y.transpose(0, 2, 1)
    assert np.array_equal(a[..., :2, ::2].cpu().numpy(), want[..., :2, ::2])
    a[:, 0, 1:] = -1.0
    want[:, 0, 1:] = -1.0
    assert np.array_equal(a.cpu().numpy(), want)
    assert np.array_equal(a.reshape(2, 9).cpu().numpy(), want.reshape(2, 9))


def test_view_of_transpose_suggests_reshape():
    with pytest.raises(RuntimeError, match=r"view size is not compatible.*Use \.reshape"):
        _grid().t().view(-1)
    assert _grid().t().reshape(-1).tolist() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]


def test_empty_tensors_are_contiguous_with_pytorchs_strides(device):
    # PyTorch: a fresh empty tensor has row-major strides with empty dims counted as 1, and
    # every empty tensor is contiguous, transposed or not.
    for shape, strides in (((0, 3), (3, 1)), ((3, 0), (1, 1)), ((2, 0, 4), (4, 4, 1))):
        a = tw.empty(shape, device=device)
        assert a.stride() == strides and a.is_contiguous()
        assert a.transpose(0, 1).is_contiguous()
        assert a.view(-1).shape == (0,)
    assert tw.empty(0, 3, device=device).reshape(-1, 3).shape == (0, 3)
    with pytest.raises(RuntimeError, match=r"cannot reshape tensor of 0 elements into shape "
                       r"\[0, -1\] because the unspecified dimension size -1 can be any value"):
        tw.empty(0, 3, device=device).reshape(0, -1)


def test_empty_slices_past_the_end():
    a = _grid()
    assert a[3:, 4:].shape == (0, 0)
    assert a[5:].shape == (0, 4)


# -- split, chunk, unbind, narrow, select -----------------------------------------------------


def test_split_by_size_and_sections():
    a = tw.arange(7)
    assert [t.tolist() for t in a.split(3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [t.tolist() for t in tw.split(a, [2, 5])] == [[0, 1], [2, 3, 4, 5, 6]]
    with pytest.raises(RuntimeError, match=r"split_with_sizes expects split_sizes to sum exactly "
                                           r"to 7 .*split_sizes=\[2, 2\]"):
        a.split([2, 2])
    with pytest.raises(RuntimeError, match="split_size can only be 0"):
        a.split(0)


def test_chunk_like_pytorch():
    assert [t.shape[0] for t in tw.arange(5).chunk(3)] == [2, 2, 1]
    assert [t.shape[0] for t in tw.arange(6).chunk(4)] == [2, 2, 2]  # fewer chunks
    assert len(tw.zeros(0).chunk(3)) == 3
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0"):
        tw.arange(3).chunk(0)


def test_unbind_select_narrow_values_and_errors():
    a = _grid()
    assert [t.tolist() for t in a.unbind(1)][1] == [1, 5, 9]
    assert [t.tolist() for t in a] == a.tolist()  # iteration unbinds dim 0
    assert tw.select(a, -1, 2).tolist() == [2, 6, 10]
    assert a.narrow(0, -2, 2).tolist() == [[4, 5, 6, 7], [8, 9, 10, 11]]
    with pytest.raises(IndexError, match=r"select\(\): index 4 out of range for tensor of size "
                                         r"\[3, 4\] at dimension 1"):
        a.select(1, 4)
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(2\) exceeds dimension size "
                                           r"\(3\)"):
        a.narrow(0, 2, 2)


def test_split_views_get_gradients():
    w = tw.arange(6.0, requires_grad=True)
    a, b = w.split([2, 4])
    (a.sum() * 2 + (b * b).sum()).backward()
    assert w.grad.tolist() == [2, 2, 4, 6, 8, 10]


# -- shape helpers ----------------------------------------------------------------------------


def test_unflatten():
    a = tw.arange(24).view(2, 12)
    assert a.unflatten(1, (3, -1)).shape == (2, 3, 4)
    assert np.shares_memory(a.numpy(), a.unflatten(-1, (2, 6)).numpy())
    with pytest.raises(RuntimeError, match=r"Provided sizes \[5, 2\] don't multiply up to the "
                                           r"size of dim 1 \(12\)"):
        a.unflatten(1, (5, 2))


def test_cat_stack_values_promotion_and_errors():
    a, b = tw.tensor([[1, 2]]), tw.tensor([[3.5, 4.5]])
    c = tw.cat([a, b])
    assert c.dtype is tw.float32 and c.tolist() == [[1, 2], [3.5, 4.5]]
    assert tw.cat([tw.zeros(0), a.float()], dim=1).shape == (1, 2)  # legacy 1-D empty skipped
    assert tw.concat((a, a), dim=-1).tolist() == [[1, 2, 1, 2]]
    assert tw.stack([a[0], a[0]], dim=1).tolist() == [[1, 1], [2, 2]]
    with pytest.raises(RuntimeError, match=r"Sizes of tensors must match except in dimension 0. "
                                           r"Expected size 2 but got size 3 for tensor number 1"):
        tw.cat([a, tw.zeros(1, 3, dtype=tw.int64)])
    with pytest.raises(RuntimeError, match="zero-dimensional tensor \\(at position 0\\)"):
        tw.cat([tw.tensor(1.0)])
    with pytest.raises(RuntimeError, match="expected a non-empty list"):
        tw.cat([])
    with pytest.raises(TypeError, match="must be a tuple or list of Tensors"):
        tw.cat(a)
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got "
                                           r"\[1, 2\] at entry 0 and \[2\] at entry 1"):
        tw.stack([a, a[0]])


def test_cat_gradient_splits():
    x = tw.ones(2, requires_grad=True)
    y = tw.ones(3, requires_grad=True)
    (tw.cat([x, y]) * tw.arange(5.0)).sum().backward()
    assert x.grad.tolist() == [0, 1] and y.grad.tolist() == [2, 3, 4]


def test_repeat_like_numpy_tile():
    x = tw.tensor([[1, 2], [3, 4]])
    assert x.repeat(2, 1, 2).tolist() == np.tile(x.numpy(), (2, 1, 2)).tolist()
    with pytest.raises(RuntimeError, match="can not be smaller than number of dimensions"):
        x.repeat(2)
    assert not hasattr(tw, "repeat")  # a method only, as in PyTorch


# -- copy_, fill_, zero_ ----------------------------------------------------------------------


def test_copy_broadcasts_casts_and_returns_self():
    x = tw.zeros(2, 3, dtype=tw.int64)
    assert x.copy_(tw.tensor([1.7, 2.2, -3.9])) is x
    assert x.tolist() == [[1, 2, -3], [1, 2, -3]]
    with pytest.raises(RuntimeError, match=r"copy_: shapes \(2, 4\) and \(2, 3\) cannot be "
                                           r"broadcast together"):
        x.copy_(tw.zeros(2, 4))
    with pytest.raises(RuntimeError, match=r"copy_: the source of shape \[2, 2, 3\] does not "
                                           r"broadcast to the destination shape \[2, 3\]"):
        x.copy_(tw.zeros(2, 2, 3))
    with pytest.raises(TypeError, match="argument 'src' must be Tensor, not int"):
        x.copy_(1)


def test_fill_and_zero():
    x = tw.ones(2, 2)
    assert x.fill_(2.5).tolist() == [[2.5, 2.5], [2.5, 2.5]]
    assert x[0].zero_().tolist() == [0, 0] and x.tolist() == [[0, 0], [2.5, 2.5]]
    assert tw.zeros(2, dtype=tw.int32).fill_(tw.tensor(7)).tolist() == [7, 7]
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor"):
        x.fill_(tw.ones(2))


def test_copy_is_differentiable_in_src():
    w = tw.tensor([1.0, 2.0], requires_grad=True)
    x = tw.zeros(3, 2)
    x.copy_(w * 3)
    (x * x).sum().backward()
    assert w.grad.tolist() == [54.0, 108.0]  # 3 rows of d(9w^2)/dw


def test_copy_into_history_cuts_it():
    w = tw.tensor([1.0, 2.0], requires_grad=True)
    x = w * 1
    x.fill_(5.0)
    x.sum().backward()
    assert w.grad is None or w.grad.tolist() == [0, 0]


# -- in-place through views under autograd ----------------------------------------------------


def test_setitem_zero_on_nonleaf_masks_gradient():
    w = tw.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = w * 1
    x[0] = 0
    x.sum().backward()
    assert w.grad.tolist() == [0, 1, 1]
    assert type(x.grad_fn).__name__ == "CopySlices"


def test_setitem_of_a_computed_value_into_a_plain_tensor():
    w = tw.tensor(1.5, requires_grad=True)
    x = tw.zeros(3)
    x[1] = w * 2
    assert x.tolist() == [0, 3, 0]
    x.sum().backward()
    assert w.grad.item() == 2


def test_inplace_op_on_a_view_of_a_nonleaf():
    w = tw.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = tw.tensor([10.0, 20.0], requires_grad=True)
    x = w * 2
    x[:, 1].add_(v)
    (x * tw.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert w.grad.tolist() == [[2, 4], [6, 8]]
    assert v.grad.tolist() == [2, 4]


def test_nested_view_write():
    w = tw.ones(3, 4, requires_grad=True)
    x = w + 0
    x[1:][:, ::2] = 0
    x.sum().backward()
    assert w.grad.tolist() == [[1, 1, 1, 1], [0, 1, 0, 1], [0, 1, 0, 1]]


def test_inplace_on_view_of_leaf_requiring_grad_raises():
    w = tw.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0] = 2
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[[0]] = 2
    with tw.no_grad():
        w[0] = 2
    assert w.tolist() == [2, 1, 1]


def test_write_into_expanded_view_raises():
    x = tw.zeros(1, 3).expand(2, 3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        x.add_(1)


# -- as_strided ----------------------------------------------------------------------------------


def test_as_strided_backward_sums_overlaps():
    w = tw.arange(5.0, requires_grad=True)
    y = w.as_strided((3, 2), (1, 1))  # windows [0,1] [1,2] [2,3]
    assert y.tolist() == [[0, 1], [1, 2], [2, 3]]
    y.sum().backward()
    assert w.grad.tolist() == [1, 2, 2, 1, 0]


def test_as_strided_of_expanded_input_shares_gradient():
    w = tw.tensor([1.0, 2.0], requires_grad=True)
    e = w.expand(3, 2)  # 3 elements on each storage position
    g, = tw.autograd.grad(e.as_strided((2,), (1,), 0).sum(), [w])
    assert g.tolist() == [1, 1]


def test_as_strided_checks():
    with pytest.raises(RuntimeError, match="negative sizes and strides are not supported"):
        tw.zeros(4).as_strided((2,), (-1,))
    with pytest.raises(RuntimeError, match="mismatch in length of strides and shape"):
        tw.zeros(4).as_strided((2,), (1, 1))


def test_as_strided_scatter():
    out = tw.as_strided_scatter(tw.zeros(3, 3), tw.ones(2, 2), (2, 2), (3, 1), 4)
    assert out.tolist() == [[0, 0, 0], [0, 1, 1], [0, 1, 1]]
    with pytest.raises(RuntimeError, match="does not fit in an input of 9 elements"):
        tw.as_strided_scatter(tw.zeros(3, 3), tw.ones(2, 2), (2, 2), (3, 1), 5)


@pytest.mark.parametrize("fn", [
    lambda t: t[1:, None, ::2] ** 2,
    lambda t: t.as_strided((2, 2), (1, 2), 1) ** 2,
    lambda t: tw.as_strided_scatter(t * t, t[0, :2] ** 3, (2,), (5,), 1),
    lambda t: tw.cat([t, t * t], 1),
])
def test_view_gradients_are_differentiable_again(fn):
    w = tw.randn(3, 4, dtype=tw.float64, requires_grad=True)
    assert tw.autograd.gradgradcheck(fn, (w,))
