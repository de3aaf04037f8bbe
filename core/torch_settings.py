"""PyTorch's global switches: threads, determinism, matmul precision, warnings, denormals.

tensorweave's kernels live in the backends, so most of these are a setting that code
written for PyTorch sets and reads back, with PyTorch's argument checks and messages:

- the thread counts drive the cpu backend's BLAS through ``threadpoolctl`` when that package
  is installed (it is optional, never a dependency); without it they are stored and read
  back. The inter-op count is always only stored: there is no inter-op pool.
- ``use_deterministic_algorithms``: every built-in kernel is deterministic already (no
  atomics-based reductions), so the flag is recorded for code that asks.
- ``set_float32_matmul_precision``: recorded; the backends always multiply float32 in float32.
- ``set_flush_denormal``: NumPy cannot set the FPU's flush-to-zero mode, so it returns False,
  as PyTorch does where the mode is unsupported.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from .autograd import anomaly_mode
from .autograd.grad_mode import is_inference_mode_enabled
from .inplace_functions import check_tensor
from .tensor import Tensor

__all__ = ["get_num_threads", "set_num_threads", "get_num_interop_threads",
           "set_num_interop_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "get_deterministic_debug_mode", "set_deterministic_debug_mode",
           "get_float32_matmul_precision", "set_float32_matmul_precision", "set_warn_always",
           "is_warn_always_enabled", "set_flush_denormal", "is_inference_mode_enabled",
           "is_inference", "set_anomaly_enabled"]

try:
    import threadpoolctl as _threadpoolctl
except ImportError:  # optional: the thread counts are then only stored
    _threadpoolctl = None


class _Settings:
    __slots__ = ("num_threads", "interop_threads", "deterministic", "warn_only", "precision",
                 "warn_always")

    def __init__(self) -> None:
        self.num_threads: int | None = None  # None: the BLAS's own count (or the cpu count)
        self.interop_threads = os.cpu_count() or 1
        self.deterministic = False
        self.warn_only = False
        self.precision = "highest"
        self.warn_always = False


settings = _Settings()

_PRECISIONS = ("highest", "high", "medium")
_DEBUG_MODES = ("default", "warn", "error")


def _check_type(fn: str, what: str, value: Any, kind: type) -> None:
    """PyTorch's ``<fn> expects a <what>, but got <type>`` check (bool is not an int)."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RuntimeError(f"{fn} expects {what}, but got {type(value).__name__}")


def _check_bool(fn: str, arg: str, value: Any, position: int | None = None) -> None:
    """The binding's TypeError for a non-bool argument, as PyTorch words it."""
    if not isinstance(value, bool):
        where = f"'{arg}'" + ("" if position is None else f" (position {position})")
        raise TypeError(f"{fn}(): argument {where} must be bool, not {type(value).__name__}")


def _blas_pools() -> list[dict[str, Any]]:
    return [] if _threadpoolctl is None else [
        p for p in _threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]


def get_num_threads() -> int:
    """The threads for intra-op parallelism: the cpu backend's BLAS threads where
    ``threadpoolctl`` can read them, else the value last set (the cpu count at first)."""
    pools = _blas_pools()
    if pools:
        return int(pools[0]["num_threads"])
    return settings.num_threads or os.cpu_count() or 1


def set_num_threads(num: int) -> None:
    """Set the intra-op threads (the BLAS's, through ``threadpoolctl`` when installed).

    Raises:
        RuntimeError: ``num`` is not a positive int (PyTorch's messages).
    """
    _check_type("set_num_threads", "an int", num, int)
    if num <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    settings.num_threads = num
    if _threadpoolctl is not None:
        _threadpoolctl.threadpool_limits(limits=num, user_api="blas")


def get_num_interop_threads() -> int:
    """The inter-op thread count last set (the cpu count at first); stored only."""
    return settings.interop_threads


def set_num_interop_threads(num: int) -> None:
    """Record the inter-op thread count (tensorweave runs ops on the calling thread).

    Raises:
        RuntimeError: ``num`` is not a positive int.
    """
    _check_type("set_num_interop_threads", "an int", num, int)
    if num <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    settings.interop_threads = num


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms (all built-in kernels are; the flag is recorded).

    Raises:
        TypeError: ``mode`` or ``warn_only`` is not a bool.
    """
    _check_bool("_set_deterministic_algorithms", "mode", mode, 1)
    _check_bool("_set_deterministic_algorithms", "warn_only", warn_only)
    settings.deterministic, settings.warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether `use_deterministic_algorithms` was turned on."""
    return settings.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether `use_deterministic_algorithms` was turned on with ``warn_only=True``."""
    return settings.warn_only


def get_deterministic_debug_mode() -> int:
    """0 (default: off), 1 (warn) or 2 (error), from `use_deterministic_algorithms`."""
    if not settings.deterministic:
        return 0
    return 1 if settings.warn_only else 2


def set_deterministic_debug_mode(debug_mode: int | str) -> None:
    """`use_deterministic_algorithms` by level: ``"default"``/0 off, ``"warn"``/1,
    ``"error"``/2.

    Raises:
        TypeError: ``debug_mode`` is neither a str nor an int.
        RuntimeError: it is not one of the three levels.
    """
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision last set: ``"highest"`` (the default), ``"high"``, or
    ``"medium"``; recorded only, the backends always compute float32 matmuls in float32."""
    return settings.precision


def set_float32_matmul_precision(precision: str) -> None:
    """Record the float32 matmul precision. An unknown name warns and changes nothing, as in
    PyTorch.

    Raises:
        RuntimeError: ``precision`` is not a str.
    """
    _check_type("set_float32_matmul_precision", "a str", precision, str)
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", stacklevel=2)
        return
    settings.precision = precision


def set_warn_always(b: bool) -> None:
    """Record whether warnings PyTorch gives once should be given every time.

    Raises:
        RuntimeError: ``b`` is not a bool.
    """
    _check_type("setWarnOnlyOnce", "a bool", b, bool)
    settings.warn_always = b


def is_warn_always_enabled() -> bool:
    """Whether `set_warn_always` turned warn-always on."""
    return settings.warn_always


def set_flush_denormal(mode: bool) -> bool:
    """Flush-to-zero of denormal floats: unsupported (NumPy cannot set the FPU mode), so
    False, as PyTorch returns on a CPU without it.

    Raises:
        RuntimeError: ``mode`` is not a bool.
    """
    _check_type("flush_denormal", "a bool", mode, bool)
    return False


def is_inference(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input`` is an inference tensor: never (`inference_mode` runs ops like
    `no_grad` and makes ordinary tensors).

    Raises:
        TypeError: ``input`` is not a tensor.
    """
    check_tensor("is_inference", input)
    return input.is_inference()


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """`autograd.set_detect_anomaly` as a plain switch (no context manager).

    Raises:
        TypeError: ``enabled`` or ``check_nan`` is not a bool.
    """
    _check_bool("set_anomaly_enabled", "enabled", enabled, 1)
    _check_bool("set_anomaly_enabled", "check_nan", check_nan, 2)
    anomaly_mode.set_detect_anomaly(enabled, check_nan)
