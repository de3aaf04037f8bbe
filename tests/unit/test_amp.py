"""Mixed precision against PyTorch's CPU autocast and GradScaler: the dtype each op runs in
inside a region, values and float32 gradients through float16 products, nesting and the
decorator form, the torch-level queries, custom_fwd/custom_bwd, device types, and a
GradScaler training loop (scale growth and backoff, skipped steps, state_dict) step for
step equal to PyTorch's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tensorweave as tw
import tensorweave.nn.functional as F

torch = pytest.importorskip("torch")

R = np.random.default_rng(0)
X, W, B = R.standard_normal((4, 3)), R.standard_normal((5, 3)), R.standard_normal(5)
IMG, KER = R.standard_normal((1, 2, 4, 4)), R.standard_normal((3, 2, 2, 2))

# (name, function of (framework, x, w)) whose result dtype PyTorch's CPU autocast and ours
# agree on
CASES = {
    "linear": lambda fw, x, w: fw.nn.functional.linear(x, w),
    "matmul": lambda fw, x, w: x @ w.T,
    "mm": lambda fw, x, w: fw.mm(x, w.T),
    "conv2d": lambda fw, x, w: fw.nn.functional.conv2d(fw.tensor(IMG, dtype=fw.float32),
                                                       fw.tensor(KER, dtype=fw.float32)),
    "softmax": lambda fw, x, w: fw.softmax(x, 1),
    "sum": lambda fw, x, w: x.sum(),
    "exp": lambda fw, x, w: fw.exp(x),
    "add": lambda fw, x, w: x + 1,
    "layer_norm": lambda fw, x, w: fw.nn.functional.layer_norm(x, (3,)),
    "cross_entropy": lambda fw, x, w: fw.nn.functional.cross_entropy(
        x, fw.tensor([0, 1, 2, 0])),
    "mse_loss": lambda fw, x, w: fw.nn.functional.mse_loss(x, x * 2),
    "float64-matmul": lambda fw, x, w: x.double() @ w.double().T,
    "half-times-float": lambda fw, x, w: x.half() * x,
}


@pytest.mark.parametrize("half", ["float16", None], ids=["float16", "default-bfloat16"])
@pytest.mark.parametrize("name", CASES)
def test_ops_run_in_pytorchs_dtypes(name, half):
    fn = CASES[name]
    with tw.autocast("cpu", dtype=half and getattr(tw, half)):
        ours = fn(tw, tw.tensor(X, dtype=tw.float32), tw.tensor(W, dtype=tw.float32))
    with torch.autocast("cpu", dtype=half and getattr(torch, half)):
        theirs = fn(torch, torch.tensor(X, dtype=torch.float32),
                    torch.tensor(W, dtype=torch.float32))
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    tol = 2e-3 if half else 2e-2  # bfloat16 keeps 8 significant bits
    np.testing.assert_allclose(ours.float().numpy(), theirs.float().numpy(), rtol=tol, atol=tol)
    outside = fn(tw, tw.tensor(X, dtype=tw.float32), tw.tensor(W, dtype=tw.float32))
    assert outside.dtype is (tw.float64 if name == "float64-matmul" else tw.float32)


def test_precision_sensitive_ops_of_float16_inputs_run_in_float32():
    """PyTorch's CUDA policy (its cpu lists keep these in float16): softmax, sums and
    exponentials of float16 products come out float32."""
    x = tw.tensor(X, dtype=tw.float32)
    with tw.autocast("cpu", dtype=tw.float16):
        h = x @ x.T
        assert h.dtype is tw.float16
        for out in (tw.softmax(h, 1), h.sum(), tw.exp(h), tw.log_softmax(h, 0)):
            assert out.dtype is tw.float32
        np.testing.assert_allclose(tw.softmax(h, 1).numpy(),
                                   tw.softmax(h.float(), 1).numpy(), rtol=1e-6)


def test_float32_parameters_get_float32_gradients_equal_pytorchs():
    x, w, b = (tw.tensor(a, dtype=tw.float32, requires_grad=True) for a in (X, W, B))
    tx, tw_, tb = (torch.tensor(a, dtype=torch.float32, requires_grad=True) for a in (X, W, B))
    with tw.autocast("cpu", dtype=tw.float16):
        loss = F.cross_entropy(F.linear(x, w, b), tw.tensor([0, 1, 4, 2]))
    with torch.autocast("cpu", dtype=torch.float16):
        ref = torch.nn.functional.cross_entropy(torch.nn.functional.linear(tx, tw_, tb),
                                                torch.tensor([0, 1, 4, 2]))
    assert loss.dtype is tw.float32
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-3)
    loss.backward()
    ref.backward()
    for ours, theirs in ((x, tx), (w, tw_), (b, tb)):
        assert ours.grad.dtype is tw.float32
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=5e-3,
                                   atol=2e-3)


def test_nesting_decorator_and_queries():
    """cpu autocast defaults to bfloat16, as PyTorch's."""
    assert torch.get_autocast_dtype("cpu") is torch.bfloat16
    x = tw.ones(2, 2)
    assert not tw.is_autocast_enabled("cpu") and tw.get_autocast_dtype("cpu") is tw.bfloat16
    with tw.autocast("cpu"):
        assert tw.is_autocast_enabled("cpu") and not tw.is_autocast_enabled()  # cuda default
        assert (x @ x).dtype is tw.bfloat16
        with tw.autocast("cpu", enabled=False):
            assert (x @ x).dtype is tw.float32 and not tw.is_autocast_enabled("cpu")
        assert (x @ x).dtype is tw.bfloat16
    assert not tw.is_autocast_enabled("cpu")

    @tw.autocast("cpu")
    def product(a):
        return a @ a

    assert product(x).dtype is tw.bfloat16 and (x @ x).dtype is tw.float32
    tw.set_autocast_enabled("cpu", True)
    try:
        assert (x @ x).dtype is tw.bfloat16 and tw.is_autocast_cpu_enabled()
    finally:
        tw.set_autocast_enabled("cpu", False)
    assert (x @ x).dtype is tw.float32


def test_unsupported_dtype_warns_and_disables_and_bad_device_type_raises():
    with pytest.warns(UserWarning, match="target dtype is not supported. Disabling autocast"):
        region = tw.autocast("cpu", dtype=tw.float64)
    with region:
        assert (tw.ones(2, 2) @ tw.ones(2, 2)).dtype is tw.float32
    with pytest.warns(UserWarning, match="only supports dtype of tensorweave.float16"):
        region = tw.autocast("minimal", dtype=tw.bfloat16)  # the example lists no bfloat16
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        tw.autocast("tpu")
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        tw.autocast(0)
    assert tw.amp.is_autocast_available("cpu") and not tw.amp.is_autocast_available("tpu")


def test_a_region_casts_only_its_device_types_tensors():
    a, b = tw.ones(2, 2), tw.ones(2, 2, device="opencl:0")
    with tw.autocast("opencl"):
        assert (a @ a).dtype is tw.float32 and (b @ b).dtype is tw.float16
        assert tw.softmax(b @ b, 1).dtype is tw.float32
    with tw.autocast("cpu"):
        assert (b @ b).dtype is tw.float32


class _Square(tw.autograd.Function):
    @staticmethod
    @tw.amp.custom_fwd(device_type="cpu", cast_inputs=tw.float32)
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.inner = (x.dtype, tw.is_autocast_enabled("cpu"), (x @ x).dtype)
        return x * x

    @staticmethod
    @tw.amp.custom_bwd(device_type="cpu")
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        ctx.backward_autocast = tw.is_autocast_enabled("cpu")
        return 2 * x * g


def test_custom_fwd_casts_inputs_and_custom_bwd_restores_the_state():
    x = tw.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=tw.float16, requires_grad=True)
    with tw.autocast("cpu"):
        y = _Square.apply(x)
    node = y.grad_fn
    assert node.inner == (tw.float32, False, tw.float32) and y.dtype is tw.float32
    y.sum().backward()
    assert node.backward_autocast is True
    np.testing.assert_allclose(x.grad.float().numpy(), [[2, 4], [6, 8]])
    z = _Square.apply(tw.ones(2, 2))  # outside a region: no casts, autocast stays off
    assert z.grad_fn is None or z.grad_fn.inner[1] is False


def _train(fw, grads_to_poison, steps=8, **scaler_kwargs):
    """A linear regression under a GradScaler; on the listed steps a gradient is set to
    inf after backward. Returns (scales, parameters, skipped steps)."""
    fw.manual_seed(0)
    model = fw.nn.Linear(3, 1)
    with fw.no_grad():
        model.weight.copy_(fw.tensor([[0.1, -0.2, 0.3]]))
        model.bias.fill_(0.05)
    opt = fw.optim.SGD(model.parameters(), lr=0.1)
    scaler = (fw.amp.GradScaler("cpu", **scaler_kwargs))
    x, y = fw.tensor(X[:, :3], dtype=fw.float32), fw.tensor(X[:, :1] * 2, dtype=fw.float32)
    scales, skipped = [], []
    for step in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        scaler.scale(loss).backward()
        if step in grads_to_poison:
            model.bias.grad.fill_(float("inf"))
        before = model.weight.detach().clone()
        scaler.step(opt)
        skipped.append(bool((model.weight.detach() == before).all()))
        scaler.update()
        scales.append(scaler.get_scale())
    return scales, [p.detach().numpy().copy() for p in model.parameters()], skipped, scaler


@pytest.mark.parametrize("poison", [(), (1,), (0, 3, 4)])
def test_grad_scaler_loop_equals_pytorchs(poison):
    kwargs = {"init_scale": 1024.0, "growth_interval": 2}
    ours = _train(tw, poison, **kwargs)
    theirs = _train(torch, poison, **kwargs)
    assert ours[0] == theirs[0] and ours[2] == theirs[2]
    assert ours[2] == [s in poison for s in range(8)]
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert ours[3].state_dict() == theirs[3].state_dict()


def test_grad_scaler_state_dict_unscale_and_errors():
    model = tw.nn.Linear(2, 1)
    opt = tw.optim.SGD(model.parameters(), lr=0.1)
    scaler = tw.amp.GradScaler("cpu", init_scale=8.0)
    assert scaler.get_scale() == 8.0 and scaler.is_enabled()
    scaler.scale(model(tw.ones(1, 2)).sum()).backward()
    scaler.unscale_(opt)
    np.testing.assert_allclose(model.weight.grad.numpy(), [[1.0, 1.0]])  # unscaled
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
        scaler.unscale_(opt)
    scaler.update(new_scale=4.0)
    assert scaler.get_scale() == 4.0
    other = tw.amp.GradScaler("cpu")
    other.load_state_dict(scaler.state_dict())
    assert other.state_dict() == scaler.state_dict()
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    with pytest.raises(AssertionError, match="growth factor must be > 1.0"):
        tw.amp.GradScaler("cpu", growth_factor=1.0)
    half = tw.nn.Linear(2, 1).half()
    hopt = tw.optim.SGD(half.parameters(), lr=0.1)
    s = tw.amp.GradScaler("cpu", init_scale=4.0)
    s.scale(half(tw.ones(1, 2, dtype=tw.float16)).sum()).backward()
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients"):
        s.unscale_(hopt)


def test_disabled_scalers_pass_through():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cuda = tw.amp.GradScaler()  # no CUDA here: warns and disables itself
    if tw.cuda.is_available():
        pytest.skip("CUDA is available: the default scaler stays enabled")
    assert any("CUDA is not available" in str(w.message) for w in caught)
    off = tw.amp.GradScaler("cpu", enabled=False)
    for scaler in (cuda, off):
        loss = tw.ones(())
        assert scaler.scale(loss) is loss and scaler.get_scale() == 1.0
        assert scaler.state_dict() == {} and not scaler.is_enabled()


def test_deprecated_device_amp_spellings_warn_and_work():
    with pytest.warns(FutureWarning, match=r"`tensorweave.opencl.amp.autocast\(args...\)` is "
                      r"deprecated. Please use `tensorweave.amp.autocast\('opencl', args...\)`"):
        region = tw.opencl.amp.autocast()
    b = tw.ones(2, 2, device="opencl:0")
    with region:
        assert (b @ b).dtype is tw.float16
    with pytest.warns(FutureWarning, match="amp.GradScaler"):
        scaler = tw.opencl.amp.GradScaler(init_scale=4.0)
    assert scaler.get_scale() == 4.0 and scaler.is_enabled()
