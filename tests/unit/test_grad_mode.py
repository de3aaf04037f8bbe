"""Grad-mode switches: no_grad, enable_grad, set_grad_enabled, inference_mode."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    yield
    assert tw.is_grad_enabled() and not tw.autograd.is_inference_mode_enabled()


def leaf():
    return tw.tensor([1.0, 2.0], requires_grad=True)


def test_no_grad_context_records_nothing_and_restores():
    x = leaf()
    with tw.no_grad():
        assert not tw.is_grad_enabled()
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_no_grad_restores_after_an_exception():
    with pytest.raises(ValueError):
        with tw.no_grad():
            raise ValueError("boom")
    assert tw.is_grad_enabled()


def test_no_grad_as_decorator_with_and_without_parentheses():
    x = leaf()

    @tw.no_grad()
    def f(t):
        """Doc."""
        return t * 2

    @tw.no_grad
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    assert f.__name__ == "f" and f.__doc__ == "Doc." and g.__name__ == "g"


def test_enable_grad_inside_no_grad():
    x = leaf()

    @tw.enable_grad
    def f(t):
        return t * 2

    with tw.no_grad():
        with tw.enable_grad():
            assert (x * 2).requires_grad
        assert f(x).requires_grad
        assert not (x * 2).requires_grad


def test_set_grad_enabled_as_function_context_manager_and_decorator():
    x = leaf()
    tw.set_grad_enabled(False)
    try:
        assert not tw.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        tw.set_grad_enabled(True)
    with tw.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with tw.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not tw.is_grad_enabled()
    assert tw.is_grad_enabled()

    @tw.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert tw.is_grad_enabled()  # decorating does not switch the mode
    assert not f(x).requires_grad


def test_inference_mode():
    x = leaf()
    with tw.inference_mode():
        assert tw.autograd.is_inference_mode_enabled() and not tw.is_grad_enabled()
        y = x * 2
    assert not y.requires_grad
    with tw.inference_mode(False):
        assert tw.is_grad_enabled() and not tw.autograd.is_inference_mode_enabled()

    @tw.inference_mode
    def f(t):
        return t * 2, tw.autograd.is_inference_mode_enabled()

    @tw.inference_mode()
    def g(t):
        return t * 2

    out, inside = f(x)
    assert inside and not out.requires_grad and not g(x).requires_grad


def test_backward_runs_inside_no_grad():
    # PyTorch: grad mode governs recording, not the backward pass itself.
    x = leaf()
    y = (x * x).sum()
    with tw.no_grad():
        y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
