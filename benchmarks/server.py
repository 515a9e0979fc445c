"""Live-session benchmark: what one browser gets, and what many sessions get, over loopback.

Starts `python -m app` (the same server the README starts) on a free port, then drives it
with asyncio websocket clients that behave like the browser: one credit per frame
received. Prints markdown tables (medians over the run); never pass/fail.

    .venv/bin/python benchmarks/server.py            # configs A-D, then 1/10/25/50 sessions
    .venv/bin/python benchmarks/server.py --quick    # shorter runs
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from typing import Any

from websockets.asyncio.client import connect

HEADER_EPOCH, FOCUS = struct.Struct("<d"), struct.Struct("<H")  # docs/protocol.md §6 offsets
CREDIT = json.dumps({"type": "credit", "frames": 1})
ALL = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
CONFIGS: dict[str, dict[str, Any]] = {
    "A": {"dataset": "circle", "network_shape": [4, 2], "features": ["x", "y"], "batch_size": 10},
    "B": {"dataset": "spiral", "network_shape": [8] * 6, "features": ALL, "batch_size": 10},
    "C": {"dataset": "spiral", "network_shape": [8] * 6, "features": ALL, "batch_size": 1},
    "D": {"dataset": "spiral", "network_shape": [8] * 6, "features": ALL, "batch_size": 30},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int, capture: bool = False) -> subprocess.Popen[bytes]:
    """`python -m app` (the README's command) with limits raised for load generation."""
    env = {
        **os.environ,
        "NN_PLAYGROUND_MAX_SESSIONS": "1000",
        "NN_PLAYGROUND_MESSAGES_PER_SECOND": "10000",
        "NN_PLAYGROUND_MESSAGE_BURST": "10000",
    }
    command = [sys.executable, "-m", "app", "--port", str(port), "--workers", str(workers)]
    # A captured log goes to a file: an unread pipe fills up and blocks the server's loop.
    output = tempfile.TemporaryFile() if capture else subprocess.DEVNULL  # noqa: SIM115 (the process outlives this call)
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=output)
    server.log = output if capture else None  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("server did not start")


async def session(
    url: str, settings: dict[str, Any], seconds: float, probe_every: float, speed: float | None
) -> dict[str, Any]:
    """Play for `seconds`, one credit per frame; every `probe_every` s toggle the focus and
    time how long until a frame shows it (control -> first frame reflecting it)."""
    async with connect(url, compression=None, max_size=2**24) as ws:
        hello = {"type": "hello", "settings": {**settings, "speed": speed, "seed": "bench"}}
        await ws.send(json.dumps(hello))
        await ws.send(json.dumps({"type": "credit", "frames": 2}))
        await ws.send(json.dumps({"type": "play"}))
        frames, sizes, latencies, epochs = 0, [], [], []
        start = time.monotonic()
        next_probe, probe_sent, focus = start + probe_every, None, None
        while (now := time.monotonic()) - start < seconds:
            if probe_sent is None and now >= next_probe:
                focus = None if focus == 1 else 1
                await ws.send(json.dumps({"type": "focus", "layer": focus, "unit": 0}))
                probe_sent = now
            try:
                message = await asyncio.wait_for(ws.recv(), timeout=1.0)
            except TimeoutError:
                continue
            if isinstance(message, str):
                continue
            # Only the header: a full decode per frame would make the client the bottleneck.
            epoch, focus_layer = (
                HEADER_EPOCH.unpack_from(message, 8)[0],
                FOCUS.unpack_from(message, 34)[0],
            )
            frames += 1
            sizes.append(len(message))
            epochs.append(epoch)
            await ws.send(CREDIT)
            shows = focus_layer == (0xFFFF if focus is None else focus)
            if probe_sent is not None and shows:
                latencies.append(time.monotonic() - probe_sent)
                probe_sent, next_probe = None, time.monotonic() + probe_every
        elapsed = time.monotonic() - start
        return {
            "fps": frames / elapsed,
            "eps": (epochs[-1] - epochs[0]) / elapsed if epochs else 0,
            "bytes": statistics.median(sizes) if sizes else 0,
            "latency": latencies,
        }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


async def one_client_table(url: str, seconds: float) -> None:
    print("\n### One browser-like client per config (speed 60 epochs/s, and max)\n")
    print("| config | speed | frames/s | epochs/s | bytes/frame | control→frame p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, settings in CONFIGS.items():
        for speed in (60, None):
            r = await session(url, settings, seconds, 0.25, speed)
            print(
                f"| {name} | {speed or 'max'} | {r['fps']:.1f} | {r['eps']:.0f} | "
                f"{r['bytes']:.0f} | {pct(r['latency'], 0.5):.1f} | {pct(r['latency'], 0.95):.1f} |"
            )


async def many_clients_table(url: str, seconds: float, counts: list[int]) -> None:
    print("\n### N concurrent config-A sessions (speed 60 epochs/s each)\n")
    print("| sessions | frames/s each (median) | min | epochs/s each | control p95 ms |")
    print("|---|---|---|---|---|")
    for n in counts:
        results = await asyncio.gather(
            *(session(url, CONFIGS["A"], seconds, 0.5, 60) for _ in range(n))
        )
        fps = [r["fps"] for r in results]
        lat = [x for r in results for x in r["latency"]]
        eps = statistics.median(r["eps"] for r in results)
        print(
            f"| {n} | {statistics.median(fps):.1f} | {min(fps):.1f} | {eps:.0f} | "
            f"{pct(lat, 0.95):.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sessions", default="1,10,25,50")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else 6.0
    port = free_port()
    server = start_server(port, args.workers)
    try:
        url = f"ws://127.0.0.1:{port}/ws"
        print(f"server: python -m app --workers {args.workers}; {os.cpu_count()} cores")
        asyncio.run(one_client_table(url, seconds))
        counts = [int(n) for n in args.sessions.split(",")]
        asyncio.run(many_clients_table(url, seconds, counts))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
