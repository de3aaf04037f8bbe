"""MNIST and Fashion-MNIST from their IDX files, as torchvision's datasets.

Both use the same four file names; each looks in ``root/<ClassName>/raw`` and then in
``root``, for the plain or the ``.gz`` file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ...ops.creation import as_tensor, from_numpy
from ._base import FileDataset, find_files
from .idx import read_idx

__all__ = ["MNIST", "FashionMNIST"]


class MNIST(FileDataset):
    """The MNIST handwritten digits: 28 x 28 grayscale images, labels 0-9.

    Args:
        root: the folder holding ``MNIST/raw/`` (or the files themselves).
        train: the 60000 training images (else the 10000 test images).
        transform: applied to each image (an ``H x W`` uint8 array), e.g. `ToTensor`.
        target_transform: applied to each label (an int).
        download: accepted for torchvision compatibility: files already present are used,
            missing ones raise an error saying where to put them.

    Attributes:
        data: the images, a uint8 tensor ``N x 28 x 28``.
        targets: the labels, an int64 tensor ``N``.
        classes: the label names.

    Raises:
        DatasetNotFoundError: when a file is missing (the message lists what and where).
        ValueError: when a file is not a valid IDX file, or images and labels disagree.
    """

    source = "https://ossci-datasets.s3.amazonaws.com/mnist/"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def _load(self, download: bool) -> None:
        prefix = "train" if self.train else "t10k"
        names = [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"]
        folders = [Path(self.raw_folder), Path(self.root or ".")]
        images_path, labels_path = find_files(type(self).__name__, folders, names, ("", ".gz"),
                                              self.source, download)
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise ValueError(f"{images_path}: expected uint8 images of shape N x H x W; got "
                             f"{images.dtype} of shape {images.shape}")
        if labels.shape != images.shape[:1]:
            raise ValueError(f"{labels_path}: expected {len(images)} labels (one per image of "
                             f"{images_path.name}); got shape {labels.shape}")
        self.data = from_numpy(images)
        self.targets = as_tensor(labels.astype(np.int64))

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root or ".", type(self).__name__, "raw")

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._sample(self.data.numpy()[index], int(self.targets.numpy()[index]))


class FashionMNIST(MNIST):
    """Fashion-MNIST: Zalando's 28 x 28 grayscale clothing images, labels 0-9, in MNIST's
    format and file names (under ``root/FashionMNIST/raw``). See `MNIST` for the arguments.
    """

    source = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
