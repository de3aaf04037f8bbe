"""The cuda backend plugin: NVIDIA GPUs through CuPy (the ``cuda`` extra).

Registered through the ``tensorweave`` entry point like every backend, so ``tensorweave
devices`` always says whether cuda can run and, if not, why. Importing it never imports
CuPy; `CudaBackend.availability` does, on first use.
"""

from tensorweave.plugin import hookimpl

from .backend import CudaBackend

__all__ = ["CudaBackend"]


@hookimpl
def tensorweave_backends() -> list[type]:
    return [CudaBackend]
