"""``F.fractional_max_pool2d/3d`` and ``nn.FractionalMaxPool2d/3d`` against PyTorch: with
the same ``_random_samples`` the values and indices are PyTorch's exactly (float32 and
float64, output sizes and ratios, batched and unbatched) and so are the float64 gradients;
without them the samples come from tensorweave's generator; modules' buffers, reprs and
errors; other devices against cpu.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)

CASES_2D = [
    ((2, 3, 11, 9), (3, 2), {"output_size": (5, 4)}),
    ((3, 10, 10), 2, {"output_ratio": [0.5, 0.4]}),
    ((1, 2, 7, 8), (2, 3), {"output_ratio": (0.7, 0.5)}),
    ((1, 1, 6, 6), 2, {"output_size": 5}),          # overlapping windows
    ((2, 2, 5, 4), 2, {"output_size": (1, 3)}),
]
CASES_3D = [
    ((2, 2, 9, 11, 10), (2, 3, 2), {"output_size": (5, 4, 6)}),
    ((2, 6, 7, 8), 2, {"output_ratio": 0.5}),
    ((1, 1, 5, 6, 7), (1, 2, 3), {"output_size": (3, 2, 4)}),
]


def run(fw, fn, shape, kernel, kwargs, dtype, x, u):
    xt = fw.tensor(x, dtype=dtype, requires_grad=True)
    values, indices = fn(xt, kernel, return_indices=True,
                         _random_samples=fw.tensor(u, dtype=dtype), **kwargs)
    return xt, values, indices


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("nd,case", [(2, c) for c in CASES_2D] + [(3, c) for c in CASES_3D])
def test_values_indices_and_gradients_equal_torchs(nd, case, dtype):
    shape, kernel, kwargs = case
    x = RNG.standard_normal(shape)
    n = shape[0] if len(shape) == nd + 2 else 1
    u = RNG.random((n, shape[-nd - 1], nd))
    name = f"fractional_max_pool{nd}d"
    ours = run(tw, getattr(F, name), shape, kernel, kwargs, getattr(tw, dtype), x, u)
    ref = run(torch, getattr(TF, name), shape, kernel, kwargs, getattr(torch, dtype), x, u)
    np.testing.assert_array_equal(ours[1].detach().numpy(), ref[1].detach().numpy())
    np.testing.assert_array_equal(ours[2].numpy(), ref[2].numpy())
    assert ours[2].dtype is tw.int64
    cot = RNG.standard_normal(tuple(ref[1].shape))
    ours[1].backward(tw.tensor(cot, dtype=ours[1].dtype))
    ref[1].backward(torch.tensor(cot, dtype=ref[1].dtype))
    np.testing.assert_allclose(ours[0].grad.numpy(), ref[0].grad.numpy(), rtol=1e-6)


def test_without_samples_they_come_from_tensorweaves_generator():
    x = tw.tensor(RNG.standard_normal((2, 3, 9, 8)))
    tw.manual_seed(7)
    values = F.fractional_max_pool2d(x, 2, output_size=4)
    tw.manual_seed(7)
    u = tw.rand(2, 3, 2, dtype=x.dtype)
    assert values.tolist() == F.fractional_max_pool2d(x, 2, output_size=4,
                                                      _random_samples=u).tolist()
    assert values.tolist() != F.fractional_max_pool2d(x, 2, output_size=4).tolist()
    tw.manual_seed(7)
    one = F.fractional_max_pool3d(x, 2, output_ratio=0.5)      # unbatched: (1, C, 3) samples
    tw.manual_seed(7)
    u = tw.rand(1, 2, 3, dtype=x.dtype)
    assert one.tolist() == F.fractional_max_pool3d(x, 2, output_ratio=0.5,
                                                   _random_samples=u).tolist()


def test_gradcheck():
    x = tw.tensor(RNG.standard_normal((1, 2, 6, 5)), requires_grad=True)
    u = tw.tensor(RNG.random((1, 2, 2)))
    assert tw.autograd.gradcheck(
        lambda t: F.fractional_max_pool2d(t, 2, output_size=(4, 3), _random_samples=u), (x,))


def test_modules_match_torchs_with_their_samples_as_a_buffer():
    u = RNG.random((2, 3, 3))
    x = RNG.standard_normal((2, 3, 6, 7, 5))
    ours = tw.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.6, 0.5), return_indices=True,
                                     _random_samples=tw.tensor(u))
    ref = torch.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.6, 0.5), return_indices=True,
                                       _random_samples=torch.tensor(u))
    assert repr(ours) == repr(ref) == "FractionalMaxPool3d()"
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["_random_samples"]
    assert (ours.kernel_size, ours.output_ratio, ours.output_size) == (
        ref.kernel_size, ref.output_ratio, ref.output_size)
    (v, i), (rv, ri) = ours(tw.tensor(x)), ref(torch.tensor(x))
    np.testing.assert_array_equal(v.numpy(), rv.numpy())
    np.testing.assert_array_equal(i.numpy(), ri.numpy())
    pool = tw.nn.FractionalMaxPool2d((2, 3), 4)
    assert (pool.kernel_size, pool.output_size, pool.output_ratio) == ((2, 3), (4, 4), None)
    assert list(pool.state_dict()) == []


def test_other_devices_match_cpu(device):
    x = RNG.standard_normal((2, 2, 7, 6))
    u = RNG.random((2, 2, 2))
    out = []
    for dev in ("cpu", device):
        xt = tw.tensor(x, device=dev, requires_grad=True)
        v, i = F.fractional_max_pool2d(xt, 2, (4, 3), return_indices=True,
                                       _random_samples=tw.tensor(u, device=dev))
        v.backward(tw.ones_like(v))
        out.append((v.detach().cpu().numpy(), i.cpu().numpy(), xt.grad.cpu().numpy()))
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


X = np.zeros((2, 3, 7, 6))
ERRORS = [
    ("fractional_max_pool2d", X, (3,), {"output_size": (6, 4)}),
    ("fractional_max_pool2d", X, (3,), {"output_size": (5, 5)}),
    ("fractional_max_pool2d", X, (2,), {}),
    ("fractional_max_pool2d", X, ((2, 2, 2),), {"output_size": 3}),
    ("fractional_max_pool2d", X, (2,), {"output_size": (3, 3, 3)}),
    ("fractional_max_pool2d", X, (2,), {"output_size": 3, "_random_samples": (2, 3, 3)}),
    ("fractional_max_pool2d", X, (2,), {"output_size": 3, "_random_samples": (1, 3, 2)}),
    ("fractional_max_pool2d", X, (2,), {"output_size": 3, "_random_samples": (2, 2, 2)}),
    ("fractional_max_pool2d", X, (2,), {"output_size": 3, "_random_samples": (2, 3)}),
    ("fractional_max_pool2d", np.zeros((2, 3, 0, 4)), (2,), {"output_size": 1}),
    ("fractional_max_pool3d", np.zeros((1, 3, 7, 6, 5)), (3,), {"output_size": (5, 3, 2)}),
    ("fractional_max_pool3d", np.zeros((1, 3, 7, 6, 5)), (3,), {"output_size": (4, 4, 3)}),
    ("fractional_max_pool3d", np.zeros((1, 3, 7, 6, 5)), (3,), {"output_size": (4, 4, 2)}),
    ("fractional_max_pool3d", np.zeros((1, 3, 7, 6, 5)), ((2, 2),), {"output_size": 2}),
    ("fractional_max_pool3d", np.zeros((1, 3, 7, 6, 5)), (2,),
     {"output_size": 2, "_random_samples": (1, 3, 2)}),
    ("fractional_max_pool3d", np.zeros((1, 3, 0, 6, 5)), (2,), {"output_size": 2}),
]


@pytest.mark.parametrize("name,x,args,kwargs", ERRORS, ids=range(len(ERRORS)))
def test_errors_match_torch(name, x, args, kwargs):
    def call(fw, fn):
        kw = dict(kwargs)
        if "_random_samples" in kw:
            kw["_random_samples"] = fw.rand(*kw["_random_samples"], dtype=fw.float64)
        return fn(fw.tensor(x), *args, **kw)

    with pytest.raises(Exception) as theirs:
        call(torch, getattr(TF, name))
    with pytest.raises(type(theirs.value)) as ours:
        call(tw, getattr(F, name))
    assert str(ours.value) == str(theirs.value)


def test_sample_dtype_must_be_the_inputs():
    x = tw.zeros(1, 1, 4, 4)
    with pytest.raises(RuntimeError, match="Expect _random_samples to have the same dtype"):
        F.fractional_max_pool2d(x, 2, 2, _random_samples=tw.rand(1, 1, 2, dtype=tw.float64))


@pytest.mark.parametrize("name,args,kwargs", [
    ("FractionalMaxPool2d", (2,), {}),
    ("FractionalMaxPool2d", (2, 3, 0.5), {}),
    ("FractionalMaxPool2d", (2,), {"output_ratio": 1.5}),
    ("FractionalMaxPool3d", (2,), {"output_ratio": (0.5, 0.5, 0)}),
    ("FractionalMaxPool3d", (0,), {"output_ratio": 0.5}),
])
def test_constructor_errors_match_torch(name, args, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.nn, name)(*args, **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(tw.nn, name)(*args, **kwargs)
    assert str(ours.value) == str(theirs.value)
