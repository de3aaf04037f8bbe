"""`nn.utils.weight_norm` / `remove_weight_norm` against PyTorch's: the parameters and
state-dict keys, the forward, the gradients of g and v after training steps, and removal."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")


def _copy(mine, theirs):
    mine.load_state_dict({k: tw.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})


@pytest.mark.parametrize("layer, args, dim, shape", [
    ("Linear", (3, 2), 0, (4, 3)),
    ("Conv2d", (2, 3, 2), 1, (1, 2, 4, 4)),
    ("Conv1d", (2, 3, 2), None, (2, 2, 5)),
    ("Linear", (3, 2), -1, (4, 3)),
])
def test_matches_pytorch(layer, args, dim, shape):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = torch.nn.utils.weight_norm(getattr(torch.nn, layer)(*args).double(), dim=dim)
        mine = tw.nn.utils.weight_norm(getattr(tw.nn, layer)(*args).double(), dim=dim)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    _copy(mine, theirs)
    x = np.random.default_rng(2).standard_normal(shape)
    opt_m = tw.optim.SGD(mine.parameters(), lr=0.1)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):  # the hook recomputes the weight from the trained g and v
        for module, fw, opt in ((mine, tw, opt_m), (theirs, torch, opt_t)):
            opt.zero_grad()
            (module(fw.tensor(x)) ** 2).sum().backward()
            opt.step()
    for (name, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12,
                                   err_msg=name)
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, err_msg=name)
    tw.nn.utils.remove_weight_norm(mine)
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(mine(tw.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_errors_and_warning():
    with pytest.warns(FutureWarning, match="deprecated"):
        m = tw.nn.utils.weight_norm(tw.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"), \
            pytest.warns(FutureWarning):
        tw.nn.utils.weight_norm(m)
    tw.nn.utils.remove_weight_norm(m)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        tw.nn.utils.remove_weight_norm(m)
