"""bfloat16: held as ml_dtypes' NumPy dtype on cpu, computed in float32 and rounded once per op
(PyTorch's opmath), with PyTorch's promotion, casts, printing, autograd and checkpoints.

PyTorch 2.13's cpu build is the oracle: most results below are compared bit for bit."""

from __future__ import annotations

import json
import struct
import subprocess
import sys

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.serialization import save_file

ml_dtypes = pytest.importorskip("ml_dtypes")  # a dependency, absent from --no-deps installs
torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64", "complex128"]
# Ties, values that round up, the smallest normal and subnormal, the largest finite, inf, nan.
TRICKY = [1.1, -2.5, 1.00390625, 1.01171875, 3.3e38, 1.2e-38, 9.2e-41, 1e-45, float("inf"),
          float("nan"), 0.0, -0.0, 257.0, 65504.0]


def _bits(values):
    """Values as float32 bit patterns: -0.0 is not 0.0, and every NaN is the same NaN."""
    a = np.array(values, np.float32)
    bits = a.view(np.uint32)
    bits[np.isnan(a)] = 0x7FC00000
    return bits.tolist()


def test_promotion_equals_torchs_for_every_pair():
    for a in DTYPES:
        for b in DTYPES:
            ours = tw.promote_types(getattr(tw, a), getattr(tw, b)).name
            assert ours == str(torch.promote_types(getattr(torch, a), getattr(torch, b)))[6:]


def test_finfo_and_dtype_attributes_equal_torchs():
    ours, theirs = tw.finfo(tw.bfloat16), torch.finfo(torch.bfloat16)
    for name in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert tw.bfloat16.is_floating_point and tw.bfloat16.is_signed and tw.bfloat16.itemsize == 2
    assert tw.tensor([1.0], dtype=tw.bfloat16).element_size() == 2


def test_values_round_to_nearest_even_as_torchs():
    ours = tw.tensor(TRICKY, dtype=tw.bfloat16)
    theirs = torch.tensor(TRICKY, dtype=torch.bfloat16)
    assert _bits(ours.float().tolist()) == _bits(theirs.float().tolist())
    # From every dtype, and back to each.
    ints = [0, 1, 7, 100, 127]
    for name in DTYPES[:7] + DTYPES[8:10]:
        src = ints if name in ("bool", "uint8", "int8") else TRICKY[:8] + [257.0, 1000.0]
        if name == "bool":
            src = [True, False]
        if name.startswith(("int", "uint")):
            src = [int(v) for v in src if np.isfinite(v) and abs(v) < 100]
        t_ours = tw.tensor(src, dtype=getattr(tw, name)).to(tw.bfloat16)
        t_theirs = torch.tensor(src, dtype=getattr(torch, name)).to(torch.bfloat16)
        assert _bits(t_ours.float().tolist()) == _bits(t_theirs.float().tolist()), name
        back = tw.tensor([0.0, 1.0, 2.5, 100.0], dtype=tw.bfloat16).to(getattr(tw, name))
        want = torch.tensor([0.0, 1.0, 2.5, 100.0], dtype=torch.bfloat16).to(getattr(torch, name))
        assert back.dtype.name == name and back.tolist() == want.tolist(), name


def test_printing_equals_torchs():
    for values in ([1.1, 2.0, -3.3], [[1e-5, 3e4], [0.5, 1.0]], [float("nan"), 7.0]):
        ours = repr(tw.tensor(values, dtype=tw.bfloat16))
        assert ours == repr(torch.tensor(values, dtype=torch.bfloat16)).replace("torch.",
                                                                                "tensorweave.")


def _ops(m):
    """Ops on bfloat16 values whose PyTorch results the framework reproduces bit for bit."""
    t = lambda v: m.tensor(v, dtype=m.bfloat16)  # noqa: E731
    F = m.nn.functional
    a = t(np.linspace(-1, 1, 64).reshape(8, 8))
    b = t(np.linspace(-2, 1, 64).reshape(8, 8))
    ramp = t(np.linspace(0, 1, 1000))
    return {
        "add scalar (rounded to bfloat16 first)": t([0.001, 3.0]) + 257.0,
        "sub": t([0.001, 3.0]) - (-257.0),
        "mul scalar (at full precision)": t([3.0]) * 1.005,
        "div scalar (at full precision)": t([3.0]) / (1 / 1.005),
        "mul 0-d float32 tensor": t([3.0]) * m.tensor(1.005),
        "eq scalar": t([256.0]) == 257.0,
        "lt scalar": t([256.0]) < 256.5,
        "pow": t([2.0]) ** 1.005,
        "fmod": m.fmod(t([1000.0]), 257.0),
        "lerp": m.lerp(t([0.0]), t([1000.0]), 0.257),
        "clamp": m.clamp(t([256.0]), min=257.0),
        "addcdiv": m.addcdiv(t([0.0]), t([1000.0]), t([1.0]), value=0.257),
        "sum (one rounding)": ramp.sum(),
        "mean": ramp.mean(),
        "cumsum": t(np.linspace(0, 1, 300)).cumsum(0),
        "softmax": m.softmax(t(np.linspace(-3, 3, 7)), 0),
        "matmul": a @ b,
        "layer_norm": F.layer_norm(a, (8,)),
        "gelu": F.gelu(b),
        "norm": a.norm(),
        "var": a.var(),
        "max": a.max(1).values,
        "sort": b.flatten().sort().values,
        "exp": m.exp(b),
        "tanh": m.tanh(a),
        "sigmoid": m.sigmoid(a),
        "leaky_relu": F.leaky_relu(t([-1000.0]), 0.257),
        "int tensor operand": t([100.0, 3.0]) + m.tensor([257, 3]),
    }


def test_ops_equal_torchs_bit_for_bit():
    ours, theirs = _ops(tw), _ops(torch)
    for name in ours:
        assert ours[name].dtype.name == str(theirs[name].dtype)[6:], name
        assert _bits(ours[name].float().tolist()) == _bits(theirs[name].float().tolist()), name


def test_in_place_views_and_indexing_keep_bfloat16_storage():
    x = tw.tensor([1.0, 2.0, 3.0, 4.0], dtype=tw.bfloat16)
    v = x[1:3]
    v.mul_(1.005)  # through a view: writes x's storage
    x[0] = 257.0
    ref = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.bfloat16)
    ref[1:3].mul_(1.005)
    ref[0] = 257.0
    assert x.dtype is tw.bfloat16 and x.tolist() == ref.tolist()
    assert v._base is x and x.view(2, 2).t().tolist() == ref.view(2, 2).t().tolist()


def _mlp(m, x, y):
    w1 = m.tensor(np.linspace(-0.5, 0.5, 40).reshape(8, 5), dtype=m.bfloat16, requires_grad=True)
    w2 = m.tensor(np.linspace(0.3, -0.3, 24).reshape(3, 8), dtype=m.bfloat16, requires_grad=True)
    h = m.nn.functional.relu(m.nn.functional.linear(x, w1))
    loss = m.nn.functional.cross_entropy(m.nn.functional.linear(h, w2), y)
    loss.backward()
    return loss, w1.grad, w2.grad


def test_gradients_are_bfloat16_and_equal_torchs():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    ours = _mlp(tw, tw.tensor(x, dtype=tw.bfloat16), tw.tensor(y))
    theirs = _mlp(torch, torch.tensor(x, dtype=torch.bfloat16), torch.tensor(y))
    for o, t in zip(ours, theirs):
        assert o.dtype is tw.bfloat16
        # PyTorch's backward rounds after each of its ops, ours after each of ours: a few
        # bfloat16 steps apart at most.
        np.testing.assert_allclose(o.float().tolist(), t.float().tolist(), rtol=2e-2, atol=4e-3)


_GRAD_CASES = {
    "mul": lambda m, a, b, p: (a * p).sum(),
    "exp": lambda m, a, b, p: a.exp().sum(),
    "tanh": lambda m, a, b, p: a.tanh().sum(),
    "matmul": lambda m, a, b, p: (a @ b).square().sum(),
    "softmax": lambda m, a, b, p: (m.softmax(a, 1) * p).sum(),
    "log_softmax": lambda m, a, b, p: (m.log_softmax(a, 1) * p).sum(),
    "layer_norm": lambda m, a, b, p: (m.nn.functional.layer_norm(a, (6,)) * p).sum(),
    "gelu": lambda m, a, b, p: m.nn.functional.gelu(a).sum(),
    "var": lambda m, a, b, p: a.var(1).sum(),
    "max": lambda m, a, b, p: a.max(1).values.sum(),
    "cross_entropy": lambda m, a, b, p: m.nn.functional.cross_entropy(a, m.tensor([0, 1, 2, 5])),
    "cumsum": lambda m, a, b, p: (a.cumsum(1) * p).sum(),
    "where": lambda m, a, b, p: m.where(a > 0, a, a * 2).sum(),
    "cat and index": lambda m, a, b, p: (m.cat([a, a[:, 1:4] * 2], 1) ** 2).sum(),
    "atan2": lambda m, a, b, p: m.atan2(a, p).sum(),
    "logsumexp": lambda m, a, b, p: a.logsumexp(1).sum(),
}


@pytest.mark.parametrize("name", _GRAD_CASES)
def test_gradients_of_ops_are_within_a_bfloat16_step_of_torchs(name):
    rng = np.random.default_rng(0)
    a, b, p = rng.standard_normal((4, 6)), rng.standard_normal((6, 3)), rng.uniform(0.5, 2, (4, 6))

    def grad(m):
        x = m.tensor(a, dtype=m.bfloat16, requires_grad=True)
        y = m.tensor(b, dtype=m.bfloat16, requires_grad=True)
        out = _GRAD_CASES[name](m, x, y, m.tensor(p, dtype=m.bfloat16))
        out.backward()
        assert x.grad.dtype == m.bfloat16
        return out, np.array(x.grad.float().tolist())

    (out, ours), (ref, theirs) = grad(tw), grad(torch)
    assert ours.dtype == theirs.dtype and type(out.grad_fn).__name__ != "CastBackward0"
    # PyTorch's backward runs bfloat16 kernels, as ours does: a bfloat16 step apart at most.
    np.testing.assert_allclose(ours, theirs, rtol=1.6e-2, atol=4e-3 * np.abs(theirs).max())
    np.testing.assert_allclose(out.float().item(), ref.float().item(), rtol=8e-3)


def test_a_bfloat16_model_trains_as_torchs():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 4))
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1)[:, None]

    def train(m):
        model = m.nn.Linear(4, 1)
        with m.no_grad():
            model.weight.copy_(m.tensor([[0.1, 0.2, -0.1, 0.0]]))
            model.bias.zero_()
        model = model.bfloat16()
        opt = m.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        xs, ys = m.tensor(x, dtype=m.bfloat16), m.tensor(y, dtype=m.bfloat16)
        losses = []
        for _ in range(30):
            opt.zero_grad()
            loss = m.nn.functional.mse_loss(model(xs), ys)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, model.weight.dtype

    (ours, dtype), (theirs, _) = train(tw), train(torch)
    assert dtype is tw.bfloat16 and ours[-1] < 0.05 * ours[0]
    np.testing.assert_allclose(ours, theirs, rtol=5e-2, atol=2e-2)


def test_rand_draws_exact_bfloat16_values_below_one():
    tw.manual_seed(0)
    x = tw.rand(20000, dtype=tw.bfloat16).float().numpy()
    assert x.max() < 1.0 and x.min() >= 0.0
    assert np.all(x * 256 == np.round(x * 256))  # 8 random bits
    assert abs(x.mean() - 0.5) < 0.01 and tw.randn(3, dtype=tw.bfloat16).dtype is tw.bfloat16


def test_checkpoints_hold_bfloat16(tmp_path):
    x = tw.tensor(TRICKY, dtype=tw.bfloat16)
    tw.save({"x": x, "view": x[2:5]}, tmp_path / "a.tw")
    back = tw.load(tmp_path / "a.tw")
    assert back["x"].dtype is tw.bfloat16 and _bits(back["x"].float().tolist()) == _bits(
        x.float().tolist())
    assert back["view"]._base is back["x"]
    save_file({"x": x}, tmp_path / "a.safetensors")
    raw = (tmp_path / "a.safetensors").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    assert json.loads(raw[8:8 + n])["x"]["dtype"] == "BF16"  # the spec's code
    want = torch.tensor(TRICKY, dtype=torch.bfloat16).view(torch.int16).numpy().tobytes()
    assert raw[8 + n:] == want
    loaded = tw.load(tmp_path / "a.safetensors")["x"]
    assert loaded.dtype is tw.bfloat16 and tw.equal(loaded[:9], x[:9])


def test_host_arrays_and_legacy_types():
    a = np.array([1.5, -2.0], dtype=ml_dtypes.bfloat16)
    assert tw.tensor(a).dtype is tw.bfloat16 and tw.from_numpy(a).dtype is tw.bfloat16
    assert tw.tensor([ml_dtypes.bfloat16(1.5)]).dtype is tw.bfloat16
    assert tw.tensor(a).numpy().dtype == ml_dtypes.bfloat16
    assert tw.tensor(a).type() == "tensorweave.BFloat16Tensor"
    assert tw.ones(2).bfloat16().dtype is tw.bfloat16
    assert tw.nn.Linear(2, 2).bfloat16().weight.dtype is tw.bfloat16
    assert tw.testing.assert_close(tw.tensor([1.0], dtype=tw.bfloat16),
                                   tw.tensor([1.01], dtype=tw.bfloat16)) is None
    with pytest.raises(BufferError, match="bfloat16 tensors on cpu cannot be exported"):
        torch.from_dlpack(tw.tensor(a))
    with pytest.raises(TypeError, match=r"bfloat16\) needs converting first"):
        tw.from_dlpack(torch.ones(2, dtype=torch.bfloat16))


def test_default_dtype_may_be_bfloat16():
    tw.set_default_dtype(tw.bfloat16)
    try:
        assert tw.tensor([1.1]).dtype is tw.bfloat16 and (tw.arange(3) * 1.5).dtype is tw.bfloat16
    finally:
        tw.set_default_dtype(tw.float32)


def _minimal():
    """The example backend of examples/minimal-backend: it lists no bfloat16."""
    try:
        return tw.device("minimal:0")
    except Exception as e:  # noqa: BLE001 - not installed here
        pytest.skip(f"no minimal backend: {e}")


@pytest.mark.parametrize("make", [
    lambda dev: tw.ones(2, dtype=tw.bfloat16, device=dev),
    lambda dev: tw.ones(2, dtype=tw.bfloat16).to(dev),
    lambda dev: tw.tensor([1.0], dtype=tw.bfloat16, device=dev),
    lambda dev: tw.ones(2, device=dev).to(tw.bfloat16),
    lambda dev: tw.ones(2, device=dev).sum(dtype=tw.bfloat16),
], ids=["factory", "transfer", "tensor", "cast", "dtype-param"])
def test_a_backend_that_does_not_list_bfloat16_refuses_it(make):
    with pytest.raises(TypeError, match=r"bfloat16 is not supported on minimal:0: the 'minimal' "
                                        r"backend does not list it\. Use float16 or float32"):
        make(_minimal())


def _opencl():
    try:
        dev = tw.device("opencl:0")
        tw.zeros(1, device=dev)
    except Exception as e:  # noqa: BLE001 - no OpenCL here
        pytest.skip(f"no opencl device: {e}")
    return dev


def test_opencl_holds_bfloat16_with_cpus_rounding():
    """Its kernels store bfloat16 as a float's top half, rounding to nearest even on the
    device: every cast equals the cpu backend's (ties, NaN, infinities, subnormals)."""
    dev = _opencl()
    for name in ("float32", "float64", "float16", "int64", "int32", "uint8", "bool"):
        dt = getattr(tw, name)
        src = tw.tensor(TRICKY if dt.is_floating_point else [0, 1, 7, 100, 255], dtype=dt) \
            if dt is not tw.bool else tw.tensor([True, False])
        if name == "float16":
            src = tw.tensor([v for v in TRICKY if not 65504 < abs(v) < float("inf")], dtype=dt)
        on_dev = src.to(dev).to(tw.bfloat16)
        assert on_dev.device == dev and on_dev.dtype is tw.bfloat16
        assert _bits(on_dev.cpu().float().tolist()) == _bits(src.to(tw.bfloat16).float().tolist())
        back, want = on_dev.to(dt).cpu(), src.to(tw.bfloat16).to(dt)
        if dt.is_floating_point:
            back, want = _bits(back.float().tolist()), _bits(want.float().tolist())
        else:
            back, want = back.tolist(), want.tolist()
        assert back == want, name
    x = tw.tensor(TRICKY, dtype=tw.bfloat16)
    y = x.to(dev)
    assert _bits(y.cpu().float().tolist()) == _bits(x.float().tolist())
    y[1:3] = 7.0  # a write through a view, on the device
    assert y.cpu()[:4].tolist() == [x[0].item(), 7.0, 7.0, x[3].item()]


def test_opencl_bfloat16_ops_and_training_follow_cpu():
    dev = _opencl()
    tw.manual_seed(0)
    r = tw.rand(10000, dtype=tw.bfloat16, device=dev).cpu().float().numpy()
    assert r.max() < 1.0 and np.all(r * 256 == np.round(r * 256))
    ours = {k: v.cpu() for k, v in _ops_on(dev).items()}
    ref = _ops_on("cpu")
    for name in ours:
        assert ours[name].dtype is ref[name].dtype, name
        np.testing.assert_allclose(ours[name].float().numpy(), ref[name].float().numpy(),
                                   rtol=8e-3, atol=1e-6, err_msg=name)  # one bfloat16 step


def _ops_on(dev):
    x = tw.tensor(np.linspace(-2, 2, 48).reshape(6, 8), dtype=tw.bfloat16, device=dev)
    w = tw.tensor(np.linspace(1, -1, 32).reshape(4, 8), dtype=tw.bfloat16, device=dev)
    return {"linear": tw.nn.functional.linear(x, w), "softmax": x.softmax(1), "sum": x.sum(0),
            "exp": x.exp(), "mul": x * 1.005, "add": x + 257.0, "max": x.max(1).values,
            "cast int": (x * 10).to(tw.int32), "gt": x > 0.5}


def test_without_ml_dtypes_bfloat16_says_how_to_install_it():
    code = """
import sys
sys.modules["ml_dtypes"] = None  # import ml_dtypes now raises ImportError
import tensorweave as tw
assert (tw.ones(2) + 1).tolist() == [2.0, 2.0]
from tensorweave.device import resolve
assert tw.bfloat16 not in resolve("cpu")[1].dtypes(0) and tw.bfloat16.name == "bfloat16"
for make in (lambda: tw.ones(2, dtype=tw.bfloat16), lambda: tw.finfo(tw.bfloat16)):
    try:
        make()
    except TypeError as e:
        assert "pip install ml_dtypes" in str(e), e
    else:
        raise AssertionError("no error")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize("name", ["inv", "slogdet", "det", "cholesky", "svd", "qr"])
def test_linalg_refuses_bfloat16_as_torch_does(name):
    with pytest.raises(RuntimeError):
        getattr(torch.linalg, name)(torch.eye(2, dtype=torch.bfloat16))
    with pytest.raises(RuntimeError, match=f"linalg.{name}: Low precision dtypes not supported. "
                                           "Got BFloat16"):
        getattr(tw.linalg, name)(tw.eye(2, dtype=tw.bfloat16))


def test_a_kernel_marked_bfloat16_kernel_gets_the_bfloat16_arrays(monkeypatch):
    """Core's float32 path, unless the kernel says it computes bfloat16 itself
    (`backend.bfloat16_kernel`); the mark goes with the function, so an unmarked
    replacement gets float32 again."""
    from tensorweave.backend import bfloat16_kernel
    from tensorweave.plugin.manager import get_registry

    kernels = get_registry().ops["matmul"].kernels
    seen = []

    def gemm(a, b):  # float32 sums, rounded once to the operands' dtype
        seen.append(a.dtype)
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)

    rng = np.random.default_rng(3)
    a = tw.tensor(rng.standard_normal((3, 9)), dtype=tw.bfloat16)
    b = tw.tensor(rng.standard_normal((9, 2)), dtype=tw.bfloat16)
    want = torch.tensor(a.float().tolist()).bfloat16() @ torch.tensor(b.float().tolist()).bfloat16()
    marked = bfloat16_kernel(lambda a, b: gemm(a, b))
    for fn, dtype in ((gemm, np.float32), (marked, ml_dtypes.bfloat16)):
        monkeypatch.setitem(kernels, "cpu", fn)
        out = a @ b
        assert seen.pop() == dtype and out.dtype is tw.bfloat16
        assert _bits(out.float().tolist()) == _bits(want.float().tolist())
