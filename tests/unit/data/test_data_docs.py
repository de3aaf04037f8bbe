"""The examples in tensorweave.utils.data's docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["dataset", "sampler", "collate", "dataloader"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    """doctest finds the examples of each module and all of them pass."""
    result = doctest.testmod(importlib.import_module(f"tensorweave.utils.data.{name}"))
    assert result.attempted > 0 and result.failed == 0
