"""``torch.<name>`` spellings of nn.functional functions (``torch.layer_norm``,
``torch.dropout``, the losses with ATen's integer ``reduction``...): each called the same way
in both frameworks, values and float64 gradients compared with PyTorch's."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw

torch = pytest.importorskip("torch")

R = np.random.default_rng(5)


def r(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def pos(*shape: int) -> np.ndarray:
    return R.uniform(0.1, 1.0, shape)


def sign(*shape: int) -> np.ndarray:
    return np.where(R.random(shape) < 0.5, -1.0, 1.0)


MEAN, VAR = r(3), pos(3)


def _stats(fw):
    """Fresh running statistics (constants, updated in place by a training batch_norm)."""
    return fw.tensor(MEAN), fw.tensor(VAR)


CASES = [
    # PyTorch's float64 celu backward rounds its 1 / alpha scale to float32 (relative error
    # ~1e-8; ours equals math.exp(x / alpha) to the last bit), hence the looser rtol.
    ("celu", lambda fw, x: fw.celu(x, 0.7), [r(2, 3, 4)], {"rtol": 1e-7}),
    ("activations", lambda fw, x, w: (fw.selu(x), fw.rrelu(x, 0.1, 0.3),
                                      fw.threshold(x, 0.2, -1.0), fw.hardshrink(x, 0.4),
                                      fw.prelu(x, w)), [r(2, 3, 4), pos(3)]),
    ("inplace-activations", lambda fw, x: (fw.relu_(x * 1), fw.selu_(x * 1), fw.celu_(x * 1, 1.0),
                                           fw.rrelu_(x * 1), fw.threshold_(x * 1, 0.0, 0.5)),
     [r(3, 4)]),
    ("distances", lambda fw, a, b: (fw.cosine_similarity(a, b), fw.pairwise_distance(a, b, 1.5),
                                    fw.pdist(a)), [r(4, 3), r(4, 3)]),
    ("shuffles", lambda fw, x: (fw.pixel_shuffle(x, 2), fw.pixel_unshuffle(x, 1),
                                fw.channel_shuffle(x, 2)), [r(1, 4, 2, 3)]),
    ("bilinear", lambda fw, a, b, w, c: fw.bilinear(a, b, w, c),
     [r(2, 3), r(2, 4), r(5, 3, 4), r(5)]),
    ("dropout-off", lambda fw, x: (fw.dropout(x, 0.3, False), fw.alpha_dropout(x, 0.3, False),
                                   fw.feature_alpha_dropout(x, 0.3, False)), [r(2, 3, 4)]),
    ("norms", lambda fw, x, w, b: (fw.layer_norm(x, [4], w, b, 1e-3),
                                   fw.group_norm(x, 1, w[:3], b[:3]),
                                   fw.rms_norm(x, [4], w, 1e-4)),
     [r(2, 3, 4), r(4), r(4)]),
    ("batch-norm-aten-order", lambda fw, x, w, b: (
        fw.batch_norm(x, w, b, *_stats(fw), True, 0.1, 1e-5, False),
        fw.batch_norm(x, w, b, *_stats(fw), False, 0.1, 1e-5, True),
        fw.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False)),
     [r(4, 3, 5), r(3), r(3)]),
    ("losses-aten-enum", lambda fw, x, y, t, p, pw: (
        fw.binary_cross_entropy_with_logits(x, p, None, None, 2),
        fw.binary_cross_entropy_with_logits(x, p, p.detach(), pw.detach(), 0),
        fw.kl_div(x.log_softmax(-1), p, 1), fw.kl_div(x, y, 2, log_target=True),
        fw.cosine_embedding_loss(x, y, t[:, 0], 0.1, 0),
        fw.hinge_embedding_loss(x, t, 0.5, 2), fw.margin_ranking_loss(x, y, t, 0.2),
        fw.poisson_nll_loss(x, p, True, True, 1e-8, 1),
        fw.triplet_margin_loss(x, y, p, 0.5, 2, 1e-6, True, 0)),
     [r(3, 4), r(3, 4), sign(3, 4), pos(3, 4), pos(4)]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_pytorch(case):
    _, fn, inputs, *options = case
    compare(functools.partial(fn, tw), functools.partial(fn, torch), *inputs,
            **(options[0] if options else {}))


def test_dropout_in_training_zeroes_and_rescales():
    x = tw.ones(20000)
    y = tw.dropout(x, 0.25, True)
    kept = (y != 0).float().mean().item()
    assert abs(kept - 0.75) < 0.02  # 0.75 +- 5 standard deviations of the kept fraction
    assert np.allclose(y[y != 0].numpy(), 1 / 0.75)


def test_a_bad_reduction_enum_is_named():
    with pytest.raises(ValueError, match="kl_div: reduction must be 0"):
        tw.kl_div(tw.zeros(2), tw.zeros(2), 3)
    with pytest.raises(TypeError):
        torch.kl_div(torch.zeros(2), torch.zeros(2), "sum")  # ATen's enum only
    assert tw.kl_div(tw.zeros(2), tw.ones(2), "sum").item() == torch.kl_div(
        torch.zeros(2), torch.ones(2), 2).item()


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_alpha_dropout"])
@pytest.mark.parametrize("train", [True, False])
def test_top_level_dropouts_check_p_as_aten(name, train):
    """ATen's RuntimeError for a probability outside [0, 1], training or not (nn.functional
    raises ValueError)."""
    with pytest.raises(RuntimeError) as ours:
        getattr(tw, name)(tw.ones(2, 3), 1.5, train)
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch, name)(torch.ones(2, 3), 1.5, train)
    assert str(ours.value) == str(theirs.value)
