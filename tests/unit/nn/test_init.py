"""`tensorweave.nn.init`: gains, fans and errors against PyTorch; distributions against
their analytic bounds and moments.

Statistical checks use a fixed seed and thresholds whose false-alarm probability for a
correct sampler is below 1e-6 each: a sample mean must lie within 5 standard errors
(two-sided normal tail 5.7e-7), and the extremes of N uniform draws on [-b, b] must
reach past b(1 - delta) with (1 - delta/2)^N < 1e-8.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.nn import init

N = 40_000  # draws per statistical check
Z = 5.0  # standard errors allowed for a sample moment
DELTA = 1e-3  # (1 - DELTA / 2) ** N = 2e-9


def _values(t: tw.Tensor) -> np.ndarray:
    return t.detach().numpy().astype(np.float64).ravel()


def _check_uniform(x: np.ndarray, bound: float) -> None:
    """Draws from U(-bound, bound): inside, reaching both ends, mean 0, E[x^2] = b^2/3."""
    assert x.min() >= -bound and x.max() <= bound
    assert x.max() > bound * (1 - DELTA) and x.min() < -bound * (1 - DELTA)
    n = x.size
    assert abs(x.mean()) < Z * bound / math.sqrt(3 * n)
    # Var(x^2) = E[x^4] - E[x^2]^2 = b^4 (1/5 - 1/9)
    assert abs((x**2).mean() - bound**2 / 3) < Z * bound**2 * math.sqrt(4 / 45 / n)


def _check_normal(x: np.ndarray, mean: float, std: float) -> None:
    """Draws from N(mean, std^2): sample mean and E[(x - mean)^2] (variance 2 std^4)."""
    n = x.size
    assert abs(x.mean() - mean) < Z * std / math.sqrt(n)
    assert abs(((x - mean) ** 2).mean() - std**2) < Z * std**2 * math.sqrt(2 / n)


def _gen(seed: int = 0) -> tw.Generator:
    return tw.Generator().manual_seed(seed)


# -- gains and fans ------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("conv_transpose3d",), ("sigmoid",),
                                  ("tanh",), ("relu",), ("leaky_relu",), ("leaky_relu", 0.2),
                                  ("leaky_relu", 3), ("selu",)])
def test_calculate_gain_matches_torch(args: tuple[Any, ...]) -> None:
    torch = pytest.importorskip("torch")
    assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


@pytest.mark.parametrize("args", [("softmax",), ("leaky_relu", True), ("leaky_relu", "x")])
def test_calculate_gain_errors_match_torch(args: tuple[Any, ...]) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as expected:
        torch.nn.init.calculate_gain(*args)
    with pytest.raises(ValueError) as got:
        init.calculate_gain(*args)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("shape", [(3, 5), (4, 2, 3), (6, 3, 2, 5), (2, 3, 1, 2, 2), (0, 4),
                                   (1,), ()])
def test_fan_in_and_fan_out_match_torch(shape: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    fans = torch.nn.init._calculate_fan_in_and_fan_out
    if len(shape) < 2:
        with pytest.raises(ValueError) as expected:
            fans(torch.empty(shape))
        with pytest.raises(ValueError) as got:
            init._calculate_fan_in_and_fan_out(tw.empty(shape))
        assert str(got.value) == str(expected.value)
        return
    assert init._calculate_fan_in_and_fan_out(tw.empty(shape)) == fans(torch.empty(shape))


def test_invalid_mode_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as expected:
        torch.nn.init.kaiming_uniform_(torch.empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError) as got:
        init.kaiming_uniform_(tw.empty(3, 4), mode="fan_avg")
    assert str(got.value) == str(expected.value)


# -- deterministic initializers ------------------------------------------------------------------

@pytest.mark.parametrize("name,shape,args", [
    ("constant_", (3, 4), (0.25,)), ("ones_", (2, 3), ()), ("zeros_", (5,), ()),
    ("eye_", (3, 5), ()), ("eye_", (4, 2), ()),
    ("dirac_", (4, 3, 3), ()), ("dirac_", (6, 2, 3, 4), (2,)), ("dirac_", (2, 3, 3, 3, 3), ()),
])
def test_deterministic_initializers_match_torch(name: str, shape: tuple[int, ...],
                                                args: tuple[Any, ...]) -> None:
    torch = pytest.importorskip("torch")
    expected = getattr(torch.nn.init, name)(torch.full(shape, 7.0), *args).numpy()
    t = tw.full(shape, 7.0)
    assert getattr(init, name)(t, *args) is t
    np.testing.assert_array_equal(t.numpy(), expected)


@pytest.mark.parametrize("call", [lambda m, fw: m.eye_(fw.empty(2, 3, 4)),
                                  lambda m, fw: m.dirac_(fw.empty(3, 3)),
                                  lambda m, fw: m.dirac_(fw.empty(3, 2, 2), 2),
                                  lambda m, fw: m.orthogonal_(fw.empty(3)),
                                  lambda m, fw: m.sparse_(fw.empty(3), 0.5)])
def test_shape_errors_match_torch(call: Callable[[Any, Any], Any]) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as expected:
        call(torch.nn.init, torch)
    with pytest.raises(ValueError) as got:
        call(init, tw)
    assert str(got.value) == str(expected.value)


def test_initializers_work_on_parameters_outside_autograd() -> None:
    w = tw.nn.Parameter(tw.empty(4, 3))
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_,
               init.orthogonal_, init.trunc_normal_, init.zeros_):
        out = fn(w)
        assert out is w and w.is_leaf and w.grad_fn is None and w.requires_grad
    assert type(w) is tw.nn.Parameter and float(w.abs().sum()) == 0.0


def test_zero_element_tensor_warns_like_torch() -> None:
    t = tw.empty(0, 3)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert init.kaiming_uniform_(t) is t
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert init.kaiming_normal_(t) is t


def test_deprecated_names_warn() -> None:
    t = tw.empty(2, 2)
    with pytest.warns(FutureWarning, match="`nn.init.constant` is now deprecated in favor of "
                                           "`nn.init.constant_`"):
        init.constant(t, 2.0)
    np.testing.assert_array_equal(t.numpy(), np.full((2, 2), 2.0))


# -- random initializers: bounds and moments -----------------------------------------------------

def test_uniform_bounds_and_moments() -> None:
    x = _values(init.uniform_(tw.empty(N), -0.5, 1.5, generator=_gen()))
    _check_uniform(x - 0.5, 1.0)


def test_normal_moments() -> None:
    _check_normal(_values(init.normal_(tw.empty(N), 2.0, 0.5, generator=_gen())), 2.0, 0.5)


@pytest.mark.parametrize("shape,kwargs", [
    ((200, 200), {}),
    ((100, 40, 3, 3), {"a": 0.2, "nonlinearity": "leaky_relu"}),
    ((400, 100), {"mode": "fan_out", "nonlinearity": "relu"}),
    ((50, 20, 40), {"mode": "FAN_IN", "nonlinearity": "tanh"}),
])
def test_kaiming_uniform_bound(shape: tuple[int, ...], kwargs: dict[str, Any]) -> None:
    t = tw.empty(shape)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
    fan = fan_out if kwargs.get("mode") == "fan_out" else fan_in
    gain = init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0))
    bound = gain * math.sqrt(3.0 / fan)
    _check_uniform(_values(init.kaiming_uniform_(t, generator=_gen(1), **kwargs)), bound)


@pytest.mark.parametrize("shape,kwargs", [((200, 200), {}),
                                          ((60, 30, 5, 5), {"mode": "fan_out",
                                                            "nonlinearity": "relu"})])
def test_kaiming_normal_std(shape: tuple[int, ...], kwargs: dict[str, Any]) -> None:
    t = tw.empty(shape)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
    fan = fan_out if kwargs.get("mode") == "fan_out" else fan_in
    std = init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), 0) / math.sqrt(fan)
    _check_normal(_values(init.kaiming_normal_(t, generator=_gen(2), **kwargs)), 0.0, std)


def test_xavier_bounds() -> None:
    t = tw.empty(150, 50, 3)
    bound = 0.5 * math.sqrt(6.0 / (50 * 3 + 150 * 3))
    _check_uniform(_values(init.xavier_uniform_(t, gain=0.5, generator=_gen(3))), bound)
    std = 2.0 * math.sqrt(2.0 / (50 * 3 + 150 * 3))
    _check_normal(_values(init.xavier_normal_(t, gain=2.0, generator=_gen(4))), 0.0, std)


def _truncnorm_moments(mean: float, std: float, a: float, b: float) -> tuple[float, float]:
    """Mean and variance of N(mean, std^2) truncated to [a, b] (textbook formulas)."""
    alpha, beta = (a - mean) / std, (b - mean) / std

    def pdf(z: float) -> float:
        return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

    def cdf(z: float) -> float:
        return (1 + math.erf(z / math.sqrt(2))) / 2

    mass = cdf(beta) - cdf(alpha)
    m = mean + std * (pdf(alpha) - pdf(beta)) / mass
    var = std**2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / mass
                    - ((pdf(alpha) - pdf(beta)) / mass) ** 2)
    return m, var


@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0),  # redraw-from-normal path
                                          (0.0, 1.0, 1.0, 3.0),  # uniform-proposal path
                                          (0.5, 0.02, 0.49, 0.55)])
def test_trunc_normal_bounds_and_moments(mean: float, std: float, a: float, b: float) -> None:
    x = _values(init.trunc_normal_(tw.empty(N), mean, std, a, b, generator=_gen(5)))
    assert x.min() >= a and x.max() <= b
    m, var = _truncnorm_moments(mean, std, a, b)
    sd = math.sqrt(var)
    assert abs(x.mean() - m) < Z * sd / math.sqrt(N)
    # The sample variance's standard error is below sqrt(2 / N) * var for these light tails.
    assert abs(x.var() - var) < Z * var * math.sqrt(2 / N)


def test_trunc_normal_warns_for_a_far_mean() -> None:
    with pytest.warns(UserWarning, match="mean is more than 2 std from \\[a, b\\]"):
        init.trunc_normal_(tw.empty(10), mean=10.0, std=1.0, a=-1.0, b=1.0, generator=_gen())


@pytest.mark.parametrize("shape,gain", [((6, 6), 1.0), ((3, 8), 2.0), ((8, 3), 0.5),
                                        ((4, 2, 3, 3), math.sqrt(2.0))])
def test_orthogonal(shape: tuple[int, ...], gain: float) -> None:
    w = init.orthogonal_(tw.empty(shape), gain=gain, generator=_gen(6))
    m = w.detach().numpy().astype(np.float64).reshape(shape[0], -1)
    rows, cols = m.shape
    gram = m @ m.T if rows <= cols else m.T @ m
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), atol=1e-5)


def test_sparse_zeroes_a_fixed_count_per_column() -> None:
    w = init.sparse_(tw.empty(10, 300), sparsity=0.25, std=0.5, generator=_gen(7))
    x = w.numpy()
    assert ((x == 0).sum(axis=0) == math.ceil(0.25 * 10)).all()
    _check_normal(x[x != 0].astype(np.float64), 0.0, 0.5)


@pytest.mark.parametrize("fn,args", [(init.uniform_, ()), (init.normal_, ()),
                                     (init.trunc_normal_, ()), (init.xavier_uniform_, ()),
                                     (init.xavier_normal_, ()), (init.kaiming_uniform_, ()),
                                     (init.kaiming_normal_, ()), (init.orthogonal_, ()),
                                     (init.sparse_, (0.5,))])
def test_generator_makes_draws_reproducible(fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    a = _values(fn(tw.empty(8, 6), *args, generator=_gen(11)))
    b = _values(fn(tw.empty(8, 6), *args, generator=_gen(11)))
    c = _values(fn(tw.empty(8, 6), *args, generator=_gen(12)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    tw.manual_seed(3)
    d = _values(fn(tw.empty(8, 6), *args))
    tw.manual_seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(_values(fn(tw.empty(8, 6), *args)), d)


def test_initializers_keep_dtype_and_device(device: str) -> None:
    t = tw.empty(5, 4, dtype=tw.float64, device=device)
    for fn in (init.kaiming_uniform_, init.orthogonal_, init.trunc_normal_, init.eye_):
        assert fn(t) is t and t.dtype == tw.float64 and t.device == tw.device(device)
    np.testing.assert_array_equal(t.cpu().numpy(), np.eye(5, 4))
