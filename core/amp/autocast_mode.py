"""`autocast`: regions (and decorated functions) in which matrix products and convolutions
run in a lower-precision float dtype and precision-sensitive ops in float32, as
``torch.autocast``; plus PyTorch's torch-level autocast queries and setters, and the
`custom_fwd`/`custom_bwd` decorators for custom `Function` s.

The region only records, per device type, that autocast is on and in which dtype; the
dispatcher applies the casting policy of `tensorweave.autocast_state` to every op call.
The lower-precision dtypes are float16 and bfloat16 (where the device's backend lists it);
the default is bfloat16 on cpu and float16 elsewhere, as in PyTorch. Asking for another
dtype warns and disables the region, as PyTorch does for a dtype a device does not support.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

from .. import dtypes as D
from ..autocast_state import state
from ..plugin.manager import get_registry
from ..tensor import Tensor

__all__ = ["autocast", "is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
           "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting",
           "is_autocast_cpu_enabled", "set_autocast_cpu_enabled", "get_autocast_cpu_dtype",
           "set_autocast_cpu_dtype", "get_autocast_gpu_dtype", "set_autocast_gpu_dtype"]
# (custom_fwd, custom_bwd and is_autocast_available are tensorweave.amp's, not torch-level)



def _supported(device_type: str) -> tuple[D.dtype, ...]:
    """float16, and bfloat16 where ``device_type``'s backend lists it."""
    backend = get_registry().backends[device_type]
    ok = backend.availability()[0] and D.bfloat16 in backend.dtypes(backend.current_device())
    return (D.bfloat16, D.float16) if ok else (D.float16,)


def _device_type(device_type: Any) -> str:
    """``device_type`` checked against the registered backends (PyTorch's message)."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type not in get_registry().backends:
        raise RuntimeError(f"User specified an unsupported autocast device_type "
                           f"'{device_type}'")
    return device_type


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can run on ``device_type``: any registered backend's type."""
    return isinstance(device_type, str) and device_type in get_registry().backends


class autocast:  # noqa: N801 - PyTorch's name
    """A region (``with autocast("cuda"):``) or a decorated function in which the ops on
    ``device_type`` tensors run in mixed precision (see the module's note).

    Args:
        device_type: ``"cuda"``, ``"cpu"``, ``"opencl"``... (a registered backend).
        dtype: the lower-precision dtype; by default the device type's autocast dtype
            (bfloat16 on cpu, float16 elsewhere, unless `set_autocast_dtype` changed it).
        enabled: False makes the region turn autocast off (regions nest).
        cache_enabled: accepted for PyTorch's signature; tensorweave keeps no cast cache.
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        self.device = _device_type(device_type)
        self.fast_dtype = state.default(self.device) if dtype is None else D.to_dtype(dtype)
        self._enabled = bool(enabled)
        self._cache_enabled = state.cache_enabled if cache_enabled is None else cache_enabled
        supported = _supported(self.device) if self._enabled else ()
        if self._enabled and self.fast_dtype not in supported:
            warnings.warn(f"In {self.device} autocast, but the target dtype is not supported. "
                          f"Disabling autocast.\n{self.device} Autocast only supports dtype "
                          f"of {', '.join(map(repr, supported))} currently.", stacklevel=2)
            self._enabled = False

    def __enter__(self) -> autocast:
        self._previous = (state.enabled.get(self.device, False),
                          state.default(self.device), state.cache_enabled)
        state.enabled[self.device] = self._enabled
        state.dtype[self.device] = self.fast_dtype
        state.cache_enabled = self._cache_enabled
        state.nesting += 1
        state.refresh()
        return self

    def __exit__(self, *exc: Any) -> None:
        enabled, dtype, cache = self._previous
        state.enabled[self.device] = enabled
        state.dtype[self.device] = dtype
        state.cache_enabled = cache
        state.nesting -= 1
        state.refresh()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return fn(*args, **kwargs)
        return run


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (PyTorch's default: cuda)."""
    return state.enabled.get("cuda" if device_type is None else device_type, False)


def set_autocast_enabled(device_type: Any, enabled: Any = None) -> None:
    """Turn autocast on or off for ``device_type``; ``set_autocast_enabled(flag)`` means
    cuda, as PyTorch's one-argument form."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    state.enabled[_device_type(device_type)] = bool(enabled)
    state.refresh()


def get_autocast_dtype(device_type: str) -> D.dtype:
    """The lower-precision dtype autocast uses on ``device_type``."""
    return state.default(_device_type(device_type))


def set_autocast_dtype(device_type: str, dtype: Any) -> None:
    """Set the lower-precision dtype autocast uses on ``device_type``."""
    state.dtype[_device_type(device_type)] = D.to_dtype(dtype)
    state.refresh()


def is_autocast_cache_enabled() -> bool:
    """The cache flag (kept for PyTorch's API; tensorweave caches no casts)."""
    return state.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Set the cache flag (kept for PyTorch's API; tensorweave caches no casts)."""
    state.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Nothing to clear: tensorweave caches no casts."""


def autocast_increment_nesting() -> int:
    """Count one more autocast region (PyTorch's bookkeeping API); returns the depth."""
    state.nesting += 1
    return state.nesting


def autocast_decrement_nesting() -> int:
    """Count one autocast region less; returns the depth."""
    state.nesting -= 1
    return state.nesting


def is_autocast_cpu_enabled() -> bool:
    """The deprecated cpu spelling of `is_autocast_enabled`."""
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled: bool) -> None:
    """The deprecated cpu spelling of `set_autocast_enabled`."""
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype() -> D.dtype:
    """The deprecated cpu spelling of `get_autocast_dtype`."""
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype: Any) -> None:
    """The deprecated cpu spelling of `set_autocast_dtype`."""
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype() -> D.dtype:
    """The deprecated cuda spelling of `get_autocast_dtype`."""
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype: Any) -> None:
    """The deprecated cuda spelling of `set_autocast_dtype`."""
    set_autocast_dtype("cuda", dtype)


def _cast(value: Any, dtype: D.dtype, device_type: str) -> Any:
    """Floating tensors of ``device_type`` in ``value`` (recursively) cast to ``dtype``."""
    if isinstance(value, Tensor):
        if value.is_floating_point() and value.device.type == device_type:
            return value.to(dtype)
        return value
    if isinstance(value, (tuple, list)):
        return type(value)(_cast(v, dtype, device_type) for v in value)
    if isinstance(value, dict):
        return {k: _cast(v, dtype, device_type) for k, v in value.items()}
    return value


def custom_fwd(fwd: Callable[..., Any] | None = None, *, device_type: str,
               cast_inputs: Any = None) -> Any:
    """Decorate a custom `Function`'s ``forward``: it records the caller's autocast state
    for `custom_bwd`; with ``cast_inputs`` (a dtype), inside an autocast region its
    floating inputs are cast to it and it runs with autocast off, as PyTorch's."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    _device_type(device_type)

    @functools.wraps(fwd)
    def forward(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        ctx._fwd_used_autocast = is_autocast_enabled(device_type)
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None or not ctx._fwd_used_autocast:
            return fwd(*args, **kwargs)
        dtype = D.to_dtype(cast_inputs)
        with autocast(device_type, enabled=False):
            return fwd(ctx, *_cast(args[1:], dtype, device_type),
                       **_cast(kwargs, dtype, device_type))
    return forward


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str) -> Any:
    """Decorate a custom `Function`'s ``backward``: it runs with the autocast state its
    `custom_fwd` forward saw."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    _device_type(device_type)

    @functools.wraps(bwd)
    def backward(ctx: Any, *grads: Any) -> Any:
        with autocast(device_type, dtype=ctx._dtype, enabled=ctx._fwd_used_autocast):
            return bwd(ctx, *grads)
    return backward
