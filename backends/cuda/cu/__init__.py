"""The CUDA C of the cuda backend (``fused.cu``) and the template instantiations it is
compiled for. Importable without CuPy: the tests compile these with NVRTC, and for the host,
on machines without a GPU."""

from importlib import resources

# --fmad=false keeps every rounding where the expressions put it, so results match the cpu
# backend's float for float.
OPTIONS = ("--std=c++14", "--fmad=false")
TYPES = {"float32": "float", "float64": "double"}
FUSED = [f"softmax_rows<{t},{b}>" for t in TYPES.values() for b in ("false", "true")] + \
    [f"{k}<{t}>" for k in ("layer_norm_rows", "adam_update") for t in TYPES.values()]


def source(name: str = "fused.cu") -> str:
    """The text of the packaged kernel file ``cu/<name>``."""
    return resources.files(__package__).joinpath(name).read_text()
