"""Digits data for the tests: IDX and npz files written from arrays the test chose.

What it is: `write_idx` (the IDX format of MNIST, gzipped or not, as docs/digits.md
describes it), `fake_mnist` (a small complete set of the four files with random pixels and
known labels) and `write_npz` (Keras's mnist.npz layout).
What it is not: real data (the built-in sample and Debian's Fashion-MNIST are read as they
are by the tests that need real files).
Trade-off: the header is written here by hand from the format's description, not by the
reader under test, so a reader that got the format wrong fails.
"""

import gzip
import struct
from pathlib import Path

import numpy as np

STEMS = {
    "train-images": "train-images-idx3-ubyte",
    "train-labels": "train-labels-idx1-ubyte",
    "t10k-images": "t10k-images-idx3-ubyte",
    "t10k-labels": "t10k-labels-idx1-ubyte",
}


def idx_bytes(array: np.ndarray) -> bytes:
    """Two zero bytes, type 0x08, the number of dimensions, big-endian sizes, the values."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, gz: bool) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def fake_arrays(n_train: int = 120, n_test: int = 30, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test)[::-1] % 10).astype(np.uint8),
    }


def fake_mnist(folder: Path, gz: bool = True, seed: int = 0) -> dict[str, np.ndarray]:
    """Write the four IDX files of a small MNIST-shaped set into `folder`; its arrays."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = fake_arrays(seed=seed)
    parts = zip(STEMS.values(), ("x_train", "y_train", "x_test", "y_test"), strict=True)
    for name, key in parts:
        write_idx(folder / (name + (".gz" if gz else "")), arrays[key], gz)
    return arrays


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path
