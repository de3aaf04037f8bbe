"""Vision functions and layers (`interpolate`, pixel/channel shuffles, the padding layers,
`Unfold`/`Fold`, `Upsample*`): values and gradients against PyTorch, their printed forms
and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare
from _module_oracle import compare as compare_modules

import tensorweave as tw
import tensorweave.nn.functional as F

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.normal(size=shape)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# -- interpolate -------------------------------------------------------------------------------

SIZES = [1, 2, 3, 4, 6, 10, 13]  # down, equal, 2x and non-integer ratios of 1, 3, 5 and 7
SCALES = [0.34, 0.5, 0.7, 1.5, 2.0, 2.5, 3.0]


@pytest.mark.parametrize("mode,dims", [("nearest", 1), ("nearest", 2), ("nearest", 3),
                                       ("nearest-exact", 1), ("nearest-exact", 2),
                                       ("area", 1), ("area", 2)])
@pytest.mark.parametrize("n_in", [1, 3, 7])
def test_nearest_and_area_match_torch_for_sizes_and_scale_factors(torch, mode, dims, n_in):
    """Every output size from 1 to ~2x, and scale factors with and without recomputation."""
    x = rand(2, 2, *(n_in,) * dims)
    for n in SIZES:
        compare(lambda t: F.interpolate(t, size=n, mode=mode),
                lambda t: torch.nn.functional.interpolate(t, size=n, mode=mode), x)
    for s in SCALES:
        if int(n_in * s) >= 1:
            for rc in (None, True):
                kw = {"scale_factor": s, "mode": mode, "recompute_scale_factor": rc}
                compare(lambda t: F.interpolate(t, **kw),
                        lambda t: torch.nn.functional.interpolate(t, **kw), x)


@pytest.mark.parametrize("mode,dims", [("linear", 1), ("bilinear", 2), ("trilinear", 3)])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("n_in", [1, 3, 5])
def test_linear_modes_match_torch_for_sizes_and_scale_factors(torch, mode, dims,
                                                              align_corners, n_in):
    x = rand(2, 2, *(n_in,) * dims)
    for n in SIZES:
        kw = {"size": n, "mode": mode, "align_corners": align_corners}
        compare(lambda t: F.interpolate(t, **kw),
                lambda t: torch.nn.functional.interpolate(t, **kw), x)
    for s in SCALES + [1.3]:
        if int(n_in * s) >= 1:
            for rc in (None, True):
                kw = {"scale_factor": s, "mode": mode, "align_corners": align_corners,
                      "recompute_scale_factor": rc}
                compare(lambda t: F.interpolate(t, **kw),
                        lambda t: torch.nn.functional.interpolate(t, **kw), x)


@pytest.mark.parametrize("kw", [
    {"size": (5, 2), "mode": "bilinear"},
    {"scale_factor": (1.7, 0.6), "mode": "bilinear", "align_corners": True},
    {"scale_factor": (2, 0.5)},
    {"scale_factor": (1.3, 2.5)},  # torch's 2-d nearest copies the unchanged height
    {"size": (3, 11), "mode": "nearest-exact"},
])
def test_per_dim_sizes_and_factors_match_torch(torch, kw):
    compare(lambda t: F.interpolate(t, **kw),
            lambda t: torch.nn.functional.interpolate(t, **kw), rand(2, 3, 3, 5))


def test_interpolate_of_an_empty_batch_and_float32_match_torch(torch):
    compare(lambda t: F.interpolate(t, size=(3, 4), mode="bilinear"),
            lambda t: torch.nn.functional.interpolate(t, size=(3, 4), mode="bilinear"),
            rand(0, 2, 2, 2))
    x = rand(1, 2, 4, 3).astype(np.float32)
    compare(lambda t: F.interpolate(t, scale_factor=1.7, mode="bilinear"),
            lambda t: torch.nn.functional.interpolate(t, scale_factor=1.7, mode="bilinear"),
            x, atol=1e-6, rtol=1e-5)


def test_nearest_keeps_integer_inputs():
    x = tw.tensor([[[1, 2, 3]]])
    out = F.interpolate(x, scale_factor=2)
    assert out.dtype is tw.int64 and out.tolist() == [[[1, 1, 2, 2, 3, 3]]]


def test_interpolate_gradient_matches_numerical_differences():
    """Including a 1-d nearest resize by 1.3 of size 3, where PyTorch's own backward
    disagrees with its forward (its gradcheck fails), so PyTorch is no oracle there."""
    for kw in ({"scale_factor": 1.3}, {"size": 5, "mode": "linear"},
               {"scale_factor": 0.6, "mode": "linear", "align_corners": True}):
        x = tw.tensor(rand(1, 2, 3), requires_grad=True)
        assert tw.autograd.gradcheck(lambda t: F.interpolate(t, **kw), (x,))
    x = tw.tensor(rand(1, 1, 3))
    assert F.interpolate(x, scale_factor=1.3)[0, 0].tolist() == x[0, 0, [0, 0, 1]].tolist()


ARGUMENT_ERRORS = [
    ({"size": 2, "align_corners": True}, ValueError,
     "align_corners option can only be set with the interpolating modes: linear | bilinear "
     "| bicubic | trilinear"),
    ({"size": 2, "scale_factor": 2}, ValueError,
     "only one of size or scale_factor should be defined"),
    ({}, ValueError, "either size or scale_factor should be defined"),
    ({"size": 2, "recompute_scale_factor": True}, ValueError,
     "recompute_scale_factor is not meaningful with an explicit size."),
    ({"size": (2, 2, 2)}, ValueError,
     "Input and output must have the same number of spatial dimensions, but got input with "
     "spatial dimensions of [4, 4] and output size of (2, 2, 2). Please provide input tensor "
     "in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."),
    ({"scale_factor": (2,)}, ValueError,
     "Input and scale_factor must have the same number of spatial dimensions, but got input "
     "with spatial dimensions of [4, 4] and scale_factor of shape (2,). Please provide input "
     "tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."),
    ({"size": (2, 3.0)}, TypeError,
     "expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, "
     "int], but got size with types [<class 'int'>, <class 'float'>]"),
    ({"size": 2, "antialias": True}, ValueError,
     "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
     "a 4-D tensor as input"),
    ({"size": 2, "mode": "linear"}, NotImplementedError,
     "Got 4D input, but linear mode needs 3D input"),
    ({"size": 2, "mode": "trilinear"}, NotImplementedError,
     "Got 4D input, but trilinear mode needs 5D input"),
    ({"size": 2, "mode": "cubic"}, NotImplementedError,
     "Input Error: Only 3D, 4D and 5D input Tensors supported (got 4D) for the modes: nearest "
     "| linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got cubic)"),
    ({"size": 0}, RuntimeError,
     "Input and output sizes should be greater than 0, but got input (H: 4, W: 4) output "
     "(H: 0, W: 0)"),
    ({"scale_factor": 0.2}, RuntimeError,
     "Input and output sizes should be greater than 0, but got input (H: 4, W: 4) output "
     "(H: 0, W: 0)"),
]


@pytest.mark.parametrize("kw,exc,msg", ARGUMENT_ERRORS)
def test_interpolate_raises_torchs_errors(torch, kw, exc, msg):
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(exc) as ours:
        F.interpolate(tw.tensor(x), **kw)
    with pytest.raises(exc) as theirs:
        torch.nn.functional.interpolate(torch.tensor(x), **kw)
    assert str(ours.value) == str(theirs.value) == msg


@pytest.mark.parametrize("shape,kw,msg", [
    ((1, 1, 0), {"size": 2},
     "Input and output sizes should be greater than 0, but got input (W: 0) and output (W: 2)"),
    ((1, 1, 2, 2, 2), {"size": -1},
     "Input and output sizes should be greater than 0, but got input (D: 2, H: 2, W: 2) "
     "output (D: -1, H: -1, W: -1)"),
    ((1, 0, 4), {"size": 2},
     "Non-empty 3D data tensor expected but got a tensor with sizes [1, 0, 4]"),
    ((4, 4), {"size": 2},
     "Input Error: Only 3D, 4D and 5D input Tensors supported (got 2D) for the modes: nearest "
     "| linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got nearest)"),
    ((1, 1, 4), {"size": 2, "mode": "bilinear"}, "Got 3D input, but bilinear mode needs 4D input"),
])
def test_interpolate_rank_and_size_errors_match_torch(torch, shape, kw, msg):
    with pytest.raises((RuntimeError, NotImplementedError)) as ours:
        F.interpolate(tw.zeros(*shape), **kw)
    with pytest.raises(type(ours.value)) as theirs:
        torch.nn.functional.interpolate(torch.zeros(*shape), **kw)
    assert str(ours.value) == str(theirs.value) == msg


@pytest.mark.parametrize("shape,kw,what", [
    ((1, 1, 4, 4), {"size": 2, "mode": "bicubic"}, "mode 'bicubic' on a 4D input"),
    ((1, 1, 4, 4), {"size": 2, "mode": "bilinear", "antialias": True}, "antialias=True"),
    ((1, 1, 2, 2, 2), {"size": 1, "mode": "area"}, "mode 'area' on a 5D input"),
])
def test_interpolate_names_what_tensorweave_does_not_implement(shape, kw, what):
    with pytest.raises(NotImplementedError, match=f"interpolate: tensorweave does not "
                                                  f"implement {what}; it supports"):
        F.interpolate(tw.zeros(*shape), **kw)


def test_linear_modes_refuse_integer_inputs():
    with pytest.raises(NotImplementedError, match=r"interpolate: mode 'linear' needs a "
                                                  r"floating-point input; got .*int64.*float"):
        F.interpolate(tw.zeros(1, 1, 3, dtype=tw.int64), size=2, mode="linear")


# -- pixel and channel shuffles ----------------------------------------------------------------


@pytest.mark.parametrize("shape,r", [((2, 8, 2, 3), 2), ((9, 2, 1), 3), ((2, 1, 4, 1, 2), 2),
                                     ((1, 3, 2, 2), 1)])
def test_pixel_shuffle_matches_torch(torch, shape, r):
    compare(lambda t: F.pixel_shuffle(t, r),
            lambda t: torch.nn.functional.pixel_shuffle(t, r), rand(*shape))


@pytest.mark.parametrize("shape,r", [((2, 2, 4, 6), 2), ((1, 3, 6), 3), ((2, 1, 1, 2, 2), 2)])
def test_pixel_unshuffle_matches_torch_and_inverts_pixel_shuffle(torch, shape, r):
    out = compare(lambda t: F.pixel_unshuffle(t, r),
                  lambda t: torch.nn.functional.pixel_unshuffle(t, r), rand(*shape))
    x = tw.tensor(rand(*shape))
    assert np.array_equal(F.pixel_shuffle(F.pixel_unshuffle(x, r), r).numpy(), x.numpy())
    assert out.shape[-3] == shape[-3] * r * r


@pytest.mark.parametrize("shape,g", [((2, 6, 3), 2), ((1, 6, 2, 2), 3), ((2, 4, 1, 1, 2), 4),
                                     ((1, 5, 2), 1)])
def test_channel_shuffle_matches_torch(torch, shape, g):
    compare(lambda t: F.channel_shuffle(t, g),
            lambda t: torch.nn.functional.channel_shuffle(t, g), rand(*shape))


@pytest.mark.parametrize("fn,shape,arg", [
    ("pixel_shuffle", (4, 4), 2), ("pixel_shuffle", (1, 6, 3, 3), 2),
    ("pixel_shuffle", (1, 4, 3, 3), 0), ("pixel_shuffle", (1, 4, 3, 3), -1),
    ("pixel_unshuffle", (4, 4), 2), ("pixel_unshuffle", (1, 6, 3, 4), 2),
    ("pixel_unshuffle", (1, 6, 4, 3), 2), ("pixel_unshuffle", (1, 4, 4, 4), 0),
    ("channel_shuffle", (4, 4), 2), ("channel_shuffle", (1, 5, 3), 2),
    ("channel_shuffle", (1, 4, 3), 0), ("channel_shuffle", (1, 4, 3), -2),
])
def test_shuffles_raise_torchs_errors(torch, fn, shape, arg):
    with pytest.raises(RuntimeError) as ours:
        getattr(F, fn)(tw.zeros(*shape), arg)
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.nn.functional, fn)(torch.zeros(*shape), arg)
    assert str(ours.value) == str(theirs.value)


# -- layers ------------------------------------------------------------------------------------

LAYERS = [
    ("ZeroPad1d", ((1, 2),), (2, 3, 4)), ("ZeroPad2d", (1,), (2, 2, 3, 3)),
    ("ZeroPad3d", ((1, 0, 2, 1, 0, 1),), (1, 2, 2, 3, 2)),
    ("ConstantPad1d", (2, 3.5), (3, 4)), ("ConstantPad2d", ((1, -1, 0, 2), -2.0), (2, 2, 3, 3)),
    ("ConstantPad3d", (1, 0.5), (2, 2, 2, 2)),
    ("ReflectionPad1d", ((3, 1),), (2, 3, 4)), ("ReflectionPad2d", ((2, 0, 1, 2),), (2, 3, 3)),
    ("ReflectionPad3d", (1,), (1, 2, 2, 3, 2)),
    ("ReplicationPad1d", ((4, 1),), (2, 3, 2)), ("ReplicationPad2d", (2,), (1, 2, 3, 3)),
    ("ReplicationPad3d", ((1, 2, 0, 1, 2, 0),), (2, 2, 3, 2)),
    ("CircularPad1d", ((2, 4),), (2, 3, 4)), ("CircularPad2d", ((1, 2, -1, 2),), (1, 2, 3, 3)),
    ("CircularPad3d", (1,), (1, 2, 2, 3, 2)),
    ("PixelShuffle", (2,), (2, 8, 2, 3)), ("PixelUnshuffle", (2,), (2, 2, 4, 2)),
    ("ChannelShuffle", (3,), (2, 6, 2)),
    ("Unfold", ((2, 3), 1, 1, (2, 1)), (2, 2, 4, 5)), ("Fold", ((4, 5), 2), (2, 8, 12)),
    ("Upsample", (None, 1.5, "bilinear"), (1, 2, 3, 4)),
    ("UpsamplingNearest2d", ((5, 3),), (1, 2, 3, 2)),
    ("UpsamplingBilinear2d", (None, 2), (1, 2, 3, 2)),
]


@pytest.mark.parametrize("name,args,shape", LAYERS, ids=[n for n, _, _ in LAYERS])
def test_layer_matches_torch_in_values_gradients_and_repr(torch, name, args, shape):
    ours, theirs = getattr(tw.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    compare_modules(ours, theirs, (rand(*shape),))


@pytest.mark.parametrize("make", [
    lambda nn: nn.ConstantPad2d((1, 2, 3, 4), 0.25), lambda nn: nn.ReflectionPad1d(3),
    lambda nn: nn.Upsample(size=(3, 4), mode="bicubic"),
    lambda nn: nn.Upsample(scale_factor=(2, 3)), lambda nn: nn.UpsamplingBilinear2d(size=7),
    lambda nn: nn.Fold(output_size=(3, 4), kernel_size=(2, 2), dilation=2, padding=1,
                       stride=3),
    lambda nn: nn.Unfold(kernel_size=3, stride=2)])
def test_repr_matches_torch(torch, make):
    assert repr(make(tw.nn)) == repr(make(torch.nn))


def test_padding_layers_pass_on_f_pads_errors():
    with pytest.raises(RuntimeError, match="Padding size should be less than the "
                                           "corresponding input dimension"):
        tw.nn.ReflectionPad1d(3)(tw.zeros(1, 2, 3))
    with pytest.raises(RuntimeError, match="Padding value causes wrapping around more than "
                                           "once."):
        tw.nn.CircularPad2d(4)(tw.zeros(1, 2, 3, 3))
