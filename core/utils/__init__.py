"""`tensorweave.utils`: tools beside the op set, as `torch.utils` (``utils.data``,
``utils.checkpoint``, ``utils.hooks``)."""

from __future__ import annotations

from . import checkpoint, data, hooks

__all__ = ["checkpoint", "data", "hooks"]
