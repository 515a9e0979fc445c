"""A small synchronous Python client for the websocket protocol (docs/protocol.md).

What it is: `PlaygroundClient(url)` for notebooks, scripts and the API tests: change
settings, step, play, read frames (decoded into NumPy arrays), checkpoints and errors. When
the connection drops (a replica dies or restarts, a balancer resets it) the client reconnects
and resumes by itself from its newest checkpoint, as the page does: a bounded number of tries
with backoff (app/protocol/reconnect.py), then `PlaygroundDisconnected` saying why.
What it is not: a browser; it draws nothing and grants credit only when asked for frames.
Trade-off: blocking calls on `websockets.sync` keep notebook use trivial; a caller that
wants concurrency opens one client per thread. A resume retries the call that was cut off,
so a `step()` may wait a little longer; messages sent with the raw `send()` are not retried.

Example:
    with PlaygroundClient("ws://127.0.0.1:8000/ws", seed="0.12345") as pc:
        pc.step(10)
        print(pc.frame().epoch, pc.frame().train_loss)
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from app.protocol.frame_decode import Frame, FrameHeader, decode_frame, decode_header
from app.protocol.reconnect import (
    Retry,
    after_close,
    after_handshake,
    backoff_seconds,
    resume_hello,
)

__all__ = [
    "Frame",
    "FrameHeader",
    "PlaygroundClient",
    "PlaygroundDisconnected",
    "PlaygroundError",
    "Resumed",
    "decode_frame",
    "decode_header",
]

T = TypeVar("T")
MAX_STEP = 1000  # epochs one `step` message may ask for (docs/protocol.md §2)
REPLAY_LIMIT = 20_000  # epochs a resume re-trains at most to reach where the client was
READ_ONLY = frozenset({"export", "confusion", "ping", "focus", "credit"})
logger = logging.getLogger("nn_playground.client")


@dataclass(frozen=True)
class Resumed:
    """One resume: why the line dropped, how long it took, and the epochs before and after."""

    close_code: int | None
    tries: int
    seconds: float
    epoch_before: int
    epoch_after: int


class PlaygroundClient:
    """One live session over one websocket. Settings are the protocol's snake_case keys.

    `tries` bounds the reconnections one drop may take (0 turns resuming off: a drop then
    raises websockets' `ConnectionClosed`, as before). `resumes` records each resume."""

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        checkpoint: dict[str, Any] | None = None,
        *,
        tries: int = 8,
        **settings: Any,
    ) -> None:
        self.url, self.timeout, self.tries = url, timeout, tries
        self.state: dict[str, Any] = {}
        self.data: dict[str, Any] = {}
        self.last_checkpoint: dict[str, Any] | None = checkpoint
        self.last_frame: Frame | None = None
        self.events: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.resumes: list[Resumed] = []
        # Everything since the newest checkpoint (or hello) can be redone by steps alone, so a
        # paused session resumes at the very epoch it was (training is deterministic).
        self.replayable = True
        self.closed = False
        self._open()
        self.send({"type": "hello", "protocol": 1, "settings": settings, "checkpoint": checkpoint})
        self.expect("state")

    def _open(self) -> None:
        # Entered by hand so the client can live across notebook cells; close() exits it.
        self._connection = connect(
            self.url, open_timeout=self.timeout, compression=None, max_size=2**24
        )
        self.ws: ClientConnection = self._connection.__enter__()

    # -- commands ---------------------------------------------------------------------------

    def set(self, **settings: Any) -> dict[str, Any]:
        return self._command({"type": "set", "settings": settings}, replayable=False)

    def step(self, epochs: int = 1) -> dict[str, Any]:
        return self._command({"type": "step", "epochs": epochs})

    def play(self) -> dict[str, Any]:
        return self._command({"type": "play"})

    def pause(self) -> dict[str, Any]:
        return self._command({"type": "pause"})

    def reset(self) -> dict[str, Any]:
        return self._command({"type": "reset"}, replayable=False)

    def regenerate(self) -> dict[str, Any]:
        return self._command({"type": "regenerate"}, replayable=False)

    def set_weight(self, layer: int, src: int, dst: int, value: float) -> dict[str, Any]:
        message = {"type": "set_weight", "layer": layer, "src": src, "dst": dst, "value": value}
        return self._command(message, replayable=False)

    def focus(self, layer: int | None, unit: int = 0) -> None:
        self._resilient(lambda: self.send({"type": "focus", "layer": layer, "unit": unit}))

    def request(self, message: dict[str, Any], answer: str) -> dict[str, Any]:
        """Send `message` and wait for the answer of type `answer` (e.g. export, confusion)."""
        read_only = message.get("type") in READ_ONLY
        return self._command(message, answer, replayable=read_only)

    def _command(
        self, message: dict[str, Any], answer: str = "state", replayable: bool = True
    ) -> dict[str, Any]:
        def exchange() -> dict[str, Any]:
            self.send(message)
            return self.expect(answer)

        result = self._resilient(exchange)
        # Only once answered: a checkpoint that arrived before the answer predates the command.
        self.replayable = self.replayable and replayable
        return result

    # -- frames -----------------------------------------------------------------------------

    def frame(self) -> Frame:
        """Grant one frame of credit and wait for the next frame.

        The server sends a frame only when something changed since the last one, so call
        this after a command (or while playing), not twice in a row on an idle session.
        """

        def one() -> Frame:
            self.send({"type": "credit", "frames": 1})
            return self.expect_frame()

        return self._resilient(one)

    def frames(self, count: int) -> list[Frame]:
        """`count` consecutive frames, granting credit one frame at a time (like a browser)."""
        return [self.frame() for _ in range(count)]

    def weights(self) -> list[npt.NDArray[np.float32]]:
        """[W1, b1, W2, b2, …] as float32 from a fresh frame (checkpoint() has float64)."""
        return self.frame().weights

    def checkpoint(self) -> dict[str, Any]:
        """A fresh checkpoint: grants one frame of credit (the server sends checkpoints only
        to a client that reads) and waits for the checkpoint due after the last command."""

        def fresh() -> dict[str, Any]:
            self.send({"type": "credit", "frames": 1})
            return dict(self.expect("checkpoint")["checkpoint"])

        return self._resilient(fresh)

    # -- plumbing ---------------------------------------------------------------------------

    def send(self, message: dict[str, Any] | str | bytes) -> None:
        self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def expect(self, kind: str, timeout: float | None = None) -> dict[str, Any]:
        """Read until a JSON message of type `kind` (or an `error`, which raises)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            message = self._receive(deadline)
            if isinstance(message, dict) and message["type"] == kind:
                return message
            if isinstance(message, dict) and message["type"] == "error" and kind != "error":
                raise PlaygroundError(message)

    def expect_frame(self, timeout: float | None = None) -> Frame:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            message = self._receive(deadline)
            if isinstance(message, Frame):
                return message

    def _receive(self, deadline: float) -> dict[str, Any] | Frame:
        raw = self.ws.recv(timeout=max(0.0, deadline - time.monotonic()))
        if isinstance(raw, bytes):
            self.last_frame = decode_frame(raw)
            return self.last_frame
        message: dict[str, Any] = json.loads(raw)
        kind = message["type"]
        if kind in ("state", "data"):
            setattr(self, kind, message)
        elif kind == "checkpoint":
            self.last_checkpoint, self.replayable = message["checkpoint"], True
        elif kind == "event":
            self.events.append(message)
        elif kind == "error":
            self.errors.append(message)
        return message

    # -- resuming ---------------------------------------------------------------------------

    def _resilient(self, action: Callable[[], T]) -> T:
        """Run `action`; if the line drops meanwhile, resume the session and run it again."""
        while True:
            try:
                return action()
            except ConnectionClosed as exc:
                if self.closed or self.tries <= 0:
                    raise
                self._resume(exc)

    def _resume(self, dropped: ConnectionClosed) -> None:
        code = dropped.rcvd.code if dropped.rcvd is not None else None
        self._read_what_came()
        retry, before, started = after_close(code), dict(self.state), time.monotonic()
        seen = max(int(before.get("epoch", 0)), self.last_frame.epoch if self.last_frame else 0)
        failure: Exception = dropped
        for attempt in range(self.tries if retry is not Retry.NEVER else 0):
            if attempt > 0 or retry is Retry.BACKOFF:  # a draining server says "now"
                time.sleep(backoff_seconds(attempt - (retry is Retry.NOW)))
            try:
                epoch = self._reopen(before)
            except (ConnectionClosed, InvalidHandshake, OSError) as exc:
                failure = exc
                if _hopeless(exc):
                    break
                continue
            seconds = time.monotonic() - started
            done = Resumed(code, attempt + 1, seconds, seen, epoch)
            self.resumes.append(done)
            logger.warning("connection dropped (%s); resumed at epoch %d", code, epoch)
            return
        raise PlaygroundDisconnected(self.url, dropped, failure, time.monotonic() - started)

    def _read_what_came(self) -> None:
        """Read what arrived before the close (a stopping server's final checkpoint): a send
        on a closed socket fails at once, with those messages still unread."""
        try:
            while True:
                self._receive(time.monotonic())
        except (ConnectionClosed, TimeoutError):
            pass

    def _reopen(self, before: dict[str, Any]) -> int:
        """A new connection with the session as it was: the newest checkpoint (or the same
        settings and seed), playing again if it played, else stepped to where it was."""
        self._connection.__exit__(None, None, None)
        self._open()
        settings = before.get("settings") or {}
        self.send(resume_hello(settings, self.last_checkpoint))
        try:
            state = self.expect("state")
        except PlaygroundError as exc:  # another version's checkpoint: start from settings
            if exc.error["code"] != "invalid_checkpoint":
                raise
            self.last_checkpoint, self.replayable = None, False
            self.send(resume_hello(settings, None))
            state = self.expect("state")
        if before.get("playing"):
            self.send({"type": "play"})
            state = self.expect("state")
        elif self.replayable:
            state = self._replay(int(before.get("epoch", 0)), state)
        return int(state["epoch"])

    def _replay(self, target: int, state: dict[str, Any]) -> dict[str, Any]:
        """Step a resumed, paused session to the epoch it had reached (at most REPLAY_LIMIT
        epochs; events it meets again, such as an epoch limit, are not recorded twice)."""
        events = len(self.events)
        while 0 < target - state["epoch"] <= REPLAY_LIMIT:
            self.send({"type": "step", "epochs": min(MAX_STEP, target - state["epoch"])})
            state = self.expect("state")
        del self.events[events:]
        return state

    def close(self) -> None:
        self.closed = True
        self._connection.__exit__(None, None, None)

    def __enter__(self) -> "PlaygroundClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _hopeless(exc: Exception) -> bool:
    """A refusal that trying again cannot cure (an origin refused, a policy close)."""
    if isinstance(exc, InvalidStatus):
        return after_handshake(exc.response.status_code) is Retry.NEVER
    if isinstance(exc, ConnectionClosed):
        return after_close(exc.rcvd.code if exc.rcvd else None) is Retry.NEVER
    return False


class PlaygroundError(RuntimeError):
    """The server refused a message: `.error` is its typed error."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error['code']} ({error.get('field')}): {error['message']}")
        self.error = error


class PlaygroundDisconnected(ConnectionError):
    """The connection dropped and the session could not be resumed: the tries ran out, or
    the server refused in a way that trying again cannot cure. `.dropped` is the close that
    started it, the exception's cause the last try's failure."""

    def __init__(
        self, url: str, dropped: ConnectionClosed, failure: Exception, seconds: float
    ) -> None:
        why = f"{type(failure).__name__}: {failure}"
        super().__init__(
            f"lost the connection to {url} ({dropped}) and could not resume the session "
            f"within {seconds:.1f} s; the last try failed with {why}"
        )
        self.dropped, self.seconds = dropped, seconds
        self.__cause__ = failure
