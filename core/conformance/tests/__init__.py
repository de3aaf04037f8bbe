"""The conformance suite's pytest modules, shipped so any backend's CI can run them.

They need the ``device`` fixture: a backend package gets it from
`tensorweave.conformance.pytest_plugin` (``--tw-device``), tensorweave's own run from
``tests/conftest.py``. ``tensorweave conformance --pytest --device X`` wires both up.
"""
