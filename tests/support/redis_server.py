"""A private Redis for the tests that need one: Debian's `redis-server`, started by the test
on a Unix socket of its own (no TCP port), with persistence off, and stopped after.

What it is: `RedisServer` (start, url, stop, restart).
What it is not: a fixture (tests/conftest.py wraps it) or a mock: it is the real server.
Trade-off: a Unix socket in a temporary directory cannot clash with anything else on the
machine; the price is that a client must speak `unix://`, which redis-py does.
"""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis


class RedisServer:
    """`redis-server --port 0 --unixsocket …` as a child process."""

    def __init__(self, persistent: bool = False) -> None:
        """`persistent`: keep an append-only file, so a restart (stop, start) keeps the data."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="nnp-redis-"))
        self.socket = self.dir / "redis.sock"
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen[bytes] | None = None
        self.persistent = persistent

    def start(self) -> "RedisServer":
        socket_args = ["--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700"]
        keep = ["--appendonly", "yes" if self.persistent else "no", "--save", ""]
        command = [self.binary, *socket_args, *keep, "--dir", str(self.dir)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(unix_socket_path=str(self.socket)).ping()
                return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        self.socket.unlink(missing_ok=True)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
