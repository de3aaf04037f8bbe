"""`tensorweave.utils`: tools beside the op set, as `torch.utils` (``utils.data``)."""

from __future__ import annotations

from . import data

__all__ = ["data"]
