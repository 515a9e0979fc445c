"""Protocol fuzzing at scale: 100,000 hostile messages against a real server, then a tally.

Same generator as tests/api/test_fuzz.py (which runs a few thousand in CI). Starts
`python -m app` with a generous rate limit, sends every message on one connection (reopened
after a documented close), and prints what came back, the server's error log lines, and
whether a fresh session still trains afterwards.

    .venv/bin/python benchmarks/fuzz.py [--count 100000]
"""

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.client import PlaygroundClient  # noqa: E402
from tests.support.fuzz_messages import exchange, messages, tally_answer  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402
from tests.support.processes import start_server  # noqa: E402


def fuzz(url: str, count: int) -> Counter[str]:
    tally: Counter[str] = Counter()
    state = {"ws": connect(url, max_size=2**24, ping_interval=None).__enter__()}

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(message=messages)
    def one(message: tuple[str, object]) -> None:
        try:
            tally_answer(tally, exchange(state["ws"], *message, probe=sum(tally.values())))
        except ConnectionClosed as exc:
            tally[f"closed {exc.rcvd.code if exc.rcvd else 'without a code'}"] += 1
            state["ws"] = connect(url, max_size=2**24, ping_interval=None).__enter__()

    one()
    state["ws"].close()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, 1, capture=True)
    url = f"ws://127.0.0.1:{port}/ws"
    started = time.monotonic()
    try:
        tally = fuzz(url, args.count)
        elapsed = time.monotonic() - started
        with PlaygroundClient(url, seed="after-fuzz") as pc:
            healthy = pc.step(5)["epoch"] == 5
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.log.seek(0)
        log = server.log.read().decode(errors="replace")
    print(
        f"{sum(tally.values())} messages in {elapsed:.0f} s "
        f"({sum(tally.values()) / elapsed:.0f}/s); fresh session trains afterwards: {healthy}\n"
    )
    print("| answer | count |\n|---|---|")
    for answer, n in tally.most_common():
        print(f"| {answer} | {n} |")
    errors = [line for line in log.splitlines() if "ERROR" in line or "Traceback" in line]
    print(f"\nserver error-log lines: {len(errors)}")
    for line in errors[:20]:
        print("   ", line)
    print(json.dumps({"internal_errors": tally.get("internal", 0)}))


if __name__ == "__main__":
    main()
