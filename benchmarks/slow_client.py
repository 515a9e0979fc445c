"""Slow and hostile clients: the server's memory stays flat and a normal client keeps its pace.

Starts `python -m app` with the shipped default limits (the message-rate limit included,
which benchmarks/server.py's `start_server` raises for load generation) and measures a
browser-like client (benchmarks/server.py's `session`, config A at 60 epochs/s) alone and
beside a crowd of hostile clients running in their own process (so their CPU never slows
the measuring client's event loop):

- never reading: a raw socket sends hello, credit and play, keeps granting credit, and
  never reads a byte. The server may hold one pending frame for it, never a queue: once the
  kernel's socket buffers are full it stops producing frames for it altogether;
- never granting credit: reads everything and must receive no binary frame at all;
- flooding: pings as fast as the socket takes them, reconnecting after every 1008 close.

Prints markdown tables: the server's RSS (/proc/PID/status VmRSS) and what the kernel holds
for the never-readers, sampled through a long run with every kind at once; then the normal
client's frames/s and epochs/s per scenario and the ratio to running alone. Never
pass/fail: tests/api/test_slow_clients.py asserts looser bounds in CI.

    .venv/bin/python benchmarks/slow_client.py                  # 60 s together, 20 s each kind
    .venv/bin/python benchmarks/slow_client.py --seconds 20 --each 10 --hostile 5
"""

import argparse
import asyncio
import base64
import contextlib
import json
import os
import select
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.load import cpu_seconds, rss_bytes  # noqa: E402
from benchmarks.server import CONFIGS, free_port, session  # noqa: E402

PAGE_SPEED = 60  # epochs/s, the page's default
# Hostile clients may play a config of benchmarks/server.py, or this one: no hidden layer,
# batch 100. Its frames are as big (~10 kB: the 100x100 map dominates) for a tenth of the
# CPU, so a test on a small CI machine measures the hostile behaviour, not its capacity.
SETTINGS = {
    **CONFIGS,
    "cheap": {"dataset": "circle", "network_shape": [], "features": ["x", "y"], "batch_size": 100},
}


def launch(port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`python -m app --port PORT` with the shipped defaults plus `env`; ready at /healthz.

    Unlike benchmarks/server.py's `start_server`, which raises the message-rate and session
    limits for load generation, this keeps every limit as deployed (and drops any
    NN_PLAYGROUND_* variable of the caller's environment, so the defaults are the defaults).
    """
    command = [sys.executable, "-m", "app", "--port", str(port)]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NN_PLAYGROUND_")}
    full_env.update(env or {})
    server = subprocess.Popen(
        command, env=full_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    server.wait()
    raise RuntimeError("server did not start")


def live_sessions(port: int) -> int:
    """The server's own count of live sessions (/healthz)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return int(json.loads(response.read())["sessions"])


def kernel_backlog(server_port: int, client_ports: list[int]) -> int:
    """Bytes the server's kernel holds for these clients (tx_queue of the server's sockets in
    /proc/net/tcp): sent by the server process, not yet read by the client."""
    total = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":"), fields[2].split(":")
        if int(local[1], 16) == server_port and int(remote[1], 16) in client_ports:
            total += int(fields[4].split(":")[0], 16)
    return total


def backlog_settled(server_port: int, client_ports: list[int], seconds: float = 30.0) -> int:
    """Wait until the server has stopped sending to these clients (what the kernel holds for
    them has not changed for a second, and is not nothing); returns that backlog."""
    deadline = time.monotonic() + seconds
    last, steady_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = kernel_backlog(server_port, client_ports)
        if now != last:
            last, steady_since = now, time.monotonic()
        elif now > 0 and time.monotonic() - steady_since >= 1.0:
            return now
        time.sleep(0.1)
    raise TimeoutError(f"the server kept sending to clients that never read ({last} B held)")


# -- hostile clients ------------------------------------------------------------------------


def text_frame(payload: str) -> bytes:
    """One masked text frame (RFC 6455 §5.2), as every client must send."""
    data = payload.encode()
    mask = os.urandom(4)
    if len(data) < 126:
        header = struct.pack("!BB", 0x81, 0x80 | len(data))
    elif len(data) < 2**16:
        header = struct.pack("!BBH", 0x81, 0x80 | 126, len(data))
    else:
        header = struct.pack("!BBQ", 0x81, 0x80 | 127, len(data))
    key = (mask * (len(data) // 4 + 1))[: len(data)]
    masked = (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(len(data), "big")
    return header + mask + masked


async def raw_websocket(port: int, receive_buffer: int = 4096) -> asyncio.StreamWriter:
    """Open /ws by hand, read the 101 response, then never read again.

    The small SO_RCVBUF (set before connecting, so the TCP window stays small) keeps our
    side's buffer tiny; the server's side still absorbs a few MB before it is full.
    """
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=sock, limit=receive_buffer)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in response.split(b"\r\n", 1)[0]:
        writer.close()
        raise RuntimeError(f"handshake refused: {response[:60]!r}")
    writer.transport.pause_reading()  # from here on, nothing is read
    return writer


def _send(writer: asyncio.StreamWriter, message: dict[str, Any]) -> bool:
    """Queue a message unless our own send buffer is backed up (the server stopped reading
    us); never blocks, so a stalled server cannot stall the hostile client."""
    if writer.transport.is_closing() or writer.transport.get_write_buffer_size() > 65536:
        return False
    writer.write(text_frame(json.dumps(message)))
    return True


@dataclass
class Tally:
    """What the hostile clients did and saw (a client that never reads sees nothing)."""

    connected: int = 0
    reader_ports: list[int] = field(default_factory=list)  # local ports of the never-readers
    messages_sent: int = 0
    frames_received: int = 0  # by the clients that never grant credit: must stay 0
    json_received: Counter[str] = field(default_factory=Counter)
    closes: Counter[str] = field(default_factory=Counter)  # close code -> count
    refusals: Counter[str] = field(default_factory=Counter)  # error code -> count


async def never_reads(
    port: int,
    settings: dict[str, Any],
    stop: asyncio.Event,
    quiet: asyncio.Event,
    tally: Tally,
    burst: int = 0,
) -> None:
    """hello + credit + play, then credit every 0.1 s (10 messages/s), never a read.
    Once `quiet` is set it sends nothing either, and keeps the socket open until `stop`.

    With `burst`, that many regenerate commands come first and 40 more a second follow:
    each is answered with the whole new data set (~15 kB of JSON), so the server soon
    blocks answering one, inside its reader, where frames alone would take ~10 s to fill
    what the kernel buffers for one socket on loopback (~3 MB).
    """
    writer = await raw_websocket(port)
    tally.connected += 1
    tally.reader_ports.append(writer.get_extra_info("sockname")[1])
    regenerate = {"type": "regenerate"}
    try:
        hello = {"type": "hello", "protocol": 1, "settings": settings}
        for message in (hello, {"type": "credit", "frames": 8}, {"type": "play"}):
            tally.messages_sent += _send(writer, message)
        for _ in range(burst):
            tally.messages_sent += _send(writer, regenerate)
        while not stop.is_set():
            if not quiet.is_set():
                tally.messages_sent += _send(writer, {"type": "credit", "frames": 8})
                for _ in range(4 if burst else 0):
                    tally.messages_sent += _send(writer, regenerate)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.1)
    finally:
        writer.transport.abort()


async def never_credits(
    url: str, settings: dict[str, Any], stop: asyncio.Event, tally: Tally
) -> None:
    """hello + play, reads everything, never grants a frame; pings once a second so that
    the idle timeout does not apply to it."""
    async with connect(url, compression=None, max_size=2**24) as ws:
        tally.connected += 1
        await ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": settings}))
        await ws.send(json.dumps({"type": "play"}))
        tally.messages_sent += 2
        last_ping = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - last_ping > 1:
                await ws.send(json.dumps({"type": "ping"}))
                tally.messages_sent += 1
                last_ping = time.monotonic()
            try:
                message = await asyncio.wait_for(ws.recv(), 0.2)
            except TimeoutError:
                continue
            if isinstance(message, bytes):
                tally.frames_received += 1
            else:
                tally.json_received[json.loads(message)["type"]] += 1


async def flooder(url: str, stop: asyncio.Event, tally: Tally) -> None:
    """Pings as fast as the socket takes them, reading the answers; reconnects after the
    server closes it for flooding (1008), until `stop`."""
    while not stop.is_set():
        try:
            async with connect(url, compression=None, max_size=2**24) as ws:
                tally.connected += 1

                async def read() -> None:
                    async for raw in ws:
                        message = json.loads(raw)
                        if message["type"] == "error":
                            tally.refusals[message["code"]] += 1
                        else:
                            tally.json_received[message["type"]] += 1

                reading = asyncio.create_task(read())
                try:
                    while not stop.is_set() and not reading.done():
                        await ws.send('{"type":"ping"}')
                        tally.messages_sent += 1
                        await asyncio.sleep(0)  # send() rarely waits: let the reader run
                except ConnectionClosed:
                    pass
                finally:
                    reading.cancel()
                    await asyncio.gather(reading, return_exceptions=True)
                if ws.close_code is not None:
                    tally.closes[str(ws.close_code)] += 1
        except (ConnectionClosed, OSError):
            pass


async def run_crowd(args: argparse.Namespace) -> None:
    """The `crowd` subcommand: start the clients, print a JSON line when all are connected,
    then obey stdin lines ("quiet": never-readers stop sending; "stop" or EOF: finish) and
    print the final tally as a JSON line. It runs at a lower CPU priority: the attackers
    of a real server are elsewhere, so their own CPU use should not count against it."""
    os.nice(10)
    url = f"ws://127.0.0.1:{args.port}/ws"
    settings = {**SETTINGS[args.config], "speed": PAGE_SPEED, "seed": "hostile"}
    readers = {**settings, "speed": args.speed}
    stop, quiet, tally = asyncio.Event(), asyncio.Event(), Tally()
    tasks = [
        *(
            never_reads(args.port, readers, stop, quiet, tally, args.burst)
            for _ in range(args.never_reads)
        ),
        *(never_credits(url, settings, stop, tally) for _ in range(args.never_credits)),
        *(flooder(url, stop, tally) for _ in range(args.flooders)),
    ]
    running = [asyncio.create_task(t) for t in tasks]
    while tally.connected < len(tasks) and not any(t.done() for t in running):
        await asyncio.sleep(0.02)
    print(json.dumps({"connected": tally.connected, "reader_ports": tally.reader_ports}))
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    while (line := (await loop.run_in_executor(None, sys.stdin.readline)).strip()) != "stop":
        if not line:
            break  # EOF: the parent is gone
        if line == "quiet":
            quiet.set()
    stop.set()
    await asyncio.gather(*running, return_exceptions=True)
    print(json.dumps({k: dict(v) if isinstance(v, Counter) else v for k, v in vars(tally).items()}))


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
            str(Path(__file__).resolve()),
            "crowd",
            f"--port={port}",
            f"--never-reads={never_reads}",
            f"--never-credits={never_credits}",
            f"--flooders={flooders}",
            f"--config={config}",
            f"--speed={speed or 'max'}",
            f"--burst={burst}",
        ]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
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


# -- measuring ------------------------------------------------------------------------------


async def normal_client(port: int, seconds: float, runs: int) -> dict[str, float]:
    """Median frames/s and epochs/s of `runs` back-to-back browser-like sessions (config A,
    the page's 60 epochs/s)."""
    url = f"ws://127.0.0.1:{port}/ws"
    results = [await session(url, CONFIGS["A"], seconds, 0.5, PAGE_SPEED) for _ in range(runs)]
    return {
        "fps": statistics.median(r["fps"] for r in results),
        "eps": statistics.median(r["eps"] for r in results),
    }


def measure(port: int, seconds: float, runs: int) -> dict[str, float]:
    """`normal_client` from synchronous code, on a thread of its own: the caller's thread
    may already run an event loop (Playwright's sync API does, under pytest)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, normal_client(port, seconds / runs, runs)).result()


def describe(tally: dict[str, Any]) -> str:
    parts = [f"{tally['connected']} connections", f"{tally['messages_sent']} msgs sent"]
    if tally["json_received"]:
        parts.append(", ".join(f"{n} {kind}" for kind, n in tally["json_received"].items()))
    parts.append(f"{tally['frames_received']} frames received")
    if tally["refusals"]:
        parts.append(", ".join(f"{n} {code}" for code, n in tally["refusals"].items()))
    if tally["closes"]:
        parts.append(", ".join(f"{n}× close {code}" for code, n in tally["closes"].items()))
    return "; ".join(parts)


def together(port: int, server: subprocess.Popen[bytes], seconds: float, hostile: int) -> None:
    """Every kind at once for `seconds`: RSS, kernel backlog and the normal client's pace
    in 5-second windows."""
    rss0 = rss_bytes([server.pid])
    crowd = Crowd(port, never_reads=hostile, never_credits=hostile, flooders=1)
    rows = []
    try:
        start = time.monotonic()
        while (elapsed := time.monotonic() - start) < seconds:
            window = min(5.0, seconds - elapsed)
            cpu0, t0 = cpu_seconds([server.pid]), time.monotonic()
            pace = measure(port, window, 1)
            cpu = (cpu_seconds([server.pid]) - cpu0) / (time.monotonic() - t0)
            rows.append(
                (
                    time.monotonic() - start,
                    rss_bytes([server.pid]),
                    kernel_backlog(port, crowd.reader_ports),
                    pace,
                    cpu,
                )
            )
        tally = crowd.stop()
    finally:
        crowd.kill()
    print(f"\n### All at once: {hostile} never reading + {hostile} never granting credit")
    print("+ 1 flooder, beside one normal client\n")
    print(f"RSS before the crowd connected: {rss0 / 2**20:.1f} MiB. Crowd: {describe(tally)}.\n")
    print("| t (s) | server RSS MiB | kernel holds for the never-readers KiB |", end="")
    print(" server CPU | normal client frames/s | epochs/s |\n|---|---|---|---|---|---|")
    for t, rss, held, pace, cpu in rows:
        print(
            f"| {t:.0f} | {rss / 2**20:.1f} | {held / 1024:.0f} | {cpu:.0%} | "
            f"{pace['fps']:.1f} | {pace['eps']:.1f} |"
        )


def each_kind(port: int, server: subprocess.Popen[bytes], seconds: float, hostile: int) -> None:
    """The normal client's pace beside each kind in turn; the server's CPU tells capacity
    (the crowd's sessions train like anyone's) from harm done by misbehaving."""
    runs = max(1, round(seconds / 5))

    def paced() -> tuple[dict[str, float], float]:
        cpu0, t0 = cpu_seconds([server.pid]), time.monotonic()
        pace = measure(port, seconds, runs)
        return pace, (cpu_seconds([server.pid]) - cpu0) / (time.monotonic() - t0)

    alone, cpu = paced()
    plans = [
        (f"{hostile} never reading", {"never_reads": hostile}),
        (f"{hostile} never granting credit", {"never_credits": hostile}),
        ("1 flooder (reconnects after each 1008)", {"flooders": 1}),
        (f"all of them ({hostile} + {hostile} + 1)", {
            "never_reads": hostile, "never_credits": hostile, "flooders": 1}),
    ]  # fmt: skip
    print(f"\n### The normal client (config A, {PAGE_SPEED} epochs/s) beside each kind\n")
    print("| beside | frames/s | epochs/s | ratio frames/s | ratio epochs/s | server CPU |", end="")
    print(" the crowd |\n|---|---|---|---|---|---|---|")
    print(f"| nothing | {alone['fps']:.1f} | {alone['eps']:.1f} | 1.00 | 1.00 | {cpu:.0%} | – |")
    for name, kinds in plans:
        crowd = Crowd(port, **kinds)
        try:
            pace, cpu = paced()
            tally = crowd.stop()
        finally:
            crowd.kill()
        print(
            f"| {name} | {pace['fps']:.1f} | {pace['eps']:.1f} | "
            f"{pace['fps'] / alone['fps']:.2f} | {pace['eps'] / alone['eps']:.2f} | "
            f"{cpu:.0%} | {describe(tally)} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    crowd = sub.add_parser("crowd", help="(internal) run hostile clients until told to stop")
    crowd.add_argument("--port", type=int, required=True)
    crowd.add_argument("--never-reads", type=int, default=0)
    crowd.add_argument("--never-credits", type=int, default=0)
    crowd.add_argument("--flooders", type=int, default=0)
    crowd.add_argument("--config", default="A", choices=sorted(SETTINGS))
    crowd.add_argument(
        "--speed",
        type=lambda v: None if v == "max" else float(v),
        default=PAGE_SPEED,
        help="epochs/s of the never-readers (the others play at the page's 60)",
    )
    crowd.add_argument("--burst", type=int, default=0, help="regenerates per never-reader")
    crowd.add_argument(
        "--reader-speed", type=lambda v: None if v == "max" else float(v), default=PAGE_SPEED
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="all kinds together")
    parser.add_argument("--each", type=float, default=20.0, help="per kind (default 20 s)")
    parser.add_argument("--hostile", type=int, default=10, help="clients of each kind")
    args = parser.parse_args()
    if args.command == "crowd":
        asyncio.run(run_crowd(args))
        return
    port = free_port()
    server = launch(port)
    try:
        print(f"server: python -m app (default limits); {os.cpu_count()} cores; ", end="")
        print(f"load average {os.getloadavg()[0]:.1f} at start")
        together(port, server, args.seconds, args.hostile)
        each_kind(port, server, args.each, args.hostile)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
