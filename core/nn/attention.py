"""``tensorweave.nn.attention``: PyTorch's attention-kernel selection API
(``torch.nn.attention``): `SDPBackend` and the `sdpa_kernel` context manager.

tensorweave's `nn.functional.scaled_dot_product_attention` has one implementation on every
backend, the math one (softmax of scaled scores, then the weighted sum), which is what
every fused PyTorch kernel computes up to rounding. So `sdpa_kernel` checks its argument
and records the selection (`enabled_backends` reads it), and whichever backends it names,
attention runs that implementation: code that restricts PyTorch to flash attention runs
unchanged. The ``can_use_*`` probes answer False: there are no fused kernels.
"""

from __future__ import annotations

import contextlib
import enum
from typing import Any, Iterator

__all__ = ["SDPBackend", "sdpa_kernel", "enabled_backends", "can_use_flash_attention",
           "can_use_efficient_attention", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.IntEnum):
    """PyTorch's scaled-dot-product-attention backends, with its values."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_ALL = [b for b in SDPBackend if b is not SDPBackend.ERROR]
_enabled: list[SDPBackend] = list(_ALL)


def enabled_backends() -> list[SDPBackend]:
    """The backends the innermost `sdpa_kernel` selected (all of them outside one)."""
    return list(_enabled)


@contextlib.contextmanager
def sdpa_kernel(backends: Any, set_priority: bool = False) -> Iterator[dict[str, Any]]:
    """Select attention backends for the region (see the module's note: tensorweave runs
    its one implementation for any selection); the previous selection comes back after.

    Raises:
        AssertionError: ``backends`` is neither an `SDPBackend` nor a list of them
            (PyTorch's message).
    """
    if isinstance(backends, SDPBackend):
        backends = [backends]
    if not isinstance(backends, list) or not all(isinstance(b, SDPBackend) for b in backends):
        raise AssertionError(f"Backend must be an instance of SDPBackend or a list of "
                             f"SDPBackend instances, got {type(backends).__name__}")
    global _enabled
    previous, _enabled = _enabled, list(dict.fromkeys(backends))
    try:
        yield {}
    finally:
        _enabled = previous


def can_use_flash_attention(params: Any = None, debug: bool = False) -> bool:
    """False: tensorweave has no fused flash-attention kernel."""
    return False


def can_use_efficient_attention(params: Any = None, debug: bool = False) -> bool:
    """False: tensorweave has no fused memory-efficient attention kernel."""
    return False
