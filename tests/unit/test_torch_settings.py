"""Global switches (threads, determinism, matmul precision, warn-always, denormals, anomaly),
eager `cond`/`while_loop`/`compile`/`vmap`, and the tensor queries (`data_ptr`, `dim_order`,
`pin_memory`, `apply_`...): values and errors against PyTorch's."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from _raised import errors

import tensorweave as tw
from tensorweave import torch_settings

torch = pytest.importorskip("torch")


def same_error(name: str, *args: object, **kwargs: object) -> None:
    assert errors(getattr(tw, name), *args, **kwargs) == \
        errors(getattr(torch, name), *args, **kwargs)


@pytest.fixture
def restore() -> Iterator[None]:
    """Put tensorweave's and torch's settings back after the test."""
    saved = {k: getattr(torch_settings.settings, k) for k in torch_settings._Settings.__slots__}
    threads, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    blas = tw.get_num_threads()
    yield
    tw.set_num_threads(blas)
    for k, v in saved.items():
        setattr(torch_settings.settings, k, v)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(det, warn_only=warn_only)
    torch.set_float32_matmul_precision("highest")
    torch.set_warn_always(False)


# -- settings -------------------------------------------------------------------------------------

def test_num_threads_round_trip(restore: None) -> None:
    tw.set_num_threads(1)
    assert tw.get_num_threads() == 1
    tw.set_num_interop_threads(3)
    assert tw.get_num_interop_threads() == 3


@pytest.mark.parametrize("name", ["set_num_threads", "set_num_interop_threads"])
@pytest.mark.parametrize("value", [0, -2, 1.5, "a"])
def test_thread_count_errors_match_torch(name: str, value: object) -> None:
    same_error(name, value)


@pytest.mark.parametrize("mode", [0, 1, 2, "default", "warn", "error"])
def test_deterministic_debug_mode_matches_torch(restore: None, mode: object) -> None:
    tw.set_deterministic_debug_mode(mode)  # type: ignore[arg-type]
    torch.set_deterministic_debug_mode(mode)  # type: ignore[arg-type]
    assert tw.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
    assert tw.are_deterministic_algorithms_enabled() == \
        torch.are_deterministic_algorithms_enabled()
    assert tw.is_deterministic_algorithms_warn_only_enabled() == \
        torch.is_deterministic_algorithms_warn_only_enabled()


def test_use_deterministic_algorithms(restore: None) -> None:
    tw.use_deterministic_algorithms(True, warn_only=True)
    assert tw.are_deterministic_algorithms_enabled()
    assert (tw.is_deterministic_algorithms_warn_only_enabled(),
            tw.get_deterministic_debug_mode()) == (True, 1)
    tw.use_deterministic_algorithms(False)
    assert tw.get_deterministic_debug_mode() == 0


@pytest.mark.parametrize(("name", "args", "kwargs"), [
    ("use_deterministic_algorithms", (1,), {}),
    ("use_deterministic_algorithms", (True,), {"warn_only": 1}),
    ("set_deterministic_debug_mode", ("foo",), {}),
    ("set_deterministic_debug_mode", (3,), {}),
    ("set_deterministic_debug_mode", (1.0,), {}),
    ("set_float32_matmul_precision", (3,), {}),
    ("set_warn_always", (1,), {}),
    ("set_flush_denormal", (1,), {}),
    ("set_anomaly_enabled", (1,), {}),
    ("set_anomaly_enabled", (True, 1), {}),
])
def test_setting_errors_match_torch(name: str, args: tuple[object, ...],
                                    kwargs: dict[str, object]) -> None:
    same_error(name, *args, **kwargs)


def test_float32_matmul_precision(restore: None) -> None:
    assert tw.get_float32_matmul_precision() == "highest"
    tw.set_float32_matmul_precision("medium")
    assert tw.get_float32_matmul_precision() == "medium"
    with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
        tw.set_float32_matmul_precision("fast")
    assert tw.get_float32_matmul_precision() == "medium"


def test_warn_always_and_flush_denormal(restore: None) -> None:
    assert tw.is_warn_always_enabled() is torch.is_warn_always_enabled() is False
    tw.set_warn_always(True)
    assert tw.is_warn_always_enabled()
    assert tw.set_flush_denormal(True) is False  # unsupported here, as torch reports it


def test_set_anomaly_enabled_switches_detection() -> None:
    try:
        tw.set_anomaly_enabled(True, False)
        assert tw.is_anomaly_enabled() and not tw.is_anomaly_check_nan_enabled()
    finally:
        tw.set_anomaly_enabled(False)
    assert not tw.is_anomaly_enabled()


def test_inference_queries() -> None:
    assert not tw.is_inference_mode_enabled()
    with tw.inference_mode():
        assert tw.is_inference_mode_enabled()
    x = tw.ones(2)
    assert tw.is_inference(x) is x.is_inference() is False
    assert errors(tw.is_inference, [1]) == errors(torch.is_inference, [1])


# -- control flow ---------------------------------------------------------------------------------

@pytest.mark.parametrize("pred", [True, False, "t1", "t0", "f1"])
def test_cond_runs_the_chosen_branch(pred: object) -> None:
    def p(fw: object) -> object:
        if isinstance(pred, bool):
            return pred
        return fw.tensor(pred == "t1") if pred[0] == "t" else fw.tensor(1.0)  # type: ignore

    x = np.array([1.0, 2.0])
    got = tw.cond(p(tw), lambda a: a + 1, lambda a: a * 3, (tw.tensor(x),))
    want = torch.cond(p(torch), lambda a: a + 1, lambda a: a * 3, (torch.tensor(x),))
    assert got.tolist() == want.tolist()
    # A constant runs its branch unchecked, as torch's eager path does.
    assert tw.cond(0, abs, lambda: "no check", ()) == "no check"


def test_cond_gradient_flows_through_the_branch() -> None:
    x = tw.tensor([1.0, 2.0], requires_grad=True)
    tw.cond(tw.tensor(True), lambda a: (a * a).sum(), lambda a: a.sum(), [x]).backward()
    assert x.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("make", [
    lambda fw: (fw.tensor([True, False]), abs, abs, (fw.ones(2),)),
    lambda fw: ("yes", abs, abs, (fw.ones(2),)),
    lambda fw: (fw.tensor(True), 3, abs, (fw.ones(2),)),
    lambda fw: (fw.tensor(True), abs, abs, fw.ones(2)),
    lambda fw: (fw.tensor(True), abs, abs, (fw.ones(2), 3)),
])
def test_cond_errors_match_torch(make: object) -> None:
    got = errors(tw.cond, *make(tw))  # type: ignore[operator]
    want = errors(torch.cond, *make(torch))  # type: ignore[operator]
    assert got[0] is want[0]
    assert got[1].split(",")[0] == want[1].split(",")[0]


def test_while_loop_matches_torch() -> None:
    def run(fw: object) -> object:
        return fw.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 2),  # type: ignore
                             (fw.tensor(0), fw.ones(2)))  # type: ignore[attr-defined]

    got, want = run(tw), run(torch)
    assert isinstance(got, tuple) and [t.tolist() for t in got] == [t.tolist() for t in want]
    never = tw.while_loop(lambda i: i < 0, lambda i: (i + 1,), [tw.tensor(5)])
    assert isinstance(never, tuple) and never[0].item() == 5


def test_while_loop_errors() -> None:
    same_error("while_loop", 3, abs, (torch.tensor(0),))
    assert errors(tw.while_loop, abs, abs, tw.tensor(0)) == (
        RuntimeError, "carried_inputs must be a tuple or list but got "
                      "<class 'tensorweave.tensor.Tensor'>")
    with pytest.raises(RuntimeError, match="cond_fn must return a boolean scalar tensor"):
        tw.while_loop(lambda i: 3, lambda i: (i,), (tw.tensor(0),))
    with pytest.raises(RuntimeError, match="same number of outputs"):
        tw.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1,), (tw.tensor(0), tw.ones(1)))


def test_compile_returns_the_function_and_checks_its_arguments() -> None:
    def f(x: object) -> object:
        return x

    model = tw.nn.Linear(2, 2)
    assert tw.compile(f) is f and tw.compile(model) is model
    assert tw.compile(mode="max-autotune")(f) is f
    same_error("compile", f, mode="default", options={})
    same_error("compile", f, mode="foo")


def test_vmap_is_func_vmap() -> None:
    assert tw.vmap is tw.func.vmap
    out = tw.vmap(lambda r: r.sum())(tw.arange(6.0).view(2, 3))
    assert out.tolist() == [3.0, 12.0]


# -- tensor queries -------------------------------------------------------------------------------

def test_data_ptr_is_per_storage_and_offset() -> None:
    x = tw.ones(2, 3)
    assert x.data_ptr() == x.view(6).data_ptr() == x[0].data_ptr() == x.detach().data_ptr()
    assert x[1].data_ptr() - x.data_ptr() == 3 * x.element_size()
    assert x.clone().data_ptr() != x.data_ptr()
    assert isinstance(x.data_ptr(), int)


@pytest.mark.parametrize("pair", [
    lambda x: (x, x), lambda x: (x, x.view(2, 3)), lambda x: (x, x.view(6)),
    lambda x: (x[0], x[0]), lambda x: (x[1], x[0]), lambda x: (x, x.t().t()),
    lambda x: (x, x.clone()), lambda x: (x[:, :2], x[:, :2]), lambda x: (x, x.detach()),
])
def test_is_set_to_and_const_data_ptr_match_torch(pair: object) -> None:
    a, b = pair(tw.ones(2, 3))  # type: ignore[operator]
    c, d = pair(torch.ones(2, 3))  # type: ignore[operator]
    assert a.is_set_to(b) == c.is_set_to(d)
    assert a.const_data_ptr() == a.data_ptr()
    assert not (a.is_mps or a.is_xpu or a.is_xla or a.is_ipu or a.is_mtia or a.is_maia
                or a.is_vulkan)


def test_as_subclass_keeps_storage_and_graph() -> None:
    class Mine(tw.Tensor):
        pass

    x = tw.ones(2, requires_grad=True)
    y = (x * 2).as_subclass(Mine)
    assert type(y) is Mine and y.requires_grad and y.grad_fn is not None
    (y * 3).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
    z = tw.ones(3)
    assert z.as_subclass(Mine).data_ptr() == z.data_ptr()
    with pytest.raises(TypeError, match="does not inherit from Tensor"):
        z.as_subclass(int)


@pytest.mark.parametrize("make", [
    lambda fw: fw.ones(2, 3), lambda fw: fw.ones(2, 3).t(),
    lambda fw: fw.ones(2, 3, 4).permute(2, 0, 1), lambda fw: fw.ones(5),
])
def test_dim_order_matches_torch(make: object) -> None:
    assert make(tw).dim_order() == make(torch).dim_order()  # type: ignore[operator]


def test_pinned_and_shared_memory() -> None:
    x = tw.ones(3)
    assert x.pin_memory() is x and not x.is_pinned()
    assert x.share_memory_() is x and not x.is_shared()


def test_typename_get_device_to_dlpack() -> None:
    assert tw.typename(tw.ones(1)) == tw.ones(1).type()
    assert tw.typename(3) == torch.typename(3) == "int"
    assert tw.typename(len) == torch.typename(len) == "len"
    assert tw.typename(tw.nn.Module) == "tensorweave.nn.module.Module"
    assert tw.typename(torch.nn.Linear(1, 1)) == torch.typename(torch.nn.Linear(1, 1))
    assert tw.get_device(tw.ones(1)) == -1
    assert errors(tw.get_device, 3) == errors(torch.get_device, 3)
    x = tw.arange(4.0)
    assert torch.from_dlpack(tw.to_dlpack(x)).tolist() == [0.0, 1.0, 2.0, 3.0]


def test_apply_map_map2_match_torch() -> None:
    def run(fw: object) -> list[object]:
        a = fw.arange(4.0)  # type: ignore[attr-defined]
        b = fw.arange(6.0).view(2, 3).t()  # type: ignore[attr-defined]
        i = fw.arange(4)  # type: ignore[attr-defined]
        a.apply_(lambda v: v * 2)
        b.apply_(lambda v: v * 10)
        i.apply_(lambda v: v * 2.7)
        m = fw.arange(4.0).map_(fw.ones(1), lambda u, v: u + v)  # type: ignore[attr-defined]
        m2 = fw.arange(4.0).map2_(fw.ones(4), fw.arange(4.0),  # type: ignore[attr-defined]
                                  lambda s, x, y: s * x + y)
        flag = fw.tensor([True, False]).apply_(lambda v: not v)  # type: ignore[attr-defined]
        return [t.tolist() for t in (a, b, i, m, m2, flag)]

    assert run(tw) == run(torch)


@pytest.mark.parametrize("call", [
    lambda fw: fw.arange(4.0, requires_grad=True).apply_(abs),
    lambda fw: fw.arange(4.0).map_(fw.arange(4.0, requires_grad=True), max),
    lambda fw: fw.arange(4.0).map_(fw.ones(3), max),
    lambda fw: fw.arange(4.0).map_([1.0], max),
    lambda fw: fw.arange(4.0).apply_(lambda v: None),
    lambda fw: fw.arange(4.0).apply_(lambda v: "1.5"),
])
def test_apply_errors_match_torch(call: object) -> None:
    got = errors(call, tw)
    want = errors(call, torch)
    assert got[0] is want[0]
    if got[0] is not RuntimeError or "Variable" in want[1]:
        assert got[1] == want[1]


def test_map_refuses_another_dtype() -> None:
    with pytest.raises(TypeError, match=r"map_: expected tensorweave.FloatTensor for 'other' "
                                        r"\(got tensorweave.LongTensor\)"):
        tw.arange(4.0).map_(tw.arange(4), max)


def test_apply_bumps_the_version_and_writes_through_views() -> None:
    x = tw.zeros(2, 3)
    v = x[1]
    before = x._version
    v.apply_(lambda _: 1.0)
    assert x.tolist() == [[0.0] * 3, [1.0] * 3] and x._version > before


def test_as_strided_inplace_makes_self_the_view() -> None:
    x, y = tw.arange(6.0), torch.arange(6.0)
    assert x.as_strided_((2, 2), (1, 2), 1) is x
    y.as_strided_((2, 2), (1, 2), 1)
    assert (x.tolist(), x.stride()) == (y.tolist(), y.stride())
