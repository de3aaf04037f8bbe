"""The opencl backend plugin: PyOpenCL with .cl kernels, registered through the
``tensorweave`` entry point. Importing it never imports pyopencl; the backend does that
when it is first asked whether it is available."""

from tensorweave.plugin import hookimpl

from .backend import OpenCLBackend

__all__ = ["OpenCLBackend"]


@hookimpl
def tensorweave_backends() -> list[type]:
    return [OpenCLBackend]
