"""`tensorweave.vision`: image datasets and transforms, as torchvision's.

Datasets read the standard files from a local folder (MNIST and Fashion-MNIST IDX files,
CIFAR-10's binary batches) or come bundled with scikit-learn (`datasets.Digits`, the
offline default); their images are NumPy uint8 arrays, which `transforms.ToTensor` turns
into tensors.
"""

from __future__ import annotations

from . import datasets, transforms

__all__ = ["datasets", "transforms"]
