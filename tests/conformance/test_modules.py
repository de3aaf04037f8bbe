"""Every registered layer, loss, optimizer and lr scheduler, a third party's included,
checked from its ``conformance_samples`` on every available device: gradients against
central differences, other devices against cpu, and PyTorch (when installed) given the
same parameters and inputs. The checks live in `tensorweave.conformance.modules`.
"""

from __future__ import annotations

import pytest

from tensorweave.conformance import modules


def _params(kind: str) -> list:
    return [pytest.param(case, id=case.id) for case in modules.cases(kind)]


def _verdict(results: list) -> None:
    """Fail on any failed check; skip when every check was skipped (with their reasons)."""
    failed = [r for r in results if not r.passed]
    assert not failed, "\n".join(f"{r.op} [{r.check}] {r.detail}" for r in failed)
    if results and all(r.skipped for r in results):
        pytest.skip("; ".join(sorted({f"{r.op}: {r.detail}" for r in results})))


@pytest.mark.parametrize("case", _params("layers"))
def test_layer(case: modules.Case, device: str) -> None:
    _verdict(modules.check(case, device))


@pytest.mark.parametrize("case", _params("losses"))
def test_loss(case: modules.Case, device: str) -> None:
    _verdict(modules.check(case, device))


@pytest.mark.parametrize("case", _params("optimizers"))
def test_optimizer(case: modules.Case, device: str) -> None:
    _verdict(modules.check(case, device))


@pytest.mark.parametrize("case", _params("lr_schedulers"))
def test_lr_scheduler(case: modules.Case) -> None:
    """Schedulers only compute learning rates (Python floats): no device to vary."""
    _verdict(modules.check(case))
