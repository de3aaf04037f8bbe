"""A null backend for tests: device type ``fake``, host memory, and NO kernels.

It exercises everything in core that must not depend on a real backend:
device parsing and resolution, plugin loading and conflicts, the
missing-kernel fallback policy and device-mismatch errors. Native arrays are
`FakeArray` wrappers rather than NumPy arrays, so core code that wrongly
assumes NumPy natives fails here instead of on a GPU backend.

The module itself is a plugin (it implements ``tensorweave_backends``), so it
can be loaded in process with ``load(extra=[("fake", fake_backend)])`` or
through an entry point ``fake = fake_backend`` (`install_fake`) in a subprocess.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tensorweave import Backend, hookimpl

NAME = "fake"
COUNT = 2


class FakeArray:
    """A device-side array: a private NumPy copy behind the attributes core may read."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def strides(self) -> tuple[int, ...]:
        return self.array.strides


class FakeBackend(Backend):
    """Two devices, transfers only: every op on it runs through the fallback policy."""

    name = NAME

    def device_count(self) -> int:
        return COUNT

    def device_name(self, index: int) -> str:
        return f"Fake Device {index}"

    def from_numpy(self, array: np.ndarray, index: int | None) -> FakeArray:
        return FakeArray(np.array(array, copy=True))

    def to_numpy(self, native: FakeArray) -> np.ndarray:
        return np.array(native.array, copy=True)


class MissingBackend(Backend):
    """A backend whose package is "not installed": registered but unavailable."""

    name = "missing"
    install_hint = "pip install tensorweave[missing]"

    def availability(self) -> tuple[bool, str]:
        return False, f"the missingdriver package is not installed; run `{self.install_hint}`"

    def device_count(self) -> int:
        return 0


@hookimpl
def tensorweave_backends() -> list[type[Backend]]:
    return [FakeBackend, MissingBackend]


def write_distribution(root: Path, name: str, version: str, entry_points: dict[str, str],
                       modules: dict[str, str] | None = None) -> None:
    """Install a minimal distribution into the folder ``root`` (to put on ``sys.path``).

    ``importlib.metadata`` finds it like any installed package, so the plugin manager
    loads its ``tensorweave`` entry points exactly as it would a third-party plugin's.

    Args:
        root: the folder standing in for site-packages.
        name, version: the distribution's metadata.
        entry_points: ``{plugin name: "module"}`` in the group ``tensorweave``.
        modules: ``{module name: source}`` written next to the metadata.
    """
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    eps = "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[tensorweave]\n{eps}")
    for mod, src in (modules or {}).items():
        (root / f"{mod}.py").write_text(src)


def subprocess_env(root: Path | None = None, **extra: str) -> dict[str, str]:
    """Environment for a child Python that also sees this module and, if given, ``root``.

    With ``root`` holding `install_fake`'s distribution, the child loads the fake backend
    through its entry point, as a user's third-party backend would be loaded.
    """
    paths = [str(root)] if root is not None else []
    paths.append(str(Path(__file__).resolve().parent))
    env = {k: v for k, v in os.environ.items()
           if k not in ("TENSORWEAVE_DEVICE", "TENSORWEAVE_DISABLE_PLUGINS")}
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def other_backends() -> list[str]:
    """The backend types that the environment's other plugins register (opencl, an installed
    third-party backend such as examples/minimal-backend...): tests that assert exactly which
    backends a load yields leave these out, so that they hold wherever they run."""
    from tensorweave.plugin.manager import get_registry

    return [b for b in get_registry().backends if b not in ("cpu", NAME, "missing")]


def drop_backend_blocks(lines: list[str], types: list[str]) -> list[str]:
    """``tensorweave devices`` output without the blocks (header and indented lines) of the
    backend ``types``."""
    out, skipping = [], False
    for line in lines:
        if not line.startswith(" "):
            skipping = line.split(":")[0] in types
        if not skipping:
            out.append(line)
    return out


FAKE_DIST = ("tensorweave-fake", "0.0.1")


def install_fake(root: Path) -> Path:
    """Write a distribution whose entry point ``fake`` is this module; returns ``root``."""
    write_distribution(root, *FAKE_DIST, {NAME: __name__})
    return root
