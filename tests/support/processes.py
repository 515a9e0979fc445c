"""Servers as subprocesses, and what /proc says about them: CPU, memory, socket backlogs.

What it is: `python -m app` started the README's way (`launch` with the shipped limits,
`start_server` with limits raised for load generation), /healthz's session count, and
Linux accounting (/proc/PID/stat, /proc/PID/status, /proc/net/tcp).
What it is not: a client (tests/support/clients.py, tests/support/hostile.py).
Trade-off: reading /proc ties this to Linux, which the project targets anyway; no psutil.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


def launch(port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`python -m app --port PORT` with the shipped defaults plus `env`; ready at /healthz.

    Unlike `start_server`, which raises the message-rate and session
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


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (which may contain spaces)."""
    return _stat_fields_of(Path(f"/proc/{pid}/stat"))


def process_tree(root: int) -> list[int]:
    """`root` and all its live descendants (uvicorn's supervisor and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
        except (OSError, ValueError, IndexError):
            continue  # exited while we looked
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds consumed so far by these processes (exited ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / CLOCK_TICKS


def cpu_fraction(pid: int, seconds: float = 1.0) -> float:
    """CPU used by process `pid` and its children per wall second, over `seconds`."""
    cpu0, wall0 = cpu_seconds(process_tree(pid)), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(process_tree(pid)) - cpu0) / (time.monotonic() - wall0)


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat): whatever else runs on the
    machine shows up as busy time that is neither the server's nor the load generator's."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def rss_bytes(pids: list[int]) -> int:
    """Sum of VmRSS over these processes (shared pages counted once per process)."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def thread_cpu_seconds(native_id: int) -> float:
    """User + system CPU seconds of one thread of this process (/proc/self/task/TID/stat):
    the in-process server's event loop runs in one thread, so this is the server's CPU."""
    fields = _stat_fields_of(Path(f"/proc/self/task/{native_id}/stat"))
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _stat_fields_of(path: Path) -> list[str]:
    """Fields of a /proc stat file after the command name (which may contain spaces)."""
    text = path.read_text()
    return text[text.rindex(")") + 2 :].split()
