"""Limits below the app: request heads, TCP connections per address, control frames, the
write buffer and unfinished messages (issue 20, items 4, 9, 10; docs/deploy.md).

What it is: two small subclasses of uvicorn's own protocols, built per worker by
`protocol_classes(settings)` and handed to uvicorn (app/web/serving.py), and `TransportGuard`,
the worker's book they share (open TCP connections per address group, bytes held in
unfinished websocket messages).
What it is not: message limits (connection.py, app/web/budgets.py) or admission of a
websocket (admission.py): those see whole messages; these see bytes and frames, which the
app never sees (a PING is answered by the protocol, a fragment is buffered by it).
Trade-off: subclasses of uvicorn's httptools and websockets-sansio protocols rather than a
proxy in front, because uvicorn has no setting for any of these: no timeout for a request
head (slowloris), no limit on PINGs (each PONG is written without looking at the write
buffer), and no deadline or per-worker cap for a message that is never finished. The
subclasses override a handful of hooks and call uvicorn for everything else; the price is
that a uvicorn upgrade may move a hook, which the PING-flood, slowloris and fragment tests
of tests/api/test_hostile_class.py catch.
"""

import asyncio
import contextlib
import ipaddress
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request

from app.web.admission import address_group
from app.web.config import Settings
from app.web.limits import TokenBucket

MAX_HEAD_BYTES = 64 * 1024  # a request line and headers (nginx: 4 x 8 KiB buffers by default)
CONTROL_BURST = 20  # control frames a client may send at once before the rate applies
TCP_PER_WEBSOCKET_CAP = 4  # open TCP connections per address: 4x its websocket cap (page loads)
CLOSE_POLICY, CLOSE_TRY_LATER = 1008, 1013
DRAIN_SECONDS = 10.0  # what a finished connection may still take to be read (as uvicorn's close)
CONTROL_OPCODES = frozenset({Opcode.PING, Opcode.PONG, Opcode.CLOSE})
HANDLERS = {  # uvicorn's handler for each frame type (WebSocketsSansIOProtocol.handle_events)
    Opcode.CONT: "handle_cont",
    Opcode.TEXT: "handle_text",
    Opcode.BINARY: "handle_bytes",
    Opcode.PING: "handle_ping",
    Opcode.PONG: "handle_pong",
    Opcode.CLOSE: "handle_close",
}


class TransportGuard:
    """One per worker: what its connections hold, by address group and in unfinished bytes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tcp_cap = TCP_PER_WEBSOCKET_CAP * settings.max_connections_per_address
        self.tcp_open: dict[str, int] = {}
        self.buffered = 0  # bytes of websocket messages begun and not finished, all connections
        self.trusted = trusted_networks(settings) if settings.trust_forwarded_for else []

    def open_tcp(self, peer: tuple[str, int] | None) -> str | None:
        """Count a new TCP connection; its group, or None when its address is over the cap.
        A trusted proxy carries everyone's connections: it is not capped here."""
        if peer is None or any(_in(peer[0], net) for net in self.trusted):
            return ""
        group = address_group(peer[0])
        if self.tcp_open.get(group, 0) >= self.tcp_cap:
            return None
        self.tcp_open[group] = self.tcp_open.get(group, 0) + 1
        return group

    def close_tcp(self, group: str) -> None:
        left = self.tcp_open.get(group, 0) - 1
        if left > 0:
            self.tcp_open[group] = left
        else:
            self.tcp_open.pop(group, None)


def trusted_networks(settings: Settings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """`trusted_proxies` as networks (an address is a /32 or /128); '*' trusts everyone."""
    nets = []
    for entry in settings.trusted_proxies:
        with contextlib.suppress(ValueError):
            nets.append(ipaddress.ip_network("0.0.0.0/0" if entry == "*" else entry, strict=False))
    return nets


def _in(host: str, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return ipaddress.ip_address(host) in net
    except ValueError:
        return False


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol with a deadline and a size cap on each request head, and a cap
    on open connections per address group (the file descriptors a slowloris would take)."""

    guard: ClassVar[TransportGuard]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group: str | None = None
        self.head_timer: asyncio.TimerHandle | None = None
        self.head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.group = self.guard.open_tcp(self.client)
        if self.group is None:
            transport.abort()  # over the cap: no answer is cheaper than any answer
            return
        self.await_head()

    def await_head(self) -> None:
        """A request head must arrive complete within the timeout (nginx's
        client_header_timeout); the clock starts at connect and after each response."""
        self.cancel_head()
        self.head_bytes = 0
        delay = self.guard.settings.request_head_timeout_seconds
        self.head_timer = self.loop.call_later(delay, self.head_too_slow)

    def cancel_head(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def head_too_slow(self) -> None:
        self.head_timer = None
        self.refuse(b"408 Request Timeout", b"request head not received in time\n")

    def refuse(self, status: bytes, body: bytes) -> None:
        if not self.transport.is_closing():
            head = b"HTTP/1.1 " + status + b"\r\nconnection: close\r\ncontent-length: "
            self.transport.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.head_timer is not None:
            self.head_bytes += len(data)
            if self.head_bytes > MAX_HEAD_BYTES:
                self.cancel_head()
                self.refuse(b"431 Request Header Fields Too Large", b"request head too large\n")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self.cancel_head()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self.await_head()  # the next request on this keep-alive connection

    def handle_websocket_upgrade(self) -> None:
        """The websocket protocol takes the connection over, and its accounting with it."""
        self.cancel_head()
        super().handle_websocket_upgrade()
        successor = self.transport.get_protocol()
        if isinstance(successor, GuardedWebSocketProtocol):
            successor.group, self.group = self.group, None

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_head()
        if self.group:
            self.guard.close_tcp(self.group)
        self.group = None
        super().connection_lost(exc)


class GuardedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol with a rate limit on control frames, a write
    buffer ceiling for the PONGs it writes by itself, and a deadline and a per-worker cap
    for messages begun and not finished."""

    guard: ClassVar[TransportGuard]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = self.guard.settings
        self.control = TokenBucket(limits.control_frames_per_second, CONTROL_BURST)
        self.group: str | None = None
        self.held = 0  # bytes of the current unfinished message (frames and parser buffer)
        self.held_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self.account()

    def handle_events(self) -> None:
        """uvicorn's dispatch, with every control frame (PING, PONG, CLOSE) charged to the
        connection's bucket first: past it, the connection is closed."""
        for event in self.conn.events_received():
            if isinstance(event, Request):
                self.handle_connect(event)
                continue
            if not isinstance(event, Frame):
                continue  # a server never receives a Response
            if event.opcode in CONTROL_OPCODES and not self.control.take():
                self.fail(CLOSE_POLICY, "too many control frames")
                return
            getattr(self, HANDLERS[event.opcode])(event)

    def handle_ping(self, event: Frame | None = None) -> None:
        """Write the PONG as uvicorn does, unless the client leaves it all unread: a peer that
        pings without reading would otherwise grow this buffer without end."""
        super().handle_ping()
        if self.transport.get_write_buffer_size() > self.guard.settings.max_write_buffer_bytes:
            self.fail(CLOSE_POLICY, "the client does not read what it asks for")

    def account(self) -> None:
        """Bytes of the message under way: fragments kept so far, plus a frame in the parser."""
        held = sum(len(f) for f in self.frames) + len(self.conn.reader.buffer)
        self.guard.buffered += held - self.held
        if held and not self.held:
            delay = self.guard.settings.message_timeout_seconds
            self.held_timer = self.loop.call_later(delay, self.message_too_slow)
        elif not held:
            self.stop_holding()
        self.held = held
        if held and self.guard.buffered > self.guard.settings.max_buffered_message_bytes:
            self.fail(CLOSE_TRY_LATER, "the server holds too many unfinished messages")

    def message_too_slow(self) -> None:
        self.held_timer = None
        if self.held:
            self.fail(CLOSE_POLICY, "message not finished in time")

    def stop_holding(self) -> None:
        if self.held_timer is not None:
            self.held_timer.cancel()
            self.held_timer = None

    def fail(self, code: int, reason: str) -> None:
        """Close at once: a close frame if one can still go, then the socket; the app hears
        a disconnect. What the connection held is given back."""
        self.stop_holding()
        self.guard.buffered -= self.held
        self.held = 0
        self.frames = []
        if self.transport.is_closing():
            return
        if not self.close_sent and self.handshake_complete:
            self.conn.fail(code, reason)
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.close_sent = True
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        if self.transport.get_write_buffer_size() > self.guard.settings.max_write_buffer_bytes:
            self.transport.abort()  # it reads nothing: a close would wait for it for ever
        else:
            self.transport.close()

    async def run_asgi(self) -> None:
        """After the app is done, what it sent gets DRAIN_SECONDS to be read; a peer that
        reads nothing would otherwise hold its unsent bytes (an export: megabytes) for as
        long as it keeps the socket open."""
        await super().run_asgi()
        if self.transport.get_write_buffer_size():
            self.loop.call_later(DRAIN_SECONDS, self.transport.abort)

    def connection_lost(self, exc: Exception | None) -> None:
        self.stop_holding()
        self.guard.buffered -= self.held
        self.held = 0
        if self.group:
            self.guard.close_tcp(self.group)
        self.group = None
        super().connection_lost(exc)


def protocol_classes(settings: Settings) -> tuple[type[asyncio.Protocol], type[asyncio.Protocol]]:
    """(http, ws) protocol classes for one worker, sharing one TransportGuard."""
    guard = TransportGuard(settings)
    http = type("WorkerHttpProtocol", (GuardedHttpProtocol,), {"guard": guard})
    ws = type("WorkerWebSocketProtocol", (GuardedWebSocketProtocol,), {"guard": guard})
    return http, ws
