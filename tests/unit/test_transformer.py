"""TransformerEncoder, TransformerDecoderLayer, TransformerDecoder and Transformer against
PyTorch (float64, parameters copied from a PyTorch instance, dropout 0): outputs and every
input and parameter gradient, with attention masks, padding masks and causal hints, plus
layout, init, the causal mask and errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from _module_oracle import compare, copy_parameters

import tensorweave as tw

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")

RNG = np.random.default_rng(0)
D_MODEL, HEADS, FF = 4, 2, 6
S, T, B = 4, 3, 2


def rand(*shape):
    return RNG.standard_normal(shape)


def bool_mask(*shape):
    blocked = RNG.random(shape) < 0.3
    blocked[..., 0] = False
    return blocked


def causal(n):
    return np.triu(np.ones((n, n), bool), 1)


def seq(length, batch_first=False):
    return rand(B, length, D_MODEL) if batch_first else rand(length, B, D_MODEL)


def encoder_pair(num_layers=2, norm=True, **kwargs):
    """A tensorweave TransformerEncoder and PyTorch's, sharing parameters (float64)."""
    torch.manual_seed(0)
    ref = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, 0.0, **kwargs), num_layers,
        torch.nn.LayerNorm(D_MODEL) if norm else None, enable_nested_tensor=False)
    mod = tw.nn.TransformerEncoder(tw.nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, 0.0,
                                                                 **kwargs),
                                   num_layers, tw.nn.LayerNorm(D_MODEL) if norm else None)
    copy_parameters(mod, ref)
    return mod, ref


def decoder_pair(num_layers=2, norm=True, **kwargs):
    torch.manual_seed(0)
    ref = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF, 0.0, **kwargs), num_layers,
        torch.nn.LayerNorm(D_MODEL) if norm else None)
    mod = tw.nn.TransformerDecoder(tw.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF, 0.0,
                                                                 **kwargs),
                                   num_layers, tw.nn.LayerNorm(D_MODEL) if norm else None)
    copy_parameters(mod, ref)
    return mod, ref


def pair(name, *args, **kwargs):
    torch.manual_seed(0)
    ref = getattr(torch.nn, name)(*args, **kwargs)
    mod = getattr(tw.nn, name)(*args, **kwargs)
    copy_parameters(mod, ref)
    return mod, ref


def both_modes(mod, ref, train):
    mod.train(train)
    ref.train(train)


# -- TransformerEncoder -------------------------------------------------------------------------

ENCODER_CASES = [
    ("post-norm", {}, {}),
    ("no-final-norm", {"norm": False}, {}),
    ("pre-norm-gelu-1-layer", {"norm_first": True, "activation": "gelu", "num_layers": 1}, {}),
    ("bool-masks", {}, {"mask": bool_mask(S, S), "src_key_padding_mask": bool_mask(B, S)}),
    ("float-masks", {"bias": False}, {"mask": rand(S, S), "src_key_padding_mask": rand(B, S)}),
    ("causal-detected", {"norm_first": True}, {"mask": causal(S)}),
    ("causal-hint-padding", {}, {"mask": causal(S), "is_causal": True,
                                 "src_key_padding_mask": bool_mask(B, S)}),
    ("per-head-mask", {}, {"mask": bool_mask(B * HEADS, S, S)}),
]


@pytest.mark.parametrize("kwargs,forward_kwargs", [c[1:] for c in ENCODER_CASES],
                         ids=[c[0] for c in ENCODER_CASES])
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_transformer_encoder_matches_torch(kwargs, forward_kwargs, train):
    mod, ref = encoder_pair(**kwargs)
    both_modes(mod, ref, train)
    compare(mod, ref, (seq(S),), forward_kwargs)


def test_transformer_encoder_batch_first_and_unbatched():
    mod, ref = encoder_pair(batch_first=True)
    compare(mod, ref, (seq(S, batch_first=True),),
            {"mask": causal(S), "src_key_padding_mask": bool_mask(B, S)})
    mod, ref = encoder_pair()
    compare(mod, ref, (rand(S, D_MODEL),), {"src_key_padding_mask": bool_mask(S)})


def test_transformer_encoder_layers_are_independent_copies():
    """Each layer starts as the given one and trains its own parameters."""
    layer = tw.nn.TransformerEncoderLayer(D_MODEL, HEADS, FF)
    enc = tw.nn.TransformerEncoder(layer, 3, enable_nested_tensor=True)
    assert len(enc.layers) == enc.num_layers == 3 and enc.norm is None
    assert enc.enable_nested_tensor and not enc.use_nested_tensor
    a, b = enc.layers[0].linear1.weight, enc.layers[1].linear1.weight
    assert a is not b and a is not layer.linear1.weight
    np.testing.assert_array_equal(a.detach().numpy(), layer.linear1.weight.detach().numpy())
    with tw.no_grad():
        a.add_(1.0)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    ref = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(D_MODEL, HEADS, FF), 3,
                                      enable_nested_tensor=False)
    assert list(enc.state_dict()) == list(ref.state_dict())
    assert repr(enc) == repr(ref)


def test_transformer_encoder_warns_on_mismatched_mask_types():
    """A bool padding mask with a float mask warns, as PyTorch."""
    mod, _ = encoder_pair(num_layers=1)
    with pytest.warns(UserWarning, match="Support for mismatched src_key_padding_mask and "
                                         "mask is deprecated"):
        mod(tw.tensor(seq(S)), mask=tw.tensor(rand(S, S)),
            src_key_padding_mask=tw.tensor(bool_mask(B, S)))


# -- TransformerDecoderLayer / TransformerDecoder -------------------------------------------------

DECODER_CASES = [
    ("post-norm", {}, {}),
    ("pre-norm-gelu", {"norm_first": True, "activation": "gelu"}, {}),
    ("no-bias-float-masks", {"bias": False},
     {"tgt_mask": rand(T, T), "memory_mask": rand(T, S)}),
    ("bool-masks-padding", {},
     {"tgt_mask": bool_mask(T, T), "memory_mask": bool_mask(T, S),
      "tgt_key_padding_mask": bool_mask(B, T), "memory_key_padding_mask": bool_mask(B, S)}),
    ("causal-hint", {"norm_first": True}, {"tgt_mask": causal(T), "tgt_is_causal": True}),
]


@pytest.mark.parametrize("kwargs,forward_kwargs", [c[1:] for c in DECODER_CASES],
                         ids=[c[0] for c in DECODER_CASES])
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_transformer_decoder_layer_matches_torch(kwargs, forward_kwargs, train):
    mod, ref = pair("TransformerDecoderLayer", D_MODEL, HEADS, FF, 0.0, **kwargs)
    both_modes(mod, ref, train)
    compare(mod, ref, (seq(T), seq(S)), forward_kwargs)


def test_transformer_decoder_layer_batch_first_unbatched_and_callable_activation():
    mod, ref = pair("TransformerDecoderLayer", D_MODEL, HEADS, FF, 0.0, batch_first=True)
    compare(mod, ref, (seq(T, True), seq(S, True)),
            {"tgt_mask": causal(T), "memory_key_padding_mask": bool_mask(B, S)})
    torch.manual_seed(0)
    ref = torch.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF, 0.0,
                                           activation=torch.nn.functional.silu)
    mod = tw.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF, 0.0,
                                        activation=tw.nn.functional.silu)
    copy_parameters(mod, ref)
    compare(mod, ref, (rand(T, D_MODEL), rand(S, D_MODEL)))


@pytest.mark.parametrize("kwargs,forward_kwargs", [c[1:] for c in DECODER_CASES],
                         ids=[c[0] for c in DECODER_CASES])
def test_transformer_decoder_matches_torch(kwargs, forward_kwargs):
    mod, ref = decoder_pair(**kwargs)
    compare(mod, ref, (seq(T), seq(S)), forward_kwargs)


def test_transformer_decoder_detects_a_causal_tgt_mask():
    """tgt_is_causal=None compares tgt_mask with the causal mask (PyTorch's detection)."""
    mod, ref = decoder_pair(norm=False)
    float_causal = tw.nn.Transformer.generate_square_subsequent_mask(T).double().numpy()
    compare(mod, ref, (seq(T), seq(S)), {"tgt_mask": float_causal})


def test_decoder_layout_and_repr_are_torchs():
    for kwargs in ({}, {"bias": False, "norm_first": True, "layer_norm_eps": 1e-6}):
        mod = tw.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF, **kwargs)
        ref = torch.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF, **kwargs)
        assert [n for n, _ in mod.named_children()] == [n for n, _ in ref.named_children()]
        assert [(n, tuple(p.shape)) for n, p in mod.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in ref.named_parameters()]
        assert repr(mod) == repr(ref)
    assert tw.nn.TransformerDecoderLayer(D_MODEL, HEADS).linear1.out_features == 2048
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not swish"):
        tw.nn.TransformerDecoderLayer(D_MODEL, HEADS, activation="swish")
    dec = tw.nn.TransformerDecoder(tw.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF), 2)
    ref = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF), 2)
    assert repr(dec) == repr(ref) and list(dec.state_dict()) == list(ref.state_dict())


# -- Transformer ----------------------------------------------------------------------------------

TINY = {"d_model": D_MODEL, "nhead": HEADS, "num_encoder_layers": 2, "num_decoder_layers": 1,
        "dim_feedforward": FF, "dropout": 0.0}

TRANSFORMER_CASES = [
    ("post-norm", {}, {}),
    ("pre-norm-gelu-no-bias", {"norm_first": True, "activation": "gelu", "bias": False}, {}),
    ("all-masks", {},
     {"src_mask": bool_mask(S, S), "tgt_mask": causal(T), "memory_mask": bool_mask(T, S),
      "src_key_padding_mask": bool_mask(B, S), "tgt_key_padding_mask": bool_mask(B, T),
      "memory_key_padding_mask": bool_mask(B, S)}),
    ("causal-hints", {"norm_first": True},
     {"src_mask": causal(S), "src_is_causal": True, "tgt_mask": causal(T),
      "tgt_is_causal": True}),
]


@pytest.mark.parametrize("kwargs,forward_kwargs", [c[1:] for c in TRANSFORMER_CASES],
                         ids=[c[0] for c in TRANSFORMER_CASES])
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_transformer_matches_torch(kwargs, forward_kwargs, train):
    mod, ref = pair("Transformer", **TINY, **kwargs)
    both_modes(mod, ref, train)
    compare(mod, ref, (seq(S), seq(T)), forward_kwargs)


def test_transformer_batch_first_and_unbatched():
    mod, ref = pair("Transformer", **TINY, batch_first=True)
    compare(mod, ref, (seq(S, True), seq(T, True)),
            {"tgt_mask": causal(T), "src_key_padding_mask": bool_mask(B, S)})
    mod, ref = pair("Transformer", **TINY)
    compare(mod, ref, (rand(S, D_MODEL), rand(T, D_MODEL)))


def test_transformer_custom_encoder_and_decoder():
    """Custom stacks replace the built ones (and are xavier-initialized like them)."""
    enc = tw.nn.TransformerEncoder(tw.nn.TransformerEncoderLayer(D_MODEL, HEADS, FF), 1)
    dec = tw.nn.TransformerDecoder(tw.nn.TransformerDecoderLayer(D_MODEL, HEADS, FF), 1)
    model = tw.nn.Transformer(D_MODEL, HEADS, custom_encoder=enc, custom_decoder=dec)
    assert model.encoder is enc and model.decoder is dec
    assert (model.d_model, model.nhead, model.batch_first) == (D_MODEL, HEADS, False)


def test_transformer_layout_init_and_repr_are_torchs():
    mod = tw.nn.Transformer(**TINY)
    ref = torch.nn.Transformer(**TINY)
    assert [(n, tuple(p.shape)) for n, p in mod.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in ref.named_parameters()]
    assert repr(mod) == repr(ref)
    bound = np.sqrt(6.0 / (D_MODEL + FF))  # xavier-uniform of linear1 (FF, D_MODEL)
    w = mod.encoder.layers[0].linear1.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > bound / 2
    assert mod.encoder.layers[0].self_attn.in_proj_bias.detach().numpy().tolist() == [0.0] * 12


def test_generate_square_subsequent_mask_matches_torch():
    got = tw.nn.Transformer.generate_square_subsequent_mask(4)
    want = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert got.dtype is tw.float32
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    got64 = tw.nn.Transformer.generate_square_subsequent_mask(2, dtype=tw.float64)
    assert got64.dtype is tw.float64 and got64.tolist() == [[0.0, -np.inf], [0.0, 0.0]]


def test_transformer_errors():
    """PyTorch's messages for mismatched batches and features."""
    model = tw.nn.Transformer(**TINY)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(tw.randn(S, B, D_MODEL), tw.randn(T, B + 1, D_MODEL))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal "
                                           "to d_model"):
        model(tw.randn(S, B, D_MODEL), tw.randn(T, B, D_MODEL + 1))
    model = tw.nn.Transformer(**TINY, batch_first=True)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(tw.randn(B, S, D_MODEL), tw.randn(B + 1, T, D_MODEL))
