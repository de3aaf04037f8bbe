"""Linear-algebra CuPy kernels: cuBLAS GEMMs through ``cupy.matmul`` (float16 and bfloat16
products accumulate in float32 there, as in PyTorch), and the linear layer as one GEMM plus
an in-place bias add.

`matmul` takes bfloat16 itself (`bfloat16_kernel`): cuBLAS's bfloat16 GEMM rounds once, as
core's float32 path would, at the tensor cores' speed. The linear layer does not: its bias
would be a second rounding, which PyTorch's (in the GEMM's epilogue) is not."""

from __future__ import annotations

from typing import Any, Callable

import cupy as cp

from tensorweave.backend import bfloat16_kernel


@bfloat16_kernel
def matmul(a: Any, b: Any) -> Any:
    out = cp.matmul(a, b)
    # bfloat16 operands: one rounding of the float32 sums, where CuPy returns the sums.
    return out if out.dtype == a.dtype else out.astype(a.dtype)


def einsum(*xs: Any, equation: str) -> Any:
    return cp.einsum(equation, *xs)


def linear(x: Any, w: Any, b: Any = None) -> Any:
    out = cp.matmul(x, w.T)  # w.T is a view: cuBLAS reads it transposed, without a copy
    if b is None:
        return out
    if out.ndim >= b.ndim and out.dtype == b.dtype:
        out += b  # the product is ours: add the bias in place
        return out
    return out + b


KERNELS: dict[str, Callable[..., Any]] = {"matmul": matmul, "einsum": einsum, "linear": linear}
