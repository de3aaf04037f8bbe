"""PyTorch's ``*_copy`` functions: a view op's result as a fresh, contiguous tensor.

``torch.diagonal_copy(x)`` is ``x.diagonal().clone()``: the same values and gradients as the
view, in storage of its own (what functionalization passes and export produce, and what code
that must not alias its input calls). One table maps each name to its view, one factory
builds the function (`clone` gives contiguous storage); the checks and errors are the view's.
"""

from __future__ import annotations

from typing import Any, Callable

from .inplace_functions import check_tensor
from .layouts import contiguous_format
from .ops._rules import normalize_dim
from .tensor import Tensor


def _slice(input: Tensor, dim: int = 0, start: int | None = None,  # noqa: A002
           end: int | None = None, step: int = 1) -> Tensor:
    """``input[..., start:end:step, ...]`` along ``dim`` (ATen's ``slice``), a view.

    Raises:
        IndexError: ``dim`` is out of range.
        RuntimeError: ``step`` is not positive.
    """
    d = normalize_dim("slice", dim, max(input.ndim, 1))
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return input[(slice(None),) * d + (slice(start, end, step),)]


# ``<name>_copy`` -> the view it copies (a Tensor method's name, or a function of the tensor).
VIEWS: dict[str, str | Callable[..., Any]] = {
    "alias": lambda input: input,  # noqa: A002 - ATen's alias: the tensor itself, as a view
    "as_strided": "as_strided", "detach": "detach", "diagonal": "diagonal",
    "expand": "expand", "permute": "permute", "select": "select",
    "slice": _slice, "split": "split", "split_with_sizes": "split", "squeeze": "squeeze",
    "t": "t", "transpose": "transpose", "unbind": "unbind", "unfold": "unfold",
    "unsqueeze": "unsqueeze", "view": "view",
}

__all__ = [name + "_copy" for name in VIEWS]


def _copy(name: str, view: str | Callable[..., Any]) -> Callable[..., Any]:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        check_tensor(fn.__name__, input)
        out = getattr(input, view)(*args, **kwargs) if isinstance(view, str) else \
            view(input, *args, **kwargs)
        if isinstance(out, (tuple, list)):
            return tuple(t.clone(memory_format=contiguous_format) for t in out)
        return out.clone(memory_format=contiguous_format)

    fn.__name__ = fn.__qualname__ = name + "_copy"
    fn.__doc__ = (f"`{name}` with its result(s) in fresh contiguous storage instead of aliasing "
                  "``input``; values and gradients are the view's.")
    return fn


globals().update({name + "_copy": _copy(name, view) for name, view in VIEWS.items()})
