"""A digits page without the browser: a websocket client of /digits/ws for the API tests.

What it is: `DigitsClient` (hello, commands, reading JSON and frames with a deadline, one
credit granted per frame read, as the page's render loop does) and `DigitsPlayer`, a thread
that keeps a digits session training and reading its frames beside a test.
What it is not: the browser page (tests/browser/test_digits.py drives that).
Trade-off: frames are decoded with the server's own decoder (app/digits/frames.py), which
tests/unit/test_digits_parts.py holds to the golden frame the JS decoder also reads.
"""

import json
import threading
import time
from typing import Any

from websockets.sync.client import ClientConnection, connect

from app.digits.frames import Frame, decode_frame


class DigitsClient:
    """One /digits/ws connection."""

    def __init__(self, base_url: str, origin: str | None = None) -> None:
        url = base_url.replace("http://", "ws://") + "/digits/ws"
        headers = {"Origin": origin} if origin else None
        self.ws: ClientConnection = connect(
            url, compression=None, max_size=2**24, open_timeout=10, additional_headers=headers
        )
        self.ws.__enter__()  # used as intended (websockets warns otherwise); close() ends it
        self.frames: list[Frame] = []
        self.messages: list[dict[str, Any]] = []

    def send(self, **message: Any) -> None:
        self.ws.send(json.dumps(message))

    def hello(self, **settings: Any) -> dict[str, Any]:
        self.send(type="hello", protocol=1, settings=settings)
        return self.expect("state")

    def receive(self, timeout: float) -> dict[str, Any] | Frame:
        """The next message; a frame is decoded and answered with one credit."""
        raw = self.ws.recv(timeout=timeout)
        if isinstance(raw, bytes):
            frame = decode_frame(raw)
            self.frames.append(frame)
            self.send(type="credit", frames=1)
            return frame
        message: dict[str, Any] = json.loads(raw)
        self.messages.append(message)
        return message

    def expect(self, kind: str, timeout: float = 20.0, **fields: Any) -> dict[str, Any]:
        """The next JSON message of type `kind` (with these field values), reading frames on."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind} {fields} within {timeout} s")
            got = self.receive(left)
            wanted = isinstance(got, dict) and got["type"] == kind
            if wanted and all(got.get(k) == v for k, v in fields.items()):  # type: ignore[union-attr]
                return got  # type: ignore[return-value]

    def frame(self, timeout: float = 20.0) -> Frame:
        deadline = time.monotonic() + timeout
        while True:
            got = self.receive(max(0.01, deadline - time.monotonic()))
            if isinstance(got, Frame):
                return got

    def close(self) -> None:
        self.ws.close()


class DigitsPlayer:
    """A digits session that trains, reading its frames, until stopped (in a thread)."""

    def __init__(self, base_url: str, **settings: Any) -> None:
        self.client = DigitsClient(base_url)
        self.state = self.client.hello(**settings)
        self.client.send(type="credit", frames=2)
        self.client.send(type="play")
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            try:
                self.client.receive(timeout=0.5)
            except TimeoutError:
                continue
            except Exception:  # the connection ended: stop() reports what was read
                return

    def progress(self) -> float:
        """Epochs trained so far, with the fraction of the epoch under way."""
        last = self.client.frames[-1] if self.client.frames else None
        return 0.0 if last is None else last.epoch + last.progress

    def stop(self) -> float:
        self.running = False
        self.thread.join(timeout=10)
        done = self.progress()
        self.client.close()
        return done
