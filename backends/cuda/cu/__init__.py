"""The kernel sources (.cu files) of the cuda backend, read by `fused.source`; a package
only so that the wheel carries them as package data."""
