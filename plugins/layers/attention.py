"""Attention layers: MultiheadAttention and TransformerEncoderLayer, as in ``torch.nn``.

Submodule and parameter names are PyTorch's, so state dicts transfer both ways; the
computation is `tensorweave.nn.functional.multi_head_attention_forward`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample
from tensorweave.nn import Module, Parameter, init
from tensorweave.nn import functional as F

from .activation import GELU, ReLU
from .dropout import Dropout
from .linear import Linear
from .normalization import LayerNorm

__all__ = ["MultiheadAttention", "TransformerEncoderLayer"]


class NonDynamicallyQuantizableLinear(Linear):
    """A `Linear` under the name PyTorch gives `MultiheadAttention.out_proj`, so reprs and
    ``type(m.out_proj).__name__`` match PyTorch's (PyTorch uses the name to keep its
    dynamic quantization away from this layer).
    """


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads, like `torch.nn.MultiheadAttention`:
    ``concat(head_1..head_h) W_o`` with ``head_i = softmax(Q W_q^i (K W_k^i)^T / sqrt(d)) V W_v^i``.

    Args:
        embed_dim: model dimension E (split evenly over the heads).
        num_heads: parallel heads.
        dropout: dropout probability on the attention weights (training only).
        bias: biases on the input and output projections.
        add_bias_kv: append learned ``bias_k``/``bias_v`` rows to the keys and values.
        add_zero_attn: append a zero row to the (projected) keys and values.
        kdim, vdim: key and value features (default E); when either differs from E the
            projections are ``q_proj_weight``/``k_proj_weight``/``v_proj_weight`` instead of
            the packed ``in_proj_weight``.
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).

    Shape:
        - query (L, N, E), key (S, N, kdim), value (S, N, vdim), or without N (unbatched).
        - key_padding_mask (N, S) or (S); attn_mask (L, S) or (N*num_heads, L, S). True (bool)
          blocks a position; a float mask is added to the scores.
        - attn_output (L, N, E); attn_weights (N, L, S) averaged over heads, or
          (N, num_heads, L, S) with ``average_attn_weights=False``; None without
          ``need_weights``.

    Example:
        >>> import tensorweave as tw
        >>> mha = tw.nn.MultiheadAttention(8, 2)
        >>> x = tw.randn(5, 3, 8)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (tensorweave.Size([5, 3, 8]), tensorweave.Size([3, 5, 5]))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(tw.empty((3 * embed_dim, embed_dim), **factory))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(tw.empty((embed_dim, embed_dim), **factory))
            self.k_proj_weight = Parameter(tw.empty((embed_dim, self.kdim), **factory))
            self.v_proj_weight = Parameter(tw.empty((embed_dim, self.vdim), **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(tw.empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        **factory)
        if add_bias_kv:
            self.bias_k = Parameter(tw.empty((1, 1, embed_dim), **factory))
            self.bias_v = Parameter(tw.empty((1, 1, embed_dim), **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's init: xavier-uniform projections, zero biases, xavier-normal bias_k/v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``; see the class docstring for shapes.

        Returns:
            ``(attn_output, attn_weights)``.
        """
        batched = query.dim() == 3
        if self.batch_first and batched:
            query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        # Masks ride in `inputs` (bool arrays stay constants); need_weights, a positional
        # argument before attn_mask, is then a 0-d bool array.
        return [
            ModuleSample(args=(4, 2), inputs=(x((3, 2, 4)), x((5, 2, 4)), x((5, 2, 4))),
                         name="default"),
            ModuleSample(args=(4, 2), kwargs={"kdim": 3, "vdim": 5, "batch_first": True},
                         inputs=(x((2, 3, 4)), x((2, 4, 3)), x((2, 4, 5))),
                         forward_kwargs={"need_weights": False}, name="kdim-vdim-batch_first"),
            ModuleSample(args=(4, 2), inputs=(x((3, 2, 4)), x((4, 2, 4)), x((4, 2, 4)),
                                              np.array([[False, False, True, False],
                                                        [True, False, False, False]]),
                                              np.array(True),
                                              np.array([[False, True, False, True],
                                                        [False, False, True, False],
                                                        [True, False, False, False]])),
                         forward_kwargs={"average_attn_weights": False}, name="bool-masks"),
            ModuleSample(args=(4, 2), inputs=(x((3, 2, 4)), x((4, 2, 4)), x((4, 2, 4)),
                                              x((2, 4)), np.array(True), x((3, 4))),
                         name="float-masks"),
            ModuleSample(args=(4, 1), kwargs={"bias": False, "add_bias_kv": True,
                                              "add_zero_attn": True},
                         inputs=(x((3, 4)), x((2, 4)), x((2, 4))), name="unbatched-bias_kv"),
            ModuleSample(args=(4, 2), inputs=(x((3, 2, 4)), x((3, 2, 4)), x((3, 2, 4)), None,
                                              np.array(False), np.triu(np.ones((3, 3), bool), 1)),
                         forward_kwargs={"is_causal": True}, name="causal"),
            ModuleSample(args=(4, 2), kwargs={"dropout": 0.5},
                         inputs=(x((3, 2, 4)), x((3, 2, 4)), x((3, 2, 4))), name="dropout",
                         random=True),
        ]


def _get_activation_fn(activation: str) -> Callable[[Tensor], Tensor]:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward block, each with a residual connection and a
    LayerNorm, like `torch.nn.TransformerEncoderLayer` (submodule names are PyTorch's).

    Args:
        d_model: model dimension.
        nhead: attention heads.
        dim_feedforward: hidden size of the feed-forward block.
        dropout: dropout probability (attention weights, feed-forward, both residuals).
        activation: ``"relu"``, ``"gelu"`` or a callable (a Module is registered).
        layer_norm_eps: the LayerNorms' eps.
        batch_first: (N, S, E) instead of (S, N, E).
        norm_first: normalize before each block (pre-LN) instead of after (post-LN).
        bias: biases in the linear layers and the LayerNorms.

    Example:
        >>> import tensorweave as tw
        >>> layer = tw.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(tw.randn(5, 3, 8)).shape
        tensorweave.Size([5, 3, 8])
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Tensor], Tensor] = "relu",
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def forward(self, src: Tensor, src_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
        """Encode ``src`` (S, N, E) (or (N, S, E) with batch_first, or (S, E)).

        Args:
            src_mask: (S, S) or (N*nhead, S, S) attention mask; True (bool) blocks.
            src_key_padding_mask: (N, S) or (S); True (bool) marks padding.
            is_causal: a hint that ``src_mask`` is the causal mask.
        """
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                  is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        small = {"dim_feedforward": 6, "dropout": 0.0}
        return [
            ModuleSample(args=(4, 2), kwargs=small, inputs=(x((3, 2, 4)),), name="post-norm"),
            ModuleSample(args=(4, 2), kwargs={**small, "norm_first": True, "activation": "gelu",
                                              "batch_first": True},
                         inputs=(x((2, 3, 4)), np.triu(np.ones((3, 3), bool), 1),
                                 np.array([[False, False, True], [False, False, False]])),
                         name="pre-norm-gelu-masks"),
            ModuleSample(args=(4, 1), kwargs={**small, "bias": False}, inputs=(x((3, 4)),),
                         name="unbatched-no-bias"),
            ModuleSample(args=(4, 2), kwargs={"dim_feedforward": 6},
                         inputs=(x((3, 2, 4)),), name="dropout", random=True),
            ModuleSample(args=(4, 2), kwargs={"dim_feedforward": 6},
                         inputs=(x((3, 2, 4)),), name="eval", train=False),
        ]
