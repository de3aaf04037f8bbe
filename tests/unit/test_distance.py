"""cosine_similarity, pairwise_distance, pdist and the CosineSimilarity / PairwiseDistance
layers against PyTorch (float64): outputs and input gradients, eps at near-zero vectors,
broadcasting, dtypes and errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _functional_oracle import compare
from _module_oracle import compare as compare_modules

import tensorweave as tw
from tensorweave.nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape)


# -- cosine_similarity ------------------------------------------------------------------------

COS_CASES = [
    ("default", rand(3, 4), rand(3, 4), {}),
    ("dim0", rand(3, 4), rand(3, 4), {"dim": 0}),
    ("broadcast-dim-1", rand(2, 3, 4), rand(3, 1), {"dim": -1}),
    ("1-d", rand(5), rand(5), {"dim": 0}),
    ("0-d", np.array(3.0), np.array(-2.0), {"dim": 0}),
    ("eps", rand(3, 4), rand(3, 4), {"eps": 0.5}),
]


@pytest.mark.parametrize("x1,x2,kw", [c[1:] for c in COS_CASES], ids=[c[0] for c in COS_CASES])
def test_cosine_similarity_matches_torch(x1, x2, kw):
    """Values and both gradients equal PyTorch's."""
    compare(lambda a, b: F.cosine_similarity(a, b, **kw),
            lambda a, b: TF.cosine_similarity(a, b, **kw), x1, x2)


@pytest.mark.parametrize("scale,eps", [(1e-9, 1e-8), (1e-4, 1e-3), (0.0, 1e-8), (1e-8, 1e-8)])
def test_cosine_similarity_clamps_each_norm_like_torch(scale, eps):
    """Near-zero and zero vectors: each norm is clamped by eps on its own and the gradient
    flows through the unclamped norm, as in PyTorch (not ``sqrt(max(|x1|^2 |x2|^2, eps^2))``).
    """
    x1 = scale * rand(4, 3)
    x1[0] = 0.0
    x2 = rand(4, 3)
    x2[1] = 1e-12
    out = compare(lambda a, b: F.cosine_similarity(a, b, eps=eps),
                  lambda a, b: TF.cosine_similarity(a, b, eps=eps), x1, x2,
                  atol=1e-9, rtol=1e-7)
    assert out[0].item() == 0.0


def test_cosine_similarity_promotes_to_the_common_float_dtype():
    """float32 with float64 gives float64, as PyTorch."""
    a, b = rand(3, 4).astype(np.float32), rand(3, 4)
    compare(F.cosine_similarity, TF.cosine_similarity, a, b, atol=1e-6, rtol=1e-5)


def test_cosine_similarity_errors():
    """Non-tensors, integer inputs, a dim out of range and unbroadcastable shapes raise."""
    with pytest.raises(TypeError, match=r"cosine_similarity\(\): argument 'x2' must be Tensor, "
                                        "not list"):
        F.cosine_similarity(tw.ones(3), [1.0, 2.0, 3.0], dim=0)
    with pytest.raises(RuntimeError, match="expected common dtype to be floating point, yet "
                                           "common dtype is int64"):
        F.cosine_similarity(tw.tensor([1, 2]), tw.tensor([2, 3]), dim=0)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-1, 0\], but got 1\)"):
        F.cosine_similarity(tw.ones(3), tw.ones(3))
    with pytest.raises(RuntimeError, match=r"cosine_similarity: shapes \(3, 4\) and \(3, 5\) "
                                         "cannot be broadcast together"):
        F.cosine_similarity(tw.ones(3, 4), tw.ones(3, 5))


# -- pairwise_distance ------------------------------------------------------------------------

PAIRWISE_CASES = [
    ("default", rand(3, 4), rand(3, 4), {}),
    ("p1", rand(3, 4), rand(3, 4), {"p": 1.0}),
    ("p3-keepdim", rand(3, 4), rand(3, 4), {"p": 3.0, "keepdim": True}),
    ("p0.5", rand(3, 4), rand(3, 4), {"p": 0.5}),
    ("inf", rand(3, 4), rand(3, 4), {"p": math.inf}),
    ("broadcast", rand(2, 3, 4), rand(4), {}),
    ("1-d", rand(4), rand(4), {"eps": 0.0}),
    ("0-d", np.array(2.0), np.array(-1.0), {}),
    ("equal-vectors", np.ones((2, 3)), np.ones((2, 3)), {}),
    ("large-eps", rand(3, 4), rand(3, 4), {"eps": 0.5}),
]


@pytest.mark.parametrize("x1,x2,kw", [c[1:] for c in PAIRWISE_CASES],
                         ids=[c[0] for c in PAIRWISE_CASES])
def test_pairwise_distance_matches_torch(x1, x2, kw):
    """eps is added to the difference: equal vectors are eps * D**(1/p) apart."""
    compare(lambda a, b: F.pairwise_distance(a, b, **kw),
            lambda a, b: TF.pairwise_distance(a, b, **kw), x1, x2)


def test_pairwise_distance_of_integers_is_float():
    """Integer inputs give a default-dtype float distance, as PyTorch (the eps promotes)."""
    a, b = np.array([[1, 2], [3, 5]]), np.array([[0, 0], [3, 1]])
    compare(F.pairwise_distance, TF.pairwise_distance, a, b, grad=False, atol=1e-6, rtol=1e-6)


def test_pairwise_distance_rejects_non_tensors():
    with pytest.raises(TypeError, match=r"pairwise_distance\(\): argument 'x1' must be Tensor"):
        F.pairwise_distance(1.0, tw.ones(2))


# -- pdist ------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5, 3.0, math.inf, 0.0])
def test_pdist_matches_torch(p):
    """Every pair of rows in PyTorch's order, with gradients."""
    compare(lambda x: F.pdist(x, p), lambda x: TF.pdist(x, p), rand(5, 3))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
def test_pdist_of_equal_rows_has_zero_gradient(p):
    """A zero distance takes the zero subgradient, as PyTorch's kernel."""
    x = rand(4, 3)
    x[2] = x[0]
    out = compare(lambda t: F.pdist(t, p), lambda t: TF.pdist(t, p), x)
    assert out[1].item() == 0.0


@pytest.mark.parametrize("n", [0, 1, 2])
def test_pdist_of_few_rows(n):
    """Fewer than two rows give no distances (PyTorch 2.13's backward of 0 rows segfaults,
    so that case compares the forward only).
    """
    compare(F.pdist, TF.pdist, rand(n, 3), grad=n > 0)


def test_pdist_errors():
    """PyTorch's messages for a non-2-d input, integer dtypes and a negative p."""
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 1D"):
        F.pdist(tw.ones(3))
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        F.pdist(tw.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match="pdist only supports floating-point dtypes; got "
                                           "int64"):
        F.pdist(tw.tensor([[1, 2], [3, 4]]))
    with pytest.raises(RuntimeError, match="pdist only supports non-negative p values; got "
                                           "p=-1"):
        F.pdist(tw.ones(2, 3), -1)


# -- layers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name,kwargs,inputs", [
    ("CosineSimilarity", {}, (rand(3, 4), rand(3, 4))),
    ("CosineSimilarity", {"dim": 0, "eps": 1e-3}, (1e-4 * rand(3, 2), rand(3, 2))),
    ("PairwiseDistance", {}, (rand(3, 4), rand(3, 4))),
    ("PairwiseDistance", {"p": 1.0, "eps": 1e-3, "keepdim": True}, (rand(3, 4), rand(4))),
])
def test_distance_layers_match_torch(name, kwargs, inputs):
    mod, ref = getattr(tw.nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    compare_modules(mod, ref, inputs)
    assert repr(mod) == repr(ref) == f"{name}()"


def test_distance_layers_hold_torchs_attributes():
    """The options live under PyTorch's attribute names (PairwiseDistance's p is ``norm``)."""
    cos = tw.nn.CosineSimilarity(dim=-1, eps=1e-4)
    assert (cos.dim, cos.eps) == (-1, 1e-4)
    dist = tw.nn.PairwiseDistance(p=3.0, eps=0.0, keepdim=True)
    ref = torch.nn.PairwiseDistance(p=3.0, eps=0.0, keepdim=True)
    assert (dist.norm, dist.eps, dist.keepdim) == (ref.norm, ref.eps, ref.keepdim)
