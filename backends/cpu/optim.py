"""Fused NumPy kernel for the optimizer update op (adam_update).

The update runs in place with NumPy's ``out=`` forms, so a step allocates one temporary
per parameter instead of a dozen. Each expression is the decomposition's, in its order,
so the results are the same floats (the float64 loss curves match PyTorch's to 1e-9).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from tensorweave import dtypes as D


def adam_update(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, *, beta1: float,
                beta2: float, eps: float, step_size: float,
                bias_correction2_sqrt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if p.dtype == D.bfloat16.np:
        # In float32, each tensor rounded once when written back (NumPy's bfloat16 loops
        # round after every operation, and are slow).
        p32, m32, v32 = (a.astype(np.float32) for a in (p, m, v))
        adam_update(p32, g.astype(np.float32), m32, v32, beta1=beta1, beta2=beta2, eps=eps,
                    step_size=step_size, bias_correction2_sqrt=bias_correction2_sqrt)
        p[...], m[...], v[...] = p32, m32, v32
        return p, m, v
    w = 1 - beta1
    t = np.subtract(g, m, out=np.empty(p.shape, p.dtype))  # (an array even when 0-d)
    if abs(w) < 0.5:  # lerp's two-sided formula, as the lerp op
        t *= w
        m += t
    else:
        t *= 1.0 - w
        np.subtract(g, t, out=m)
    np.multiply(v, beta2, out=v)
    np.multiply(g, 1 - beta2, out=t)
    t *= g
    v += t
    np.sqrt(v, out=t)
    t /= bias_correction2_sqrt
    t += eps
    np.divide(np.multiply(m, -step_size), t, out=t)
    p += t
    return p, m, v


KERNELS: dict[str, Callable[..., Any]] = {"adam_update": adam_update}
