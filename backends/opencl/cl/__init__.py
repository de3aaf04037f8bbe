"""The kernel sources (.cl files) of the opencl backend, read by `runtime.source`; a package
only so that the wheel carries them as package data."""
