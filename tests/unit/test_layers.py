"""The built-in layers (activation, linear, flatten, conv, pooling, dropout, normalization,
sparse) against PyTorch: default initialization (exact bounds and Kolmogorov-Smirnov tests
against the law and against PyTorch's own draws), printed forms, state-dict keys, parameter
counts of whole models, BatchNorm's running statistics, in-place activations, dropout's
masks, Embedding's special gradients, and the constructor and input errors.

Forward and gradient values over every layer's options are checked by the registry-driven
suite from each layer's ``conformance_samples``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from _module_oracle import compare, copy_parameters

import tensorweave as tw
from tensorweave.plugins.layers import (
    activation,
    conv,
    dropout,
    flatten,
    linear,
    normalization,
    pooling,
    sparse,
)

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
MODULES = (activation, linear, flatten, conv, pooling, dropout, normalization, sparse)
# Each Kolmogorov-Smirnov test rejects a correct law with this probability.
FALSE_ALARM = 1e-6
KS_C = math.sqrt(-math.log(FALSE_ALARM / 2) / 2)  # the asymptotic critical value


def rand(*shape):
    return RNG.standard_normal(shape)


def pair(name, *args, **kwargs):
    """The tensorweave layer and PyTorch's, with PyTorch's parameters and buffers (float64)."""
    ref = getattr(torch.nn, name)(*args, **kwargs)
    mod = getattr(tw.nn, name)(*args, **kwargs)
    copy_parameters(mod, ref)
    return mod, ref


def host(t):
    return t.detach().numpy().astype(np.float64).ravel()


# -- the constructor cases: printed form and state dict --------------------------------------


CASES = [
    ("Identity", (3,), {"unused": 1}),
    ("Linear", (4, 3), {}),
    ("Linear", (4, 3), {"bias": False}),
    ("Bilinear", (2, 3, 4), {}),
    ("Bilinear", (2, 3, 4), {"bias": False}),
    ("Flatten", (), {}),
    ("Flatten", (0, 2), {}),
    ("Unflatten", (1, (2, 3)), {}),
    ("Unflatten", (-1, [2, 3]), {}),
    ("Conv1d", (2, 4, 3), {}),
    ("Conv1d", (2, 4, 3), {"stride": 2, "padding": "valid", "dilation": 2, "groups": 2,
                           "bias": False, "padding_mode": "reflect"}),
    ("Conv2d", (3, 8, 3), {"padding": 1}),
    ("Conv2d", (4, 8, (3, 2)), {"padding": "same", "dilation": (2, 1), "groups": 4,
                                "padding_mode": "circular"}),
    ("Conv2d", (2, 2, 3), {"stride": (2, 1), "padding": (1, 0), "padding_mode": "replicate",
                           "bias": False}),
    ("Conv3d", (2, 4, (3, 2, 1)), {"stride": (2, 1, 1), "padding": "valid", "groups": 2,
                                   "padding_mode": "reflect"}),
    ("ConvTranspose1d", (2, 4, 3), {"stride": 2, "output_padding": 1}),
    ("ConvTranspose2d", (4, 2, 3), {}),
    ("ConvTranspose2d", (4, 2, (3, 2)), {"stride": 2, "padding": 1, "output_padding": (1, 0),
                                         "groups": 2, "dilation": 2, "bias": False}),
    ("ConvTranspose3d", (4, 2, 3), {"stride": 2, "output_padding": (1, 0, 1), "bias": False}),
    ("MaxPool1d", (3,), {}),
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", ((3, 2),), {"stride": 1, "padding": 1, "dilation": 2, "return_indices": True,
                              "ceil_mode": True}),
    ("MaxPool3d", ((3, 2, 2),), {"stride": 1, "padding": 1, "dilation": 2, "ceil_mode": True}),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", ((3, 2),), {"stride": (2, 1), "padding": 1, "ceil_mode": True,
                              "count_include_pad": False, "divisor_override": 2}),
    ("AvgPool3d", (2,), {"stride": (2, 1, 1), "padding": 1, "count_include_pad": False,
                         "divisor_override": 3}),
    ("AdaptiveAvgPool1d", (3,), {}),
    ("AdaptiveAvgPool2d", ((5, None),), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}),
    ("AdaptiveMaxPool1d", (2,), {}),
    ("AdaptiveMaxPool2d", ((2, 3),), {"return_indices": True}),
    ("AdaptiveMaxPool3d", (2,), {"return_indices": True}),
    ("FractionalMaxPool2d", (2,), {"output_size": 3}),
    ("FractionalMaxPool3d", ((1, 2, 2),), {"output_ratio": 0.5, "return_indices": True}),
    ("Dropout", (), {}),
    ("Dropout", (0.25,), {"inplace": True}),
    ("Dropout1d", (0.1,), {}),
    ("Dropout2d", (0.1,), {}),
    ("Dropout3d", (), {"inplace": True}),
    ("AlphaDropout", (0.2,), {}),
    ("FeatureAlphaDropout", (), {}),
    ("BatchNorm1d", (8,), {}),
    ("BatchNorm1d", (8,), {"eps": 1e-3, "momentum": None, "affine": False,
                           "track_running_stats": False}),
    ("BatchNorm2d", (4,), {"bias": False}),
    ("BatchNorm3d", (4,), {"momentum": 0.2}),
    ("SyncBatchNorm", (4,), {"eps": 1e-4, "affine": False}),
    ("InstanceNorm1d", (4,), {}),
    ("InstanceNorm2d", (4,), {"affine": True, "track_running_stats": True}),
    ("InstanceNorm3d", (3,), {"eps": 1e-3, "affine": True, "bias": False}),
    ("LayerNorm", (5,), {}),
    ("LayerNorm", ((3, 5),), {"eps": 1e-6, "elementwise_affine": False}),
    ("LayerNorm", ([4],), {"bias": False}),
    ("GroupNorm", (2, 4), {}),
    ("GroupNorm", (1, 3), {"eps": 1e-3, "affine": False}),
    ("GroupNorm", (2, 4), {"bias": False}),
    ("RMSNorm", (4,), {}),
    ("RMSNorm", ([2, 3],), {"eps": 1e-6, "elementwise_affine": False}),
    ("Embedding", (10, 3), {}),
    ("Embedding", (10, 3), {"padding_idx": -2, "max_norm": 1.5, "norm_type": 1.0,
                            "scale_grad_by_freq": True, "sparse": True}),
    ("ReLU", (), {}),
    ("ReLU", (True,), {}),
    ("ReLU6", (), {"inplace": True}),
    ("RReLU", (), {}),
    ("RReLU", (0.1, 0.3, True), {}),
    ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2, True), {}),
    ("ELU", (), {}),
    ("ELU", (0.5,), {"inplace": True}),
    ("CELU", (2.0,), {}),
    ("SELU", (True,), {}),
    ("GELU", (), {}),
    ("GELU", ("tanh",), {}),
    ("SiLU", (), {"inplace": True}),
    ("Mish", (), {}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("Softplus", (), {}),
    ("Softplus", (2, 10), {}),
    ("Softsign", (), {}),
    ("Hardtanh", (), {}),
    ("Hardtanh", (-2.0, 3), {"inplace": True}),
    ("Hardsigmoid", (True,), {}),
    ("Hardswish", (True,), {}),
    ("LogSigmoid", (), {}),
    ("Softmax", (), {}),
    ("Softmax", (1,), {}),
    ("LogSoftmax", (-1,), {}),
    ("Softmin", (0,), {}),
    ("Softmax2d", (), {}),
    ("Threshold", (0.1, 20), {}),
    ("Threshold", (0.1, 20.0, True), {}),
    ("Tanhshrink", (), {}),
    ("Hardshrink", (), {}),
    ("Softshrink", (0.3,), {}),
    ("GLU", (), {}),
    ("GLU", (0,), {}),
    ("PReLU", (), {}),
    ("PReLU", (3,), {"init": 0.1}),
]


def case_id(case):
    name, args, kwargs = case
    return name + "(" + ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())]
                                  ) + ")"


def test_every_layer_is_torchs_and_has_a_case():
    names = {n for m in MODULES for n in m.__all__}
    assert names <= set(dir(torch.nn))
    assert names == {c[0] for c in CASES}
    assert all(getattr(tw.nn, n) is getattr(m, n) for m in MODULES for n in m.__all__)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_repr_is_torchs(case):
    name, args, kwargs = case
    assert repr(getattr(tw.nn, name)(*args, **kwargs)) == repr(
        getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_state_dict_is_torchs(case):
    """Same keys in the same order, same shapes and dtypes; parameters and buffers alike."""
    name, args, kwargs = case
    ours = getattr(tw.nn, name)(*args, **kwargs).state_dict()
    theirs = getattr(torch.nn, name)(*args, **kwargs).state_dict()
    assert list(ours) == list(theirs)
    for k, v in theirs.items():
        assert tuple(ours[k].shape) == tuple(v.shape), k
        assert ours[k].dtype.name == str(v.dtype).removeprefix("torch."), k


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in (
    "Linear", "Conv2d", "ConvTranspose2d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Embedding",
    "PReLU", "Bilinear")], ids=case_id)
def test_factory_kwargs_set_dtype_and_device(case):
    name, args, kwargs = case
    mod = getattr(tw.nn, name)(*args, **kwargs, dtype=tw.float64, device="cpu")
    for p in mod.parameters():
        assert p.dtype is tw.float64 and p.device == tw.device("cpu") and p.requires_grad
    for k, b in mod.named_buffers():
        assert b.dtype is (tw.int64 if k.endswith("num_batches_tracked") else tw.float64)


def test_load_state_dict_from_torch_round_trips():
    ref = torch.nn.Conv2d(2, 3, 3, groups=1)
    mod = tw.nn.Conv2d(2, 3, 3)
    mod.load_state_dict({k: tw.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    np.testing.assert_array_equal(mod.weight.detach().numpy(), ref.weight.detach().numpy())
    np.testing.assert_array_equal(mod.bias.detach().numpy(), ref.bias.detach().numpy())


# -- whole models: printed form and parameter counts --------------------------------------------


def seed_cnn(fw):
    """examples/pytorch_seeds/cnn.py's model."""
    nn, F = fw.nn, fw.nn.functional

    class CNN(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
            self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
            self.pool = nn.MaxPool2d(2, 2)
            self.dropout = nn.Dropout(0.25)
            self.fc1 = nn.Linear(64 * 8 * 8, 128)
            self.fc2 = nn.Linear(128, num_classes)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(x.size(0), -1)
            x = self.dropout(F.relu(self.fc1(x)))
            return self.fc2(x)

    return CNN(num_classes=4)


def seed_mlp(fw):
    """examples/pytorch_seeds/mlp.py's IntermediateNet, as a Sequential."""
    nn = fw.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def every_layer(fw):
    """A model holding one of (nearly) every layer kind, nested."""
    nn = fw.nn
    features = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding="same", bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
        nn.MaxPool2d(2), nn.Conv2d(8, 8, 3, groups=2, padding_mode="reflect", padding=1),
        nn.GroupNorm(2, 8), nn.GELU(approximate="tanh"), nn.Dropout2d(0.1),
        nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten())
    head = nn.Sequential(nn.Linear(32, 16), nn.LayerNorm(16), nn.LeakyReLU(0.1),
                         nn.Dropout(0.2), nn.Linear(16, 5), nn.LogSoftmax(dim=1))
    return nn.ModuleDict({"embed": nn.Embedding(100, 12, padding_idx=0),
                          "features": features, "head": head,
                          "up": nn.ConvTranspose2d(8, 3, 2, stride=2),
                          "seq": nn.Sequential(nn.Conv1d(12, 6, 3), nn.BatchNorm1d(6),
                                               nn.SiLU(), nn.AvgPool1d(2))})


@pytest.mark.parametrize("build", [seed_cnn, seed_mlp, every_layer])
def test_models_print_and_count_like_torch(build):
    ours, theirs = build(tw), build(torch)
    assert repr(ours) == repr(theirs)
    assert sum(p.numel() for p in ours.parameters()) == sum(
        p.numel() for p in theirs.parameters())
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]


def test_seed_cnn_forward_and_backward_match_torch():
    ours, theirs = seed_cnn(tw), seed_cnn(torch)
    copy_parameters(ours, theirs)
    ours.eval()
    theirs.eval()
    compare(ours, theirs, (rand(2, 3, 32, 32),), atol=1e-9)


# -- default initialization ---------------------------------------------------------------------


def ks_statistic(x, cdf):
    """The one-sample Kolmogorov-Smirnov distance between the sample ``x`` and ``cdf``."""
    x = np.sort(x)
    n = x.size
    f = cdf(x)
    return max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n))


def ks_two_sample(a, b):
    """The two-sample Kolmogorov-Smirnov distance and its critical value."""
    grid = np.concatenate([a, b])
    fa = np.searchsorted(np.sort(a), grid, side="right") / a.size
    fb = np.searchsorted(np.sort(b), grid, side="right") / b.size
    return np.max(np.abs(fa - fb)), KS_C * math.sqrt((a.size + b.size) / (a.size * b.size))


def check_uniform(x, bound, name):
    """``x`` is a sample of U(-bound, bound): every value inside (exactly), the extremes near
    the bounds (a miss has probability below e^-30), and the KS test.
    """
    n = x.size
    assert -bound <= x.min() and x.max() <= bound, name
    slack = bound * min(1.0, 30.0 / n)
    assert x.max() >= bound - slack and x.min() <= -bound + slack, name
    d = ks_statistic(x, lambda v: (v + bound) / (2 * bound))
    assert d < KS_C / math.sqrt(n), (name, d)


INIT_CASES = [
    # name, args, kwargs, the bound of U(-b, b) for every parameter
    ("Linear", (1000, 200), {}, 1 / math.sqrt(1000)),
    ("Linear", (3, 5000), {}, 1 / math.sqrt(3)),
    ("Conv1d", (16, 32, 5), {}, 1 / math.sqrt(16 * 5)),
    ("Conv2d", (32, 64, 3), {}, 1 / math.sqrt(32 * 9)),
    ("Conv2d", (16, 400, (3, 5)), {"groups": 4}, 1 / math.sqrt(4 * 15)),
    ("ConvTranspose1d", (8, 600, 4), {}, 1 / math.sqrt(600 * 4)),
    ("ConvTranspose2d", (32, 160, 3), {"groups": 2}, 1 / math.sqrt(80 * 9)),
    ("Bilinear", (20, 30, 100), {}, 1 / math.sqrt(20)),
]


@pytest.mark.parametrize("name,args,kwargs,bound", INIT_CASES,
                         ids=[case_id(c[:3]) for c in INIT_CASES])
def test_default_init_is_torchs_uniform(name, args, kwargs, bound):
    tw.manual_seed(0)
    torch.manual_seed(0)
    ours = getattr(tw.nn, name)(*args, **kwargs, dtype=tw.float64)
    theirs = getattr(torch.nn, name)(*args, **kwargs, dtype=torch.float64)
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        x, y = host(p), host(q)
        check_uniform(x, bound, k)
        check_uniform(y, bound, "torch " + k)  # the bound is PyTorch's, not only ours
        d, crit = ks_two_sample(x, y)
        assert d < crit, (k, d, crit)


def test_default_init_differs_per_layer_and_is_seeded():
    tw.manual_seed(3)
    a, b = tw.nn.Linear(5, 4), tw.nn.Linear(5, 4)
    tw.manual_seed(3)
    c = tw.nn.Linear(5, 4)
    assert not np.array_equal(host(a.weight), host(b.weight))
    assert np.array_equal(host(a.weight), host(c.weight))
    assert np.array_equal(host(a.bias), host(c.bias))


def test_reset_parameters_redraws_within_the_bounds():
    mod = tw.nn.Conv2d(4, 6, 3)
    before = host(mod.weight)
    mod.reset_parameters()
    assert not np.array_equal(before, host(mod.weight))
    assert np.abs(host(mod.weight)).max() <= 1 / 6


def test_embedding_init_is_standard_normal_with_zero_padding_row():
    tw.manual_seed(0)
    torch.manual_seed(0)
    ours = tw.nn.Embedding(2000, 50, padding_idx=-3, dtype=tw.float64)
    theirs = torch.nn.Embedding(2000, 50, padding_idx=-3, dtype=torch.float64)
    assert ours.padding_idx == theirs.padding_idx == 1997
    w = ours.weight.detach().numpy()
    assert not np.any(w[1997])
    x = np.delete(w, 1997, axis=0).ravel()
    erf = np.vectorize(math.erf)
    d = ks_statistic(x, lambda v: 0.5 * (1 + erf(v / math.sqrt(2))))
    assert d < KS_C / math.sqrt(x.size)
    y = np.delete(theirs.weight.detach().numpy(), 1997, axis=0).ravel()
    d, crit = ks_two_sample(x, y)
    assert d < crit


@pytest.mark.parametrize("name,args,kwargs", [
    ("BatchNorm1d", (7,), {}), ("BatchNorm2d", (7,), {"momentum": None}),
    ("InstanceNorm2d", (7,), {"affine": True, "track_running_stats": True}),
    ("LayerNorm", ((2, 7),), {}), ("GroupNorm", (7, 7), {}), ("RMSNorm", (7,), {}),
    ("PReLU", (7,), {"init": 0.3}),
])
def test_constant_inits_equal_torchs(name, args, kwargs):
    ours, theirs = getattr(tw.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k].numpy(), v.numpy(), err_msg=k)


# -- BatchNorm and InstanceNorm running statistics ----------------------------------------------


BN_RUNS = [
    ("BatchNorm1d", (3,), {}, (8, 3)),
    ("BatchNorm1d", (3,), {"momentum": None}, (4, 3, 5)),
    ("BatchNorm2d", (2,), {"momentum": 0.3, "affine": False}, (3, 2, 4, 4)),
    ("BatchNorm2d", (2,), {"track_running_stats": False}, (3, 2, 2, 2)),
    ("BatchNorm3d", (2,), {"eps": 1e-3, "bias": False}, (2, 2, 3, 2, 2)),
    ("InstanceNorm1d", (3,), {"track_running_stats": True, "affine": True}, (4, 3, 6)),
    ("InstanceNorm2d", (2,), {"track_running_stats": True, "momentum": 0.5}, (3, 2, 3, 3)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", BN_RUNS,
                         ids=[case_id(r[:3]) for r in BN_RUNS])
def test_running_stats_after_training_steps_equal_torchs(name, args, kwargs, shape):
    mod, ref = pair(name, *args, **kwargs)
    for _ in range(4):
        compare(mod, ref, (rand(*shape) * 3 + 1,))
    for k, v in ref.state_dict().items():
        ours = mod.state_dict()[k]
        assert ours.dtype.name == str(v.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.numpy(), v.numpy(), rtol=1e-12, atol=1e-12, err_msg=k)
    if name.startswith("BatchNorm") and ref.track_running_stats:
        assert int(mod.num_batches_tracked) == int(ref.num_batches_tracked) == 4
    mod.eval()
    ref.eval()
    compare(mod, ref, (rand(*shape),))
    for k, v in ref.state_dict().items():  # evaluation leaves the statistics alone
        np.testing.assert_allclose(mod.state_dict()[k].numpy(), v.numpy(), rtol=1e-12, err_msg=k)


def test_batchnorm_momentum_none_is_the_cumulative_average():
    bn = tw.nn.BatchNorm1d(2, momentum=None).double()
    batches = [rand(5, 2) * (i + 1) for i in range(3)]
    for x in batches:
        bn(tw.tensor(x))
    np.testing.assert_allclose(bn.running_mean.numpy(),
                               np.mean([b.mean(0) for b in batches], axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(),
                               np.mean([b.var(0, ddof=1) for b in batches], axis=0), rtol=1e-12)


def test_reset_running_stats():
    bn = tw.nn.BatchNorm1d(2)
    bn(tw.randn(4, 2) * 3 + 1)
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0, 0] and bn.running_var.tolist() == [1, 1]
    assert bn.num_batches_tracked.item() == 0


# -- activations, dropout, embedding ----------------------------------------------------------


INPLACE = [("ReLU", {}), ("ReLU6", {}), ("LeakyReLU", {"negative_slope": 0.2}),
           ("ELU", {}), ("CELU", {"alpha": 2.0}), ("SELU", {}), ("SiLU", {}), ("Mish", {}),
           ("Hardtanh", {"min_val": -0.5}), ("Hardsigmoid", {}), ("Hardswish", {}),
           ("Threshold", {"threshold": 0.1, "value": 2.0}), ("RReLU", {})]


@pytest.mark.parametrize("name,kwargs", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_activation_overwrites_its_input_like_torch(name, kwargs):
    mod, ref = pair(name, **kwargs, inplace=True)
    mod.eval()  # RReLU: the deterministic slope
    ref.eval()
    x = rand(3, 4) * 4
    a, b = tw.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = a * 1, b * 1
    out = mod(ya)
    assert out is ya
    yb = ref(yb)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-12, atol=1e-15)
    g = rand(3, 4)
    out.backward(tw.tensor(g))
    yb.backward(torch.tensor(g))
    # PyTorch's hardsigmoid backward multiplies by a float32 1/6, even in float64.
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-7, atol=1e-15)


def test_rrelu_is_random_in_training_and_mean_slope_in_eval():
    mod = tw.nn.RReLU(0.1, 0.3)
    x = -tw.ones(4000, dtype=tw.float64)
    slopes = -mod(x).numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.01
    mod.eval()
    np.testing.assert_allclose(mod(x).numpy(), -0.2)


def test_softmax_without_dim_warns_like_torch():
    x = rand(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = tw.nn.Softmax()(tw.tensor(x))
    with pytest.warns(UserWarning):
        ref = torch.nn.Softmax()(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)


def test_dropout_zeroes_a_fraction_p_and_scales_the_rest():
    p, n = 0.3, 200_000
    tw.manual_seed(0)
    out = tw.nn.Dropout(p)(tw.ones(n)).numpy()
    zero = out == 0
    assert abs(zero.mean() - p) < 6 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(out[~zero], 1 / (1 - p), rtol=1e-6)


@pytest.mark.parametrize("name,shape,lead", [("Dropout1d", (50, 40, 3), 2),
                                             ("Dropout1d", (2000, 3), 1),
                                             ("Dropout2d", (50, 40, 2, 2), 2),
                                             ("Dropout3d", (50, 40, 1, 2, 2), 2)])
def test_channel_dropout_zeroes_whole_channels(name, shape, lead):
    """``lead`` dims index the channels (batch and channel, or channel alone)."""
    tw.manual_seed(0)
    x = RNG.uniform(1, 2, shape)
    out = getattr(tw.nn, name)(0.4)(tw.tensor(x)).numpy().reshape(*shape[:lead], -1)
    dropped = np.all(out == 0, axis=-1)
    kept = np.all(out != 0, axis=-1)
    assert np.all(dropped | kept)
    assert abs(dropped.mean() - 0.4) < 6 * math.sqrt(0.24 / dropped.size)
    np.testing.assert_allclose(out[kept], x.reshape(*shape[:lead], -1)[kept] / 0.6, rtol=1e-12)


def test_dropout_is_reproducible_inplace_and_off_in_eval():
    x = rand(6, 7)
    tw.manual_seed(5)
    a = tw.nn.Dropout()(tw.tensor(x))
    tw.manual_seed(5)
    y = tw.tensor(x)
    b = tw.nn.Dropout(inplace=True)(y)
    assert b is y and np.array_equal(a.numpy(), y.numpy())
    mod = tw.nn.Dropout().eval()
    np.testing.assert_array_equal(mod(tw.tensor(x)).numpy(), x)


def test_alpha_dropout_keeps_mean_and_variance():
    tw.manual_seed(0)
    out = tw.nn.AlphaDropout(0.2)(tw.randn(200_000, dtype=tw.float64)).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.var() - 1) < 0.03


def embedding_pair(*args, **kwargs):
    torch.manual_seed(0)
    return pair("Embedding", *args, **kwargs)


@pytest.mark.parametrize("kwargs", [{"padding_idx": 1}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}],
                         ids=["padding_idx", "negative-padding_idx", "scale_grad_by_freq",
                              "both"])
def test_embedding_special_gradients_match_torch(kwargs):
    mod, ref = embedding_pair(5, 3, **kwargs)
    idx = np.array([[1, 4, 1, 0], [0, 4, 2, 1]], dtype=np.int64)
    compare(mod, ref, (idx,))
    if "padding_idx" in kwargs:
        assert not np.any(mod.weight.grad.numpy()[mod.padding_idx])


def test_embedding_max_norm_renormalizes_the_looked_up_rows_like_torch():
    mod, ref = embedding_pair(6, 4, max_norm=1.0, norm_type=1.0)
    idx = np.array([0, 2, 2, 5], dtype=np.int64)
    compare(mod, ref, (idx,))
    np.testing.assert_allclose(mod.weight.detach().numpy(), ref.weight.detach().numpy(),
                               rtol=1e-12)


def test_embedding_from_pretrained():
    w = rand(4, 3)
    emb = tw.nn.Embedding.from_pretrained(tw.tensor(w), padding_idx=1)
    ref = torch.nn.Embedding.from_pretrained(torch.tensor(w), padding_idx=1)
    assert not emb.weight.requires_grad and repr(emb) == repr(ref)
    np.testing.assert_array_equal(emb.weight.detach().numpy(), w)  # the padding row is kept
    idx = tw.tensor([[1, 3], [0, 0]])
    np.testing.assert_array_equal(emb(idx).numpy(), w[[[1, 3], [0, 0]]])
    assert tw.nn.Embedding.from_pretrained(tw.tensor(w), freeze=False).weight.requires_grad


def test_conv_transpose_output_size_matches_torch():
    mod, ref = pair("ConvTranspose2d", 2, 3, 3, stride=(2, 3), padding=1)
    x = rand(1, 2, 3, 4)
    for size in ([5, 10], [6, 12], [1, 3, 6, 11]):
        out = compare(mod, ref, (x,), {"output_size": size})
        assert tuple(out.shape[-2:]) == tuple(size[-2:])


def test_conv_padding_modes_pad_then_convolve_like_torch():
    for mode in ("reflect", "replicate", "circular"):
        mod, ref = pair("Conv2d", 2, 3, (3, 2), padding="same", padding_mode=mode)
        compare(mod, ref, (rand(2, 2, 5, 4),))
        mod, ref = pair("Conv1d", 2, 3, 3, padding=2, stride=2, padding_mode=mode)
        compare(mod, ref, (rand(2, 2, 6),))


def test_conv_same_padding_puts_the_odd_element_on_the_right_like_torch():
    for name, kernel, shape in (("Conv1d", 4, (2, 2, 7)), ("Conv2d", (2, 3), (1, 2, 4, 5))):
        mod, ref = pair(name, 2, 3, kernel, padding="same")
        with pytest.warns(UserWarning, match="padding='same' with even kernel lengths"):
            out = compare(mod, ref, (rand(*shape),))
        assert tuple(out.shape[2:]) == shape[2:]


# -- errors -------------------------------------------------------------------------------------


def same_error(ours, theirs):
    """Both calls raise the same exception type with the same message (framework names
    aside).
    """
    with pytest.raises(Exception) as ref:
        theirs()
    with pytest.raises(type(ref.value)) as got:
        ours()
    assert _sets_sorted(str(got.value).replace("tensorweave", "torch")) == \
        _sets_sorted(str(ref.value))


def _sets_sorted(message: str) -> str:
    """``message`` with every printed set of strings in sorted order: PyTorch prints Python
    sets, whose order differs from one process to the next."""
    return re.sub(r"\{('[^']*'(?:, '[^']*')*)\}",
                  lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


CONSTRUCTOR_ERRORS = [
    ("Conv2d", (4, 4, 3), {"groups": 0}),
    ("Conv2d", (3, 4, 3), {"groups": 2}),
    ("Conv2d", (4, 3, 3), {"groups": 2}),
    ("Conv2d", (4, 4, 3), {"padding": "full"}),
    ("Conv1d", (4, 4, 3), {"padding": "same", "stride": 2}),
    ("Conv2d", (4, 4, 3), {"padding_mode": "mirror"}),
    ("ConvTranspose2d", (4, 4, 3), {"padding_mode": "reflect"}),
    ("Dropout", (1.5,), {}),
    ("Dropout2d", (-0.1,), {}),
    ("Hardtanh", (1.0, 0.5), {}),
    ("GroupNorm", (3, 4), {}),
    ("Embedding", (5, 2), {"padding_idx": 5}),
    ("Embedding", (5, 2), {"padding_idx": -6}),
    ("Unflatten", (1, 6), {}),
    ("Unflatten", (1, (2, 1.5)), {}),
    ("Bilinear", (0, 2, 3), {}),
]


@pytest.mark.parametrize("case", CONSTRUCTOR_ERRORS, ids=case_id)
def test_constructor_errors_match_torch(case):
    name, args, kwargs = case
    same_error(lambda: getattr(tw.nn, name)(*args, **kwargs),
               lambda: getattr(torch.nn, name)(*args, **kwargs))


FORWARD_ERRORS = [
    ("BatchNorm1d", (3,), {}, (2, 3, 4, 4)),
    ("BatchNorm1d", (3,), {}, (3,)),
    ("BatchNorm2d", (3,), {}, (2, 3, 4)),
    ("BatchNorm3d", (3,), {}, (2, 3, 4, 4)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 4, 4)),
    ("InstanceNorm2d", (3,), {"affine": True}, (2, 4, 4, 4)),
    ("Softmax2d", (), {}, (3, 4)),
]


@pytest.mark.parametrize("case", FORWARD_ERRORS, ids=lambda c: case_id(c[:3]) + str(c[3]))
def test_forward_errors_match_torch(case):
    name, args, kwargs, shape = case
    x = rand(*shape)
    same_error(lambda: getattr(tw.nn, name)(*args, **kwargs)(tw.tensor(x)),
               lambda: getattr(torch.nn, name)(*args, **kwargs)(torch.tensor(x)))


def test_instance_norm_warns_on_channel_mismatch_without_affine():
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        tw.nn.InstanceNorm1d(3)(tw.randn(2, 4, 5))


def test_conv_transpose_output_size_errors_match_torch():
    x = rand(1, 2, 3, 3)
    for size in ([9, 9], [5], [1, 1, 5, 5, 5]):
        same_error(lambda s=size: tw.nn.ConvTranspose2d(2, 2, 3, stride=2)(tw.tensor(x), s),
                   lambda s=size: torch.nn.ConvTranspose2d(2, 2, 3, stride=2).double()(
                       torch.tensor(x), s))


def test_embedding_from_pretrained_needs_2d():
    same_error(lambda: tw.nn.Embedding.from_pretrained(tw.zeros(3)),
               lambda: torch.nn.Embedding.from_pretrained(torch.zeros(3)))
