"""local_response_norm, CrossMapLRN2d, lp_pool1d/2d, max_unpool1d/2d and embedding_bag (and
their modules) against PyTorch in float64: values and gradients, PyTorch's errors and reprs
(CrossMapLRN2d's gradient against central differences: PyTorch's is not its derivative).
Each layer's conformance samples also run in the registry-driven module suite.
"""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(5)


def rand(*shape):
    return RNG.standard_normal(shape)


def positive(*shape):
    return RNG.uniform(0.3, 2.0, shape)


# -- local_response_norm ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 6, 3), (2, 6, 3, 4), (1, 5, 2, 2, 3)],
                         ids=["3-d", "4-d", "5-d"])
@pytest.mark.parametrize("kw", [{"size": 3}, {"size": 4, "alpha": 0.3, "beta": 0.6, "k": 2.0},
                                {"size": 1}, {"size": 9, "alpha": 1.0}],
                         ids=["odd", "even-options", "one", "wider-than-channels"])
def test_local_response_norm_matches_torch(shape, kw):
    """Values and input gradient equal PyTorch's for odd, even and oversized windows."""
    compare(lambda x: F.local_response_norm(x, **kw),
            lambda x: TF.local_response_norm(x, **kw), rand(*shape))


def test_local_response_norm_value_by_hand():
    """Two channels, size 2: channel 0 sees only itself (the window is padded in front)."""
    x = tw.tensor([[[1.0], [2.0]]])
    out = F.local_response_norm(x, 2, alpha=1.0, beta=1.0, k=1.0).reshape(-1).tolist()
    assert out == pytest.approx([1 / (1 + 1 / 2), 2 / (1 + 5 / 2)])


def test_local_response_norm_needs_three_dims():
    """A 2-d input raises PyTorch's ValueError."""
    with pytest.raises(ValueError, match=r"Expected 3D or higher dimensionality input \(got 2"):
        F.local_response_norm(tw.randn(2, 3), 2)


def test_local_response_norm_of_empty_input_is_empty():
    assert F.local_response_norm(tw.randn(0, 3, 2), 2).shape == (0, 3, 2)


@pytest.mark.parametrize("channels", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6])
def test_cross_map_lrn2d_values_equal_pytorchs_quirks_included(channels, size):
    """PyTorch's running window (channel 0 never leaves it; even sizes span size - 1)."""
    x = rand(2, channels, 2, 3)
    mine = tw.nn.CrossMapLRN2d(size, 0.4, 0.7, 1.5)(tw.tensor(x)).numpy()
    theirs = torch.nn.CrossMapLRN2d(size, 0.4, 0.7, 1.5)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


def test_cross_map_lrn2d_gradient_is_the_derivative():
    x = tw.tensor(rand(1, 6, 1, 2), requires_grad=True)
    assert tw.autograd.gradcheck(tw.nn.CrossMapLRN2d(3, 0.5, 0.75, 1.0), (x,))


def test_cross_map_lrn2d_repr_and_4d_only():
    assert repr(tw.nn.CrossMapLRN2d(3)) == repr(torch.nn.CrossMapLRN2d(3))
    for shape in ((2, 3, 4), (1, 2, 3, 4, 5)):
        with pytest.raises(ValueError) as theirs:
            torch.nn.CrossMapLRN2d(3)(torch.zeros(shape))
        with pytest.raises(ValueError) as mine:
            tw.nn.CrossMapLRN2d(3)(tw.zeros(shape))
        assert str(mine.value) == str(theirs.value)


# -- lp_pool ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("args,kw", [((2.0, 2), {}), ((3.0, 3, 1), {}),
                                     ((1.5, 3, 2), {"ceil_mode": True}), ((1.0, 2), {})],
                         ids=["p2", "p3-stride1", "ceil", "p1-sum"])
def test_lp_pool1d_matches_torch(args, kw):
    compare(lambda x: F.lp_pool1d(x, *args, **kw), lambda x: TF.lp_pool1d(x, *args, **kw),
            positive(2, 3, 8))


@pytest.mark.parametrize("args,kw", [((2.0, 2), {}), ((3.0, (2, 3), 1), {}),
                                     ((1.5, 3, 2), {"ceil_mode": True})],
                         ids=["p2", "p3-rect", "ceil"])
def test_lp_pool2d_matches_torch(args, kw):
    compare(lambda x: F.lp_pool2d(x, *args, **kw), lambda x: TF.lp_pool2d(x, *args, **kw),
            positive(2, 2, 5, 7))


def test_lp_pool2d_unbatched_and_negative_input_with_even_power():
    """An even power takes any sign; a (C, H, W) input pools as one sample."""
    compare(lambda x: F.lp_pool2d(x, 2.0, 2), lambda x: TF.lp_pool2d(x, 2.0, 2), rand(3, 4, 4))


def test_lp_pool1d_large_power_approaches_max():
    x = tw.tensor([[[0.5, 2.0, 1.0, 3.0]]])
    out = F.lp_pool1d(x, 60.0, 2).reshape(-1).tolist()
    assert out == pytest.approx([2.0, 3.0], rel=2e-2)


# -- max_unpool ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,kw,output_size", [
    ((2, 3, 4, 6), {"kernel_size": 2}, None),
    ((2, 3, 5, 7), {"kernel_size": 3, "stride": 2, "padding": 1}, None),
    ((2, 3, 5, 7), {"kernel_size": 2}, (5, 7)),
    ((2, 3, 5, 7), {"kernel_size": (2, 3), "stride": (1, 2)}, None),
    ((3, 4, 4), {"kernel_size": 2}, [4, 4]),
], ids=["k2", "k3-s2-p1", "output_size", "rect", "unbatched"])
def test_max_unpool2d_inverts_tensorweaves_max_pool2d(shape, kw, output_size):
    """Unpooling the output and indices of tensorweave's max_pool2d equals PyTorch's
    unpooling of its own (identical indices), values and gradient."""
    x = rand(*shape)
    _, idx = F.max_pool2d(tw.tensor(x), return_indices=True, **kw)
    pooled, tidx = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    compare(lambda v: F.max_unpool2d(v, idx, output_size=output_size, **kw),
            lambda v: TF.max_unpool2d(v, tidx, output_size=output_size, **kw),
            pooled.numpy())


@pytest.mark.parametrize("shape,kw,output_size", [
    ((2, 3, 8), {"kernel_size": 2}, None),
    ((2, 3, 9), {"kernel_size": 3, "stride": 2, "padding": 1}, [2, 3, 9]),
    ((3, 7), {"kernel_size": 2}, [7]),
], ids=["k2", "k3-s2-p1-output_size", "unbatched"])
def test_max_unpool1d_inverts_max_pool1d(shape, kw, output_size):
    x = rand(*shape)
    _, idx = F.max_pool1d(tw.tensor(x), return_indices=True, **kw)
    pooled, tidx = TF.max_pool1d(torch.tensor(x), return_indices=True, **kw)
    compare(lambda v: F.max_unpool1d(v, idx, output_size=output_size, **kw),
            lambda v: TF.max_unpool1d(v, tidx, output_size=output_size, **kw), pooled.numpy())


def test_max_unpool_keeps_the_maxima_in_place():
    """Pool then unpool: each window's maximum where it was, zeros elsewhere."""
    x = tw.tensor([[[[1.0, 5.0], [3.0, 2.0]]]])
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert F.max_unpool2d(out, idx, 2).tolist() == [[[[0.0, 5.0], [0.0, 0.0]]]]


@pytest.mark.parametrize("call,exc,match", [
    (lambda v, i: F.max_unpool2d(v, i, 2, output_size=(9, 9)), ValueError,
     r'invalid output_size "\[9, 9\]" \(dim 0 must be between 2 and 6\)'),
    (lambda v, i: F.max_unpool2d(v, i, 2, output_size=(1, 2, 3)), ValueError,
     "output_size should be a sequence containing 2 or 4 elements, but it has a length of '3'"),
    (lambda v, i: F.max_unpool2d(v, i.int(), 2), RuntimeError,
     "elements in indices should be type int64 but got: int32"),
    (lambda v, i: F.max_unpool2d(v, i[..., :1], 2), RuntimeError,
     r"Expected shape of indices to be same as that of the input tensor \(\[1, 1, 2, 2\]\)"),
    (lambda v, i: F.max_unpool2d(v, i + 20, 2), RuntimeError,
     r"Found an invalid max index: \d+ \(output volumes are of size 4x4\)"),
    (lambda v, i: F.max_unpool2d(v[0, 0], i[0, 0], 2), RuntimeError,
     r"max_unpool2d: expected a 3D or 4D input"),
], ids=["output_size-range", "output_size-length", "int32", "indices-shape", "index-range",
        "2-d-input"])
def test_max_unpool_errors(call, exc, match):
    v, i = F.max_pool2d(tw.randn(1, 1, 4, 4), 2, return_indices=True)
    with pytest.raises(exc, match=match):
        call(v, i)


# -- embedding_bag ---------------------------------------------------------------------------------

FLAT = np.array([1, 2, 4, 5, 4, 3, 2, 9])
OFFSETS = np.array([0, 4, 4, 6])  # an empty bag
LAST = np.array([0, 4, 4, 6, 8])


def _bag(mode, form, padding_idx):
    kw = {"mode": mode, "padding_idx": padding_idx}
    if form == "offsets":
        return (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor(OFFSETS), **kw),
                lambda w: TF.embedding_bag(torch.tensor(FLAT), w, torch.tensor(OFFSETS), **kw))
    if form == "2-d":
        return (lambda w: F.embedding_bag(tw.tensor(FLAT.reshape(2, 4)), w, **kw),
                lambda w: TF.embedding_bag(torch.tensor(FLAT.reshape(2, 4)), w, **kw))
    kw["include_last_offset"] = True
    return (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor(LAST), **kw),
            lambda w: TF.embedding_bag(torch.tensor(FLAT), w, torch.tensor(LAST), **kw))


@pytest.mark.parametrize("padding_idx", [None, 4, -1], ids=["no-padding", "padding", "pad-neg"])
@pytest.mark.parametrize("form", ["offsets", "2-d", "include_last_offset"])
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_matches_torch(mode, form, padding_idx):
    """Each mode, input form and padding_idx: bag values and the weight's gradient."""
    mine, theirs = _bag(mode, form, padding_idx)
    compare(mine, theirs, rand(10, 3))


def test_embedding_bag_per_sample_weights_match_torch():
    """Per-sample weights scale each looked-up row; both gradients equal PyTorch's."""
    kw = {"mode": "sum", "padding_idx": 2}
    compare(lambda w, p: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor(OFFSETS),
                                         per_sample_weights=p, **kw),
            lambda w, p: TF.embedding_bag(torch.tensor(FLAT), w, torch.tensor(OFFSETS),
                                          per_sample_weights=p, **kw), rand(10, 3), rand(8))


def test_embedding_bag_max_norm_renormalizes_like_torch():
    w = rand(10, 3) * 3
    mine, theirs = tw.tensor(w), torch.tensor(w)
    out = F.embedding_bag(tw.tensor(FLAT), mine, tw.tensor(OFFSETS), max_norm=1.0)
    ref = TF.embedding_bag(torch.tensor(FLAT), theirs, torch.tensor(OFFSETS), max_norm=1.0)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-6)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), atol=1e-6)


def test_embedding_bag_scale_grad_by_freq_divides_by_lookups():
    """Each row's gradient is divided by its lookup count, as `embedding` does (PyTorch's
    bag kernel is not used as the oracle: it scales rows by other rows' counts)."""
    w = tw.ones(10, 1, requires_grad=True)
    F.embedding_bag(tw.tensor(FLAT), w, tw.tensor(OFFSETS), mode="sum",
                    scale_grad_by_freq=True).sum().backward()
    assert w.grad.reshape(-1).tolist() == [0, 1, 1, 1, 1, 1, 0, 0, 0, 1]


@pytest.mark.parametrize("call,exc,match", [
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w), ValueError,
     "offsets has to be a 1D Tensor but got None"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor([[0, 2]])), ValueError,
     "offsets has to be a 1D Tensor"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT.reshape(2, 4)), w, tw.tensor([0, 2])), ValueError,
     "if input is 2D, then offsets has to be None"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT.reshape(2, 2, 2)), w), ValueError,
     "input has to be 1D or 2D Tensor, but got Tensor of dimension 3"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w[0], tw.tensor([0])), ValueError,
     "weight has to be a 2D Tensor, but got Tensor of dimension 1"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor([0]), mode="min"), ValueError,
     "mode has to be one of sum, mean or max"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor([0]), per_sample_weights=tw.ones(8)),
     NotImplementedError, "per_sample_weights is only supported for mode='sum'"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor([0]), mode="sum",
                               per_sample_weights=tw.ones(7)), ValueError,
     "must have the same shape as the input"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor([1, 3])), RuntimeError,
     "offsets\\[0\\] has to be 0"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor([0, 9])), RuntimeError,
     r"offsets\[-1\] can not be greater than input's length \(8\), but got offsets\[-1\] of 9"),
    (lambda w: F.embedding_bag(tw.tensor(FLAT), w, tw.tensor([0]), padding_idx=10), RuntimeError,
     "padding_idx must be within the number of embeddings, -10 through 9, but got 10"),
    (lambda w: tw.nn.EmbeddingBag(10, 3, padding_idx=10), AssertionError,
     "padding_idx must be within num_embeddings"),
], ids=["no-offsets", "2-d-offsets", "2-d-input-with-offsets", "3-d-input", "1-d-weight",
        "mode", "per_sample_weights-mode", "per_sample_weights-shape", "first-offset",
        "last-offset", "padding_idx", "module-padding_idx"])
def test_embedding_bag_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call(tw.randn(10, 3))


def test_embedding_bag_module_matches_torch_with_copied_weight():
    """The module (weight copied from PyTorch's) gives PyTorch's bags and weight gradient."""
    ref = torch.nn.EmbeddingBag(10, 3, mode="max", padding_idx=2).double()
    mod = tw.nn.EmbeddingBag(10, 3, mode="max", padding_idx=2).double()
    assert list(mod.state_dict()) == list(ref.state_dict()) == ["weight"]
    assert mod.weight[2].abs().sum().item() == 0.0
    mod.load_state_dict({"weight": tw.tensor(ref.weight.detach().numpy())})
    out, want = mod(tw.tensor(FLAT), tw.tensor(OFFSETS)), ref(torch.tensor(FLAT),
                                                               torch.tensor(OFFSETS))
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy())
    cot = rand(*want.shape)
    out.backward(tw.tensor(cot))
    want.backward(torch.tensor(cot))
    np.testing.assert_allclose(mod.weight.grad.numpy(), ref.weight.grad.numpy())


def test_embedding_bag_from_pretrained_is_frozen_by_default():
    w = tw.tensor(rand(4, 2))
    bag = tw.nn.EmbeddingBag.from_pretrained(w, mode="sum")
    assert not bag.weight.requires_grad and bag.mode == "sum"
    assert tw.nn.EmbeddingBag.from_pretrained(w, freeze=False).weight.requires_grad
    out = bag(tw.tensor([[0, 1], [3, 3]]))
    np.testing.assert_allclose(out.numpy(), [w.numpy()[0] + w.numpy()[1], 2 * w.numpy()[3]])


# -- module reprs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name,args,kwargs", [
    ("LocalResponseNorm", (3,), {}),
    ("LocalResponseNorm", (2,), {"alpha": 0.5, "beta": 0.6, "k": 2.0}),
    ("LPPool1d", (2, 3), {}),
    ("LPPool2d", (1.5, (2, 3), 1), {"ceil_mode": True}),
    ("MaxUnpool1d", (2,), {}),
    ("MaxUnpool2d", ((2, 3),), {"stride": 1, "padding": 1}),
    ("EmbeddingBag", (10, 3), {}),
    ("EmbeddingBag", (10, 3), {"mode": "sum", "padding_idx": -2, "max_norm": 1.0,
                               "norm_type": 1.0, "scale_grad_by_freq": True}),
])
def test_reprs_match_torch(name, args, kwargs):
    assert repr(getattr(tw.nn, name)(*args, **kwargs)) == repr(
        getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("name,args,make", [
    ("LocalResponseNorm", (3,), lambda: (rand(2, 5, 3, 3),)),
    ("LPPool2d", (2, 2), lambda: (positive(2, 3, 4, 4),)),
    ("LPPool1d", (3, 2, 1), lambda: (positive(2, 3, 5),)),
])
def test_modules_match_torch(name, args, make):
    compare(getattr(tw.nn, name)(*args), getattr(torch.nn, name)(*args), *make())


def test_max_unpool2d_module_forward_takes_output_size():
    x = rand(1, 2, 5, 5)
    pooled, idx = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    mod, ref = tw.nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)
    compare(lambda v: mod(v, tw.tensor(idx.numpy()), output_size=[1, 2, 5, 5]),
            lambda v: ref(v, idx, output_size=[1, 2, 5, 5]), pooled.numpy())
