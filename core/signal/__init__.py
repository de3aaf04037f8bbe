"""``tensorweave.signal``: PyTorch's ``torch.signal``, whose one submodule is `windows`."""

from __future__ import annotations

from . import windows

__all__ = ["windows"]
