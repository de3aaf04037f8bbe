"""The loss modules (``plugins/losses``): each conformance sample against PyTorch's module of
the same name and against numerical gradients, plus buffers, reprs, attributes and the
deprecated constructor arguments.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.conformance.modules import ModuleSample
from tensorweave.plugins.losses import loss as losses

NAMES = losses.__all__


def _samples() -> list[Any]:
    params = []
    for name in NAMES:
        cls = getattr(losses, name)
        for i, s in enumerate(cls.conformance_samples(np.random.default_rng(0))):
            params.append(pytest.param(name, s, id=f"{name}-{s.name or i}"))
    return params


SAMPLES = _samples()


def _build(fw: Any, name: str, sample: ModuleSample) -> Any:
    """The module ``name`` of framework ``fw`` built from ``sample`` (array arguments become
    float64 tensors, as the registry-driven tests pass them)."""
    kwargs = {k: fw.tensor(v) if isinstance(v, np.ndarray) else v
              for k, v in sample.kwargs.items()}
    return getattr(fw.nn, name)(*sample.args, **kwargs)


def _inputs(fw: Any, sample: ModuleSample) -> list[Any]:
    out = []
    for a in sample.inputs:
        t = fw.tensor(a)
        out.append(t.requires_grad_() if a.dtype.kind == "f" else t)
    return out


def test_registry_exposes_every_loss() -> None:
    for name in NAMES:
        assert getattr(tw.nn, name) is getattr(losses, name)
        assert issubclass(getattr(tw.nn, name), tw.nn.Module)


@pytest.mark.parametrize("name,sample", SAMPLES)
def test_sample_matches_torch(name: str, sample: ModuleSample) -> None:
    torch = pytest.importorskip("torch")
    mod, ref_mod = _build(tw, name, sample), _build(torch, name, sample)
    ins, ref_ins = _inputs(tw, sample), _inputs(torch, sample)
    out, ref = mod(*ins), ref_mod(*ref_ins)
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=sample.atol,
                               rtol=sample.rtol)
    cot = np.random.default_rng(1).standard_normal(tuple(ref.shape))
    out.backward(tw.tensor(cot))
    ref.backward(torch.tensor(cot))
    for a, b in zip(ins, ref_ins):
        if b.requires_grad and sample.torch_grad:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=sample.atol,
                                       rtol=sample.rtol)


@pytest.mark.parametrize("name,sample", SAMPLES)
def test_sample_gradcheck(name: str, sample: ModuleSample) -> None:
    mod = _build(tw, name, sample)
    assert tw.autograd.gradcheck(lambda *a: mod(*a), tuple(_inputs(tw, sample)))


def test_samples_cover_the_options() -> None:
    """Every constructor option of each loss appears in some sample."""
    import inspect

    for name in NAMES:
        cls = getattr(losses, name)
        used = {k for s in cls.conformance_samples(np.random.default_rng(0)) for k in s.kwargs}
        options = set(inspect.signature(cls).parameters) - {"size_average", "reduce", "eps"}
        assert options <= used, (name, options - used)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_repr_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    mod, ref = getattr(tw.nn, name)(), getattr(torch.nn, name)()
    # PyTorch's repr is the reference: TripletMarginWithDistanceLoss shows its default
    # distance module as a child; the others print as ``Name()``.
    assert repr(mod) == repr(ref)
    for attr in ("reduction", "ignore_index", "label_smoothing", "beta", "delta", "log_target",
                 "log_input", "full", "eps", "margin", "weight", "pos_weight"):
        assert getattr(mod, attr, "absent") == getattr(ref, attr, "absent"), attr
    assert list(mod.state_dict()) == list(ref.state_dict()) == []


@pytest.mark.parametrize("name,kwargs", [
    ("CrossEntropyLoss", {"weight": [1.0, 2.0, 0.5]}),
    ("NLLLoss", {"weight": [1.0, 2.0]}),
    ("BCELoss", {"weight": [1.0, 2.0]}),
    ("MultiLabelSoftMarginLoss", {"weight": [1.0, 2.0]}),
    ("BCEWithLogitsLoss", {"weight": [1.0, 2.0], "pos_weight": [3.0, 0.5]}),
    ("BCEWithLogitsLoss", {"pos_weight": [3.0, 0.5]}),
])
def test_weights_are_buffers(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    mod = getattr(tw.nn, name)(**{k: tw.tensor(v) for k, v in kwargs.items()})
    ref = getattr(torch.nn, name)(**{k: torch.tensor(v) for k, v in kwargs.items()})
    assert list(mod.state_dict()) == list(ref.state_dict()) == list(kwargs)
    assert list(mod.parameters()) == []
    assert [n for n, _ in mod.named_buffers()] == list(kwargs)
    mod.double()
    for k, v in kwargs.items():
        buf = getattr(mod, k)
        assert buf.dtype is tw.float64 and buf.tolist() == v
    # PyTorch's repr is the reference: TripletMarginWithDistanceLoss shows its default
    # distance module as a child; the others print as ``Name()``.
    assert repr(mod) == repr(ref)


def test_double_module_accepts_double_inputs() -> None:
    """A float32 class weight follows ``.double()``, so float64 logits pass the dtype check."""
    loss = tw.nn.CrossEntropyLoss(weight=tw.tensor([1.0, 3.0])).double()
    x = tw.tensor([[0.0, 0.0], [2.0, 0.0]], dtype=tw.float64)
    out = loss(x, tw.tensor([1, 0]))
    expected = (3 * np.log(2) + np.log1p(np.exp(-2.0))) / 4
    assert out.item() == pytest.approx(expected, rel=1e-12)


def test_options_reach_the_function() -> None:
    x = tw.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]])
    t = tw.tensor([1, 2])
    loss = tw.nn.CrossEntropyLoss(ignore_index=2, reduction="none", label_smoothing=0.3)
    expected = tw.nn.functional.cross_entropy(x, t, ignore_index=2, reduction="none",
                                              label_smoothing=0.3)
    assert loss(x, t).tolist() == expected.tolist()
    assert loss(x, t).tolist()[1] == 0.0
    huber = tw.nn.HuberLoss(reduction="sum", delta=0.5)
    assert huber(tw.tensor([2.0]), tw.tensor([0.0])).item() == pytest.approx(0.875)
    kl = tw.nn.KLDivLoss(reduction="batchmean", log_target=True)
    lp = tw.log(tw.tensor([[0.5, 0.5], [0.5, 0.5]]))
    assert kl(lp, lp).item() == 0.0


def test_deprecated_size_average_and_reduce() -> None:
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        assert tw.nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="please use reduction='none' instead"):
        assert tw.nn.CrossEntropyLoss(reduce=False).reduction == "none"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tw.nn.NLLLoss(reduction="sum").reduction == "sum"


def test_bad_reduction_raises_at_call() -> None:
    loss = tw.nn.L1Loss(reduction="avg")
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        loss(tw.zeros(2), tw.zeros(2))
