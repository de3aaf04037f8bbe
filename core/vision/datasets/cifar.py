"""CIFAR-10 from its binary version (``cifar-10-binary.tar.gz``, extracted).

Each record of ``data_batch_1.bin`` ... ``data_batch_5.bin`` and ``test_batch.bin`` is one
label byte then 3072 pixel bytes: the 1024 red values of the 32 x 32 image row by row, then
green, then blue. Nothing is unpickled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ._base import FileDataset, find_files, read_bytes

__all__ = ["CIFAR10"]

_RECORD = 1 + 3 * 32 * 32


class CIFAR10(FileDataset):
    """CIFAR-10: 32 x 32 colour images in 10 classes.

    Args:
        root: the folder holding ``cifar-10-batches-bin/`` (or the ``.bin`` files).
        train: the 50000 images of the five training batches (else the 10000 test images).
        transform: applied to each image (an ``H x W x 3`` uint8 array), e.g. `ToTensor`.
        target_transform: applied to each label (an int).
        download: accepted for torchvision compatibility; missing files raise an error
            saying where to put them.

    Attributes:
        data: the images, a uint8 array ``N x 32 x 32 x 3`` (as torchvision's).
        targets: the labels, a list of ints.
        classes: the label names.

    Raises:
        DatasetNotFoundError: when a batch file is missing.
        ValueError: for a file that is not whole records, or a label outside 0-9.
    """

    source = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    base_folder = "cifar-10-batches-bin"
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck"]

    def _load(self, download: bool) -> None:
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] if self.train else ["test_batch.bin"]
        base = Path(self.root or ".")
        paths = find_files("CIFAR10", [base / self.base_folder, base], names, ("",),
                           self.source, download)
        rec = np.concatenate([_read_batch(p) for p in paths])
        self.data = np.ascontiguousarray(rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        self.targets = rec[:, 0].astype(np.int64).tolist()

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._sample(self.data[index], self.targets[index])


def _read_batch(path: Path) -> np.ndarray:
    raw = read_bytes(path)
    if len(raw) % _RECORD:
        raise ValueError(f"{path}: not a CIFAR-10 binary batch: {len(raw)} bytes is not a "
                         f"whole number of {_RECORD}-byte records (1 label + 3072 pixels)")
    rec = np.frombuffer(raw, np.uint8).reshape(-1, _RECORD)
    if rec.size and rec[:, 0].max() > 9:
        bad = int(np.argmax(rec[:, 0] > 9))
        raise ValueError(f"{path}: record {bad} has label {rec[bad, 0]}; CIFAR-10 labels are "
                         "0-9 (is this the CIFAR-100 binary version?)")
    return rec
