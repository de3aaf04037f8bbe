"""Attention: `scaled_dot_product_attention` and `multi_head_attention_forward`, as in
``torch.nn.functional``.

Both are compositions of ops (matmul, softmax, masked_fill...), so their gradients come
from the ops' derivatives on every backend. Masks follow PyTorch: a bool mask is True
where attention is *allowed* in `scaled_dot_product_attention` but True where it is
*blocked* in `multi_head_attention_forward` (``key_padding_mask``/``attn_mask``); a float
mask is added to the scores.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ... import dtypes as D
from ...ops.creation import ones, zeros
from ...ops.elementwise import where
from ...ops.linalg import matmul
from ...ops.movement import cat
from ...ops.nn import softmax
from ...tensor import Tensor
from . import _dropout, _linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")


def _check_sdpa(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
                is_causal: bool) -> None:
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, "
                           f"but got query.dim: {query.dim()} key.dim: {key.dim()} and "
                           f"value.dim: {value.dim()} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {query.dtype.name} key.dtype: {key.dtype.name} and "
                           f"value.dtype: {value.dtype.name} instead.")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"scaled_dot_product_attention: expected floating-point query, key "
                           f"and value; got {query.dtype.name}. Convert them with .float().")
    if attn_mask is not None:
        if attn_mask.dtype not in (D.bool, D.float32, query.dtype):
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                               f"dtype, but got attn_mask.dtype: {attn_mask.dtype.name} and  "
                               f"query.dtype: {query.dtype.name} instead.")
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")


def _repeat_heads(x: Tensor, groups: int) -> Tensor:
    """``x`` (..., H, S, E) with each head repeated ``groups`` times in place (H*groups heads),
    like ``repeat_interleave(groups, -3)``.
    """
    *lead, h, s, e = x.shape
    return x.unsqueeze(-3).expand(*lead, h, groups, s, e).reshape(*lead, h * groups, s, e)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value``, like
    `torch.nn.functional.scaled_dot_product_attention`.

    Args:
        query: (N, ..., Hq, L, E).
        key: (N, ..., H, S, E).
        value: (N, ..., H, S, Ev).
        attn_mask: broadcastable to (N, ..., Hq, L, S): bool (True = take part) or float
            (added to the scores).
        dropout_p: dropout probability on the attention weights (always applied when > 0,
            as in PyTorch: pass 0.0 in evaluation).
        is_causal: mask with the upper-left causal pattern (row i sees keys 0..i).
        scale: the score scale; 1/sqrt(E) by default.
        enable_gqa: grouped-query attention: Hq a multiple of H, key/value heads repeated.

    Returns:
        (N, ..., Hq, L, Ev). Rows whose every key is masked give zeros (and zero gradients).

    Raises:
        RuntimeError: for inputs with fewer than 2 dims, mixed dtypes, a bad mask dtype, or
            both ``attn_mask`` and ``is_causal``.

    Example:
        >>> import tensorweave as tw
        >>> q = k = v = tw.ones(1, 2, 3, 4)
        >>> tw.nn.functional.scaled_dot_product_attention(q, k, v).shape
        tensorweave.Size([1, 2, 3, 4])
    """
    _check_sdpa(query, key, value, attn_mask, is_causal)
    n_q, n_k = query.size(-2), key.size(-2)
    if enable_gqa and query.dim() >= 3 and key.size(-3) != query.size(-3):
        heads, kv_heads = query.size(-3), key.size(-3)
        if kv_heads == 0 or heads % kv_heads or value.size(-3) != kv_heads:
            raise RuntimeError("Number of heads in key and value must divide the number of "
                               f"heads in query (got {heads} query heads, {kv_heads} key heads "
                               f"and {value.size(-3)} value heads)")
        key, value = _repeat_heads(key, heads // kv_heads), _repeat_heads(value, heads // kv_heads)
    if scale is None:
        scale = 1.0 / math.sqrt(query.size(-1))
    scores = matmul(query * scale, key.transpose(-2, -1))
    if is_causal:
        allowed = ones(n_q, n_k, dtype=D.bool, device=query.device).tril()
        scores = scores.masked_fill(allowed.logical_not(), _NEG_INF)
    if attn_mask is None:
        weights = softmax(scores, -1)
    else:
        if attn_mask.dtype == D.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), _NEG_INF)
        else:
            scores = scores + attn_mask
        # A row with every key masked attends to nothing: zeros, not softmax's nan.
        empty = scores.amax(-1, keepdim=True) == _NEG_INF
        weights = where(empty, 0.0, softmax(where(empty, 0.0, scores), -1))
    if dropout_p > 0.0:
        weights = _dropout.dropout(weights, dropout_p, True)
    return matmul(weights, value)


# -- multi-head attention --------------------------------------------------------------------


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor,
                     key_padding_mask: Tensor | None, attn_mask: Tensor | None,
                     num_heads: int) -> bool:
    """PyTorch's checks (and messages); returns whether the inputs are batched."""
    if query.dim() not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    batched = query.dim() == 3
    want, name = (3, "batched (3-D)") if batched else (2, "unbatched (2-D)")
    if key.dim() != want or value.dim() != want:
        raise AssertionError(f"For {name} `query`, expected `key` and `value` to be {want}-D but "
                             f"found {key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != want - 1:
        raise AssertionError(f"For {name} `query`, expected `key_padding_mask` to be `None` or "
                             f"{want - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {name} `query`, expected `attn_mask` to be `None`, 2-D "
                                 f"or 3-D but found {attn_mask.dim()}-D tensor instead")
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{attn_mask.shape}")
    return batched


def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: Any, other_name: str,
                    target_type: Any, check_other: bool = True) -> Tensor | None:
    """A bool mask (True = blocked) as a float mask of ``target_type`` (-inf = blocked);
    float masks pass through.

    Raises:
        AssertionError: for a mask that is neither bool nor floating point.
    """
    if mask is None:
        return None
    is_float = mask.dtype.is_floating_point
    if mask.dtype != D.bool and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use "
                      "same type for both instead.", stacklevel=3)
    if is_float:
        return mask
    return zeros(mask.shape, dtype=target_type, device=mask.device).masked_fill(mask, _NEG_INF)


def _none_or_dtype(input: Tensor | None) -> Any:  # noqa: A002
    return None if input is None else input.dtype


def _pad_last(mask: Tensor) -> Tensor:
    """A float mask with one more key column that blocks nothing."""
    return cat([mask, zeros(*mask.shape[:-1], 1, dtype=mask.dtype, device=mask.device)], -1)


def _in_projection(query: Tensor, key: Tensor, value: Tensor, weights: tuple[Tensor, ...],
                   bias: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    """q, k, v projected with their weights and the three thirds of ``bias``."""
    biases = (None, None, None) if bias is None else bias.chunk(3)
    e = query.size(-1)
    for what, w, dim in zip(("query", "key", "value"), weights, (e, key.size(-1), value.size(-1))):
        if tuple(w.shape) != (e, dim):
            raise AssertionError(f"expecting {what} weights shape of {(e, dim)}, but got "
                                 f"{w.shape}")
    return tuple(_linear.linear(x, w, b)  # type: ignore[return-value]
                 for x, w, b in zip((query, key, value), weights, biases))


def _static(t: Tensor, name: str, heads: int, head_dim: int) -> Tensor:
    if t.size(0) != heads:
        raise AssertionError(f"expecting {name}.size(0) of {heads}, but got {t.size(0)}")
    if t.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.size(2)}")
    return t


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention, like `torch.nn.functional.multi_head_attention_forward` (what
    `tensorweave.nn.MultiheadAttention` runs).

    Shapes: query (L, N, E) or (L, E); key (S, N, Ek); value (S, N, Ev);
    key_padding_mask (N, S) or (S); attn_mask (L, S) or (N*num_heads, L, S). In both masks
    True (bool) blocks a position and a float is added to the scores.

    Returns:
        ``(attn_output, attn_weights)``: (L, N, E), and with ``need_weights`` the weights
        (N, L, S) averaged over heads (or (N, num_heads, L, S)); else None.

    Raises:
        AssertionError, RuntimeError: with PyTorch's messages for inconsistent shapes.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # sdpa applies the causal pattern itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
        for name, w in zip("qkv", weights):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights = in_proj_weight.chunk(3)
    q, k, v = _in_projection(query, key, value, weights, in_proj_bias)

    src_len = key.shape[0]
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                               f"be {(bsz * num_heads, tgt_len, src_len)}.")
    if (bias_k is None) != (bias_v is None):
        raise AssertionError(f"bias_{'k' if bias_v is None else 'v'} is set but "
                             f"bias_{'v' if bias_v is None else 'k'} is None")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError(f"bias cannot be added to static "
                                 f"{'key' if static_k is not None else 'value'}.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)

    heads = bsz * num_heads
    q = q.reshape(tgt_len, heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], heads, head_dim).transpose(0, 1) if static_k is None
         else _static(static_k, "static_k", heads, head_dim))
    v = (v.reshape(v.shape[0], heads, head_dim).transpose(0, 1) if static_v is None
         else _static(static_v, "static_v", heads, head_dim))
    if add_zero_attn:
        k = cat([k, zeros(heads, 1, head_dim, dtype=k.dtype, device=k.device)], 1)
        v = cat([v, zeros(heads, 1, head_dim, dtype=v.dtype, device=v.device)], 1)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.size(1)
    if key_padding_mask is not None:
        for i, size in enumerate((bsz, src_len)):
            if key_padding_mask.shape[i] != size:
                raise AssertionError(f"Expected key_padded_mask.shape[{i}] to be {size}, but "
                                     f"got {key_padding_mask.shape[i]}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        kpm = kpm.reshape(heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        scores = matmul(q * math.sqrt(1.0 / head_dim), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        attn_weights = softmax(scores, -1)
        if dropout_p > 0.0:
            attn_weights = _dropout.dropout(attn_weights, dropout_p, True)
        out = matmul(attn_weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = _linear.linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
        attn_weights = attn_weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn_weights = attn_weights.mean(1)
        if not is_batched:
            return out.squeeze(1), attn_weights.squeeze(0)
        return out, attn_weights

    if attn_mask is not None:
        attn_mask = (attn_mask.unsqueeze(0) if attn_mask.size(0) == 1
                     else attn_mask.view(bsz, num_heads, -1, src_len))
    out = scaled_dot_product_attention(q.view(bsz, num_heads, tgt_len, head_dim),
                                       k.view(bsz, num_heads, src_len, head_dim),
                                       v.view(bsz, num_heads, src_len, head_dim),
                                       attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = _linear.linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    return (out if is_batched else out.squeeze(1)), None
