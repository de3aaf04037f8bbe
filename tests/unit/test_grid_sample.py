"""`grid_sample` and `affine_grid`: values and float64 gradients (input, grid and theta)
against PyTorch for every mode, padding mode and corner alignment, PyTorch's warnings and
errors, and the same results on every device as on cpu."""

from __future__ import annotations

import itertools
import re
import warnings

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw
import tensorweave.nn.functional as F

RNG = np.random.default_rng(0)

# Normalized coordinates that hit the edges and centres of the pixels, the border (+-1),
# points just outside, and points far outside (several reflections, or nothing to read).
EDGES = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, -1.5, 3.0, -7.25, 1e3])


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _grid(n, *out, spread=1.6):
    """A random grid of ``n`` batches over the output sizes ``out``, mostly inside."""
    return RNG.uniform(-spread, spread, size=(n, *out, len(out)))


def _edge_grid():
    """Every pair of `EDGES` as (x, y) in a 1 x 10 x 10 grid."""
    return np.stack(np.meshgrid(EDGES, EDGES), -1)[None]


MODES_2D = list(itertools.product(["bilinear", "nearest", "bicubic"],
                                  ["zeros", "border", "reflection"], [False, True]))
MODES_3D = list(itertools.product(["bilinear", "nearest"], ["zeros", "border", "reflection"],
                                  [False, True]))


@pytest.mark.parametrize("mode,padding,align", MODES_2D)
def test_grid_sample_4d_matches_torch_in_values_and_gradients(torch, mode, padding, align):
    """Random points and the pixels' edges/centres/borders, inside and out; gradients of
    the input and the grid in float64."""
    x = RNG.normal(size=(2, 3, 4, 5))
    for grid in (_grid(2, 3, 4), np.concatenate([_edge_grid()] * 2)):
        compare(lambda a, g: F.grid_sample(a, g, mode, padding, align),
                lambda a, g: torch.nn.functional.grid_sample(a, g, mode, padding, align),
                x, grid, atol=1e-12)


@pytest.mark.parametrize("mode,padding,align", MODES_3D)
def test_grid_sample_5d_matches_torch_in_values_and_gradients(torch, mode, padding, align):
    """Trilinear and nearest sampling of a volume, gradients of input and grid."""
    compare(lambda a, g: F.grid_sample(a, g, mode, padding, align),
            lambda a, g: torch.nn.functional.grid_sample(a, g, mode, padding, align),
            RNG.normal(size=(2, 2, 3, 4, 5)), _grid(2, 2, 3, 2), atol=1e-12)


@pytest.mark.parametrize("shape", [(1, 2, 1, 1), (1, 1, 1, 4)])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_grid_sample_of_unit_sized_inputs_matches_torch(torch, shape, mode):
    """A single row or pixel: reflection has no span to mirror in with align_corners."""
    for padding, align in itertools.product(["zeros", "border", "reflection"], [False, True]):
        compare(lambda a, g: F.grid_sample(a, g, mode, padding, align),
                lambda a, g: torch.nn.functional.grid_sample(a, g, mode, padding, align),
                RNG.normal(size=shape), _edge_grid(), atol=1e-12)


def test_grid_sample_float32_and_empty_shapes_match_torch(torch):
    """float32 results keep the dtype and match to float32 rounding; an empty batch,
    channel count or output grid gives PyTorch's empty shapes."""
    x, g = RNG.normal(size=(2, 3, 4, 5)).astype(np.float32), _grid(2, 3, 4).astype(np.float32)
    compare(lambda a, g: F.grid_sample(a, g, align_corners=False),
            lambda a, g: torch.nn.functional.grid_sample(a, g, align_corners=False),
            x, g, atol=1e-5, rtol=1e-5)
    for xs, gs in [((0, 2, 3, 4), (0, 2, 2, 2)), ((2, 0, 3, 4), (2, 2, 2, 2)),
                   ((2, 1, 3, 4), (2, 0, 2, 2))]:
        compare(lambda a, g: F.grid_sample(a, g, align_corners=True),
                lambda a, g: torch.nn.functional.grid_sample(a, g, align_corners=True),
                RNG.normal(size=xs), RNG.normal(size=gs))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # NumPy's inf - inf
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_grid_values_read_what_torch_reads(torch, bad):
    """NaN reads as -1 under 'border' and 'reflection' and gives NaN where it weighs
    ('zeros' bilinear, bicubic); infinities clip to the border or read 0 (forward only:
    PyTorch's own backward crashes on some of these)."""
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    g = np.array([[[[bad, 0.0], [0.3, bad], [bad, bad], [bad, -bad]]]])
    for mode, padding in itertools.product(["bilinear", "nearest", "bicubic"],
                                           ["zeros", "border", "reflection"]):
        got = F.grid_sample(tw.tensor(x), tw.tensor(g), mode, padding, False)
        want = torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(g), mode,
                                               padding, False)
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=f"{mode} {padding}")


def test_nearest_gives_the_grid_a_zero_gradient_like_torch():
    """The grid stays in the graph under 'nearest': its gradient is zeros, not missing."""
    x = tw.tensor(RNG.normal(size=(1, 1, 3, 3)), requires_grad=True)
    grid = tw.tensor(_grid(1, 2, 2, spread=0.9), requires_grad=True)  # all inside
    gx, gg = tw.autograd.grad(F.grid_sample(x, grid, "nearest", align_corners=False).sum(),
                              [x, grid])
    np.testing.assert_array_equal(gg.numpy(), np.zeros((1, 2, 2, 2)))
    assert gx.numpy().sum() == 4  # each of the 4 points read one pixel with weight 1


def test_grid_sample_reads_pixel_centres_and_corners():
    """Exact values: with align_corners the grid's corners are the corner pixels' centres,
    without it the corner pixels' outer edges (half of a pixel against the zero padding)."""
    x = tw.arange(4.0).reshape(1, 1, 2, 2)
    corners = tw.tensor([[[[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]]])
    got = F.grid_sample(x, corners, align_corners=True).flatten().tolist()
    assert got == [0.0, 1.0, 2.0, 3.0, 1.5]
    got = F.grid_sample(x, corners, align_corners=False).flatten().tolist()
    assert got == [0.0, 0.25, 0.5, 0.75, 1.5]
    got = F.grid_sample(x, corners, padding_mode="border", align_corners=False)
    assert got.flatten().tolist() == [0.0, 1.0, 2.0, 3.0, 1.5]


def test_grid_sample_default_align_corners_warns_like_torch_and_means_false(torch):
    """align_corners=None: PyTorch's warning text, then the align_corners=False result."""
    x, g = RNG.normal(size=(1, 2, 3, 4)), _grid(1, 2, 2)
    with pytest.warns(UserWarning) as got:
        out = F.grid_sample(tw.tensor(x), tw.tensor(g))
    with pytest.warns(UserWarning) as want:
        torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(g))
    assert str(got[0].message) == str(want[0].message)
    assert got[0].filename == __file__  # points at the caller
    np.testing.assert_array_equal(
        out.numpy(), F.grid_sample(tw.tensor(x), tw.tensor(g), align_corners=False).numpy())


GRID_ERRORS = [
    ((1, 2, 3, 4), (1, 2, 2, 2), {"mode": "linear"}),
    ((1, 2, 3, 4), (1, 2, 2, 2), {"padding_mode": "wrap"}),
    ((1, 2, 3, 4), (1, 2, 2, 1), {}),
    ((1, 2, 3, 4), (2, 2, 2, 2), {}),
    ((1, 2, 3, 4), (2, 2, 2), {}),
    ((2, 3, 4), (1, 2, 2, 2), {}),
    ((1, 2, 3, 4, 5), (1, 2, 2, 2), {}),
    ((1, 2, 3), (1, 2, 2, 1), {}),
    ((1, 2, 3, 4, 5, 6), (1, 2, 2, 2, 2, 4), {}),
    ((1, 2, 3, 4, 5), (1, 2, 2, 2, 3), {"mode": "bicubic"}),
    ((1, 2, 0, 4), (1, 2, 2, 2), {}),
]


@pytest.mark.parametrize("xs,gs,kw", GRID_ERRORS)
def test_grid_sample_raises_torchs_errors(torch, xs, gs, kw):
    """Bad modes, ranks, batch sizes, grid widths and empty inputs: PyTorch's exception
    type and message."""
    x, g = RNG.normal(size=xs), RNG.normal(size=gs)
    with pytest.raises((ValueError, RuntimeError)) as want:
        torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(g), align_corners=False,
                                        **kw)
    with pytest.raises(want.type, match=re.escape(str(want.value))):
        F.grid_sample(tw.tensor(x), tw.tensor(g), align_corners=False, **kw)


def test_grid_sample_names_dtype_and_device_problems():
    """Mismatched dtypes (PyTorch's wording) and integer inputs."""
    x, g = tw.randn(1, 2, 3, 4, dtype=tw.float64), tw.rand(1, 2, 2, 2)
    with pytest.raises(RuntimeError, match="expected scalar type float64 but found float32"):
        F.grid_sample(x, g, align_corners=False)
    with pytest.raises(NotImplementedError, match="expected a floating-point input; got "
                                                  "tensorweave.int64"):
        F.grid_sample(x.long(), g.long(), align_corners=False)


# -- affine_grid ------------------------------------------------------------------------------

AFFINE_SIZES = [(2, 3, 4, 5), (2, 1, 1, 5), (1, 1, 1, 1), (2, 2, 3, 4, 5), (1, 1, 4, 1, 3)]


@pytest.mark.parametrize("size", AFFINE_SIZES)
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_matches_torch_in_values_and_theta_gradient(torch, size, align):
    """2-D and 3-D grids, unit-sized dims included, and the gradient of theta."""
    k = len(size) - 2
    theta = RNG.normal(size=(size[0], k, k + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unit-size warning, checked below
        compare(lambda t: F.affine_grid(t, size, align),
                lambda t: torch.nn.functional.affine_grid(t, size, align), theta, atol=1e-12)


def test_affine_grid_float32_matches_torch_to_float32_rounding(torch):
    """float32 grids keep the dtype and use PyTorch's linspace arithmetic."""
    for size in [(2, 1, 7, 6), (1, 1, 5, 1, 3)]:
        k = len(size) - 2
        theta = RNG.normal(size=(size[0], k, k + 1)).astype(np.float32)
        for align in (False, True):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unit-sized dims with align_corners
                got = F.affine_grid(tw.tensor(theta), size, align)
                want = torch.nn.functional.affine_grid(torch.tensor(theta), size, align)
            assert got.dtype == tw.float32
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)


def test_identity_affine_grid_resamples_the_input_unchanged():
    """The identity theta's grid reads every pixel's centre, for both alignments."""
    x = tw.tensor(RNG.normal(size=(2, 3, 4, 5)))
    theta = tw.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]] * 2, dtype=tw.float64)
    for align in (False, True):
        grid = F.affine_grid(theta, x.shape, align_corners=align)
        np.testing.assert_allclose(F.grid_sample(x, grid, align_corners=align).numpy(),
                                   x.numpy(), atol=1e-12)


def test_spatial_transformer_gradient_reaches_theta_like_torch(torch):
    """grid_sample over affine_grid: the gradient of theta through both."""
    def net(fn):
        return lambda x, t: fn.grid_sample(x, fn.affine_grid(t, (2, 2, 3, 4), False),
                                           "bicubic", "reflection", False)

    compare(net(F), net(torch.nn.functional), RNG.normal(size=(2, 2, 5, 6)),
            RNG.normal(size=(2, 2, 3)), atol=1e-12)


def test_affine_grid_warns_like_torch(torch):
    """PyTorch's warnings: align_corners=None, and a unit-sized dim with align_corners."""
    theta = RNG.normal(size=(1, 2, 3))
    for size, align in [((1, 1, 2, 3), None), ((1, 1, 1, 3), True)]:
        with pytest.warns(UserWarning) as got:
            F.affine_grid(tw.tensor(theta), size, align)
        with pytest.warns(UserWarning) as want:
            torch.nn.functional.affine_grid(torch.tensor(theta), size, align)
        assert [str(w.message) for w in got] == [str(w.message) for w in want]


AFFINE_ERRORS = [
    ((2, 2, 3), (2, 3, 4, 5, 6)),
    ((2, 3), (2, 3, 1, 5)),
    ((2, 3, 4), (2, 3, 4, 5)),
    ((2, 2, 3), (2, 3, 4)),
    ((2, 2, 3), (2, 3, 0, 5)),
    ((2, 2, 3), (3, 3, 4, 5)),
]


@pytest.mark.parametrize("theta,size", AFFINE_ERRORS)
def test_affine_grid_raises_torchs_errors(torch, theta, size):
    """Shapes that do not fit, sizes of the wrong length or non-positive, batch mismatch:
    PyTorch's exception type and message (up to the framework's name in printed shapes)."""
    th = RNG.normal(size=theta)
    with pytest.raises((ValueError, NotImplementedError, RuntimeError)) as want:
        torch.nn.functional.affine_grid(torch.tensor(th), size, False)
    msg = str(want.value).replace("torch.Size", "tensorweave.Size")
    with pytest.raises(want.type, match=re.escape(msg)):
        F.affine_grid(tw.tensor(th), size, False)


def test_affine_grid_refuses_integer_theta():
    """PyTorch's message, naming the dtype."""
    with pytest.raises(ValueError, match="Expected theta to have floating point type, but got "
                                         "tensorweave.int64"):
        F.affine_grid(tw.zeros(1, 2, 3, dtype=tw.int64), (1, 1, 2, 2), False)


# -- every device -----------------------------------------------------------------------------

DEVICE_CASES = {
    "bilinear-zeros": lambda x, g: F.grid_sample(x, g, "bilinear", "zeros", False),
    "nearest-border": lambda x, g: F.grid_sample(x, g, "nearest", "border", True),
    "bicubic-reflection": lambda x, g: F.grid_sample(x, g, "bicubic", "reflection", False),
    "trilinear-reflection": lambda x, g: F.grid_sample(
        x.unsqueeze(2), g.unsqueeze(1)[..., [0, 1, 0]], "bilinear", "reflection", True),
    "affine-grid": lambda x, t: F.affine_grid(t, (2, 1, 3, 2), False),
}


@pytest.mark.parametrize("case", list(DEVICE_CASES))
def test_grid_sample_and_affine_grid_on_every_device_equal_cpu(device, case):
    """float64 values and the gradients of both inputs on ``device`` equal cpu's."""
    x = RNG.normal(size=(2, 2, 3, 4))
    second = RNG.normal(size=(2, 2, 3)) if case == "affine-grid" else _grid(2, 2, 3)
    results = []
    for dev in ("cpu", device):
        a = tw.tensor(x, device=dev, requires_grad=True)
        b = tw.tensor(second, device=dev, requires_grad=True)
        out = DEVICE_CASES[case](a, b)
        cot = tw.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), device=dev)
        out.backward(cot)
        grads = [None if t.grad is None else t.grad.cpu().numpy() for t in (a, b)]
        results.append((out.detach().cpu().numpy(), grads))
    (want, want_grads), (got, got_grads) = results
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    for g, w in zip(got_grads, want_grads):
        assert (g is None) == (w is None)
        if w is not None:
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_grid_sample_refuses_a_grid_on_another_device(device):
    """Input and grid on different devices: PyTorch's message, naming both."""
    if device == "cpu":
        pytest.skip("needs a second device")
    x, g = tw.zeros(1, 1, 2, 2, device=device), tw.zeros(1, 1, 1, 2)
    with pytest.raises(RuntimeError, match="expected input and grid to be on same device, but "
                                           f"input is on {device} and grid is on cpu"):
        F.grid_sample(x, g, align_corners=False)
