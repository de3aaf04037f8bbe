"""`DataParallel`: without devices it is PyTorch's CPU wrapper (repr, state dict, output);
split over two devices (the two PoCL devices stand in for GPUs) the output, the gradients
of the original parameters and the first replica's BatchNorm statistics equal one
device's run on the whole batch; scattering of containers and keyword arguments,
gathering of tuples, dicts and scalars; and PyTorch's device error."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

TWO = ["opencl:0", "opencl:1"]


def _two_devices():
    names = [d["name"] for kind in tw.devices() for d in kind["devices"]]
    if not all(d in names for d in TWO):
        pytest.skip(f"needs {TWO}; available: {names}")


def test_without_devices_it_is_pytorchs_cpu_wrapper():
    x = np.random.default_rng(0).standard_normal((4, 3))
    theirs = torch.nn.DataParallel(torch.nn.Linear(3, 2).double())
    mine = tw.nn.DataParallel(tw.nn.Linear(3, 2).double())
    mine.load_state_dict({k: tw.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert repr(mine) == repr(theirs) and mine.device_ids == theirs.device_ids == []
    np.testing.assert_allclose(mine(tw.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def _net(device):
    tw.manual_seed(0)
    return tw.nn.Sequential(tw.nn.Linear(3, 4), tw.nn.BatchNorm1d(4), tw.nn.Tanh(),
                            tw.nn.Linear(4, 2)).to(device)


def test_split_over_two_devices_equals_one_device():
    _two_devices()
    x = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32)
    single, split, first_half = _net(TWO[0]), _net(TWO[0]), _net(TWO[0])
    # BatchNorm sees each replica's half of the batch, as in PyTorch: compare with halves.
    want = tw.cat([single(tw.tensor(x[:3], device=TWO[0])),
                   single(tw.tensor(x[3:], device=TWO[0]))])
    got = tw.nn.DataParallel(split, device_ids=TWO)(tw.tensor(x))
    assert got.device == tw.device(TWO[0])
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().cpu().numpy(),
                               rtol=1e-5, atol=1e-6)
    want.square().sum().backward()
    got.square().sum().backward()
    for (name, p), q in zip(split.named_parameters(), single.parameters()):
        assert p.device == tw.device(TWO[0]), name
        np.testing.assert_allclose(p.grad.cpu().numpy(), q.grad.cpu().numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=name)
    # Only the first replica (the original module) updates the running statistics.
    first_half(tw.tensor(x[:3], device=TWO[0]))
    np.testing.assert_allclose(split[1].running_mean.cpu().numpy(),
                               first_half[1].running_mean.cpu().numpy(), rtol=1e-5, atol=1e-7)


class _Many(tw.nn.Module):
    def forward(self, pair, scale, *, extra):
        a, b = pair
        return {"sum": (a + b) * scale + extra["shift"], "n": (a.sum(), [b * 0 + a.shape[0]])}


def test_scatter_and_gather_containers():
    _two_devices()
    a, b = tw.arange(10.0).reshape(5, 2), tw.ones(5, 2)
    with pytest.warns(UserWarning, match="all input tensors were scalars"):
        out = tw.nn.DataParallel(_Many(), device_ids=TWO, output_device="cpu")(
            (a, b), 2.0, extra={"shift": tw.full((5, 1), 0.5)})
    np.testing.assert_allclose(out["sum"].numpy(), ((a + b) * 2 + 0.5).numpy())
    assert out["n"][0].tolist() == [a[:3].sum().item(), a[3:].sum().item()]
    assert out["n"][1][0][:, 0].tolist() == [3, 3, 3, 2, 2]


def test_parameters_must_be_on_the_first_device():
    _two_devices()
    with pytest.raises(RuntimeError, match=r"module must have its parameters and buffers on "
                                           r"device opencl:1 \(device_ids\[0\]\) but found one "
                                           r"of them on device: opencl:0"):
        tw.nn.DataParallel(_net(TWO[0]), device_ids=TWO[::-1])(tw.ones(2, 3))
