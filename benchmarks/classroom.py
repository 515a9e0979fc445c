"""A class on one machine: N browser-like students on `--workers 2`, optionally beside a
hostile mix, with the per-worker CPU split (issue 12's capacity target).

Starts `python -m app --workers 2` (limits raised for load generation, as benchmarks/load.py
does), then runs N students (tests/support/clients.py's `session`: config A, the page's 60
epochs/s, one credit per frame, a focus probe every 0.5 s timing control -> frame). With
`--hostile` the students share the server with, each from its own loopback address (so the
per-address caps apply to them, not to the class):

- a junk-CSV uploader: `"a\\n"` x 650,000 (1.3 MB) every 0.8 s;
- a step bomber: `step 1000` on config C (6x8, batch size 1), again as soon as answered;
- a max-speed player that never grants credit;
- a reconnecting flooder: connect, hello, close, as fast as it can;
- 150 silent sockets that never say hello.

With `--class` it measures the classroom's own cost instead (issue 22): the same N students
run twice, as strangers and as one class (each joined at /c/<code> and saying `join_class`,
a teacher's dashboard polling live.json once a second), and it prints the server's CPU
(both workers) for each and the difference. The classroom's budget is 5% at 50 students.

Prints one markdown row per run (frames/s and epochs/s per student: median and 10th
percentile; control-to-frame p95; the 90th percentile of the wait from hello to a student's
first frame, what a class joining at once waits for its pictures; CPU of each worker; the
CPU of this load generator, which shares the machine's cores with the server; the machine's
load average), then what each hostile client got. Never pass/fail.

    .venv/bin/python benchmarks/classroom.py                   # 50 students, 15 s, with and without
    .venv/bin/python benchmarks/classroom.py --sessions 20 --seconds 8 --only hostile
    .venv/bin/python benchmarks/classroom.py --class                 # the classroom's cost
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.classroom import Teacher, join  # noqa: E402
from tests.support.clients import CONFIGS, PAGE_SPEED, browser_cookie, pct, session  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402
from tests.support.processes import cpu_seconds, start_server  # noqa: E402

JUNK = "a\n" * 650_000
HELLO = json.dumps({"type": "hello", "protocol": 1})


async def open_ws(url: str, source: str) -> Any:
    return await connect(url, compression=None, max_size=2**24, local_addr=(source, 0))


async def junk_uploader(url: str, stop: float, got: Counter[str]) -> None:
    ws = await open_ws(url, "127.0.0.2")
    await ws.send(HELLO)
    upload = json.dumps({"type": "upload_csv", "content": JUNK})
    try:
        while time.monotonic() < stop:
            await ws.send(upload)
            await asyncio.sleep(0.8)
            while True:  # drain what came back
                try:
                    message = await asyncio.wait_for(ws.recv(), 0.001)
                except TimeoutError:
                    break
                if isinstance(message, str) and json.loads(message)["type"] == "error":
                    got[json.loads(message)["code"]] += 1
    except ConnectionClosed as closed:
        got[f"closed {closed.rcvd.code if closed.rcvd else '?'}"] += 1
    await ws.close()


async def step_bomber(url: str, stop: float, got: Counter[str]) -> None:
    ws = await open_ws(url, "127.0.0.3")
    settings = {**CONFIGS["C"], "seed": "bomb"}
    await ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": settings}))
    try:
        while time.monotonic() < stop:
            await ws.send(json.dumps({"type": "step", "epochs": 1000}))
            while time.monotonic() < stop:
                message = await asyncio.wait_for(ws.recv(), max(0.01, stop - time.monotonic()))
                if isinstance(message, str):
                    kind = json.loads(message)
                    if kind["type"] in ("state", "error"):
                        got[kind.get("code", "state answered")] += 1
                        break
    except (TimeoutError, ConnectionClosed):
        pass
    await ws.close()


async def never_credits(url: str, stop: float, got: Counter[str]) -> None:
    ws = await open_ws(url, "127.0.0.4")
    hello = {"type": "hello", "protocol": 1, "settings": {"speed": None}}
    await ws.send(json.dumps(hello))
    await ws.send(json.dumps({"type": "play"}))
    try:
        while time.monotonic() < stop:
            message = await asyncio.wait_for(ws.recv(), max(0.01, stop - time.monotonic()))
            got[
                "frames (must be 0)" if isinstance(message, bytes) else json.loads(message)["type"]
            ] += 1
    except (TimeoutError, ConnectionClosed):
        pass
    await ws.close()


async def reconnector(url: str, stop: float, got: Counter[str]) -> None:
    while time.monotonic() < stop:
        try:
            ws = await open_ws(url, "127.0.0.5")
            await ws.send(HELLO)
            message = await asyncio.wait_for(ws.recv(), 2)
            got["admitted" if isinstance(message, str) else "?"] += 1
            await ws.close()
        except ConnectionClosed as closed:
            got[f"refused {closed.rcvd.code if closed.rcvd else '?'}"] += 1
        except (OSError, TimeoutError) as exc:
            got[type(exc).__name__] += 1


async def silent(url: str, stop: float, got: Counter[str], count: int = 150) -> None:
    sockets = []
    for _ in range(count):
        try:
            sockets.append(await open_ws(url, "127.0.0.6"))
        except (OSError, ConnectionClosed) as exc:
            got[f"refused at open ({type(exc).__name__})"] += 1
    got["opened"] += len(sockets)

    async def wait_close(ws: Any) -> None:
        try:
            await asyncio.wait_for(ws.recv(), max(0.01, stop - time.monotonic()))
        except ConnectionClosed as closed:
            reason = closed.rcvd.reason[:30] if closed.rcvd else "?"
            got[f"closed {closed.rcvd.code if closed.rcvd else '?'} ({reason})"] += 1
        except TimeoutError:
            got["still open at the end"] += 1

    await asyncio.gather(*(wait_close(ws) for ws in sockets))


HOSTILE = {
    "junk-CSV uploader": junk_uploader,
    "step bomber": step_bomber,
    "max speed, never grants credit": never_credits,
    "reconnecting flooder": reconnector,
    "150 silent sockets": silent,
}


def children(pid: int) -> list[int]:
    """The direct children of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def worker_pids(server_pid: int) -> list[int]:
    """The worker processes (spawned by the supervisor), not the supervisor itself nor
    multiprocessing's resource tracker, nor the workers' helper processes (their children)."""
    workers = []
    for pid in children(server_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            workers.append(pid)
    return workers


async def run(
    url: str, server_pid: int, n: int, seconds: float, hostile: bool
) -> tuple[str, dict[str, Counter[str]]]:
    """One class period; its table row and what the hostile clients got."""
    got: dict[str, Counter[str]] = {name: Counter() for name in HOSTILE} if hostile else {}
    stop = time.monotonic() + seconds + 2
    attackers = [asyncio.create_task(fn(url, stop, got[name])) for name, fn in HOSTILE.items()
                 if hostile]  # fmt: skip
    if hostile:
        await asyncio.sleep(1.0)  # the attack is on before the class starts
    port = urlsplit(url).port or 80
    cookies = [browser_cookie(port) for _ in range(n)]  # each student its own browser, as a page
    pids = worker_pids(server_pid)
    cpu0 = {pid: cpu_seconds([pid]) for pid in pids}
    own0 = time.process_time()
    t0 = time.monotonic()
    students = [
        session(url, CONFIGS["A"], seconds, 0.5, PAGE_SPEED, cookie=cookies[i]) for i in range(n)
    ]
    results = await asyncio.gather(*students, return_exceptions=True)
    wall = time.monotonic() - t0
    own = 100 * (time.process_time() - own0) / wall
    cpu = sorted(100 * (cpu_seconds([pid]) - cpu0[pid]) / wall for pid in pids)
    await asyncio.gather(*attackers, return_exceptions=True)
    ok = [r for r in results if isinstance(r, dict)]
    failed = Counter(type(r).__name__ for r in results if isinstance(r, BaseException))
    errors = ", ".join(f"{n}x {kind}" for kind, n in failed.items()) or "0"
    fps, eps = [r["fps"] for r in ok], [r["eps"] for r in ok]
    latency = [x for r in ok for x in r["latency"]]
    # A student who saw no frame counts as waiting the whole period.
    first = [r["first"] if r["first"] is not None else seconds for r in ok]
    split = " / ".join(f"{c:.0f}%" for c in cpu)
    ratio = cpu[-1] / cpu[0] if cpu and cpu[0] > 0 else float("nan")
    load = os.getloadavg()[0]
    row = (
        f"| {'with' if hostile else 'without'} | {n} ({len(ok)} ok) | "
        f"{statistics.median(fps):.1f} | {pct(fps, 0.1) / 1000:.1f} | "
        f"{statistics.median(eps):.0f} | {pct(eps, 0.1) / 1000:.0f} | {pct(latency, 0.95):.0f} | "
        f"{pct(first, 0.9) / 1000:.1f} | "
        f"{split} | {ratio:.2f} | {own:.0f}% | {load:.1f} | {errors} |"
    )
    return row, got


async def class_period(
    url: str, http: str, server_pid: int, n: int, seconds: float, in_class: bool
) -> tuple[float, float, float]:
    """N students for `seconds`, strangers or one class with its dashboard open: (server CPU
    of both workers, in % of one core; median frames/s; median epochs/s)."""
    joins: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    teacher = None
    if in_class:
        teacher = Teacher(http)
        for i in range(n):
            token = join(http, teacher.code, f"Student {i + 1}")["token"]
            joins[i] = [{"type": "join_class", "code": teacher.code, "token": token}]
    stop = time.monotonic() + seconds

    async def dashboard() -> None:  # the teacher's page: live.json once a second
        while teacher is not None and time.monotonic() < stop:
            await asyncio.to_thread(teacher.live)
            await asyncio.sleep(1.0)

    pids = worker_pids(server_pid)
    cpu0, t0 = cpu_seconds(pids), time.monotonic()
    students = [session(url, CONFIGS["A"], seconds, 0.5, PAGE_SPEED, joins[i]) for i in range(n)]
    results = await asyncio.gather(dashboard(), *students)
    cpu = 100 * (cpu_seconds(pids) - cpu0) / (time.monotonic() - t0)
    ok = [r for r in results[1:] if isinstance(r, dict)]
    return cpu, statistics.median(r["fps"] for r in ok), statistics.median(r["eps"] for r in ok)


def classroom_cost(port: int, server_pid: int, n: int, seconds: float, rounds: int) -> None:
    """Strangers, then a class, `rounds` times each, alternating (the VM's speed drifts)."""
    url, http = f"ws://127.0.0.1:{port}/ws", f"http://127.0.0.1:{port}"
    print(
        "| round | students | class | server CPU (2 workers, 1 core = 100%) | "
        "frames/s median | epochs/s median | load avg |\n|---|---|---|---|---|---|---|"
    )
    cpu: dict[bool, list[float]] = {False: [], True: []}
    for k in range(rounds):
        for in_class in (False, True):
            used, fps, eps = asyncio.run(class_period(url, http, server_pid, n, seconds, in_class))
            cpu[in_class].append(used)
            print(
                f"| {k + 1} | {n} | {'yes' if in_class else 'no'} | {used:.0f}% | {fps:.1f} | "
                f"{eps:.0f} | {os.getloadavg()[0]:.1f} |",
                flush=True,
            )
            time.sleep(2)
    without, within = statistics.median(cpu[False]), statistics.median(cpu[True])
    print(
        f"\nclassroom cost: {within - without:+.1f} points of CPU, "
        f"{100 * (within - without) / without:+.1f}% of the server's CPU without a class"
    )


def wait_for_workers(port: int, count: int, seconds: float = 120) -> None:
    """Until `count` different worker pids have answered /healthz."""
    pids: set[int] = set()
    deadline = time.monotonic() + seconds
    while len(pids) < count and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                pids.add(json.load(r)["pid"])
        except OSError:
            time.sleep(0.2)


HEADER = (
    "| hostile mix | students | frames/s median | frames/s p10 | epochs/s median | "
    "epochs/s p10 | control p95 ms | first frame p90 s | CPU per worker (1 core = 100%) | "
    "busier/other | load generator CPU | load avg (1 min) | student errors |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--only", choices=["normal", "hostile"], default=None)
    parser.add_argument(
        "--class",
        dest="classroom",
        action="store_true",
        help="measure the classroom's CPU cost (a class vs strangers)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --class: pairs of runs")
    args = parser.parse_args()
    port = free_port()
    # Classes of a run live in a throw-away data directory; the class joins all at once.
    os.environ.setdefault("NN_PLAYGROUND_DATA_DIR", tempfile.mkdtemp(prefix="nnp-bench-"))
    os.environ.setdefault("NN_PLAYGROUND_JOIN_BURST_PER_ADDRESS", "100000")
    server = start_server(port, 2)
    url = f"ws://127.0.0.1:{port}/ws"
    try:
        wait_for_workers(port, 2)
        asyncio.run(session(url, CONFIGS["A"], 1.0, 0.5, PAGE_SPEED))  # warm the imports
        if args.classroom:
            classroom_cost(port, server.pid, args.sessions, args.seconds, args.rounds)
            return
        print(f"{os.cpu_count()} cores, {args.seconds:g} s per run, config A at {PAGE_SPEED}/s\n")
        print(HEADER, flush=True)
        tallies = {}
        for hostile in (False, True):
            if args.only and args.only != ("hostile" if hostile else "normal"):
                continue
            row, got = asyncio.run(run(url, server.pid, args.sessions, args.seconds, hostile))
            print(row, flush=True)
            tallies.update(got)
            time.sleep(3)  # let the silent sockets' hello deadline pass
        if tallies:
            print("\n| hostile client | what it got |\n|---|---|")
            for name, counter in tallies.items():
                told = ", ".join(f"{n}x {what}" for what, n in counter.most_common()) or "-"
                print(f"| {name} | {told} |")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
