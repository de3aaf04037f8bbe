"""Flatten parameters into one vector and back, as `torch.nn.utils.convert_parameters`
(used by second-order optimizers and by code that treats a model as a point in R^n).
"""

from __future__ import annotations

from typing import Iterable

from ...ops.movement import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_same_device(params: list[Tensor], op: str) -> None:
    devices = {p.device for p in params}
    if len(devices) > 1:
        raise TypeError(f"{op}: Found two parameters on different devices, this is currently "
                        f"not supported (got {sorted(str(d) for d in devices)}). Move the "
                        "module to one device first.")


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-d tensor holding every parameter, flattened, in order (differentiable)."""
    params = list(parameters)
    _check_same_device(params, "parameters_to_vector")
    return cat([p.reshape(-1) for p in params])  # type: ignore[attr-defined]


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Set the parameters' data from consecutive slices of the 1-d ``vec`` (which they then
    share storage with, as in PyTorch).

    Raises:
        TypeError: if ``vec`` is not a tensor, or the parameters span several devices.
        RuntimeError: if ``vec`` is not 1-d or is shorter than the parameters together.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected tensorweave.Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    _check_same_device(params, "vector_to_parameters")
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() < total:
        raise RuntimeError(f"vector_to_parameters: expected a 1-d vector of at least {total} "
                           f"elements (the parameters' total); got shape {list(vec.shape)}")
    pointer = 0
    for param in params:
        n = param.numel()
        param.data = vec[pointer:pointer + n].view(param.shape).data  # type: ignore[attr-defined]
        pointer += n
