"""The digits data of one process: each source read once, then shared read-only.

What it is: `Dataset` (a source's training and test images as (n, 784) uint8 arrays and
their labels) and `load(located)`, which reads a source's files the first time it is asked
and hands every later caller the very same arrays. Every array is read-only, so a session
that tried to write into the shared data would fail loudly instead of changing it for all.
What it is not: a per-session copy. Sessions keep index arrays and gather the rows of one
chunk at a time (session.py, kernel.py); memory does not grow with the number of sessions.
Trade-off: data stays in memory for the life of the process once loaded (47 MB of images
for full MNIST, as uint8; 3.9 MB for the sample), traded for never reading it twice.
The cache is keyed by the files' paths, sizes and modification times, so a file replaced
on disk (a fresh `nn-playground data fetch`) is read again by the next session.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

from app.digits.idx import DataFileError, U8Array, check_split, read_idx, read_npz
from app.digits.sources import Located

_lock = threading.Lock()
_cache: dict[tuple[object, ...], "Dataset"] = {}


@dataclass(frozen=True, eq=False)
class Dataset:
    """One source's data, shared read-only: images (n, 784) uint8, labels (n,) uint8."""

    source: str
    origin: str
    x_train: U8Array
    y_train: U8Array
    x_test: U8Array
    y_test: U8Array


def load(located: Located) -> Dataset:
    """The source's data, read from disk on the first call only (thread-safe: two sessions
    starting together read it once). Raises DataFileError naming a broken file."""
    key = _key(located)
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            cached = _read(located)
            # One version per source: sessions still on a replaced file keep theirs alive
            # until they end, and the process does not hold every fetch it ever saw.
            for old in [k for k in _cache if k[0] == located.source]:
                del _cache[old]
            _cache[key] = cached
        return cached


def _key(located: Located) -> tuple[object, ...]:
    stats = []
    for path in located.paths:
        try:
            st = path.stat()
        except OSError as exc:
            raise DataFileError(path, f"cannot be read ({exc.strerror or exc})") from None
        stats.append((str(path), st.st_size, st.st_mtime_ns))
    return (located.source, *stats)


def _read(located: Located) -> Dataset:
    paths = located.paths
    if len(paths) == 1:
        arrays = read_npz(paths[0])
        train = check_split(str(paths[0]), arrays["x_train"], arrays["y_train"])
        test = check_split(str(paths[0]), arrays["x_test"], arrays["y_test"])
    else:
        images, labels, t_images, t_labels = (read_idx(Path(p)) for p in paths)
        train = check_split(f"{paths[0]} with {paths[1].name}", images, labels)
        test = check_split(f"{paths[2]} with {paths[3].name}", t_images, t_labels)
    for array in (*train, *test):
        array.flags.writeable = False
    return Dataset(located.source, located.origin, *train, *test)
