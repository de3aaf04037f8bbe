"""The CUDA C of the cuda backend (``fused.cu``, ``random.cu``) and the template
instantiations each is compiled for. Importable without CuPy: the tests compile these with
NVRTC, and for the host, on machines without a GPU."""

from importlib import resources

# --fmad=false keeps every rounding where the expressions put it, so results match the cpu
# backend's float for float.
OPTIONS = ("--std=c++17", "--fmad=false")
TYPES = {"float32": "float", "float64": "double"}
NAMES = {
    "fused.cu": [f"softmax_rows<{t},{b}>" for t in TYPES.values() for b in ("false", "true")]
    + [f"{k}<{t}>" for k in ("layer_norm_rows", "adam_update") for t in TYPES.values()],
    # Bits of precision: 8 (bfloat16 tensors) and 11 (float16 tensors), computed in float;
    # 24 (float), 53 (double).
    "random.cu": ["rand_unit<8,false>", "rand_unit<11,false>", "rand_unit<24,false>",
                  "rand_unit<53,false>", "rand_unit<53,true>", "randn_unit<11>", "randn_unit<24>",
                  "randn_unit<53>", "randint64"],
}


def source(name: str) -> str:
    """The text of the packaged kernel file ``cu/<name>``."""
    return resources.files(__package__).joinpath(name).read_text()
