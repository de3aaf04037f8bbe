"""Optimizer update ops: an optimizer's per-parameter arithmetic as one op.

Adam's update is about a dozen elementwise ops per parameter, each a pass over memory
(and, on a device, a kernel launch); on small models it was most of a training step. As
one composite op it is a single pass where a backend registers a kernel, and the same
in-place arithmetic as before where one does not. The op mutates its tensor arguments,
as `assign` does, so it is no public function: optimizers (``plugins/optim``) call it.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import COMPOSITE, Tol, defop

__all__ = ["adam_update"]

_NAMES = ("param", "grad", "exp_avg", "exp_avg_sq")


def _adam_decomp(param: Tensor, grad: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor, *,
                 beta1: float, beta2: float, eps: float, step_size: float,
                 bias_correction2_sqrt: float) -> tuple[Tensor, Tensor, Tensor]:
    # The order of operations is PyTorch's (single-tensor Adam), which the float64 loss
    # curves match to 1e-9; a backend's fused kernel computes the same expressions.
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).add_(grad * (1 - beta2) * grad)
    denom = exp_avg_sq.sqrt() / bias_correction2_sqrt + eps
    param.add_(exp_avg * -step_size / denom)
    return param, exp_avg, exp_avg_sq


def _adam_ref(param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, *, beta1: float,
              beta2: float, eps: float, step_size: float,
              bias_correction2_sqrt: float) -> tuple[Any, Any, Any]:
    m = exp_avg + (1 - beta1) * (grad - exp_avg)
    v = exp_avg_sq * beta2 + (1 - beta2) * grad * grad
    return param - step_size * m / (np.sqrt(v) / bias_correction2_sqrt + eps), m, v


def _adam_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    hyper = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "step_size": 0.01,
             "bias_correction2_sqrt": 0.1}
    for shape in [(), (5,), (3, 4), (0, 3)]:
        p, g, m = (S.make(rng, shape, dt) for _ in range(3))
        v = S.make(rng, shape, dt, 0.0, 2.0)
        yield S.SampleInput(tuple(S.Arg(a) for a in (p, g, m, v)), hyper, name=f"{shape}")
    p, g, m = (S.make(rng, (4, 6), dt) for _ in range(3))
    v = S.make(rng, (4, 6), dt, 0.0, 2.0)
    yield S.SampleInput((S.Arg(p, noncontig=True), S.Arg(g, noncontig=True), S.Arg(m),
                         S.Arg(v, noncontig=True)), hyper, name="non-contiguous")
    # beta1 <= 0.5 takes the other side of lerp's two-sided formula.
    yield S.SampleInput(tuple(S.Arg(a) for a in (p, g, m, v)),
                        dict(hyper, beta1=0.3, beta2=0.5, step_size=0.5), name="small betas")


@defop(COMPOSITE, method=False, function=False, differentiable=False, n_outputs=3,
       bfloat16_native=True, dtypes=D.FLOATING, decomp=_adam_decomp, ref=_adam_ref,
       samples=_adam_samples,
       tol={D.float16: Tol(2e-2, 2e-2), D.bfloat16: Tol(2e-2, 2e-2)})
def adam_update(param: Tensor, grad: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor, *,
                beta1: float, beta2: float, eps: float, step_size: float,
                bias_correction2_sqrt: float) -> tuple[Tensor, Tensor, Tensor]:
    """One Adam step of one parameter, in place, as PyTorch's single-tensor Adam.

    The update::

        exp_avg <- lerp(exp_avg, grad, 1 - beta1)
        exp_avg_sq <- exp_avg_sq * beta2 + grad * (1 - beta2) * grad
        param <- param + exp_avg * -step_size / (sqrt(exp_avg_sq) / bias_correction2_sqrt + eps)

    Weight decay, ``maximize`` and amsgrad stay with the optimizer, which applies them to
    the gradient or the moments before calling this.

    Args:
        param, grad, exp_avg, exp_avg_sq: tensors of one shape, dtype and device; all but
            ``grad`` are updated in place.
        beta1, beta2, eps: Adam's coefficients.
        step_size: ``lr / (1 - beta1 ** step)``.
        bias_correction2_sqrt: ``sqrt(1 - beta2 ** step)``.

    Returns:
        ``(param, exp_avg, exp_avg_sq)``, updated.

    Raises:
        RuntimeError: naming the argument whose shape or dtype differs from ``param``'s.
    """
    for name, t in zip(_NAMES[1:], (grad, exp_avg, exp_avg_sq)):
        if t.shape != param.shape or t.dtype is not param.dtype:
            raise RuntimeError(
                f"adam_update: {name} has shape {list(t.shape)} and dtype {t.dtype.name}, but "
                f"param has shape {list(param.shape)} and dtype {param.dtype.name}; every "
                "argument must match the parameter")
    if not param.dtype.is_floating_point:
        raise RuntimeError(f"adam_update: expected floating-point tensors; got "
                           f"{param.dtype.name}")
    adam_update.bind(param, grad, exp_avg, exp_avg_sq, beta1=beta1, beta2=beta2, eps=eps,
                     step_size=step_size, bias_correction2_sqrt=bias_correction2_sqrt)
    for t in (param, exp_avg, exp_avg_sq):
        t._bump_version()
    return param, exp_avg, exp_avg_sq
