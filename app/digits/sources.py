"""Where the digits workspace's data can come from, and where each is looked for on disk.

What it is: `SOURCES`, the one table of data sources a user can pick (the built-in MNIST
sample, full MNIST, Fashion-MNIST) with their labels and class names, and `locate`, which
finds a source's files: the first place, in a fixed order, that holds a complete set.
- sample: `app/digits/data/mnist_sample.npz`, always there.
- mnist: the four IDX files (gzipped or not) in `<data_dir>/mnist/` or `<data_dir>/` (what
  `nn-playground data fetch mnist` writes, or the operator's own copy), else Keras's cache
  `$KERAS_HOME/datasets/mnist.npz` (default `~/.keras/datasets/`).
- fashion: IDX files in `<data_dir>/fashion-mnist/`, else Keras's cache
  (`datasets/fashion-mnist/`), else Debian's `dataset-fashion-mnist` package
  (`/usr/share/datasets/fashion-mnist/`).
What it is not: a reader (idx.py) or a cache (store.py): locating only looks at names, so
listing what a server has costs a few `stat` calls.
Trade-off: a set counts as present when its four files exist; whether they are sound is
learnt when they are read, and a broken set is reported by name then, not skipped for the
next place (an operator who put files somewhere wants to hear that they are broken).
"""

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
SAMPLE_FILE = PACKAGE_DATA / "mnist_sample.npz"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
IDX_STEMS = ("train-images", "train-labels", "t10k-images", "t10k-labels")
_IDX_KINDS = {"train-images": "idx3", "train-labels": "idx1", "t10k-images": "idx3"}

DIGIT_NAMES = tuple(str(d) for d in range(10))
FASHION_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    """A data source a user can pick: its label, class names and how Keras loads it."""

    name: str
    label: str
    classes: tuple[str, ...]
    keras_dataset: str | None  # keras.datasets.<this>.load_data() gives the same data
    note: str


SOURCES: dict[str, Source] = {
    "sample": Source(
        "sample",
        "MNIST sample (5,000 digits, built in)",
        DIGIT_NAMES,
        None,
        "4,000 training and 1,000 test digits from MNIST (CC BY-SA 3.0), shipped with the "
        "server; fewer examples than full MNIST, so accuracy is lower",
    ),
    "mnist": Source(
        "mnist",
        "MNIST (60,000 digits)",
        DIGIT_NAMES,
        "mnist",
        "the full MNIST database: 60,000 training and 10,000 test digits",
    ),
    "fashion": Source(
        "fashion",
        "Fashion-MNIST (60,000 clothes)",
        FASHION_NAMES,
        "fashion_mnist",
        "Zalando's Fashion-MNIST: 28x28 pictures of clothes in ten classes, MNIST's format",
    ),
}


@dataclass(frozen=True, slots=True)
class Located:
    """A source's files on disk: one `.npz`, or the four IDX files in IDX_STEMS order."""

    source: str
    paths: tuple[Path, ...]

    @property
    def origin(self) -> str:
        """Where the data came from, for the page and the logs."""
        return str(self.paths[0].parent if len(self.paths) > 1 else self.paths[0])


def default_data_dir() -> Path:
    """Where `nn-playground data fetch` writes when NN_PLAYGROUND_DATA_DIR is not set:
    $XDG_DATA_HOME/nn-playground, else ~/.local/share/nn-playground."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "nn-playground"


def keras_home() -> Path:
    """Keras's cache folder, as Keras finds it: $KERAS_HOME, else ~/.keras."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")


def idx_set(folder: Path) -> tuple[Path, ...] | None:
    """The four IDX files in `folder`, or None if one is missing.

    Each may be gzipped (`.gz`) or not, and spelt `train-images-idx3-ubyte` (the canonical
    name) or `train-images.idx3-ubyte` (how some archives unpack them).
    Example: a folder with train-images-idx3-ubyte.gz, … -> those four paths.
    """
    found = []
    for stem in IDX_STEMS:
        kind = _IDX_KINDS.get(stem, "idx1")
        names = (f"{stem}-{kind}-ubyte", f"{stem}.{kind}-ubyte")
        paths = (folder / (name + ext) for name in names for ext in ("", ".gz"))
        path = next((p for p in paths if p.is_file()), None)
        if path is None:
            return None
        found.append(path)
    return tuple(found)


def candidates(source: str, data_dir: Path | None) -> list[Path]:
    """The places a source is looked for, in order (folders of IDX files, or .npz files)."""
    home = keras_home() / "datasets"
    if source == "sample":
        return [SAMPLE_FILE]
    if source == "mnist":
        own = [data_dir / "mnist", data_dir] if data_dir is not None else []
        return [*own, home / "mnist.npz"]
    own = [data_dir / "fashion-mnist"] if data_dir is not None else []
    return [*own, home / "fashion-mnist", DEBIAN_FASHION]


def locate(source: str, data_dir: Path | None) -> Located | None:
    """The first complete set of `source`'s files, or None if this machine has none."""
    for place in candidates(source, data_dir):
        if place.suffix == ".npz":
            if place.is_file():
                return Located(source, (place,))
        elif place.is_dir() and (files := idx_set(place)) is not None:
            return Located(source, files)
    return None


def available(data_dir: Path | None) -> dict[str, Located]:
    """Every source this machine has, in SOURCES order."""
    found = {name: locate(name, data_dir) for name in SOURCES}
    return {name: where for name, where in found.items() if where is not None}
