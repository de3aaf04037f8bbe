"""`tensorweave.vision.transforms`: image transforms, as `torchvision.transforms`.

Images are NumPy arrays (``H x W[ x C]``, what the datasets return) or tensors
``(..., H, W)``; `functional` holds the functions behind the classes.
"""

from __future__ import annotations

from . import functional
from .functional import InterpolationMode
from .transforms import (
    Compose,
    Lambda,
    Normalize,
    RandomCrop,
    RandomHorizontalFlip,
    Resize,
    ToTensor,
)

__all__ = ["Compose", "ToTensor", "Normalize", "Resize", "RandomCrop", "RandomHorizontalFlip",
           "Lambda", "InterpolationMode", "functional"]
