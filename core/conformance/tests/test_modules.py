"""Every registered layer, loss, optimizer and lr scheduler, a third party's included,
checked from its ``conformance_samples`` on the devices under test: gradients against
central differences, other devices against cpu, and PyTorch (when installed) given the
same parameters and inputs. The checks live in `tensorweave.conformance.modules`.
"""

from __future__ import annotations

import pytest

from tensorweave import dtypes as D
from tensorweave.conformance import modules, suite


def _params(kind: str) -> list:
    return [pytest.param(case, id=case.id) for case in modules.cases(kind)]


@pytest.mark.parametrize("case", _params("layers"))
def test_layer(case: modules.Case, device: str) -> None:
    suite.pytest_verdict(device, D.float64, case.id, lambda: modules.check(case, device))


@pytest.mark.parametrize("case", _params("losses"))
def test_loss(case: modules.Case, device: str) -> None:
    suite.pytest_verdict(device, D.float64, case.id, lambda: modules.check(case, device))


@pytest.mark.parametrize("case", _params("optimizers"))
def test_optimizer(case: modules.Case, device: str) -> None:
    suite.pytest_verdict(device, D.float64, case.id, lambda: modules.check(case, device))


@pytest.mark.parametrize("case", _params("lr_schedulers"))
def test_lr_scheduler(case: modules.Case) -> None:
    """Schedulers only compute learning rates (Python floats): no device to vary."""
    suite.pytest_verdict("cpu", None, case.id, lambda: modules.check(case))
