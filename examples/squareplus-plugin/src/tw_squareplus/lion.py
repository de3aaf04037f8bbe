"""Lion (EvoLved Sign Momentum; Chen et al., 2023, "Symbolic Discovery of
Optimization Algorithms", Algorithm 2), as a `tensorweave.optim.Optimizer`.

Per parameter, with gradient g and momentum m (initially 0)::

    p <- p * (1 - lr * weight_decay)                # decoupled weight decay
    p <- p - lr * sign(beta1 * m + (1 - beta1) * g)
    m <- beta2 * m + (1 - beta2) * g
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import tensorweave as tw
from tensorweave.conformance.modules import OptimizerSample


class Lion(tw.optim.Optimizer):
    """Sign-of-momentum updates: every coordinate moves by exactly ``lr`` per step.

    Args:
        params: parameters or parameter groups.
        lr: the step size (typically 3-10x smaller than AdamW's). Default: 1e-4.
        betas: (beta1, beta2), the interpolation for the update and the momentum decay.
        weight_decay: decoupled weight decay. Default: 0.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-4,
                 betas: tuple[float, float] = (0.9, 0.99), weight_decay: float = 0.0) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        super().__init__(params, {"lr": lr, "betas": betas, "weight_decay": weight_decay})

    @tw.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = None
        if closure is not None:
            with tw.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["exp_avg"] = tw.zeros_like(p)
                m = state["exp_avg"]
                if wd:
                    p.mul_(1.0 - lr * wd)
                p.add_(tw.sign(m * beta1 + p.grad * (1.0 - beta1)), alpha=-lr)
                m.mul_(beta2).add_(p.grad, alpha=1.0 - beta2)
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        return [OptimizerSample({"lr": 1e-2}),
                OptimizerSample({"lr": 1e-2, "betas": (0.8, 0.9), "weight_decay": 0.1},
                                name="decay")]
