"""``tw.cuda.amp``/``tw.opencl.amp``: PyTorch's deprecated per-device spellings
(``torch.cuda.amp.autocast()``, ``torch.cuda.amp.GradScaler()``), each warning as PyTorch
does and returning `tensorweave.amp`'s object for that device type."""

from __future__ import annotations

import warnings
from typing import Any

from .autocast_mode import autocast as _autocast
from .grad_scaler import GradScaler as _GradScaler

__all__ = ["DeviceAmp"]


class DeviceAmp:
    """The deprecated ``torch.<device>.amp`` namespace of one device type."""

    def __init__(self, type_name: str) -> None:
        self.type = type_name

    def _deprecated(self, name: str) -> None:
        warnings.warn(f"`tensorweave.{self.type}.amp.{name}(args...)` is deprecated. Please "
                      f"use `tensorweave.amp.{name}('{self.type}', args...)` instead.",
                      FutureWarning, stacklevel=3)

    def autocast(self, enabled: bool = True, dtype: Any = None,
                 cache_enabled: bool = True) -> _autocast:
        """``tensorweave.amp.autocast(<device>, dtype, enabled, cache_enabled)``; ``dtype``
        defaults to the device type's (bfloat16 on cpu, float16 on cuda, as PyTorch's)."""
        self._deprecated("autocast")
        return _autocast(self.type, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    def GradScaler(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,  # noqa: N802
                   backoff_factor: float = 0.5, growth_interval: int = 2000,
                   enabled: bool = True) -> _GradScaler:
        """``tensorweave.amp.GradScaler(<device>, ...)``."""
        self._deprecated("GradScaler")
        return _GradScaler(self.type, init_scale, growth_factor, backoff_factor,
                           growth_interval, enabled)
