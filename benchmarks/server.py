"""Live-session benchmark: what one browser gets, and what many sessions get, over loopback.

Starts `python -m app` (the same server the README starts) on a free port, then drives it
with asyncio websocket clients that behave like the browser: one credit per frame
received. Prints markdown tables (medians over the run); never pass/fail.

    .venv/bin/python benchmarks/server.py            # configs A-D, then 1/10/25/50 sessions
    .venv/bin/python benchmarks/server.py --quick    # shorter runs
"""

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.clients import CONFIGS, pct, session  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402
from tests.support.processes import start_server  # noqa: E402


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
