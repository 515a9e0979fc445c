"""A browser-like websocket client: plays a config, grants one credit per frame received and
times how long a control takes to show in a frame.

What it is: the well-behaved client that benchmarks measure and the slow-client tests keep
their pace beside hostile ones (`session`, `measure`), and the configs of docs/architecture.md §4.
What it is not: a full decoder (app/client.py) or a hostile client (tests/support/hostile.py).
Trade-off: it reads only the frame header, so that the client, not the server, is never the
bottleneck of a measurement.
"""

import asyncio
import json
import statistics
import time
import urllib.request
from typing import Any

from websockets.asyncio.client import connect

from app.client import decode_header
from app.protocol.frame_layout import OUTPUT_FOCUS
from app.web.identity import COOKIE
from tests.support.loops import run_in_thread

PAGE_SPEED = 60  # epochs/s, the page's default
CREDIT = json.dumps({"type": "credit", "frames": 1})
ALL = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
CONFIGS: dict[str, dict[str, Any]] = {
    "A": {"dataset": "circle", "network_shape": [4, 2], "features": ["x", "y"], "batch_size": 10},
    "B": {"dataset": "spiral", "network_shape": [8] * 6, "features": ALL, "batch_size": 10},
    "C": {"dataset": "spiral", "network_shape": [8] * 6, "features": ALL, "batch_size": 1},
    "D": {"dataset": "spiral", "network_shape": [8] * 6, "features": ALL, "batch_size": 30},
}


async def session(
    url: str,
    settings: dict[str, Any],
    seconds: float,
    probe_every: float,
    speed: float | None,
    after_hello: list[dict[str, Any]] | None = None,
    cookie: str | None = None,
) -> dict[str, Any]:
    """Play for `seconds`, one credit per frame; every `probe_every` s toggle the focus and
    time how long until a frame shows it (control -> first frame reflecting it).
    `after_hello`: messages sent right after the hello (a class member's `join_class`);
    `cookie`: the Cookie header the page's browser would send (its identity, identity.py)."""
    headers = {"Cookie": cookie} if cookie else None
    async with connect(url, compression=None, max_size=2**24, additional_headers=headers) as ws:
        hello = {"type": "hello", "settings": {**settings, "speed": speed, "seed": "bench"}}
        await ws.send(json.dumps(hello))
        for message in after_hello or []:
            await ws.send(json.dumps(message))
        await ws.send(json.dumps({"type": "credit", "frames": 2}))
        await ws.send(json.dumps({"type": "play"}))
        frames, sizes, latencies, epochs = 0, [], [], []
        start, first = time.monotonic(), None
        next_probe, probe_sent, focus = start + probe_every, None, None
        while (now := time.monotonic()) - start < seconds:
            if probe_sent is None and now >= next_probe:
                focus = None if focus == 1 else 1
                await ws.send(json.dumps({"type": "focus", "layer": focus, "unit": 0}))
                probe_sent = now
            try:
                async with asyncio.timeout(1.0):  # not wait_for: a task per frame, on a shared CPU
                    message = await ws.recv()
            except TimeoutError:
                continue
            if isinstance(message, str):
                continue
            # Only the header: a full decode per frame would make the client the bottleneck.
            header = decode_header(message)
            epoch, focus_layer = header.epoch, header.focus[0]
            frames += 1
            first = first if first is not None else time.monotonic() - start
            sizes.append(len(message))
            epochs.append(epoch)
            await ws.send(CREDIT)
            shows = focus_layer == (OUTPUT_FOCUS if focus is None else focus)
            if probe_sent is not None and shows:
                latencies.append(time.monotonic() - probe_sent)
                probe_sent, next_probe = None, time.monotonic() + probe_every
        elapsed = time.monotonic() - start
        return {
            "fps": frames / elapsed,
            "eps": (epochs[-1] - epochs[0]) / elapsed if epochs else 0,
            "bytes": statistics.median(sizes) if sizes else 0,
            "latency": latencies,
            "first": first,  # seconds from the hello to the first frame (None: no frame)
        }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


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
    return run_in_thread(normal_client(port, seconds / runs, runs))


def browser_cookie(port: int) -> str | None:
    """The identity cookie a browser gets with the page (app/web/pages.py), as a Cookie
    header value: students measured with it share the CPU per browser, as real pages do."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith(f"{COOKIE}="):
                return header.split(";", 1)[0]
    return None
