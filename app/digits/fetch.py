"""`nn-playground data fetch mnist`: download MNIST's four canonical files and check them.

What it is: `fetch(dest)`, which downloads `train-images-idx3-ubyte.gz` and the three other
files MNIST is published as, from the first mirror that has them, checks each one's size
and SHA-256 against the published values, and only then moves it into place; a file that
is already there with the right checksum is kept.
What it is not: a general downloader. The files and checksums are fixed (the same bytes
TensorFlow Datasets and torchvision check), and nothing else is fetched; the server itself
never downloads anything (docs/architecture.md §5: the app never reaches the internet by
itself).
Trade-off: the standard library's urllib, no retries beyond trying the next mirror: the
command is run once, by an operator who sees every message, and a wrong or partial file
never lands where the server reads (it is written to `<name>.part` and renamed).
"""

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 16


@dataclass(frozen=True, slots=True)
class Remote:
    """One published file: its name, size in bytes and SHA-256 (hex)."""

    name: str
    size: int
    sha256: str


MNIST_FILES: tuple[Remote, ...] = (
    Remote(
        "train-images-idx3-ubyte.gz",
        9_912_422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    Remote(
        "train-labels-idx1-ubyte.gz",
        28_881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    Remote(
        "t10k-images-idx3-ubyte.gz",
        1_648_877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    Remote(
        "t10k-labels-idx1-ubyte.gz",
        4_542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
)

# Where the canonical files are served today, in order: the original site often refuses
# scripted downloads, so the two long-lived copies the big frameworks use come first.
MNIST_MIRRORS: tuple[str, ...] = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


class FetchError(RuntimeError):
    """A file could not be fetched intact from any mirror; the message says which and why."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    dest: Path,
    files: Sequence[Remote] | None = None,
    mirrors: Sequence[str] = MNIST_MIRRORS,
    report: Callable[[str], None] = print,
    timeout: float = 60.0,
) -> list[Path]:
    """Make `dest` hold every file of `files` (MNIST's four), checked; returns their paths.

    Raises FetchError naming the first file no mirror served intact (what each mirror did
    wrong is in the message); the files already in place stay.
    """
    dest.mkdir(parents=True, exist_ok=True)
    done = []
    for remote in MNIST_FILES if files is None else files:
        target = dest / remote.name
        if target.is_file() and sha256_of(target) == remote.sha256:
            report(f"{remote.name}: already here, checksum good")
        else:
            _fetch_one(remote, target, mirrors, report, timeout)
        done.append(target)
    return done


def _fetch_one(
    remote: Remote,
    target: Path,
    mirrors: Sequence[str],
    report: Callable[[str], None],
    timeout: float,
) -> None:
    problems = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + remote.name
        report(f"{remote.name}: downloading {url}")
        part = target.with_name(target.name + ".part")
        try:
            _download(url, part, remote.size, timeout)
            _check(part, remote)
        except FetchError as exc:
            problems.append(f"{url}: {exc}")
            part.unlink(missing_ok=True)
            continue
        os.replace(part, target)
        report(f"{remote.name}: {remote.size:,} bytes, SHA-256 {remote.sha256[:16]}… good")
        return
    raise FetchError(f"{remote.name}: no mirror served it intact:\n  " + "\n  ".join(problems))


def _download(url: str, part: Path, size: int, timeout: float) -> None:
    """Write at most size + 1 bytes of `url` to `part` (a longer file is wrong anyway)."""
    request = urllib.request.Request(url, headers={"User-Agent": "nn-playground data fetch"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, part.open("wb") as out:
            left = size + 1
            while left > 0 and (block := response.read(min(CHUNK_BYTES, left))):
                out.write(block)
                left -= len(block)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"could not download ({reason})") from None


def _check(part: Path, remote: Remote) -> None:
    got = part.stat().st_size
    if got != remote.size:
        raise FetchError(f"{got:,} bytes received, {remote.size:,} expected")
    digest = sha256_of(part)
    if digest != remote.sha256:
        raise FetchError(f"checksum mismatch: SHA-256 {digest}, expected {remote.sha256}")
