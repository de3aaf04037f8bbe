"""scaled_dot_product_attention, multi_head_attention_forward, MultiheadAttention and
TransformerEncoderLayer against PyTorch (float64, identical parameters): outputs and every
gradient, masks of both kinds, options, repr, init and errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _module_oracle import compare, copy_parameters

import tensorweave as tw
from tensorweave.nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape)


def both(*arrays):
    """Each array as a leaf (floats require grad) in tensorweave and in PyTorch."""
    def conv(fw, a):
        t = fw.tensor(a)
        return t.requires_grad_() if a.dtype.kind == "f" else t
    return [conv(tw, a) for a in arrays], [conv(torch, a) for a in arrays]


def check_grads(out, ref, tw_in, torch_in, atol=1e-10):
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=atol, rtol=1e-8)
    g = rand(*ref.shape)
    out.backward(tw.tensor(g))
    ref.backward(torch.tensor(g))
    for a, b in zip(tw_in, torch_in):
        if b.requires_grad:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=1e-8)


# -- scaled_dot_product_attention -----------------------------------------------------------


SDPA_CASES = [
    ("4-d", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), None, {}),
    ("3-d", (3, 4, 5), (3, 6, 5), (3, 6, 2), None, {}),
    ("2-d", (4, 5), (6, 5), (6, 3), None, {}),
    ("bool-mask", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), "bool", {}),
    ("float-mask", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), "float", {}),
    ("batched-mask", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), "bool-batched", {}),
    ("causal-square", (2, 3, 4, 5), (2, 3, 4, 5), (2, 3, 4, 7), None, {"is_causal": True}),
    ("causal-wide", (2, 4, 5), (2, 6, 5), (2, 6, 3), None, {"is_causal": True}),
    ("causal-tall", (2, 6, 5), (2, 4, 5), (2, 4, 3), None, {"is_causal": True}),
    ("scale", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), None, {"scale": 0.3}),
    ("gqa", (1, 4, 3, 5), (1, 2, 6, 5), (1, 2, 6, 3), None, {"enable_gqa": True}),
]


def _mask(kind, shape):
    """A mask for scores of ``shape`` (..., L, S); every row keeps at least one key."""
    if kind is None:
        return None
    lead = (shape[0], 1) if kind == "bool-batched" else ()
    keep = RNG.random((*lead, *shape[-2:])) > 0.4
    keep[..., 0] = True
    return keep if kind.startswith("bool") else np.where(keep, rand(*keep.shape), -np.inf)


@pytest.mark.parametrize("name,sq,sk,sv,mask,kwargs", SDPA_CASES, ids=[c[0] for c in SDPA_CASES])
def test_sdpa_matches_torch(name, sq, sk, sv, mask, kwargs):
    m = _mask(mask, (*sq[:-1], sk[-2]))
    arrays = [rand(*sq), rand(*sk), rand(*sv)] + ([] if m is None else [m])
    (q, k, v, *tm), (rq, rk, rv, *rm) = both(*arrays)
    if tm:
        tm[0].requires_grad_(False)
        rm[0].requires_grad_(False)
    out = F.scaled_dot_product_attention(q, k, v, *tm, **kwargs)
    ref = TF.scaled_dot_product_attention(rq, rk, rv, *rm, **kwargs)
    check_grads(out, ref, [q, k, v], [rq, rk, rv])


def test_sdpa_float_mask_gets_its_gradient():
    (q, k, v, m), (rq, rk, rv, rm) = both(rand(2, 4, 3), rand(2, 5, 3), rand(2, 5, 2),
                                         rand(4, 5))
    check_grads(F.scaled_dot_product_attention(q, k, v, m),
                TF.scaled_dot_product_attention(rq, rk, rv, rm), [q, k, v, m], [rq, rk, rv, rm])


def test_sdpa_fully_masked_rows_give_zeros_and_zero_gradients():
    keep = np.ones((3, 4), bool)
    keep[1] = False
    for mask in (keep, np.where(keep, 0.0, -np.inf)):
        (q, k, v), (rq, rk, rv) = both(rand(2, 3, 5), rand(2, 4, 5), rand(2, 4, 6))
        out = F.scaled_dot_product_attention(q, k, v, tw.tensor(mask))
        ref = TF.scaled_dot_product_attention(rq, rk, rv, torch.tensor(mask))
        assert not np.any(out.detach().numpy()[:, 1])
        check_grads(out, ref, [q, k, v], [rq, rk, rv])
        assert not np.any(q.grad.numpy()[:, 1])


def test_sdpa_dropout():
    q, k, v = (tw.tensor(rand(2, 4, 3)) for _ in range(3))
    # p=1 drops every weight (PyTorch's result too); 0 < p < 1 is random but seeded.
    assert not np.any(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy())
    tw.manual_seed(3)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    tw.manual_seed(3)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), F.scaled_dot_product_attention(q, k, v).numpy())


def test_sdpa_errors_match_torch():
    q = tw.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when "
                                           "is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, tw.ones(3, 3, dtype=tw.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="Expected query, key, and value to all be  at least 2 "
                                           "dimensional, but got query.dim: 1 key.dim: 3"):
        F.scaled_dot_product_attention(tw.randn(4), q, q)
    with pytest.raises(RuntimeError, match="Expected query, key, and value to have the same "
                                           "dtype, but got query.dtype: float32 key.dtype: "
                                           "float64"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(RuntimeError, match="Expected attn_mask dtype to be bool or float or to "
                                           "match query dtype, but got attn_mask.dtype: int64"):
        F.scaled_dot_product_attention(q, q, q, tw.ones(3, 3, dtype=tw.int64))
    with pytest.raises(RuntimeError, match="Number of heads in key and value must divide"):
        F.scaled_dot_product_attention(tw.randn(1, 4, 3, 2), tw.randn(1, 3, 3, 2),
                                       tw.randn(1, 3, 3, 2), enable_gqa=True)


# -- multi_head_attention_forward --------------------------------------------------------------


E, HEADS, LQ, S, B = 6, 2, 3, 4, 2


def mha_args(kdim=E, vdim=E, bias=True, bias_kv=False):
    """Float arrays for multi_head_attention_forward's tensors, by argument name."""
    a = {"query": rand(LQ, B, E), "key": rand(S, B, kdim), "value": rand(S, B, vdim),
         "out_proj_weight": rand(E, E) * 0.4}
    if kdim == E and vdim == E:
        a["in_proj_weight"] = rand(3 * E, E) * 0.4
    else:
        a.update(q_proj_weight=rand(E, E) * 0.4, k_proj_weight=rand(E, kdim) * 0.4,
                 v_proj_weight=rand(E, vdim) * 0.4)
    if bias:
        a.update(in_proj_bias=rand(3 * E) * 0.1, out_proj_bias=rand(E) * 0.1)
    if bias_kv:
        a.update(bias_k=rand(1, 1, E), bias_v=rand(1, 1, E))
    return a


def run_mha(fw, arrays, **options):
    ts = {k: fw.tensor(v).requires_grad_() for k, v in arrays.items()}
    call = {k: None for k in ("in_proj_weight", "in_proj_bias", "bias_k", "bias_v",
                              "out_proj_bias")}
    call.update(ts)
    separate = "q_proj_weight" in ts
    masks = {k: (fw.tensor(v) if isinstance(v, np.ndarray) else v)
             for k, v in options.items()}
    fn = F.multi_head_attention_forward if fw is tw else TF.multi_head_attention_forward
    out = fn(call.pop("query"), call.pop("key"), call.pop("value"), E, HEADS,
             call.pop("in_proj_weight"), call.pop("in_proj_bias"), call.pop("bias_k"),
             call.pop("bias_v"), masks.pop("add_zero_attn", False), 0.0,
             call.pop("out_proj_weight"), call.pop("out_proj_bias"),
             use_separate_proj_weight=separate, **call, **masks)
    return out, ts


def bool_mask(*shape):
    blocked = RNG.random(shape) < 0.3
    blocked[..., 0] = False
    return blocked


MHA_CASES = [
    ("default", {}, {}),
    ("no-weights", {}, {"need_weights": False}),
    ("per-head-weights", {}, {"average_attn_weights": False}),
    ("kdim-vdim", {"kdim": 4, "vdim": 5}, {}),
    ("no-bias", {"bias": False}, {}),
    ("bias_kv-zero_attn", {"bias_kv": True}, {"add_zero_attn": True}),
    ("bool-padding", {}, {"key_padding_mask": bool_mask(B, S)}),
    ("float-padding", {}, {"key_padding_mask": rand(B, S)}),
    ("bool-attn-mask", {}, {"attn_mask": bool_mask(LQ, S)}),
    ("3d-float-attn-mask", {}, {"attn_mask": rand(B * HEADS, LQ, S)}),
    ("both-masks-no-weights", {}, {"attn_mask": rand(LQ, S), "key_padding_mask": rand(B, S),
                                   "need_weights": False}),
    ("masks-bias_kv-zero_attn", {"bias_kv": True},
     {"attn_mask": bool_mask(LQ, S), "key_padding_mask": bool_mask(B, S),
      "add_zero_attn": True}),
]


@pytest.mark.parametrize("name,arg_options,options", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_multi_head_attention_forward_matches_torch(name, arg_options, options):
    arrays = mha_args(**arg_options)
    (out, w), ts = run_mha(tw, arrays, **options)
    (ref, rw), rts = run_mha(torch, arrays, **options)
    assert (w is None) == (rw is None)
    outs, refs = [out] + ([w] if w is not None else []), [ref] + ([rw] if rw is not None else [])
    cots = [rand(*r.shape) for r in refs]
    for o, r in zip(outs, refs):
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), atol=1e-10)
    tw.autograd.backward(outs, [tw.tensor(c) for c in cots])
    torch.autograd.backward(refs, [torch.tensor(c) for c in cots])
    for k in ts:
        np.testing.assert_allclose(ts[k].grad.numpy(), rts[k].grad.numpy(), atol=1e-10,
                                   err_msg=k)


def test_multi_head_attention_forward_causal_hint():
    causal = np.triu(np.ones((LQ, LQ), bool), 1)
    arrays = mha_args()
    arrays["key"], arrays["value"] = rand(LQ, B, E), rand(LQ, B, E)
    for need_weights in (True, False):
        (out, _), _ = run_mha(tw, arrays, attn_mask=causal, is_causal=True,
                              need_weights=need_weights)
        (ref, _), _ = run_mha(torch, arrays, attn_mask=causal, is_causal=True,
                              need_weights=need_weights)
        np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=1e-10)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        run_mha(tw, arrays, is_causal=True)


def test_multi_head_attention_forward_errors_match_torch():
    arrays = mha_args()
    with pytest.raises(AssertionError, match=r"For batched \(3-D\) `query`, expected `key` and "
                                             r"`value` to be 3-D but found 2-D and 3-D"):
        run_mha(tw, {**arrays, "key": rand(S, E)})
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is .*\[3, 3\].*, "
                                           r"but should be \(3, 4\)."):
        run_mha(tw, arrays, attn_mask=rand(3, 3))
    with pytest.raises(AssertionError, match=r"Expected key_padded_mask.shape\[1\] to be 4, but "
                                             r"got 5"):
        run_mha(tw, arrays, key_padding_mask=bool_mask(B, 5))
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask are "
                                             "supported"):
        run_mha(tw, arrays, attn_mask=np.zeros((LQ, S), np.int64))
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 6, but got 4"):
        run_mha(tw, {**arrays, "query": rand(LQ, B, 4)})


# -- MultiheadAttention ---------------------------------------------------------------------------


def pair(name, *args, tw_kwargs=None, **kwargs):
    """The tensorweave layer and PyTorch's, sharing parameters (float64)."""
    torch.manual_seed(0)
    ref = getattr(torch.nn, name)(*args, **kwargs)
    mod = getattr(tw.nn, name)(*args, **{**kwargs, **(tw_kwargs or {})})
    copy_parameters(mod, ref)
    return mod, ref


def qkv(kdim=E, vdim=E, batch_first=False, batched=True):
    lead = ((B, LQ) if batch_first else (LQ, B)) if batched else (LQ,)
    src = ((B, S) if batch_first else (S, B)) if batched else (S,)
    return rand(*lead, E), rand(*src, kdim), rand(*src, vdim)


MODULE_CASES = [
    ("default", {}, {}, {}),
    ("batch_first", {"batch_first": True}, {"batch_first": True}, {}),
    ("kdim-vdim", {"kdim": 4, "vdim": 5}, {"kdim": 4, "vdim": 5}, {"need_weights": False}),
    ("no-bias", {"bias": False}, {}, {"average_attn_weights": False}),
    ("bias_kv-zero_attn", {"add_bias_kv": True, "add_zero_attn": True}, {},
     {"key_padding_mask": bool_mask(B, S), "attn_mask": bool_mask(LQ, S)}),
    ("unbatched", {}, {"batched": False},
     {"key_padding_mask": bool_mask(S), "attn_mask": bool_mask(HEADS, LQ, S)}),
    ("float-masks-no-weights", {"batch_first": True}, {"batch_first": True},
     {"key_padding_mask": rand(B, S), "attn_mask": rand(LQ, S), "need_weights": False}),
]


@pytest.mark.parametrize("name,kwargs,data,forward_kwargs", MODULE_CASES,
                         ids=[c[0] for c in MODULE_CASES])
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_multihead_attention_matches_torch(name, kwargs, data, forward_kwargs, train):
    mod, ref = pair("MultiheadAttention", E, HEADS, dropout=0.0, **kwargs)
    mod.train(train)
    ref.train(train)
    out = compare(mod, ref, qkv(**data), forward_kwargs)
    assert (out[1] is None) == (forward_kwargs.get("need_weights") is False)


def test_multihead_self_attention_with_one_tensor_matches_torch():
    mod, ref = pair("MultiheadAttention", E, HEADS, batch_first=True)
    x = rand(B, LQ, E)
    xs, rx = tw.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref_out = mod(xs, xs, xs)[0], ref(rx, rx, rx)[0]
    check_grads(out, ref_out, [xs], [rx])


def test_multihead_attention_causal_hint_matches_torch():
    mod, ref = pair("MultiheadAttention", E, HEADS)
    q = rand(LQ, B, E)
    causal = np.triu(np.ones((LQ, LQ), bool), 1)
    compare(mod, ref, (q, q, q), {"attn_mask": causal, "is_causal": True,
                                  "need_weights": False})


def test_multihead_attention_dropout_is_random_in_training_only():
    mha = tw.nn.MultiheadAttention(E, HEADS, dropout=0.5).double()
    q, k, v = (tw.tensor(a) for a in qkv())
    tw.manual_seed(0)
    a = mha(q, k, v)[0]
    tw.manual_seed(0)
    np.testing.assert_array_equal(a.detach().numpy(), mha(q, k, v)[0].detach().numpy())
    assert not np.allclose(a.detach().numpy(), mha(q, k, v)[0].detach().numpy())
    mha.eval()
    np.testing.assert_array_equal(mha(q, k, v)[0].detach().numpy(),
                                  mha(q, k, v)[0].detach().numpy())


@pytest.mark.parametrize("kwargs", [{}, {"kdim": 4, "vdim": 5, "bias": False},
                                    {"add_bias_kv": True}])
def test_multihead_attention_layout_and_repr_are_torchs(kwargs):
    mod = tw.nn.MultiheadAttention(E, HEADS, **kwargs)
    ref = torch.nn.MultiheadAttention(E, HEADS, **kwargs)
    assert [(n, tuple(p.shape)) for n, p in mod.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in ref.named_parameters()]
    assert list(mod.state_dict()) == list(ref.state_dict())
    assert repr(mod) == repr(ref)
    assert type(mod.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(mod.out_proj, tw.nn.Linear)


def test_multihead_attention_init_is_torchs():
    e = 64
    mod = tw.nn.MultiheadAttention(e, 4)
    w = mod.in_proj_weight.detach().numpy()
    bound = math.sqrt(6 / (e + 3 * e))  # xavier_uniform_ on (3E, E)
    assert np.abs(w).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.03 * bound
    assert not np.any(mod.in_proj_bias.detach().numpy())
    assert not np.any(mod.out_proj.bias.detach().numpy())
    kv = tw.nn.MultiheadAttention(e, 4, add_bias_kv=True)
    assert np.any(kv.bias_k.detach().numpy()) and np.any(kv.bias_v.detach().numpy())


def test_multihead_attention_constructor_errors_match_torch():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        tw.nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0, got "
                                         "embed_dim=0 and num_heads=2 instead"):
        tw.nn.MultiheadAttention(0, 2)


# -- TransformerEncoderLayer ----------------------------------------------------------------------


D_MODEL, FF = 6, 8

TEL_CASES = [
    ("post-norm", {}, {}),
    ("pre-norm-gelu", {"norm_first": True, "activation": "gelu"}, {}),
    ("batch_first-masks", {"batch_first": True},
     {"src_mask": bool_mask(S, S), "src_key_padding_mask": bool_mask(B, S)}),
    ("float-mask-no-bias", {"bias": False}, {"src_mask": rand(S, S)}),
    ("causal", {"norm_first": True},
     {"src_mask": np.triu(np.ones((S, S), bool), 1), "is_causal": True}),
]


@pytest.mark.parametrize("name,kwargs,forward_kwargs", TEL_CASES, ids=[c[0] for c in TEL_CASES])
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_transformer_encoder_layer_matches_torch(name, kwargs, forward_kwargs, train):
    mod, ref = pair("TransformerEncoderLayer", D_MODEL, HEADS, FF, 0.0, **kwargs)
    mod.train(train)
    ref.train(train)
    x = rand(B, S, D_MODEL) if kwargs.get("batch_first") else rand(S, B, D_MODEL)
    compare(mod, ref, (x,), forward_kwargs)


def test_transformer_encoder_layer_unbatched_and_callable_activation():
    mod, ref = pair("TransformerEncoderLayer", D_MODEL, HEADS, FF, 0.0,
                    activation=torch.nn.GELU(), tw_kwargs={"activation": tw.nn.GELU()})
    compare(mod, ref, (rand(S, D_MODEL),))
    assert mod.activation_relu_or_gelu == ref.activation_relu_or_gelu == 2
    assert repr(mod) == repr(ref)
    silu, ref_silu = pair("TransformerEncoderLayer", D_MODEL, HEADS, FF, 0.0,
                          activation=TF.silu, tw_kwargs={"activation": F.silu})
    compare(silu, ref_silu, (rand(S, B, D_MODEL),))
    assert silu.activation_relu_or_gelu == 0


def test_transformer_encoder_layer_dropout_in_training_only():
    layer = tw.nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, dropout=0.5).double()
    x = tw.tensor(rand(S, B, D_MODEL))
    tw.manual_seed(0)
    a = layer(x)
    tw.manual_seed(0)
    np.testing.assert_array_equal(a.detach().numpy(), layer(x).detach().numpy())
    assert not np.allclose(a.detach().numpy(), layer(x).detach().numpy())
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())


def test_transformer_encoder_layer_layout_and_repr_are_torchs():
    for kwargs in ({}, {"bias": False, "norm_first": True, "layer_norm_eps": 1e-6}):
        mod = tw.nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, **kwargs)
        ref = torch.nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, **kwargs)
        assert [n for n, _ in mod.named_children()] == [n for n, _ in ref.named_children()]
        assert [(n, tuple(p.shape)) for n, p in mod.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in ref.named_parameters()]
        assert repr(mod) == repr(ref)
    assert tw.nn.TransformerEncoderLayer(D_MODEL, HEADS).linear1.out_features == 2048
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not swish"):
        tw.nn.TransformerEncoderLayer(D_MODEL, HEADS, activation="swish")


def test_sdpa_kernel_selection_runs_the_one_implementation():
    """PyTorch's selection API: any selection runs tensorweave's attention (equal to
    PyTorch's under the same selection), and the previous selection comes back."""
    from torch.nn.attention import SDPBackend as TB
    from torch.nn.attention import sdpa_kernel as t_kernel

    from tensorweave.nn.attention import SDPBackend, enabled_backends, sdpa_kernel

    assert {b.name: int(b) for b in SDPBackend} == {b.name: int(b) for b in
                                                     [getattr(TB, n) for n in TB.__members__]}
    q = np.random.default_rng(0).standard_normal((1, 2, 3, 4))
    plain = tw.nn.functional.scaled_dot_product_attention(*(tw.tensor(q),) * 3)
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        assert enabled_backends() == [SDPBackend.FLASH_ATTENTION]
        with sdpa_kernel([SDPBackend.MATH, SDPBackend.MATH]):
            assert enabled_backends() == [SDPBackend.MATH]
        out = tw.nn.functional.scaled_dot_product_attention(*(tw.tensor(q),) * 3)
    with t_kernel(TB.MATH):
        ref = torch.nn.functional.scaled_dot_product_attention(*(torch.tensor(q),) * 3)
    assert len(enabled_backends()) == 5
    np.testing.assert_array_equal(out.numpy(), plain.numpy())
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with sdpa_kernel("flash"):
            pass
