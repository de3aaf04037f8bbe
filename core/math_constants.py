"""``tw.pi``, ``tw.e``, ``tw.inf``, ``tw.nan`` and ``tw.newaxis``: PyTorch's top-level
constants, plain Python values (``newaxis`` is None, for indexing)."""

from __future__ import annotations

import math

__all__ = ["e", "pi", "inf", "nan", "newaxis"]

e, pi, inf, nan = math.e, math.pi, math.inf, math.nan
newaxis = None
