"""Ready-made parametrizations, as `torch.nn.utils.parametrizations`: `orthogonal`,
`spectral_norm` and `weight_norm`, each a small module registered with
`parametrize.register_parametrization`, so the state dict keys
(``parametrizations.weight.original``, ``...original0``/``original1``,
``...weight.0._u``...) and values equal PyTorch's.

``orthogonal_map="householder"`` keeps the reflectors of the compact QR form (`geqrf`)
in the weight's strictly lower triangle and its diagonal's signs, as PyTorch does.
"""

from __future__ import annotations

from enum import Enum, auto
from typing import Any

from ... import linalg
from ...autograd import grad_mode
from ...dtypes import finfo
from ...householder import geqrf, householder_product
from ...ops.creation import eye, zeros_like
from ...ops.movement import cat
from ...random import randn
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from . import parametrize
from .weight_norm import _norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _is_orthogonal(q: Tensor) -> bool:
    n, k = q.size(-2), q.size(-1)
    eps = 10.0 * n * finfo(q.dtype).eps
    return bool((q.mH @ q).allclose(eye(k, dtype=q.dtype, device=q.device), atol=eps))


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of ``a = QR`` with diag(R) non-negative, from the compact form as PyTorch."""
    x, tau = geqrf(a)
    return householder_product(x, tau) * x.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _conv_transpose_types() -> tuple[type, ...]:
    from ... import nn

    return (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps a matrix (or batch) to an orthogonal one: the lower triangle gives a
    skew-symmetric A and Q = exp(A) or the Cayley transform of A, or (``householder``) the
    strictly lower triangle holds Householder vectors whose product is Q, signed by the
    diagonal; times the trivialization ``base`` (kept as a buffer) when there is one. Wide
    matrices are handled transposed."""

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex "
                             "tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X, n, k = X.mT, k, n
        if self.orthogonal_map == _OrthMaps.householder:
            A = X.tril(diagonal=-1)
            Q = householder_product(A, 2.0 / (1.0 + (A * A).sum(dim=-2)))
            # The diagonal holds +-1: signs, not parameters (no gradient, as in PyTorch).
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = linalg.matrix_exp(A)
            else:
                Id = eye(n, dtype=A.dtype, device=A.device)
                Q = linalg.solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        if hasattr(self, "base"):
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        """Store an orthogonal completion of ``Q`` (orthogonalized by QR if needed) as the
        ``base`` and return the original that maps to it (minus the identity); without a
        base, the householder map's original is ``Q``'s compact QR form."""
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        if not hasattr(self, "base") and self.orthogonal_map != _OrthMaps.householder:
            raise NotImplementedError("It is not possible to assign to the matrix exponential "
                                      "or the Cayley parametrizations when "
                                      "use_trivialization=False.")
        with grad_mode.no_grad():
            q_init = Q
            n, k = Q.size(-2), Q.size(-1)
            transposed = n < k
            if transposed:
                Q, n, k = Q.mT, k, n
            if not hasattr(self, "base"):
                # diag(R) > 0 up to the columns LAPACK did not reflect (tau == 0).
                A, tau = geqrf(Q)
                signs = A.diagonal(dim1=-2, dim2=-1).sign()
                A.diagonal(dim1=-2, dim2=-1).copy_(signs * (1 - 2 * (tau == 0).to(A.dtype)))
                return A.mT if transposed else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                N = randn(*(Q.shape[:-2] + (n, n - k)), dtype=Q.dtype,
                          device=Q.device)
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            neg_id = zeros_like(q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Constrain ``module.<name>`` (a matrix or a batch of them) to be orthogonal:
    orthonormal columns when it is tall, orthonormal rows when it is wide, as
    `torch.nn.utils.parametrizations.orthogonal`.

    Args:
        module: the module owning the tensor.
        name: the tensor to constrain.
        orthogonal_map: ``"matrix_exp"``, ``"cayley"`` or ``"householder"``. Default:
            ``"matrix_exp"`` for square or complex matrices, otherwise ``"householder"``.
        use_trivialization: keep a ``base`` matrix (PyTorch's dynamic trivialization); the
            initial weight is then the given one, orthogonalized by QR if it is not
            orthogonal.

    Returns:
        ``module``.

    Raises:
        ValueError: if ``name`` is not a tensor of ``module``, is not a (batch of)
            matrices, or ``orthogonal_map`` is unknown.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = ("matrix_exp" if weight.size(-2) == weight.size(-1)
                          or weight.is_complex() else "householder")
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """``(g, v) -> g * v / ||v||``, the norm over every dim but ``dim`` (all of them for
    ``dim=-1``/None, as PyTorch's ``_weight_norm``)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def _norm_dim(self, v: Tensor) -> int | None:
        return None if self.dim == -1 else self.dim % v.ndim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / _norm_except_dim(weight_v, self._norm_dim(weight_v)))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, self._norm_dim(weight)), weight


class _WeightNormCompatHook:
    """Load a checkpoint of the hook-style `weight_norm` (``<name>_g``, ``<name>_v``) into
    the parametrized module (``parametrizations.<name>.original0``/``original1``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, module: Module, state_dict: dict[str, Any], prefix: str,
                 *args: Any) -> None:
        g_key, v_key = f"{prefix}{self.name}_g", f"{prefix}{self.name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{self.name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{self.name}.original1"] = state_dict.pop(v_key)


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as ``g * v / ||v||`` (magnitude ``original0`` and
    direction ``original1``), as `torch.nn.utils.parametrizations.weight_norm`; the norm
    is over every dim but ``dim`` (over all with ``dim=None``). Checkpoints of the
    hook-style `tensorweave.nn.utils.weight_norm` load into it. Returns ``module``.
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    module.register_load_state_dict_pre_hook(_WeightNormCompatHook(name))
    return module


class _SpectralNorm(Module):
    """``W -> W / sigma(W)``, sigma estimated by power iteration on the buffers ``_u`` and
    ``_v`` (one step of ``n_power_iterations`` iterations per access in training mode,
    none in eval mode); a vector is simply normalized."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but "
                             f"got n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)  # start from a good estimate, as PyTorch

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        """Update ``_u`` and ``_v`` in place (the buffers stay the same objects)."""
        with grad_mode.no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps, out=self._u)
                self._v = F.normalize(weight_mat.H.mv(self._u), dim=0, eps=self.eps,
                                      out=self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()  # constants for autograd, as PyTorch's
        return weight / u.vdot(weight_mat.mv(v))

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its spectral norm (largest singular value of the weight
    flattened to a matrix with ``dim`` first), estimated by power iteration, as
    `torch.nn.utils.parametrizations.spectral_norm`.

    Args:
        module: the module owning the tensor.
        name: the tensor to normalize.
        n_power_iterations: power-iteration steps per access in training mode.
        eps: the normalization's epsilon.
        dim: the output dimension (default 0; 1 for ConvTranspose layers).

    Returns:
        ``module``.

    Raises:
        ValueError: if ``name`` is not a tensor of ``module`` or ``n_power_iterations`` is
            not positive.
        IndexError: if ``dim`` is out of range.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, _conv_transpose_types()) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
