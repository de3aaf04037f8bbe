"""Vision datasets read real files built here: IDX (plain and .gz) for MNIST/FashionMNIST,
CIFAR-10 binary batches; Digits from scikit-learn's bundled data.
"""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.utils.data import DataLoader
from tensorweave.vision import datasets, transforms


def _idx_bytes(arr: np.ndarray) -> bytes:
    code = {np.uint8: 0x08, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D}[arr.dtype.type]
    head = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _write(path, data: bytes, gz: bool):
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path.with_name(path.name + ".gz"), "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def _mnist_files(folder, prefix, n, gz, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    _write(folder / f"{prefix}-images-idx3-ubyte", _idx_bytes(images), gz)
    _write(folder / f"{prefix}-labels-idx1-ubyte", _idx_bytes(labels), gz)
    return images, labels


def test_read_idx_types_and_byte_order(tmp_path):
    """IDX values come back in native order for every type code, plain and gzipped."""
    for gz in (False, True):
        for arr in (np.arange(6, dtype=np.int16).reshape(2, 3) - 3,
                    np.array([1.5, -2.25], np.float32), np.array([70000, -5], np.int32)):
            _write(tmp_path / "f", _idx_bytes(arr), gz)
            got = datasets.read_idx(tmp_path / ("f.gz" if gz else "f"))
            np.testing.assert_array_equal(got, arr)
            assert got.dtype.isnative


def test_read_idx_rejects_bad_files(tmp_path):
    """A bad magic number or a truncated body is reported with the path and the sizes."""
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(ValueError, match="not an IDX file: its magic number is 01 02 03 04"):
        datasets.read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(_idx_bytes(np.zeros((2, 3), np.uint8))[:-1])
    with pytest.raises(ValueError, match=r"shape \(2, 3\) \(18 bytes\) but the file has 17 "
                                         r"bytes"):
        datasets.read_idx(tmp_path / "short")


@pytest.mark.parametrize("layout,gz", [("raw", False), ("raw", True), ("root", False),
                                       ("root", True)])
def test_mnist_reads_torchvision_layout_and_root(tmp_path, layout, gz):
    """MNIST finds its files in root/MNIST/raw or in root, plain or .gz, train and test."""
    folder = tmp_path / "MNIST" / "raw" if layout == "raw" else tmp_path
    train_x, train_y = _mnist_files(folder, "train", 5, gz, seed=1)
    test_x, test_y = _mnist_files(folder, "t10k", 3, gz, seed=2)
    train = datasets.MNIST(tmp_path)
    test = datasets.MNIST(str(tmp_path), train=False)
    assert len(train) == 5 and len(test) == 3
    img, label = train[4]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8 and img.shape == (28, 28)
    np.testing.assert_array_equal(img, train_x[4])
    assert label == int(train_y[4]) and isinstance(label, int)
    np.testing.assert_array_equal(test.data.numpy(), test_x)
    assert test.targets.dtype is tw.int64 and test.targets.tolist() == test_y.tolist()


def test_mnist_with_transforms_through_a_loader(tmp_path):
    """ToTensor + Normalize images batch to N x 1 x 28 x 28 floats with the expected values."""
    x, y = _mnist_files(tmp_path / "MNIST" / "raw", "train", 6, gz=True)
    ds = datasets.MNIST(tmp_path, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]),
        target_transform=lambda t: t + 100)
    images, labels = next(iter(DataLoader(ds, batch_size=4)))
    assert images.shape == (4, 1, 28, 28) and images.dtype is tw.float32
    np.testing.assert_allclose(images.numpy()[:, 0], (x[:4] / 255 - 0.5) / 0.5, atol=1e-6)
    assert labels.tolist() == (y[:4].astype(int) + 100).tolist()


def test_fashion_mnist_uses_its_own_folder_and_classes(tmp_path):
    """FashionMNIST reads root/FashionMNIST/raw and names its classes."""
    x, _ = _mnist_files(tmp_path / "FashionMNIST" / "raw", "t10k", 2, gz=False)
    ds = datasets.FashionMNIST(tmp_path, train=False)
    np.testing.assert_array_equal(ds[1][0], x[1])
    assert ds.classes[9] == "Ankle boot" and ds.class_to_idx["Trouser"] == 1


def test_missing_files_name_the_paths_and_expected_files(tmp_path):
    """A missing file lists what is missing, where it looked, and where to put it."""
    _mnist_files(tmp_path / "MNIST" / "raw", "train", 2, gz=False)
    (tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(datasets.DatasetNotFoundError) as info:
        datasets.MNIST(tmp_path)
    msg = str(info.value)
    raw = str(tmp_path / "MNIST" / "raw")
    assert "MNIST: dataset files not found: train-labels-idx1-ubyte (plain or '.gz')" in msg
    assert f"looked in {raw}, {tmp_path}" in msg and f"put them in {raw}" in msg
    assert info.value.missing == ["train-labels-idx1-ubyte"]
    with pytest.raises(RuntimeError, match=r"t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte.*"
                                           r"download=True cannot fetch them"):
        datasets.MNIST(tmp_path, train=False, download=True)


def test_mnist_rejects_mismatched_labels(tmp_path):
    """Images and labels of different counts are an error naming the labels file."""
    _mnist_files(tmp_path, "train", 3, gz=False)
    _write(tmp_path / "train-labels-idx1-ubyte", _idx_bytes(np.zeros(2, np.uint8)), False)
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: expected 3 labels"):
        datasets.MNIST(tmp_path)


def _cifar_batch(path, n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    pixels = rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    rec = np.concatenate([labels[:, None], pixels.reshape(n, -1)], axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(rec.tobytes())
    return pixels.transpose(0, 2, 3, 1), labels


def test_cifar10_reads_binary_batches(tmp_path):
    """Records are label + R, G, B planes; images come back H x W x 3, labels as ints."""
    base = tmp_path / "cifar-10-batches-bin"
    train = [_cifar_batch(base / f"data_batch_{i}.bin", 2 + i, i) for i in range(1, 6)]
    test_x, test_y = _cifar_batch(tmp_path / "test_batch.bin", 3, 9)  # directly in root
    ds = datasets.CIFAR10(tmp_path)
    assert len(ds) == sum(2 + i for i in range(1, 6)) and ds.data.shape[1:] == (32, 32, 3)
    np.testing.assert_array_equal(ds[3][0], train[1][0][0])  # batch 2 starts at item 3
    assert ds[3][1] == int(train[1][1][0])
    test = datasets.CIFAR10(tmp_path, train=False, transform=transforms.ToTensor())
    img, label = test[2]
    assert img.shape == (3, 32, 32) and label == int(test_y[2])
    np.testing.assert_allclose(img.numpy(), test_x[2].transpose(2, 0, 1) / 255, atol=1e-7)
    assert ds.classes[label] == ds.classes[int(test_y[2])]


def test_cifar10_errors(tmp_path):
    """Missing batches and files that are not whole records are reported."""
    with pytest.raises(datasets.DatasetNotFoundError, match=r"data_batch_1.bin, .*"
                                                            r"data_batch_5.bin \(plain\)"):
        datasets.CIFAR10(tmp_path)
    (tmp_path / "test_batch.bin").write_bytes(b"\0" * 3074)
    with pytest.raises(ValueError, match="3074 bytes is not a whole number of 3073-byte"):
        datasets.CIFAR10(tmp_path, train=False)


def test_digits_split_values_and_upscaling():
    """Digits: a fixed seeded 1437/360 split of all 1797 samples, 0..16 scaled to 0..255,
    optional bilinear 28x28."""
    sk = pytest.importorskip("sklearn.datasets")
    bunch = sk.load_digits()
    train, test = datasets.Digits(), datasets.Digits(train=False)
    assert (len(train), len(test)) == (1437, 360)
    order = np.random.RandomState(0).permutation(1797)  # NumPy's frozen legacy stream
    assert order[:3].tolist() == [1081, 1707, 927]
    img, label = test[0]
    assert img.shape == (8, 8) and img.dtype == np.uint8
    np.testing.assert_array_equal(img, np.round(bunch.images[order[1437]] * 255 / 16))
    assert label == int(bunch.target[order[1437]])
    assert train.targets.tolist() == bunch.target[order[:1437]].tolist()
    assert sorted(train.targets.tolist() + test.targets.tolist()) == sorted(bunch.target)
    assert min(np.bincount(test.targets.numpy(), minlength=10)) >= 25  # every class tested
    big = datasets.Digits(train=False, image_size=28)
    assert big[5][0].shape == (28, 28)
    np.testing.assert_array_equal(big[5][0], transforms.Resize((28, 28))(test[5][0]))
    x, _ = next(iter(DataLoader(datasets.Digits(transform=transforms.ToTensor(),
                                                image_size=28), batch_size=8)))
    assert x.shape == (8, 1, 28, 28) and float(x.max()) <= 1.0
    with pytest.raises(ValueError, match="image_size must be an int >= 8"):
        datasets.Digits(image_size=4)
