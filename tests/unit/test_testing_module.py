"""tensorweave.testing against torch.testing: assert_close's verdicts and messages, and
make_tensor's ranges, layout and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

NAN, INF = float("nan"), float("inf")
CASES = {
    "float32-close": lambda fw: ((fw.tensor([1.0, 2.0, 3.0]), fw.tensor([1.0, 2.1, 3.0])), {}),
    "float32-within": lambda fw: ((fw.tensor([1.0, 2.0]), fw.tensor([1.0, 2.0 + 1e-6])), {}),
    "float64": lambda fw: ((fw.tensor([0.0, 1.0], dtype=fw.float64),
                            fw.tensor([1e-9, 1.0 + 1e-6], dtype=fw.float64)), {}),
    "float16": lambda fw: ((fw.tensor([1.0, 2.0], dtype=fw.float16),
                            fw.tensor([1.0, 2.01], dtype=fw.float16)), {}),
    "int-equal": lambda fw: ((fw.tensor([1, 2, 3]), fw.tensor([1, 4, 3])), {}),
    "int-zero-expected": lambda fw: ((fw.tensor([0, 5]), fw.tensor([0, 0])), {}),
    "bool-0d": lambda fw: ((fw.tensor(True), fw.tensor(False)), {}),
    "shape": lambda fw: ((fw.tensor([1.0, 2.0]), fw.tensor([[1.0, 2.0]])), {}),
    "dtype": lambda fw: ((fw.tensor([1.0]), fw.tensor([1.0], dtype=fw.float64)), {}),
    "promoted": lambda fw: ((fw.tensor([[1, 2], [3, 4]]), fw.tensor([[1, 2], [3, 7.0]])),
                            {"check_dtype": False}),
    "sequence": lambda fw: (([fw.tensor(1.0), fw.tensor(2.0)], [fw.tensor(1.0), fw.tensor(3.0)]),
                            {}),
    "mapping": lambda fw: (({"a": fw.tensor(1.0)}, {"a": fw.tensor(3.0)}), {}),
    "mapping-keys": lambda fw: (({"a": 1}, {"b": 1}), {}),
    "length": lambda fw: (([1, 2], [1, 2, 3]), {}),
    "scalars": lambda fw: ((1.0, 1.1), {}),
    "scalar-types": lambda fw: ((1, 1.0), {}),
    "nan": lambda fw: ((fw.tensor([NAN, 1.0]), fw.tensor([NAN, 1.0])), {}),
    "nan-equal": lambda fw: ((fw.tensor([NAN, 1.0]), fw.tensor([NAN, 1.0])), {"equal_nan": True}),
    "inf": lambda fw: ((fw.tensor([INF, 1.0]), fw.tensor([INF, 1.0])), {}),
    "inf-sign": lambda fw: ((fw.tensor([INF]), fw.tensor([-INF])), {}),
    "tolerances": lambda fw: ((fw.tensor([1.0, 2.0]), fw.tensor([1.0, 2.05])),
                              {"rtol": 0.0, "atol": 0.1}),
    "one-tolerance": lambda fw: ((fw.tensor([1.0]), fw.tensor([1.0])), {"rtol": 1e-3}),
    "msg": lambda fw: ((fw.tensor([1.0]), fw.tensor([2.0])), {"msg": "custom"}),
    "msg-callable": lambda fw: ((fw.tensor([1.0]), fw.tensor([2.0])),
                                {"msg": lambda m: "Prefix. " + m}),
    "numpy": lambda fw: ((np.array([1.0, 2.0]), np.array([1.0, 2.5])), {}),
    "tensor-numpy": lambda fw: ((fw.tensor([1.0]), np.array([1.0])), {}),
    "stride": lambda fw: ((fw.tensor([[1.0, 2.0]]).t(), fw.tensor([[1.0], [2.0]])),
                          {"check_stride": True}),
}


def _outcome(fw, case):
    args, kwargs = CASES[case](fw)
    try:
        fw.testing.assert_close(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the outcome is compared
        text = str(e).replace("tensorweave.tensor.", "torch.")
        return type(e).__name__, text.replace("tensorweave.", "torch.")
    return "passed", ""


@pytest.mark.parametrize("case", sorted(CASES))
def test_assert_close_matches_torch(case):
    assert _outcome(tw, case) == _outcome(torch, case)


def test_device_mismatch_is_reported():
    cpu = tw.tensor([1.0])
    other = tw.tensor([1.0], device="minimal:0")
    with pytest.raises(AssertionError, match="attribute 'device' do not match: cpu != minimal:0"):
        tw.testing.assert_close(cpu, other)
    tw.testing.assert_close(cpu, other, check_device=False)


@pytest.mark.parametrize("dtype,low,high", [("float32", -9, 9), ("float64", 2.5, 3.0),
                                            ("int64", -9, 10), ("uint8", 0, 10),
                                            ("int8", -3, 4), ("bool", 0, 2)])
def test_make_tensor_ranges(dtype, low, high):
    dt = getattr(tw, dtype)
    kwargs = {} if (low, high) in ((-9, 9), (-9, 10), (0, 10), (0, 2)) else {"low": low,
                                                                             "high": high}
    t = tw.testing.make_tensor(40, 50, dtype=dt, device="cpu", **kwargs)
    values = t.numpy().astype(np.float64)
    assert t.shape == (40, 50) and t.dtype is dt
    assert values.min() >= low and values.max() < high
    # 2000 uniform draws cover the range: both ends within a tenth of it.
    assert values.min() < low + (high - low) / 10 and values.max() >= high - (high - low) / 10 - 1


def test_make_tensor_layout_grad_and_zeros():
    t = tw.testing.make_tensor((3, 4), dtype=tw.float64, device="cpu", noncontiguous=True,
                               requires_grad=True)
    assert t.shape == (3, 4) and not t.is_contiguous() and t.requires_grad
    z = tw.testing.make_tensor(200, dtype=tw.int64, device="cpu", low=-1, high=1,
                               exclude_zero=True)
    assert set(z.tolist()) <= {-1, 1}
    f = tw.testing.make_tensor(5, dtype=tw.float32, device="cpu", low=0.0, high=1e-40,
                               exclude_zero=True)
    assert (f.numpy() != 0).all()


@pytest.mark.parametrize("kwargs", [{"low": 3, "high": 2}, {"low": NAN},
                                    {"low": 300, "high": 400, "dtype": "uint8"},
                                    {"requires_grad": True, "dtype": "int64"},
                                    {"noncontiguous": True, "memory_format": "x"}])
def test_make_tensor_errors_match_torch(kwargs):
    kwargs = dict(kwargs)
    dtype = kwargs.pop("dtype", "float32")
    messages = []
    for fw in (tw, torch):
        extra = dict(kwargs)
        if extra.get("memory_format") == "x":
            extra["memory_format"] = torch.contiguous_format if fw is torch else "contiguous"
        with pytest.raises(ValueError) as err:
            fw.testing.make_tensor(3, dtype=getattr(fw, dtype), device="cpu", **extra)
        messages.append(str(err.value).replace("tensorweave.", "torch.").split(" memory_format")[0])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("actual,expected", [
    (np.array([1.0, 2.0], np.float32), np.array([1.00005, 2.0], np.float64)),
    (np.array([1.0, 2.0], np.float32), np.array([1.001, 2.0], np.float64)),
    (np.array([1.0, np.nan]), np.array([1.0, np.nan])),
    (np.array([1.0, 2.0]), [1.0, 2.00001]),
])
def test_deprecated_assert_allclose_is_pytorchs(actual, expected):
    def run(fw):
        a = fw.tensor(actual)
        e = fw.tensor(expected) if isinstance(expected, np.ndarray) else expected
        with pytest.warns(FutureWarning, match="assert_allclose\\(\\)` is deprecated"):
            try:
                fw.testing.assert_allclose(a, e)
            except AssertionError as err:
                return str(err).replace("torch.", "tensorweave.")
        return None
    assert run(tw) == run(torch)
