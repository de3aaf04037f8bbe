"""The shipped conformance suite (`tensorweave.conformance.tests`) on every available
device: the same test bodies a third-party backend runs with ``tensorweave conformance
--pytest``; ``device`` comes from tests/conftest.py."""

from tensorweave.conformance.tests.test_modules import *  # noqa: F403
from tensorweave.conformance.tests.test_ops import *  # noqa: F403
from tensorweave.conformance.tests.test_semantics import *  # noqa: F403
