"""`tensorweave.optim.lr_scheduler`: the `LRScheduler` base and the registered schedulers.

Schedulers are plugins (``plugins/optim/schedulers.py`` and any third-party package):
``lr_scheduler.StepLR`` is looked up in the registry, as a third party's scheduler is.
The base follows `torch.optim.lr_scheduler.LRScheduler`: the constructor records each
group's ``initial_lr`` and takes the first step (epoch 0), ``step()`` advances
``last_epoch`` and writes ``get_lr()`` into the groups, and ``state_dict`` is the
scheduler's ``__dict__`` without the optimizer.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..plugin.manager import get_registry
from .optimizer import Optimizer

__all__ = ["LRScheduler"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
    "epoch is different from None, the closed form is used instead of the new chainable form, "
    "where available. Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose.")


class LRScheduler:
    """Base class of learning-rate schedulers, as `torch.optim.lr_scheduler.LRScheduler`.

    A subclass implements ``get_lr()``: the lrs of epoch ``last_epoch``, usually from the
    groups' current ``"lr"`` (the chainable form, so schedulers compose) or from
    ``base_lrs``. While ``_is_initial`` is True, ``get_lr`` is computing the lrs at
    construction. A subclass may also give ``_get_closed_form_lr()``, used by
    ``step(epoch)``.

    Args:
        optimizer: the optimizer whose groups' ``"lr"`` it sets.
        last_epoch: the index of the last epoch; -1 (the default) starts a schedule.
            Any other value resumes one and needs ``"initial_lr"`` in every group.

    Attributes:
        base_lrs: each group's ``"initial_lr"``.
        last_epoch: the epoch of the current lrs.

    Raises:
        TypeError: if ``optimizer`` is not an `Optimizer`.
        KeyError: when resuming (``last_epoch >= 0``) without ``"initial_lr"`` in a group.
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        "scheduler with last_epoch >= 0.\nThis typically happens when:\n1. "
                        "You're trying to resume training from a checkpoint but haven't "
                        "properly loaded the optimizer state\n2. You're using last_epoch >= 0 "
                        "for a fresh training run (not recommended)")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """Reset the step count and take the first step (the lrs of epoch 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer (save the optimizer's state separately)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict` returned."""
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step`` set, one per parameter group."""
        return self._last_lr

    def get_lr(self) -> list[float]:
        """The learning rates of epoch ``last_epoch`` (called by ``step``; to read the
        current lrs use `get_last_lr`)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr()")

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set the groups' lrs. Call it after ``optimizer.step()``.

        Args:
            epoch: deprecated: jump to this epoch (with the closed form where there is one).
        """
        if self._step_count == 1 and not self.optimizer._opt_called:
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch "
                "1.1.0 and later, you should call them in the opposite order: "
                "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will "
                "result in PyTorch skipping the first value of the learning rate schedule. See "
                "more details at https://pytorch.org/docs/stable/optim.html"
                "#how-to-adjust-learning-rate", UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Compute the lrs of the next (or the given) epoch and write them into the groups."""
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _warn_get_lr_outside_step(self) -> None:
        """Subclasses' ``get_lr`` call this: outside ``step`` it is almost always a mistake
        for `get_last_lr` (chainable ``get_lr`` would advance the schedule)."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=3)


class _LRScheduler(LRScheduler):
    """The pre-2.0 name of `LRScheduler`, kept for code that subclasses it."""


def __getattr__(name: str) -> Any:
    """Registered schedulers are reachable as ``tensorweave.optim.lr_scheduler.<name>``."""
    if name.startswith("__"):
        # The import system probes modules for ``__path__`` & co. (``from .lr_scheduler import
        # X`` inside a plugin being loaded): answering must not load the registry.
        raise AttributeError(f"module 'tensorweave.optim.lr_scheduler' has no attribute {name!r}")
    cls = get_registry().lr_schedulers.get(name)
    if cls is None:
        raise AttributeError(f"module 'tensorweave.optim.lr_scheduler' has no attribute "
                             f"{name!r}: no installed plugin registers an lr scheduler of that "
                             "name (`tensorweave plugins` lists what is registered)")
    return cls


def __dir__() -> list[str]:
    return sorted({*globals(), *get_registry().lr_schedulers})


def per_group(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """``value`` for each group: a list/tuple with one entry per group, or one shared value."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has "
                             f"{len(optimizer.param_groups)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)
