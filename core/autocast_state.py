"""The autocast regions in force, and the per-op casting policy the dispatcher applies in
them (`tensorweave.amp.autocast` sets them; see there).

The dispatcher reads ``state.active`` on every op call, so it is a plain dict (device type
to autocast dtype, empty outside any region) and the policy a frozenset lookup: outside
autocast the whole cost is one truth test. The op lists follow PyTorch's CUDA autocast
lists, spelled as tensorweave's ops: matrix products and convolutions run in the
lower-precision dtype; ops that lose range or accuracy in it run in float32. Composites
decompose into listed primitives, so ``addmm`` or ``einsum`` run their products in the
lower precision too. Only floating tensors of an autocast device type that are not float64
are cast, as in PyTorch; casts are ordinary differentiable casts, so gradients reach the
float32 parameters in float32.
"""

from __future__ import annotations

from typing import Any

from . import dtypes as D
from .tensor import Tensor

__all__ = ["state", "LOWER_PRECISION", "FLOAT32", "cast_inputs"]

LOWER_PRECISION = frozenset({"matmul", "mm", "bmm", "linear", "conv2d", "conv_transpose2d",
                             "conv2d_weight"})
# PyTorch's float32 list and its "float32 unless a dtype is given" reductions
FLOAT32 = frozenset({
    "acos", "asin", "cosh", "sinh", "tan", "erfinv", "exp", "expm1", "log", "log10", "log2",
    "log1p", "reciprocal", "rsqrt", "pow", "softplus", "layer_norm", "norm", "logsumexp",
    "softmax", "log_softmax", "cumsum", "cumprod", "sum", "prod",
})
POLICY = LOWER_PRECISION | FLOAT32


class _State:
    """``enabled``/``dtype``: each device type's setting (PyTorch keeps the dtype even
    while disabled); ``active``: the enabled ones, which the dispatcher reads;
    ``nesting``: how deep autocast regions are nested (for `clear_autocast_cache`)."""

    __slots__ = ("enabled", "dtype", "active", "cache_enabled", "nesting")

    def __init__(self) -> None:
        self.enabled: dict[str, bool] = {}
        # PyTorch's defaults (float16 on cpu where ml_dtypes is missing: no bfloat16 there)
        self.dtype: dict[str, D.dtype] = {
            "cpu": D.bfloat16 if D.HAS_BFLOAT16 else D.float16, "cuda": D.float16}
        self.active: dict[str, D.dtype] = {}
        self.cache_enabled = True
        self.nesting = 0

    def default(self, device_type: str) -> D.dtype:
        """``device_type``'s autocast dtype (float16 for one never set)."""
        return self.dtype.get(device_type, D.float16)

    def refresh(self) -> None:
        self.active = {t: self.default(t) for t, on in self.enabled.items() if on}


state = _State()


def cast_inputs(op_name: str, inputs: tuple[Any, ...],
                params: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``inputs`` and ``params`` with the autocast casts of ``op_name`` applied
    (``op_name`` is in `POLICY`). A float32 op's ``dtype`` parameter that names the dtype
    its input was cast up from is the default its function filled in, and becomes float32
    too (PyTorch's "float32 unless a dtype is given" reductions)."""
    lower = op_name in LOWER_PRECISION
    out, raised = [], set()
    for x in inputs:
        if (isinstance(x, Tensor) and x._dtype.is_floating_point and x._dtype is not D.float64
                and x._device.type in state.active):
            target = state.active[x._device.type] if lower else D.float32
            if x._dtype is not target:
                raised.add(x._dtype)
                x = x.to(target)
        out.append(x)
    if not lower and params.get("dtype") in raised:
        params = {**params, "dtype": D.float32}
    return tuple(out), params
