"""tensorweave's built-in lr schedulers, following `torch.optim.lr_scheduler` formula for
formula (the chainable, recursive forms included), so the lr sequences equal torch's.

Each ``get_lr`` returns the lrs of epoch ``self.last_epoch``; the `LRScheduler` base writes
them into the optimizer's groups.
"""

from __future__ import annotations

import functools
import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from tensorweave.conformance.modules import SchedulerSample
from tensorweave.optim import Optimizer
from tensorweave.optim.lr_scheduler import EPOCH_DEPRECATION_WARNING, LRScheduler, per_group

__all__ = ["LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR",
           "CosineAnnealingLR", "OneCycleLR", "SequentialLR", "ReduceLROnPlateau", "ConstantLR",
           "MultiplicativeLR", "PolynomialLR", "CosineAnnealingWarmRestarts", "CyclicLR",
           "ChainedScheduler"]


def _lrs(optimizer: Optimizer) -> list[float]:
    return [group["lr"] for group in optimizer.param_groups]


def _momentum_uses_beta1(optimizer: Optimizer) -> bool:
    """Whether a momentum-cycling scheduler drives Adam-style ``betas[0]`` (True) or the
    ``momentum`` key (False).

    Raises:
        ValueError: for an optimizer with neither.
    """
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` "
                         "option enabled")
    return "betas" in optimizer.defaults


def _set_momentum(group: dict[str, Any], use_beta1: bool, momentum: float) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _lr_lambdas(optimizer: Optimizer, lr_lambda: Any) -> list[Any]:
    """One lr function per group: ``lr_lambda`` itself for each, or its entries.

    Raises:
        ValueError: for a list whose length is not the number of groups.
    """
    if not isinstance(lr_lambda, (list, tuple)):
        return [lr_lambda] * len(optimizer.param_groups)
    if len(lr_lambda) != len(optimizer.param_groups):
        raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got "
                         f"{len(lr_lambda)}")
    return list(lr_lambda)


class _SavesLambdas:
    """The state_dict of a scheduler with ``lr_lambdas``: each lambda's ``__dict__`` for
    callable objects (None for plain functions and lambdas, which cannot be saved)."""

    lr_lambdas: list[Any]

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        lr_lambdas = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, saved in zip(self.lr_lambdas, lr_lambdas):
            if saved is not None:
                fn.__dict__.update(saved)


class LambdaLR(_SavesLambdas, LRScheduler):
    """``lr = initial_lr * lr_lambda(epoch)``, as `torch.optim.lr_scheduler.LambdaLR`.

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the epoch, or a list with one per parameter group.
        last_epoch: the index of the last epoch (-1 starts the schedule).

    Raises:
        ValueError: for a list of lambdas whose length is not the number of groups.
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lr_lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        return [base_lr * lmbda(self.last_epoch)
                for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({"lr_lambda": _Decay(0.9)}, name="decay")]


class _Decay:
    """``gamma ** epoch`` as a picklable callable (a conformance sample's lambda)."""

    def __init__(self, gamma: float) -> None:
        self.gamma = gamma

    def __call__(self, epoch: int) -> float:
        return self.gamma ** epoch


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs, as
    `torch.optim.lr_scheduler.StepLR`.

    Args:
        optimizer: the optimizer.
        step_size: the period of the decay, in epochs.
        gamma: the decay factor. Default: 0.1.
        last_epoch: the index of the last epoch (-1 starts the schedule).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({"step_size": 3}, name="default"),
                SchedulerSample({"step_size": 2, "gamma": 0.5}, name="gamma")]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each milestone epoch, as
    `torch.optim.lr_scheduler.MultiStepLR` (a milestone listed twice decays twice).

    Args:
        optimizer: the optimizer.
        milestones: increasing epoch indices.
        gamma: the decay factor. Default: 0.1.
        last_epoch: the index of the last epoch (-1 starts the schedule).
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch not in self.milestones:
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr in self.base_lrs]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({"milestones": [2, 5, 5, 9], "gamma": 0.5}, name="repeated")]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch, as `torch.optim.lr_scheduler.ExponentialLR`.

    Args:
        optimizer: the optimizer.
        gamma: the decay factor.
        last_epoch: the index of the last epoch (-1 starts the schedule).
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self._is_initial:  # resuming: the constructor's step must not decay again
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({"gamma": 0.8}, name="default")]


class LinearLR(LRScheduler):
    """Scale the lr by a factor going linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, as `torch.optim.lr_scheduler.LinearLR`.

    Args:
        optimizer: the optimizer.
        start_factor: the factor of the first epoch, in (0, 1]. Default: 1/3.
        end_factor: the factor from epoch ``total_iters`` on, in [0, 1]. Default: 1.
        total_iters: the number of epochs of the ramp. Default: 5.
        last_epoch: the index of the last epoch (-1 starts the schedule).

    Raises:
        ValueError: for factors outside those ranges.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and "
                             "less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _lrs(self.optimizer)
        change = self.end_factor - self.start_factor
        return [group["lr"] * (1.0 + change / (self.total_iters * self.start_factor
                                               + (self.last_epoch - 1) * change))
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({}, name="default"),
                SchedulerSample({"start_factor": 1.0, "end_factor": 0.1, "total_iters": 6},
                                name="decreasing")]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial lr to ``eta_min`` over ``T_max`` epochs, as
    `torch.optim.lr_scheduler.CosineAnnealingLR`: torch's recursive form
    ``lr_{t+1} = eta_min + (lr_t - eta_min) * (1 + cos((t+1) pi / T_max)) /
    (1 + cos(t pi / T_max))``, which composes with other changes of the lr; past ``T_max``
    the lr rises again (a cosine of period ``2 * T_max``).

    Args:
        optimizer: the optimizer.
        T_max: the number of epochs of the half period.
        eta_min: the minimum lr. Default: 0.
        last_epoch: the index of the last epoch (-1 starts the schedule).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,  # noqa: N803
                 last_epoch: int = -1) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        groups, t, T = self.optimizer.param_groups, self.last_epoch, self.T_max  # noqa: N806
        if self._is_initial:
            return _lrs(self.optimizer)
        if self._step_count == 1 and t > 0:  # resumed: restart from the closed form
            return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                    for base_lr in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:  # the minimum, where the ratio below is 0/0
            return [group["lr"] + (base_lr - self.eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (group["lr"] - self.eta_min) + self.eta_min for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({"T_max": 5}, steps=14, name="past-T_max"),
                SchedulerSample({"T_max": 8, "eta_min": 0.01}, name="eta_min")]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2017), as `torch.optim.lr_scheduler.OneCycleLR`:
    the lr rises from ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of
    the steps, then falls to ``initial_lr / final_div_factor``; the momentum (or Adam's
    beta1) moves the opposite way between ``max_momentum`` and ``base_momentum``. Step it
    after every batch.

    Args:
        optimizer: the optimizer.
        max_lr: the peak lr, one value or one per group.
        total_steps: the number of steps in the cycle; or give ``epochs`` and
            ``steps_per_epoch``.
        epochs, steps_per_epoch: their product is ``total_steps`` when that is None.
        pct_start: the fraction of the cycle spent raising the lr. Default: 0.3.
        anneal_strategy: ``"cos"`` (default) or ``"linear"``.
        cycle_momentum: cycle the momentum inversely to the lr. Default: True.
        base_momentum, max_momentum: the momentum bounds (one value or one per group).
        div_factor: ``initial_lr = max_lr / div_factor``. Default: 25.
        final_div_factor: ``min_lr = initial_lr / final_div_factor``. Default: 1e4.
        three_phase: rise, fall back to ``initial_lr`` symmetrically, then annihilate to
            ``min_lr`` (the paper's schedule) instead of two phases (fastai's).
        last_epoch: the index of the last batch (-1 starts the schedule).

    Raises:
        ValueError: for a missing or non-positive step count, ``pct_start`` outside [0, 1],
            an unknown strategy, or ``cycle_momentum`` with an optimizer without momentum.
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError("Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        self._schedule_phases = self._phases(pct_start, three_phase)
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._anneal_func_type = anneal_strategy

        max_lrs = per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, group_max in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = group_max / div_factor
                group["max_lr"] = group_max
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_uses_beta1(optimizer)
            max_momentums = per_group("max_momentum", optimizer, max_momentum)
            base_momentums = per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(max_momentums, base_momentums,
                                                optimizer.param_groups):
                    _set_momentum(group, self.use_beta1, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _phases(self, pct_start: float, three_phase: bool) -> list[dict[str, Any]]:
        """Each phase: the step it ends at and the group keys it anneals between."""
        n = self.total_steps
        rise = {"end_step": float(pct_start * n) - 1, "start_lr": "initial_lr",
                "end_lr": "max_lr", "start_momentum": "max_momentum",
                "end_momentum": "base_momentum"}
        if three_phase:
            return [rise,
                    {"end_step": float(2 * pct_start * n) - 2, "start_lr": "max_lr",
                     "end_lr": "initial_lr", "start_momentum": "base_momentum",
                     "end_momentum": "max_momentum"},
                    {"end_step": n - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                     "start_momentum": "max_momentum", "end_momentum": "max_momentum"}]
        return [rise, {"end_step": n - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                       "start_momentum": "base_momentum", "end_momentum": "max_momentum"}]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """The lrs of step ``last_epoch``; with ``cycle_momentum`` also sets the groups'
        momentum (or beta1).

        Raises:
            ValueError: when stepped past ``total_steps``.
        """
        self._warn_get_lr_outside_step()
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(f"Tried to step {step_num} times. The specified number of total "
                             f"steps is {self.total_steps}")
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == last:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]],
                                            pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]],
                                                group[phase["end_momentum"]], pct)
                        _set_momentum(group, self.use_beta1, momentum)
                    break
                start_step = phase["end_step"]
        return lrs

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        momentum = {"lr": 0.1, "momentum": 0.9}
        return [SchedulerSample({"max_lr": 1.0, "total_steps": 12}, optimizer_kwargs=momentum,
                                name="cos"),
                SchedulerSample({"max_lr": 0.5, "epochs": 4, "steps_per_epoch": 5,
                                 "anneal_strategy": "linear", "three_phase": True,
                                 "pct_start": 0.25}, optimizer_kwargs=momentum, steps=20,
                                name="linear-three-phase"),
                SchedulerSample({"max_lr": 0.5, "total_steps": 10, "cycle_momentum": False},
                                steps=10, name="no-momentum")]


def _check_wrapped(name: str, optimizer: Optimizer, schedulers: Sequence[Any]) -> None:
    """The checks of the schedulers a `SequentialLR` or `ChainedScheduler` drives.

    Raises:
        TypeError: for an entry without an ``optimizer``.
        ValueError: for a `ReduceLROnPlateau` or a scheduler of another optimizer.
    """
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{name} does not support `ReduceLROnPlateau` scheduler as it "
                             "requires additional kwargs to be specified when calling "
                             f"`step`, but got one at index {i} in the given schedulers "
                             "sequence.")
        if optimizer is not scheduler.optimizer:
            raise ValueError(f"{name} expects all schedulers to belong to the same "
                             f"optimizer, but got scheduler {type(scheduler).__name__} at "
                             f"index {i} has {scheduler.optimizer}, which is different "
                             f"from {type(optimizer).__name__}.")


class _WrapsSchedulers:
    """The state_dict of a scheduler that drives others (``_schedulers``): its own state,
    with the wrapped schedulers' state dicts under ``_schedulers``."""

    _schedulers: Sequence[Any]

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        schedulers = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, saved in zip(self._schedulers, schedulers):
            scheduler.load_state_dict(saved)


class SequentialLR(_WrapsSchedulers, LRScheduler):
    """Run ``schedulers`` one after another, switching at the ``milestones`` epochs, as
    `torch.optim.lr_scheduler.SequentialLR` (each scheduler restarts from epoch 0 at its
    milestone).

    Args:
        optimizer: the optimizer every scheduler drives.
        schedulers: the schedulers, in order (not `ReduceLROnPlateau`).
        milestones: the epochs of the switches (one fewer than the schedulers).
        last_epoch: the index of the last epoch.

    Raises:
        ValueError: for no scheduler, a `ReduceLROnPlateau`, a scheduler of another
            optimizer, or a wrong number of milestones.
        TypeError: for an entry without an ``optimizer``.
    """

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler],
                 milestones: list[int], last_epoch: int = -1) -> None:
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
        _check_wrapped(name, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers provided to be "
                             "one more than the number of milestone points, but got number of "
                             f"schedulers {len(schedulers)} and the number of milestones to be "
                             f"equal to {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.recursive_undo()  # the schedulers' constructors each took a step
        idx = bisect_right(milestones, 0)
        schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched: Any = None) -> None:
        """Take back the construction step of every (nested) scheduler."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Advance one epoch in the scheduler whose turn it is."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        def warmup_then_cosine(lr_scheduler: Any, optimizer: Any) -> dict[str, Any]:
            return {"schedulers": [lr_scheduler.LinearLR(optimizer, start_factor=0.1,
                                                         total_iters=4),
                                   lr_scheduler.CosineAnnealingLR(optimizer, T_max=6)],
                    "milestones": [4]}

        def three(lr_scheduler: Any, optimizer: Any) -> dict[str, Any]:
            return {"schedulers": [lr_scheduler.ExponentialLR(optimizer, gamma=0.9),
                                   lr_scheduler.StepLR(optimizer, step_size=2),
                                   lr_scheduler.LinearLR(optimizer, start_factor=0.5)],
                    "milestones": [3, 7]}

        return [SchedulerSample(build=warmup_then_cosine, steps=14, name="warmup-cosine"),
                SchedulerSample(build=three, steps=14, name="three")]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a metric stopped improving for ``patience``
    epochs, as `torch.optim.lr_scheduler.ReduceLROnPlateau`; ``step(metric)`` each epoch.

    Args:
        optimizer: the optimizer.
        mode: ``"min"`` (the metric should fall) or ``"max"``.
        factor: the decay factor, < 1. Default: 0.1.
        patience: epochs without improvement tolerated before a decay. Default: 10.
        threshold: the least change that counts as an improvement. Default: 1e-4.
        threshold_mode: ``"rel"`` (relative to the best value) or ``"abs"``.
        cooldown: epochs after a decay during which bad epochs are not counted.
        min_lr: the lowest lr, one value or one per group. Default: 0.
        eps: decays smaller than this are skipped. Default: 1e-8.

    Raises:
        ValueError: for ``factor >= 1``, an unknown mode, or a ``min_lr`` list of the wrong
            length.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: list[float] | float = 0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got "
                                 f"{len(min_lr)}")
            self.default_min_lr: float | None = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _lrs(optimizer)
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number or a 0-d tensor); decay the lr when due."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _lrs(self.optimizer)

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), "
                    "usually due to a new param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length of the `optimizer` param "
                    "groups.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._init_is_better(mode=self.mode, threshold=self.threshold,
                             threshold_mode=self.threshold_mode)

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        bumpy = (1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.94, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89,
                 0.9, 0.95)
        rising = (0.1, 0.2, 0.2, 0.21, 0.2, 0.19, 0.3, 0.3, 0.3, 0.3, 0.31, 0.3)
        return [SchedulerSample({"patience": 1}, metrics=bumpy, steps=len(bumpy), name="min"),
                SchedulerSample({"mode": "max", "factor": 0.5, "patience": 0, "cooldown": 2,
                                 "threshold": 0.05, "threshold_mode": "abs", "min_lr": 0.02},
                                metrics=rising, steps=len(rising), name="max-abs-cooldown")]


class ConstantLR(LRScheduler):
    """Scale the lr by ``factor`` for the first ``total_iters`` epochs, then restore it, as
    `torch.optim.lr_scheduler.ConstantLR` (a warm-up at a constant lower lr).

    Args:
        optimizer: the optimizer.
        factor: the scale of the first epochs, in [0, 1]. Default: 1/3.
        total_iters: the epoch at which the lr is restored. Default: 5.
        last_epoch: the index of the last epoch (-1 starts the schedule).

    Raises:
        ValueError: for a factor outside [0, 1].
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _lrs(self.optimizer)
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({}, name="default"),
                SchedulerSample({"factor": 0.5, "total_iters": 8}, name="long")]


class MultiplicativeLR(_SavesLambdas, LRScheduler):
    """Multiply the lr by ``lr_lambda(epoch)`` every epoch, as
    `torch.optim.lr_scheduler.MultiplicativeLR` (`LambdaLR` gives the total factor instead).

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the epoch, or a list with one per parameter group.
        last_epoch: the index of the last epoch (-1 starts the schedule).

    Raises:
        ValueError: for a list of lambdas whose length is not the number of groups.
        TypeError: for a lambda that is not callable.
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lr_lambdas(optimizer, lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self._is_initial:
            return _lrs(self.optimizer)
        return [group["lr"] * lmbda(self.last_epoch)
                for lmbda, group in zip(self.lr_lambdas, self.optimizer.param_groups)]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({"lr_lambda": _Decay(0.99)}, name="decay")]


class PolynomialLR(LRScheduler):
    """Decay the lr as ``(1 - epoch / total_iters) ** power`` down to 0 at ``total_iters``,
    as `torch.optim.lr_scheduler.PolynomialLR` (in torch's chainable form, as the ratio of
    consecutive factors).

    Args:
        optimizer: the optimizer.
        total_iters: the epochs of the decay. Default: 5.
        power: the power of the polynomial. Default: 1.
        last_epoch: the index of the last epoch (-1 starts the schedule).
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self._is_initial or self.last_epoch > self.total_iters:
            return _lrs(self.optimizer)
        decay = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [group["lr"] * decay for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base_lr in self.base_lrs]

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({}, steps=8, name="linear"),
                SchedulerSample({"total_iters": 10, "power": 2.0}, name="quadratic")]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing from the initial lr to ``eta_min`` with warm restarts (SGDR,
    Loshchilov & Hutter, 2017), as `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`:
    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``, where
    ``T_cur`` counts the epochs since the last restart and the period ``T_i`` starts at
    ``T_0`` and is multiplied by ``T_mult`` at each restart.

    ``step(epoch)`` may be given a fractional epoch (``epoch + i / iters`` after batch ``i``)
    to anneal within an epoch; it computes ``T_cur`` and ``T_i`` from the epoch alone and,
    as torch's, does not warn.

    Args:
        optimizer: the optimizer.
        T_0: the epochs of the first period, a positive integer.
        T_mult: the growth factor of the period, an integer >= 1. Default: 1.
        eta_min: the minimum lr. Default: 0.
        last_epoch: the index of the last epoch (-1 starts the schedule).

    Raises:
        ValueError: for a T_0 or T_mult that is not such an integer, a non-numeric
            eta_min, or (in ``step``) a negative epoch.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1,  # noqa: N803
                 eta_min: float = 0.0, last_epoch: int = -1) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (fractional allowed), and set the lrs."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        elif epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        elif epoch < self.T_0:
            self.T_i = self.T_0
            self.T_cur = epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:
            # The periods T_0 * T_mult**k end at T_0 * (T_mult**(n+1) - 1) / (T_mult - 1):
            # ``n`` restarts happened before ``epoch``.
            n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
            self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
            self.T_i = self.T_0 * self.T_mult ** n
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({"T_0": 4}, steps=14, name="constant-period"),
                SchedulerSample({"T_0": 2, "T_mult": 2, "eta_min": 0.01}, steps=16,
                                name="growing-period")]


class CyclicLR(LRScheduler):
    """Cycle the lr between ``base_lr`` and ``max_lr`` (Smith, 2017), as
    `torch.optim.lr_scheduler.CyclicLR`; step it after every batch.

    Each cycle rises linearly for ``step_size_up`` steps and falls for ``step_size_down``;
    the amplitude ``max_lr - base_lr`` is scaled by ``scale_fn`` of the cycle number
    (``scale_mode="cycle"``) or of the step (``"iterations"``). The modes: ``triangular``
    (no scaling), ``triangular2`` (halved each cycle), ``exp_range`` (``gamma ** step``). With
    ``cycle_momentum`` the momentum (or Adam's beta1) moves the opposite way between
    ``max_momentum`` and ``base_momentum``.

    Args:
        optimizer: the optimizer (its lrs are replaced by ``base_lr`` at the start).
        base_lr, max_lr: the bounds of the lr, one value or one per group.
        step_size_up: steps of the rising half. Default: 2000.
        step_size_down: steps of the falling half (default: ``step_size_up``).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``; ignored with a
            ``scale_fn``.
        gamma: the base of ``exp_range``'s scale. Default: 1.
        scale_fn: a custom scale of the amplitude, a function of one argument; a callable
            object's attributes are saved by ``state_dict``.
        scale_mode: what ``scale_fn`` is given: ``"cycle"`` or ``"iterations"``.
        cycle_momentum: cycle the momentum inversely to the lr. Default: True.
        base_momentum, max_momentum: the momentum bounds (one value or one per group).
        last_epoch: the index of the last batch (-1 starts the schedule).

    Raises:
        TypeError: if ``optimizer`` is not an `Optimizer`.
        ValueError: for a list of the wrong length, an unknown mode without ``scale_fn``, or
            ``cycle_momentum`` with an optimizer without momentum.
    """

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float],
                 max_lr: float | list[float], step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.8,
                 max_momentum: float | list[float] = 0.9, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        base_lrs = per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_uses_beta1(optimizer)
            self.base_momentums = per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = per_group("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(self.max_momentums, self.base_momentums,
                                                optimizer.param_groups):
                    _set_momentum(group, self.use_beta1, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        """The built-in mode's scale and the scale mode it implies (none with a custom one).
        Kept out of the state_dict and rebuilt on load: a partial is not data."""
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref: Callable[[float], float] = _unit_scale
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref = _halving_scale
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref = functools.partial(_exp_scale, self.gamma)
            self.scale_mode = "iterations"

    def scale_fn(self, x: float) -> float:
        """The amplitude's scale at cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return self._scale_fn_ref(x)

    def get_lr(self) -> list[float]:
        """The lrs of step ``last_epoch``; with ``cycle_momentum`` also sets the groups'
        momentum (or beta1)."""
        self._warn_get_lr_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # the position in the cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, base, top in zip(self.optimizer.param_groups, self.base_momentums,
                                        self.max_momentums):
                _set_momentum(group, self.use_beta1, top - (top - base) * scale_factor * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As the base, without the built-in scale (rebuilt on load) and with a custom
        ``scale_fn``'s ``__dict__`` when it is a callable object (None otherwise)."""
        state = super().state_dict()
        state.pop("_scale_fn_ref", None)
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = (None if fn is None or isinstance(fn, types.FunctionType)
                                     else fn.__dict__.copy())
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        fn = state.pop("_scale_fn_custom")
        super().load_state_dict(state)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        return [SchedulerSample({"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3},
                                steps=20, name="triangular"),
                SchedulerSample({"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2,
                                 "step_size_down": 3, "mode": "triangular2"}, steps=20,
                                name="triangular2"),
                SchedulerSample({"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2,
                                 "mode": "exp_range", "gamma": 0.9, "cycle_momentum": False},
                                steps=20, name="exp_range")]


def _unit_scale(x: float) -> float:
    return 1.0


def _halving_scale(x: float) -> float:
    return 1 / (2.0 ** (x - 1))


def _exp_scale(gamma: float, x: float) -> float:
    return gamma ** x


class ChainedScheduler(_WrapsSchedulers, LRScheduler):
    """Step several schedulers together, as `torch.optim.lr_scheduler.ChainedScheduler`:
    each ``step()`` steps every one in order, so their (chainable) changes of the lr
    compose -- a warm-up factor times a decay, say.

    Args:
        schedulers: the schedulers (not `ReduceLROnPlateau`), all of one optimizer.
        optimizer: that optimizer (default: the first scheduler's).

    Raises:
        ValueError: for no scheduler, a `ReduceLROnPlateau` or a scheduler of another
            optimizer.
        TypeError: for an entry without an ``optimizer``.
    """

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler to be chained, but got no "
                             "scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_wrapped(name, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _lrs(schedulers[-1].optimizer)

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _lrs(self._schedulers[-1].optimizer)

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[SchedulerSample]:
        def warmup_times_decay(lr_scheduler: Any, optimizer: Any) -> dict[str, Any]:
            return {"schedulers": [lr_scheduler.ConstantLR(optimizer, factor=0.5,
                                                           total_iters=4),
                                   lr_scheduler.ExponentialLR(optimizer, gamma=0.9)]}

        return [SchedulerSample(build=warmup_times_decay, steps=12, name="constant-exponential")]
