"""Elementwise NumPy kernels: a table of ufuncs (see `kernels.py` for the calling convention)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

UFUNCS: dict[str, Callable[..., Any]] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "neg": np.negative, "pow": np.power, "exp": np.exp, "log": np.log,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "maximum": np.maximum, "minimum": np.minimum,
    "where": np.where,
}
# NumPy warns on log(0), 0/0, overflow; PyTorch returns inf/nan silently, and so do we.
QUIET = {"div", "pow", "log", "exp"}


def _elementwise(fn: Callable[..., Any], quiet: bool) -> Callable[..., Any]:
    # Ufuncs return NumPy scalars for 0-d inputs; tensors always hold arrays.
    if quiet:
        def kernel(*args: Any) -> np.ndarray:
            with np.errstate(all="ignore"):
                r = fn(*args)
            return r if type(r) is np.ndarray else np.asarray(r)
    else:
        def kernel(*args: Any) -> np.ndarray:
            r = fn(*args)
            return r if type(r) is np.ndarray else np.asarray(r)
    return kernel


def cast(x: np.ndarray, dtype: Any) -> np.ndarray:
    return x.astype(dtype.np)


KERNELS: dict[str, Callable[..., Any]] = {
    name: _elementwise(fn, name in QUIET) for name, fn in UFUNCS.items()}
KERNELS["cast"] = cast
