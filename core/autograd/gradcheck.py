"""`gradcheck` and `gradgradcheck`: autograd's gradients against finite differences.

Like PyTorch's slow mode: the full Jacobian of every floating-point output with respect
to every input that requires grad, numerically (central differences, evaluated in
float64) and analytically (one `autograd.grad` per output element), compared with
``|analytical - numerical| <= atol + rtol * |numerical|``. Works on any device: the
perturbed inputs are rebuilt from host copies.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from .engine import grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` / `gradgradcheck` when the gradients disagree."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _is_tensor(x: Any) -> bool:
    from ..tensor import Tensor

    return isinstance(x, Tensor)


def _float_outputs(out: Any) -> list[Any]:
    """The floating-point tensor outputs (the ones gradients are checked for)."""
    return [o for o in _as_tuple(out) if _is_tensor(o) and o.dtype.is_floating_point]


def _host64(t: Any) -> np.ndarray:
    return np.asarray(t.detach()._host(), dtype=np.float64).reshape(-1)


def _numerical(func: Callable[..., Any], inputs: tuple[Any, ...], diff: list[int],
               outputs: list[Any], eps: float) -> dict[tuple[int, int], np.ndarray]:
    """``{(output, input): J}`` with ``J[j, k]`` = d output[k] / d input[j], by central
    differences; each perturbed input is a fresh tensor with the original's dtype, device
    and requires_grad (so functions that call autograd themselves still work).
    """
    from ..ops.creation import tensor

    jac: dict[tuple[int, int], np.ndarray] = {}
    for i in diff:
        x = inputs[i]
        base = np.array(x.detach()._host(), copy=True)
        flat = base.reshape(-1)
        cols: list[list[np.ndarray]] = []
        for j in range(flat.size):
            old = flat[j]
            vals = []
            for step in (eps, -eps):
                flat[j] = old + step
                xp = tensor(base, dtype=x.dtype, device=x.device,
                            requires_grad=x.requires_grad)
                args = inputs[:i] + (xp,) + inputs[i + 1:]
                vals.append([_host64(o) for o in _float_outputs(func(*args))])
            flat[j] = old
            cols.append([(hi - lo) / (2 * eps) for hi, lo in zip(*vals)])
        for o, out in enumerate(outputs):
            jac[(o, i)] = (np.stack([c[o] for c in cols]) if cols else
                           np.zeros((0, out.numel())))
    return jac


def _analytical(outputs: list[Any], inputs: tuple[Any, ...],
                diff: list[int]) -> dict[tuple[int, int], np.ndarray]:
    """``{(output, input): J}`` from one vector-Jacobian product per output element."""
    from ..ops.creation import tensor

    jac = {(o, i): np.zeros((inputs[i].numel(), out.numel()))
           for o, out in enumerate(outputs) for i in diff}
    targets = [inputs[i] for i in diff]
    for o, out in enumerate(outputs):
        if not out.requires_grad:
            continue  # no graph: the analytical Jacobian is zero
        for k in range(out.numel()):
            onehot = np.zeros(out.numel())
            onehot[k] = 1.0
            v = tensor(onehot.reshape(tuple(out.shape)), dtype=out.dtype, device=out.device)
            grads = grad(out, targets, v, retain_graph=True, allow_unused=True)
            for i, g in zip(diff, grads):
                if g is not None:
                    jac[(o, i)][:, k] = _host64(g)
    return jac


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check autograd's gradients of ``func`` against finite differences, like
    `torch.autograd.gradcheck`.

    Use float64 inputs: in lower precision the finite differences are too noisy.

    Args:
        func: takes ``*inputs`` and returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of arguments; tensors with ``requires_grad=True`` are
            checked, anything else is passed through.
        eps: the finite-difference step.
        atol: absolute tolerance.
        rtol: relative tolerance (of the numerical value).
        raise_exception: raise `GradcheckError` on a mismatch (else return False).

    Returns:
        True when every Jacobian matches.

    Raises:
        GradcheckError: on a mismatch, naming the output and input indices and the largest
            difference.
        ValueError: if no input requires grad.

    Example:
        >>> import tensorweave as tw
        >>> x = tw.tensor([1.0, 2.0], dtype=tw.float64, requires_grad=True)
        >>> tw.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    inputs = _as_tuple(inputs)
    diff = [i for i, a in enumerate(inputs) if _is_tensor(a) and a.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for i in diff:
        if inputs[i].dtype.name != "float64":
            warnings.warn(f"gradcheck: input #{i} requires gradient and is not a double precision "
                          f"floating point ({inputs[i].dtype.name}); the check is likely to fail "
                          "from rounding. Use dtype=tensorweave.float64.", stacklevel=2)
    outputs = _float_outputs(func(*inputs))
    analytical = _analytical(outputs, inputs, diff)
    numerical = _numerical(func, inputs, diff, outputs, eps)
    for (o, i), a in analytical.items():
        n = numerical[(o, i)]
        if a.shape != n.shape:
            return _fail(f"gradcheck: output {o} changed shape when input {i} was perturbed; "
                         "func must return the same outputs for nearby inputs", raise_exception)
        err = np.abs(a - n)
        bad = ~(err <= atol + rtol * np.abs(n))
        if bad.any():
            j, k = np.unravel_index(int(np.argmax(np.where(bad, err, -1.0))), bad.shape)
            with np.printoptions(precision=6, threshold=60, edgeitems=3):
                return _fail(
                    f"Jacobian mismatch for output {o} with respect to input {i}: max abs "
                    f"difference {float(err.max()):.6g} (input element {j}, output element "
                    f"{k}: numerical {n[j, k]:.6g}, analytical {a[j, k]:.6g}; atol={atol}, "
                    f"rtol={rtol}).\nnumerical:\n{n}\nanalytical:\n{a}", raise_exception)
    return True


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """Check second derivatives of ``func``, like `torch.autograd.gradgradcheck`.

    Runs `gradcheck` on the function ``(*inputs, *grad_outputs) -> autograd.grad(func(
    *inputs), inputs, grad_outputs, create_graph=True)``, so input indices in an error
    count the grad_outputs after the inputs.

    Args:
        func: takes ``*inputs`` and returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of arguments (see `gradcheck`).
        grad_outputs: the vectors of the first backward, one per output that requires grad;
            random float64-valued tensors by default (fixed seed).
        eps: the finite-difference step.
        atol: absolute tolerance.
        rtol: relative tolerance.
        raise_exception: raise `GradcheckError` on a mismatch (else return False).

    Returns:
        True when every second-order Jacobian matches.
    """
    from ..ops.creation import tensor

    inputs = _as_tuple(inputs)
    n_in = len(inputs)
    diff = [i for i, a in enumerate(inputs) if _is_tensor(a) and a.requires_grad]
    outputs = [o for o in _float_outputs(func(*inputs)) if o.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype,
                                    device=o.device, requires_grad=True) for o in outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"gradgradcheck: got {len(grad_outputs)} grad_outputs for "
                         f"{len(outputs)} outputs that require grad")

    def first_grads(*args: Any) -> tuple[Any, ...]:
        ins, gos = args[:n_in], args[n_in:]
        outs = [o for o in _float_outputs(func(*ins)) if o.requires_grad]
        if not outs:
            return ()
        grads = grad(outs, [ins[i] for i in diff], list(gos), create_graph=True,
                     allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
