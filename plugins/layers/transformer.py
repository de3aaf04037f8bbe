"""Transformer stacks, as in ``torch.nn``: `TransformerEncoder`, `TransformerDecoderLayer`,
`TransformerDecoder` and `Transformer`, built on `MultiheadAttention` and
`TransformerEncoderLayer` (`attention`). Submodule and parameter names are PyTorch's, so
state dicts transfer both ways.

PyTorch's inference fast path (padded batches packed as nested tensors) is not implemented:
``enable_nested_tensor`` is accepted and ignored, so every position is computed, and outputs
at padded positions are the full computation's where PyTorch's fast path may give zeros.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

import tensorweave as tw
from tensorweave import Tensor
from tensorweave.conformance.modules import ModuleSample, Submodule
from tensorweave.nn import Module, ModuleList, init
from tensorweave.nn.functional._attention import _canonical_mask, _none_or_dtype

from .attention import MultiheadAttention, TransformerEncoderLayer, _get_activation_fn
from .dropout import Dropout
from .linear import Linear
from .normalization import LayerNorm

__all__ = ["TransformerEncoder", "TransformerDecoderLayer", "TransformerDecoder", "Transformer"]


def _get_clones(module: Module, n: int) -> ModuleList:
    """``n`` independent deep copies of ``module`` (same initial parameters, not shared)."""
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _get_seq_len(src: Tensor, batch_first: bool) -> int:
    """The sequence length of (S, E), (S, N, E) or, with ``batch_first``, (N, S, E)."""
    return src.shape[0] if src.dim() == 2 else src.shape[1 if batch_first else 0]


def _square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
    """(sz, sz): -inf above the diagonal, 0 elsewhere (True/False for a bool ``dtype``)."""
    blocked = tw.ones((sz, sz), dtype=tw.bool, device=device).triu(1)
    if dtype is tw.bool:
        return blocked
    return tw.zeros((sz, sz), dtype=dtype, device=device).masked_fill(blocked, float("-inf"))


def _detect_is_causal_mask(mask: Tensor | None, is_causal: bool | None, size: int) -> bool:
    """``is_causal`` when given; else whether ``mask`` is the causal mask of ``size``
    (PyTorch's check, which reads the mask back to the host).
    """
    if is_causal is not None or mask is None:
        return bool(is_causal)
    if tuple(mask.shape) != (size, size):
        return False
    return bool((mask == _square_subsequent_mask(size, mask.device, mask.dtype)).all())


class TransformerEncoder(Module):
    """``num_layers`` copies of an encoder layer applied in turn, then an optional norm, like
    `torch.nn.TransformerEncoder`.

    Args:
        encoder_layer: the layer to copy (a `TransformerEncoderLayer`); each copy starts with
            its parameters and trains its own.
        num_layers: how many copies.
        norm: a module applied to the last layer's output (a `LayerNorm`), or None.
        enable_nested_tensor: accepted for PyTorch's signature and ignored (there is no
            nested-tensor fast path; see the module docstring).
        mask_check: accepted for PyTorch's signature (it only gates that fast path).

    Shape:
        src (S, N, E), (N, S, E) with the layer's ``batch_first``, or (S, E); the output has
        src's shape. ``mask`` (S, S) or (N*nhead, S, S); ``src_key_padding_mask`` (N, S) or
        (S); True (bool) blocks a position, a float is added to the scores.

    Example:
        >>> import tensorweave as tw
        >>> layer = tw.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> encoder = tw.nn.TransformerEncoder(layer, num_layers=2)
        >>> encoder(tw.randn(5, 3, 8)).shape
        tensorweave.Size([5, 3, 8])
    """

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Module | None = None, enable_nested_tensor: bool = True,
                 mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(self, src: Tensor, mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        """Encode ``src`` through every layer.

        Args:
            mask: the attention mask of every layer.
            src_key_padding_mask: True (bool) marks padding.
            is_causal: a hint that ``mask`` is the causal mask; None detects it by comparing
                ``mask`` with `Transformer.generate_square_subsequent_mask`.
        """
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               _none_or_dtype(mask), "mask", src.dtype)
        mask = _canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
        batch_first = self.layers[0].self_attn.batch_first
        is_causal = _detect_is_causal_mask(mask, is_causal, _get_seq_len(src, batch_first))
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, is_causal=is_causal,
                        src_key_padding_mask=src_key_padding_mask)
        return out if self.norm is None else self.norm(out)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        layer = Submodule("TransformerEncoderLayer", (4, 2), {"dim_feedforward": 6,
                                                              "dropout": 0.0})
        return [ModuleSample(args=(layer, 2), inputs=(x((3, 2, 4)),), name="two-layers"),
                ModuleSample(args=(layer, 1), kwargs={"norm": Submodule("LayerNorm", (4,))},
                             inputs=(x((3, 2, 4)), np.triu(np.ones((3, 3), bool), 1)),
                             name="norm-causal-mask")]


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's output (``memory``), then a feed-forward
    block, each with a residual connection and a LayerNorm, like
    `torch.nn.TransformerDecoderLayer`.

    Args:
        d_model: model dimension.
        nhead: attention heads.
        dim_feedforward: hidden size of the feed-forward block.
        dropout: dropout probability (attention weights, feed-forward, the three residuals).
        activation: ``"relu"``, ``"gelu"`` or a callable (a Module is registered).
        layer_norm_eps: the LayerNorms' eps.
        batch_first: (N, T, E) instead of (T, N, E).
        norm_first: normalize before each block (pre-LN) instead of after (post-LN).
        bias: biases in the linear layers and the LayerNorms.

    Shape:
        tgt (T, N, E), memory (S, N, E) (batch first with ``batch_first``, or without N);
        output like tgt. ``tgt_mask`` (T, T), ``memory_mask`` (T, S) (or per head, with
        N*nhead first); ``tgt_key_padding_mask`` (N, T), ``memory_key_padding_mask`` (N, S).

    Example:
        >>> import tensorweave as tw
        >>> layer = tw.nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(tw.randn(4, 3, 8), tw.randn(5, 3, 8)).shape
        tensorweave.Size([4, 3, 8])
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
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                 batch_first=batch_first, **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = (_get_activation_fn(activation) if isinstance(activation, str)
                           else activation)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:
        """Decode ``tgt`` attending to ``memory``; see the class docstring for shapes.

        Args:
            tgt_is_causal, memory_is_causal: hints that ``tgt_mask`` / ``memory_mask`` are
                causal masks.
        """
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask,
                                   tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                           memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                  is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           is_causal=is_causal, need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x: Tensor, mem: Tensor, attn_mask: Tensor | None,
                   key_padding_mask: Tensor | None, is_causal: bool) -> Tensor:
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        small = {"dim_feedforward": 6, "dropout": 0.0}
        return [
            ModuleSample(args=(4, 2), kwargs=small, inputs=(x((3, 2, 4)), x((2, 2, 4))),
                         name="post-norm"),
            ModuleSample(args=(4, 2), kwargs={**small, "norm_first": True, "activation": "gelu",
                                              "batch_first": True},
                         inputs=(x((2, 3, 4)), x((2, 2, 4)), np.triu(np.ones((3, 3), bool), 1),
                                 None, None, np.array([[False, True], [False, False]])),
                         name="pre-norm-gelu-masks"),
            ModuleSample(args=(4, 1), kwargs={**small, "bias": False},
                         inputs=(x((2, 4)), x((3, 4)), None, x((2, 3))),
                         name="unbatched-no-bias-float-mask"),
        ]


class TransformerDecoder(Module):
    """``num_layers`` copies of a decoder layer applied in turn, then an optional norm, like
    `torch.nn.TransformerDecoder`.

    Args:
        decoder_layer: the layer to copy (a `TransformerDecoderLayer`).
        num_layers: how many copies.
        norm: a module applied to the last layer's output, or None.

    Shape:
        As `TransformerDecoderLayer`.

    Example:
        >>> import tensorweave as tw
        >>> layer = tw.nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> decoder = tw.nn.TransformerDecoder(layer, num_layers=2)
        >>> decoder(tw.randn(4, 3, 8), tw.randn(5, 3, 8)).shape
        tensorweave.Size([4, 3, 8])
    """

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        """Decode ``tgt`` through every layer, each attending to ``memory``.

        Args:
            tgt_is_causal: a hint that ``tgt_mask`` is the causal mask; None detects it.
            memory_is_causal: a hint that ``memory_mask`` is causal.
        """
        batch_first = self.layers[0].self_attn.batch_first
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal,
                                               _get_seq_len(tgt, batch_first))
        out = tgt
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask,
                        memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        return out if self.norm is None else self.norm(out)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        layer = Submodule("TransformerDecoderLayer", (4, 2), {"dim_feedforward": 6,
                                                              "dropout": 0.0})
        return [ModuleSample(args=(layer, 2), kwargs={"norm": Submodule("LayerNorm", (4,))},
                             inputs=(x((3, 2, 4)), x((2, 2, 4))), name="two-layers-norm")]


class Transformer(Module):
    """An encoder-decoder transformer ("Attention Is All You Need"), like
    `torch.nn.Transformer`: a `TransformerEncoder` and a `TransformerDecoder`, each ending in
    a LayerNorm, with every matrix parameter xavier-uniform initialized.

    Args:
        d_model: model dimension.
        nhead: attention heads.
        num_encoder_layers, num_decoder_layers: depth of each stack.
        dim_feedforward: hidden size of the feed-forward blocks.
        dropout: dropout probability.
        activation: ``"relu"``, ``"gelu"`` or a callable.
        custom_encoder, custom_decoder: modules used instead of the stacks built here.
        layer_norm_eps: the LayerNorms' eps.
        batch_first: (N, S, E) instead of (S, N, E).
        norm_first: pre-LN instead of post-LN layers.
        bias: biases in the linear layers and the LayerNorms.

    Shape:
        src (S, N, E), tgt (T, N, E) (batch first with ``batch_first``, or without N);
        output (T, N, E). Masks as in `TransformerEncoder` (``src_mask``, (S, S)) and
        `TransformerDecoder` (``tgt_mask`` (T, T), ``memory_mask`` (T, S)).

    Raises:
        RuntimeError: if src and tgt differ in batch size or their features are not d_model.

    Example:
        >>> import tensorweave as tw
        >>> model = tw.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1,
        ...                           num_decoder_layers=1, dim_feedforward=16)
        >>> model(tw.randn(5, 3, 8), tw.randn(4, 3, 8)).shape
        tensorweave.Size([4, 3, 8])
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Tensor], Tensor] = "relu",
                 custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        layer_kwargs = {"dim_feedforward": dim_feedforward, "dropout": dropout,
                        "activation": activation, "layer_norm_eps": layer_norm_eps,
                        "batch_first": batch_first, "norm_first": norm_first, "bias": bias,
                        **factory}
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(d_model, nhead, **layer_kwargs), num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(d_model, nhead, **layer_kwargs), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def _reset_parameters(self) -> None:
        """PyTorch's init: xavier-uniform for every parameter with more than one dim."""
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None,
                tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        """Encode ``src``, then decode ``tgt`` attending to the encoding; see the class
        docstring for shapes. The ``*_is_causal`` arguments are hints, as in the stacks.
        """
        batched = src.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if batched and src.shape[batch_dim] != tgt.shape[batch_dim]:
            raise RuntimeError(f"the batch number of src and tgt must be equal; got src "
                               f"{list(src.shape)} and tgt {list(tgt.shape)} (batch dim "
                               f"{batch_dim}, batch_first={self.batch_first})")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"the feature number of src and tgt must be equal to d_model; "
                               f"got src {list(src.shape)} and tgt {list(tgt.shape)} with "
                               f"d_model={self.d_model}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None,
                                        dtype: Any = None) -> Tensor:
        """The causal mask of a length-``sz`` sequence: (sz, sz) floats, ``-inf`` above the
        diagonal (a position may not attend to later ones) and 0 elsewhere.

        Example:
            >>> import tensorweave as tw
            >>> tw.nn.Transformer.generate_square_subsequent_mask(3)
            tensor([[0., -inf, -inf],
                    [0., 0., -inf],
                    [0., 0., 0.]])
        """
        return _square_subsequent_mask(sz, device, dtype)

    @classmethod
    def conformance_samples(cls, rng: np.random.Generator) -> list[ModuleSample]:
        x = rng.standard_normal
        tiny = {"d_model": 4, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1,
                "dim_feedforward": 6, "dropout": 0.0}
        causal = np.triu(np.ones((2, 2), bool), 1)
        return [
            ModuleSample(kwargs=tiny, inputs=(x((3, 2, 4)), x((2, 2, 4))), name="post-norm"),
            ModuleSample(kwargs={**tiny, "num_encoder_layers": 2, "norm_first": True,
                                 "batch_first": True},
                         inputs=(x((2, 3, 4)), x((2, 2, 4)), None, causal, None,
                                 np.array([[False, False, True], [False, False, False]])),
                         name="pre-norm-masks"),
        ]
