"""Functions PyTorch removed in 1.9 but still defines, to raise with the way forward.

Code written for old PyTorch fails here as it does there: a RuntimeError naming the
`tensorweave.linalg` replacement, rather than an AttributeError that says nothing.
"""

from __future__ import annotations

from typing import Any, Callable, NoReturn

from .tensor import Tensor

# name -> what replaces it; each is also a Tensor method, except matrix_rank.
REMOVED = {
    "eig": "`tensorweave.linalg.eig` (complex results) or `tensorweave.linalg.eigh` for a "
           "symmetric matrix",
    "lstsq": "`tensorweave.linalg.lstsq(A, B)` (reversed arguments; the solution is its "
             "`solution` field)",
    "solve": "`tensorweave.linalg.solve(A, B)` (reversed arguments, no LU factorization)",
    "symeig": "`tensorweave.linalg.eigvalsh` / `tensorweave.linalg.eigh` (the lower triangle "
              "by default, where symeig read the upper one)",
    "matrix_rank": "`tensorweave.linalg.matrix_rank` (``symmetric`` is now ``hermitian``)",
}

__all__ = list(REMOVED)


def _removed(name: str, replacement: str) -> Callable[..., NoReturn]:
    def fn(*args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("This function was deprecated since version 1.9 and is now removed. "
                           f"Use {replacement} instead.")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Removed from PyTorch in 1.9: raises a RuntimeError pointing at {replacement}."
    return fn


globals().update({name: _removed(name, hint) for name, hint in REMOVED.items()})
for _name in ("eig", "lstsq", "solve", "symeig"):
    setattr(Tensor, _name, globals()[_name])
