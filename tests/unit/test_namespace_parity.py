"""The torch-level spellings that are no ops of their own: in-place functions (``tw.abs_``),
view copies (``tw.diagonal_copy``), the strided and legacy creation functions, and the
removed functions, against PyTorch's values, dtypes, strides, gradients and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _functional_oracle import compare
from _raised import errors

import tensorweave as tw
from tensorweave import inplace_functions, view_copies

torch = pytest.importorskip("torch")

R = np.random.default_rng(5)


def _to(fw: object, v: object) -> object:
    """An argument for ``fw``: arrays (alone or in a tuple) become its tensors."""
    if isinstance(v, np.ndarray):
        return fw.tensor(v)  # type: ignore[attr-defined]
    if isinstance(v, tuple) and v and isinstance(v[0], np.ndarray):
        return tuple(fw.tensor(a) for a in v)  # type: ignore[attr-defined]
    return v


def both(fn_name: str, *args: object, **kwargs: object) -> tuple[object, object]:
    """``tw.<fn>`` and ``torch.<fn>`` on the same arguments (arrays become tensors)."""
    return tuple(getattr(fw, fn_name)(*(_to(fw, a) for a in args), **kwargs)  # type: ignore
                 for fw in (tw, torch))


def same_error(name: str, make_args: object) -> None:
    """``tw.<name>`` and ``torch.<name>`` raise the same type and message."""
    (tw_args, t_args) = make_args(tw), make_args(torch)  # type: ignore[operator]
    got, want = errors(getattr(tw, name), *tw_args), errors(getattr(torch, name), *t_args)
    assert got[0] is want[0], (got, want)
    assert got[1] == want[1]


# -- in-place functions ---------------------------------------------------------------------------

X = R.uniform(0.2, 0.8, (2, 3))
INT = np.array([[4, 6, 9], [12, 15, 8]])
# Arguments after ``input`` (arrays become tensors), and the input when it is not X.
INPLACE_ARGS: dict[str, tuple[tuple[object, ...], np.ndarray]] = {
    "acosh_": ((), X + 1), "arccosh_": ((), X + 1),
    "addmv_": ((R.standard_normal((3, 4)), R.standard_normal(4)), R.standard_normal(3)),
    "as_strided_": (((2, 2), (1, 2), 1), X), "clamp_": ((0.3, 0.6), X),
    "clamp_max_": ((0.5,), X), "clamp_min_": ((0.5,), X), "fill_": ((2.5,), X),
    "gcd_": ((INT[::-1].copy(),), INT), "lcm_": ((INT[::-1].copy(),), INT),
    "index_put_": (((np.array([1, 0]),), np.array([7.0, 8.0, 9.0])), X),
    "ldexp_": ((np.array([1.0, 2.0, -1.0]),), X),
    "nan_to_num_": ((), np.array([np.nan, np.inf, -np.inf, 1.0])),
    "round_": ((), X * 10), "xlogy_": ((X[::-1].copy(),), X),
}


@pytest.mark.parametrize("name", inplace_functions.INPLACE_FUNCTIONS)
def test_inplace_function_is_the_method_on_input(name: str) -> None:
    """``tw.<name>_(x, ...)`` changes ``x`` as torch's does and returns ``x`` itself."""
    args, x = INPLACE_ARGS.get(name, ((), X))
    a, b = tw.tensor(x), torch.tensor(x)

    out = getattr(tw, name)(a, *(_to(tw, v) for v in args))
    ref = getattr(torch, name)(b, *(_to(torch, v) for v in args))
    assert out is a and ref is b
    assert tuple(a.shape) == tuple(b.shape) and a.dtype.name == str(b.dtype)[6:]
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)


def test_inplace_functions_refuse_non_tensors_as_torch() -> None:
    assert errors(tw.abs_, [1.0]) == errors(torch.abs_, [1.0])


def test_fill_is_out_of_place_with_torch_gradients() -> None:
    """``fill`` returns a new tensor; the gradient is zero for input, summed for value."""
    compare(lambda x, v: tw.fill(x, v), lambda x, v: torch.fill(x, v), R.standard_normal(4),
            np.array(1.5))
    x = tw.zeros(3)
    assert tw.fill(x, 2).tolist() == [2.0] * 3 and x.tolist() == [0.0] * 3
    same_error("fill", lambda fw: (fw.zeros(3), fw.ones(2)))


# -- view copies ----------------------------------------------------------------------------------

A = R.standard_normal((3, 4))
COPIES = [
    ("alias_copy", ()), ("as_strided_copy", ((2, 2), (1, 3), 1)), ("detach_copy", ()),
    ("diagonal_copy", (1,)), ("expand_copy", ((2, 3, 4),)), ("permute_copy", ((1, 0),)),
    ("select_copy", (1, 2)), ("slice_copy", (1, 1, 4, 2)), ("slice_copy", (0, -2, 100)),
    ("split_copy", (2, 1)), ("split_with_sizes_copy", ([1, 3], 1)), ("squeeze_copy", ()),
    ("t_copy", ()), ("transpose_copy", (0, 1)), ("unbind_copy", (1,)),
    ("unfold_copy", (1, 2, 1)), ("unsqueeze_copy", (1,)), ("view_copy", ((4, 3),)),
]


@pytest.mark.parametrize(("name", "args"), COPIES, ids=[f"{n}{a}" for n, a in COPIES])
def test_view_copy_values_strides_and_gradients(name: str, args: tuple[object, ...]) -> None:
    """Each copy has the view's values and gradients, contiguous storage of its own."""
    x = A if name != "squeeze_copy" else A.reshape(3, 1, 4)
    if name == "detach_copy":  # no gradient to compare
        out = compare(lambda t: getattr(tw, name)(t), lambda t: getattr(torch, name)(t), x,
                      grad=False)
    else:
        out = compare(lambda t: getattr(tw, name)(t, *args),
                      lambda t: getattr(torch, name)(t, *args), x)
    ref = getattr(torch, name)(torch.tensor(x), *args)
    outs = out if isinstance(out, tuple) else (out,)
    refs = ref if isinstance(ref, tuple) else (ref,)
    assert isinstance(out, tuple) == isinstance(ref, tuple)
    for o, r in zip(outs, refs):
        assert o.stride() == r.stride() and o.is_contiguous()
    t = tw.tensor(x)  # writing into the copies leaves the source as it was
    before = t.numpy().copy()
    copies = getattr(tw, name)(t, *args) if name != "detach_copy" else tw.detach_copy(t)
    for piece in copies if isinstance(copies, tuple) else (copies,):
        piece.fill_(0.0)
    np.testing.assert_array_equal(t.numpy(), before)


def test_view_copy_table_covers_torch() -> None:
    assert all(hasattr(torch, n) for n in view_copies.__all__)
    assert {n for n, _ in COPIES} == set(view_copies.__all__)


@pytest.mark.parametrize(("name", "make"), [
    ("slice_copy", lambda fw: (fw.arange(6), 0, 0, 4, 0)),
    ("slice_copy", lambda fw: (fw.arange(6), 0, 0, 4, -1)),
    ("diagonal_copy", lambda fw: ([1.0],)),
])
def test_view_copy_errors_match_torch(name: str, make: object) -> None:
    same_error(name, make)


def test_slice_copy_dim_out_of_range_is_an_index_error() -> None:
    with pytest.raises(IndexError):
        tw.slice_copy(tw.arange(6), 1)
    with pytest.raises(IndexError):
        torch.slice_copy(torch.arange(6), 1)


# -- creation -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "kwargs"), [
    ((1, 4), {}), ((1, 4, 0.5), {}), ((0, 1, 0.3), {}), ((4, 1, -1), {}),
    ((1, 4), {"dtype": "int64"}), ((0.5, 2.0, 0.25), {"dtype": "float64"}),
])
def test_range_is_end_inclusive_and_deprecated(args: tuple[float, ...],
                                               kwargs: dict[str, str]) -> None:
    with pytest.warns(UserWarning, match="deprecated"):
        out = tw.range(*args, **{k: getattr(tw, v) for k, v in kwargs.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.range(*args, **{k: getattr(torch, v) for k, v in kwargs.items()})
    assert out.dtype.name == str(ref.dtype)[6:]
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=0, atol=1e-7)


@pytest.mark.parametrize("args", [(1, 4, 0), (4, 1), (1, 4, -1)])
def test_range_errors_match_torch(args: tuple[int, ...]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error("range", lambda fw: args)


@pytest.mark.parametrize(("size", "stride"), [((2, 3), (1, 2)), ((2, 3), (3, 1)),
                                              ((2, 0, 3), (1, 1, 1)), ((3, 2), (0, 1))])
def test_empty_strided_has_the_strides_asked_for(size: tuple[int, ...],
                                                 stride: tuple[int, ...]) -> None:
    out = tw.empty_strided(size, stride, dtype=tw.float64)
    ref = torch.empty_strided(size, stride, dtype=torch.float64)
    assert (out.shape, out.stride(), out.dtype) == (ref.shape, ref.stride(), tw.float64)
    like = tw.ones(1, dtype=tw.int32).new_empty_strided(size, stride)
    assert (like.stride(), like.dtype) == (stride if 0 not in size else like.stride(), tw.int32)


def test_empty_strided_leaf_gets_gradients() -> None:
    x = tw.empty_strided((2, 3), (1, 2), requires_grad=True)
    (x * tw.arange(6.0).view(2, 3)).sum().backward()
    assert x.is_leaf and x.grad.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


@pytest.mark.parametrize("layout", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_empty_permuted_strides_match_torch(layout: tuple[int, ...]) -> None:
    out = tw.empty_permuted((2, 3, 4), layout)
    assert out.stride() == torch.empty_permuted((2, 3, 4), layout).stride()
    assert out.shape == (2, 3, 4)


@pytest.mark.parametrize(("name", "make"), [
    ("empty_strided", lambda fw: ((2, 3), (1,))),
    ("empty_permuted", lambda fw: ((2, 3, 4), (2, 0, 0))),
    ("empty_permuted", lambda fw: ((2, 3, 4), (2, 0))),
])
def test_strided_creation_errors_match_torch(name: str, make: object) -> None:
    same_error(name, make)


def test_frombuffer_shares_a_writable_buffer() -> None:
    buf = bytearray(np.array([1, 2, 3, 4], dtype=np.int32).tobytes())
    t = tw.frombuffer(buf, dtype=tw.int32, count=2, offset=4)
    assert t.tolist() == torch.frombuffer(buf, dtype=torch.int32, count=2, offset=4).tolist()
    t.fill_(9)
    assert np.frombuffer(buf, dtype=np.int32).tolist() == [1, 9, 9, 4]
    assert tw.frombuffer(buf, dtype=tw.float32).dtype is tw.float32


def test_frombuffer_copies_a_read_only_buffer_with_a_warning() -> None:
    data = np.array([1.5, -2.0]).tobytes()
    with pytest.warns(UserWarning, match="not writable"):
        t = tw.frombuffer(data, dtype=tw.float64)
    assert t.tolist() == [1.5, -2.0]
    t.zero_()
    assert np.frombuffer(data).tolist() == [1.5, -2.0]


@pytest.mark.parametrize(("size", "kwargs"), [(7, {}), (0, {}), (8, {"count": 3}),
                                              (8, {"offset": 9}), (8, {"count": 0})])
def test_frombuffer_errors_match_torch(size: int, kwargs: dict[str, int]) -> None:
    got = errors(tw.frombuffer, bytearray(size), dtype=tw.int32, **kwargs)
    assert got == errors(torch.frombuffer, bytearray(size), dtype=torch.int32, **kwargs)


def test_legacy_new_constructor() -> None:
    x = tw.ones(2, dtype=tw.int32)
    assert x.new().shape == (0,) and x.new(2, 3).shape == (2, 3)
    assert x.new(tw.Size([4])).shape == (4,) and x.new([1.7, 2]).tolist() == [1, 2]
    assert x.new([1.7, 2]).dtype is tw.int32
    y = tw.zeros(3, dtype=tw.int32)
    assert x.new(y) is y
    with pytest.raises(TypeError):
        x.new(tw.zeros(3))


# -- removed functions ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["eig", "lstsq", "solve", "symeig", "matrix_rank"])
def test_removed_functions_raise_as_torch(name: str) -> None:
    first = "This function was deprecated since version 1.9 and is now removed."
    args = (tw.eye(2), tw.eye(2)) if name in ("lstsq", "solve") else (tw.eye(2),)
    with pytest.raises(RuntimeError, match=r"^This function was deprecated since version 1\.9"):
        getattr(tw, name)(*args)
    assert errors(getattr(torch, name), torch.eye(2), torch.eye(2))[1].startswith(first)
    if name != "matrix_rank":
        with pytest.raises(RuntimeError, match="linalg"):
            getattr(tw.eye(2), name)()


# -- frexp, nextafter -----------------------------------------------------------------------------

def _special_floats(np_dtype: type) -> np.ndarray:
    fi = np.finfo(np_dtype)
    edge = [0.0, -0.0, 1.0, 2.0, 0.5, -1.0, -4.0, fi.tiny, fi.tiny / 2, fi.smallest_subnormal,
            3 * fi.smallest_subnormal, fi.max, -fi.max, np.inf, -np.inf, np.nan]
    rand = np.clip(R.standard_normal(60) * 10.0 ** R.integers(-6, 6, 60), -6e4, 6e4)
    return np.concatenate([np.array(edge, dtype=np.float64), rand]).astype(np_dtype)


FLOATS = [(np.float16, "float16"), (np.float32, "float32"), (np.float64, "float64")]


@pytest.mark.parametrize(("np_dtype", "name"), FLOATS)
def test_frexp_matches_torch_bit_for_bit(np_dtype: type, name: str) -> None:
    x = _special_floats(np_dtype)
    m, e = tw.frexp(tw.tensor(x))
    rm, re = torch.frexp(torch.tensor(x))
    np.testing.assert_array_equal(m.numpy(), rm.numpy())
    assert np.array_equal(np.signbit(m.numpy()), np.signbit(rm.numpy()))
    assert e.dtype is tw.int32 and e.numpy().tolist() == re.numpy().tolist()
    assert tw.tensor(x).frexp().exponent.tolist() == re.tolist()


@pytest.mark.parametrize(("np_dtype", "name"), FLOATS)
def test_nextafter_matches_torch_bit_for_bit(np_dtype: type, name: str) -> None:
    x = _special_floats(np_dtype)
    for y in (x[::-1].copy(), -x, np.zeros_like(x), -np.zeros_like(x), x,
              np.full_like(x, np.inf), np.full_like(x, -np.inf)):
        got = tw.nextafter(tw.tensor(x), tw.tensor(y)).numpy()
        want = torch.nextafter(torch.tensor(x), torch.tensor(y)).numpy()
        np.testing.assert_array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want))


def test_nextafter_promotes_broadcasts_and_has_an_inplace_form() -> None:
    a, b = tw.tensor([1.0, 2.0]), tw.tensor([[3.0], [0.0]], dtype=tw.float64)
    out = a.nextafter(b)
    ref = torch.tensor([1.0, 2.0]).nextafter(torch.tensor([[3.0], [0.0]], dtype=torch.float64))
    assert out.dtype is tw.float64 and out.numpy().tolist() == ref.numpy().tolist()
    x, y = tw.tensor([1.0]), torch.tensor([1.0])
    assert x.nextafter_(tw.tensor([2.0])) is x
    assert x.item() == y.nextafter_(torch.tensor([2.0])).item()


def test_frexp_and_nextafter_gradients_match_torch() -> None:
    x = np.array([1.0, 3.0, -0.7, 0.0, 1e-30])
    compare(lambda t: tw.frexp(t).mantissa, lambda t: torch.frexp(t).mantissa, x)
    compare(tw.nextafter, torch.nextafter, R.standard_normal((2, 3)), R.standard_normal(3))


@pytest.mark.parametrize(("name", "make"), [
    ("nextafter", lambda fw: (fw.tensor([1, 2]), fw.tensor([2, 0]))),
    ("nextafter", lambda fw: (fw.tensor([1.0]), 3.0)),
    ("frexp", lambda fw: (fw.tensor([1, 2]),)),
    ("frexp", lambda fw: ([1.0],)),
])
def test_frexp_nextafter_errors_match_torch(name: str, make: object) -> None:
    same_error(name, make)


# -- functional recurrent cells -------------------------------------------------------------------

CELLS = [("lstm_cell", 4), ("gru_cell", 3), ("rnn_tanh_cell", 1), ("rnn_relu_cell", 1)]


@pytest.mark.parametrize(("name", "gates"), CELLS)
@pytest.mark.parametrize("biases", ["both", "none", "hh only"])
def test_cells_match_torch_with_gradients(name: str, gates: int, biases: str) -> None:
    x, h, c = R.standard_normal((2, 3)), R.standard_normal((2, 4)), R.standard_normal((2, 4))
    w, u = R.standard_normal((gates * 4, 3)), R.standard_normal((gates * 4, 4))
    b = {"both": (R.standard_normal(gates * 4), R.standard_normal(gates * 4)),
         "none": (), "hh only": (None, R.standard_normal(gates * 4))}[biases]

    def run(fw: object) -> object:
        def fn(x: object, h: object, c: object, w: object, u: object, *b: object) -> object:
            state = (h, c) if name == "lstm_cell" else h
            return getattr(fw, name)(x, state, w, u, *b)
        return fn

    compare(run(tw), run(torch), x, h, c, w, u, *b)


@pytest.mark.parametrize("make", [
    lambda fw: (fw.ones(2, 3), (fw.ones(2, 4),), fw.ones(16, 3), fw.ones(16, 4)),
    lambda fw: (fw.ones(2, 3), fw.ones(2, 4), fw.ones(16, 3), fw.ones(16, 4)),
    lambda fw: (fw.ones(2, 3), (fw.ones(2, 4),) * 2, fw.ones(16, 2), fw.ones(16, 4)),
])
def test_lstm_cell_errors_match_torch(make: object) -> None:
    same_error("lstm_cell", make)
