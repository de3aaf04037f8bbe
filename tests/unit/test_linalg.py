"""matmul, mm, bmm, dot, outer, einsum: values, PyTorch's shape checks, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.normal(size=shape)


def leaf(a):
    return tw.tensor(a, dtype=tw.float64, requires_grad=True)


def test_matmul_seed_example_accepts_nested_lists():
    r = tw.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]])
    assert r.dtype is tw.int64
    assert r.tolist() == [[19, 22], [43, 50]]
    assert (tw.tensor([[1, 2], [3, 4]]) @ tw.tensor([[5, 6], [7, 8]])).tolist() == [[19, 22],
                                                                                    [43, 50]]


@pytest.mark.parametrize("sa,sb", [((4,), (4,)), ((4,), (4, 2)), ((3, 4), (4,)),
                                   ((2, 3, 4), (4, 5)), ((4,), (2, 4, 3)),
                                   ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul_gradients_for_every_rank_combination(sa, sb):
    a, b = rand(*sa), rand(*sb)
    x, y = leaf(a), leaf(b)
    out = tw.matmul(x, y)
    np.testing.assert_allclose(out.detach().numpy(), np.matmul(a, b))
    g = rand(*out.shape)
    out.backward(tw.tensor(g))
    assert x.grad.shape == sa and y.grad.shape == sb
    assert tw.autograd.gradcheck(tw.matmul, (leaf(a), leaf(b)))
    assert tw.autograd.gradgradcheck(tw.matmul, (leaf(a), leaf(b)))


def test_matmul_errors_name_both_shapes():
    with pytest.raises(RuntimeError, match=r"matmul: mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x3 and 4x5\)"):
        tw.matmul(tw.ones(2, 3), tw.ones(4, 5))
    with pytest.raises(RuntimeError, match="both arguments need at least 1 dimension"):
        tw.matmul(tw.tensor(1.0), tw.ones(2))
    with pytest.raises(RuntimeError, match="same dtype, but got float32 and float64"):
        tw.matmul(tw.ones(2, 2), tw.ones(2, 2, dtype=tw.float64))


def test_mm_requires_matrices_with_chaining_shapes():
    a, b = rand(2, 3), rand(3, 4)
    np.testing.assert_allclose(tw.mm(tw.tensor(a), tw.tensor(b)).numpy(), a @ b)
    with pytest.raises(RuntimeError, match=r"mm: mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x3 and 4x3\)"):
        tw.mm(tw.ones(2, 3), tw.ones(4, 3))
    with pytest.raises(RuntimeError, match=r"mm: self must be a matrix; got a 1-D tensor of "
                                           r"shape \[3\]"):
        tw.mm(tw.ones(3), tw.ones(3, 4))
    with pytest.raises(RuntimeError, match="mm: mat2 must be a matrix; got a 3-D tensor"):
        tw.ones(2, 3).mm(tw.ones(1, 3, 4))


def test_bmm_requires_3d_tensors_with_matching_batches():
    a, b = rand(2, 3, 4), rand(2, 4, 5)
    np.testing.assert_allclose(tw.bmm(tw.tensor(a), tw.tensor(b)).numpy(), a @ b)
    with pytest.raises(RuntimeError, match=r"bmm: Expected size for first two dimensions of "
                                           r"batch2 tensor to be: \[2, 4\] but got: \[3, 4\] "
                                           r"\(batch1 \[2, 3, 4\], batch2 \[3, 4, 5\]\)"):
        tw.bmm(tw.ones(2, 3, 4), tw.ones(3, 4, 5))
    with pytest.raises(RuntimeError, match=r"bmm: Expected size .* \[2, 4\] but got: \[2, 5\]"):
        tw.bmm(tw.ones(2, 3, 4), tw.ones(2, 5, 4))
    with pytest.raises(RuntimeError, match="bmm: batch1 must be a 3D tensor; got a 2-D tensor"):
        tw.bmm(tw.ones(3, 4), tw.ones(2, 4, 5))


def test_bmm_and_mm_gradients_go_through_matmul():
    x, y = leaf(rand(2, 3, 4)), leaf(rand(2, 4, 5))
    tw.bmm(x, y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones((2, 3, 5)) @ y.detach().numpy()
                               .transpose(0, 2, 1))


def test_dot_and_outer():
    assert tw.dot(tw.tensor([1, 2]), tw.tensor([3, 4])).item() == 11
    assert tw.tensor([1.0, 2.0]).dot(tw.tensor([3.0, 4.0])).item() == 11.0
    with pytest.raises(RuntimeError, match="dot: 1D tensors expected, but got 2D and 1D"):
        tw.dot(tw.ones(2, 2), tw.ones(2))
    with pytest.raises(RuntimeError, match=r"inconsistent tensor size, expected tensor \[2\] "
                                           r"and src \[3\]"):
        tw.dot(tw.ones(2), tw.ones(3))
    assert tw.outer(tw.tensor([1, 2]), tw.tensor([3, 4, 5])).tolist() == [[3, 4, 5],
                                                                          [6, 8, 10]]
    assert tw.outer(tw.tensor([1, 2]), tw.tensor([0.5])).dtype is tw.float32
    with pytest.raises(RuntimeError, match="outer: 1D tensors expected"):
        tw.outer(tw.ones(2, 1), tw.ones(2))


EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j", [(3,), (2,)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij,j->i", [(2, 2, 3), (3,)]),
    ("ijk->kj", [(2, 3, 4)]),
    ("...ij->...ji", [(2, 2, 3)]),
    ("...ij,jk->...ik", [(2, 1, 3, 4), (4, 2)]),
    ("...i,...i->...", [(2, 3), (1, 3)]),
    ("b...,b...->b", [(2, 3, 4), (2, 3, 4)]),  # '...' dims missing from the output are summed
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    (" ij , jk -> ki ", [(2, 3), (3, 2)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_values_and_gradients(eq, shapes):
    arrays = [rand(*s) for s in shapes]
    # NumPy refuses to sum '...' dims that the output omits; spell them out for it.
    ref_eq = eq.replace(" ", "").replace("b...,b...->b", "bij,bij->b")
    np.testing.assert_allclose(tw.einsum(eq, *[tw.tensor(a) for a in arrays]).numpy(),
                               np.einsum(ref_eq, *arrays), atol=1e-12)
    assert tw.autograd.gradcheck(lambda *xs: tw.einsum(eq, *xs), tuple(leaf(a) for a in arrays))
    assert tw.autograd.gradgradcheck(lambda *xs: tw.einsum(eq, *xs),
                                     tuple(leaf(a) for a in arrays))


def test_einsum_accepts_a_list_of_operands_and_integers():
    a = tw.tensor([[1, 2], [3, 4]])
    assert tw.einsum("ij,jk->ik", [a, a]).tolist() == [[7, 10], [15, 22]]
    assert tw.einsum("ii", a).item() == 5


def test_einsum_errors():
    a = tw.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"the number of subscripts in the equation \(3\) does "
                                           r"not match the number of dimensions \(2\) for "
                                           r"operand 0"):
        tw.einsum("ijk->i", a)
    with pytest.raises(RuntimeError, match="names 2 operands but 1 were given"):
        tw.einsum("ij,jk->ik", a)
    with pytest.raises(RuntimeError, match=r"subscript 'j' has size 3 for one operand and 4 for "
                                           r"operand 1"):
        tw.einsum("ij,jk->ik", a, tw.ones(4, 2))
    with pytest.raises(RuntimeError, match="output subscript k does not appear"):
        tw.einsum("ij->k", a)
    with pytest.raises(RuntimeError, match="output subscript i appears more than once"):
        tw.einsum("ij->ii", a)
    with pytest.raises(RuntimeError, match="same dtype"):
        tw.einsum("ij,ij->ij", a, tw.ones(2, 3, dtype=tw.float64))
    with pytest.raises(RuntimeError, match="invalid subscript '1'"):
        tw.einsum("i1->i", a)
