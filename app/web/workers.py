"""Even workers: one SO_REUSEPORT listening socket per worker process (issue 12), under a
supervisor that replaces a worker whose loop stopped beating (issue 20).

What it is: the supervisor for any number of workers (one included): it starts N worker
processes, each binding its own socket to the same address with SO_REUSEPORT and serving it
with uvicorn; it restarts a worker that dies, replaces one whose loop stopped beating
(watchdog.py), and on SIGINT/SIGTERM passes SIGTERM on to each worker, which drains itself.
What it is not: the heartbeat (watchdog.py), the drain (drain.py) or uvicorn's options
(serving.py).
Trade-off: uvicorn's own `--workers` shares one listening socket, so whichever idle worker
wakes first takes the next connection; with 50 connections opened together the split was
31% / 67% of CPU. With one socket per worker the kernel hashes each new connection (by its
address and port) onto one socket, which spreads a class evenly. The price: a worker that
is busy still receives its hashed share, which for many equal sessions is exactly right.
"""

import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from types import FrameType

from app.web.config import Settings
from app.web.serving import raise_open_files, uvicorn_config
from app.web.watchdog import BeatingServer, Watchdog, die_with_parent, spawn_context

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


def serve_one(host: str, port: int, beat: "Synchronized[float] | None" = None) -> None:
    """One worker: its own socket, the app built by the factory (settings from the env), a
    loop that beats the watchdog's heartbeat, and a drain on SIGTERM (drain.py)."""
    die_with_parent()
    settings = Settings.from_env()
    raise_open_files()
    sock = reuse_port_socket(host, port)
    config = uvicorn_config(settings, "app.web.main:create_app", factory=True)
    BeatingServer(config, beat).run(sockets=[sock])


def supervise(settings: Settings) -> None:
    """Run `settings.workers` processes until SIGINT/SIGTERM; restart any that dies
    meanwhile, and kill and restart any whose loop stopped beating (watchdog.py). Each worker
    drains within `shutdown_grace_seconds` (drain.py), then uvicorn's close may take as long."""
    context = spawn_context()
    workers, host, port = settings.workers, settings.host, settings.port
    watchdog = Watchdog(context, workers, settings.watchdog_timeout_seconds)
    stopping, received = False, signal.SIGTERM

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping, received
        stopping, received = True, signal.Signals(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def spawn(slot: int) -> BaseProcess:
        args = (host, port, watchdog.starting(slot))
        proc: BaseProcess = context.Process(target=serve_one, args=args, daemon=False)
        proc.start()
        return proc

    procs = [spawn(slot) for slot in range(workers)]
    while not stopping:
        time.sleep(0.2)
        for i, proc in enumerate(procs):
            if watchdog.kill_if_stuck(i, proc.pid):
                proc.join(timeout=5)  # SIGKILL: gone at once, even if stopped
            elif not proc.is_alive() and not stopping:
                time.sleep(RESTART_PAUSE_SECONDS)  # a crash loop must not spin
            else:
                continue
            if not stopping:
                procs[i] = spawn(i)
    for proc in procs:
        proc.terminate()  # SIGTERM: each worker drains (drain.py) and exits
    for proc in procs:
        proc.join(timeout=2 * settings.shutdown_grace_seconds + 5)
        if proc.is_alive():
            proc.kill()
    if workers == 1:  # end as the signal would have ended us, as uvicorn alone does
        signal.signal(received, signal.SIG_DFL)
        os.kill(os.getpid(), received)
