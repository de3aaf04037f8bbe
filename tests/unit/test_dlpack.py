"""DLPack in and out: on cpu, and on cuda where a GPU is at hand, tensors pass to and from
NumPy, PyTorch and CuPy sharing memory, and what cannot be exchanged says why."""

from __future__ import annotations

import fake_backend
import numpy as np
import pytest

import tensorweave as tw
from tensorweave.plugin.manager import load


def test_numpy_to_tensor_shares_memory_both_ways():
    a = np.arange(6.0).reshape(2, 3)
    t = tw.from_dlpack(a)
    assert (t.shape, t.dtype, t.device.type) == ((2, 3), tw.float64, "cpu")
    a[0, 0] = 9
    t[1, 2] = -1
    assert t.tolist() == [[9, 1, 2], [3, 4, -1]] and a[1, 2] == -1


@pytest.mark.parametrize("dtype", [tw.bool, tw.uint8, tw.int32, tw.int64, tw.float16,
                                   tw.float32, tw.float64])
def test_tensor_to_numpy_keeps_dtype_strides_and_memory(dtype):
    t = tw.arange(12).view(3, 4).to(dtype)
    view = t.t()[1:]
    out = np.from_dlpack(view)
    assert out.dtype == dtype.np and out.shape == (3, 3)
    np.testing.assert_array_equal(out, view.numpy())
    assert np.shares_memory(out, t.numpy())


def test_pytorch_round_trip_without_copies():
    torch = pytest.importorskip("torch")
    src = torch.arange(8, dtype=torch.float32).reshape(2, 4)
    t = tw.from_dlpack(src)
    src[0, 1] = 100
    assert t[0, 1].item() == 100 and t.dtype is tw.float32
    back = torch.from_dlpack(t[:, 1:])
    back[1, 0] = -5
    assert src[1, 1].item() == -5
    assert torch.equal(back, torch.tensor([[100.0, 2, 3], [-5, 6, 7]]))


@pytest.mark.skipif(not tw.cuda.is_available(), reason="cuda is unavailable here (no GPU, "
                    "no CuPy, or not opted in: tensorweave devices says which)")
def test_cuda_tensors_pass_to_cupy_and_pytorch_without_copies():
    import cupy

    t = tw.arange(8.0, device="cuda").view(2, 4)
    c = cupy.from_dlpack(t[:, 1:])
    c[1, 0] = -5
    assert t[1, 1].item() == -5  # the same memory
    back = tw.from_dlpack(cupy.arange(3, dtype=cupy.int32))
    assert back.device == tw.device("cuda:0") and back.tolist() == [0, 1, 2]
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        src = torch.arange(4.0, device="cuda")
        mine = tw.from_dlpack(src)
        src[2] = 40
        assert mine.tolist() == [0, 1, 40, 3]
        theirs = torch.from_dlpack(mine[1:])
        assert theirs.data_ptr() == src.data_ptr() + 4


def test_a_tensor_that_requires_grad_is_not_exported():
    x = tw.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"require gradient, use tensor.detach\(\)"):
        np.from_dlpack(x)
    np.testing.assert_array_equal(np.from_dlpack(x.detach()), [1, 1])


def test_from_dlpack_of_a_tensor_is_the_tensor_and_other_objects_are_refused():
    t = tw.ones(2)
    assert tw.from_dlpack(t) is t
    with pytest.raises(TypeError, match="expected an object with __dlpack__.*got list"):
        tw.from_dlpack([1, 2])


@pytest.mark.skipif(tw.cuda.is_available(), reason="cuda is available: it takes CUDA memory")
def test_memory_no_available_backend_takes_is_a_clear_error():
    class OnGpu:
        def __dlpack_device__(self):
            return (2, 0)

        def __dlpack__(self, **kw):
            raise AssertionError("must not be read")

    # cuda declares CUDA memory but is unavailable here: the error says why.
    with pytest.raises(TypeError, match=r"in CUDA memory \(DLPack device type 2\), which no "
                                        r"available backend takes \(cuda is unavailable: .*\); "
                                        r"backends that take DLPack: cpu \(CPU\), "
                                        r"cuda \(CUDA\)$"):
        tw.from_dlpack(OnGpu())


def test_a_backend_without_dlpack_says_to_copy_to_cpu():
    try:
        load(extra=[("fake", fake_backend)])
        t = tw.ones(2).to("fake:0")
        with pytest.raises(BufferError, match=r"fake:0 tensors cannot be exported through "
                                              r"DLPack; copy the tensor with .cpu\(\) first"):
            t.__dlpack__()
        np.testing.assert_array_equal(np.from_dlpack(t.cpu()), [1, 1])
    finally:
        load()
