"""Load: N concurrent browser-like sessions against `python -m app`, with 1 and 2 workers.

Starts the server the README's way (`python -m app`, i.e. `nn-playground`) on a free port,
opens N sessions at once (tests/support/clients.py's `session`: one credit per frame received,
a focus probe every 0.5 s to time control -> first frame reflecting it), lets them play
config A or B (docs/architecture.md §4) at the default speed of 60 epochs/s, and prints one markdown
row per point: per-session frames/s (median and worst), epochs/s, p95 control latency, the
server's CPU (utime+stime of every server process, from /proc, over the run) and RSS, the
load generator's own CPU and the rest of the machine's (they share its cores), and errors.
Then the CPU cost of one session at full pace, which gives the sessions one core holds even
when the machine is busy with other work. Never pass/fail.

    .venv/bin/python benchmarks/load.py                       # 10,25,50,100 x A,B x 1,2 workers
    .venv/bin/python benchmarks/load.py --seconds 5 --workers 1 --sessions 10,50
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.clients import CONFIGS, pct, session  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402
from tests.support.processes import (  # noqa: E402
    cpu_seconds,
    machine_busy_seconds,
    process_tree,
    rss_bytes,
    start_server,
)

PAGE_SPEED = 60  # epochs/s: the page's default speed


# -- one load point ---------------------------------------------------------------------------


@dataclass
class Point:
    workers: int
    config: str
    sessions: int
    fps: list[float]
    eps: list[float]
    latency: list[float]
    server_cpu: float  # fraction of one core, averaged over the run
    server_rss: int
    client_cpu: float
    others_cpu: float  # everything else on the machine, in cores
    errors: Counter[str]

    def row(self) -> str:
        fps = self.fps or [0.0]
        eps = statistics.median(self.eps) if self.eps else 0.0
        errors = ", ".join(f"{n}× {kind}" for kind, n in self.errors.items()) or "0"
        return (
            f"| {self.workers} | {self.config} | {self.sessions} | "
            f"{statistics.median(fps):.1f} | {min(fps):.1f} | {eps:.0f} | "
            f"{pct(self.latency, 0.95):.0f} | {100 * self.server_cpu:.0f}% | "
            f"{self.server_rss / 2**20:.0f} | {100 * self.client_cpu:.0f}% | "
            f"{100 * self.others_cpu:.0f}% | {errors} |"
        )


async def load_point(
    url: str, server_pid: int, workers: int, config: str, n: int, seconds: float
) -> Point:
    """N sessions of `config` at once for `seconds`; server CPU over exactly that window."""
    pids = process_tree(server_pid)
    cpu0, client0, t0 = cpu_seconds(pids), time.process_time(), time.monotonic()
    busy0 = machine_busy_seconds()
    results = await asyncio.gather(
        *(session(url, CONFIGS[config], seconds, 0.5, PAGE_SPEED) for _ in range(n)),
        return_exceptions=True,
    )
    wall = time.monotonic() - t0
    busy = machine_busy_seconds() - busy0
    pids = process_tree(server_pid)
    server_cpu = cpu_seconds(pids) - cpu0
    client_cpu = time.process_time() - client0
    ok = [r for r in results if isinstance(r, dict)]
    errors = Counter(type(r).__name__ for r in results if isinstance(r, BaseException))
    errors.update("no frames" for r in ok if r["fps"] == 0)
    return Point(
        workers=workers,
        config=config,
        sessions=n,
        fps=[r["fps"] for r in ok],
        eps=[r["eps"] for r in ok],
        latency=[x for r in ok for x in r["latency"]],
        server_cpu=server_cpu / wall,
        server_rss=rss_bytes(pids),
        client_cpu=client_cpu / wall,
        others_cpu=max(0.0, busy - server_cpu - client_cpu) / wall,
        errors=errors,
    )


HEADER = (
    "| workers | config | sessions | frames/s each (median) | min | epochs/s each | "
    "control p95 ms | server CPU (1 core = 100%) | server RSS MB | load generator CPU | "
    "rest of the machine CPU | errors |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def cost_table(url: str, server_pid: int, configs: list[str], seconds: float) -> None:
    """What one session at the page's pace costs the server in CPU time, measured with a few
    sessions (far from saturating a core). CPU time, unlike frames/s, hardly depends on what
    else the machine runs, so `1000 / cost` is a fair estimate of the sessions one core holds
    at that pace (before the per-session pace starts to drop)."""
    print("\n### CPU cost of one session (4 at once, 1 worker)\n")
    print("| config | frames/s | epochs/s | server CPU ms per session-second |", end="")
    print(" sessions one core holds at this pace |\n|---|---|---|---|---|")
    for config in configs:
        point = asyncio.run(load_point(url, server_pid, 1, config, 4, seconds))
        cost = 1000 * point.server_cpu / point.sessions
        print(
            f"| {config} | {statistics.median(point.fps):.1f} | "
            f"{statistics.median(point.eps):.0f} | {cost:.0f} | {1000 / cost:.0f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per point (default 5)")
    parser.add_argument("--sessions", default="10,25,50,100")
    parser.add_argument("--configs", default="A,B")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    counts = [int(n) for n in args.sessions.split(",")]
    configs = args.configs.split(",")
    print(f"{os.cpu_count()} cores; {args.seconds:g} s per point; speed {PAGE_SPEED} epochs/s\n")
    print(HEADER, flush=True)
    for workers in (int(w) for w in args.workers.split(",")):
        port = free_port()
        server = start_server(port, workers)
        try:
            url = f"ws://127.0.0.1:{port}/ws"
            asyncio.run(session(url, CONFIGS["A"], 1.0, 0.5, PAGE_SPEED))  # warm every import
            for config in configs:
                for n in counts:
                    point = asyncio.run(
                        load_point(url, server.pid, workers, config, n, args.seconds)
                    )
                    print(point.row(), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)
    port = free_port()
    server = start_server(port, 1)
    try:
        url = f"ws://127.0.0.1:{port}/ws"
        asyncio.run(session(url, CONFIGS["A"], 1.0, 0.5, PAGE_SPEED))
        cost_table(url, server.pid, configs, max(args.seconds, 8.0))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
