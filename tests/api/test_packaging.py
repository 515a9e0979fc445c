"""The wheel the Dockerfile builds serves the page from any directory (toolchain gotcha 9).

Docker cannot build here, so this test does what the image does: copy exactly the paths
the Dockerfile COPYs, run its `pip install` commands (the hash-checked requirements.lock, then
the app with --no-deps, so a package missing from the lock fails here) in a fresh virtualenv,
start the `nn-playground` command from an unrelated directory, and fetch the page and an asset.
"""

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def dockerfile_copy_sources() -> list[str]:
    """Every source path of a COPY instruction in the Dockerfile."""
    sources: list[str] = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        match = re.match(r"^COPY\s+(.+)$", line.strip())
        if match:
            sources.extend(match.group(1).split()[:-1])
    return sources


def dockerfile_pip_installs() -> list[list[str]]:
    """The Dockerfile's `pip install …` commands, in order, as argument lists."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [shlex.split(m) for m in re.findall(r"^RUN (pip install [^&\n]+)", text, re.M)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, deadline: float) -> tuple[int, bytes]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.timeout(600)
def test_installed_command_serves_page_and_assets_from_any_directory(tmp_path: Path) -> None:
    build = tmp_path / "image"
    build.mkdir()
    for source in dockerfile_copy_sources():
        src = ROOT / source.rstrip("/")
        dst = build / source.rstrip("/")
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    installs = dockerfile_pip_installs()
    assert len(installs) == 2  # the locked dependencies, then the app with --no-deps
    for install in installs:  # exactly as the image: hash-checked pins, then the app alone
        command = [str(venv / "bin" / "python"), "-m", *install, "-q"]
        subprocess.run(command, check=True, cwd=build, stdout=subprocess.DEVNULL)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NN_PLAYGROUND_")}
    command = [str(venv / "bin" / "nn-playground"), "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=elsewhere, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        status, body = fetch(f"http://127.0.0.1:{port}/", deadline)
        assert status == 200 and b"<title>NN Playground" in body
        status, body = fetch(f"http://127.0.0.1:{port}/static/js/main.js", deadline)
        assert status == 200 and len(body) > 0
        status, body = fetch(f"http://127.0.0.1:{port}/healthz", deadline)
        assert status == 200 and b'"ok"' in body
        status, body = fetch(f"http://127.0.0.1:{port}/lessons/circle.json", deadline)
        assert status == 200 and b"networkShape=3" in body  # the wheel carries the lessons
        status, body = fetch(f"http://127.0.0.1:{port}/digits", deadline)
        assert status == 200 and b'"id": "article"' in body  # and the digits lesson
        status, body = fetch(f"http://127.0.0.1:{port}/static/js/digits/app.js", deadline)
        assert status == 200 and b"export function start" in body
        status, body = fetch(f"http://127.0.0.1:{port}/digits/mnist_sample.npz", deadline)
        assert status == 200 and body.startswith(b"PK")  # and the built-in digits
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode(errors="replace")
    assert "Traceback" not in output, output
