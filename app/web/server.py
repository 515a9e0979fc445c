"""WS /ws: one training session per websocket connection, a reader beside a runner.

What it is: the transport loop. The reader validates every client message (protocol.py) and
applies it to the Session; the runner trains at the session's pace in short slices and
sends a binary frame whenever the picture changed and the client has granted credit.
What it is not: training maths (engine/) or experiment rules (session.py).
Trade-off: training runs on the event loop in slices of at most SLICE_SECONDS, not in a
thread pool: NumPy on tiny matrices barely releases the GIL, so threads would add switching
cost without parallelism; slices keep every other connection responsive (design.md §5).
"""

import json
import logging
import math
import time
from typing import Any

import anyio
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from app.export import parse_json
from app.playground import checkpoint
from app.playground.session import Session, native_seed
from app.protocol.downloads import export_message
from app.protocol.frames import build_frame
from app.protocol.inbound import (
    PROTOCOL_VERSION,
    AddPoint,
    ClientMessage,
    Command,
    Credit,
    Export,
    Focus,
    Hello,
    Ping,
    PlaygroundSettings,
    ProtocolError,
    Query,
    SetBias,
    SetSettings,
    SetWeight,
    Step,
    Upload,
    merge_settings,
    parse_client_message,
)
from app.protocol.outbound import confusion_message, data_message, state_message
from app.web.admission import AddressBook, client_address
from app.web.config import Settings
from app.web.limits import TokenBucket, origin_allowed
from app.web.scheduler import FairScheduler, Meter
from app.web.uploads import parse_upload

router = APIRouter()
logger = logging.getLogger("nn_playground")

SLICE_SECONDS = 0.012
MIN_SLICE_SECONDS = 0.002
MAX_CREDIT = 8
CLOSE_GOING_AWAY, CLOSE_POLICY, CLOSE_TOO_BIG, CLOSE_TRY_LATER = 1001, 1008, 1009, 1013
STRIKES_BEFORE_CLOSE = 50
SERVER_FULL = "server full: too many live sessions, try again later"
NO_HELLO = "no hello in time: a connection must say hello first"
STRIKE_CODES = ("rate_limited", "too_large", "invalid_upload")
# The peer is gone: not a bug in the session, so never reported as an internal error.
GONE = (WebSocketDisconnect, WebSocketDisconnected)


@router.websocket("/ws")
async def playground_socket(websocket: WebSocket) -> None:
    settings: Settings = websocket.app.state.settings
    if not origin_allowed(websocket.headers, settings.allowed_origins):
        await websocket.close(CLOSE_POLICY, "origin not allowed")  # before accept: HTTP 403
        return
    book: AddressBook = websocket.app.state.addresses
    address = client_address(websocket.client, websocket.headers, settings.trust_forwarded_for)
    refusal = book.admit(address)
    await websocket.accept()
    if refusal is not None:
        await websocket.close(CLOSE_TRY_LATER, refusal)
        return
    registry: set[Connection] = websocket.app.state.sessions
    connection = Connection(websocket, settings, registry)
    try:
        await connection.run()
    except* GONE:
        pass  # the client left (possibly while a task was sending): nothing to clean up
    finally:
        registry.discard(connection)
        book.release(address)
        connection.scheduler.forget(id(connection))


class Connection:
    """The state of one websocket: its session, credit, pacing and rate limit."""

    def __init__(self, websocket: WebSocket, settings: Settings, registry: set[Any]) -> None:
        self.ws, self.limits, self.registry = websocket, settings, registry
        self.hello_deadline = time.monotonic() + settings.hello_timeout_seconds
        self.scheduler: FairScheduler = websocket.app.state.scheduler
        self.session: Session | None = None
        self.credit = 0
        self.seq = 0
        self.sent_version = -1
        self.sent_data_version = -1
        self.inputs_sent = False
        self.next_frame = 0.0  # monotonic time the next frame may go: a fixed cadence
        self.last_checkpoint = time.monotonic()
        self.checkpoint_due = False
        self.reading = False  # a credit arrived since the last checkpoint: the client reads
        self.epoch_debt = 0.0
        self.bucket = TokenBucket(settings.messages_per_second, settings.message_burst)
        self.strikes = 0
        self.failed = False
        self.wake = anyio.Event()

    async def run(self) -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(self.runner)
            await self.reader()
            tg.cancel_scope.cancel()

    # -- reader -----------------------------------------------------------------------------

    async def reader(self) -> None:
        while True:
            wait = self.limits.idle_timeout_seconds
            if self not in self.registry:  # no session yet: the hello deadline runs
                wait = min(wait, max(0.0, self.hello_deadline - time.monotonic()))
            with anyio.move_on_after(wait) as idle:
                message = await self.ws.receive()
            if idle.cancelled_caught:
                silent = self not in self.registry
                reason = NO_HELLO if silent else "closed after a long idle time"
                with anyio.move_on_after(self.limits.send_timeout_seconds):
                    await self.ws.close(CLOSE_POLICY if silent else CLOSE_GOING_AWAY, reason)
                return
            if message["type"] == "websocket.disconnect":
                return
            if not await self.receive_one(message.get("text"), message.get("bytes")):
                return

    async def receive_one(self, text: str | None, data: bytes | None) -> bool:
        """Handle one frame from the client; False when the connection must end."""
        if not self.bucket.take():
            return await self.refuse(ProtocolError("rate_limited", "too many messages; slow down"))
        if text is None:
            size = len(data or b"")
            error = ProtocolError("binary_not_accepted", f"binary frame ({size} B) not accepted")
            return await self.refuse(error)
        if len(text) > self.limits.max_message_bytes:
            limit = self.limits.max_message_bytes
            return await self.refuse(ProtocolError("too_large", f"message over {limit} bytes"))
        try:
            msg = parse_client_message(text)
            if not self.admitted(msg):
                await self.ws.close(CLOSE_TRY_LATER, SERVER_FULL)
                return False
            await self.dispatch(msg)
        except ProtocolError as exc:
            return await self.refuse(exc)
        except GONE:
            raise
        except Exception:
            await self.internal_error()
        self.wake.set()
        return True

    def admitted(self, msg: ClientMessage) -> bool:
        """Count this connection toward max_sessions when it first asks for a session.

        Only a session costs training time, so only sessions fill the server: pings and
        credit before hello create nothing and take no slot (issue 12, item 3).
        """
        if self in self.registry or isinstance(msg, Ping | Credit):
            return True
        if len(self.registry) >= self.limits.max_sessions:
            return False
        self.registry.add(self)
        return True

    async def refuse(self, error: ProtocolError) -> bool:
        """Answer a bad message with a typed error; a flooding client is eventually closed."""
        await self.send_json(error.to_message())
        if error.code in STRIKE_CODES:
            self.strikes += 1
        if self.strikes > STRIKES_BEFORE_CLOSE:
            await self.ws.close(CLOSE_POLICY, "too many refused messages")
            return False
        return True

    async def dispatch(self, msg: ClientMessage) -> None:
        if isinstance(msg, Hello):
            self.hello(msg)
            self.checkpoint_due = True
        elif isinstance(msg, Credit):
            self.credit = min(MAX_CREDIT, self.credit + msg.frames)
            self.reading = True
            return
        elif isinstance(msg, Ping):
            await self.send_json({"type": "pong", "id": msg.id})
            return
        elif isinstance(msg, Upload) and msg.type == "import_json":
            self.import_json(msg.content)
            self.checkpoint_due = True
        else:
            session = self.ensure_session()
            if isinstance(msg, Focus):
                session.set_focus(msg.layer, msg.unit)
                return
            if await self.query(session, msg):
                return
            await self.command(session, msg)
        await self.send_state()

    async def command(self, session: Session, msg: ClientMessage) -> None:
        if isinstance(msg, SetSettings):
            session.apply(msg.settings)
        elif isinstance(msg, SetWeight):
            session.set_weight(msg.layer, msg.src, msg.dst, msg.value)
        elif isinstance(msg, SetBias):
            session.set_bias(msg.layer, msg.node, msg.value)
        elif isinstance(msg, Step):
            session.playing = False
            await self.train(session, msg.epochs)
        elif isinstance(msg, Command):
            self.simple_command(session, msg.type)
        elif isinstance(msg, AddPoint):
            session.add_point(msg.x, msg.y, msg.label)
        elif isinstance(msg, Query) and msg.type == "clear_points":
            session.clear_points()
        elif isinstance(msg, Upload) and msg.type == "upload_csv":
            await self.send_json(session.use_upload(await parse_upload(session, msg.content)))
        self.checkpoint_due = True

    async def query(self, session: Session, msg: ClientMessage) -> bool:
        """Messages that only read the session; True when `msg` was one of them."""
        if isinstance(msg, Query) and msg.type == "confusion":
            await self.send_json(confusion_message(session))
        elif isinstance(msg, Export):
            try:
                answer = export_message(session, msg.format)
            except ValueError as exc:
                raise ProtocolError("export_failed", str(exc), "format") from None
            await self.send_json(answer)
        else:
            return False
        return True

    def simple_command(self, session: Session, kind: str) -> None:
        if kind == "play":
            session.playing, session.diverged = True, False
            self.epoch_debt = 0.0
        elif kind == "pause":
            session.playing = False
        elif kind == "reset":
            session.reset()
            self.failed = False
        elif kind == "regenerate":
            session.regenerate()
        session.touch()

    def hello(self, msg: Hello) -> None:
        if msg.protocol != PROTOCOL_VERSION:
            message = f"this server speaks protocol {PROTOCOL_VERSION}, not {msg.protocol}"
            raise ProtocolError("protocol_version", message, "protocol")
        patch = dict(msg.settings)
        patch.setdefault("seed", native_seed())
        settings = merge_settings(PlaygroundSettings(), patch)
        session = self.new_session(settings)
        if msg.checkpoint is not None:  # a refused checkpoint leaves the old session in place
            checkpoint.restore(session, msg.checkpoint)
        self.session, self.inputs_sent = session, False

    def new_session(self, settings: PlaygroundSettings) -> Session:
        limits = self.limits
        return Session(settings, limits.max_layers, limits.max_neurons, limits.max_custom_points)

    def import_json(self, content: str) -> None:
        """Rebuild from an exported JSON document (its settings and current weights)."""
        try:
            settings, weights = parse_json(content, self.limits.max_message_bytes)
        except ValueError as exc:
            raise ProtocolError("invalid_import", f"not a usable export: {exc}") from None
        session = self.new_session(settings)
        session.net.set_weights(weights)
        session.initial_weights = session.net.get_weights()
        self.session, self.inputs_sent = session, False

    def ensure_session(self) -> Session:
        if self.session is None:
            self.hello(Hello(type="hello"))
        assert self.session is not None
        return self.session

    # -- runner -----------------------------------------------------------------------------

    async def runner(self) -> None:
        while True:
            session = self.session
            try:
                if session is not None and session.playing and not self.failed:
                    await self.play_tick(session)
                if session is not None and not self.failed:
                    await self.maybe_send(session)
            except GONE:
                raise
            except Exception:
                await self.internal_error()
            await self.sleep_until_needed()

    async def play_tick(self, session: Session) -> None:
        speed = session.settings.speed
        now = time.monotonic()
        # Train until the next frame is due (at least a sliver), so frames keep their cadence.
        budget = min(SLICE_SECONDS, max(MIN_SLICE_SECONDS, self.next_frame - now))
        if speed is None:
            await self.train(session, 10**6, budget=budget)
            return
        elapsed = now - getattr(self, "_last_tick", now)
        self._last_tick = now
        # At most one frame's worth of epochs is owed: an overloaded worker then trains
        # slower than asked but keeps drawing, instead of training in silence.
        frame_worth = speed / self.frame_rate()
        self.epoch_debt = min(self.epoch_debt + speed * elapsed, max(1.0, frame_worth))
        due = int(self.epoch_debt)
        if due > 0:
            done = await self.train(session, due, budget=budget)
            self.epoch_debt -= done

    async def train(self, session: Session, epochs: int, budget: float = math.inf) -> int:
        """Run epochs in slices, yielding to other connections between slices."""
        done = 0
        while done < epochs:
            start = session.epoch
            try:
                wait = self.scheduler.owed(id(self))
                if wait > 0:  # it overran its share: the others catch up first
                    await anyio.sleep(wait)
                share = self.scheduler.slice(id(self), min(budget, SLICE_SECONDS))
                with Meter() as meter:
                    events = session.advance(epochs - done, share)
                self.scheduler.charge(id(self), meter.seconds, share)
            except Exception:
                await self.internal_error()
                return done
            done += max(1, session.epoch - start)
            for event in events:
                await self.send_json(event)
                self.checkpoint_due = True
            if events:
                await self.send_state()
                break
            if budget != math.inf:
                break
            await anyio.sleep(0)
        return done

    async def maybe_send(self, session: Session) -> None:
        now = time.monotonic()
        if session.data_version != self.sent_data_version:
            await self.send_data(session)
        if self.pending_frame() and now >= self.next_frame:
            await self.send_frame(session)
        interval = self.limits.checkpoint_interval_seconds
        due = self.checkpoint_due or (session.playing and now - self.last_checkpoint >= interval)
        if due and self.reading:  # a client that grants nothing is sent nothing unasked
            await self.send_json({"type": "checkpoint", "checkpoint": checkpoint.take(session)})
            self.last_checkpoint, self.checkpoint_due, self.reading = now, False, False

    async def sleep_until_needed(self) -> None:
        """Sleep until the next epoch is owed or the next frame may go, or until woken."""
        session = self.session
        frame_gap = 1.0 / self.frame_rate()
        next_frame = max(0.0, self.next_frame - time.monotonic())
        delay = next_frame if self.pending_frame() else 3600.0
        if session is not None and session.playing and not self.failed:
            speed = session.settings.speed
            owed = 0.0 if speed is None else max(0.0, 1.0 - self.epoch_debt) / speed
            delay = min(delay, owed, frame_gap)
        with anyio.move_on_after(delay):
            await self.wake.wait()
        self.wake = anyio.Event()

    def frame_rate(self) -> float:
        """The frame-rate cap, lowered while the process is overloaded (scheduler.py)."""
        return self.limits.max_frames_per_second / self.scheduler.frame_stretch()

    def pending_frame(self) -> bool:
        session = self.session
        return session is not None and self.credit > 0 and session.version != self.sent_version

    # -- sending ----------------------------------------------------------------------------

    async def send_frame(self, session: Session) -> None:
        self.seq += 1
        version = session.version
        with Meter() as meter:
            frame = build_frame(session, self.seq, with_inputs=not self.inputs_sent)
        self.scheduler.charge(id(self), meter.seconds)
        self.inputs_sent = True
        self.credit -= 1
        self.sent_version = version
        # A fixed cadence (not "a gap after the last send", which drifts by every overrun),
        # never closer than half a gap after a late frame.
        gap, now = 1.0 / self.frame_rate(), time.monotonic()
        self.next_frame = max(self.next_frame + gap, now + gap / 2)
        await self.send_raw(frame)

    async def send_state(self) -> None:
        if self.session is None:
            return
        await self.send_json(state_message(self.session))
        if self.session.data_version != self.sent_data_version:
            await self.send_data(self.session)

    async def send_data(self, session: Session) -> None:
        self.sent_data_version = session.data_version
        await self.send_json(data_message(session))

    async def send_json(self, payload: dict[str, Any]) -> None:
        await self.send_raw(json.dumps(payload, allow_nan=False, separators=(",", ":")))

    async def send_raw(self, data: str | bytes) -> None:
        """Send, or give the connection up: uvicorn waits for a full write buffer to drain,
        so a peer that stopped reading would otherwise hold this task (and its session,
        which then never idles out) for as long as it keeps the socket open."""
        with anyio.move_on_after(self.limits.send_timeout_seconds) as stuck:
            if isinstance(data, bytes):
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_text(data)
        if stuck.cancelled_caught:
            logger.info("closing a connection that stopped reading")
            raise WebSocketDisconnect(CLOSE_GOING_AWAY, "the client stopped reading")

    async def internal_error(self) -> None:
        """A bug inside this session: logged once, reported, training paused; others go on."""
        if not self.failed:
            logger.exception("session step failed; the session is paused")
        self.failed = True
        if self.session is not None:
            self.session.playing = False
        message = "internal error in this session; it is paused (reset to continue)"
        await self.send_json(
            {"type": "error", "code": "internal", "field": None, "message": message}
        )
