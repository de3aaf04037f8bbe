"""``tensorweave.amp``: automatic mixed precision, as ``torch.amp``: `autocast` regions
(float16 matrix products and convolutions, float32 where precision matters) and the
`GradScaler` that keeps float16 gradients from underflowing."""

from __future__ import annotations

from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "custom_fwd", "custom_bwd", "is_autocast_available", "GradScaler"]
