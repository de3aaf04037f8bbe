"""The examples in tensorweave.serialization's docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

import tensorweave as tw


@pytest.mark.parametrize("name", ["tensorweave.serialization",
                                  "tensorweave.serialization.safetensors"])
def test_docstring_examples(name, tmp_path, monkeypatch):
    """doctest finds the examples of each module and all of them pass."""
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(importlib.import_module(name), extraglobs={"tw": tw})
    assert result.attempted > 0 and result.failed == 0
