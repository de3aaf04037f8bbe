"""tensorweave's built-in optimizers: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta.

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

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"]

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


def _new_step() -> tw.Tensor:
    """The step counter: a 0-d tensor of the default float dtype on the cpu, as torch's."""
    dtype = tw.float64 if tw.get_default_dtype() == tw.float64 else tw.float32
    return tw.tensor(0.0, dtype=dtype)


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
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if maximize:
                    grad = -grad
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                if momentum != 0:
                    state = self.state[p]
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
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
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
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
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
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
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
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
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
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
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
