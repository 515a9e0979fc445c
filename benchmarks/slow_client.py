"""Slow and hostile clients: the server's memory stays flat and a normal client keeps its pace.

Starts `python -m app` with the shipped default limits (the message-rate limit included,
which tests/support/processes.py's `start_server` raises for load generation) and measures a
browser-like client (tests/support/clients.py's `session`, config A at 60 epochs/s) alone and
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
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.support.clients import PAGE_SPEED, measure  # noqa: E402
from tests.support.crowd import Crowd  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402
from tests.support.processes import cpu_seconds, kernel_backlog, launch, process_tree, rss_bytes  # noqa: E402

# -- measuring ------------------------------------------------------------------------------


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
    rss0 = rss_bytes(process_tree(server.pid))
    crowd = Crowd(port, never_reads=hostile, never_credits=hostile, flooders=1)
    rows = []
    try:
        start = time.monotonic()
        while (elapsed := time.monotonic() - start) < seconds:
            window = min(5.0, seconds - elapsed)
            cpu0, t0 = cpu_seconds(process_tree(server.pid)), time.monotonic()
            pace = measure(port, window, 1)
            cpu = (cpu_seconds(process_tree(server.pid)) - cpu0) / (time.monotonic() - t0)
            rows.append(
                (
                    time.monotonic() - start,
                    rss_bytes(process_tree(server.pid)),
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
        cpu0, t0 = cpu_seconds(process_tree(server.pid)), time.monotonic()
        pace = measure(port, seconds, runs)
        return pace, (cpu_seconds(process_tree(server.pid)) - cpu0) / (time.monotonic() - t0)

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
    parser.add_argument("--seconds", type=float, default=60.0, help="all kinds together")
    parser.add_argument("--each", type=float, default=20.0, help="per kind (default 20 s)")
    parser.add_argument("--hostile", type=int, default=10, help="clients of each kind")
    args = parser.parse_args()
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
