"""Order statistics, histograms and covariance (core/ops/statistics.py) against PyTorch:
values, dtypes, indices, gradients (float64), NaN behaviour and errors; and the same results
on every available device as on cpu."""

from __future__ import annotations

import numpy as np
import pytest
from _functional_oracle import compare

import tensorweave as tw

torch = pytest.importorskip("torch")

NAN = np.nan
RNG = np.random.default_rng(0)


def distinct(*shape):
    """Values without ties (so every index choice is unique)."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) + RNG.uniform(0, 0.5, n)).reshape(shape).astype(np.float64)


def with_ties(*shape, levels=3):
    return RNG.integers(0, levels, size=shape).astype(np.float64)


def with_nan(*shape):
    x = distinct(*shape)
    x[RNG.random(shape) < 0.3] = NAN
    return x


# -- median, nanmedian ----------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["median", "nanmedian"])
@pytest.mark.parametrize("x", [distinct(), distinct(5), distinct(3, 4), with_ties(3, 4),
                               with_ties(7, levels=2), with_nan(3, 4),
                               np.array([NAN, NAN, 1.0]), np.array([1.0, np.inf, np.inf])],
                         ids=["0-d", "1-d", "2-d", "ties", "ties-2", "nan", "two-nan", "inf"])
def test_median_of_all_elements_matches_torch_with_shared_gradient(fn, x):
    """No dim: the lower median; ties (and NaNs when it is NaN) share the gradient evenly."""
    compare(lambda t: getattr(tw, fn)(t), lambda t: getattr(torch, fn)(t), x)


@pytest.mark.parametrize("fn", ["median", "nanmedian"])
def test_median_of_nothing_is_nan(fn):
    """An empty float tensor has median NaN, as in PyTorch."""
    compare(lambda t: getattr(tw, fn)(t), lambda t: getattr(torch, fn)(t), np.zeros((0, 3)),
            grad=False)


@pytest.mark.parametrize("fn", ["median", "nanmedian"])
@pytest.mark.parametrize("x", [distinct(3, 5), with_ties(4, 6), with_ties(3, 30),
                               with_nan(4, 5), np.full((2, 3), NAN)],
                         ids=["distinct", "ties", "long-ties", "nan", "all-nan"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_median_along_dim_matches_torch_values_indices_and_gradient(fn, x, dim, keepdim):
    """With dim: (values, indices) as PyTorch's CPU kernel picks them, the gradient at the
    index; median gives the first NaN of a slice holding NaN, nanmedian skips NaN."""
    compare(lambda t: getattr(tw, fn)(t, dim, keepdim),
            lambda t: getattr(torch, fn)(t, dim, keepdim), x)


@pytest.mark.parametrize("fn", ["median", "nanmedian", "kthvalue", "mode"])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_selecting_functions_on_0d_and_empty_inputs_match_torch(fn, dim, keepdim):
    """A 0-d input is its own result (index 0); an empty non-reduced dim gives empty results."""
    args = (1,) if fn == "kthvalue" else ()
    compare(lambda t: getattr(tw, fn)(t, *args, dim, keepdim),
            lambda t: getattr(torch, fn)(t, *args, dim, keepdim), distinct())
    compare(lambda t: getattr(tw, fn)(t, *args, 1, keepdim),
            lambda t: getattr(torch, fn)(t, *args, 1, keepdim), np.zeros((0, 3)))


@pytest.mark.parametrize("fn", ["median", "nanmedian", "mode"])
def test_selecting_functions_on_integers_match_torch(fn):
    """Integer inputs keep their dtype; indices are int64."""
    x = RNG.integers(-3, 3, size=(4, 7))
    compare(lambda t: getattr(tw, fn)(t, 1), lambda t: getattr(torch, fn)(t, 1), x)
    if fn != "mode":
        compare(lambda t: getattr(tw, fn)(t), lambda t: getattr(torch, fn)(t), x)


def test_median_is_a_tensor_method_and_returns_a_named_tuple():
    x = tw.tensor([[1.0, 4.0, 2.0], [3.0, 0.0, 5.0]])
    r = x.median(dim=1)
    assert type(r).__name__ == "median" and r._fields == ("values", "indices")
    assert r.values.tolist() == [2.0, 3.0] and r.indices.tolist() == [2, 0]
    assert x.nanmedian().item() == 2.0


# -- kthvalue -------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue_matches_torch(k, dim, keepdim):
    """Distinct values: values, indices and gradients equal PyTorch's."""
    compare(lambda t: tw.kthvalue(t, k, dim, keepdim),
            lambda t: torch.kthvalue(t, k, dim, keepdim), distinct(4, 5))


def test_kthvalue_with_nan_treats_it_as_largest():
    x = np.array([[1.0, NAN, 2.0, NAN, 0.0]])
    for k in range(1, 6):
        compare(lambda t: tw.kthvalue(t, k), lambda t: torch.kthvalue(t, k), x)


def test_kthvalue_with_ties_gives_torchs_values_and_an_index_of_an_equal_element():
    """Ties: PyTorch's quickselect may name another occurrence; ours is the stable one, and
    its gradient lands there (the gradient's sum per slice is the same)."""
    x = with_ties(5, 9)
    for k in (1, 3, 5, 9):
        got, want = tw.kthvalue(tw.tensor(x), k), torch.kthvalue(torch.tensor(x), k)
        np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
        np.testing.assert_array_equal(np.take_along_axis(x, got.indices.numpy()[:, None], 1)[:, 0],
                                      want.values.numpy())
        stable = np.argsort(x, axis=1, kind="stable")[:, k - 1]
        np.testing.assert_array_equal(got.indices.numpy(), stable)


# -- mode -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_mode_matches_torch_on_short_slices(dim, keepdim):
    """Smallest most-frequent value, index of its last occurrence, gradient at that index."""
    compare(lambda t: tw.mode(t, dim, keepdim), lambda t: torch.mode(t, dim, keepdim),
            with_ties(6, 8, levels=4))


def test_mode_on_long_slices_gives_the_last_occurrence_of_the_smallest_most_frequent_value():
    """Long slices: values equal PyTorch's; the index is the last occurrence (a NumPy
    reference; PyTorch's unstable sort may name another one there)."""
    x = RNG.integers(0, 5, size=(6, 40))
    got, want = tw.mode(tw.tensor(x)), torch.mode(torch.tensor(x))
    np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
    last = [np.nonzero(row == v)[0].max() for row, v in zip(x, want.values.numpy())]
    np.testing.assert_array_equal(got.indices.numpy(), last)


def test_mode_of_bool_matches_torch():
    x = np.array([[True, False, True], [False, False, True]])
    compare(lambda t: tw.mode(t), lambda t: torch.mode(t), x)


# -- quantile, nanquantile ------------------------------------------------------------------------

INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_quantile_matches_torch_with_gradients_in_input_and_q(fn, interpolation, dim, keepdim):
    """1-D q (a leading dim), every interpolation; q's gradient too (linear only in torch)."""
    q = np.array([0.0, 0.1, 0.5, 0.75, 1.0])
    compare(lambda t, s: getattr(tw, fn)(t, s, dim, keepdim, interpolation=interpolation),
            lambda t, s: getattr(torch, fn)(t, s, dim, keepdim, interpolation=interpolation),
            distinct(4, 5), q)


@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
@pytest.mark.parametrize("x", [distinct(), distinct(6), with_ties(3, 6), with_nan(4, 5),
                               np.array([[NAN, NAN, 1.0], [NAN, NAN, NAN]])],
                         ids=["0-d", "1-d", "ties", "nan", "mostly-nan"])
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_quantile_of_float_q_and_nan_matches_torch(fn, x, interpolation):
    """Float and 0-d q; quantile propagates NaN, nanquantile ignores it (NaN if nothing else)."""
    dim = None if x.ndim < 2 else 1
    compare(lambda t: getattr(tw, fn)(t, 0.3, dim, interpolation=interpolation),
            lambda t: getattr(torch, fn)(t, 0.3, dim, interpolation=interpolation), x)
    compare(lambda t, s: getattr(tw, fn)(t, s, dim, True, interpolation=interpolation),
            lambda t, s: getattr(torch, fn)(t, s, dim, True, interpolation=interpolation),
            x, np.array(0.625))


def test_quantile_nearest_rounds_half_to_even_and_float32_stays_float32():
    x = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    q = np.array([0.5, 1 / 6, 5 / 6], dtype=np.float32)
    compare(lambda t, s: tw.quantile(t, s, interpolation="nearest"),
            lambda t, s: torch.quantile(t, s, interpolation="nearest"), x, q, atol=1e-6)
    compare(lambda t: tw.quantile(t, 0.4), lambda t: torch.quantile(t, 0.4), x, atol=1e-6)


# -- aminmax, msort -------------------------------------------------------------------------------

@pytest.mark.parametrize("x", [distinct(), distinct(3, 4), with_ties(3, 4)],
                         ids=["0-d", "2-d", "ties"])
@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_aminmax_matches_torch(x, dim, keepdim):
    """(min, max), ties sharing the gradient evenly."""
    if x.ndim == 0 and dim is not None and dim != 0 and dim != -1:
        return
    out = compare(lambda t: tw.aminmax(t, dim=dim, keepdim=keepdim),
                  lambda t: torch.aminmax(t, dim=dim, keepdim=keepdim), x)
    assert type(out).__name__ == "aminmax" and out._fields == ("min", "max")


def test_aminmax_of_integers_bool_and_empty_dims_matches_torch():
    compare(lambda t: tw.aminmax(t, dim=1), lambda t: torch.aminmax(t, dim=1),
            RNG.integers(-5, 5, size=(3, 4)))
    compare(lambda t: tw.aminmax(t), lambda t: torch.aminmax(t), np.array([True, False]))
    compare(lambda t: tw.aminmax(t, dim=1), lambda t: torch.aminmax(t, dim=1), np.zeros((0, 3)))


@pytest.mark.parametrize("x", [distinct(), distinct(5), distinct(4, 3), with_nan(4, 3),
                               np.zeros((0, 2))], ids=["0-d", "1-d", "2-d", "nan", "empty"])
def test_msort_matches_torch(x):
    compare(lambda t: tw.msort(t), lambda t: torch.msort(t), x)
    compare(lambda t: t.msort(), lambda t: t.msort(), x)


# -- cov, corrcoef --------------------------------------------------------------------------------

@pytest.mark.parametrize("x", [distinct(), distinct(5), distinct(3, 5), distinct(1, 4),
                               np.zeros((2, 0)), np.zeros((0, 3))],
                         ids=["0-d", "1-d", "2-d", "one-variable", "no-observations",
                              "no-variables"])
@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf * 0 in grads
def test_cov_matches_torch(x, correction):
    observations = x.shape[-1] if x.ndim else 1
    with pytest.warns(UserWarning) if observations <= correction else _no_warning():
        compare(lambda t: tw.cov(t, correction=correction),
                lambda t: torch.cov(t, correction=correction), x, grad=x.size > 0)


class _no_warning:
    def __enter__(self):
        import warnings
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)


@pytest.mark.parametrize("correction", [0, 1, 3])
def test_cov_with_frequency_and_importance_weights_matches_torch(correction):
    """fweights (int) and aweights (float, differentiable), alone and together."""
    x, fw, aw = distinct(3, 6), RNG.integers(0, 4, size=6) + np.eye(6, dtype=np.int64)[0], \
        RNG.uniform(0.1, 2.0, size=6)
    compare(lambda t, f: tw.cov(t, correction=correction, fweights=f),
            lambda t, f: torch.cov(t, correction=correction, fweights=f), x, fw)
    compare(lambda t, a: tw.cov(t, correction=correction, aweights=a),
            lambda t, a: torch.cov(t, correction=correction, aweights=a), x, aw)
    compare(lambda t, f, a: tw.cov(t, correction=correction, fweights=f, aweights=a),
            lambda t, f, a: torch.cov(t, correction=correction, fweights=f, aweights=a),
            x, fw, aw)


def test_cov_dtypes_follow_torch_promotion():
    """Integers give the default float; float32 data with float64 aweights give float64."""
    compare(lambda t: tw.cov(t), lambda t: torch.cov(t), RNG.integers(0, 9, size=(2, 5)),
            atol=1e-5, rtol=1e-5)
    compare(lambda t, f: tw.cov(t, fweights=f), lambda t, f: torch.cov(t, fweights=f),
            RNG.integers(0, 9, size=(2, 5)), np.array([1, 2, 1, 1, 3]), atol=1e-5, rtol=1e-5)
    compare(lambda t, a: tw.cov(t, aweights=a), lambda t, a: torch.cov(t, aweights=a),
            distinct(2, 5).astype(np.float32), RNG.uniform(0.5, 1.0, 5), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("x", [distinct(), distinct(5), distinct(3, 5), distinct(1, 4),
                               np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]])],
                         ids=["0-d", "1-d", "2-d", "one-variable", "constant-row"])
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is:UserWarning")  # 0-d, as torch
def test_corrcoef_matches_torch(x):
    compare(lambda t: tw.corrcoef(t), lambda t: torch.corrcoef(t), x)
    compare(lambda t: t.corrcoef(), lambda t: t.corrcoef(), x)


def test_corrcoef_of_integers_matches_torch():
    compare(lambda t: tw.corrcoef(t), lambda t: torch.corrcoef(t),
            RNG.integers(0, 9, size=(3, 6)), atol=1e-6)


# -- histc, bincount ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histc_matches_torch_with_values_on_bin_edges(dtype):
    """Values on the edges (exact multiples of the width, the ends) land in torch's bins."""
    x = np.concatenate([np.arange(11.0), RNG.uniform(-1, 11, 200),
                        RNG.integers(0, 31, 50) / 3]).astype(dtype)
    for bins, lo, hi in [(3, 0, 10), (10, 0, 10), (7, 0.1, 9.7), (100, 0, 0), (4, 2.5, 2.5),
                         (13, -1.3, 12.1)]:
        compare(lambda t: tw.histc(t, bins, lo, hi), lambda t: torch.histc(t, bins, lo, hi),
                x.copy(), grad=False)


@pytest.mark.parametrize("x", [np.array([1.0, 1.0]), np.array(2.0), np.zeros(0),
                               np.array([[1.0, 2.0], [3.0, 3.0]]),
                               np.array([1.0, 2, 1, 4, 2.5, 0, -1, NAN, np.inf])],
                         ids=["one-value", "0-d", "empty", "2-d", "nan-inf-outside-range"])
def test_histc_special_inputs_match_torch(x):
    lo, hi = (0, 4) if x.size > 4 else (0, 0)
    compare(lambda t: tw.histc(t, 4, lo, hi), lambda t: torch.histc(t, 4, lo, hi), x,
            grad=False)
    assert not tw.histc(tw.tensor(x, requires_grad=True), 4, lo, hi).requires_grad


@pytest.mark.parametrize("minlength", [0, 2, 7])
def test_bincount_matches_torch(minlength):
    x = RNG.integers(0, 5, size=12)
    compare(lambda t: tw.bincount(t, minlength=minlength),
            lambda t: torch.bincount(t, minlength=minlength), x)
    compare(lambda t: tw.bincount(t, minlength=minlength),
            lambda t: torch.bincount(t, minlength=minlength), x.astype(np.uint8))
    compare(lambda t: tw.bincount(t, minlength=minlength),
            lambda t: torch.bincount(t, minlength=minlength), np.zeros(0, dtype=np.int64))


@pytest.mark.parametrize("weights", [np.float32, np.float64, np.int64, np.bool_])
def test_bincount_weight_dtypes_match_torch(weights):
    """float32 weights sum in float32, every other dtype in float64."""
    x = RNG.integers(0, 5, size=9)
    w = RNG.uniform(0, 3, size=9).astype(weights)
    compare(lambda t, v: tw.bincount(t, v), lambda t, v: torch.bincount(t, v), x, w,
            grad=False, atol=1e-6)


# -- errors ---------------------------------------------------------------------------------------

def _raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


def test_selecting_functions_refuse_what_torch_refuses():
    x, e = tw.tensor([3.0, 1.0, 2.0]), tw.zeros(0, 3)
    _raises(IndexError, r"median\(\): Expected reduction dim 0 to have non-zero size", tw.median,
            e, 0)
    _raises(IndexError, "out of range", tw.median, e, 2)
    _raises(IndexError, r"mode\(\): Expected reduction dim 0", tw.mode, e, 0)
    _raises(IndexError, r"kthvalue\(\): Expected reduction dim 0", tw.kthvalue, e, 1, 0)
    _raises(RuntimeError, r"kthvalue\(\): selected number k out of range for dimension 0; got "
            r"k=4 for a dim of size 3. Choose 1 <= k <= 3", tw.kthvalue, x, 4)
    _raises(RuntimeError, "selected number k out of range", tw.kthvalue, x, 0)
    _raises(TypeError, r"kthvalue\(\): argument 'k' \(position 2\) must be int, not float",
            tw.kthvalue, x, 1.5)
    _raises(NotImplementedError, r"median\(\): bool tensors are not supported", tw.median,
            tw.tensor([True, False]))
    _raises(NotImplementedError, r"nanmedian\(\): bool", tw.nanmedian, tw.tensor([True]), 0)
    _raises(RuntimeError, r"median\(\): the median of an empty int64 tensor is undefined",
            tw.median, tw.zeros(0, dtype=tw.int64))


def test_quantile_refuses_what_torch_refuses():
    x = tw.tensor([[1.0, 2.0], [3.0, 4.0]])
    for fn in ("quantile", "nanquantile"):
        f = getattr(tw, fn)
        _raises(RuntimeError, rf"{fn}\(\) input tensor must be either float or double dtype; "
                "got int64", f, tw.tensor([1, 2]), 0.5)
        _raises(RuntimeError, rf"{fn}\(\) q must be in the range \[0, 1\] but got 1.5", f, x, 1.5)
        _raises(RuntimeError, rf"{fn}\(\) q values must be in the range \[0, 1\]", f, x,
                tw.tensor([0.5, -0.5]))
        _raises(RuntimeError, rf"{fn}\(\) q must be a scalar or 1D tensor", f, x,
                tw.tensor([[0.5]]))
        _raises(RuntimeError, rf"{fn}\(\) q tensor must be same dtype as the input tensor", f,
                x, tw.tensor([0.5], dtype=tw.float64))
        _raises(RuntimeError, rf"{fn}\(\) interpolation must be one of linear, lower, higher, "
                "midpoint or nearest, but got foo", f, x, 0.5, interpolation="foo")
        _raises(RuntimeError, rf"{fn}\(\) input tensor must be non-empty", f, tw.zeros(0, 3),
                0.5, 1)
        _raises(IndexError, "out of range", f, x, 0.5, 2)
        _raises(TypeError, "argument 'q' must be a float or a Tensor, not list", f, x, [0.5])


def test_aminmax_and_cov_refuse_what_torch_refuses():
    e = tw.zeros(0, 3)
    _raises(RuntimeError, r"aminmax\(\): cannot compute aminmax over an empty dimension",
            tw.aminmax, e)
    _raises(IndexError, r"aminmax\(\): Expected reduction dim 0", tw.aminmax, e, dim=0)
    x = tw.tensor([[1.0, 5.0, 2.0], [3.0, 1.0, 3.0]])
    _raises(RuntimeError, r"cov\(\): expected input to have two or fewer dimensions but got "
            "an input with 3 dimensions", tw.cov, tw.zeros(2, 3, 4))
    _raises(RuntimeError, r"corrcoef\(\): expected input to have two or fewer dimensions",
            tw.corrcoef, tw.zeros(2, 3, 4))
    _raises(RuntimeError, r"cov\(\): bool dtype is not supported", tw.cov, tw.tensor([True]))
    _raises(TypeError, r"cov\(\): argument 'correction' must be int, not float", tw.cov, x,
            correction=1.5)
    _raises(RuntimeError, "expected fweights to have integral dtype but got fweights with "
            "float32 dtype", tw.cov, x, fweights=tw.tensor([1.0, 2.0, 1.0]))
    _raises(RuntimeError, "expected aweights to have floating point dtype but got aweights "
            "with int64 dtype", tw.cov, x, aweights=tw.tensor([1, 2, 1]))
    _raises(RuntimeError, "expected aweights to have one or fewer dimensions but got aweights "
            "with 2 dimensions", tw.cov, x, aweights=tw.tensor([[1.0, 2.0, 1.0]]))
    _raises(RuntimeError, "expected fweights to have the same numel as there are observations "
            "in the input but got 2 != 3", tw.cov, x, fweights=tw.tensor([1, 2]))
    _raises(RuntimeError, r"cov\(\): fweights cannot be negative", tw.cov, x,
            fweights=tw.tensor([1, -2, 1]))
    _raises(RuntimeError, r"cov\(\): aweights cannot be negative", tw.cov, x,
            fweights=tw.tensor([1, 2, 1]), aweights=tw.tensor([1.0, -2.0, 1.0]))
    _raises(RuntimeError, r"cov\(\): weights sum to zero, can't be normalized", tw.cov, x,
            fweights=tw.tensor([0, 0, 0]))
    with pytest.warns(UserWarning, match=r"cov\(\): degrees of freedom is <= 0"):
        tw.cov(x, fweights=tw.tensor([1, 1, 1]), correction=3)


def test_histc_and_bincount_refuse_what_torch_refuses():
    x = tw.tensor([1.0, 2.0])
    _raises(RuntimeError, r"histc\(\): bins must be > 0, but got 0", tw.histc, x, 0)
    _raises(TypeError, r"histc\(\): argument 'bins' \(position 2\) must be int, not float",
            tw.histc, x, 2.5)
    _raises(RuntimeError, r"histc\(\): max must be larger than min; got min=3.0, max=1.0",
            tw.histc, x, 4, 3, 1)
    _raises(RuntimeError, r"histc\(\): range of \[nan, 1.0\] is not finite", tw.histc, x, 4,
            float("nan"), 1)
    _raises(RuntimeError, r"histc\(\): range of \[1.0, inf\] is not finite", tw.histc,
            tw.tensor([1.0, float("inf")]))
    _raises(NotImplementedError, r"histc\(\): expected a floating-point input; got int64",
            tw.histc, tw.tensor([1, 2]))
    _raises(RuntimeError, "bincount only supports 1-d non-negative integral inputs; got a value "
            "-1", tw.bincount, tw.tensor([1, -1]))
    _raises(RuntimeError, r"bincount only supports 1-d non-negative integral inputs; got a "
            r"tensor of shape \[1, 2\]", tw.bincount, tw.tensor([[1, 2]]))
    _raises(NotImplementedError, r"bincount\(\): expected an integer input; got float32",
            tw.bincount, x)
    _raises(NotImplementedError, r"bincount\(\): expected an integer input; got bool",
            tw.bincount, tw.tensor([True]))
    _raises(RuntimeError, r"bincount\(\): minlength should be >= 0; got -1", tw.bincount,
            tw.tensor([1]), minlength=-1)
    _raises(RuntimeError, r"bincount\(\): weights should be 1-d and have the same length as "
            "input", tw.bincount, tw.tensor([1, 2, 3]), tw.tensor([1.0, 2.0]))


# -- every device ---------------------------------------------------------------------------------

CASES = {
    "median": lambda t: tw.median(t),
    "median-dim": lambda t: tw.median(t, 1, True),
    "nanmedian-dim": lambda t: tw.nanmedian(t, 0),
    "kthvalue": lambda t: tw.kthvalue(t, 2, -1),
    "mode": lambda t: tw.mode(t.round(), 1),
    "quantile": lambda t: tw.quantile(t, tw.tensor([0.2, 0.9], dtype=t.dtype, device=t.device),
                                      1, interpolation="linear"),
    "nanquantile-nearest": lambda t: tw.nanquantile(t, 0.4, 0, interpolation="nearest"),
    "aminmax": lambda t: tw.aminmax(t, dim=0),
    "msort": lambda t: tw.msort(t),
    "cov": lambda t: tw.cov(t, aweights=t[0].abs()),
    "corrcoef": lambda t: tw.corrcoef(t),
    "histc": lambda t: tw.histc(t, 5),
    "bincount": lambda t: tw.bincount((t.abs() * 2).long().reshape(-1),
                                      t.reshape(-1).abs()),
}


@pytest.mark.parametrize("case", list(CASES))
def test_statistics_on_every_device_equal_cpu(device, case):
    """Forward values and input gradients on ``device`` equal cpu's."""
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    x[1, 2] = np.nan if "nan" in case else x[1, 2]
    results = []
    for dev in ("cpu", device):
        t = tw.tensor(x, device=dev, requires_grad=True)
        out = CASES[case](t)
        outs = list(out) if isinstance(out, tuple) else [out]
        floats = [o for o in outs if o.requires_grad]
        if floats:
            tw.autograd.backward(floats, [tw.ones_like(o) for o in floats])
        grad = None if t.grad is None else t.grad.cpu().numpy()
        results.append(([o.detach().cpu().numpy() for o in outs], grad))
    (want, want_grad), (got, got_grad) = results
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
    if want_grad is not None:
        np.testing.assert_allclose(got_grad, want_grad, rtol=1e-5, atol=1e-5)
