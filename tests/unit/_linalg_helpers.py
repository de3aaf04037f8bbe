"""What the linear-algebra tests share: the fixture that runs a test on the cpu LAPACK
kernels and on the tensor-op decompositions, well-conditioned random matrices, and the
check that another device computes what cpu does."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import tensorweave as tw


def decomposition_path(decomposed: list[Any]) -> Any:
    """A ``path`` fixture: ``"kernel"`` runs on the cpu backend's np.linalg kernels;
    ``"decomposition"`` removes the cpu kernels of the ``decomposed`` ops, so they run as
    the decompositions written in tensor ops (as the opencl and primitives-only backends
    run them)."""

    @pytest.fixture(params=["kernel", "decomposition"])
    def path(request, monkeypatch):
        if request.param == "decomposition":
            for op in decomposed:
                monkeypatch.delitem(op.kernels, "cpu", raising=False)
        return request.param

    return path


def well_conditioned(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random square matrices with a dominant diagonal of random sign (condition number
    < ~30)."""
    a = rng.uniform(-1, 1, shape)
    return a + np.eye(shape[-1]) * np.where(rng.random(shape[:-1]) < 0.5, -2.0, 2.0)[..., None]


def assert_device_equals_cpu(device: str, fn: Callable[[tw.Tensor], tw.Tensor],
                             a: np.ndarray) -> None:
    """``fn``'s float32 forward value and input gradient on ``device`` equal cpu's."""
    res = []
    for dev in ("cpu", device):
        t = tw.tensor(a.astype(np.float32), device=dev, requires_grad=True)
        out = fn(t)
        out.sum().backward()
        res.append((out.detach().cpu().numpy(), t.grad.cpu().numpy()))
    for got, want in zip(res[1], res[0]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
