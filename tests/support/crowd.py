"""`Crowd`: the parent's handle on the hostile clients' process (tests/support/hostile.py).

What it is: start `python -m tests.support.hostile`, wait until every client connected,
tell it to go quiet or stop, and read back its tally.
What it is not: the clients themselves.
Trade-off: a line protocol over pipes rather than shared memory: simple, and the child can
be run by hand to see what it prints.
"""

import json
import select
import subprocess
import sys
from typing import Any

from tests.support.clients import PAGE_SPEED
from tests.support.processes import ROOT


class Crowd:
    """Hostile clients in a process of their own; `stop()` returns what they saw.

    All play `config` (a key of SETTINGS); the never-readers at `speed` epochs/s (a frame
    can go out per epoch, up to the server's frame cap), the others at the page's 60.
    """

    def __init__(
        self,
        port: int,
        never_reads: int = 0,
        never_credits: int = 0,
        flooders: int = 0,
        config: str = "A",
        speed: float | None = PAGE_SPEED,
        burst: int = 0,
    ) -> None:
        command = [
            sys.executable,
            "-m",
            "tests.support.hostile",
            f"--port={port}",
            f"--never-reads={never_reads}",
            f"--never-credits={never_credits}",
            f"--flooders={flooders}",
            f"--config={config}",
            f"--speed={speed or 'max'}",
            f"--burst={burst}",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.kill()
            raise RuntimeError("the hostile clients did not connect")
        self.ready: dict[str, Any] = json.loads(line)
        expected = never_reads + never_credits + flooders
        if self.ready["connected"] < expected:
            self.kill()
            raise RuntimeError(f"only {self.ready['connected']} of {expected} connected")

    @property
    def reader_ports(self) -> list[int]:
        return list(self.ready["reader_ports"])

    def quiet(self) -> None:
        """The never-readers stop sending too (silent, sockets still open)."""
        assert self.process.stdin is not None
        self.process.stdin.write("quiet\n")
        self.process.stdin.flush()

    def stop(self) -> dict[str, Any]:
        out, _ = self.process.communicate("stop\n", timeout=30)
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()
