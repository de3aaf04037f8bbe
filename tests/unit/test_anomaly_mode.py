"""Anomaly detection: the NaN check, the forward stack in the warning, and the mode switches,
against PyTorch's messages."""

from __future__ import annotations

import inspect
import warnings

import pytest

import tensorweave as tw


def _sqrt_at_zero(fw):
    x = fw.tensor([0.0, 1.0], requires_grad=True)
    line = inspect.currentframe().f_lineno + 1
    y = x.sqrt()
    return (y * 0).sum(), line


def _backward_error(fw, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with fw.autograd.detect_anomaly(**kwargs):
            loss, line = _sqrt_at_zero(fw)
            with pytest.raises(RuntimeError) as err:
                loss.backward()
    return str(err.value), [str(w.message) for w in caught], line


def test_nan_gradient_raises_as_torch_with_the_forward_line():
    torch = pytest.importorskip("torch")
    ours, warned, line = _backward_error(tw)
    theirs, their_warned, _ = _backward_error(torch)
    assert ours == theirs == "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert warned[0] == their_warned[0]  # "Anomaly Detection has been enabled. ..."
    assert warned[-1].startswith("Error detected in SqrtBackward0. Traceback of forward call "
                                 "that caused the error:")
    assert f'test_anomaly_mode.py", line {line}, in _sqrt_at_zero' in warned[-1]
    # The stack ends at the user's call, not inside the dispatcher.
    assert warned[-1].rstrip().endswith("y = x.sqrt()")


def test_check_nan_off_and_mode_off_let_nan_through():
    for check_nan in (False, None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mode = (tw.autograd.set_grad_enabled(True) if check_nan is None
                    else tw.autograd.detect_anomaly(check_nan=check_nan))
            with mode:
                x = tw.tensor([0.0, 1.0], requires_grad=True)
                (x.sqrt() * 0).sum().backward()
        assert x.grad.isnan().tolist() == [True, False]


def test_error_in_custom_backward_warns_with_forward_stack():
    class Bad(tw.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("broken backward")

    x = tw.tensor([1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with tw.autograd.detect_anomaly():
            y = Bad.apply(x)  # the line the warning names
            with pytest.raises(ValueError, match="broken backward"):
                y.sum().backward()
    message = str(caught[-1].message)
    assert message.startswith("Error detected in BadBackward.")
    assert message.rstrip().endswith("y = Bad.apply(x)  # the line the warning names")


def test_node_built_outside_the_mode_has_no_forward_stack():
    x = tw.tensor([0.0], requires_grad=True)
    y = x.sqrt() * 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with tw.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="nan values"):
            y.sum().backward()
    assert "No forward pass information available" in str(caught[-1].message)


def test_switches_match_torch():
    torch = pytest.importorskip("torch")
    for fw in (tw, torch):
        assert not fw.is_anomaly_enabled()
        fw.autograd.set_detect_anomaly(True, check_nan=False)
        assert fw.is_anomaly_enabled() and not fw.is_anomaly_check_nan_enabled()
        fw.autograd.set_detect_anomaly(False)
        assert not fw.is_anomaly_enabled() and fw.is_anomaly_check_nan_enabled()
        with fw.autograd.set_detect_anomaly(True):
            assert fw.is_anomaly_enabled()
        assert not fw.is_anomaly_enabled()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        @tw.autograd.detect_anomaly()
        def inside():
            return tw.is_anomaly_enabled()

        assert inside() and inside()
    assert not tw.is_anomaly_enabled()
