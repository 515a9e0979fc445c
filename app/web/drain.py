"""The drain: what a worker does between SIGTERM and exit, so a rolling update loses nothing.

What it is: `Drain`, one per app (the lifespan hands it to the server), which knows every open
connection; and `DrainingServer`, uvicorn's server with one step added to its shutdown. On
SIGTERM (or SIGINT) the server stops listening first, so the balancer's next connection attempt
fails at once and goes to another replica; then every connection is frozen (nothing trains any
more), sent a final checkpoint of exactly where it stopped, and closed with 1012 "service
restart", which the page and the Python client read as "reconnect now"; the worker then waits
for each client to answer that close before the TCP connection ends, so nothing sent is lost
to a reset. Only then does uvicorn's own shutdown run. The whole drain is bounded by
`shutdown_grace_seconds`: a client that stopped reading cannot hold a stopping worker.
What it is not: the supervisor of `--workers N` (workers.py: it passes SIGTERM on to each
worker, and each drains itself), nor a delay before stopping: in Kubernetes the preStop hook
waits until the Service and the Ingress have stopped sending new connections
(deploy/kubernetes.yaml), and a balancer in front of plain processes sees the closed port
(deploy/haproxy.cfg retries elsewhere).
Trade-off: all connections are frozen and checkpointed in one synchronous sweep, with no await
in between, so no epoch is trained after its checkpoint (what makes a drain cost ~0 training);
the sweep holds the event loop for about a millisecond per session, once, at exit.
"""

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import uvicorn
from fastapi import FastAPI
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from app.playground import checkpoint
from app.web.state import ConnectionState

CLOSE_SERVICE_RESTART = 1012  # RFC 6455 registry: "service restart", reconnect
RESTARTING = "server restarting: reconnect now"
logger = logging.getLogger("nn_playground")


class Drain:
    """Every open connection of one app, and whether the app is draining."""

    def __init__(self, grace_seconds: float) -> None:
        self.grace_seconds = grace_seconds
        self.draining = False
        self.connections: set[ConnectionState] = set()

    def join(self, conn: ConnectionState) -> bool:
        """Count a new connection; False once draining (the caller closes it with 1012)."""
        if self.draining:
            return False
        self.connections.add(conn)
        return True

    def leave(self, conn: ConnectionState) -> None:
        self.connections.discard(conn)

    async def run(self) -> int:
        """Freeze, checkpoint and close every connection; returns how many were closed.

        Connections that arrive meanwhile are refused by `join`; the sends and closes run
        side by side, so one client that stopped reading delays only itself."""
        self.draining = True
        finals = [(conn, freeze(conn)) for conn in list(self.connections)]  # no await: exact
        with anyio.move_on_after(self.grace_seconds):
            async with anyio.create_task_group() as tg:
                for conn, final in finals:
                    tg.start_soon(close_with_checkpoint, conn, final)
        return len(finals)


def freeze(conn: ConnectionState) -> dict[str, Any] | None:
    """Stop the connection's training for good and take its final checkpoint (None without a
    usable session). CLOSING ends the runner's loop and makes the reader ignore messages."""
    conn.close()
    conn.wake.set()
    if conn.session is None:
        return None
    try:
        final = checkpoint.take(conn.session)
        conn.ws.app.state.classroom.sign(conn, final)  # classroom hook: a member's proof
        return final
    except Exception:  # a session broken by a bug: its client keeps its previous checkpoint
        logger.exception("no final checkpoint for a failed session")
        return None


async def close_with_checkpoint(conn: ConnectionState, final: dict[str, Any] | None) -> None:
    try:
        if final is not None:
            await conn.outbox.send_json({"type": "checkpoint", "checkpoint": final})
        await conn.ws.close(CLOSE_SERVICE_RESTART, RESTARTING)
    except (WebSocketDisconnect, WebSocketDisconnected, RuntimeError, OSError):
        pass  # the client left, or its socket closed meanwhile: nothing to hand over


def lifespan_for(drain: Drain) -> Any:
    """The app's lifespan: it hands `drain` to the server through the lifespan state (the
    ASGI way for an app to share an object with the server that runs it)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        yield {"drain": drain}

    return lifespan


class DrainingServer(uvicorn.Server):
    """uvicorn's Server, whose shutdown drains the app before closing what is left."""

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        drain = getattr(self, "lifespan", None) and self.lifespan.state.get("drain")
        if isinstance(drain, Drain):
            start = time.monotonic()
            for server in getattr(self, "servers", []):
                server.close()  # stop admitting: a balancer's next try goes elsewhere
            for sock in sockets or []:
                sock.close()
            closed = await drain.run()
            await self.close_handshakes(start + drain.grace_seconds)
            spent = time.monotonic() - start
            logger.info("drained %d connection(s) in %.3f s", closed, spent)
            # uvicorn then waits for the closing handshakes, within what is left of the grace.
            self.config.timeout_graceful_shutdown = max(1, math.ceil(drain.grace_seconds - spent))
        await super().shutdown(sockets=sockets)

    async def close_handshakes(self, deadline: float) -> None:
        """Wait, until `deadline`, for every client to answer the close it was sent, so the
        client's side ends the TCP connection first (RFC 6455 §7.1.1). uvicorn's shutdown
        closes it at once instead, and a client that sends anything before it reads the
        close (a credit for the frame it just drew) then meets a reset, after which its
        websocket library drops what it had not read yet: the final checkpoint
        (tests/api/test_drain.py, the client that reads late)."""
        while time.monotonic() < deadline and any(
            awaits_close_reply(c) for c in self.server_state.connections
        ):
            await asyncio.sleep(0.02)


def awaits_close_reply(connection: Any) -> bool:
    """A websocket connection whose close frame went out and whose client has not answered
    it yet (uvicorn's protocols: the transport closes when the answer comes)."""
    transport = getattr(connection, "transport", None)
    return bool(getattr(connection, "close_sent", False)) and not (
        transport is None or transport.is_closing()
    )


def serve(config: uvicorn.Config, sockets: list[Any] | None = None) -> None:
    """Run `config` until SIGTERM/SIGINT, then drain (the command's and each worker's way)."""
    DrainingServer(config).run(sockets=sockets)
