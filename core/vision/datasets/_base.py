"""What the vision datasets share: transforms, the repr, and finding their files.

Files are looked for in ``root/<Dataset>/raw`` (torchvision's layout) and then directly in
``root``; a missing file is reported with every path tried and where to put it, since
tensorweave never downloads.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any, Callable

from ...utils.data import Dataset

__all__ = ["VisionDataset", "FileDataset", "DatasetNotFoundError"]


class DatasetNotFoundError(RuntimeError):
    """A dataset's files are not where it looked.

    Attributes:
        missing: the file names not found.
        folders: the folders searched, in order.
    """

    def __init__(self, message: str, missing: list[str], folders: list[Path]) -> None:
        super().__init__(message)
        self.missing, self.folders = missing, folders


class VisionDataset(Dataset[tuple[Any, Any]]):
    """Base of the image datasets: applies ``transform`` to the image and
    ``target_transform`` to the label of each sample.
    """

    classes: list[str] = []
    train = True
    data: Any  # the images, one per sample (set by each dataset)

    def __init__(self, root: str | os.PathLike[str] | None,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None) -> None:
        self.root = None if root is None else os.path.expanduser(os.fspath(root))
        self.transform, self.target_transform = transform, target_transform

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def _sample(self, img: Any, target: Any) -> tuple[Any, Any]:
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def _split(self) -> str:
        return "Train" if self.train else "Test"

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"    Root location: {self.root}")
        lines.append(f"    Split: {self._split()}")
        for name in ("transform", "target_transform"):
            if getattr(self, name) is not None:
                lines.append(f"    {name}: {getattr(self, name)}")
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.data)


class FileDataset(VisionDataset):
    """A dataset read from files under ``root`` when it is created: ``train`` picks the
    split, and subclasses load it in `_load`.
    """

    def __init__(self, root: str | os.PathLike[str], train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 download: bool = False) -> None:
        super().__init__(root, transform, target_transform)
        self.train = train
        self._load(download)

    def _load(self, download: bool) -> None:
        """Read the split's files; ``download`` only changes the missing-file message."""
        raise NotImplementedError


def find_files(dataset: str, folders: list[Path], names: list[str], suffixes: tuple[str, ...],
               source: str, download: bool) -> list[Path]:
    """The path of each of ``names`` (with one of ``suffixes``) in the first folder holding it.

    Raises:
        DatasetNotFoundError: naming the missing files, the folders tried and the fix.
    """
    found, missing = [], []
    for name in names:
        path = next((f / (name + s) for f in folders for s in suffixes
                     if (f / (name + s)).is_file()), None)
        if path is None:
            missing.append(name)
        else:
            found.append(path)
    if missing:
        forms = " or ".join(repr(s) if s else "plain" for s in suffixes)
        why = ("download=True cannot fetch them: tensorweave does not download datasets. "
               if download else "")
        raise DatasetNotFoundError(
            f"{dataset}: dataset files not found: {', '.join(missing)} ({forms}); looked in "
            f"{', '.join(str(f) for f in folders)}. {why}Get them from {source} and put them "
            f"in {folders[0]} (or directly in {folders[-1]}).", missing, folders)
    return found


def read_bytes(path: Path) -> bytes:
    """A file's contents, decompressed when its name ends in ``.gz``."""
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as f:
            return f.read()
    return path.read_bytes()
