"""Run a tensorweave function and its PyTorch twin on the same inputs, and compare the
outputs and the gradients of every floating-point input (float64 by default).

Inputs are NumPy arrays (floating ones become leaves that require grad in both frameworks;
integer and bool ones stay constants) or plain values passed as they are.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import tensorweave as tw


def _torch() -> Any:
    import torch

    return torch


def _convert(value: Any, fw: Any) -> Any:
    if isinstance(value, np.ndarray):
        t = fw.tensor(value)
        return t.requires_grad_() if value.dtype.kind == "f" else t
    return value


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def compare(tw_fn: Callable[..., Any], torch_fn: Callable[..., Any], *inputs: Any,
            grad: bool = True, atol: float = 1e-10, rtol: float = 1e-8, seed: int = 0) -> Any:
    """Forward both functions and compare every output; then backpropagate the same random
    cotangents and compare the gradients of the floating-point inputs.

    Returns:
        The tensorweave output(s).
    """
    torch = _torch()
    tw_in = [_convert(v, tw) for v in inputs]
    torch_in = [_convert(v, torch) for v in inputs]
    tw_out, torch_out = tw_fn(*tw_in), torch_fn(*torch_in)
    outs, refs = _outputs(tw_out), _outputs(torch_out)
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs):
        assert tuple(o.shape) == tuple(r.shape)
        assert o.dtype.name == str(r.dtype).removeprefix("torch."), (o.dtype, r.dtype)
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), atol=atol, rtol=rtol)
    if not grad:
        return tw_out
    rng = np.random.default_rng(seed)
    pairs = [(o, r) for o, r in zip(outs, refs) if r.requires_grad]
    cots = [rng.standard_normal(tuple(r.shape)) for _, r in pairs]
    tw.autograd.backward([o for o, _ in pairs],
                         [tw.tensor(c, dtype=o.dtype) for (o, _), c in zip(pairs, cots)])
    torch.autograd.backward([r for _, r in pairs],
                            [torch.tensor(c, dtype=r.dtype) for (_, r), c in zip(pairs, cots)])
    for i, (a, b) in enumerate(zip(tw_in, torch_in)):
        if getattr(b, "requires_grad", False):
            want = np.zeros(tuple(b.shape)) if b.grad is None else b.grad.numpy()
            got = np.zeros(tuple(a.shape)) if a.grad is None else a.grad.numpy()
            np.testing.assert_allclose(got, want, atol=atol, rtol=rtol,
                                       err_msg=f"gradient of input {i}")
    return tw_out
