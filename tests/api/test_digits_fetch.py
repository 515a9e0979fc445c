"""`nn-playground data fetch mnist` against a local HTTP server serving generated files:
files land only when their size and SHA-256 are right, a mirror that fails is skipped, a
wrong or short file never lands, and the command checks the canonical checksums."""

import hashlib
import http.server
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.digits.fetch as fetch_module
from app.digits.fetch import MNIST_FILES, FetchError, Remote, fetch
from app.digits.sources import locate
from app.digits.store import load
from app.web.digits.cli import data_main
from tests.support.digits import fake_mnist

pytestmark = pytest.mark.timeout(120)


class Files(http.server.ThreadingHTTPServer):
    """Serves `files` (path -> bytes) from /good/; /missing/ answers 404; /short/ sends
    half of each file; every request is counted."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files, self.requests = files, []
        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Files

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.server.requests.append(self.path)
        folder, _, name = self.path.strip("/").partition("/")
        body = self.server.files.get(name)
        if folder == "missing" or body is None:
            self.send_error(404)
            return
        if folder == "short":
            body = body[: len(body) // 2]
        if folder == "sized":
            body = bytes(next(r.size for r in MNIST_FILES if r.name == name))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Files, list[Remote]]]:
    """A small MNIST-shaped set, gzipped under MNIST's file names, and its manifest."""
    source = tmp_path / "source"
    fake_mnist(source)
    files = {p.name: p.read_bytes() for p in source.iterdir()}
    manifest = [
        Remote(name, len(body), hashlib.sha256(body).hexdigest())
        for name, body in sorted(files.items())
    ]
    server = Files(files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, manifest
    server.shutdown()
    server.server_close()


def test_files_land_checked_and_a_failing_mirror_is_skipped(
    served: tuple[Files, list[Remote]], tmp_path: Path
) -> None:
    server, manifest = served
    dest = tmp_path / "data" / "mnist"
    said: list[str] = []
    mirrors = [f"{server.url}/missing/", f"{server.url}/good/"]
    fetch(dest, manifest, mirrors, report=said.append)
    assert sorted(p.name for p in dest.iterdir()) == sorted(r.name for r in manifest)
    assert len(server.requests) == 8  # each file: the 404, then the good copy
    assert sum(line.endswith("… good") for line in said) == 4
    data = load(locate("mnist", dest.parent))  # type: ignore[arg-type]
    assert data.x_train.shape == (120, 784)
    fetch(dest, manifest, mirrors, report=said.append)  # everything is there already
    assert len(server.requests) == 8 and said[-1].endswith("already here, checksum good")


def test_a_wrong_file_never_lands_and_the_error_names_it(
    served: tuple[Files, list[Remote]], tmp_path: Path
) -> None:
    server, manifest = served
    wrong = [Remote(r.name, r.size, "0" * 64) if "t10k-labels" in r.name else r for r in manifest]
    dest = tmp_path / "mnist"
    with pytest.raises(FetchError) as caught:
        fetch(dest, wrong, [f"{server.url}/good/"], report=lambda _: None)
    assert "t10k-labels-idx1-ubyte.gz: no mirror served it intact" in str(caught.value)
    assert "checksum mismatch" in str(caught.value)
    assert not (dest / "t10k-labels-idx1-ubyte.gz").exists()
    assert not list(dest.glob("*.part"))


def test_a_short_download_is_refused(served: tuple[Files, list[Remote]], tmp_path: Path) -> None:
    server, manifest = served
    with pytest.raises(FetchError, match=r"bytes received, [\d,]+ expected"):
        fetch(tmp_path / "mnist", manifest, [f"{server.url}/short/"], report=lambda _: None)


def test_the_command_fetches_into_the_data_dir_and_lists_it(
    served: tuple[Files, list[Remote]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, manifest = served
    monkeypatch.setattr(fetch_module, "MNIST_FILES", tuple(manifest))
    monkeypatch.setenv("NN_PLAYGROUND_DATA_DIR", str(tmp_path))
    assert data_main(["fetch", "mnist", "--from", f"{server.url}/good/"]) == 0
    assert "120 training and 30 test digits" in capsys.readouterr().out
    assert data_main(["list"]) == 0
    assert (
        f"mnist: MNIST (60,000 digits): 120 training and 30 test images from {tmp_path / 'mnist'}"
        in (capsys.readouterr().out)
    )


def test_the_command_holds_files_to_mnists_published_sizes_and_checksums(
    served: tuple[Files, list[Remote]], tmp_path: Path
) -> None:
    """Generated files under MNIST's names are not MNIST: the real command refuses them,
    by their size, and a file of the right size by its SHA-256."""
    server, _ = served
    command = [sys.executable, "-m", "app", "data", "fetch", "mnist", "--dir", str(tmp_path)]
    for mirror, words in [
        ("good", r"[\d,]+ bytes received, 9,912,422 expected"),
        ("sized", "expected 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    ]:
        run = subprocess.run(
            [*command, "--from", f"{server.url}/{mirror}/"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 1
        assert "train-images-idx3-ubyte.gz: no mirror served it intact" in run.stdout
        assert re.search(words, run.stdout), run.stdout
        assert not list((tmp_path / "mnist").iterdir())  # nothing wrong or partial landed
