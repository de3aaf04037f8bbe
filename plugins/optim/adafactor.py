"""`Adafactor`: Adam-like steps with factored second moments (Shazeer & Stern, 2018), as
torch 2.13's `torch.optim.Adafactor`.

It follows torch's single-tensor algorithm operation for operation (the one torch runs
unless ``foreach=True`` is asked for), including torch's departures from the paper: ``lr``
caps the relative step size and scales the decoupled weight decay, and ``eps1`` enters only
the variance estimate and the update, never the row and column factors.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import tensorweave as tw
from tensorweave.conformance.modules import OptimizerSample
from tensorweave.optim import Optimizer

from .optimizers import _closure_loss, _new_step

__all__ = ["Adafactor"]

Closure = Callable[[], Any]


class Adafactor(Optimizer):
    """Adafactor, as `torch.optim.Adafactor`.

    Per parameter ``p`` with gradient ``g`` (negated when ``maximize``), at step ``t``::

        beta2_hat = 1 - t**beta2_decay;  rho = min(lr, 1 / sqrt(t))
        alpha = max(eps2, RMS(p)) * rho
        p <- p * (1 - lr * weight_decay)
        R <- lerp(R, mean(g*g, dim=-1), 1 - beta2_hat)    C <- lerp(C, mean(g*g, dim=-2), ...)
        V = R @ C / max(mean(R, dim=-2), eps1)             (p of 2 or more dims: factored)
        V <- lerp(V, g * g, 1 - beta2_hat)                  (0-d and 1-d p)
        U = g / max(sqrt(V), eps1);  p <- p - alpha * U / max(1, RMS(U) / d)

    A parameter of shape ``(..., n, m)`` keeps a row factor ``(..., n, 1)`` and a column
    factor ``(..., 1, m)`` instead of an ``(n, m)`` second moment: the memory saving that
    is the point of the method.

    Args:
        params: parameters or parameter groups.
        lr: the cap of the relative step size, and the weight decay's scale. Default: 1e-2.
        beta2_decay: the exponent of ``beta2_hat``'s decay (<= 0). Default: -0.8.
        eps: ``(eps1, eps2)``: the floor of the root-mean-square estimate (None: the
            parameter dtype's machine epsilon) and of the parameter scale. Default:
            (None, 1e-3).
        d: the clipping threshold of the update's RMS (>= 1). Default: 1.
        weight_decay: decoupled weight decay coefficient. Default: 0.
        maximize: maximize the objective instead of minimizing.

    The state of each parameter holds ``step`` (a 0-d float tensor) and either ``row_var``
    and ``col_var`` (2 or more dims) or ``variance``.

    Raises:
        ValueError: for a negative lr, eps or weight decay, a positive beta2_decay, d below 1,
            or a tensor lr of several elements.
    """

    def __init__(self, params: Iterable[Any], lr: float | tw.Tensor = 1e-2,
                 beta2_decay: float = -0.8, eps: tuple[float | None, float] = (None, 1e-3),
                 d: float = 1.0, weight_decay: float = 0.0, *, foreach: bool | None = None,
                 maximize: bool = False) -> None:
        if isinstance(lr, tw.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _state(self, p: tw.Tensor, grad: tw.Tensor) -> dict[str, Any]:
        """``p``'s state, created on its first step: the factors or the full variance."""
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        state = self.state[p]
        if not state:
            state["step"] = _new_step()
            if grad.dim() > 1:
                state["row_var"] = grad.new_zeros((*grad.shape[:-1], 1))
                state["col_var"] = grad.new_zeros((*grad.shape[:-2], 1, grad.shape[-1]))
            else:
                state["variance"] = tw.zeros_like(grad)
        return state

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, d, wd = float(group["lr"]), group["d"], group["weight_decay"]
            beta2_decay, maximize = group["beta2_decay"], group["maximize"]
            eps1, eps2 = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._state(p, p.grad)
                grad = -p.grad if maximize else p.grad
                if eps1 is None:  # torch's: the first parameter's dtype sets it for the group
                    eps1 = tw.finfo(p.dtype).eps
                step_t = state["step"]
                step_t += 1
                step = step_t.item()
                one_minus_beta2_t = step ** beta2_decay
                rho_t = min(lr, 1 / (step ** 0.5))
                alpha = max(eps2, p.norm(2).item() / (p.numel() ** 0.5)) * rho_t
                if wd != 0:
                    p.mul_(1 - lr * wd)
                if grad.dim() > 1:
                    row_var, col_var = state["row_var"], state["col_var"]
                    row_mean = tw.norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1))
                    row_var.lerp_(row_mean, one_minus_beta2_t)
                    col_mean = tw.norm(grad, dim=-2, keepdim=True).square_().div_(grad.size(-2))
                    col_var.lerp_(col_mean, one_minus_beta2_t)
                    var_estimate = row_var @ col_var
                    var_estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
                else:
                    variance = state["variance"]
                    variance.lerp_(grad * grad, one_minus_beta2_t)
                    var_estimate = variance.clone()
                # eps1 squared: the square root below brings it back to eps1's magnitude.
                update = var_estimate.clamp_(min=eps1 * eps1).rsqrt_()
                update.mul_(grad)
                denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * d))
                p.add_(update, alpha=-alpha / denom)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 0.05}, name="default"),
                OptimizerSample({"lr": 0.05, "beta2_decay": -0.5, "eps": (1e-6, 1e-2), "d": 1.5,
                                 "weight_decay": 0.1, "maximize": True},
                                shapes=((2, 3, 4), (3, 4), (5,), ()), name="options")]
