"""triplet_margin_loss and TripletMarginLoss against PyTorch (float64): values and the
gradients of all three inputs for every reduction, norm and the distance swap, plus
PyTorch's errors. (margin_ranking, hinge_embedding and cosine_embedding are covered by
test_functional_loss.py; the modules' samples by test_loss_modules.py.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(7)


def rand(*shape):
    return RNG.standard_normal(shape)


TRIPLET_CASES = [
    ("default", (4, 3), {}),
    ("sum", (4, 3), {"reduction": "sum"}),
    ("none", (4, 3), {"reduction": "none"}),
    ("p1-margin", (4, 3), {"p": 1, "margin": 2.0}),
    ("p3-eps", (4, 3), {"p": 3, "eps": 1e-2, "reduction": "none"}),
    ("inf", (4, 3), {"p": math.inf, "margin": 3.0}),
    ("swap", (6, 3), {"swap": True, "margin": 2.0, "reduction": "none"}),
    ("1-d", (5,), {"margin": 4.0}),
    ("3-d", (2, 3, 4), {"reduction": "none", "margin": 2.0}),
    ("legacy-size_average", (4, 3), {"size_average": False}),
]


@pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated")
@pytest.mark.parametrize("shape,kw", [c[1:] for c in TRIPLET_CASES],
                         ids=[c[0] for c in TRIPLET_CASES])
def test_triplet_margin_loss_matches_torch(shape, kw):
    """Loss and the gradients of anchor, positive and negative equal PyTorch's."""
    compare(lambda a, p, n: F.triplet_margin_loss(a, p, n, **kw),
            lambda a, p, n: TF.triplet_margin_loss(a, p, n, **kw),
            rand(*shape), rand(*shape), rand(*shape))


def test_triplet_margin_loss_swap_takes_the_nearer_negative():
    """With swap, a negative nearer to the positive than to the anchor sets the loss."""
    a = np.array([[0.0, 0.0], [0.0, 0.0]])
    p = np.array([[3.0, 0.0], [0.0, 1.0]])
    n = np.array([[4.0, 0.0], [0.0, -2.0]])
    kw = {"swap": True, "reduction": "none", "eps": 0.0}
    out = compare(lambda *t: F.triplet_margin_loss(*t, **kw),
                  lambda *t: TF.triplet_margin_loss(*t, **kw), a, p, n)
    np.testing.assert_allclose(out.detach().numpy(), [1 + 3 - 1, 0.0])


def test_triplet_margin_loss_broadcasts_like_torch():
    """Inputs with the same number of dims broadcast (one negative for every anchor)."""
    compare(lambda a, p, n: F.triplet_margin_loss(a, p, n, reduction="none"),
            lambda a, p, n: TF.triplet_margin_loss(a, p, n, reduction="none"),
            rand(4, 3), rand(4, 3), rand(1, 3))


def test_triplet_margin_loss_module_matches_functional():
    """The module passes every option through."""
    a, p, n = (tw.tensor(rand(4, 3)) for _ in range(3))
    mod = tw.nn.TripletMarginLoss(margin=0.5, p=1.0, eps=1e-3, swap=True, reduction="sum")
    want = F.triplet_margin_loss(a, p, n, margin=0.5, p=1.0, eps=1e-3, swap=True,
                                 reduction="sum")
    assert mod(a, p, n).item() == want.item()
    ref = torch.nn.TripletMarginLoss(margin=0.5, p=1.0, eps=1e-3, swap=True, reduction="sum")
    assert (mod.margin, mod.p, mod.eps, mod.swap, mod.reduction) == (
        ref.margin, ref.p, ref.eps, ref.swap, ref.reduction)


def test_triplet_margin_loss_errors():
    """PyTorch's messages for a non-positive margin, mixed ranks, a bad reduction and
    a non-tensor.
    """
    x = tw.zeros(3, 4)
    with pytest.raises(ValueError, match="margin must be greater than 0, got 0"):
        F.triplet_margin_loss(x, x, x, margin=0)
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater "
                                         "than 0, got -1 instead"):
        tw.nn.TripletMarginLoss(margin=-1)
    with pytest.raises(RuntimeError, match="The anchor, positive, and negative tensors are "
                                           "expected to have the same number of dimensions, "
                                           "but got: anchor 2D, positive 1D, and negative 2D "
                                           "inputs"):
        F.triplet_margin_loss(x, tw.zeros(4), x)
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.triplet_margin_loss(x, x, x, reduction="bad")
    with pytest.raises(TypeError, match=r"triplet_margin_loss\(\): argument 'negative' must "
                                        "be Tensor, not float"):
        F.triplet_margin_loss(x, x, 1.0)
