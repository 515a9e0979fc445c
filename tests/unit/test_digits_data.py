"""The digits data: where it is found, how it is read, what a broken file says, and that a
process reads each source once and shares it read-only (docs/digits.md, "Data")."""

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from app.digits.idx import DataFileError, read_idx, read_npz
from app.digits.session import split
from app.digits.settings import DigitsSettings, Limits
from app.digits.sources import DEBIAN_FASHION, available, locate
from app.digits.store import load
from tests.support.digits import STEMS, fake_arrays, fake_mnist, idx_bytes, write_idx, write_npz

FASHION_NEEDED = os.environ.get("CI") is not None  # CI installs dataset-fashion-mnist


@pytest.fixture(autouse=True)
def no_keras_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keras's cache is looked for under $KERAS_HOME: an empty one unless a test fills it."""
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.mark.parametrize("gz", [True, False])
def test_generated_idx_files_in_the_data_dir_are_mnist(tmp_path: Path, gz: bool) -> None:
    arrays = fake_mnist(tmp_path / "mnist", gz=gz)
    found = locate("mnist", tmp_path)
    assert found is not None and found.origin == str(tmp_path / "mnist")
    data = load(found)
    assert data.x_train.shape == (120, 784) and data.x_test.shape == (30, 784)
    assert np.array_equal(data.x_train, arrays["x_train"].reshape(120, 784))
    assert np.array_equal(data.y_test, arrays["y_test"])


def test_idx_files_may_sit_in_the_data_dir_itself_spelt_with_a_dot(tmp_path: Path) -> None:
    arrays = fake_arrays(seed=3)
    dotted = ("train-images.idx3", "train-labels.idx1", "t10k-images.idx3", "t10k-labels.idx1")
    for key, stem in zip(arrays, dotted, strict=True):
        write_idx(tmp_path / f"{stem}-ubyte", arrays[key], gz=False)
    data = load(locate("mnist", tmp_path))  # type: ignore[arg-type]
    assert np.array_equal(data.y_train, arrays["y_train"])


def test_a_keras_cache_npz_is_mnist_when_the_data_dir_has_none(
    tmp_path: Path, no_keras_cache: Path
) -> None:
    assert locate("mnist", tmp_path) is None
    arrays = fake_arrays(seed=5)
    write_npz(no_keras_cache / "datasets" / "mnist.npz", arrays)
    data = load(locate("mnist", tmp_path))  # type: ignore[arg-type]
    assert np.array_equal(data.x_test, arrays["x_test"].reshape(-1, 784))
    assert set(available(tmp_path)) == {"sample", "mnist"} | (
        {"fashion"} if DEBIAN_FASHION.is_dir() else set()
    )


def test_the_built_in_sample_is_4000_and_1000_balanced_digits() -> None:
    data = load(locate("sample", None))  # type: ignore[arg-type]
    assert data.x_train.shape == (4000, 784) and data.x_test.shape == (1000, 784)
    assert np.bincount(data.y_train).tolist() == [400] * 10
    assert np.bincount(data.y_test).tolist() == [100] * 10
    assert data.x_train.max() == 255 and data.x_train.dtype == np.uint8
    # Shuffled: validation_split's last rows hold every digit, not only nines.
    assert len(set(data.y_train[-400:].tolist())) == 10


@pytest.mark.skipif(
    not DEBIAN_FASHION.is_dir() and not FASHION_NEEDED,
    reason="needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)",
)
def test_debians_fashion_mnist_files_are_read_as_they_are(tmp_path: Path) -> None:
    found = locate("fashion", tmp_path)
    assert found is not None and found.origin == str(DEBIAN_FASHION)
    data = load(found)
    assert data.x_train.shape == (60000, 784) and data.x_test.shape == (10000, 784)
    assert np.bincount(data.y_train).tolist() == [6000] * 10  # Fashion-MNIST is balanced
    assert np.bincount(data.y_test).tolist() == [1000] * 10
    assert 0 < data.x_train.mean() < 255


def test_a_process_reads_a_source_once_and_shares_it_read_only(tmp_path: Path) -> None:
    fake_mnist(tmp_path)
    first, second = load(locate("mnist", tmp_path)), load(locate("mnist", tmp_path))  # type: ignore[arg-type]
    assert first is second
    for array in (first.x_train, first.y_train, first.x_test, first.y_test):
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1
    limits = Limits()
    rows = split(DigitsSettings(data="mnist", validation_split=0.25), first, limits)
    # A session's rows are views of the shared arrays: nothing per session but indices.
    for mine, shared in ((rows.x_train, first.x_train), (rows.x_val, first.x_train)):
        assert np.shares_memory(mine, shared)
    assert len(rows.x_train) == 90 and len(rows.x_val) == 30  # floor(120 x 0.75) train


def test_a_file_replaced_on_disk_is_read_again(tmp_path: Path) -> None:
    fake_mnist(tmp_path, seed=1)
    before = load(locate("mnist", tmp_path))  # type: ignore[arg-type]
    arrays = fake_arrays(seed=2)
    path = write_idx(tmp_path / (STEMS["t10k-images"] + ".gz"), arrays["x_test"], gz=True)
    os.utime(path, ns=(1, 10**18))  # a new modification time, whatever the clock's grain
    after = load(locate("mnist", tmp_path))  # type: ignore[arg-type]
    assert after is not before
    assert np.array_equal(after.x_test, arrays["x_test"].reshape(-1, 784))


# -- broken files -----------------------------------------------------------------------------


def broken(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


LABELS = idx_bytes(np.arange(20, dtype=np.uint8) % 10)
IMAGES = idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))
BROKEN_IDX = {
    "truncated gzip": (gzip.compress(IMAGES)[:-30], "is not a complete gzip file"),
    "gzip of garbage": (b"\x1f\x8b" + b"\x00" * 40, "is not a complete gzip file"),
    "truncated data": (IMAGES[:-100], "is truncated: 2,352 values declared, 2,252 present"),
    "trailing bytes": (LABELS + b"\0", "is longer than its header says"),
    "not idx": (b"PK\x03\x04" + bytes(60), "is not an IDX file"),
    "wrong type": (b"\0\0\x0d\x01" + bytes(8), "holds IDX type 0x0d, not unsigned bytes"),
    "four dimensions": (b"\0\0\x08\x04" + bytes(20), "has 4 dimensions"),
    "header cut": (b"\0\0\x08\x03\0\0", "is truncated inside its header"),
    "empty": (b"", "is not an IDX file"),
}


@pytest.mark.parametrize("case", BROKEN_IDX)
def test_a_broken_idx_file_is_an_error_naming_it(tmp_path: Path, case: str) -> None:
    data, message = BROKEN_IDX[case]
    path = broken(tmp_path / "train-images-idx3-ubyte.gz", data)
    with pytest.raises(DataFileError, match="idx3-ubyte.gz: ") as caught:
        read_idx(path)
    assert message in str(caught.value)
    assert caught.value.path == str(path)


def test_labels_that_do_not_match_the_images_name_both_files(tmp_path: Path) -> None:
    arrays = fake_mnist(tmp_path)
    write_idx(tmp_path / (STEMS["train-labels"] + ".gz"), arrays["y_train"][:-1], gz=True)
    with pytest.raises(DataFileError, match="119 labels for 120 images") as caught:
        load(locate("mnist", tmp_path))  # type: ignore[arg-type]
    assert "train-images-idx3-ubyte.gz with train-labels-idx1-ubyte.gz" in str(caught.value)


def test_a_label_of_ten_is_refused(tmp_path: Path) -> None:
    arrays = fake_mnist(tmp_path)
    write_idx(tmp_path / (STEMS["t10k-labels"] + ".gz"), arrays["y_test"] + 1, gz=True)
    with pytest.raises(DataFileError, match="a label is 10; labels are 0-9"):
        load(locate("mnist", tmp_path))  # type: ignore[arg-type]


def test_images_of_another_size_are_refused(tmp_path: Path) -> None:
    fake_mnist(tmp_path)
    write_idx(tmp_path / (STEMS["t10k-images"] + ".gz"), np.zeros((30, 32, 32)), gz=True)
    with pytest.raises(DataFileError, match=r"images have shape \(30, 32, 32\), not \(n, 28, 28\)"):
        load(locate("mnist", tmp_path))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip at all", "is not a readable .npz file"),
        ("missing", "lacks the arrays x_test, y_test"),
        ("float", "x_train is float64, not uint8"),
    ],
)
def test_a_broken_npz_is_an_error_naming_it(
    tmp_path: Path, content: bytes | str, message: str
) -> None:
    path = tmp_path / "mnist.npz"
    arrays = fake_arrays()
    if content == "missing":
        write_npz(path, {k: v for k, v in arrays.items() if k in ("x_train", "y_train")})
    elif content == "float":
        write_npz(path, arrays | {"x_train": arrays["x_train"].astype(np.float64)})
    else:
        broken(path, content)  # type: ignore[arg-type]
    with pytest.raises(DataFileError, match="mnist.npz: ") as caught:
        read_npz(path)
    assert message in str(caught.value)
