"""The exceptions `save` and `load` raise, each keeping the culprit values as attributes.

They subclass what PyTorch raises in the same situation (`RuntimeError` for a bad file,
`pickle.UnpicklingError` for a refused global, `TypeError` for an object that cannot be
saved), so ported ``except`` clauses keep working.
"""

from __future__ import annotations

import pickle

__all__ = ["CheckpointError", "CorruptCheckpointError", "UnsafeCheckpointError",
           "UnsupportedObjectError"]


class CheckpointError(RuntimeError):
    """A file that `load` cannot read; ``filename`` names it."""

    def __init__(self, filename: str, message: str) -> None:
        super().__init__(f"load: {filename}: {message}")
        self.filename = filename


class CorruptCheckpointError(CheckpointError):
    """The file is truncated or corrupted: a record is missing, short, or fails its checksum."""

    def __init__(self, filename: str, detail: str) -> None:
        super().__init__(filename, f"the file is truncated or corrupted ({detail}). Restore it "
                                   "from a backup or save it again.")
        self.detail = detail


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """A pickle names a global (a class or function) outside the allow-list, or an opcode that
    could run code; nothing from the file was executed. ``global_name`` is the culprit.
    """

    def __init__(self, filename: str, global_name: str, allowed: str) -> None:
        super().__init__(filename, f"refusing to load: the pickle asks for {global_name!r}, "
                                   "which could run code on load. Only tensors and plain "
                                   f"containers are read ({allowed}); if you trust the file, "
                                   "load it with PyTorch and save its tensors with "
                                   "tensorweave.save or as .safetensors.")
        self.global_name = global_name


class UnsupportedObjectError(TypeError):
    """`save` met an object it cannot store without pickle; ``path`` says where it is."""

    def __init__(self, path: str, obj: object, allowed: str) -> None:
        super().__init__(f"save: can't save an object of type {type(obj).__name__} at {path}; "
                         f"checkpoints hold {allowed}. Convert it first (to a tensor, a number "
                         "or a dict).")
        self.path = path
        self.type = type(obj)
