"""The cpu backend plugin: NumPy kernels, registered through the ``tensorweave`` entry point."""

from tensorweave.plugin import hookimpl

from .backend import CpuBackend

__all__ = ["CpuBackend"]


@hookimpl
def tensorweave_backends() -> list[type]:
    return [CpuBackend]
