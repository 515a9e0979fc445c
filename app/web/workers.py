"""Even workers: one SO_REUSEPORT listening socket per worker process (issue 12).

What it is: a small supervisor for `--workers N`: it starts N worker processes, each binding
its own socket to the same address with SO_REUSEPORT and serving it with uvicorn; it
restarts a worker that dies and stops them all on SIGINT/SIGTERM.
What it is not: a replacement for uvicorn's single-worker path (cli.py still calls
`uvicorn.run` for one worker).
Trade-off: uvicorn's own `--workers` shares one listening socket, so whichever idle worker
wakes first takes the next connection; with 50 connections opened together the split was
31% / 67% of CPU. With one socket per worker the kernel hashes each new connection (by its
address and port) onto one socket, which spreads a class evenly. The price: a worker that
is busy still receives its hashed share, which for many equal sessions is exactly right.
"""

import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from app.web.drain import serve

RESTART_PAUSE_SECONDS = 1.0


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port that other processes may bind too (Linux)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    # Not listening yet: uvicorn listens once the app is loaded, so the kernel never hashes
    # a connection onto a worker that is still importing (it would wait in its backlog).
    return sock


def serve_one(host: str, port: int, max_message_bytes: int) -> None:
    """One worker: its own socket, the app built by the factory (settings from the env)."""
    sock = reuse_port_socket(host, port)
    config = uvicorn.Config(
        "app.web.main:create_app",
        factory=True,
        ws_per_message_deflate=False,
        ws_max_size=max_message_bytes + 1024,
        log_level="info",
    )
    serve(config, sockets=[sock])  # drains on SIGTERM, as the single-worker command does


def supervise(
    workers: int, host: str, port: int, max_message_bytes: int, grace: float = 5.0
) -> None:
    """Run `workers` processes until SIGINT/SIGTERM; restart any that dies meanwhile. Each
    worker drains within `grace` seconds (drain.py), then uvicorn's close may take as long."""
    context = multiprocessing.get_context("spawn")  # a clean interpreter per worker
    args = (host, port, max_message_bytes)
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def spawn() -> BaseProcess:
        proc: BaseProcess = context.Process(target=serve_one, args=args, daemon=False)
        proc.start()
        return proc

    procs = [spawn() for _ in range(workers)]
    while not stopping:
        time.sleep(0.2)
        for i, proc in enumerate(procs):
            if not proc.is_alive() and not stopping:
                time.sleep(RESTART_PAUSE_SECONDS)  # a crash loop must not spin
                procs[i] = spawn()
    for proc in procs:
        proc.terminate()  # SIGTERM: each worker drains (drain.py) and exits
    for proc in procs:
        proc.join(timeout=2 * grace + 5)
        if proc.is_alive():
            proc.kill()
