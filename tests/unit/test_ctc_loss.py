"""``F.ctc_loss`` and ``nn.CTCLoss`` against PyTorch: values and float64 gradients (through a
``log_softmax``, as users take them, and the raw gradient w.r.t. ``log_probs``, whose one
documented difference is checked exactly), padded and concatenated targets, lengths as
tensors or tuples, unbatched inputs, infeasible alignments with and without
``zero_infinity``, other devices against cpu, and PyTorch's error messages.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)
T, N, C = 6, 3, 5
LOGITS = RNG.standard_normal((T, N, C))
PADDED = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]])
TARGET_LENGTHS = [3, 2, 0]


def concatenated(padded, lengths):
    return np.concatenate([row[:k] for row, k in zip(padded, lengths)])


def both(logits, targets, input_lengths, target_lengths, as_tensors=True, **kwargs):
    """(ours, PyTorch's) loss of ``log_softmax(logits)`` and the logits, which require grad."""
    out = []
    for fw, fn in ((tw, F.ctc_loss), (torch, TF.ctc_loss)):
        z = fw.tensor(logits, requires_grad=True)
        lengths = ((fw.tensor(input_lengths), fw.tensor(target_lengths)) if as_tensors
                   else (tuple(input_lengths), tuple(target_lengths)))
        loss = fn(z.log_softmax(-1), fw.tensor(targets), *lengths, **kwargs)
        out.append((loss, z))
    return out


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("layout", ["padded", "concatenated"])
def test_values_and_logit_gradients_match_torch(reduction, zero_infinity, layout):
    targets = PADDED if layout == "padded" else concatenated(PADDED, TARGET_LENGTHS)
    input_lengths = [6, 4, 5]
    (ours, z), (ref, rz) = both(LOGITS, targets, input_lengths, TARGET_LENGTHS,
                                as_tensors=layout == "padded", reduction=reduction,
                                zero_infinity=zero_infinity)
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    cot = RNG.standard_normal(tuple(ref.shape))
    ours.backward(tw.tensor(cot))
    ref.backward(torch.tensor(cot))
    np.testing.assert_allclose(z.grad.numpy(), rz.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_blank_and_repeated_labels_match_torch():
    targets = np.array([[0, 0, 1], [2, 2, 2], [1, 0, 1]])  # blank=4: 0 is an ordinary class
    (ours, z), (ref, rz) = both(LOGITS, targets, [6, 6, 5], [3, 3, 3], blank=4,
                                reduction="sum")
    np.testing.assert_allclose(ours.item(), ref.item(), rtol=1e-12)
    ours.backward()
    ref.backward()
    np.testing.assert_allclose(z.grad.numpy(), rz.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_raw_gradient_is_torchs_minus_exp_log_probs():
    """PyTorch's gradient w.r.t. ``log_probs`` is ``exp(log_probs) - posterior`` (its
    gradient w.r.t. logits under a log_softmax); ours is the loss's derivative,
    ``-posterior``: they differ by ``exp(log_probs)`` times the cotangent, within each input's
    frames."""
    lp = LOGITS - np.log(np.exp(LOGITS).sum(-1, keepdims=True))
    input_lengths = [6, 4, 5]
    x, rx = tw.tensor(lp, requires_grad=True), torch.tensor(lp, requires_grad=True)
    ours = F.ctc_loss(x, tw.tensor(PADDED), tw.tensor(input_lengths),
                      tw.tensor(TARGET_LENGTHS), reduction="none")
    ref = TF.ctc_loss(rx, torch.tensor(PADDED), torch.tensor(input_lengths),
                      torch.tensor(TARGET_LENGTHS), reduction="none")
    cot = np.array([0.5, -1.5, 2.0])
    ours.backward(tw.tensor(cot))
    ref.backward(torch.tensor(cot))
    inside = np.arange(T)[:, None] < np.array(input_lengths)[None, :]
    expected = rx.grad.numpy() - np.exp(lp) * (cot * inside)[..., None]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-10, atol=1e-13)


def test_gradcheck_and_gradgradcheck():
    lp = tw.tensor(LOGITS[:4, :2, :4], requires_grad=True)
    targets, il, tl = tw.tensor([[1, 1], [2, 3]]), tw.tensor([4, 3]), tw.tensor([2, 1])
    assert tw.autograd.gradcheck(lambda x: F.ctc_loss(x, targets, il, tl, reduction="none"),
                                 (lp,))
    assert tw.autograd.gradgradcheck(lambda x: F.ctc_loss(x, targets, il, tl), (lp,))


@pytest.mark.parametrize("lengths", [(6, 3), (tw.tensor(6), tw.tensor(3)), ((6,), [3])])
def test_unbatched_matches_torch(lengths):
    lp = LOGITS[:, 0] - np.log(np.exp(LOGITS[:, 0]).sum(-1, keepdims=True))
    ours = F.ctc_loss(tw.tensor(lp), tw.tensor([1, 2, 2]), *lengths, reduction="none")
    ref = TF.ctc_loss(torch.tensor(lp), torch.tensor([1, 2, 2]), torch.tensor(6),
                      torch.tensor(3), reduction="none")
    assert ours.shape == ()
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)


def test_infeasible_alignment_is_inf_or_zero_with_zero_gradient():
    """The second sample needs 3 frames for "1 1" (a blank between) and has 2: an infinite
    loss. PyTorch's gradient there is NaN without ``zero_infinity``; ours is 0, as it is with
    it."""
    targets, il, tl = np.array([[1, 2], [1, 1]]), [6, 2], [2, 2]
    for zero_infinity in (False, True):
        (ours, z), (ref, _) = both(LOGITS[:, :2], targets, il, tl, reduction="none",
                                   zero_infinity=zero_infinity)
        np.testing.assert_array_equal(ours.detach().numpy(), ref.detach().numpy())
        assert ours[1].item() == (0.0 if zero_infinity else np.inf)
        ours[1].backward()
        assert (z.grad.numpy() == 0).all()


def test_empty_targets_and_zero_input_lengths_match_torch():
    """No frames: an infinite loss for a target, 0 for an empty one."""
    targets, il, tl = np.array([[1, 2], [0, 0], [3, 3]]), [0, 0, 5], [1, 0, 2]
    (ours, _), (ref, _) = both(LOGITS, targets, il, tl, reduction="none")
    np.testing.assert_array_equal(ours.detach().numpy(), ref.detach().numpy())


def test_float32_matches_torch():
    lp = np.asarray(LOGITS, np.float32)
    ours = F.ctc_loss(tw.tensor(lp).log_softmax(2), tw.tensor(PADDED), (6, 6, 6), (3, 2, 0))
    ref = TF.ctc_loss(torch.tensor(lp).log_softmax(2), torch.tensor(PADDED), (6, 6, 6),
                      (3, 2, 0))
    assert ours.dtype is tw.float32
    assert ours.item() == pytest.approx(ref.item(), rel=1e-5)


def test_module_matches_functional_and_prints_like_torch():
    loss = tw.nn.CTCLoss(blank=4, reduction="sum", zero_infinity=True)
    assert (loss.blank, loss.reduction, loss.zero_infinity) == (4, "sum", True)
    assert repr(loss) == repr(torch.nn.CTCLoss(blank=4)) == "CTCLoss()"
    args = (tw.tensor(LOGITS).log_softmax(2), tw.tensor(PADDED[:, :2] % 4), (6, 5, 4), (2, 1, 2))
    assert loss(*args).item() == F.ctc_loss(*args, blank=4, reduction="sum",
                                            zero_infinity=True).item()


def test_other_devices_match_cpu(device):
    il, tl = [6, 4, 5], TARGET_LENGTHS
    results = []
    for dev in ("cpu", device):
        z = tw.tensor(LOGITS, device=dev, requires_grad=True)
        loss = F.ctc_loss(z.log_softmax(2), tw.tensor(PADDED, device=dev),
                          tw.tensor(il, device=dev), tw.tensor(tl, device=dev),
                          reduction="none")
        loss.backward(tw.tensor([1.0, -2.0, 0.5], dtype=tw.float64, device=dev))
        results.append((loss.detach().cpu().numpy(), z.grad.cpu().numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


LP = LOGITS - np.log(np.exp(LOGITS).sum(-1, keepdims=True))
ERRORS = [
    ((LP, PADDED, [6, 6, 6], TARGET_LENGTHS), {"blank": 5}),
    ((LP, PADDED, [6, 6, 6], TARGET_LENGTHS), {"blank": -1}),
    ((LP, PADDED, [7, 6, 6], TARGET_LENGTHS), {}),
    ((LP, PADDED, [-1, 6, 6], TARGET_LENGTHS), {}),
    ((LP, PADDED, [6, 6, 6], [4, 2, 0]), {}),
    ((LP, PADDED, [6, 6, 6], [3, -1, 0]), {}),
    ((LP, PADDED, [6, 6], TARGET_LENGTHS), {}),
    ((LP, PADDED, [6, 6, 6], [3, 2]), {}),
    ((LP, PADDED[:2], [6, 6, 6], TARGET_LENGTHS), {}),
    ((LP, np.array([1, 2, 2, 3]), [6, 6, 6], TARGET_LENGTHS), {}),
    ((LP, PADDED, np.array([6.0, 6.0, 6.0]), TARGET_LENGTHS), {}),
    ((LP, PADDED, [6, 6, 6], TARGET_LENGTHS), {"reduction": "avg"}),
]


@pytest.mark.parametrize("args,kwargs", ERRORS, ids=range(len(ERRORS)))
def test_errors_match_torch(args, kwargs):
    def call(fw, fn):
        lp, targets, il, tl = args
        il = fw.tensor(il) if isinstance(il, np.ndarray) else fw.tensor(np.array(il))
        return fn(fw.tensor(lp), fw.tensor(targets), il, fw.tensor(np.array(tl)), **kwargs)

    with pytest.raises(Exception) as theirs:
        call(torch, TF.ctc_loss)
    with pytest.raises(type(theirs.value)) as ours:
        call(tw, F.ctc_loss)
    assert str(ours.value) == str(theirs.value)


def test_target_class_out_of_range_raises():
    with pytest.raises(RuntimeError, match=r"ctc_loss: target classes .* got values in "
                                           r"\[0, 7\], expected \[0, 4\]"):
        F.ctc_loss(tw.tensor(LP), tw.tensor([[1, 7], [1, 1], [2, 2]]), (6, 6, 6), (2, 2, 1))
