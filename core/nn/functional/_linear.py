"""``linear`` (an op: one fused kernel call on cpu) and ``bilinear``."""

from __future__ import annotations

from ...ops import nn as _nn
from ...ops.linalg import einsum
from ...tensor import Tensor

__all__ = ["linear", "bilinear"]

linear = _nn.linear


def _check_bilinear(x1: Tensor, x2: Tensor, w: Tensor, b: Tensor | None) -> None:
    """PyTorch's checks, with its messages."""
    if w.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out_features, in1_features, "
                           f"in2_features); got shape {list(w.shape)}")
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and "
                           f"{x2.ndim}")
    for d in range(x1.ndim - 1):
        if x1.shape[d] != x2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{x1.shape[d]} and {x2.shape[d]}")
    if x1.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{x1.shape[-1]} but expected {w.shape[1]}")
    if x2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{x2.shape[-1]} but expected {w.shape[2]}")
    if b is not None and b.numel() != w.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {b.numel()} "
                           f"but expected {w.shape[0]}")
    dts = {t.dtype for t in (x1, x2, w, b) if t is not None}
    if len(dts) > 1:
        raise RuntimeError(f"bilinear(): All tensors must have the same dtype, got input1: "
                           f"{x1.dtype.name}, input2: {x2.dtype.name}, weight: {w.dtype.name}")


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``.

    Args:
        input1: ``(*, in1_features)``.
        input2: ``(*, in2_features)``, the same batch shape as ``input1``.
        weight: ``(out_features, in1_features, in2_features)``.
        bias: ``(out_features,)``; optional.

    Returns:
        ``(*, out_features)``.

    Raises:
        RuntimeError: for mismatched shapes or dtypes (PyTorch's messages).
    """
    _check_bilinear(input1, input2, weight, bias)
    batch = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, weight.shape[1])
    x2 = input2.reshape(-1, weight.shape[2])
    out = einsum("ni,oij,nj->no", x1, weight, x2).reshape(*batch, weight.shape[0])
    return out if bias is None else out + bias
