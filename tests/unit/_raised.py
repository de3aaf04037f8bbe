"""What a call raises, for tests that compare tensorweave's errors with PyTorch's."""

from __future__ import annotations

from typing import Any, Callable


def errors(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[type, str]:
    """``(type, message)`` of the exception ``fn(*args, **kwargs)`` raises.

    Raises:
        AssertionError: if it raises nothing.
    """
    try:
        fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e), str(e)
    raise AssertionError(f"{fn} did not raise")
