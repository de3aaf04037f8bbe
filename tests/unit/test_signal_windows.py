"""`tensorweave.signal.windows` against ``torch.signal.windows``: values, dtypes,
signatures, ``requires_grad`` and errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from _raised import errors

import tensorweave as tw
from tensorweave.signal import windows

torch = pytest.importorskip("torch")
T = torch.signal.windows

# each window with a couple of values of its own parameters ({} is its defaults)
PARAMS = {
    "bartlett": [{}],
    "blackman": [{}],
    "cosine": [{}],
    "hamming": [{}],
    "hann": [{}],
    "nuttall": [{}],
    "exponential": [{}, {"tau": 0.5}, {"tau": 3.0}],
    "gaussian": [{}, {"std": 0.5}, {"std": 2.5}],
    "kaiser": [{}, {"beta": 0.0}, {"beta": 5.0}],
    "general_hamming": [{}, {"alpha": 0.3}, {"alpha": 0.5}],
    "general_cosine": [{"a": [0.46, 0.23, 0.31]}, {"a": (0.5, 0.5)}],
}
CASES = [(name, p) for name, ps in PARAMS.items() for p in ps]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'default'}" for name, p in CASES]
SIZES = [0, 1, 2, 5, 8, 11]


def _np(x: object) -> np.ndarray:
    return x.detach().numpy().astype(np.float64)  # type: ignore[attr-defined]


def _tw_text(message: str) -> str:
    """PyTorch's message with tensorweave's spelling of dtypes and layouts."""
    return message.replace("torch.", "tensorweave.")


def test_all_matches_torch() -> None:
    assert set(windows.__all__) == set(T.__all__)
    assert all(callable(getattr(windows, name)) for name in windows.__all__)
    from tensorweave import signal
    assert signal.__all__ == ["windows"] and signal.windows is windows


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_signature_matches_torch(name: str) -> None:
    got = inspect.signature(getattr(windows, name)).parameters
    want = inspect.signature(getattr(T, name)).parameters
    assert [(p.name, p.kind) for p in got.values()] == [(p.name, p.kind) for p in want.values()]
    for p in want.values():
        if p.name == "layout":
            assert got["layout"].default is tw.strided
        else:
            assert got[p.name].default == p.default, p.name


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
@pytest.mark.parametrize("sym", [True, False])
def test_float64_values_match_torch(name: str, params: dict, sym: bool) -> None:
    for M in SIZES:
        got = getattr(windows, name)(M, sym=sym, dtype=tw.float64, **params)
        want = getattr(T, name)(M, sym=sym, dtype=torch.float64, **params)
        assert got.dtype == tw.float64 and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(_np(got), want.numpy(), rtol=1e-12, atol=1e-15,
                                   err_msg=f"M={M}")


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
@pytest.mark.parametrize("sym", [True, False])
def test_float32_values_match_torch(name: str, params: dict, sym: bool) -> None:
    """tensorweave rounds the float64 window to float32 once, PyTorch computes it in float32:
    against PyTorch's float32 the values of order 1 differ by its rounding (a couple of
    float32 ulps, hence the small atol); against its float64 they agree to rtol 1e-6."""
    for M in SIZES:
        got = getattr(windows, name)(M, sym=sym, dtype=tw.float32, **params)
        want = getattr(T, name)(M, sym=sym, dtype=torch.float32, **params)
        exact = getattr(T, name)(M, sym=sym, dtype=torch.float64, **params)
        assert got.dtype == tw.float32 and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(_np(got), want.numpy(), rtol=1e-6, atol=2e-7,
                                   err_msg=f"M={M}")
        np.testing.assert_allclose(_np(got), exact.numpy(), rtol=1e-6, atol=1e-12,
                                   err_msg=f"M={M}")


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_default_dtype_and_small_sizes(name: str) -> None:
    params = PARAMS[name][0]
    fn = getattr(windows, name)
    assert fn(5, **params).dtype == tw.get_default_dtype()
    for sym in (True, False):
        assert fn(0, sym=sym, **params).shape == (0,)
        assert fn(1, sym=sym, **params).tolist() == [1.0]
    previous = tw.get_default_dtype()
    tw.set_default_dtype(tw.float64)
    try:
        assert fn(3, **params).dtype == tw.float64
    finally:
        tw.set_default_dtype(previous)


@pytest.mark.parametrize("M", [1, 2, 5, 8])
@pytest.mark.parametrize("center", [0.0, 2.0, -1.5])
def test_periodic_exponential_with_center_matches_torch(M: int, center: float) -> None:
    """An explicit centre moves the peak, so even the length-1 window is not [1.]."""
    got = windows.exponential(M, sym=False, center=center, tau=1.5, dtype=tw.float64)
    want = T.exponential(M, sym=False, center=center, tau=1.5, dtype=torch.float64)
    np.testing.assert_allclose(_np(got), want.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
@pytest.mark.parametrize("M", [0, 1, 5])
def test_requires_grad_gives_a_leaf(name: str, params: dict, M: int) -> None:
    got = getattr(windows, name)(M, dtype=tw.float64, requires_grad=True, **params)
    assert got.requires_grad and got.is_leaf
    want = getattr(T, name)(M, dtype=torch.float64, requires_grad=True, **params)
    assert want.requires_grad
    np.testing.assert_allclose(_np(got), want.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert not getattr(windows, name)(M, **params).requires_grad


def test_device_argument() -> None:
    for device in ("cpu", tw.device("cpu")):
        got = windows.kaiser(5, device=device, dtype=tw.float64)
        assert got.device == tw.device("cpu")
        np.testing.assert_allclose(_np(got), T.kaiser(5, dtype=torch.float64).numpy(),
                                   rtol=1e-12)
        assert windows.cosine(0, device=device).device == tw.device("cpu")


def _error_cases() -> list[tuple[str, tuple, dict, dict]]:
    """(name, args, tensorweave kwargs, torch kwargs) of calls that raise."""
    cases = []
    for name in sorted(PARAMS):
        params = PARAMS[name][0]
        cases += [
            (name, (-1,), params, params),
            (name, (-3,), {**params, "sym": False}, {**params, "sym": False}),
            (name, (5,), {**params, "dtype": tw.int64}, {**params, "dtype": torch.int64}),
            (name, (5,), {**params, "dtype": tw.float16}, {**params, "dtype": torch.float16}),
            (name, (0,), {**params, "dtype": tw.bool}, {**params, "dtype": torch.bool}),
            (name, (5,), {**params, "layout": None}, {**params, "layout": None}),
            # M is checked before the dtype
            (name, (-1,), {**params, "dtype": tw.int32}, {**params, "dtype": torch.int32}),
        ]
    for kw in ({"tau": 0.0}, {"tau": -1.0}, {"center": 1.0}, {"center": 1.0, "sym": True}):
        cases.append(("exponential", (5,), kw, kw))
    for kw in ({"std": 0.0}, {"std": -2}):
        cases.append(("gaussian", (5,), kw, kw))
    cases.append(("kaiser", (5,), {"beta": -1.0}, {"beta": -1.0}))
    for kw in ({"a": 5}, {"a": []}, {"a": ()}):
        cases.append(("general_cosine", (5,), kw, kw))
    cases.append(("general_cosine", (5,), {"a": 5, "dtype": tw.int64},
                  {"a": 5, "dtype": torch.int64}))
    return cases


@pytest.mark.parametrize(("name", "args", "tw_kwargs", "torch_kwargs"), _error_cases())
def test_errors_match_torch(name: str, args: tuple, tw_kwargs: dict, torch_kwargs: dict) -> None:
    got_type, got_message = errors(getattr(windows, name), *args, **tw_kwargs)
    want_type, want_message = errors(getattr(T, name), *args, **torch_kwargs)
    assert got_type is want_type
    assert got_message == _tw_text(want_message)


@pytest.mark.parametrize("M", [0, 1])
def test_coefficients_unchecked_below_two_points(M: int) -> None:
    """As PyTorch, `general_cosine` looks at ``a`` only when it is used."""
    assert windows.general_cosine(M, a=5).tolist() == T.general_cosine(M, a=5).tolist()
