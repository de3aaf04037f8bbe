"""`tensorweave.jit` and `tensorweave.compiler` against PyTorch's eager behaviour: decorated and
scripted code computes what the undecorated (and what torch's scripted) code computes, trace
runs its example once, ``jit.isinstance`` answers as ``torch.jit.isinstance`` does, and bad
arguments raise PyTorch's errors."""

import typing
import warnings
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from _raised import errors  # noqa: E402

import tensorweave as tw  # noqa: E402
from tensorweave import compiler, jit  # noqa: E402

X = np.linspace(-1.0, 2.0, 6).reshape(2, 3)
Y = np.linspace(0.5, 1.5, 6).reshape(2, 3)
X32 = X.astype(np.float32)  # for modules, whose parameters are float32

# torch deprecates TorchScript; its warnings are not what is tested.
pytestmark = [pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:ignore\\(True\\) has been deprecated")]


def _tw_fn(x, y):
    return tw.sin(x) * y + x


def _torch_fn(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.sin(x) * y + x


class _Counting(tw.nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = []
        self.lin = tw.nn.Linear(3, 2)

    def forward(self, x, scale=1.0):
        self.calls.append(("forward", scale))
        return self.lin(x) * scale

    def other(self, x):
        self.calls.append(("other",))
        return x + 1


def test_script_returns_function_module_and_class_computing_as_torch_script():
    scripted = jit.script(_tw_fn, optimize=None, _frames_up=1, _rcb=None, example_inputs=None)
    assert scripted is _tw_fn
    out = scripted(tw.tensor(X), tw.tensor(Y))
    want = torch.jit.script(_torch_fn)(torch.tensor(X), torch.tensor(Y))
    np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-12)

    m = _Counting()
    assert jit.script(m) is m
    assert jit.script(_Counting) is _Counting

    @jit.script
    def g(x):
        return x * 2

    np.testing.assert_allclose(g(tw.tensor(X)).numpy(), 2 * X, rtol=0)


def test_script_optimize_warns_as_torch():
    with pytest.warns(FutureWarning, match="`optimize` is deprecated"):
        assert jit.script(_tw_fn, optimize=True) is _tw_fn


def test_trace_function_runs_the_example_once_and_returns_it():
    calls = []

    def f(x, y=None):
        calls.append((x, y))
        return x * 2

    x = tw.tensor(X)
    assert jit.trace(f, x) is f  # one tensor is the single argument
    assert jit.trace(f, (x, 3)) is f
    assert jit.trace(f, [x, 4]) is f  # any iterable is the argument list
    assert jit.trace(f, example_kwarg_inputs={"x": x, "y": 5}) is f
    assert [c[1] for c in calls] == [None, 3, 4, 5]
    assert all(c[0] is x for c in calls)


def test_trace_module_and_bound_forward_run_forward_once():
    m = _Counting()
    x = tw.tensor(X32)
    assert jit.trace(m, x) is m
    assert m.calls == [("forward", 1.0)]
    assert jit.trace(m.forward, (x, 2.0)) == m.forward
    assert jit.trace(m, example_kwarg_inputs={"x": x, "scale": 3.0}) is m
    assert m.calls == [("forward", 1.0), ("forward", 2.0), ("forward", 3.0)]
    assert jit.trace_module(m, {"forward": x, "other": (x,)}) is m
    assert m.calls[3:] == [("forward", 1.0), ("other",)]


def test_trace_runs_forward_hooks_as_module_call():
    m = _Counting()
    seen = []
    m.register_forward_hook(lambda mod, args, out: seen.append(out.shape))
    jit.trace(m, tw.tensor(X32))
    assert seen == [(2, 2)]


def test_trace_errors_match_torch():
    m, tm = _Counting(), torch.nn.Linear(3, 2)
    x, tx = tw.tensor(X), torch.tensor(X)
    assert errors(jit.trace, m) == errors(torch.jit.trace, tm)
    assert errors(jit.trace, m.other, (x,)) == errors(torch.jit.trace, tm.extra_repr, (tx,))
    assert errors(jit.trace_module, _tw_fn, {"forward": x}) == errors(
        torch.jit.trace_module, _torch_fn, {"forward": tx})
    assert errors(jit.trace_module, m, x) == errors(torch.jit.trace_module, tm, tx)
    kind, msg = errors(jit.trace_module, m, {"forward": {"y": x}}, example_inputs_is_kwarg=True)
    assert kind is NameError and msg.startswith("'y' is not in forward() method's arguments")
    assert "[x,scale]" in msg


def test_ignore_unused_export_script_if_tracing_return_the_function():
    def f(x):
        return x + 1

    assert jit.ignore(f) is f
    assert jit.ignore()(f) is f
    assert jit.ignore(drop=True)(f) is f
    assert jit.unused(f) is f and jit.export(f) is f and jit.script_if_tracing(f) is f
    assert errors(jit.ignore, 3) == errors(torch.jit.ignore, 3)


def test_ignored_method_runs_eagerly_like_torch():
    class M(torch.nn.Module):
        @torch.jit.ignore(drop=True)
        def helper(self, x):
            return x * 3

        def forward(self, x):
            return self.helper(x)

    class N(tw.nn.Module):
        @jit.ignore(drop=True)
        def helper(self, x):
            return x * 3

        def forward(self, x):
            return self.helper(x)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = M()(torch.tensor(X)).numpy()
    np.testing.assert_allclose(N()(tw.tensor(X)).numpy(), want, rtol=0)


def test_interface_and_errors():
    class I:  # noqa: E742 - torch's interface examples name the class so
        def run(self, x):
            return x

    assert jit.interface(I) is I
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert errors(jit.interface, _tw_fn) == errors(torch.jit.interface, _torch_fn)


def test_flags_annotate_and_final_match_torch():
    assert jit.is_scripting() is torch.jit.is_scripting() is False
    assert jit.is_tracing() is torch.jit.is_tracing() is False
    value = {"a": 1}
    assert jit.annotate(Dict[str, int], value) is value
    assert torch.jit.annotate(Dict[str, int], value) is value
    assert jit.Final is torch.jit.Final is typing.Final


def test_fork_and_wait_return_the_value_as_torch():
    x, tx = tw.tensor(X), torch.tensor(X)
    fut = jit.fork(_tw_fn, x, y=tw.tensor(Y))
    tfut = torch.jit.fork(_torch_fn, tx, y=torch.tensor(Y))
    assert fut.done() and tfut.done()
    np.testing.assert_allclose(jit.wait(fut).numpy(), torch.jit.wait(tfut).numpy(), rtol=1e-12)
    assert fut.wait() is fut.value() is jit.wait(fut)
    with pytest.raises(ZeroDivisionError):
        jit.fork(lambda: 1 / 0)


def test_freeze_and_optimize_for_inference():
    m = _Counting()
    tm = torch.jit.script(torch.nn.Linear(3, 2))
    assert errors(jit.freeze, m) == errors(torch.jit.freeze, tm)  # training mode
    assert errors(jit.freeze, _tw_fn) == errors(torch.jit.freeze, torch.nn.Linear(3, 2))
    assert jit.freeze(m.eval(), preserved_attrs=["lin"]) is m
    m.train()
    assert jit.optimize_for_inference(m) is m and not m.training
    assert errors(jit.optimize_for_inference, _tw_fn) == errors(
        torch.jit.optimize_for_inference, torch.nn.Linear(3, 2))


@pytest.mark.parametrize("fn, name", [(lambda: jit.save(_Counting(), "m.pt"), "save"),
                                      (lambda: jit.load("m.pt"), "load")])
def test_save_load_raise_and_point_at_tensorweave_serialization(fn, name):
    with pytest.raises(RuntimeError, match=f"tensorweave.jit.{name}: tensorweave has no "
                                           f"TorchScript.*use tensorweave.{name} "):
        fn()


# (value, target type) built from the library's Tensor class and tensor factory.
ISINSTANCE_CASES = [
    lambda T, t: ([1, 2], List[int]),
    lambda T, t: ([1, "a"], List[int]),
    lambda T, t: ([1, 2], List[str]),
    lambda T, t: ((1, 2), List[int]),
    lambda T, t: ([[1], [2, 3]], List[List[int]]),
    lambda T, t: ([[1], ["x"]], List[List[int]]),
    lambda T, t: ([1, 2], list[int]),
    lambda T, t: ({"a": t(X)}, Dict[str, T]),
    lambda T, t: ({"a": 1}, Dict[str, T]),
    lambda T, t: ({1: t(X)}, Dict[str, T]),
    lambda T, t: ({"a": [t(X)]}, Dict[str, List[T]]),
    lambda T, t: ({"a": 1}, dict[str, int]),
    lambda T, t: ((1, "a"), Tuple[int, str]),
    lambda T, t: ((1, "a", 2), Tuple[int, str]),
    lambda T, t: ((t(X), [1]), Tuple[T, List[int]]),
    lambda T, t: ([1, "a"], Tuple[int, str]),
    lambda T, t: (None, Optional[T]),
    lambda T, t: (t(X), Optional[T]),
    lambda T, t: (3, Optional[T]),
    lambda T, t: ([1], Optional[List[int]]),
    lambda T, t: (["a"], Optional[List[int]]),
    lambda T, t: ([None, 1], List[Optional[int]]),
    lambda T, t: (t(X), int | T),
    lambda T, t: ("s", Union[int, str]),
    lambda T, t: (t(X), T),
    lambda T, t: (np.float64(1.0), T),
    lambda T, t: (3, int),
    lambda T, t: (3, (str, int)),
    lambda T, t: ([3], (str, List[int])),
    lambda T, t: (3, (str, List[int])),
]


@pytest.mark.parametrize("case", range(len(ISINSTANCE_CASES)))
def test_isinstance_matches_torch(case):
    obj, target = ISINSTANCE_CASES[case](tw.Tensor, tw.tensor)
    tobj, ttarget = ISINSTANCE_CASES[case](torch.Tensor, torch.tensor)
    assert jit.isinstance(obj, target) is torch.jit.isinstance(tobj, ttarget)


@pytest.mark.parametrize("target", [List, list, Dict, dict, Tuple, Optional, [int], (int, List)])
def test_isinstance_errors_match_torch(target):
    assert errors(jit.isinstance, [1], target) == errors(torch.jit.isinstance, [1], target)


@pytest.mark.parametrize("obj", [[], {}, ()])
def test_isinstance_empty_container_warns_and_matches_as_torch(obj):
    target = {list: List[int], dict: Dict[str, int], tuple: Tuple[()]}[type(obj)]
    with pytest.warns(UserWarning, match="The inner type of a container is lost"):
        got = jit.isinstance(obj, target)
    with pytest.warns(UserWarning, match="The inner type of a container is lost"):
        want = torch.jit.isinstance(obj, target)
    assert got is want is True


def test_isinstance_unions_follow_the_types():
    # The two documented departures from torch's eager check.
    assert jit.isinstance(None, Union[int, str]) is False
    assert jit.isinstance(3, Union[List[int], int]) is True
    assert jit.isinstance(None, Union[List[int], None]) is True


def test_compiler_flags_and_no_ops():
    assert compiler.is_compiling() is torch.compiler.is_compiling() is False
    assert compiler.is_dynamo_compiling() is torch.compiler.is_dynamo_compiling() is False
    assert compiler.is_exporting() is torch.compiler.is_exporting() is False
    assert compiler.reset() is None and compiler.cudagraph_mark_step_begin() is None
    assert compiler.list_backends() == compiler.list_backends(exclude_tags=()) == ["eager"]
    assert compiler.compile is tw.compile
    m = _Counting()
    assert compiler.compile(m, backend="anything") is m


def test_disable_with_and_without_parentheses():
    @compiler.disable
    def f(x):
        return x * 2

    @compiler.disable()
    def g(x):
        return x * 3

    @compiler.disable(recursive=False, reason="eager only")
    def h(x):
        return x * 4

    x = tw.tensor(X)
    for fn, k in ((f, 2), (g, 3), (h, 4)):
        np.testing.assert_allclose(fn(x).numpy(), k * X, rtol=0)
    assert compiler.disable(_tw_fn) is _tw_fn
    assert errors(compiler.disable, 3) == errors(torch.compiler.disable, 3)


def test_graph_marking_decorators_return_the_function():
    assert compiler.allow_in_graph(_tw_fn) is _tw_fn
    assert compiler.allow_in_graph([_tw_fn, _tw_fn]) == [_tw_fn, _tw_fn]
    assert errors(compiler.allow_in_graph, 3) == errors(torch.compiler.allow_in_graph, 3)
    assert compiler.assume_constant_result(_tw_fn) is _tw_fn
    assert compiler.nested_compile_region(_tw_fn) is _tw_fn
    assert compiler.nested_compile_region(max_reuse_entries=2)(_tw_fn) is _tw_fn


def test_substitute_in_graph_calls_the_original_eagerly():
    def original(a, b):
        return a - b

    @compiler.substitute_in_graph(original)
    def polyfill(a, b):
        return 0

    assert polyfill(5, 2) == 3 and polyfill.__name__ == "polyfill"
    assert errors(compiler.substitute_in_graph, 3) == errors(torch.compiler.substitute_in_graph, 3)


def test_set_stance_forms_nest_and_restore():
    assert compiler._stance.stance == "default"
    with compiler.set_stance("force_eager"):
        assert compiler._stance.stance == "force_eager"
        with compiler.set_stance("eager_on_recompile", skip_guard_eval_unsafe=True):
            assert compiler._stance == compiler.DynamoStance("eager_on_recompile", True, None)
        assert compiler._stance.stance == "force_eager"
    assert compiler._stance.stance == "default"

    @compiler.set_stance("fail_on_recompile")
    def inside():
        return compiler._stance.stance

    assert compiler._stance.stance == "default"
    assert inside() == "fail_on_recompile" and compiler._stance.stance == "default"
    compiler.set_stance("eager_then_compile")
    assert compiler._stance.stance == "eager_then_compile"
    compiler.set_stance()
    assert compiler._stance.stance == "default"


def test_set_stance_errors_match_torch():
    assert errors(compiler.set_stance, "force_eager", force_backend="eager") == errors(
        torch.compiler.set_stance, "force_eager", force_backend="eager")
    # torch reports an unknown stance when a compiled function next runs.
    compiled = torch.compile(lambda v: v + 1, backend="eager")

    def torch_bogus():
        with torch.compiler.set_stance("bogus", skip_guard_eval_unsafe=True):
            compiled(torch.ones(2))

    assert errors(compiler.set_stance, "bogus", skip_guard_eval_unsafe=True) == errors(
        torch_bogus)
    assert compiler._stance.stance == "default"
