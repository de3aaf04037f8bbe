"""PyTorch's legacy tensor types and constructors (``tw.FloatTensor``, ``tw.Tensor(2, 3)``,
``x.type()``, `set_default_tensor_type`) against PyTorch's values, dtypes and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _raised import errors

import tensorweave as tw
from tensorweave import legacy_types

torch = pytest.importorskip("torch")

NAMES = ["DoubleTensor", "FloatTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor",
         "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


def _dtype(t: object) -> str:
    return str(t.dtype).split(".")[-1]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("args", [(), (2, 3), ([1.7, 0.0, 2.0],), ((2, 3),),
                                  (np.array([[1, 0], [3, 4]]),)],
                         ids=["empty", "shape", "list", "tuple-data", "array"])
def test_constructors_match_torch(name: str, args: tuple[object, ...]) -> None:
    """Shapes and dtypes always; values too where the data is given (not uninitialized)."""
    out, ref = getattr(tw, name)(*args), getattr(torch, name)(*args)
    assert tuple(out.shape) == tuple(ref.shape) and _dtype(out) == _dtype(ref)
    if args and not isinstance(args[0], int):
        assert out.tolist() == ref.tolist()  # (torch has no numpy() for bfloat16)


@pytest.mark.parametrize("args", [(), (2, 3), ([1, 2],), (np.array([1, 2]),), ((4,),)])
def test_tensor_constructor_is_the_legacy_one_with_the_default_dtype(
        args: tuple[object, ...]) -> None:
    out, ref = tw.Tensor(*args), torch.Tensor(*args)
    assert tuple(out.shape) == tuple(ref.shape) and _dtype(out) == _dtype(ref) == "float32"
    if args and not isinstance(args[0], int):
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
    assert tw.Tensor(tw.Size([2, 5])).shape == (2, 5)
    x = tw.ones(3)
    assert np.shares_memory(tw.Tensor(x).numpy(), x.numpy())


@pytest.mark.parametrize("make", [lambda fw: fw.Tensor(3.5), lambda fw: fw.FloatTensor(2.5),
                                  lambda fw: fw.LongTensor(True)])
def test_scalar_data_is_refused_as_torch(make: object) -> None:
    assert errors(make, tw) == errors(make, torch)  # type: ignore[arg-type]


def test_a_tensor_of_another_dtype_is_refused() -> None:
    with pytest.raises(TypeError, match="expected tensorweave.int64 on cpu"):
        tw.LongTensor(tw.ones(2))
    with pytest.raises(TypeError):
        torch.LongTensor(torch.ones(2))
    x = tw.ones(2, dtype=tw.int64)
    assert tw.LongTensor(x) is x


def test_legacy_constructor_refuses_another_device_type() -> None:
    with pytest.raises(RuntimeError, match="expects device type: cpu but device type: opencl"):
        tw.FloatTensor(2, device="opencl:0")


@pytest.mark.parametrize("name", NAMES)
def test_isinstance_compares_dtype_and_device_type(name: str) -> None:
    for dt in ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8",
               "bool"]:
        assert (isinstance(tw.zeros(2, dtype=getattr(tw, dt)), getattr(tw, name))
                == isinstance(torch.zeros(2, dtype=getattr(torch, dt)), getattr(torch, name)))
    assert not isinstance(1.0, getattr(tw, name))
    assert not issubclass(getattr(tw, name), tw.Tensor)
    assert getattr(tw, name).dtype.name == _dtype(getattr(torch, name))


def test_legacy_types_carry_dtype_and_device_type() -> None:
    assert tw.FloatTensor.dtype is tw.float32 and not tw.FloatTensor.is_cuda
    assert tw.cuda.LongTensor.dtype is tw.int64 and tw.cuda.LongTensor.is_cuda
    assert tw.cuda.LongTensor is tw.cuda.LongTensor  # made once
    assert repr(tw.FloatTensor) == "<class 'tensorweave.FloatTensor'>"
    assert repr(tw.cuda.HalfTensor) == "<class 'tensorweave.cuda.HalfTensor'>"
    with pytest.raises(AttributeError, match="no legacy tensor type 'ComplexTensor'"):
        tw.cuda.ComplexTensor  # noqa: B018
    with pytest.raises(AttributeError):
        tw.cuda.not_a_function  # noqa: B018


@pytest.mark.parametrize("dt", ["float64", "float32", "float16", "int64", "int32", "int16",
                                "int8", "uint8", "bool"])
def test_type_names_match_torch(dt: str) -> None:
    x, ref = tw.zeros(2, dtype=getattr(tw, dt)), torch.zeros(2, dtype=getattr(torch, dt))
    assert x.type() == ref.type().replace("torch.", "tensorweave.")
    assert tw.typename(x) == torch.typename(ref).replace("torch.", "tensorweave.")
    assert tw.ones(1, device="opencl:0").type().startswith("tensorweave.opencl.")


@pytest.mark.parametrize("target", ["DoubleTensor", "LongTensor", "BoolTensor"])
def test_type_converts_to_a_legacy_type_or_its_name(target: str) -> None:
    x, ref = tw.tensor([0.0, 1.5, -2.5]), torch.tensor([0.0, 1.5, -2.5])
    want = ref.type(getattr(torch, target))
    for spelling in (getattr(tw, target), f"torch.{target}", f"tensorweave.{target}"):
        out = x.type(spelling)
        assert _dtype(out) == _dtype(want)
        np.testing.assert_array_equal(out.numpy(), want.numpy())
    assert x.type(tw.float64).dtype is tw.float64 and x.type(tw.FloatTensor) is x
    with pytest.raises(ValueError, match="invalid type: 'foo'"):
        x.type("foo")
    assert errors(torch.ones(1).type, "foo")[1] == "invalid type: 'foo'"


def test_type_moves_to_the_legacy_types_device() -> None:
    x = tw.ones(2)
    out = x.type(tw.opencl.DoubleTensor)
    assert out.device.type == "opencl" and out.dtype is tw.float64
    assert out.type(tw.FloatTensor).device.type == "cpu"


def test_set_default_tensor_type_warns_and_sets_the_default_dtype() -> None:
    try:
        with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
            tw.set_default_tensor_type(tw.DoubleTensor)
        assert tw.get_default_dtype() is tw.float64 and tw.tensor([1.5]).dtype is tw.float64
        with pytest.warns(UserWarning):
            tw.set_default_tensor_type("torch.FloatTensor")
        assert tw.get_default_dtype() is tw.float32
    finally:
        tw.set_default_dtype(tw.float32)
        tw.set_default_device(None)


@pytest.mark.parametrize("arg", ["LongTensor", "float64"])
def test_set_default_tensor_type_refuses_what_torch_refuses(arg: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = errors(tw.set_default_tensor_type, getattr(tw, arg))
        want = errors(torch.set_default_tensor_type, getattr(torch, arg))
    assert got == want
    assert tw.get_default_dtype() is tw.float32


def test_module_lists_the_types() -> None:
    assert set(legacy_types.__all__) == {*NAMES, "set_default_tensor_type"}
    assert all(hasattr(torch, n) for n in legacy_types.__all__)
