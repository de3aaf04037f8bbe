"""multi_margin_loss, multilabel_margin_loss and triplet_margin_with_distance_loss (and
their modules) against PyTorch in float64: values and input gradients for every reduction
and option, plus PyTorch's errors. (The modules' conformance samples run in
test_loss_modules.py.)
"""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(11)
CLASSES = np.array([0, 4, 2, 2])
LABELS = np.array([[3, 0, -1, 1, 1], [0, 1, 2, 3, 4], [2, 2, -1, -1, -1], [-1, 1, 2, 0, 0]])


def rand(*shape):
    return RNG.standard_normal(shape)


def both(t):
    """The same host array as a tensorweave and a PyTorch tensor (constants)."""
    return tw.tensor(t), torch.tensor(t)


MULTI_MARGIN_CASES = [
    ("default", {}),
    ("sum", {"reduction": "sum"}),
    ("none", {"reduction": "none"}),
    ("p2-margin", {"p": 2, "margin": 0.6, "reduction": "none"}),
    ("legacy-reduce", {"reduce": False}),
]


@pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated")
@pytest.mark.parametrize("kw", [c[1] for c in MULTI_MARGIN_CASES],
                         ids=[c[0] for c in MULTI_MARGIN_CASES])
def test_multi_margin_loss_matches_torch(kw):
    """Loss and input gradient equal PyTorch's."""
    a, b = both(CLASSES)
    compare(lambda x: F.multi_margin_loss(x, a, **kw),
            lambda x: TF.multi_margin_loss(x, b, **kw), rand(4, 5))


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_class_weight_matches_torch(p):
    """A class weight scales each sample's loss by the weight of its target class."""
    w = RNG.uniform(0.5, 2.0, 5)
    a, b = both(CLASSES)
    compare(lambda x: F.multi_margin_loss(x, a, p=p, weight=tw.tensor(w), reduction="none"),
            lambda x: TF.multi_margin_loss(x, b, p=p, weight=torch.tensor(w), reduction="none"),
            rand(4, 5))


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_multi_margin_loss_unbatched_matches_torch(reduction):
    """A vector input is one sample and gives a 0-d loss."""
    compare(lambda x: F.multi_margin_loss(x, tw.tensor(3), reduction=reduction),
            lambda x: TF.multi_margin_loss(x, torch.tensor(3), reduction=reduction), rand(5))


def test_multi_margin_loss_value_by_hand():
    """Scores (1, 2, 0), class 0, margin 1: (max(0, 1-1+2) + max(0, 1-1+0)) / 3 = 2/3."""
    out = F.multi_margin_loss(tw.tensor([[1.0, 2.0, 0.0]]), tw.tensor([0]))
    assert out.item() == pytest.approx(2 / 3)


@pytest.mark.parametrize("call,exc,match", [
    (lambda x: F.multi_margin_loss(x, tw.tensor([0, 1, 5])), RuntimeError, "target out of range"),
    (lambda x: F.multi_margin_loss(x, tw.tensor([0, 1, -1])), RuntimeError,
     "target out of range"),
    (lambda x: F.multi_margin_loss(x, tw.tensor([0, 1])), RuntimeError,
     r"Expected target size \[3\], but got \[2\]"),
    (lambda x: F.multi_margin_loss(x, tw.tensor([0, 1, 2]), p=3), ValueError,
     "only p == 1 and p == 2 supported"),
    (lambda x: F.multi_margin_loss(x, tw.tensor([0, 1, 2]), weight=tw.ones(2, 2)), ValueError,
     "weight must be one-dimensional"),
    (lambda x: F.multi_margin_loss(x, tw.tensor([0, 1, 2]), weight=tw.ones(3)), RuntimeError,
     r"inconsistent weight size, expected 4 but got \[3\]"),
    (lambda x: F.multi_margin_loss(x.reshape(3, 2, 2), tw.tensor([0, 1, 2])), RuntimeError,
     r"Expected non-empty vector or matrix .* \[3, 2, 2\]"),
    (lambda x: F.multi_margin_loss(x, tw.tensor([0.0, 1.0, 2.0])), RuntimeError,
     "expected scalar type Long but found float32"),
    (lambda x: F.multi_margin_loss(x.int(), tw.tensor([0, 1, 2])), NotImplementedError,
     "multi_margin_loss"),
    (lambda x: F.multi_margin_loss(x, tw.tensor([0, 1, 2]), reduction="bad"), ValueError,
     "bad is not a valid value for reduction"),
    (lambda x: F.multilabel_margin_loss(x, tw.tensor([0, 1, 2])), RuntimeError,
     r"inconsistent target size: \[3\] for input of size: \[3, 4\]"),
    (lambda x: F.multilabel_margin_loss(x, tw.tensor([[0, 1, 2, 5]] * 3)), RuntimeError,
     "argument #2 'target' is out of range"),
    (lambda x: F.multilabel_margin_loss(x, tw.tensor([[0, 1, 2, -2]] * 3)), RuntimeError,
     "argument #2 'target' is out of range"),
    (lambda x: F.multilabel_margin_loss(x, tw.zeros(3, 4)), RuntimeError,
     "expected scalar type Long"),
], ids=["class-too-big", "class-negative", "target-size", "p", "weight-2d", "weight-size",
        "input-3d", "float-target", "int-input", "reduction", "ml-target-size", "ml-too-big",
        "ml-below-minus-one", "ml-float-target"])
def test_margin_losses_raise_torchs_errors(call, exc, match):
    """Bad input raises PyTorch's exception type with its message."""
    with pytest.raises(exc, match=match):
        call(tw.randn(3, 4))


@pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated")
@pytest.mark.parametrize("kw", [{}, {"reduction": "none"}, {"reduction": "sum"},
                                {"size_average": False}], ids=["mean", "none", "sum", "legacy"])
def test_multilabel_margin_loss_matches_torch(kw):
    """Labels end at the first -1; repeated labels count twice, as in PyTorch."""
    a, b = both(LABELS)
    compare(lambda x: F.multilabel_margin_loss(x, a, **kw),
            lambda x: TF.multilabel_margin_loss(x, b, **kw), rand(4, 5))


def test_multilabel_margin_loss_unbatched_matches_torch():
    """A vector input with a vector target is one sample."""
    a, b = both(LABELS[0])
    compare(lambda x: F.multilabel_margin_loss(x, a, reduction="none"),
            lambda x: TF.multilabel_margin_loss(x, b, reduction="none"), rand(5))


def test_multilabel_margin_loss_value_by_hand():
    """Scores (0.5, 0, 2), label 0 only: (max(0, 1-0.5) + max(0, 1-(0.5-2))) / 3."""
    out = F.multilabel_margin_loss(tw.tensor([0.5, 0.0, 2.0]), tw.tensor([0, -1, 1]))
    assert out.item() == pytest.approx((0.5 + 2.5) / 3)


def l1_distance(fw):
    return lambda u, v: (u - v).abs().sum(-1)


DISTANCE_CASES = [
    ("default", None, {}),
    ("sum-swap", None, {"reduction": "sum", "swap": True}),
    ("l1-none", l1_distance, {"reduction": "none", "margin": 2.0}),
    ("l1-swap", l1_distance, {"swap": True, "margin": 3.0}),
]


@pytest.mark.parametrize("dist,kw", [c[1:] for c in DISTANCE_CASES],
                         ids=[c[0] for c in DISTANCE_CASES])
def test_triplet_margin_with_distance_loss_matches_torch(dist, kw):
    """Loss and the gradients of anchor, positive and negative equal PyTorch's."""
    mine = {} if dist is None else {"distance_function": dist(tw)}
    theirs = {} if dist is None else {"distance_function": dist(torch)}
    compare(lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, **mine, **kw),
            lambda a, p, n: TF.triplet_margin_with_distance_loss(a, p, n, **theirs, **kw),
            rand(5, 3), rand(5, 3), rand(5, 3))


def test_triplet_margin_with_distance_loss_module_matches_torch():
    """The module holds a PairwiseDistance by default and passes its options on."""
    a, p, n = rand(4, 3), rand(4, 3), rand(4, 3)
    mod = tw.nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True, reduction="none")
    ref = torch.nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True, reduction="none")
    assert repr(mod) == repr(ref)
    compare(mod, ref, a, p, n)


@pytest.mark.parametrize("call,match", [
    (lambda t: F.triplet_margin_with_distance_loss(t, t, t, margin=0),
     "margin must be greater than 0, got 0"),
    (lambda t: tw.nn.TripletMarginWithDistanceLoss(margin=-1),
     "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got -1 instead"),
    (lambda t: F.triplet_margin_with_distance_loss(t, t, t, reduction="bad"),
     "bad is not a valid value for reduction"),
    (lambda t: tw.nn.MultiMarginLoss(p=3), "only p == 1 and p == 2 supported"),
    (lambda t: tw.nn.MultiMarginLoss(weight=tw.ones(2, 2)),
     "MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead"),
], ids=["margin", "module-margin", "reduction", "module-p", "module-weight"])
def test_constructors_and_triplet_raise_value_errors(call, match):
    """Bad options raise PyTorch's ValueError."""
    with pytest.raises(ValueError, match=match):
        call(tw.randn(3, 4))


def test_triplet_margin_with_distance_loss_dims_must_agree():
    """Tensors with different numbers of dims raise, naming each."""
    with pytest.raises(RuntimeError, match="anchor 2D, positive 2D, and negative 1D"):
        F.triplet_margin_with_distance_loss(tw.randn(3, 4), tw.randn(3, 4), tw.randn(4))


@pytest.mark.parametrize("name,kwargs", [("MultiMarginLoss", {"p": 2, "margin": 0.5}),
                                         ("MultiLabelMarginLoss", {"reduction": "sum"})])
def test_margin_loss_modules_match_torch(name, kwargs):
    """The modules print as PyTorch's and give its loss and gradient."""
    target = CLASSES if name == "MultiMarginLoss" else LABELS
    mod, ref = getattr(tw.nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(mod) == repr(ref)
    a, b = both(target)
    compare(lambda x: mod(x, a), lambda x: ref(x, b), rand(4, 5))
