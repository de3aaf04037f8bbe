"""Cross-check mode: every kernel also runs on the reference device, and the first op
that diverges raises, naming the op, the inputs, the error and the user's line."""

from __future__ import annotations

import runpy
import textwrap

import numpy as np
import pytest
import twin_backend
from twin_backend import break_kernel, scaled

import tensorweave as tw
from tensorweave.conformance import crosscheck
from tensorweave.plugin.manager import get_registry, load

SCRIPT = '''\
import tensorweave as tw
import tensorweave.nn as nn

tw.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)).to("twin")
opt = tw.optim.Adam(model.parameters(), lr=0.01)
x, y = tw.randn(16, 4).to("twin"), tw.randn(16, 2).to("twin")
losses = []
for step in range(5):
    out = model(x)
    loss = ((out.exp() - y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
'''
EXP_LINE = 11
BACKWARD_LINE = 13


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return path


def test_a_correct_backend_trains_identically_under_cross_check(twin, script):
    with tw.cross_check("cpu"):
        checked = runpy.run_path(str(script))["losses"]
    plain = runpy.run_path(str(script))["losses"]
    assert checked == plain and checked[-1] < checked[0]


def test_a_broken_kernel_is_caught_in_a_training_script_at_the_users_line(twin, script,
                                                                          monkeypatch):
    break_kernel(monkeypatch, "exp", scaled(1.01))
    with pytest.raises(tw.CrossCheckError) as e, tw.cross_check("cpu"):
        runpy.run_path(str(script))
    msg = str(e.value)
    assert msg.startswith("cross-check: exp on twin diverged from cpu: max abs error")
    assert "max rel error 0.01" in msg
    assert "Tensor(shape=[16, 2], dtype=float32)" in msg
    assert f"{script}:{EXP_LINE}: loss = ((out.exp() - y) ** 2).mean()" in msg


def test_a_kernel_broken_only_in_backward_is_named_at_the_backward_call(twin, script,
                                                                        monkeypatch):
    # tanh's derivative is the only user of this composite kernel in the script.
    def breaks_8_wide(good):
        def mul(a, b, **kw):
            out = good(a, b, **kw)
            return out * 1.01 if np.ndim(a) == 2 and np.shape(a)[1] == 8 else out
        return mul
    break_kernel(monkeypatch, "mul", breaks_8_wide)
    with pytest.raises(tw.CrossCheckError) as e, tw.cross_check("cpu"):
        runpy.run_path(str(script))
    msg = str(e.value)
    assert "mul on twin diverged from cpu during backward" in msg
    assert f"{script}:{BACKWARD_LINE}: loss.backward()" in msg


def test_tolerance_can_be_widened(twin, script, monkeypatch):
    break_kernel(monkeypatch, "exp", scaled(1 + 1e-3))
    with tw.cross_check("cpu", rtol=1e-2):
        runpy.run_path(str(script))
    with pytest.raises(tw.CrossCheckError), tw.cross_check("cpu", rtol=1e-4):
        runpy.run_path(str(script))


def test_integer_results_must_match_exactly(twin, monkeypatch):
    break_kernel(monkeypatch, "argmax", lambda good: lambda *a, **kw: good(*a, **kw) + 1)
    x = tw.tensor([[1.0, 3.0, 2.0]]).to("twin")
    with pytest.raises(tw.CrossCheckError, match=r"argmax on twin .*got 2, expected 1"), \
            tw.cross_check("cpu"):
        x.argmax(dim=1)


def test_leaving_the_block_restores_the_kernels(twin):
    before = {n: dict(op.kernels) for n, op in get_registry().ops.items()}
    with tw.cross_check("cpu"):
        wrapped = get_registry().ops["exp"].kernels["twin"]
        assert wrapped.__wrapped__ is before["exp"]["twin"]
        assert get_registry().ops["exp"].kernels["cpu"] is before["exp"]["cpu"]
        assert get_registry().ops["rand"].kernels["twin"] is before["rand"]["twin"]  # random
    assert {n: dict(op.kernels) for n, op in get_registry().ops.items()} == before


def test_the_environment_variable_turns_it_on_for_the_whole_run(twin, monkeypatch):
    monkeypatch.setenv(crosscheck.ENV, "cpu")
    try:
        reg = load(extra=[("twin", twin_backend)])
        assert hasattr(reg.ops["exp"].kernels["twin"], "__wrapped__")
        assert not hasattr(reg.ops["exp"].kernels["cpu"], "__wrapped__")
    finally:
        monkeypatch.delenv(crosscheck.ENV)
        crosscheck.disable()
        load(extra=[("twin", twin_backend)])  # the module's registry, unwrapped


def test_a_bad_reference_device_is_a_clear_error():
    with pytest.raises(tw.DeviceError, match="nosuch"), tw.cross_check("nosuch"):
        pass


def test_message_names_the_script_line_for_an_inline_program(twin, monkeypatch, tmp_path):
    break_kernel(monkeypatch, "sum", scaled(1.01))
    src = tmp_path / "one.py"
    src.write_text(textwrap.dedent('''\
        import tensorweave as tw
        t = tw.ones(3, 4).to("twin")
        total = t.sum()
    '''))
    with pytest.raises(tw.CrossCheckError, match=rf"{src}:3: total = t.sum\(\)"), \
            tw.cross_check():
        runpy.run_path(str(src))
