"""Randomness: seeding, Generator objects, random ops' laws, dtypes, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.conformance import runner
from tensorweave.ops._opdef import COMPOSITE, defop


def _np(t):
    return t.detach().cpu().numpy()


def _same(a, b):
    return np.array_equal(_np(a), _np(b))


# -- seeding and generators ---------------------------------------------------------------------


def test_manual_seed_reproduces_every_random_op(device):
    def draw():
        return [tw.rand(3, device=device), tw.randn(3, device=device),
                tw.randint(0, 100, (3,), device=device), tw.randperm(5, device=device),
                tw.normal(tw.zeros(3, device=device), 1.0),
                tw.bernoulli(tw.full((8,), 0.5, device=device)),
                tw.multinomial(tw.ones(5, device=device), 3)]

    tw.manual_seed(7)
    a = draw()
    tw.manual_seed(7)
    b = draw()
    assert all(_same(x, y) for x, y in zip(a, b))
    tw.manual_seed(8)
    assert not _same(a[0], tw.rand(3, device=device))


def test_manual_seed_returns_default_generator_and_sets_initial_seed():
    g = tw.manual_seed(123)
    assert isinstance(g, tw.Generator)
    assert g.initial_seed() == 123 and tw.initial_seed() == 123
    assert tw.manual_seed(-1).initial_seed() == 2 ** 64 - 1  # negatives wrap, as PyTorch's


def test_seed_errors():
    with pytest.raises(RuntimeError, match=r"manual_seed: seed must be in \[-2\*\*63, "
                                           r"2\*\*64 - 1\]; got 18446744073709551616"):
        tw.manual_seed(2 ** 64)
    with pytest.raises(TypeError, match="manual_seed: seed must be an int; got str"):
        tw.manual_seed("x")


def test_seed_is_nondeterministic_and_recorded():
    s1, s2 = tw.seed(), tw.seed()
    assert s1 != s2 and 0 <= s2 < 2 ** 64
    assert tw.initial_seed() == s2


def test_new_generator_defaults_like_pytorch():
    g = tw.Generator()
    assert g.initial_seed() == 67280421310721
    assert g.device == tw.device("cpu")
    assert _same(tw.rand(4, generator=g), tw.rand(4, generator=tw.Generator()))


def test_generator_is_independent_of_default_stream(device):
    g = tw.Generator(device=device)
    tw.manual_seed(0)
    a = tw.rand(5, device=device)
    tw.manual_seed(0)
    tw.randn(10, generator=g, device=device)
    assert _same(a, tw.rand(5, device=device))


def test_generator_seed_methods(device):
    g = tw.Generator(device=device)
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    a = tw.rand(4, generator=g, device=device)
    assert _same(a, tw.rand(4, generator=g.manual_seed(5), device=device))
    s = g.seed()
    assert g.initial_seed() == s


def test_generator_state_roundtrip(device):
    g = tw.Generator(device=device).manual_seed(3)
    tw.rand(2, generator=g, device=device)
    state = g.get_state()
    assert state.dtype is tw.uint8 and state.device == tw.device("cpu") and state.ndim == 1
    a = tw.randn(6, generator=g, device=device)
    assert g.set_state(state) is g
    assert _same(a, tw.randn(6, generator=g, device=device))


def test_global_rng_state_roundtrip():
    state = tw.get_rng_state()
    a = tw.rand(5)
    tw.set_rng_state(state)
    assert _same(a, tw.rand(5))


def test_set_state_errors():
    g = tw.Generator()
    with pytest.raises(TypeError, match="set_state: RNG state must be a tensorweave.uint8 "
                                        "tensor .*got a tensorweave.float32 tensor"):
        g.set_state(tw.zeros(3))
    with pytest.raises(TypeError, match="got list"):
        tw.set_rng_state([1, 2])
    with pytest.raises(RuntimeError, match="set_state: not a valid RNG state for a 'cpu' "
                                           "generator"):
        g.set_state(tw.tensor([1, 2, 3], dtype=tw.uint8))


def test_generator_argument_errors():
    with pytest.raises(TypeError, match="rand: generator must be a tensorweave.Generator; got "
                                        "int"):
        tw.rand(2, generator=0)


# -- shapes, dtypes, laws -------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [tw.rand, tw.randn])
def test_float_factories_shapes_and_dtypes(fn, device):
    assert fn(2, 3, device=device).dtype is tw.float32
    assert fn((2, 3), device=device).shape == (2, 3)
    assert fn(size=(4,), device=device).shape == (4,)
    assert fn(device=device).shape == ()
    assert fn(2, dtype=tw.float64, device=device).dtype is tw.float64
    assert fn(2, dtype=tw.float16, device=device).dtype is tw.float16
    t = fn(2, requires_grad=True, device=device)
    assert t.requires_grad and t.is_leaf


@pytest.mark.parametrize("fn", [tw.rand, tw.randn])
def test_float_factories_refuse_integer_dtypes(fn):
    with pytest.raises(RuntimeError, match=f"{fn.name}: not implemented for tensorweave.int64; "
                                           "random floats need a floating dtype"):
        fn(2, dtype=tw.int64)


@pytest.mark.parametrize("dtype", [tw.float16, tw.float32, tw.float64])
def test_rand_law(dtype, device):
    tw.manual_seed(0)
    x = _np(tw.rand(200_000, dtype=dtype, device=device)).astype(np.float64)
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 5 * math.sqrt(1 / 12 / x.size)
    assert abs(x.var() - 1 / 12) < 0.005


def test_randn_law(device):
    tw.manual_seed(0)
    x = _np(tw.randn(200_000, dtype=tw.float64, device=device))
    assert abs(x.mean()) < 5 / math.sqrt(x.size)
    assert abs(x.std() - 1) < 0.01
    assert abs(np.mean(np.abs(x) < 1) - 0.6827) < 0.01


def test_randint_forms_and_range(device):
    tw.manual_seed(0)
    x = tw.randint(3, 10, (10_000,), device=device)
    assert x.dtype is tw.int64
    v = _np(x)
    assert v.min() == 3 and v.max() == 9
    np.testing.assert_allclose(np.bincount(v)[3:] / v.size, 1 / 7, atol=0.02)
    assert _np(tw.randint(2, size=(50,))).max() <= 1
    y = tw.randint(5, (2, 3), device=device)
    assert y.shape == (2, 3) and _np(y).min() >= 0 and _np(y).max() < 5
    assert tw.randint(0, 4, (3,), dtype=tw.float32).dtype is tw.float32
    assert tw.randint(0, 2, (3,), dtype=tw.bool).dtype is tw.bool


def test_randint_errors():
    with pytest.raises(RuntimeError, match="randint: expects 'low' to be less than 'high', but "
                                           "got low=5 >= high=5"):
        tw.randint(5, 5, (2,))
    with pytest.raises(RuntimeError, match=r"randint: the range \[0, 300\) does not fit in "
                                           r"tensorweave.uint8, which holds \[0, 255\]"):
        tw.randint(0, 300, (2,), dtype=tw.uint8)
    with pytest.raises(TypeError, match="randint: missing the size argument"):
        tw.randint(5)


def test_randperm(device):
    p = tw.randperm(50, device=device)
    assert p.dtype is tw.int64
    np.testing.assert_array_equal(np.sort(_np(p)), np.arange(50))
    assert tw.randperm(0).shape == (0,)
    assert tw.randperm(4, dtype=tw.float32).dtype is tw.float32
    with pytest.raises(RuntimeError, match="randperm: n must be non-negative; got -1"):
        tw.randperm(-1)
    with pytest.raises(RuntimeError, match="randperm: n is too large for result tensor type "
                                           "tensorweave.uint8; got n=300"):
        tw.randperm(300, dtype=tw.uint8)


def test_normal_forms(device):
    mean = tw.arange(4.0, device=device)
    std = tw.full((4,), 0.0, device=device)
    np.testing.assert_array_equal(_np(tw.normal(mean, std)), [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(_np(tw.normal(mean, 0.0)), [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(_np(tw.normal(2.0, std)), [2.0] * 4)
    np.testing.assert_array_equal(_np(tw.normal(2.0, 0.0, (2,), device=device)), [2.0, 2.0])
    assert tw.normal(tw.zeros(3, 1, device=device), tw.ones(4, device=device)).shape == (3, 4)
    assert tw.normal(tw.zeros(2, dtype=tw.float64), 1.0).dtype is tw.float64
    assert tw.normal(0.0, 1.0, (2,), dtype=tw.float64).dtype is tw.float64


def test_normal_law():
    tw.manual_seed(1)
    x = _np(tw.normal(tw.full((100_000,), 3.0), tw.full((100_000,), 2.0)))
    assert abs(x.mean() - 3.0) < 5 * 2 / math.sqrt(x.size)
    assert abs(x.std() - 2.0) < 0.03


def test_normal_is_not_differentiable():
    mean = tw.zeros(3, requires_grad=True)
    out = tw.normal(mean, 1.0)
    assert not out.requires_grad and out.grad_fn is None


def test_normal_errors():
    with pytest.raises(RuntimeError, match="normal: normal expects std >= 0.0, but found std "
                                           "-1.0"):
        tw.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        tw.normal(tw.zeros(2), tw.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="normal: with a number mean and std, pass size="):
        tw.normal(0.0, 1.0)
    with pytest.raises(RuntimeError, match="normal: expects floating point mean and std; got "
                                           "tensorweave.int64"):
        tw.normal(tw.zeros(2, dtype=tw.int64), tw.ones(2, dtype=tw.int64))


def test_bernoulli(device):
    p = tw.tensor([0.0, 1.0, 0.0, 1.0], device=device)
    out = tw.bernoulli(p)
    assert out.dtype is tw.float32
    np.testing.assert_array_equal(_np(out), [0.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(_np(p.bernoulli()), [0.0, 1.0, 0.0, 1.0])
    tw.manual_seed(0)
    x = _np(tw.bernoulli(tw.zeros(100_000, device=device), 0.3))
    assert set(np.unique(x)) <= {0.0, 1.0}
    assert abs(x.mean() - 0.3) < 5 * math.sqrt(0.21 / x.size)
    with pytest.raises(RuntimeError, match=r"bernoulli: expects 0 <= p <= 1"):
        tw.bernoulli(tw.tensor([1.5]))
    with pytest.raises(RuntimeError, match="bernoulli: expects a floating point input; got "
                                           "tensorweave.int64"):
        tw.bernoulli(tw.tensor([1]))


def test_multinomial_with_replacement_follows_the_weights(device):
    tw.manual_seed(0)
    w = tw.tensor([[1.0, 0.0, 3.0], [0.0, 1.0, 0.0]], device=device)
    x = tw.multinomial(w, 20_000, replacement=True)
    assert x.dtype is tw.int64 and x.shape == (2, 20_000)
    v = _np(x)
    np.testing.assert_allclose(np.bincount(v[0], minlength=3) / v.shape[1], [0.25, 0, 0.75],
                               atol=0.015)
    assert np.all(v[1] == 1)


def test_multinomial_without_replacement(device):
    tw.manual_seed(0)
    w = tw.tensor([1.0, 0.0, 2.0, 5.0, 1.0], device=device)
    for _ in range(20):
        v = _np(tw.multinomial(w, 4))
        assert len(set(v.tolist())) == 4 and 1 not in v
    x = tw.tensor([1.0, 2.0]).multinomial(2)
    assert sorted(_np(x).tolist()) == [0, 1]


def test_multinomial_errors():
    with pytest.raises(RuntimeError, match="multinomial: prob_dist must be 1 or 2 dim; got 3"):
        tw.multinomial(tw.ones(2, 2, 2), 1)
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        tw.multinomial(tw.ones(3), 4)
    with pytest.raises(RuntimeError, match="not enough non-negative category to sample"):
        tw.multinomial(tw.tensor([1.0, 0.0, 1.0]), 3)
    with pytest.raises(RuntimeError, match=r"sum of probabilities <= 0"):
        tw.multinomial(tw.zeros(3), 1, True)
    with pytest.raises(RuntimeError, match="contains either `inf`, `nan` or element < 0"):
        tw.multinomial(tw.tensor([1.0, -1.0]), 1)
    with pytest.raises(RuntimeError, match="cannot sample n_sample <= 0 samples"):
        tw.multinomial(tw.ones(3), 0)


def test_like_variants(device):
    x = tw.zeros(2, 3, dtype=tw.float64, device=device)
    assert tw.rand_like(x).shape == (2, 3) and tw.rand_like(x).dtype is tw.float64
    assert tw.randn_like(x, dtype=tw.float32).dtype is tw.float32
    r = tw.randint_like(x, 4)
    assert r.dtype is tw.float64 and r.device == x.device
    assert _np(r).min() >= 0 and _np(r).max() <= 3
    r = _np(tw.randint_like(tw.zeros(1000, dtype=tw.int64), 5, 7))
    assert set(np.unique(r)) == {5, 6}


# -- in-place methods ---------------------------------------------------------------------------


def test_inplace_fillers_return_self_and_bump_version(device):
    x = tw.zeros(10_000, device=device)
    for fill in (lambda t: t.uniform_(2.0, 3.0), lambda t: t.normal_(1.0, 0.5),
                 lambda t: t.exponential_(2.0), lambda t: t.bernoulli_(0.5),
                 lambda t: t.random_(5)):
        v = x._version
        assert fill(x) is x and x._version == v + 1
    assert x.dtype is tw.float32


def test_inplace_laws():
    tw.manual_seed(0)
    x = tw.empty(100_000, dtype=tw.float64)
    u = _np(x.uniform_(2.0, 3.0)).copy()
    assert u.min() >= 2 and u.max() < 3 and abs(u.mean() - 2.5) < 0.005
    n = _np(x.normal_(1.0, 0.5)).copy()
    assert abs(n.mean() - 1.0) < 0.01 and abs(n.std() - 0.5) < 0.01
    e = _np(x.exponential_(2.0)).copy()
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.01 and abs(e.std() - 0.5) < 0.01
    b = _np(x.bernoulli_(tw.full((100_000,), 0.2, dtype=tw.float64))).copy()
    assert set(np.unique(b)) == {0.0, 1.0} and abs(b.mean() - 0.2) < 0.01


def test_random_ranges():
    tw.manual_seed(0)
    v = _np(tw.empty(10_000, dtype=tw.int64).random_(3, 6))
    assert set(np.unique(v)) == {3, 4, 5}
    v = _np(tw.empty(10_000, dtype=tw.uint8).random_())
    assert v.min() == 0 and v.max() == 255
    v = _np(tw.empty(10_000, dtype=tw.float32).random_())
    assert v.min() >= 0 and v.max() <= 2 ** 24 and np.all(v == np.round(v))
    v = _np(tw.empty(1000, dtype=tw.bool).random_())
    assert set(np.unique(v)) == {False, True}
    v = _np(tw.empty(1000, dtype=tw.int8).random_(-3, None))
    assert v.min() >= -3 and v.max() <= 127


def test_inplace_errors():
    with pytest.raises(RuntimeError, match="uniform_: expects to return a \\[from, to\\) range, "
                                           "but found from=2 > to=1"):
        tw.zeros(2).uniform_(2, 1)
    with pytest.raises(RuntimeError, match="normal_: not implemented for tensorweave.int64"):
        tw.zeros(2, dtype=tw.int64).normal_()
    with pytest.raises(RuntimeError, match="exponential_: expects lambda > 0.0, but found "
                                           "lambda=0"):
        tw.zeros(2).exponential_(0)
    with pytest.raises(RuntimeError, match="bernoulli_: expects 0 <= p <= 1"):
        tw.zeros(2).bernoulli_(2.0)
    with pytest.raises(RuntimeError, match="random_: expects 'low' to be less than 'high'"):
        tw.zeros(2).random_(3, 3)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        tw.zeros(2, requires_grad=True).uniform_()
    w = tw.zeros(2, requires_grad=True)
    with tw.no_grad():
        w.normal_()  # how parameter initializers run
    assert w.requires_grad and w.is_leaf


def test_inplace_with_generator_reproduces():
    g = tw.Generator()
    a = tw.empty(5).uniform_(generator=g.manual_seed(9))
    b = tw.empty(5).uniform_(generator=g.manual_seed(9))
    assert _same(a, b)


# -- the conformance check for random ops -------------------------------------------------------


def _biased_rand(size, dtype, device, generator):
    return tw.random.rand.bind(size=size, dtype=dtype, device=device, generator=generator) * 0.97


@defop(COMPOSITE, decomp=_biased_rand, random=True, method=False, differentiable=False,
       dtypes=(tw.float64,), ref=tw.random.rand.ref, samples=tw.random.rand.samples)
def biased_rand(size, *, dtype=None, device=None, generator=None):
    """A deliberately wrong rand: its mean is 0.485."""
    dev = tw.device(device or "cpu")
    return biased_rand.bind(size=tuple(size), dtype=tw.float64, device=dev,
                            generator=tw.random._native("biased_rand", generator, dev))


def test_check_random_passes_real_ops_and_catches_a_biased_one():
    assert all(r.passed for r in runner.check_random(tw.random.rand, "cpu", tw.float64))
    bad = [r for r in runner.check_random(biased_rand, "cpu", tw.float64) if not r.passed]
    assert len(bad) == 1 and "standard errors from 0.5" in bad[0].detail


def test_random_ops_are_marked_and_excluded_from_backward():
    for name in ("rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial"):
        op = tw.get_registry().ops[name]
        assert op.random and not op.differentiable
