"""Creation ops: tensors from data, constants, ranges, and random numbers.

``full`` and ``arange`` are primitives (every backend fills its own memory);
zeros/ones/eye... are built on them. Random ops use the backend's per-device
generator, seeded by `manual_seed`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..device import resolve
from ..tensor import Tensor
from ._opdef import PRIMITIVE, defop
from .movement import _shape_arg

__all__ = ["tensor", "as_tensor", "from_numpy", "scalar_tensor", "full", "zeros", "ones",
           "empty", "full_like", "zeros_like", "ones_like", "empty_like", "arange"]


def tensor(data: Any, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, NumPy arrays, tensors).

    Python floats become the default dtype (float32), Python ints int64, bools bool.

    Example:
        >>> import tensorweave as tw
        >>> tw.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
    """
    t = Tensor._from_value(data, device, dtype)
    return t.requires_grad_(True) if requires_grad else t


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like `tensor`, but returns ``data`` itself when it already is a matching tensor and
    shares memory with a NumPy array on cpu when the dtype allows.
    """
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (device or dtype) else data
    if isinstance(data, np.ndarray) and dtype is None and resolve(device)[0].type == "cpu":
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A cpu tensor that shares memory with ``array`` (changes show in both).

    Raises:
        TypeError: for unsupported NumPy dtypes or non-arrays.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray; got {type(array).__name__}")
    dt = D.from_numpy_dtype(array.dtype)
    dev, _ = resolve("cpu")
    return Tensor._wrap(array, dev, dt)


def scalar_tensor(value: Any, device: Any = None, dtype: Any = None) -> Tensor:
    """A 0-d tensor (default dtype for Python floats)."""
    dt = D.scalar_dtype(value) if dtype is None else D.to_dtype(dtype)
    return full((), value, dtype=dt, device=device)


def _factory_dtype(dtype: Any, fill: Any = 0.0) -> D.dtype:
    if dtype is not None:
        return D.to_dtype(dtype)
    if isinstance(fill, (bool, np.bool_)):
        return D.bool
    if isinstance(fill, (int, np.integer)):
        return D.int64
    return D.get_default_dtype()


def _full_ref(size: Any, fill_value: Any, dtype: Any = None) -> np.ndarray:
    return np.full(size, fill_value, dtype=None if dtype is None else D.to_dtype(dtype).np)


@defop(PRIMITIVE, method=False, differentiable=False, dtypes=D.ALL, ref=_full_ref,
       samples=lambda dt, rng: [S.SampleInput(((2, 3), 1 if dt is not D.bool else True),
                                              {"dtype": dt}, name="2x3"),
                                S.SampleInput(((), 0), {"dtype": dt}, name="0-d"),
                                S.SampleInput(((0,), 0), {"dtype": dt}, name="empty")])
def full(size: Sequence[int], fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it by default)."""
    dev, _ = resolve(device)
    shape = _shape_arg("full", (size,) if isinstance(size, int) else tuple(size))
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    out = full.bind(size=shape, fill_value=fill_value, dtype=_factory_dtype(dtype, fill_value),
                    device=dev)
    return out.requires_grad_(True) if requires_grad else out


def zeros(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (default dtype float32)."""
    return full(_shape_arg("zeros", size), 0, dtype=_factory_dtype(dtype), device=device,
                requires_grad=requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones (default dtype float32)."""
    return full(_shape_arg("ones", size), 1, dtype=_factory_dtype(dtype), device=device,
                requires_grad=requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor; tensorweave fills it with zeros so results never vary."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _like(x: Tensor, dtype: Any, device: Any) -> dict[str, Any]:
    return {"dtype": dtype if dtype is not None else x.dtype,
            "device": device if device is not None else x.device}


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None,  # noqa: A002
              device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(tuple(input.shape), fill_value, requires_grad=requires_grad,
                **_like(input, dtype, device))


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    return full(tuple(input.shape), 0, requires_grad=requires_grad, **_like(input, dtype, device))


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    return full(tuple(input.shape), 1, requires_grad=requires_grad, **_like(input, dtype, device))


empty_like = zeros_like


def _arange_ref(start: Any, end: Any, step: Any, dtype: Any = None) -> np.ndarray:
    return np.arange(start, end, step, dtype=None if dtype is None else D.to_dtype(dtype).np)


@defop(PRIMITIVE, method=False, differentiable=False, dtypes=(D.int64, D.float32, D.float64),
       ref=_arange_ref,
       samples=lambda dt, rng: [S.SampleInput((0, 5, 1), {"dtype": dt}, name="0..5"),
                                S.SampleInput((1, 2, 0.25) if dt.is_floating_point else (7, 1, -2),
                                              {"dtype": dt}, name="step")])
def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``, like `torch.arange`.

    Integers give int64, any float argument gives the default dtype.

    Raises:
        RuntimeError: for a zero step or a step of the wrong sign.
    """
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and larger bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        dtype = D.int64 if all(isinstance(v, (int, np.integer)) for v in vals) else \
            D.get_default_dtype()
    dev, _ = resolve(device)
    out = arange.bind(start=start, end=end, step=step, dtype=D.to_dtype(dtype), device=dev)
    return out.requires_grad_(True) if requires_grad else out
