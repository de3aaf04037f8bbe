"""The plugin manager: loading, conflicts, blocking, plugin ops, and the fallback policy.

Every test may replace the active registry; the autouse fixture reloads the installed
plugins afterwards so the rest of the suite sees the real one.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import warnings
from typing import Any, Callable

import fake_backend
import numpy as np
import pytest
from fake_backend import FAKE_DIST, FakeBackend, install_fake, other_backends, write_distribution

import tensorweave as tw
from tensorweave.ops import COMPOSITE, defop
from tensorweave.plugin import manager
from tensorweave.plugin.manager import DISABLE_ENV, PluginError, load

VERSION = importlib.metadata.version("tensorweave")
CORE = f"'core' (distribution tensorweave {VERSION})"


@pytest.fixture(autouse=True)
def real_registry_afterwards() -> Any:
    # Not using monkeypatch here: its undo (sys.path, patched functions) must run first.
    disabled = os.environ.pop(DISABLE_ENV, None)
    modules = set(sys.modules)
    yield
    for name in set(sys.modules) - modules:  # the modules of temporary distributions
        del sys.modules[name]
    if disabled is not None:
        os.environ[DISABLE_ENV] = disabled
    tw.set_fallback_policy("error")
    load()


def plugin(**hooks: Any) -> Any:
    """A plugin object whose ``tensorweave_<kind>`` hooks return the given values."""

    class Plugin:
        pass

    def impl(result: Any) -> Callable[[], Any]:
        return lambda: result

    for kind, result in hooks.items():
        setattr(Plugin, f"tensorweave_{kind}", staticmethod(tw.hookimpl(impl(result))))
    return Plugin


def names(reg: manager.Registry) -> list[str]:
    return [p.name for p in reg.plugins]


# -- loading -----------------------------------------------------------------------------------


def test_default_load_has_core_and_cpu_from_the_tensorweave_distribution() -> None:
    reg = load()
    info = {p.name: p for p in reg.plugins}
    assert names(reg)[:2] == ["core", "cpu"]
    assert (info["cpu"].distribution, info["cpu"].version) == ("tensorweave", VERSION)
    assert info["cpu"].registered["backends"] == ["cpu"]
    assert "cpu:add" in info["cpu"].registered["kernels"]
    assert "add" in info["core"].registered["ops"]
    assert tw.get_registry() is reg


def test_extra_plugin_registers_a_backend_without_a_distribution() -> None:
    reg = load(extra=[("fake", fake_backend)])
    info = {p.name: p for p in reg.plugins}["fake"]
    assert (info.distribution, info.version) == (manager.NO_DIST, "")
    assert info.registered == {"backends": ["fake", "missing"]}
    assert isinstance(reg.backends["fake"], FakeBackend)
    # A null backend: no kernel of any op is attached for it.
    assert not [op.name for op in reg.ops.values() if "fake" in op.kernels]


def test_without_entry_points_only_core_and_extras_load() -> None:
    reg = load(extra=[("fake", fake_backend)], entry_points=False)
    assert names(reg) == ["core", "fake"]
    with pytest.raises(tw.DeviceError, match=r"unknown device type 'cpu'\. Registered device "
                                             r"types: fake \(available\), missing \(unavail"):
        tw.zeros(2)


def test_third_party_entry_point_is_loaded_with_its_distribution(tmp_path: Any,
                                                                  monkeypatch: Any) -> None:
    monkeypatch.syspath_prepend(str(install_fake(tmp_path)))
    reg = load()
    info = {p.name: p for p in reg.plugins}["fake"]
    assert (info.distribution, info.version) == FAKE_DIST
    assert sorted(set(reg.backends) - set(other_backends())) == ["cpu", "fake", "missing"]


def test_a_failed_load_leaves_the_previous_registry_working() -> None:
    before = tw.get_registry()
    bad = plugin(kernels=[("cpu", "add", lambda a, b: a - b)])  # conflicts with cpu's add
    with pytest.raises(PluginError):
        load(extra=[("bad", bad)])
    assert tw.get_registry() is before
    assert (tw.tensor([1.0, 2.0]) + tw.tensor([3.0, 4.0])).tolist() == [4.0, 6.0]


# -- conflicts and invalid registrations -------------------------------------------------------


def test_two_plugins_registering_one_backend_name_name_both() -> None:
    class Other(FakeBackend):
        pass

    with pytest.raises(PluginError) as e:
        load(extra=[("fake", fake_backend), ("other", plugin(backends=[Other]))])
    msg = str(e.value)
    assert msg.startswith("backend name conflict: 'fake' is registered by plugin 'fake' "
                          "(no distribution: registered in code) and by plugin 'other' (no "
                          "distribution: registered in code).")
    assert f"{DISABLE_ENV}=<plugin name>" in msg


def test_backend_conflict_between_distributions_names_both_distributions(
        tmp_path: Any, monkeypatch: Any) -> None:
    src = "from fake_backend import tensorweave_backends  # noqa: F401\n"
    write_distribution(tmp_path, "tw-fake-a", "1.0", {"fake_a": "tw_fake_a"}, {"tw_fake_a": src})
    write_distribution(tmp_path, "tw-fake-b", "2.5", {"fake_b": "tw_fake_b"}, {"tw_fake_b": src})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="backend name conflict: 'fake'") as e:
        load()
    assert "'fake_a' (distribution tw-fake-a 1.0)" in str(e.value)
    assert "'fake_b' (distribution tw-fake-b 2.5)" in str(e.value)


def test_one_entry_point_name_in_two_distributions_is_a_conflict(tmp_path: Any,
                                                                 monkeypatch: Any) -> None:
    write_distribution(tmp_path, "tw-dup-a", "1.0", {"dup": "tw_dup"}, {"tw_dup": ""})
    write_distribution(tmp_path, "tw-dup-b", "1.0", {"dup": "tw_dup"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="plugin name conflict: two plugins are named 'dup'") \
            as e:
        load()
    assert "distribution tw-dup-a 1.0" in str(e.value)
    assert "distribution tw-dup-b 1.0" in str(e.value)


def test_redefining_a_core_op_names_core_and_the_plugin() -> None:
    @defop(COMPOSITE, decomp=lambda x, y: x)
    def add(x: Any, y: Any) -> Any:
        return add.bind(x, y)

    with pytest.raises(PluginError) as e:
        load(extra=[("myops", plugin(ops=[add]))])
    assert str(e.value).startswith(f"op name conflict: 'add' is registered by plugin {CORE} "
                                   "and by plugin 'myops' (no distribution")


@pytest.mark.parametrize("kind", ["layers", "losses", "optimizers", "lr_schedulers"])
def test_two_plugins_registering_one_module_name_name_both(kind: str) -> None:
    singular = {"layers": "layer", "losses": "loss", "optimizers": "optimizer",
                "lr_schedulers": "lr scheduler"}[kind]
    table = {"TwTestThing": type("TwTestThing", (), {})}
    with pytest.raises(PluginError, match=f"^{singular} name conflict: 'TwTestThing' is "
                                          "registered by plugin 'first' .* by plugin 'second'"):
        load(extra=[("first", plugin(**{kind: table})), ("second", plugin(**{kind: table}))])


def test_plugin_layers_reach_the_registry() -> None:
    cls = type("TwTestLayer", (), {})
    reg = load(extra=[("mylayers", plugin(layers={"TwTestLayer": cls}))])
    assert reg.layers["TwTestLayer"] is cls
    assert {p.name: p for p in reg.plugins}["mylayers"].registered == {"layers": ["TwTestLayer"]}


def test_backend_kernel_for_an_undefined_op_names_plugin_backend_and_op() -> None:
    class Typo(FakeBackend):
        name = "typo"

        def kernels(self) -> dict[str, Any]:
            return {"ad": np.add}

    with pytest.raises(PluginError, match=r"^plugin 'typo_plugin' \(no distribution: registered "
                                          r"in code\) registers a 'typo' kernel for op 'ad', but "
                                          r"no plugin defines that op\."):
        load(extra=[("typo_plugin", plugin(backends=[Typo]))])


def test_extra_kernel_for_an_undefined_op_is_an_error() -> None:
    with pytest.raises(PluginError, match="'fast' .* registers a 'cpu' kernel for op 'nosuch'"):
        load(extra=[("fast", plugin(kernels=[("cpu", "nosuch", np.add)]))])


def test_extra_kernel_conflict_names_both_plugins_and_override_replaces() -> None:
    with pytest.raises(PluginError) as e:
        load(extra=[("fast", plugin(kernels=[("cpu", "add", np.subtract)]))])
    assert str(e.value).startswith(
        f"kernel conflict: plugin 'cpu' (distribution tensorweave {VERSION}) and plugin 'fast' "
        "(no distribution: registered in code) both register a 'cpu' kernel for op 'add'.")

    load(extra=[("fast", plugin(kernels=[("cpu", "add", np.subtract, "override")]))])
    assert (tw.tensor([5.0]) + tw.tensor([3.0])).tolist() == [2.0]
    load()
    assert (tw.tensor([5.0]) + tw.tensor([3.0])).tolist() == [8.0]


def test_backends_hook_must_return_backend_classes() -> None:
    with pytest.raises(PluginError, match="'junk' .* tensorweave_backends must return "
                                          "subclasses of tensorweave.Backend"):
        load(extra=[("junk", plugin(backends=["cpu"]))])


def test_ops_hook_must_return_op_definitions() -> None:
    with pytest.raises(PluginError, match="'junk' .* tensorweave_ops must return op definitions"):
        load(extra=[("junk", plugin(ops=[len]))])


def test_unknown_hook_names_the_plugin() -> None:
    class Typo:
        @staticmethod
        @tw.hookimpl
        def tensorweave_backend() -> list[Any]:
            return []

    with pytest.raises(PluginError, match=r"^plugin 'typo': .*tensorweave_backend.* listed in "
                                          r"tensorweave\.plugin\.hookspecs"):
        load(extra=[("typo", Typo)])


def test_a_hook_that_raises_names_the_plugin() -> None:
    class Broken:
        @staticmethod
        @tw.hookimpl
        def tensorweave_layers() -> dict[str, type]:
            raise KeyError("oops")

    with pytest.raises(PluginError, match=r"^plugin 'broken' .*: its tensorweave_layers hook "
                                          r"raised KeyError\('oops'\)"):
        load(extra=[("broken", Broken)])


def test_a_plugin_that_fails_to_import_names_itself_and_the_way_out(tmp_path: Any,
                                                                    monkeypatch: Any) -> None:
    write_distribution(tmp_path, "tw-broken", "0.3", {"broken": "tw_broken"},
                       {"tw_broken": "import no_such_module_anywhere\n"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as e:
        load()
    msg = str(e.value)
    assert msg.startswith("plugin 'broken' (distribution tw-broken 0.3) failed to import: "
                          "ModuleNotFoundError(")
    assert msg.endswith(f"or run without it: {DISABLE_ENV}=broken")
    # ...and the way out works.
    assert "broken" not in names(load(blocked=["broken"]))


# -- blocking ----------------------------------------------------------------------------------


def test_blocked_plugin_is_not_loaded_and_errors_say_so() -> None:
    # The other backends' plugins are blocked too, so that no device type is left.
    others = [p.name for p in tw.get_registry().plugins
              if set(p.registered.get("backends", [])) & set(other_backends())]
    reg = load(blocked=["cpu", *others])
    assert names(reg)[0] == "core" and "cpu" not in names(reg)
    assert reg.blocked == ["cpu", *others]
    assert "cpu" not in tw.add.kernels
    with pytest.raises(tw.DeviceError, match=r"Registered device types: none \(plugins disabled "
                                             rf"by {DISABLE_ENV}: {', '.join(['cpu', *others])}\)"):
        tw.zeros(2)


def test_disable_env_var_blocks_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, " fake , nothing_by_this_name")
    reg = load(extra=[("fake", fake_backend)])
    assert names(reg)[:2] == ["core", "cpu"] and "fake" not in names(reg)
    assert reg.blocked == ["fake", "nothing_by_this_name"]


# -- plugin ops --------------------------------------------------------------------------------


def _twice_decomp(x: Any) -> Any:
    return x + x


@defop(COMPOSITE, decomp=_twice_decomp, dtypes=(tw.float32,))
def tw_test_twice(x: Any) -> Any:
    """2 * x, defined by a test plugin."""
    return tw_test_twice.bind(x)


def test_plugin_op_becomes_a_function_and_a_method_until_unloaded() -> None:
    load(extra=[("myops", plugin(ops=[tw_test_twice]))])
    x = tw.tensor([1.0, -2.0], requires_grad=True)
    assert tw.tw_test_twice(x).tolist() == [2.0, -4.0]
    x.tw_test_twice().sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    load()
    assert not hasattr(tw.Tensor, "tw_test_twice")
    with pytest.raises(AttributeError, match="has no attribute 'tw_test_twice'"):
        tw.tw_test_twice  # noqa: B018 - the attribute access is the test


# -- missing kernels and the fallback policy ---------------------------------------------------


@pytest.fixture
def fake() -> Any:
    load(extra=[("fake", fake_backend)])
    return tw.tensor([1.0, -2.0, 3.0], device="fake:1")


def _count(op: str) -> int:
    return tw.fallback_counts().get(("fake", op), 0)


def test_missing_primitive_kernel_is_an_error_by_default(fake: tw.Tensor) -> None:
    assert tw.get_fallback_policy() == "error"
    with pytest.raises(tw.KernelError, match=r"^add: the 'fake' backend has no kernel for this "
                                             r"primitive op\..*set_fallback_policy\('cpu'\)"):
        fake + fake


def test_cpu_fallback_runs_on_cpu_returns_to_the_device_and_counts(fake: tw.Tensor) -> None:
    tw.set_fallback_policy("cpu")
    before = _count("mul")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "cpu" is the quiet policy
        out = fake * fake
    assert out.device == "fake:1"
    assert out.tolist() == [1.0, 4.0, 9.0]
    assert _count("mul") == before + 1
    assert tw.fallback_counts()[("fake", "mul")] == before + 1


def test_warn_fallback_warns_and_counts(fake: tw.Tensor) -> None:
    tw.set_fallback_policy("warn")
    before = _count("neg")
    with pytest.warns(UserWarning, match="neg: no 'fake' kernel; running on cpu"):
        out = -fake
    assert out.tolist() == [-1.0, 2.0, -3.0]
    assert _count("neg") == before + 1


def test_autograd_through_cpu_fallback(fake: tw.Tensor) -> None:
    tw.set_fallback_policy("cpu")
    x = tw.tensor([2.0, -1.0], device="fake", requires_grad=True)
    (x ** 2).sum().backward()
    assert x.grad.device == "fake:0"
    assert x.grad.tolist() == [4.0, -2.0]


def test_zero_dim_tensor_keeps_its_shape_through_cpu_fallback(fake: tw.Tensor) -> None:
    tw.set_fallback_policy("cpu")
    x = tw.tensor(2.0, device="fake", requires_grad=True)
    y = x ** 2
    y.backward()
    assert (y.shape, x.grad.shape, x.grad.item()) == ((), (), 4.0)


def test_transfers_need_no_kernels(fake: tw.Tensor) -> None:
    assert fake.cpu().tolist() == [1.0, -2.0, 3.0]
    assert fake.to("fake:0").device == "fake:0"
    assert tw.fallback_counts().get(("fake", "to_device"), 0) == 0


def test_set_fallback_policy_rejects_unknown_policies() -> None:
    with pytest.raises(ValueError, match=r"expected one of \('error', 'warn', 'cpu'\); got "
                                         "'gpu'"):
        tw.set_fallback_policy("gpu")
    assert tw.get_fallback_policy() == "error"


# -- installation check ------------------------------------------------------------------------


def test_not_installed_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> Any:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(PluginError, match=r"^tensorweave is not installed, so its plugins .* "
                                          r"run `pip install -e \.` in the repository"):
        manager._require_installed()
    with pytest.raises(PluginError, match="tensorweave is not installed"):
        load()
