"""The harness of the hostile-client regression tests (issue 20) and of benchmarks/hostile.py:
a server process, a bystander that measures what a student keeps, an attack in a process of
its own, and the server's memory and CPU from /proc.

What it is: `Server` (`python -m app` or any command, its process tree's RSS and CPU),
`Watcher` (one student playing config A at 60 epochs/s, a credit per frame received, a ping
every 0.1 s; frames/s and the worst ping of any time window), `Attack` (the handle on
`python -m tests.support.attacks`) and `Siege`, which runs one attack beside the watcher
and reports what the student kept.
What it is not: the attacks (tests/support/attacks.py).
Trade-off: three processes (server, attacker, test) so that neither the attacker's CPU nor
the measuring client's shares the server's GIL; the attacker runs at a lower priority, as a
real attacker's CPU is elsewhere.
"""

import asyncio
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import connect

from app.client import decode_header
from tests.support.clients import CONFIGS, PAGE_SPEED
from tests.support.live_server import free_port
from tests.support.processes import ROOT, cpu_seconds, launch, process_tree, rss_bytes


class Server:
    """`python -m app --port P` with `env` (or `command`, any checkout's server, with {port})."""

    def __init__(self, env: dict[str, str] | None = None, command: str | None = None) -> None:
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}/ws"
        self.own_group = command is not None  # a shell command: stop its whole group
        if command is None:
            self.process = launch(self.port, env)
        else:
            self.process = subprocess.Popen(
                command.format(port=self.port), shell=True, env={**os.environ, **(env or {})},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
            wait_for_port(self.port)

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)

    def rss(self) -> int:
        return rss_bytes(self.pids())

    def idle_cpu(self, seconds: float = 1.0) -> float:
        """CPU seconds per second the server's processes use over `seconds`."""
        pids = self.pids()
        before, start = cpu_seconds(pids), time.monotonic()
        time.sleep(seconds)
        return (cpu_seconds(pids) - before) / (time.monotonic() - start)

    def back_to_idle(self, limit: float = 0.05, tries: int = 10) -> float:
        """Wait for the server to go quiet (work in flight may finish); the last fraction."""
        fraction = 1.0
        for _ in range(tries):
            fraction = self.idle_cpu(0.5)
            if fraction <= limit:
                break
        return fraction

    def stop(self) -> None:
        """SIGTERM (the supervisor stops its workers); SIGKILL if it does not end in 20 s
        (a server frozen by an attack does not)."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is not None:
                return
            if self.own_group:
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                continue


def wait_for_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


@dataclass
class Kept:
    """What the watching student got in a window."""

    fps: float
    eps: float
    worst_ping: float
    pings: int


class Watcher:
    """One well-behaved student (config A, 60 epochs/s, a credit per frame) that pings every
    0.1 s; all it saw is kept with times, so any window can be measured afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.frames: list[tuple[float, int]] = []  # (when, epoch)
        self.pings: dict[int, tuple[float, float | None]] = {}  # id -> (sent, rtt)
        self.stopping = False
        self.started = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.thread.start()
        if not self.started.wait(30) or self.error:
            raise RuntimeError(f"the watcher did not start: {self.error}")

    async def _run(self) -> None:
        try:
            async with connect(self.url, compression=None, max_size=2**24) as ws:
                settings = {**CONFIGS["A"], "speed": PAGE_SPEED, "seed": "watcher"}
                await ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": settings}))
                await ws.send(json.dumps({"type": "credit", "frames": 2}))
                await ws.send(json.dumps({"type": "play"}))
                await asyncio.gather(self._read(ws), self._ping(ws))
        except BaseException as exc:  # noqa: BLE001 (reported by window())
            self.error = exc
            self.started.set()

    async def _read(self, ws: Any) -> None:
        while not self.stopping:
            try:
                message = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            now = time.monotonic()
            if isinstance(message, bytes):
                self.frames.append((now, decode_header(message).epoch))
                await ws.send('{"type":"credit","frames":1}')
                self.started.set()
            else:
                answer = json.loads(message)
                if answer["type"] == "pong" and answer["id"] in self.pings:
                    sent = self.pings[answer["id"]][0]
                    self.pings[answer["id"]] = (sent, now - sent)

    async def _ping(self, ws: Any) -> None:
        n = 0
        while not self.stopping:
            n += 1
            self.pings[n] = (time.monotonic(), None)
            await ws.send(json.dumps({"type": "ping", "id": n}))
            await asyncio.sleep(0.1)

    def window(self, start: float, end: float) -> Kept:
        """Frames/s, epochs/s and the worst ping in [start, end]; a ping unanswered at
        `end` counts as long as it has waited so far."""
        frames = [(t, e) for t, e in self.frames if start <= t <= end]
        span = end - start
        eps = (frames[-1][1] - frames[0][1]) / span if len(frames) > 1 else 0.0
        rtts = [
            (rtt if rtt is not None else end - sent)
            for sent, rtt in list(self.pings.values())
            if start <= sent <= end
        ]
        return Kept(len(frames) / span, eps, max(rtts, default=float("inf")), len(rtts))

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(timeout=10)


class Attack:
    """`python -m tests.support.attacks NAME` at a lower priority: waits until it is under
    way (it prints a JSON line), then `stop()` returns its tally."""

    def __init__(self, port: int, name: str, **options: Any) -> None:
        command = [sys.executable, "-m", "tests.support.attacks", name, f"--port={port}"]
        command += [f"--option={k}={json.dumps(v)}" for k, v in options.items()]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.kill()
            raise RuntimeError(f"the attack {name} did not get under way")
        self.ready: dict[str, Any] = json.loads(line)

    def stop(self) -> dict[str, Any]:
        out, _ = self.process.communicate("stop\n", timeout=60)
        tally: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return tally

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


@dataclass
class Outcome:
    kept: Kept
    rss_growth: int  # bytes, the server's peak over its RSS before the attack
    tally: dict[str, Any]
    ready: dict[str, Any]


def siege(server: Server, name: str, seconds: float = 4.0, **options: Any) -> Outcome:
    """Run attack `name` beside a watching student for `seconds` (after it is under way);
    what the student kept, how much the server grew, and what the attack saw."""
    watcher = Watcher(server.url)
    try:
        time.sleep(0.5)  # the student's own start is not the attack's doing
        rss0 = server.rss()
        attack = Attack(server.port, name, **options)
        try:
            start, peak = time.monotonic(), rss0
            while time.monotonic() - start < seconds:
                peak = max(peak, server.rss())
                time.sleep(0.1)
            kept = watcher.window(start, time.monotonic())
        finally:
            tally = attack.stop()
    finally:
        watcher.stop()
    return Outcome(kept, peak - rss0, tally, attack.ready)
