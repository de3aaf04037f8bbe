"""How each tensorweave dtype lives in OpenCL C: storage type, compute type, load and store.

float16 is stored as ``half`` and computed in ``float`` through ``vload_half`` /
``vstore_half``, which OpenCL 1.2 provides without the ``cl_khr_fp16`` extension; so every
device runs float16 tensors (as PyTorch computes half on cpu in float). bfloat16 is stored
as the top half of a float's bits (``ushort``) and computed in ``float`` too, rounding to
nearest even on store (``tw_from_bf16`` / ``tw_to_bf16`` in common.cl); core sends it only
to the casts, copies, ``rand`` and ``adam_update`` (`OpDef.bfloat16_native`). float64 needs
the device's ``cl_khr_fp64``.
"""

from __future__ import annotations

import numpy as np

from tensorweave import dtypes as D

__all__ = ["TAGS", "STORAGE", "COMPUTE", "tag", "header"]

# NumPy dtype -> short tag used in kernel names.
TAGS: dict[np.dtype, str] = {
    np.dtype(np.bool_): "b8", np.dtype(np.uint8): "u8", np.dtype(np.int8): "i8",
    np.dtype(np.int16): "i16", np.dtype(np.int32): "i32", np.dtype(np.int64): "i64",
    np.dtype(np.float16): "f16", np.dtype(np.float32): "f32", np.dtype(np.float64): "f64",
    **({D.bfloat16.np: "bf16"} if D.HAS_BFLOAT16 else {}),
}
STORAGE = {"b8": "uchar", "u8": "uchar", "i8": "char", "i16": "short", "i32": "int",
           "i64": "long", "f16": "half", "f32": "float", "f64": "double", "bf16": "ushort"}
COMPUTE = dict(STORAGE, f16="float", bf16="float")
# The identity of max: the smallest value of each type.
LOWEST = {"b8": "0", "u8": "0", "i8": "CHAR_MIN", "i16": "SHRT_MIN", "i32": "INT_MIN",
          "i64": "LONG_MIN", "f16": "-INFINITY", "f32": "-INFINITY", "f64": "-INFINITY",
          "bf16": "-INFINITY"}


def tag(dtype: np.dtype) -> str:
    return TAGS[np.dtype(dtype)]


def is_float(t: str) -> bool:
    return t[0] == "f" or t == "bf16"


def load(t: str, ptr: str, idx: str) -> str:
    """An OpenCL expression reading element ``idx`` of ``ptr`` in the compute type."""
    if t == "f16":
        return f"vload_half({idx}, {ptr})"
    return f"tw_from_bf16({ptr}[{idx}])" if t == "bf16" else f"{ptr}[{idx}]"


def convert(src: str, dst: str, v: str) -> str:
    """``v`` (of compute type ``src``) converted to ``dst``'s storage as NumPy's astype does:
    floats to integers through int64 (so negative floats wrap into unsigned types)."""
    if dst == "b8":
        return f"(uchar)(({v}) != 0)"
    if dst == "f16":
        return f"(float)({v})"
    if dst == "bf16":
        return f"tw_to_bf16((float)({v}))"
    if is_float(src) and not is_float(dst):
        return f"({STORAGE[dst]})(long)({v})"
    return f"({STORAGE[dst]})({v})"


def store(t: str, ptr: str, idx: str, v: str) -> str:
    """An OpenCL statement writing the already-converted value ``v`` to ``ptr[idx]``."""
    return f"vstore_half({v}, {idx}, {ptr});" if t == "f16" else f"{ptr}[{idx}] = {v};"


def header(t: str) -> str:
    """Macros naming dtype ``t`` for the templated .cl families (T, C, LD, ST...)."""
    st, ct = STORAGE[t], COMPUTE[t]
    ld = load(t, "(p)", "(i)")
    if t == "f16":
        sv = "vstore_half((float)(v), (i), (p))"
    elif t == "bf16":
        sv = "((p)[i] = tw_to_bf16((float)(v)))"
    elif t == "b8":
        sv = "((p)[i] = (uchar)((v) != 0))"
    else:
        sv = f"((p)[i] = ({st})(v))"
    return "\n".join([
        f"#define TAG {t}", f"#define TAG_{t} 1", f"#define T {st}", f"#define C {ct}",
        f"#define LD(p, i) ({ld})", f"#define ST(p, i, v) {sv}",
        f"#define LOWEST ({LOWEST[t]})", f"#define IS_FLOAT {int(is_float(t))}",
        "#define NAME2(a, b) a ## _ ## b", "#define NAME1(a, b) NAME2(a, b)",
        "#define K(name) NAME1(name, TAG)", ""])
