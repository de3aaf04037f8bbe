"""`Muon`: momentum SGD whose update is orthogonalized by a Newton-Schulz iteration, as
torch 2.13's `torch.optim.Muon` (an optimizer for the 2-d weights of hidden layers).

One difference, on purpose: torch runs the Newton-Schulz iteration in bfloat16, which
tensorweave does not have; here it runs in the parameter's dtype. The updates therefore
agree with torch's to bfloat16 precision (about 3 significant digits), not to rounding.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import tensorweave as tw
from tensorweave.conformance.modules import OptimizerSample
from tensorweave.optim import Optimizer

from .optimizers import _closure_loss

__all__ = ["Muon"]

Closure = Callable[[], Any]



def _original(rows: int, cols: int) -> float:
    """Keller Jordan's lr scale: an update of the same RMS for tall matrices."""
    return math.sqrt(max(1, rows / cols))


def _match_rms_adamw(rows: int, cols: int) -> float:
    """Moonshot's lr scale: the update's RMS of AdamW's, so its lr and decay carry over."""
    return 0.2 * math.sqrt(max(rows, cols))


_ADJUST_LR = {None: _original, "original": _original, "match_rms_adamw": _match_rms_adamw}


def _orthogonalize(g: tw.Tensor, coefficients: tuple[float, float, float], steps: int,
                   eps: float) -> tw.Tensor:
    """``steps`` quintic Newton-Schulz iterations ``X <- a X + (b G + c G^2) X`` with
    ``G = X X^T``, from ``X = g / max(||g||, eps)`` (the wide orientation): close to the
    orthogonal factor ``U V^T`` of ``g``'s SVD, with singular values in about [0.5, 1.5]."""
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if g.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coefficients
    tall = g.size(0) > g.size(1)
    x = g.T if tall else g
    x = x / x.norm().clamp(min=eps)
    for _ in range(steps):
        gram = x @ x.T
        x = tw.addmm(x, tw.addmm(gram, gram, gram, beta=b, alpha=c), x, beta=a)
    return x.T if tall else x


class Muon(Optimizer):
    """Muon, as `torch.optim.Muon`.

    Per 2-d parameter ``p`` (rows x cols) with gradient ``g``::

        B <- lerp(B, g, 1 - momentum)                   (the momentum buffer)
        U = lerp(g, B, momentum) if nesterov else B
        O = NewtonSchulz(U)                             (about the orthogonal factor of U)
        p <- p * (1 - lr * weight_decay)
        p <- p - lr * adjust(rows, cols) * O

    with ``adjust = sqrt(max(1, rows / cols))`` ("original", the default) or
    ``0.2 * sqrt(max(rows, cols))`` ("match_rms_adamw", to reuse AdamW's lr and decay).
    Optimize biases, embeddings and other non-matrix parameters with another optimizer.

    Args:
        params: 2-d parameters or parameter groups.
        lr: learning rate. Default: 1e-3.
        weight_decay: decoupled weight decay. Default: 0.1.
        momentum: the buffer's decay. Default: 0.95.
        nesterov: use the Nesterov look-ahead. Default: True.
        ns_coefficients: the iteration's ``(a, b, c)``. Default: (3.4445, -4.775, 2.0315).
        eps: the floor of the gradient's norm. Default: 1e-7.
        ns_steps: Newton-Schulz iterations (< 100). Default: 5.
        adjust_lr_fn: None, "original" or "match_rms_adamw".

    Raises:
        ValueError: for a negative lr, momentum or weight decay, an unknown
            ``adjust_lr_fn``, a tensor lr of several elements, or a parameter that is not
            2-d (PyTorch's messages).
    """

    def __init__(self, params: Iterable[Any], lr: float | tw.Tensor = 1e-3,
                 weight_decay: float = 0.1, momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
                 eps: float = 1e-7, ns_steps: int = 5, adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, tw.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn not in _ADJUST_LR:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum,
                    "nesterov": nesterov, "ns_coefficients": ns_coefficients, "eps": eps,
                    "ns_steps": ns_steps, "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    @tw.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, wd, momentum = float(group["lr"]), group["weight_decay"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if p.is_complex():
                    raise RuntimeError("Muon does not support complex parameters")
                if grad.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = tw.zeros_like(grad)
                buf = state["momentum_buffer"]
                buf.lerp_(grad, 1 - momentum)
                update = grad.lerp(buf, momentum) if group["nesterov"] else buf
                update = _orthogonalize(update, group["ns_coefficients"], group["ns_steps"],
                                        group["eps"])
                p.mul_(1 - lr * wd)
                p.add_(update, alpha=-lr * _ADJUST_LR[group["adjust_lr_fn"]](*p.shape))
        return loss

    @classmethod
    def conformance_samples(cls, rng: Any) -> list[OptimizerSample]:
        # PyTorch orthogonalizes in bfloat16 (see the module docstring), and the iteration
        # amplifies its rounding: after 8 steps of lr 0.02 the parameters differ by up to
        # ~1e-3. tests/unit/test_muon.py checks the float64 algorithm to 1e-12.
        tol = {"atol": 3e-3, "rtol": 1e-2}
        return [OptimizerSample({"lr": 0.02}, shapes=((3, 4), (5, 2)), name="default", **tol),
                OptimizerSample({"lr": 0.02, "weight_decay": 0.0, "momentum": 0.9,
                                 "nesterov": False, "ns_steps": 3,
                                 "adjust_lr_fn": "match_rms_adamw"},
                                shapes=((4, 4), (2, 6)), name="options", **tol)]
