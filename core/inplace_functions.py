"""PyTorch's ``torch.<name>_`` spellings of in-place Tensor methods (``torch.abs_(x)``...).

PyTorch exposes many in-place methods at the top level too; they are the methods, called
with the tensor first. One table names them and one factory builds each function, so the
math, the checks and the version-counter bookkeeping stay in the method (`ops/inplace.py`).
``fill`` is the exception: the out-of-place ``torch.fill`` (a filled copy of ``input``).
"""

from __future__ import annotations

from typing import Any, Callable

from .tensor import Tensor

# The Tensor methods that PyTorch also exposes as ``torch.<name>``.
INPLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_",
    "clamp_", "clamp_max_", "clamp_min_", "conj_physical_", "cos_", "cosh_", "deg2rad_",
    "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_",
    "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_",
    "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "round_", "rsqrt_",
    "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_",
    "xlogy_", "zero_",
)

__all__ = [*INPLACE_FUNCTIONS, "fill"]


def check_tensor(fn: str, value: Any, arg: str = "input") -> None:
    """PyTorch's binding error for a non-tensor first argument.

    Raises:
        TypeError: ``value`` is not a `Tensor`.
    """
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position 1) must be Tensor, not "
                        f"{type(value).__name__}")


def _function(name: str) -> Callable[..., Tensor]:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002
        check_tensor(name, input)
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``: `Tensor.{name}` as a function; returns ``input``."
    return fn


globals().update({name: _function(name) for name in INPLACE_FUNCTIONS})


def fill(input: Tensor, value: Any) -> Tensor:  # noqa: A002
    """A copy of ``input`` with every element set to ``value`` (a number or a 0-d tensor).

    Written as ``clone().fill_()`` so autograd sees what PyTorch's ``FillBackward`` does: a
    zero gradient for ``input`` and the summed gradient for a tensor ``value``.

    Raises:
        TypeError: ``input`` is not a tensor.
        RuntimeError: ``value`` is a tensor with dimensions.
    """
    check_tensor("fill", input)
    return input.clone().fill_(value)
