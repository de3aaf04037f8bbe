"""Layouts and memory formats, as PyTorch names them: ``tw.strided`` (the only layout a
tensorweave tensor has), and ``tw.contiguous_format``, ``tw.preserve_format``,
``tw.channels_last`` and ``tw.channels_last_3d``.

A memory format is an order of the dimensions in memory: channels-last stores an NCHW
tensor as NHWC (strides ``(HWC, 1, WC, C)``) while its shape stays NCHW. tensorweave lays a
tensor out in such an order by copying its permutation into contiguous memory and
permuting back, which is a view, so it runs (and differentiates) on every backend.
`preserve_format` keeps a dense input's order, as PyTorch does for ``clone`` and the
``*_like`` factories; an input with gaps or overlaps gets contiguous memory.

A strided tensor answers PyTorch's layout queries (``to_dense`` is itself, ``sparse_dim``
0); the conversions to sparse layouts raise.

`factory` adds PyTorch's ``layout`` and ``pin_memory`` keywords to a creation function, so
code that passes ``layout=torch.strided, pin_memory=False`` runs after changing its import.
tensorweave has no page-locked memory: ``pin_memory=True`` is accepted and changes nothing,
as `Tensor.pin_memory` does.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

from .tensor import Tensor

__all__ = ["layout", "strided", "memory_format", "contiguous_format", "preserve_format",
           "channels_last", "channels_last_3d"]

F = TypeVar("F", bound=Callable[..., Any])


class layout:  # noqa: N801 - PyTorch's name
    """The kind of storage of a tensor: `strided` (dense memory with strides)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"tensorweave.{self.name}"

    def __reduce__(self) -> str:
        return self.name


class memory_format:  # noqa: N801 - PyTorch's name
    """An order of a tensor's dimensions in memory (see the module's note)."""

    def __init__(self, name: str, order: tuple[int, ...] | None = None) -> None:
        self.name = name
        self.order = order  # outermost first; None: no fixed order

    def __repr__(self) -> str:
        return f"tensorweave.{self.name}"

    def __reduce__(self) -> str:
        return self.name


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last", (0, 2, 3, 1))
channels_last_3d = memory_format("channels_last_3d", (0, 2, 3, 4, 1))


def check_layout(op: str, value: Any) -> None:
    """Refuse anything but ``None`` and `strided` as ``op``'s ``layout`` argument."""
    if value is not None and value is not strided:
        what = value.name if isinstance(value, layout) else type(value).__name__
        raise TypeError(f"{op}(): argument 'layout' must be tensorweave.layout (tensorweave "
                        f"has only tensorweave.strided), not {what}")


def factory(fn: F) -> F:
    """``fn`` that also takes PyTorch's keyword-only ``layout`` and ``pin_memory``
    arguments (see the module's note), with them in its signature."""
    @functools.wraps(fn)
    def call(*args: Any, layout: Any = None, pin_memory: bool = False, **kwargs: Any) -> Any:
        check_layout(fn.__name__, layout)
        return fn(*args, **kwargs)

    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
    params[at:at] = [inspect.Parameter("layout", inspect.Parameter.KEYWORD_ONLY, default=None),
                     inspect.Parameter("pin_memory", inspect.Parameter.KEYWORD_ONLY,
                                       default=False)]
    call.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]


def _check_format(op: str, fmt: Any) -> memory_format:
    if not isinstance(fmt, memory_format):
        raise TypeError(f"{op}(): argument 'memory_format' must be tensorweave.memory_format, "
                        f"not {type(fmt).__name__}")
    return fmt


def _rank_order(fmt: memory_format, ndim: int) -> tuple[int, ...]:
    """``fmt``'s dimension order for a tensor of ``ndim`` dims (PyTorch's rank error)."""
    if fmt.order is None:
        return tuple(range(ndim))
    if len(fmt.order) != ndim:
        raise RuntimeError(f"required rank {len(fmt.order)} tensor to use {fmt.name} format")
    return fmt.order


def _stride_order(x: Tensor) -> tuple[int, ...]:
    """``x``'s dims by decreasing stride (outermost first); size-1 dims, whose strides
    mean nothing, keep their place."""
    strides = x.stride()
    moving = sorted((d for d in range(x.ndim) if x.shape[d] != 1), key=lambda d: -strides[d])
    slots = iter(moving)
    return tuple(d if x.shape[d] == 1 else next(slots) for d in range(x.ndim))


def contiguous_in_order(x: Tensor, order: tuple[int, ...]) -> bool:
    """Whether ``x.permute(order)`` would be contiguous, read off the strides (no view is
    made: this runs on every ``clone`` and ``contiguous``)."""
    if x.numel() == 0:
        return True
    shape, strides, expected = x.shape, x.stride(), 1
    for d in reversed(order):
        if shape[d] != 1 and strides[d] != expected:
            return False
        expected *= shape[d]
    return True


def dense_order(x: Tensor) -> tuple[int, ...]:
    """The order of ``x``'s dims in memory (outermost first) if ``x`` is dense and
    non-overlapping (a permutation of contiguous memory), else the logical order."""
    order = _stride_order(x)
    return order if contiguous_in_order(x, order) else tuple(range(x.ndim))


def suggest_memory_format(x: Tensor) -> memory_format:
    """The format ``x``'s strides follow: `channels_last` (or `channels_last_3d`) for a
    4-d (5-d) tensor whose channels vary fastest, else `contiguous_format`."""
    if x.is_contiguous():
        return contiguous_format
    order = _stride_order(x)
    return next((f for f in (channels_last, channels_last_3d) if f.order == order),
                contiguous_format)


def order_for(op: str, x: Tensor, fmt: Any) -> tuple[int, ...]:
    """The dim order (outermost first) that ``op``'s copy of ``x`` in memory format
    ``fmt`` has: `preserve_format` keeps a dense ``x``'s."""
    fmt = _check_format(op, fmt)
    return dense_order(x) if fmt is preserve_format else _rank_order(fmt, x.ndim)


def laid_out(make: Callable[[tuple[int, ...]], Tensor], shape: tuple[int, ...],
             order: tuple[int, ...]) -> Tensor:
    """``make(shape permuted by order)`` (a new contiguous tensor) viewed back in
    ``shape``: a tensor of ``shape`` whose dims lie in memory in ``order``."""
    if order == tuple(range(len(shape))):
        return make(shape)
    inverse = sorted(range(len(order)), key=order.__getitem__)
    return make(tuple(shape[d] for d in order)).permute(inverse)


def fixed_order(op: str, fmt: Any, ndim: int) -> tuple[int, ...] | None:
    """The order of format ``fmt`` for ``op`` on ``ndim`` dims; None for
    `preserve_format`, which has none (``empty`` and ``contiguous`` refuse it, each with
    PyTorch's message)."""
    fmt = _check_format(op, fmt)
    return None if fmt is preserve_format else _rank_order(fmt, ndim)


def is_contiguous_in(x: Tensor, fmt: Any) -> bool:
    """Whether ``x``'s memory is contiguous in format ``fmt`` (False for a rank the format
    does not fit, as PyTorch)."""
    fmt = _check_format("is_contiguous", fmt)
    if fmt.order is not None and len(fmt.order) != x.ndim:
        return False
    return contiguous_in_order(x, fmt.order or tuple(range(x.ndim)))


def _layout(self: Tensor) -> layout:
    """`strided`: the only layout tensorweave has."""
    return strided


def _to_dense(self: Tensor, dtype: Any = None, *, masked_grad: Any = None) -> Tensor:
    """``self`` (converted to ``dtype`` if given): a strided tensor is already dense."""
    return self if dtype is None else self.to(dtype)


def _sparse_dim(self: Tensor) -> int:
    """0: a strided tensor has no sparse dims."""
    return 0


def _dense_dim(self: Tensor) -> int:
    """Every dim of a strided tensor is dense."""
    return self.ndim


def _no_sparse(name: str) -> Callable[..., Any]:
    def refuse(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{name}: tensorweave has no sparse layouts (only "
                           "tensorweave.strided); keep the tensor dense")
    refuse.__name__ = name
    refuse.__doc__ = f"Refused: ``{name}`` needs a sparse layout, which tensorweave lacks."
    return refuse


Tensor.layout = property(_layout)  # type: ignore[attr-defined]
Tensor.to_dense = _to_dense  # type: ignore[attr-defined]
Tensor.sparse_dim = _sparse_dim  # type: ignore[attr-defined]
Tensor.dense_dim = _dense_dim  # type: ignore[attr-defined]
for _name in ("to_sparse", "to_sparse_coo", "to_sparse_csr", "to_sparse_csc", "to_sparse_bsr",
              "to_sparse_bsc", "coalesce", "is_coalesced"):
    setattr(Tensor, _name, _no_sparse(_name))
for _name in ("new_tensor", "new_zeros", "new_ones", "new_full", "new_empty"):
    setattr(Tensor, _name, factory(getattr(Tensor, _name)))
