"""`SyncBatchNorm` outside a process group (PyTorch's behaviour there: plain batch norm of
the local batch, checked by its conformance samples) and `convert_sync_batchnorm`: the
converted tree, its printed form and state dict keys equal PyTorch's, the parameters and
buffers are the same objects, outputs are unchanged; and PyTorch's input errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")


def _model(nn):
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4),
                         nn.Sequential(nn.Unflatten(1, (4, 1, 1)), nn.BatchNorm2d(4, affine=False),
                                       nn.Flatten()))


def test_convert_sync_batchnorm_equals_pytorchs():
    mine, theirs = _model(tw.nn).double(), _model(torch.nn).double()
    mine.load_state_dict({k: tw.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    bn = mine[1]
    bn.eval()
    weight, running = bn.weight, bn.running_mean
    x = np.random.default_rng(0).standard_normal((5, 3))
    before = mine(tw.tensor(x)).detach().numpy()
    mine = tw.nn.SyncBatchNorm.convert_sync_batchnorm(mine)
    theirs[1].eval()
    theirs = torch.nn.SyncBatchNorm.convert_sync_batchnorm(theirs)
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert type(mine[1]) is tw.nn.SyncBatchNorm and type(mine[2][1]) is tw.nn.SyncBatchNorm
    assert mine[1].weight is weight and mine[1].running_mean is running
    assert not mine[1].training and mine[2][1].training
    np.testing.assert_allclose(mine(tw.tensor(x)).detach().numpy(), before, rtol=1e-12)
    np.testing.assert_allclose(before, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-12)


@pytest.mark.parametrize("shape", [(3,), (2, 0, 4)])
def test_input_errors_are_pytorchs(shape):
    with pytest.raises(ValueError) as theirs:
        torch.nn.SyncBatchNorm(0 if len(shape) > 1 else 3)(torch.zeros(shape))
    with pytest.raises(ValueError) as mine:
        tw.nn.SyncBatchNorm(0 if len(shape) > 1 else 3)(tw.zeros(shape))
    assert str(mine.value) == str(theirs.value)
