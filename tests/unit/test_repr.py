"""`repr` of tensors: the exact strings PyTorch 2.x prints (with ``torch.`` -> ``tensorweave.``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorweave as tw


@pytest.fixture(autouse=True)
def _default_printoptions():
    tw.set_printoptions(profile="default")
    yield
    tw.set_printoptions(profile="default")


@pytest.mark.parametrize("make,expected", [
    (lambda: tw.tensor([[1, 2], [3, 4]]), "tensor([[1, 2],\n        [3, 4]])"),
    (lambda: tw.tensor([1.0, 2.5]), "tensor([1.0000, 2.5000])"),
    (lambda: tw.tensor([1.0, 2.0]), "tensor([1., 2.])"),
    (lambda: tw.tensor([-1.5, 2.25]), "tensor([-1.5000,  2.2500])"),
    (lambda: tw.tensor([1e-5, 1e5]), "tensor([1.0000e-05, 1.0000e+05])"),
    # 1e-4 in float32 is just below 1e-4, so PyTorch switches to scientific notation.
    (lambda: tw.tensor([1e-4]), "tensor([1.0000e-04])"),
    (lambda: tw.tensor([0.1, 100.0]), "tensor([  0.1000, 100.0000])"),
    (lambda: tw.tensor([1.0, 1000.0]), "tensor([   1., 1000.])"),
    (lambda: tw.tensor([1.0, 1001.0]), "tensor([1.0000e+00, 1.0010e+03])"),
    (lambda: tw.tensor([123456789.0]), "tensor([1.2346e+08])"),
    (lambda: tw.tensor([1.0, math.nan, math.inf]), "tensor([1., nan, inf])"),
    (lambda: tw.tensor([1.5, math.nan]), "tensor([1.5000,    nan])"),
    (lambda: tw.tensor([0.0, 0.0]), "tensor([0., 0.])"),
    (lambda: tw.tensor([-0.0]), "tensor([-0.])"),
    (lambda: tw.tensor(3.0), "tensor(3.)"),
    (lambda: tw.tensor(2.5), "tensor(2.5000)"),
    (lambda: tw.tensor(3), "tensor(3)"),
    (lambda: tw.tensor(True), "tensor(True)"),
    (lambda: tw.tensor([-1, 10]), "tensor([-1, 10])"),
    (lambda: tw.tensor([True, False]), "tensor([ True, False])"),
    (lambda: tw.tensor([]), "tensor([])"),
    (lambda: tw.zeros(0, 3), "tensor([], size=(0, 3))"),
    (lambda: tw.zeros(2, 2, 0), "tensor([], size=(2, 2, 0))"),
    (lambda: tw.zeros(0, dtype=tw.int64), "tensor([], dtype=tensorweave.int64)"),
    (lambda: tw.zeros(0, dtype=tw.float64), "tensor([], dtype=tensorweave.float64)"),
    (lambda: tw.zeros(0, 2, dtype=tw.bool), "tensor([], size=(0, 2), dtype=tensorweave.bool)"),
    (lambda: tw.tensor([1.0, 2.0], dtype=tw.float64),
     "tensor([1., 2.], dtype=tensorweave.float64)"),
    (lambda: tw.tensor([1, 2], dtype=tw.int32), "tensor([1, 2], dtype=tensorweave.int32)"),
    (lambda: tw.tensor([1, 2], dtype=tw.uint8), "tensor([1, 2], dtype=tensorweave.uint8)"),
    (lambda: tw.ones(2, 3, dtype=tw.float16),
     "tensor([[1., 1., 1.],\n        [1., 1., 1.]], dtype=tensorweave.float16)"),
    (lambda: tw.tensor([0.1, 0.25], dtype=tw.float16),
     "tensor([0.1000, 0.2500], dtype=tensorweave.float16)"),
    (lambda: tw.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (lambda: tw.tensor(3.0, requires_grad=True), "tensor(3., requires_grad=True)"),
    (lambda: tw.tensor([1.0, 2.0], dtype=tw.float64, requires_grad=True),
     "tensor([1., 2.], dtype=tensorweave.float64, requires_grad=True)"),
    (lambda: tw.tensor([1.0, 2.0], requires_grad=True) + 1,
     "tensor([2., 3.], grad_fn=<AddBackward0>)"),
    (lambda: tw.tensor([1.0, 2.0], requires_grad=True) * 2,
     "tensor([2., 4.], grad_fn=<MulBackward0>)"),
])
def test_repr_matches_pytorch(make, expected):
    t = make()
    assert repr(t) == expected
    assert str(t) == expected


def test_3d_blank_line_between_matrices():
    assert repr(tw.arange(24).reshape(2, 3, 4)) == (
        "tensor([[[ 0,  1,  2,  3],\n"
        "         [ 4,  5,  6,  7],\n"
        "         [ 8,  9, 10, 11]],\n"
        "\n"
        "        [[12, 13, 14, 15],\n"
        "         [16, 17, 18, 19],\n"
        "         [20, 21, 22, 23]]])")


def test_long_vector_wraps_at_linewidth():
    assert repr(tw.arange(30.0)) == (
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
        "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
        "        28., 29.])")


def test_summarizes_more_than_1000_elements():
    assert repr(tw.arange(2000)) == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"
    assert repr(tw.arange(1000)).count("...") == 0  # threshold is "more than 1000"


def test_summarized_matrix():
    assert repr(tw.arange(1100).reshape(100, 11)) == (
        "tensor([[   0,    1,    2,  ...,    8,    9,   10],\n"
        "        [  11,   12,   13,  ...,   19,   20,   21],\n"
        "        [  22,   23,   24,  ...,   30,   31,   32],\n"
        "        ...,\n"
        "        [1067, 1068, 1069,  ..., 1075, 1076, 1077],\n"
        "        [1078, 1079, 1080,  ..., 1086, 1087, 1088],\n"
        "        [1089, 1090, 1091,  ..., 1097, 1098, 1099]])")


def test_summary_formats_only_the_shown_values():
    # The hidden middle value 1e6 would force scientific notation if it were measured.
    a = np.ones(2000, dtype=np.float32)
    a[1000] = 1e6
    assert repr(tw.tensor(a)) == "tensor([1., 1., 1.,  ..., 1., 1., 1.])"


def test_suffix_moves_to_next_line_past_linewidth():
    # The data line is 79 characters, so ", dtype=..." goes on its own line, indented.
    assert repr(tw.arange(18, dtype=tw.int32)) == (
        "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17],\n"
        "       dtype=tensorweave.int32)")


def test_set_printoptions_precision():
    tw.set_printoptions(precision=2)
    assert repr(tw.tensor([1.2345, 2.0])) == "tensor([1.23, 2.00])"


def test_set_printoptions_threshold_and_edgeitems():
    tw.set_printoptions(threshold=5, edgeitems=2)
    assert repr(tw.arange(10)) == "tensor([0, 1,  ..., 8, 9])"
    assert repr(tw.arange(5)) == "tensor([0, 1, 2, 3, 4])"


def test_set_printoptions_linewidth():
    tw.set_printoptions(linewidth=20)  # (20 - 7) // 3 = 4 elements per line
    assert repr(tw.arange(6)) == "tensor([0, 1, 2, 3,\n        4, 5])"


def test_set_printoptions_sci_mode():
    tw.set_printoptions(sci_mode=True)
    assert repr(tw.tensor([1.0, 2.5])) == "tensor([1.0000e+00, 2.5000e+00])"
    tw.set_printoptions()  # sci_mode=None again: the values decide
    assert repr(tw.tensor([1.0, 2.5])) == "tensor([1.0000, 2.5000])"


def test_set_printoptions_profiles():
    tw.set_printoptions(profile="full")
    assert "..." not in repr(tw.arange(2000))
    tw.set_printoptions(profile="short")
    assert repr(tw.tensor([1.2345])) == "tensor([1.23])"
    with pytest.raises(ValueError, match="unknown profile 'wide'"):
        tw.set_printoptions(profile="wide")


def test_printoptions_context_restores():
    from tensorweave._tensor_str import get_printoptions, printoptions

    with printoptions(precision=1):
        assert repr(tw.tensor([1.25, 2.0])) == "tensor([1.2, 2.0])"
    assert get_printoptions()["precision"] == 4


def test_default_dtype_change_moves_the_dtype_suffix():
    tw.set_default_dtype(tw.float64)
    try:
        assert repr(tw.tensor([1.0, 2.0])) == "tensor([1., 2.])"
        assert repr(tw.tensor([1.0, 2.0], dtype=tw.float32)) == \
            "tensor([1., 2.], dtype=tensorweave.float32)"
    finally:
        tw.set_default_dtype(tw.float32)


def test_non_cpu_device_suffix_comes_first():
    t = tw.tensor([1.0, 2.0], dtype=tw.float64)
    host = t.numpy()
    t._device = tw.device("opencl", 0)  # a stand-in: only the device's name is printed
    t._host = lambda: host
    assert repr(t) == "tensor([1., 2.], device='opencl:0', dtype=tensorweave.float64)"


def test_device_suffix_on_every_device(device):
    t = tw.tensor([1, 2], device=device)
    suffix = "" if t.device.type == "cpu" else f", device='{t.device}'"
    assert repr(t) == f"tensor([1, 2]{suffix})"


def test_subclass_prints_its_name():
    class Custom(tw.Tensor):
        pass

    t = tw.tensor([1.0])
    t.__class__ = Custom
    assert repr(t) == "Custom([1.])"


def test_format_of_0d_and_tolist():
    assert f"{tw.tensor(2.5):.1f}" == "2.5"
    assert tw.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert tw.tensor(2.5).tolist() == 2.5
    assert tw.tensor([True]).tolist() == [True]
    assert isinstance(tw.tensor([1.5]).tolist()[0], float)
    np.testing.assert_equal(tw.tensor([0.1], dtype=tw.float16).tolist(),
                            [float(np.float16(0.1))])
