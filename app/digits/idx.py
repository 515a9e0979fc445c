"""Reading image and label files: MNIST's IDX format (gzipped or not) and Keras's `.npz`.

What it is: `read_idx(path)`, one IDX file as a read-only uint8 array, and `read_npz(path)`,
the four arrays of a Keras-style `mnist.npz`; both check everything a broken or truncated
file could get wrong and raise `DataFileError`, whose message names the file.
What it is not: where files are looked for (sources.py) or how long they are kept (store.py).
Trade-off: a file is read whole into memory and checked before any array is made from it
(an IDX training set is 47 MB): simpler and stricter than streaming, and it happens once
per process.

IDX (http://yann.lecun.com/exdb/mnist/): two zero bytes, a type byte (0x08 = unsigned byte,
the only type MNIST uses), the number of dimensions, then one big-endian uint32 per
dimension, then the values in row-major order. A gzipped file starts with 1f 8b.
"""

import gzip
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

U8Array = npt.NDArray[np.uint8]
UNSIGNED_BYTE = 0x08
MAX_VALUES = 200_000_000  # far beyond MNIST's 47 million, far below a machine's memory
GZIP_MAGIC = b"\x1f\x8b"


class DataFileError(ValueError):
    """A data file that cannot be used; the message says which file and why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


def file_bytes(path: Path) -> bytes:
    """The file's content, decompressed if it is gzipped (by its first bytes, not its name)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataFileError(path, f"is not a complete gzip file ({exc})") from None


def read_idx(path: Path) -> U8Array:
    """The array an IDX file holds (uint8, read-only), checked against its header.

    Example: a labels file of 60,000 items -> shape (60000,); images -> (60000, 28, 28).
    """
    data = file_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataFileError(path, "is not an IDX file (it does not start with two zero bytes)")
    if data[2] != UNSIGNED_BYTE:
        raise DataFileError(path, f"holds IDX type 0x{data[2]:02x}, not unsigned bytes (0x08)")
    ndim = data[3]
    if not 1 <= ndim <= 3:
        raise DataFileError(path, f"has {ndim} dimensions; images have 3 and labels 1")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataFileError(path, "is truncated inside its header")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", ndim, 4))
    count = int(np.prod(shape, dtype=np.int64))
    if count > MAX_VALUES:
        raise DataFileError(path, f"declares {count:,} values, more than this reader takes")
    found = len(data) - header
    if found != count:
        what = "truncated" if found < count else "longer than its header says"
        raise DataFileError(path, f"is {what}: {count:,} values declared, {found:,} present")
    return np.frombuffer(data, np.uint8, count, header).reshape(shape)


def read_npz(path: Path) -> dict[str, U8Array]:
    """x_train, y_train, x_test, y_test of a Keras-style `mnist.npz` (any extra array is
    ignored); each must be uint8. Shapes are checked by the caller (check_split)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(archive.files)
            if missing:
                raise DataFileError(path, f"lacks the arrays {', '.join(sorted(missing))}")
            arrays = {k: archive[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except DataFileError:
        raise
    except (OSError, ValueError, EOFError, zlib.error) as exc:  # not a zip, a bad member, …
        raise DataFileError(path, f"is not a readable .npz file ({exc})") from None
    for name, array in arrays.items():
        if array.dtype != np.uint8:
            raise DataFileError(path, f"{name} is {array.dtype}, not uint8")
        array.flags.writeable = False
    return arrays


def check_split(
    where: str, images: U8Array, labels: U8Array, classes: int = 10
) -> tuple[U8Array, U8Array]:
    """(images as (n, 784), labels (n,)) after checking they describe the same n 28x28
    images with labels below `classes`; `where` names the file(s) in an error."""
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataFileError(where, f"images have shape {images.shape}, not (n, 28, 28)")
    if labels.ndim != 1 or len(labels) != len(images):
        raise DataFileError(where, f"{len(labels)} labels for {len(images)} images")
    if len(labels) and int(labels.max()) >= classes:
        raise DataFileError(where, f"a label is {int(labels.max())}; labels are 0-{classes - 1}")
    if len(images) == 0:
        raise DataFileError(where, "holds no images")
    flat = images.reshape(len(images), 28 * 28)  # a view: nothing is copied
    flat.flags.writeable = False
    return flat, labels
