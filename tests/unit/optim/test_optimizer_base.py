"""The `Optimizer` base: parameter groups, their errors, zero_grad, closures, step hooks,
state_dict / load_state_dict and repr, with PyTorch's texts and layouts as the reference.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.optim import Optimizer
from tensorweave.optim.optimizer import required


def leaf(*shape: int, fw: Any = tw, seed: int = 0) -> Any:
    values = np.random.default_rng(seed).standard_normal(shape)
    return fw.tensor(values, dtype=fw.float64, requires_grad=True)


class Scale(Optimizer):
    """``p <- p - lr * g``, with a required lr: the smallest optimizer to test the base."""

    def __init__(self, params: Any, lr: Any = required) -> None:
        super().__init__(params, {"lr": lr})

    @tw.no_grad()
    def step(self, closure: Any = None) -> Any:
        loss = None
        if closure is not None:
            with tw.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.add_(p.grad, alpha=-group["lr"])
        return loss


class Wrapped(Scale):
    """A subclass whose step delegates to ``super().step()``."""

    def step(self, closure: Any = None) -> Any:
        return super().step(closure)


# -- construction errors (PyTorch's texts) ---------------------------------------------------


def test_empty_parameter_list_is_rejected() -> None:
    """An empty iterable raises torch's ValueError."""
    with pytest.raises(ValueError, match="^optimizer got an empty parameter list$"):
        tw.optim.SGD([], lr=0.1)


def test_single_tensor_is_rejected() -> None:
    """A tensor instead of an iterable of tensors is a TypeError naming the type."""
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got tensorweave.Tensor"):
        tw.optim.SGD(leaf(3), lr=0.1)


def test_non_leaf_tensor_is_rejected() -> None:
    """A tensor computed from others cannot be optimized (unless it retains grad)."""
    x = leaf(3)
    with pytest.raises(ValueError, match="^can't optimize a non-leaf Tensor$"):
        tw.optim.SGD([x * 2], lr=0.1)
    y = x * 2
    y.retain_grad()
    assert tw.optim.SGD([y], lr=0.1).param_groups[0]["params"] == [y]


def test_parameter_in_two_groups_is_rejected() -> None:
    """The same tensor in two groups raises; the first group stays."""
    a, b = leaf(2), leaf(3)
    opt = tw.optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="^some parameters appear in more than one parameter "
                                         "group$"):
        opt.add_param_group({"params": [b, a]})
    assert len(opt.param_groups) == 1


def test_set_and_non_tensor_parameters_are_rejected() -> None:
    """A group's params given as a set (unordered) and non-tensors are TypeErrors, as in
    torch."""
    with pytest.raises(TypeError, match="ordered collections"):
        tw.optim.SGD([{"params": {leaf(2)}}], lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the "
                                        "params is numpy.ndarray"):
        tw.optim.SGD([np.zeros(2)], lr=0.1)


def test_duplicate_parameter_in_a_group_warns() -> None:
    """A tensor listed twice in one group warns (torch's future error)."""
    a = leaf(2)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        tw.optim.SGD([a, a], lr=0.1)


def test_required_hyper_parameter_must_be_given() -> None:
    """A group without a value for a ``required`` default is rejected, naming it."""
    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Scale([leaf(2)])
    opt = Scale([{"params": [leaf(2)], "lr": 0.5}])
    assert opt.param_groups[0]["lr"] == 0.5


# -- groups and names ----------------------------------------------------------------------------


def test_groups_take_missing_options_from_defaults() -> None:
    """Each group keeps its own options and fills the rest from the constructor's."""
    a, b = leaf(2), leaf(3)
    opt = tw.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.9
    assert opt.param_groups[1]["params"] == [b]  # a lone tensor becomes a list
    c = leaf(4)
    opt.add_param_group({"params": [c], "weight_decay": 0.1})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["weight_decay"] == 0.1


def test_named_parameters_give_param_names() -> None:
    """(name, tensor) pairs are split into params and param_names; mixing is an error."""
    a, b = leaf(2), leaf(3)
    opt = tw.optim.SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [a, b]
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    with pytest.raises(ValueError, match="Some param names are missing"):
        tw.optim.SGD([("w", leaf(2)), leaf(3)], lr=0.1)
    with pytest.raises(ValueError, match="cannot add param group without names"):
        opt.add_param_group({"params": [leaf(4)]})


# -- zero_grad and step --------------------------------------------------------------------------


def test_zero_grad_sets_to_none_or_zeros() -> None:
    """``zero_grad()`` drops gradients; ``set_to_none=False`` zeroes them in place."""
    a, b = leaf(3), leaf(2)
    opt = tw.optim.SGD([a, b], lr=0.1)
    (a.sum() * 2 + b.sum()).backward()
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad
    np.testing.assert_array_equal(grad.numpy(), np.zeros(3))
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_step_runs_closure_with_grad_enabled_and_returns_its_loss() -> None:
    """The closure runs under enable_grad even inside no_grad; step returns its loss."""
    p = leaf(3)
    opt = Scale([p], lr=0.25)
    start = p.detach().numpy().copy()

    def closure() -> Any:
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with tw.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(float((start ** 2).sum()), rel=1e-15)
    np.testing.assert_allclose(p.detach().numpy(), start - 0.25 * 2 * start, rtol=1e-15)


def test_step_hooks_run_in_order_and_can_replace_arguments() -> None:
    """Pre hooks see (optimizer, args, kwargs) and may return new ones; post hooks follow;
    ``remove()`` unregisters."""
    p = leaf(2)
    opt = Scale([p], lr=0.1)
    calls: list[Any] = []
    swapped = []

    def pre(o: Any, args: Any, kwargs: Any) -> Any:
        calls.append(("pre", o, args, kwargs))
        return (), {"closure": lambda: swapped.append(1) or 7.0}

    def post(o: Any, args: Any, kwargs: Any) -> None:
        calls.append(("post", o, args, kwargs))

    h1, h2 = opt.register_step_pre_hook(pre), opt.register_step_post_hook(post)
    assert opt.step() == 7.0 and swapped == [1]
    assert [c[0] for c in calls] == ["pre", "post"]
    assert calls[0][1] is opt and calls[0][2] == () and calls[0][3] == {}
    assert "closure" in calls[1][3]
    h1.remove()
    h2.remove()
    calls.clear()
    assert opt.step() is None and calls == []


def test_step_hooks_run_once_through_super_step() -> None:
    """A subclass's step calling ``super().step()`` runs the hooks once."""
    opt = Wrapped([leaf(2)], lr=0.1)
    seen: list[str] = []
    opt.register_step_pre_hook(lambda o, a, k: seen.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: seen.append("post"))
    opt.step()
    assert seen == ["pre", "post"]


def test_pre_hook_returning_garbage_is_an_error() -> None:
    """A pre hook must return None or an (args, kwargs) pair."""
    opt = Scale([leaf(2)], lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: 3)
    with pytest.raises(RuntimeError, match="must return None or a tuple of \\(new_args, "
                                           "new_kwargs\\), but got 3"):
        opt.step()


def test_base_step_is_not_implemented() -> None:
    """The base class has no update rule."""
    with pytest.raises(NotImplementedError, match="Optimizer does not implement step"):
        Optimizer([leaf(2)], {}).step()


# -- state_dict ----------------------------------------------------------------------------------


def _adam_with_state(fw: Any) -> tuple[Any, list[Any]]:
    """An Adam over 3 parameters in two groups, stepped twice on fixed gradients."""
    ps = [leaf(2, 3, fw=fw, seed=1), leaf(4, fw=fw, seed=2), leaf(1, fw=fw, seed=3)]
    opt = fw.optim.Adam([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5, "amsgrad": True}],
                        lr=0.1)
    rng = np.random.default_rng(4)
    for _ in range(2):
        for p in ps:
            p.grad = fw.tensor(rng.standard_normal(tuple(p.shape)), dtype=fw.float64)
        opt.step()
    return opt, ps


def test_state_dict_has_torchs_layout_and_values() -> None:
    """Integer parameter indices, the same group entries and the same state tensors (the
    step a float32 0-d tensor) as torch's Adam."""
    torch = pytest.importorskip("torch")
    ours, _ = _adam_with_state(tw)
    theirs, _ = _adam_with_state(torch)
    sd, ref = ours.state_dict(), theirs.state_dict()
    assert sd["param_groups"] == ref["param_groups"]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["state"].keys() == ref["state"].keys() == {0, 1, 2}
    for i in range(3):
        assert sd["state"][i].keys() == ref["state"][i].keys()
        for key, value in sd["state"][i].items():
            want = ref["state"][i][key]
            assert value.dtype.name == str(want.dtype).split(".")[1], key
            np.testing.assert_allclose(value.numpy(), want.numpy(), rtol=1e-13, err_msg=key)
    assert sd["state"][0]["step"].shape == () and sd["state"][0]["step"].item() == 2.0


def test_load_state_dict_validates_group_count_and_sizes() -> None:
    """Loading into a different layout raises torch's ValueErrors."""
    opt, _ = _adam_with_state(tw)
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="^loaded state dict has a different number of "
                                         "parameter groups$"):
        tw.optim.Adam([leaf(2, 3)]).load_state_dict(sd)
    other = tw.optim.Adam([{"params": [leaf(2, 3), leaf(4), leaf(5)]}, {"params": [leaf(1)]}])
    with pytest.raises(ValueError, match="^loaded state dict contains a parameter group that "
                                         "doesn't match the size of optimizer's group$"):
        other.load_state_dict(sd)


def test_load_state_dict_restores_groups_and_copies_state() -> None:
    """The loaded optimizer gets the saved hyper-parameters, its own parameters, and copies
    of the state tensors (stepping it leaves the source optimizer's state alone)."""
    opt, ps = _adam_with_state(tw)
    sd = opt.state_dict()
    before = {k: v.numpy().copy() for k, v in sd["state"][0].items()}
    fresh = [tw.tensor(p.detach().numpy(), requires_grad=True) for p in ps]
    new = tw.optim.Adam([{"params": fresh[:2]}, {"params": fresh[2:]}], lr=9.0)
    new.load_state_dict(sd)
    assert new.param_groups[0]["params"] == fresh[:2] and new.param_groups[1]["params"] == fresh[2:]
    assert new.param_groups[0]["lr"] == 0.1 and new.param_groups[1]["lr"] == 0.5
    assert new.param_groups[1]["amsgrad"] is True
    assert set(new.state) == set(fresh)
    for p in fresh:
        p.grad = tw.ones_like(p)
    new.step()
    for k, v in sd["state"][0].items():
        np.testing.assert_array_equal(v.numpy(), before[k], err_msg=k)
    assert new.state[fresh[0]]["step"].item() == 3.0


def test_load_state_dict_casts_state_to_the_parameter_dtype() -> None:
    """Moments follow the parameters' dtype; the step counter keeps float32."""
    opt, _ = _adam_with_state(tw)
    ps32 = [tw.zeros(2, 3, requires_grad=True), tw.zeros(4, requires_grad=True),
            tw.zeros(1, requires_grad=True)]
    new = tw.optim.Adam([{"params": ps32[:2]}, {"params": ps32[2:]}])
    new.load_state_dict(opt.state_dict())
    state = new.state[ps32[0]]
    assert state["exp_avg"].dtype == tw.float32 and state["exp_avg_sq"].dtype == tw.float32
    assert state["step"].dtype == tw.float32
    np.testing.assert_allclose(state["exp_avg"].numpy(),
                               opt.state[opt.param_groups[0]["params"][0]]["exp_avg"].numpy(),
                               rtol=1e-6)


def test_state_dict_survives_deepcopy() -> None:
    """A deep copy of a state dict loads like the original (checkpoints are plain data)."""
    opt, ps = _adam_with_state(tw)
    new = tw.optim.Adam([{"params": ps[:2]}, {"params": ps[2:]}])
    new.load_state_dict(copy.deepcopy(opt.state_dict()))
    for p in ps:
        for key, value in opt.state[p].items():
            np.testing.assert_array_equal(new.state[p][key].numpy(), value.numpy())


# -- repr ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kwargs", [("Adam", {"lr": 0.01}),
                                          ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                          ("AdamW", {}), ("RMSprop", {"centered": True}),
                                          ("Adagrad", {}), ("Adadelta", {})])
def test_repr_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    """``repr(optimizer)`` prints the groups' sorted options exactly as torch does."""
    torch = pytest.importorskip("torch")
    ours = getattr(tw.optim, name)([leaf(2)], **kwargs)
    theirs = getattr(torch.optim, name)([leaf(2, fw=torch)], **kwargs)
    ours.add_param_group({"params": [leaf(3)], "lr": 0.5})
    theirs.add_param_group({"params": [leaf(3, fw=torch)], "lr": 0.5})
    assert repr(ours) == repr(theirs)
    assert repr(ours).startswith(f"{name} (\nParameter Group 0\n")


def test_step_hook_handles_are_torchs_removable_handles():
    """One handle class for every hook, as ``torch.utils.hooks.RemovableHandle``: removed
    explicitly or at the end of a ``with`` block."""
    p = tw.nn.Parameter(tw.ones(2))
    opt = tw.optim.SGD([p], lr=0.1)
    calls = []
    handle = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    assert isinstance(handle, tw.utils.hooks.RemovableHandle)
    with opt.register_step_post_hook(lambda o, a, k: calls.append("post")):
        p.grad = tw.ones(2)
        opt.step()
    opt.step()
    handle.remove()
    opt.step()
    assert calls == ["pre", "post", "pre"]
