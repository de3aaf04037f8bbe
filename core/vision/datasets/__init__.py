"""`tensorweave.vision.datasets`: MNIST, FashionMNIST, CIFAR10 from local files, and
`Digits`, scikit-learn's bundled digits (no files needed).

Each sample is ``(image, label)``: the image a NumPy uint8 array (``H x W``, or
``H x W x 3`` for CIFAR-10) and the label an int; pass ``transform=ToTensor()`` for tensors.
"""

from __future__ import annotations

from ._base import DatasetNotFoundError, VisionDataset
from .cifar import CIFAR10
from .digits import Digits
from .idx import read_idx
from .mnist import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "Digits", "VisionDataset",
           "DatasetNotFoundError", "read_idx"]
