"""`tensorweave.optim.swa_utils`: weight averaging (SWA, EMA) and its lr schedule, as
`torch.optim.swa_utils`.

`AveragedModel` keeps a copy of a model whose parameters (and optionally buffers) are a
running average of the model's; the ``get_*_avg_fn`` factories give the usual averages;
`SWALR` anneals each group's lr to a constant SWA lr; `update_bn` recomputes BatchNorm
statistics for averaged weights, which no forward pass has seen.
"""

from __future__ import annotations

import itertools
import math
from copy import deepcopy
from typing import Any, Callable, Iterable, Sequence

from ..autograd.grad_mode import no_grad
from ..dtypes import long
from ..nn import Module
from ..ops.creation import tensor
from ..tensor import Tensor
from .lr_scheduler import LRScheduler, per_group
from .optimizer import Optimizer

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]

ParamList = Sequence[Tensor]
AvgFn = Callable[[Tensor, Tensor, "Tensor | int"], Tensor]
MultiAvgFn = Callable[[ParamList, ParamList, "Tensor | int"], None]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """An in-place exponential moving average over lists of tensors, for `AveragedModel`'s
    ``multi_avg_fn``: ``ema <- decay * ema + (1 - decay) * current`` (a ``lerp`` for floating
    tensors, as torch's ``_foreach_lerp_``).

    Raises:
        ValueError: for a decay outside [0, 1].
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list: ParamList, current_param_list: ParamList, _: Any) -> None:
        if ema_param_list[0].is_floating_point():
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                p_ema.lerp_(p_model, 1 - decay)
        else:
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """An in-place equal-weight average over lists of tensors, for `AveragedModel`'s
    ``multi_avg_fn``: ``avg <- avg + (current - avg) / (n_averaged + 1)``.

    Floating tensors take torch's ``lerp`` by ``1 / (n_averaged + 1)``, a weight of the
    default dtype when ``n_averaged`` is a tensor, as torch's. Integer tensors (buffers such
    as ``num_batches_tracked``) are averaged by true division and truncated back, where
    torch's ``addcdiv`` raises for them.
    """
    @no_grad()
    def swa_update(averaged_param_list: ParamList, current_param_list: ParamList,
                   num_averaged: Tensor | int) -> None:
        if averaged_param_list[0].is_floating_point():
            weight = 1 / (num_averaged + 1)
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                p_avg.lerp_(p_model, weight)
        else:
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                p_avg.copy_(p_avg + (p_model - p_avg) / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """The exponential moving average of one tensor, for `AveragedModel`'s ``avg_fn``:
    returns ``decay * ema + (1 - decay) * current``.

    Raises:
        ValueError: for a decay outside [0, 1].
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """The equal-weight average of one tensor, for `AveragedModel`'s ``avg_fn``: returns
    ``avg + (current - avg) / (n_averaged + 1)``."""
    @no_grad()
    def swa_update(averaged_param: Tensor, current_param: Tensor,
                   num_averaged: Tensor | int) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of a model whose parameters are a running average of the model's, for
    Stochastic Weight Averaging (Izmailov et al., 2018) and exponential moving averages, as
    `torch.optim.swa_utils.AveragedModel`.

    The first `update_parameters` copies the model's parameters; each later one averages
    them in with ``avg_fn`` (per tensor) or ``multi_avg_fn`` (per list of tensors of one
    device and dtype); with neither, an equal-weight average. Buffers (BatchNorm's running
    statistics) are copied from the model unless ``use_buffers``, which averages them too.

    Args:
        model: the model to average (deep-copied).
        device: where to keep the averaged copy (default: where the model is).
        avg_fn: ``avg_fn(averaged, current, n_averaged) -> new averaged``.
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, n_averaged)``, in place.
        use_buffers: average the buffers with the parameters instead of copying them.

    Attributes:
        module: the averaged copy; `forward` calls it.
        n_averaged: a 0-d int64 buffer, how many models have been averaged.

    The equal-weight default is torch's cpu path (``avg + (current - avg) / (n + 1)`` per
    tensor) on every device; torch's cuda path is `get_swa_multi_avg_fn`'s ``lerp``, which
    its ``multi_avg_fn`` gives here too. ``avg_fn`` and ``multi_avg_fn`` are not part of
    ``state_dict``.

    Raises:
        AssertionError: when both ``avg_fn`` and ``multi_avg_fn`` are given (as torch).
    """

    def __init__(self, model: Module, device: Any = None, avg_fn: AvgFn | None = None,
                 multi_avg_fn: MultiAvgFn | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The averaged copy's forward."""
        return self.module(*args, **kwargs)

    def _tensors(self, model: Module) -> Iterable[Tensor]:
        """What is averaged, in order: the parameters, then the buffers with ``use_buffers``."""
        if self.use_buffers:
            return itertools.chain(model.parameters(), model.buffers())
        return model.parameters()

    def update_parameters(self, model: Module) -> None:
        """Average ``model``'s parameters (and buffers, with ``use_buffers``) in; copy them
        on the first call. Without ``use_buffers`` the buffers are copied every time."""
        averaged: list[Tensor] = []
        current: list[Tensor] = []
        copy_param = bool(self.n_averaged == 0)
        with no_grad():
            for p_averaged, p_model in zip(self._tensors(self.module), self._tensors(model)):
                p_model_ = p_model.detach().to(p_averaged.device)
                averaged.append(p_averaged.detach())
                current.append(p_model_)
                if copy_param:
                    p_averaged.detach().copy_(p_model_)
            if self.n_averaged > 0:
                self._average(averaged, current)
            if not self.use_buffers:
                for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                    b_swa.detach().copy_(b_model.detach().to(b_swa.device))
            self.n_averaged += 1

    def _average(self, averaged: list[Tensor], current: list[Tensor]) -> None:
        """One averaging step of the tensors after the first ``update_parameters``."""
        if self.multi_avg_fn is None:
            avg_fn = self.avg_fn or get_swa_avg_fn()
            for p_averaged, p_model in zip(averaged, current):
                n_averaged = self.n_averaged.to(p_averaged.device)
                p_averaged.copy_(avg_fn(p_averaged, p_model, n_averaged))
            return
        groups: dict[tuple[Any, Any], tuple[list[Tensor], list[Tensor]]] = {}
        for p_averaged, p_model in zip(averaged, current):
            mine, theirs = groups.setdefault((p_averaged.device, p_averaged.dtype), ([], []))
            mine.append(p_averaged)
            theirs.append(p_model)
        for (device, _), (mine, theirs) in groups.items():
            self.multi_avg_fn(mine, theirs, self.n_averaged.to(device))


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of ``model``'s BatchNorm layers with one pass over
    ``loader``, as `torch.optim.swa_utils.update_bn`: averaged weights come with no
    statistics of their own.

    The statistics are reset and accumulated as a cumulative average (``momentum=None``)
    in training mode; each layer's momentum and the model's mode are restored afterwards.

    Args:
        loader: batches, each a tensor or a list/tuple whose first element is the input.
        model: the model (its `BatchNorm1d`/`2d`/`3d` layers, and subclasses of theirs).
        device: where to move each batch before the forward (default: left where it is).
    """
    # The layers come from the registry (a plugin may provide them), so they are picked as
    # the registered BatchNorm classes, and the subclasses of theirs.
    from .. import nn

    batch_norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
    momenta = {}
    for module in model.modules():
        if isinstance(module, batch_norms):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr to a fixed SWA lr over ``anneal_epochs`` epochs, then holds
    it, as `torch.optim.swa_utils.SWALR`; meant to follow another schedule once weight
    averaging starts.

    At step ``s`` with ``alpha(t)`` the anneal (``t`` for linear, ``(1 - cos(pi t)) / 2``
    for cos) and ``t = clamp(s / max(1, anneal_epochs), 0, 1)``, the lr is
    ``swa_lr * alpha(t) + lr0 * (1 - alpha(t))``, where ``lr0`` is recovered from the group's
    current lr (so another scheduler may have moved it).

    Args:
        optimizer: the optimizer whose groups' ``"lr"`` it sets; each group gets ``"swa_lr"``.
        swa_lr: the lr to anneal to, one for all groups or a list with one per group.
        anneal_epochs: the length of the anneal (0: jump straight to ``swa_lr``). Default: 10.
        anneal_strategy: ``"cos"`` or ``"linear"``. Default: ``"cos"``.
        last_epoch: the index of the last epoch. Default: -1.

    Raises:
        ValueError: for an unknown strategy, a negative or non-int ``anneal_epochs``, or a
            list of lrs whose length is not the number of groups.
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float],
                 anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1) -> None:

        for lr, group in zip(per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        """The lr the anneal started from, given the lr ``lr`` at progress ``alpha``."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer and the anneal function (restored from the
        strategy's name)."""
        return {key: value for key, value in self.__dict__.items()
                if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict` returned."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
