"""The examples in tensorweave.vision's docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["transforms.functional", "transforms.transforms"])
def test_docstring_examples(name):
    """doctest finds the examples of each module and all of them pass."""
    result = doctest.testmod(importlib.import_module(f"tensorweave.vision.{name}"))
    assert result.attempted > 0 and result.failed == 0
