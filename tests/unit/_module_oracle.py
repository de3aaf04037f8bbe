"""Run a tensorweave layer and its PyTorch twin on the same parameters and inputs, and
compare outputs, input gradients and parameter gradients (float64).

Inputs are nested tuples of NumPy arrays (or None / plain values): floating-point arrays
become leaves that require grad in both frameworks, bool and integer arrays stay
constants. The outputs may nest tuples and hold None (``need_weights=False``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorweave as tw


def copy_parameters(tw_module: Any, torch_module: Any) -> None:
    """Give ``tw_module`` the state of ``torch_module`` (same names), as float64."""
    torch_module.double()
    tw_module.double()
    state = {k: tw.tensor(v.detach().numpy()) for k, v in torch_module.state_dict().items()}
    tw_module.load_state_dict(state)


def _convert(value: Any, fw: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_convert(v, fw) for v in value)
    if isinstance(value, dict):
        return {k: _convert(v, fw) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        t = fw.tensor(value)
        return t.requires_grad_() if value.dtype.kind == "f" else t
    return value


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, (tuple, list)):
        return [x for v in value for x in _leaves(v)]
    return [] if value is None or not hasattr(value, "requires_grad") else [value]


def compare(tw_module: Any, torch_module: Any, inputs: tuple[Any, ...],
            kwargs: dict[str, Any] | None = None, grad: bool = True, atol: float = 1e-10,
            seed: int = 0) -> Any:
    """Forward both modules, compare every output; then backpropagate the same random
    cotangents and compare the gradients of every float input and every parameter.

    Returns:
        The tensorweave outputs.
    """
    kwargs = kwargs or {}
    tw_in, torch_in = _convert(inputs, tw), _convert(inputs, _torch())
    tw_out = tw_module(*tw_in, **_convert(kwargs, tw))
    torch_out = torch_module(*torch_in, **_convert(kwargs, _torch()))
    outs, refs = _leaves(tw_out), _leaves(torch_out)
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs):
        assert tuple(o.shape) == tuple(r.shape)
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), atol=atol, rtol=1e-8)
    if not grad:
        return tw_out
    rng = np.random.default_rng(seed)
    cots = [rng.standard_normal(tuple(r.shape)) for r in refs]
    tw.autograd.backward(outs, [tw.tensor(c) for c in cots])
    _torch().autograd.backward(refs, [_torch().tensor(c) for c in cots])
    for a, b in zip(_leaves(tw_in), _leaves(torch_in)):
        if b.requires_grad:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=1e-8)
    torch_params = dict(torch_module.named_parameters())
    tw_params = dict(tw_module.named_parameters())
    assert list(tw_params) == list(torch_params)
    for name, p in tw_params.items():
        ref = torch_params[name].grad
        if ref is None:
            assert p.grad is None or not np.any(p.grad.numpy()), name
        else:
            np.testing.assert_allclose(p.grad.numpy(), ref.numpy(), atol=atol, rtol=1e-8,
                                       err_msg=name)
    return tw_out


def _torch() -> Any:
    import torch

    return torch
