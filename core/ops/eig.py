"""The eigendecomposition of general square matrices, as ``torch.linalg.eig``.

`linalg_eig` is a primitive whose results are complex (a real matrix has complex
eigenvalues in general), so a backend provides it exactly when it lists complex dtypes:
the cpu backend's kernel is LAPACK's geev through NumPy, the routine PyTorch calls, so
the eigenvalues come in the same order and each eigenvector with unit norm and its
largest component real. Its vjp is PyTorch's, written for complex values
(``real_vjp=False``); a loss that depends on the arbitrary phase of an eigenvector has no
gradient, and it says so, as PyTorch does.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .. import dtypes as D
from ..conformance import samples as S
from ..tensor import Tensor
from ._opdef import PRIMITIVE, Tol, defop
from .complex_numbers import require_complex_device
from .creation import eye
from .decompositions import check_matrix, linalg_solve
from .elementwise import where
from .linalg import diag_embed, matmul
from .movement import diagonal

__all__: list[str] = []


def _eig_ref(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w, v = np.linalg.eig(a.astype(np.complex128))
    return w, v


def _eig_samples(dt: D.dtype, rng: np.random.Generator) -> Iterator[S.SampleInput]:
    # Eigenvectors are compared as values, and backends may choose other phases: only the
    # matrices whose geev is deterministic across LAPACKs (distinct eigenvalues) are used.
    for shape in [(3, 3), (2, 4, 4), (1, 1), (0, 0)]:
        yield S.SampleInput((S.Arg(S.make(rng, shape, dt), differentiable=False),),
                            name=f"shape{shape}")


def _eig_vjp(g: tuple[Any, Any], out: tuple[Tensor, Tensor], a: Tensor) -> tuple[Tensor]:
    # PyTorch's linalg_eig_backward: with E_ij = L_j - L_i (1 on the diagonal),
    # gA = V^{-H} (diag(gL) + (V^H gV - V^H V diag(re(V^H gV))) / conj(E)) V^H.
    gl, gv = g
    vals, vecs = out
    vh = vecs.mH
    n = vals.shape[-1]
    inner = None
    if gv is not None:
        vhgv = matmul(vh, gv)
        d = diagonal(vhgv, 0, -2, -1)
        if bool((d.imag.abs() > 1e-2 * (1 + d.abs())).any()):
            raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are "
                               "specified up to multiplication by e^{i phi}. The specified "
                               "loss function depends on this quantity, so it is "
                               "ill-defined.")
        vhgv = vhgv - matmul(vh, vecs * d.real.unsqueeze(-2))
        e = vals.unsqueeze(-2) - vals.unsqueeze(-1)
        e = where(eye(n, dtype=D.bool, device=e.device), 1.0, e)
        inner = vhgv / e.conj()
    if gl is not None:
        inner = diag_embed(gl) if inner is None else inner + diag_embed(gl)
    if inner is None:
        return (None,)
    return (linalg_solve(vh, matmul(inner, vh)),)


@defop(PRIMITIVE, vjp=_eig_vjp, real_vjp=False, n_outputs=2, save_out=True,
       save_inputs=False, meta=lambda a: (a.dtype.to_complex(), a.dtype.to_complex()),
       ref=_eig_ref, samples=_eig_samples, dtypes=D.COMPLEX, function=False, method=False,
       tol={D.complex64: Tol(atol=1e-4, rtol=1e-4)})
def linalg_eig(A: Tensor) -> tuple[Tensor, Tensor]:  # noqa: N803 - torch's name
    """Eigenvalues and eigenvectors (columns) of square matrices; see `linalg.eig`."""
    check_matrix("linalg.eig", A, complex_ok=True)
    require_complex_device("linalg.eig", A, A.dtype.to_complex())
    return linalg_eig.bind(A)
