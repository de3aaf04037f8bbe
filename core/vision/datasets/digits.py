"""scikit-learn's bundled 8 x 8 handwritten digits (`sklearn.datasets.load_digits`): a
real dataset that needs no download, the offline stand-in for MNIST.

The 1797 images are split at random, but the same way on every machine and NumPy version:
`SPLIT_SEED`'s legacy ``RandomState`` permutation (a stream NumPy keeps fixed), its first 80%
(1437) train, the rest (360) test. The samples are stored grouped by writer; a split by
position would test on writers never seen in training, which the usual digits benchmarks
(scikit-learn's ``train_test_split``) do not.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...ops.creation import as_tensor, from_numpy
from ..transforms.functional import resize
from ._base import VisionDataset

__all__ = ["Digits", "SPLIT_SEED"]

SPLIT_SEED = 0


def _load_images() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("Digits needs scikit-learn, which bundles the digits: pip install "
                          "'tensorweave[vision]' (or scikit-learn)") from None
    d = load_digits()
    # Pixel values are 0..16 (counts of set bits in 4 x 4 blocks); scale them to 0..255.
    return np.round(d.images * (255 / 16)).astype(np.uint8), d.target.astype(np.int64)


class Digits(VisionDataset):
    """Handwritten digits 0-9 as grayscale ``H x W`` uint8 images, like `MNIST`'s.

    Args:
        train: the 1437 training samples (else the 360 test samples).
        transform: applied to each image (an ``H x W`` uint8 array), e.g. `ToTensor`.
        target_transform: applied to each label (an int).
        image_size: the side of the images: 8 (as bundled) or larger, upscaled bilinearly
            (28 gives MNIST's size, so a model for MNIST runs unchanged).

    Attributes:
        data: the images, a uint8 tensor ``N x image_size x image_size``.
        targets: the labels, an int64 tensor ``N``.
        classes: the label names.

    Raises:
        ImportError: without scikit-learn (``pip install 'tensorweave[vision]'``).
        ValueError: for an ``image_size`` below 8.
    """

    classes = [str(i) for i in range(10)]
    train_fraction = 0.8

    def __init__(self, train: bool = True, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 image_size: int = 8) -> None:
        super().__init__(None, transform, target_transform)
        if not isinstance(image_size, int) or image_size < 8:
            raise ValueError(f"Digits: image_size must be an int >= 8 (the images are 8 x 8); "
                             f"got {image_size!r}")
        self.train, self.image_size = train, image_size
        images, labels = _load_images()
        n_train = int(len(images) * self.train_fraction)
        order = np.random.RandomState(SPLIT_SEED).permutation(len(images))
        part = order[:n_train] if train else order[n_train:]
        images, labels = images[part], labels[part]
        if image_size != 8:  # resize treats trailing dims as channels: N moves last
            images = resize(images.transpose(1, 2, 0), (image_size, image_size)).transpose(
                2, 0, 1)
        self.data = from_numpy(np.ascontiguousarray(images))
        self.targets = as_tensor(labels)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._sample(self.data.numpy()[index], int(self.targets.numpy()[index]))
