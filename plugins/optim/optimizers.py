"""tensorweave's built-in optimizers: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax,
NAdam, RAdam, Rprop, ASGD.

Each follows PyTorch's single-tensor algorithm (the one torch runs on the CPU) operation for
operation, so trajectories agree with ``torch.optim`` to rounding. The updates run under
``no_grad`` with in-place ops on the parameters and the state. tensorweave has no fused
``addcmul_``/``addcdiv_``: ``x.addcmul_(a, b, value=v)`` is written ``x.add_(a * v * b)`` and
``x.addcdiv_(a, b, value=v)`` is ``x.add_(a * v / b)``, in the order torch's cpu kernels
evaluate them (``x + v * a * b``, left to right), so the roundings match too.

Hyper-parameter groups carry torch's keys (``foreach``, ``fused``, ``capturable``,
``differentiable``) so that ``repr(optimizer)`` and ``state_dict()`` read the same as
torch's; tensorweave has one implementation, so ``foreach``/``fused``/``capturable`` change
nothing. ``differentiable=True`` (a step recorded by autograd) is not supported.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import tensorweave as tw
from tensorweave.conformance.modules import OptimizerSample
from tensorweave.ops.optim import adam_update
from tensorweave.optim import Optimizer

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
           "RAdam", "Rprop", "ASGD"]

Closure = Callable[[], Any]


def _check_non_negative(**values: float) -> None:
    """torch's constructor checks: ``Invalid <what>: <value>`` for a negative value."""
    names = {"lr": "learning rate", "eps": "epsilon value"}
    for key, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {names.get(key, key + ' value')}: {value}")


def _implementation_flags(foreach: bool | None, fused: bool | None,
                          differentiable: bool) -> None:
    """torch's checks of the implementation switches; tensorweave has one implementation."""
    if differentiable:
        raise NotImplementedError("differentiable=True (an optimizer step recorded by autograd) "
                                  "is not supported by tensorweave's optimizers; leave it False")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _closure_loss(closure: Closure | None) -> Any:
    """Run ``closure`` with grad enabled (it usually calls ``backward``)."""
    if closure is None:
        return None
    with tw.enable_grad():
        return closure()


def _check_betas(betas: tuple[float, float]) -> None:
    """torch's check that each running-average decay rate lies in [0, 1)."""
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def _scalar_state(value: float) -> tw.Tensor:
    """A scalar kept in the state (step counters, NAdam's ``mu_product``, ASGD's ``eta``):
    a 0-d tensor of the default float dtype on the cpu, as torch's, so its float32 roundings
    are torch's too."""
    dtype = tw.float64 if tw.get_default_dtype() == tw.float64 else tw.float32
    return tw.tensor(value, dtype=dtype)


def _new_step() -> tw.Tensor:
    """The step counter: a 0-d tensor of the default float dtype on the cpu, as torch's."""
    return _scalar_state(0.0)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, as `torch.optim.SGD`.

    Per parameter with gradient ``g`` (negated when ``maximize``)::

        g <- g + weight_decay * p
        b <- g (first step), else momentum * b + (1 - dampening) * g
        g <- g + momentum * b (nesterov), else b          (only with momentum != 0)
        p <- p - lr * g

    Args:
        params: parameters or parameter groups.
        lr: learning rate. Default: 1e-3.
        momentum: momentum factor. Default: 0.
        dampening: dampening of the momentum. Default: 0.
        weight_decay: L2 penalty. Default: 0.
        nesterov: use Nesterov momentum (needs momentum > 0 and zero dampening).
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: for a negative lr, momentum or weight decay, or Nesterov without momentum
            or with dampening.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _implementation_flags(foreach, fused, differentiable)
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
            dampening, nesterov, maximize = group["dampening"], group["nesterov"], group["maximize"]
            for p, grad, state in self.params_with_grad(group):
                if maximize:
                    grad = -grad
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                if momentum != 0:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = grad.clone()
                    else:
                        buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                    grad = grad.add(buf, alpha=momentum) if nesterov else buf
                p.add_(grad, alpha=-lr)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.1}, name="plain"),
                OptimizerSample({"lr": 0.05, "momentum": 0.9}, name="momentum"),
                OptimizerSample({"lr": 0.05, "momentum": 0.9, "nesterov": True},
                                name="nesterov"),
                OptimizerSample({"lr": 0.05, "momentum": 0.8, "dampening": 0.3,
                                 "weight_decay": 0.1}, name="dampening-decay"),
                OptimizerSample({"lr": 0.05, "momentum": 0.5, "maximize": True},
                                name="maximize")]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), optionally AMSGrad or decoupled weight decay, as
    `torch.optim.Adam`.

    Per parameter with gradient ``g`` (negated when ``maximize``), at step ``t``::

        p <- p * (1 - lr * weight_decay)       (decoupled_weight_decay)
        g <- g + weight_decay * p              (otherwise)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        v_max <- max(v_max, v)                 (amsgrad: v_max replaces v below)
        p <- p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Args:
        params: parameters or parameter groups.
        lr: learning rate. Default: 1e-3.
        betas: decay rates of the running averages of the gradient and its square.
        eps: added to the denominator for numerical stability. Default: 1e-8.
        weight_decay: L2 penalty (or decoupled decay). Default: 0.
        amsgrad: use the maximum of the second moments (Reddi et al., 2018).
        maximize: maximize the objective instead of minimizing.
        decoupled_weight_decay: shrink the parameters directly (AdamW) instead of adding
            the penalty to the gradient.

    The state of each parameter holds ``step`` (a 0-d float tensor), ``exp_avg``,
    ``exp_avg_sq`` and, with amsgrad, ``max_exp_avg_sq``.

    Raises:
        ValueError: for a negative lr, eps or weight decay, or a beta outside [0, 1).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_non_negative(lr=lr, eps=eps)
        _check_betas(betas)
        _check_non_negative(weight_decay=weight_decay)
        _implementation_flags(foreach, fused, differentiable)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p, grad, state in self.params_with_grad(group):
                if not state:
                    state["step"] = _new_step()
                    state["exp_avg"] = tw.zeros_like(p)
                    state["exp_avg_sq"] = tw.zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = tw.zeros_like(p)
                if maximize:
                    grad = -grad
                if wd != 0:
                    if decoupled:
                        p.mul_(1 - lr * wd)
                    else:
                        grad = grad.add(p, alpha=wd)
                step_t = state["step"]
                step_t += 1
                step = step_t.item()
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                step_size = lr / (1 - beta1 ** step)
                bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
                if not amsgrad:  # one fused op (one pass, one launch) where a backend has it
                    adam_update(p, grad, exp_avg, exp_avg_sq, beta1=beta1, beta2=beta2,
                                eps=eps, step_size=step_size,
                                bias_correction2_sqrt=bias_correction2_sqrt)
                    continue
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).add_(grad * (1 - beta2) * grad)
                max_sq = state["max_exp_avg_sq"]
                max_sq.copy_(tw.maximum(max_sq, exp_avg_sq))
                denom = max_sq.sqrt() / bias_correction2_sqrt + eps
                p.add_(exp_avg * -step_size / denom)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.05}, name="default"),
                OptimizerSample({"lr": 0.05, "betas": (0.8, 0.95), "amsgrad": True},
                                name="amsgrad"),
                OptimizerSample({"lr": 0.05, "weight_decay": 0.1, "eps": 1e-6},
                                name="weight-decay"),
                OptimizerSample({"lr": 0.05, "weight_decay": 0.1, "maximize": True,
                                 "decoupled_weight_decay": True}, name="decoupled-maximize")]


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as `torch.optim.AdamW`:
    ``p <- p * (1 - lr * weight_decay)`` before the Adam update, so the decay does not enter
    the moments. Arguments as `Adam`, with ``weight_decay`` defaulting to 1e-2.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.05}, name="default"),
                OptimizerSample({"lr": 0.05, "weight_decay": 0.2, "amsgrad": True},
                                name="amsgrad"),
                OptimizerSample({"lr": 0.05, "maximize": True}, name="maximize")]


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), optionally centered and with momentum, as
    `torch.optim.RMSprop`.

    Per parameter with gradient ``g`` (negated when ``maximize``)::

        g <- g + weight_decay * p
        v <- alpha * v + (1 - alpha) * g * g
        a <- sqrt(v - m * m) + eps with m <- alpha * m + (1 - alpha) * g   (centered)
        a <- sqrt(v) + eps                                                 (otherwise)
        b <- momentum * b + g / a;  p <- p - lr * b                        (momentum > 0)
        p <- p - lr * g / a                                                (otherwise)

    Args:
        params: parameters or parameter groups.
        lr: learning rate. Default: 1e-2.
        alpha: smoothing constant of the squared-gradient average. Default: 0.99.
        eps: added to the denominator. Default: 1e-8.
        weight_decay: L2 penalty. Default: 0.
        momentum: momentum factor. Default: 0.
        centered: normalize by the gradient's estimated variance instead of its raw second
            moment.
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: for a negative lr, eps, momentum, weight decay or alpha.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_non_negative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                            alpha=alpha)
        _implementation_flags(foreach, None, differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
            momentum, centered, maximize = group["momentum"], group["centered"], group["maximize"]
            for p, grad, state in self.params_with_grad(group):
                if not state:
                    state["step"] = _new_step()
                    state["square_avg"] = tw.zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = tw.zeros_like(p)
                    if centered:
                        state["grad_avg"] = tw.zeros_like(p)
                if maximize:
                    grad = -grad
                state["step"] += 1
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                square_avg = state["square_avg"]
                square_avg.mul_(alpha).add_(grad * (1 - alpha) * grad)
                if centered:
                    grad_avg = state["grad_avg"]
                    grad_avg.lerp_(grad, 1 - alpha)
                    avg = square_avg.sub(grad_avg * grad_avg).sqrt() + eps
                else:
                    avg = square_avg.sqrt() + eps
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf.mul_(momentum).add_(grad / avg)
                    p.add_(buf, alpha=-lr)
                else:
                    p.add_(grad * -lr / avg)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.01}, name="default"),
                OptimizerSample({"lr": 0.01, "centered": True, "momentum": 0.9},
                                name="centered-momentum"),
                OptimizerSample({"lr": 0.01, "alpha": 0.9, "weight_decay": 0.1,
                                 "maximize": True}, name="decay-maximize")]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), as `torch.optim.Adagrad`.

    Per parameter with gradient ``g`` (negated when ``maximize``), at step ``t``::

        g <- g + weight_decay * p
        s <- s + g * g                      (s starts at initial_accumulator_value)
        p <- p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    Args:
        params: parameters or parameter groups.
        lr: learning rate. Default: 1e-2.
        lr_decay: learning-rate decay per step. Default: 0.
        weight_decay: L2 penalty. Default: 0.
        initial_accumulator_value: starting value of the sum of squared gradients.
        eps: added to the denominator. Default: 1e-10.
        maximize: maximize the objective instead of minimizing.

    The state (``step`` and ``sum``) is created in the constructor, as in torch.

    Raises:
        ValueError: for a negative lr, lr_decay, weight decay, initial accumulator or eps.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_non_negative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                            initial_accumulator_value=initial_accumulator_value, eps=eps)
        _implementation_flags(foreach, fused, differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = {"step": _new_step(),
                                 "sum": tw.full_like(p, group["initial_accumulator_value"])}

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            wd, maximize = group["weight_decay"], group["maximize"]
            for p, grad, state in self.params_with_grad(group):
                if not state:  # a group added after construction
                    state["step"] = _new_step()
                    state["sum"] = tw.full_like(p, self.defaults["initial_accumulator_value"])
                step_t = state["step"]
                step_t += 1
                step = step_t.item()
                if maximize:
                    grad = -grad
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = state["sum"]
                state_sum.add_(grad * grad)
                p.add_(grad * -clr / (state_sum.sqrt() + eps))
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.1}, name="default"),
                OptimizerSample({"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1,
                                 "initial_accumulator_value": 0.5}, name="decay-accumulator"),
                OptimizerSample({"lr": 0.1, "eps": 1e-6, "maximize": True}, name="maximize")]


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as `torch.optim.Adadelta`.

    Per parameter with gradient ``g`` (negated when ``maximize``)::

        g <- g + weight_decay * p
        v <- rho * v + (1 - rho) * g * g
        d <- sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho * u + (1 - rho) * d * d
        p <- p - lr * d

    Args:
        params: parameters or parameter groups.
        lr: scale of the update. Default: 1.0.
        rho: decay rate of the running averages. Default: 0.9.
        eps: added inside the square roots. Default: 1e-6.
        weight_decay: L2 penalty. Default: 0.
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: for a negative lr, eps or weight decay, or rho outside [0, 1].
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_non_negative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_non_negative(eps=eps, weight_decay=weight_decay)
        _implementation_flags(foreach, None, differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            wd, maximize = group["weight_decay"], group["maximize"]
            for p, grad, state in self.params_with_grad(group):
                if not state:
                    state["step"] = _new_step()
                    state["square_avg"] = tw.zeros_like(p)
                    state["acc_delta"] = tw.zeros_like(p)
                state["step"] += 1
                if maximize:
                    grad = -grad
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                square_avg.mul_(rho).add_(grad * (1 - rho) * grad)
                delta = (acc_delta + eps).sqrt() / (square_avg + eps).sqrt() * grad
                acc_delta.mul_(rho).add_(delta * (1 - rho) * delta)
                p.add_(delta, alpha=-lr)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({}, name="default"),
                OptimizerSample({"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1},
                                name="decay"),
                OptimizerSample({"maximize": True}, name="maximize")]


class Adamax(Optimizer):
    """Adamax, Adam with the infinity norm in place of the second moment (Kingma & Ba, 2014,
    section 7), as `torch.optim.Adamax`.

    Per parameter with gradient ``g`` (negated when ``maximize``), at step ``t``::

        g <- g + weight_decay * p
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)
        p <- p - lr / (1 - beta1**t) * m / u

    Args:
        params: parameters or parameter groups.
        lr: learning rate. Default: 2e-3.
        betas: decay rates of the gradient's running average and of the infinity norm.
        eps: added to ``|g|`` so that ``u`` is never 0. Default: 1e-8.
        weight_decay: L2 penalty. Default: 0.
        maximize: maximize the objective instead of minimizing.

    The state of each parameter holds ``step`` (a 0-d float tensor), ``exp_avg`` and
    ``exp_inf``.

    Raises:
        ValueError: for a negative lr, eps or weight decay, or a beta outside [0, 1).
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_non_negative(lr=lr, eps=eps)
        _check_betas(betas)
        _check_non_negative(weight_decay=weight_decay)
        _implementation_flags(foreach, None, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd, maximize = group["weight_decay"], group["maximize"]
            for p, grad, state in self.params_with_grad(group):
                if not state:
                    state["step"] = _new_step()
                    state["exp_avg"] = tw.zeros_like(p)
                    state["exp_inf"] = tw.zeros_like(p)
                if maximize:
                    grad = -grad
                step_t = state["step"]
                step_t += 1
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_inf.copy_(tw.maximum(exp_inf.mul_(beta2), grad.abs() + eps))
                clr = lr / (1 - beta1 ** step_t.item())
                p.add_(exp_avg * -clr / exp_inf)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.05}, name="default"),
                OptimizerSample({"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-3,
                                 "weight_decay": 0.1}, name="decay"),
                OptimizerSample({"lr": 0.05, "maximize": True}, name="maximize")]


def _adam_moments(grad: tw.Tensor, exp_avg: tw.Tensor, exp_avg_sq: tw.Tensor, beta1: float,
                  beta2: float) -> None:
    """Adam's running averages of the gradient and its square, updated in place."""
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).add_(grad * (1 - beta2) * grad)


def _weight_decay(p: tw.Tensor, grad: tw.Tensor, lr: float, wd: float,
                  decoupled: bool) -> tw.Tensor:
    """The gradient after weight decay: either the L2 term added to it, or (decoupled, as
    AdamW) the parameter shrunk in place by ``1 - lr * wd`` and the gradient unchanged."""
    if wd == 0:
        return grad
    if decoupled:
        p.mul_(1 - lr * wd)
        return grad
    return grad.add(p, alpha=wd)


class NAdam(Optimizer):
    """NAdam, Adam with Nesterov momentum (Dozat, 2016), as `torch.optim.NAdam`.

    Per parameter with gradient ``g`` (negated when ``maximize``), at step ``t``, with the
    momentum schedule ``mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))`` and
    ``P_t = mu_1 * ... * mu_t``::

        p <- p * (1 - lr * weight_decay)       (decoupled_weight_decay)
        g <- g + weight_decay * p              (otherwise)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        d <- sqrt(v / (1 - beta2**t)) + eps
        p <- p - lr * (1 - mu_t) / (1 - P_t) * g / d - lr * mu_{t+1} / (1 - P_t mu_{t+1}) * m / d

    Args:
        params: parameters or parameter groups.
        lr: learning rate. Default: 2e-3.
        betas: decay rates of the running averages of the gradient and its square.
        eps: added to the denominator. Default: 1e-8.
        weight_decay: L2 penalty (or decoupled decay). Default: 0.
        momentum_decay: how fast ``mu_t`` rises towards ``beta1``. Default: 4e-3.
        decoupled_weight_decay: shrink the parameters directly (NAdamW) instead of adding
            the penalty to the gradient.
        maximize: maximize the objective instead of minimizing.

    The state of each parameter holds ``step`` and ``mu_product`` (``P_t``; 0-d float
    tensors), ``exp_avg`` and ``exp_avg_sq``.

    Raises:
        ValueError: for a negative lr, eps, weight decay or momentum decay, or a beta
            outside [0, 1).
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_non_negative(lr=lr, eps=eps)
        _check_betas(betas)
        _check_non_negative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        _implementation_flags(foreach, None, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd, maximize = group["weight_decay"], group["maximize"]
            momentum_decay, decoupled = group["momentum_decay"], group["decoupled_weight_decay"]
            for p, grad, state in self.params_with_grad(group):
                if not state:
                    state["step"] = _new_step()
                    state["mu_product"] = _scalar_state(1.0)
                    state["exp_avg"] = tw.zeros_like(p)
                    state["exp_avg_sq"] = tw.zeros_like(p)
                if maximize:
                    grad = -grad
                step_t = state["step"]
                step_t += 1
                step = step_t.item()
                bias_correction2 = 1 - beta2 ** step
                grad = _weight_decay(p, grad, lr, wd, decoupled)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                # The product lives in the state's dtype (float32 by default), as torch's.
                mu_product = state["mu_product"].mul_(mu).item()
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                _adam_moments(grad, exp_avg, exp_avg_sq, beta1, beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt() + eps
                p.add_(grad * (-lr * (1.0 - mu) / (1.0 - mu_product)) / denom)
                p.add_(exp_avg * ((-lr * mu_next) / (1.0 - mu_product * mu_next)) / denom)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.05}, name="default"),
                OptimizerSample({"lr": 0.05, "betas": (0.8, 0.9), "momentum_decay": 0.1,
                                 "weight_decay": 0.1}, name="decay"),
                OptimizerSample({"lr": 0.05, "weight_decay": 0.1, "maximize": True,
                                 "decoupled_weight_decay": True}, name="decoupled-maximize")]


class RAdam(Optimizer):
    """RAdam, Adam with the variance of its adaptive lr rectified (Liu et al., 2019), as
    `torch.optim.RAdam`.

    Per parameter with gradient ``g`` (negated when ``maximize``), at step ``t``, with
    ``rho_inf = 2 / (1 - beta2) - 1`` and ``rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)``
    (the length of the moving average that the second moment approximates)::

        p <- p * (1 - lr * weight_decay)       (decoupled_weight_decay)
        g <- g + weight_decay * p              (otherwise)
        m <- beta1 * m + (1 - beta1) * g;  v <- beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        p <- p - lr * m_hat * r_t * sqrt(1 - beta2**t) / (sqrt(v) + eps)   (rho_t > 5)
        p <- p - lr * m_hat                                               (otherwise)

    where ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``:
    while too few gradients have been seen the variance of ``v`` is too large to use, and
    the step is plain momentum SGD.

    Args:
        params: parameters or parameter groups.
        lr: learning rate. Default: 1e-3.
        betas: decay rates of the running averages of the gradient and its square.
        eps: added to the denominator. Default: 1e-8.
        weight_decay: L2 penalty (or decoupled decay). Default: 0.
        decoupled_weight_decay: shrink the parameters directly (as AdamW) instead of adding
            the penalty to the gradient.
        maximize: maximize the objective instead of minimizing.

    The state of each parameter holds ``step`` (a 0-d float tensor), ``exp_avg`` and
    ``exp_avg_sq``.

    Raises:
        ValueError: for a negative lr, eps or weight decay, or a beta outside [0, 1).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_non_negative(lr=lr, eps=eps)
        _check_betas(betas)
        _check_non_negative(weight_decay=weight_decay)
        _implementation_flags(foreach, None, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd, maximize = group["weight_decay"], group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p, grad, state in self.params_with_grad(group):
                if not state:
                    state["step"] = _new_step()
                    state["exp_avg"] = tw.zeros_like(p)
                    state["exp_avg_sq"] = tw.zeros_like(p)
                if maximize:
                    grad = -grad
                step_t = state["step"]
                step_t += 1
                step = step_t.item()
                grad = _weight_decay(p, grad, lr, wd, decoupled)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                _adam_moments(grad, exp_avg, exp_avg_sq, beta1, beta2)
                bias_correction2 = 1 - beta2 ** step
                corrected = exp_avg / (1 - beta1 ** step)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    # torch's ``scalar / tensor`` is ``tensor.reciprocal() * scalar``.
                    adaptive = (exp_avg_sq.sqrt() + eps).reciprocal() * bias_correction2 ** 0.5
                    p.sub_(corrected * lr * adaptive * rect)
                else:
                    p.sub_(corrected * lr)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        # beta2 = 0.9 gives rho_inf = 19, so rho_t passes 5 at step 6: both branches run.
        return [OptimizerSample({"lr": 0.05, "betas": (0.9, 0.9)}, steps=10, name="rectified"),
                OptimizerSample({"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1,
                                 "eps": 1e-4}, steps=10, name="decay"),
                OptimizerSample({"lr": 0.05, "betas": (0.9, 0.9), "weight_decay": 0.1,
                                 "decoupled_weight_decay": True, "maximize": True},
                                steps=10, name="decoupled-maximize")]


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun, 1993), as `torch.optim.Rprop`: each
    element moves by its own step size in the direction of ``-sign(g)``; the step size grows
    by ``etaplus`` while the gradient keeps its sign and shrinks by ``etaminus`` when it flips.

    Per parameter with gradient ``g`` (negated when ``maximize``) and previous gradient
    ``g_prev``::

        s <- clamp(s * etaplus, *step_sizes)     where g * g_prev > 0
        s <- clamp(s * etaminus, *step_sizes)    where g * g_prev < 0, and g <- 0 there
        p <- p - sign(g) * s;  g_prev <- g

    Args:
        params: parameters or parameter groups.
        lr: the initial step size. Default: 1e-2.
        etas: ``(etaminus, etaplus)``, the factors of shrinking and growing. Default:
            (0.5, 1.2).
        step_sizes: the least and the largest step size. Default: (1e-6, 50).
        maximize: maximize the objective instead of minimizing.

    The state of each parameter holds ``step`` (a 0-d float tensor), ``prev`` and
    ``step_size``, which starts at the group's lr.

    Raises:
        ValueError: for a negative lr, or etas not satisfying ``0 < etaminus < 1 < etaplus``.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_non_negative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _implementation_flags(foreach, None, differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            (etaminus, etaplus), (size_min, size_max) = group["etas"], group["step_sizes"]
            maximize = group["maximize"]
            for p, grad, state in self.params_with_grad(group):
                if not state:
                    state["step"] = _new_step()
                    state["prev"] = tw.zeros_like(p)
                    state["step_size"] = tw.full_like(p, group["lr"])
                if maximize:
                    grad = -grad
                state["step"] += 1
                prev, step_size = state["prev"], state["step_size"]
                # In torch's order, so that a NaN product stays NaN.
                factor = grad.mul(prev).sign()
                factor = tw.where(factor.gt(0), etaplus, factor)
                factor = tw.where(factor.lt(0), etaminus, factor)
                factor = tw.where(factor.eq(0), 1.0, factor)
                step_size.mul_(factor).clamp_(size_min, size_max)
                grad = tw.where(factor.eq(etaminus), 0.0, grad)  # a sign flip: wait a step
                p.add_(grad.sign() * -1 * step_size)
                prev.copy_(grad)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.05}, steps=10, name="default"),
                OptimizerSample({"lr": 0.2, "etas": (0.3, 1.5), "step_sizes": (0.01, 0.25)},
                                steps=10, name="clamped"),
                OptimizerSample({"lr": 0.05, "maximize": True}, name="maximize")]


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (Polyak & Juditsky, 1992), as `torch.optim.ASGD`:
    SGD with a decaying lr and weight shrinkage, plus a running average ``ax`` of the
    parameters from step ``t0`` on (the averaged iterate is ``state["ax"]``; the parameters
    themselves follow plain SGD).

    Per parameter with gradient ``g`` (negated when ``maximize``), at step ``t``::

        g <- g + weight_decay * p
        p <- p * (1 - lambd * eta) - eta * g
        ax <- ax + mu * (p - ax)
        eta <- lr / (1 + lambd * lr * t) ** alpha;  mu <- 1 / max(1, t - t0)

    Args:
        params: parameters or parameter groups.
        lr: learning rate. Default: 1e-2.
        lambd: decay term. Default: 1e-4.
        alpha: power of the lr's decay. Default: 0.75.
        t0: the step at which averaging starts. Default: 1e6.
        weight_decay: L2 penalty. Default: 0.
        maximize: maximize the objective instead of minimizing.

    The state of each parameter holds ``step``, ``eta`` and ``mu`` (0-d float tensors: eta
    starts at the lr rounded to float32, as in torch) and ``ax``.

    Raises:
        ValueError: for a negative lr or weight decay.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_non_negative(lr=lr, weight_decay=weight_decay)
        _implementation_flags(foreach, None, differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
            wd, maximize = group["weight_decay"], group["maximize"]
            for p, grad, state in self.params_with_grad(group):
                if not state:
                    state["step"] = _new_step()
                    state["eta"] = _scalar_state(lr)
                    state["mu"] = _scalar_state(1.0)
                    state["ax"] = tw.zeros_like(p)
                if maximize:
                    grad = -grad
                step_t = state["step"]
                step_t += 1
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                eta, mu, ax = state["eta"], state["mu"], state["ax"]
                eta_value = eta.item()
                p.mul_(1 - lambd * eta_value)
                p.add_(grad, alpha=-eta_value)
                mu_value = mu.item()
                if mu_value != 1:
                    ax.add_(p.sub(ax).mul_(mu_value))
                else:
                    ax.copy_(p)
                step = step_t.item()
                # Through a tensor of the default dtype (as torch's ``as_tensor``): rounded to
                # float32 even once a loaded state holds them in float64.
                eta.copy_(_scalar_state(lr / ((1 + lambd * lr * step) ** alpha)))
                mu.copy_(_scalar_state(1 / max(1, step - t0)))
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.05}, name="default"),
                OptimizerSample({"lr": 0.05, "lambd": 0.1, "alpha": 0.5, "t0": 3.0,
                                 "weight_decay": 0.1}, name="averaged"),
                OptimizerSample({"lr": 0.05, "t0": 2.0, "maximize": True}, name="maximize")]
