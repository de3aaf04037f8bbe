"""`tw.optim.swa_utils` against `torch.optim.swa_utils`: `AveragedModel` (SWA, EMA, custom
averages, ``use_buffers``) after several updates, `SWALR`'s lrs per epoch, `update_bn`'s
running statistics, and the errors.

Both frameworks hold the same float64 model (a Linear then a BatchNorm1d), move its
parameters the same way between updates and run the same batches through it, so the
averages, buffers and ``n_averaged`` must agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.optim import swa_utils

torch = pytest.importorskip("torch")
tsw = torch.optim.swa_utils

TOL = {"rtol": 1e-10, "atol": 1e-12}


def _model(fw: Any) -> Any:
    """The same Linear + BatchNorm1d in ``fw``, in float64 (torch's weights copied over)."""
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.Linear(4, 2)).double()
    if fw is torch:
        return theirs
    ours = tw.nn.Sequential(tw.nn.Linear(3, 4), tw.nn.BatchNorm1d(4), tw.nn.Linear(4, 2))
    ours = ours.to(tw.float64)
    ours.load_state_dict({k: tw.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours


def _host(state: dict[str, Any]) -> dict[str, np.ndarray]:
    return {k: np.asarray(v.tolist()) for k, v in state.items()}


def _assert_same_state(ours: Any, theirs: Any) -> None:
    mine, want = _host(ours.state_dict()), _host(theirs.state_dict())
    assert list(mine) == list(want)
    for key in want:
        np.testing.assert_allclose(mine[key], want[key], **TOL, err_msg=key)


def _train_and_average(fw: Any, mod: Any, updates: int = 4, **kwargs: Any) -> tuple[Any, Any]:
    """A model and its `AveragedModel` (built with ``kwargs``, ``"ema"``/``"swa"`` naming
    the ``get_*`` factories), updated after each of ``updates`` moves of the parameters
    and training-mode forwards (which move the BatchNorm statistics)."""
    model = _model(fw)
    averaged = mod.AveragedModel(model, **kwargs)
    rng = np.random.default_rng(1)
    for k in range(updates):
        with fw.no_grad():
            for i, p in enumerate(model.parameters()):
                p.add_(fw.tensor(rng.standard_normal(tuple(p.shape)), dtype=fw.float64)
                       * (0.1 * (k + 1) + i))
        model(fw.tensor(rng.standard_normal((5, 3)), dtype=fw.float64))
        averaged.update_parameters(model)
    return model, averaged


def _averaging(mod: Any, name: str) -> dict[str, Any]:
    return {"swa": {}, "swa-multi": {"multi_avg_fn": mod.get_swa_multi_avg_fn()},
            "swa-fn": {"avg_fn": mod.get_swa_avg_fn()},
            "ema": {"avg_fn": mod.get_ema_avg_fn(0.7)},
            "ema-multi": {"multi_avg_fn": mod.get_ema_multi_avg_fn(0.8)}}[name]


@pytest.mark.parametrize("use_buffers", [False, True], ids=["copy-buffers", "use-buffers"])
@pytest.mark.parametrize("name", ["swa", "swa-multi", "swa-fn", "ema", "ema-multi"])
def test_averaged_model_matches_torch(name: str, use_buffers: bool) -> None:
    """Averaged parameters, buffers and ``n_averaged`` (the whole state_dict, torch's keys)
    after 4 updates equal torch's; the averaged forward is the copy's."""
    if name == "swa-multi" and use_buffers:
        # torch's addcdiv refuses the integer num_batches_tracked; ours averages it by true
        # division, truncated back to int64 at each update as torch's default avg_fn path
        # does: the model had seen 1, 2, 3, 4 batches, the average goes 1, 1.5, 1.67, 1.75.
        with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
            _train_and_average(torch, tsw, use_buffers=True, **_averaging(tsw, name))
        _, ours = _train_and_average(tw, swa_utils, use_buffers=True,
                                     **_averaging(swa_utils, name))
        assert int(ours.module[1].num_batches_tracked) == 1
        return
    _, ours = _train_and_average(tw, swa_utils, use_buffers=use_buffers,
                                 **_averaging(swa_utils, name))
    _, theirs = _train_and_average(torch, tsw, use_buffers=use_buffers,
                                   **_averaging(tsw, name))
    _assert_same_state(ours, theirs)
    assert int(ours.n_averaged) == 4 and ours.n_averaged.dtype == tw.int64
    x = np.random.default_rng(5).standard_normal((3, 3))
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(tw.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), **TOL)


def test_swa_is_the_mean_of_the_models_and_buffers_are_copied() -> None:
    """The equal-weight average of 4 parameter sets is their mean; without use_buffers the
    buffers are the last model's."""
    model = _model(tw)
    averaged = swa_utils.AveragedModel(model)
    seen = []
    for k in range(4):
        with tw.no_grad():
            for p in model.parameters():
                p.mul_(1.5).add_(k)
        model(tw.ones(2, 3, dtype=tw.float64))
        seen.append([p.detach().numpy().copy() for p in model.parameters()])
        averaged.update_parameters(model)
    for i, p in enumerate(averaged.module.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), np.mean([s[i] for s in seen], axis=0),
                                   **TOL)
    for b_avg, b_model in zip(averaged.module.buffers(), model.buffers()):
        np.testing.assert_array_equal(b_avg.numpy(), b_model.numpy())


def test_averaging_functions_match_torch() -> None:
    a, b = np.array([1.0, -2.0, 3.0]), np.array([0.5, 4.0, -1.0])
    for ours, theirs in [(swa_utils.get_ema_avg_fn(0.3), tsw.get_ema_avg_fn(0.3)),
                         (swa_utils.get_swa_avg_fn(), tsw.get_swa_avg_fn())]:
        got = ours(tw.tensor(a), tw.tensor(b), tw.tensor(3))
        want = theirs(torch.tensor(a), torch.tensor(b), torch.tensor(3))
        np.testing.assert_allclose(got.numpy(), want.numpy(), **TOL)
    for ours, theirs in [(swa_utils.get_ema_multi_avg_fn(0.3), tsw.get_ema_multi_avg_fn(0.3)),
                         (swa_utils.get_swa_multi_avg_fn(), tsw.get_swa_multi_avg_fn())]:
        for n in (2, 3):  # an int count and a tensor one (torch's lerp weight is float32)
            mine, want = [tw.tensor(a)], [torch.tensor(a)]
            ours(mine, [tw.tensor(b)], n if n == 2 else tw.tensor(n))
            theirs(want, [torch.tensor(b)], n if n == 2 else torch.tensor(n))
            np.testing.assert_allclose(mine[0].numpy(), want[0].numpy(), **TOL)


def test_averaging_errors_match_torch() -> None:
    for decay in (-0.1, 1.5):
        message = (f"Invalid decay value {decay} provided. Please provide a value in [0,1] "
                   "range.")
        for fn in (swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn):
            with pytest.raises(ValueError, match=message.replace("[", r"\[")
                               .replace("]", r"\]").replace(".", r"\.")):
                fn(decay)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn should be "
                                             "provided"):
        swa_utils.AveragedModel(_model(tw), avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())


# -- SWALR -------------------------------------------------------------------------------------


def _swalr_lrs(fw: Any, mod: Any, epochs: int = 14, **kwargs: Any) -> list[list[float]]:
    """The lrs of each epoch of an SWALR on an SGD with two groups, after 3 epochs of
    StepLR (so SWALR starts from lrs another schedule moved)."""
    params = [fw.zeros(2, requires_grad=True), fw.zeros(3, requires_grad=True)]
    opt = fw.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=0.1)
    step_lr = fw.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    lrs = []
    for _ in range(3):
        opt.step()
        step_lr.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    swa = mod.SWALR(opt, **kwargs)
    lrs.append([g["lr"] for g in opt.param_groups])
    for _ in range(epochs):
        opt.step()
        swa.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        assert swa.get_last_lr() == lrs[-1]
    return lrs


@pytest.mark.parametrize("kwargs", [
    pytest.param({"swa_lr": 0.05}, id="cos-default"),
    pytest.param({"swa_lr": [0.02, 0.5], "anneal_epochs": 4, "anneal_strategy": "linear"},
                 id="linear-per-group"),
    pytest.param({"swa_lr": 0.2, "anneal_epochs": 3, "anneal_strategy": "cos"}, id="cos-3"),
    pytest.param({"swa_lr": 0.07, "anneal_epochs": 0}, id="no-anneal"),
    pytest.param({"swa_lr": 0.07, "anneal_epochs": 1, "anneal_strategy": "linear"},
                 id="one-epoch"),
])
def test_swalr_lrs_match_torch(kwargs: dict[str, Any]) -> None:
    got, want = _swalr_lrs(tw, swa_utils, **kwargs), _swalr_lrs(torch, tsw, **kwargs)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    swa_lrs = kwargs["swa_lr"] if isinstance(kwargs["swa_lr"], list) else [kwargs["swa_lr"]] * 2
    np.testing.assert_allclose(got[-1], swa_lrs, rtol=1e-12)  # annealed to swa_lr


def test_swalr_is_an_lr_scheduler_and_its_state_round_trips() -> None:
    opt = tw.optim.SGD([tw.zeros(2, requires_grad=True)], lr=1.0)
    swa = swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=5, anneal_strategy="linear")
    assert isinstance(swa, tw.optim.lr_scheduler.LRScheduler)
    assert opt.param_groups[0]["swa_lr"] == 0.1
    for _ in range(2):
        opt.step()
        swa.step()
    state = swa.state_dict()
    assert "anneal_func" not in state and "optimizer" not in state
    twin_opt = tw.optim.SGD([tw.zeros(2, requires_grad=True)], lr=1.0)
    twin = swa_utils.SWALR(twin_opt, swa_lr=0.1, anneal_strategy="cos")
    twin.load_state_dict(state)
    twin_opt.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    assert twin.anneal_func(0.5) == 0.5  # linear again
    for _ in range(4):
        opt.step()
        swa.step()
        twin_opt.step()
        twin.step()
        assert twin.get_last_lr() == swa.get_last_lr()
    with pytest.warns(UserWarning, match="get_last_lr"):
        swa.get_lr()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"swa_lr": 0.1, "anneal_strategy": "step"}, ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got step"),
    ({"swa_lr": 0.1, "anneal_epochs": -1}, ValueError,
     "anneal_epochs must be equal or greater than 0, got -1"),
    ({"swa_lr": 0.1, "anneal_epochs": 2.5}, ValueError,
     "anneal_epochs must be equal or greater than 0, got 2.5"),
    ({"swa_lr": [0.1, 0.2]}, ValueError,
     "swa_lr must have the same length as optimizer.param_groups. swa_lr has 2 values, "
     "param_groups has 1."),
])
def test_swalr_errors_match_torch(kwargs: dict[str, Any], error: type, message: str) -> None:
    for fw, mod in ((torch, tsw), (tw, swa_utils)):
        opt = fw.optim.SGD([fw.zeros(2, requires_grad=True)], lr=0.1)
        with pytest.raises(error) as info:
            mod.SWALR(opt, **kwargs)
        assert str(info.value) == message


# -- update_bn ---------------------------------------------------------------------------------


def _loader(fw: Any, as_list: bool) -> list[Any]:
    rng = np.random.default_rng(7)
    batches = [fw.tensor(rng.standard_normal((n, 3)) * 2 + 1, dtype=fw.float64)
               for n in (4, 6, 5)]
    if as_list:  # (input, target) pairs, as a DataLoader over a TensorDataset yields
        return [[x, fw.zeros(x.shape[0])] for x in batches]
    return batches


@pytest.mark.parametrize("as_list", [True, False], ids=["list-batches", "tensor-batches"])
def test_update_bn_matches_torch(as_list: bool) -> None:
    """Running statistics recomputed over the loader (a cumulative average) equal torch's;
    momentum and the training mode are restored."""
    ours, theirs = _model(tw), _model(torch)
    for m in (ours, theirs):
        m.eval()
    swa_utils.update_bn(_loader(tw, as_list), ours)
    tsw.update_bn(_loader(torch, as_list), theirs)
    _assert_same_state(ours, theirs)
    assert int(ours[1].num_batches_tracked) == 3
    assert ours[1].momentum == 0.1 and not ours.training
    # The running mean is the average of the batch means (momentum None).
    batches = [b[0] if as_list else b for b in _loader(tw, as_list)]
    with tw.no_grad():
        means = [ours[0](b).mean(0).numpy() for b in batches]
    np.testing.assert_allclose(ours[1].running_mean.numpy(), np.mean(means, axis=0), **TOL)


def test_update_bn_on_an_averaged_model_and_without_batchnorm() -> None:
    _, averaged = _train_and_average(tw, swa_utils)
    _, theirs = _train_and_average(torch, tsw)
    averaged.train()
    swa_utils.update_bn(_loader(tw, True), averaged)
    tsw.update_bn(_loader(torch, True), theirs)
    _assert_same_state(averaged, theirs)
    assert averaged.training
    plain = tw.nn.Linear(3, 2)
    before = {k: v.numpy().copy() for k, v in plain.state_dict().items()}
    swa_utils.update_bn(_loader(tw, False), plain)  # no BatchNorm: nothing to do
    assert all(np.array_equal(v.numpy(), before[k]) for k, v in plain.state_dict().items())

