"""A small synchronous Python client for the websocket protocol (docs/protocol.md).

What it is: `PlaygroundClient(url)` for notebooks, scripts and the API tests: change
settings, step, play, read frames (decoded into NumPy arrays), checkpoints and errors.
What it is not: a browser; it draws nothing and grants credit only when asked for frames.
Trade-off: blocking calls on `websockets.sync` keep notebook use trivial; a caller that
wants concurrency opens one client per thread.

Example:
    with PlaygroundClient("ws://127.0.0.1:8000/ws", seed="0.12345") as pc:
        pc.step(10)
        print(pc.frame().epoch, pc.frame().train_loss)
"""

import json
import time
from typing import Any

import numpy as np
import numpy.typing as npt
from websockets.sync.client import ClientConnection, connect

from app.protocol.frame_decode import Frame, FrameHeader, decode_frame, decode_header

__all__ = [
    "Frame",
    "FrameHeader",
    "PlaygroundClient",
    "PlaygroundError",
    "decode_frame",
    "decode_header",
]


class PlaygroundClient:
    """One live session over one websocket. Settings are the protocol's snake_case keys."""

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        checkpoint: dict[str, Any] | None = None,
        **settings: Any,
    ) -> None:
        self.timeout = timeout
        # Entered by hand so the client can live across notebook cells; close() exits it.
        self._connection = connect(url, open_timeout=timeout, compression=None, max_size=2**24)
        self.ws: ClientConnection = self._connection.__enter__()
        self.state: dict[str, Any] = {}
        self.data: dict[str, Any] = {}
        self.last_checkpoint: dict[str, Any] | None = None
        self.last_frame: Frame | None = None
        self.events: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.send({"type": "hello", "protocol": 1, "settings": settings, "checkpoint": checkpoint})
        self.expect("state")

    # -- commands ---------------------------------------------------------------------------

    def set(self, **settings: Any) -> dict[str, Any]:
        self.send({"type": "set", "settings": settings})
        return self.expect("state")

    def step(self, epochs: int = 1) -> dict[str, Any]:
        self.send({"type": "step", "epochs": epochs})
        return self.expect("state")

    def play(self) -> dict[str, Any]:
        self.send({"type": "play"})
        return self.expect("state")

    def pause(self) -> dict[str, Any]:
        self.send({"type": "pause"})
        return self.expect("state")

    def reset(self) -> dict[str, Any]:
        self.send({"type": "reset"})
        return self.expect("state")

    def regenerate(self) -> dict[str, Any]:
        self.send({"type": "regenerate"})
        return self.expect("state")

    def set_weight(self, layer: int, src: int, dst: int, value: float) -> dict[str, Any]:
        self.send({"type": "set_weight", "layer": layer, "src": src, "dst": dst, "value": value})
        return self.expect("state")

    def focus(self, layer: int | None, unit: int = 0) -> None:
        self.send({"type": "focus", "layer": layer, "unit": unit})

    def request(self, message: dict[str, Any], answer: str) -> dict[str, Any]:
        """Send `message` and wait for the answer of type `answer` (e.g. export, confusion)."""
        self.send(message)
        return self.expect(answer)

    # -- frames -----------------------------------------------------------------------------

    def frame(self) -> Frame:
        """Grant one frame of credit and wait for the next frame.

        The server sends a frame only when something changed since the last one, so call
        this after a command (or while playing), not twice in a row on an idle session.
        """
        self.send({"type": "credit", "frames": 1})
        return self.expect_frame()

    def frames(self, count: int) -> list[Frame]:
        """`count` consecutive frames, granting credit one frame at a time (like a browser)."""
        return [self.frame() for _ in range(count)]

    def weights(self) -> list[npt.NDArray[np.float32]]:
        """[W1, b1, W2, b2, …] as float32 from a fresh frame (checkpoint() has float64)."""
        return self.frame().weights

    def checkpoint(self) -> dict[str, Any]:
        """A fresh checkpoint: grants one frame of credit (the server sends checkpoints only
        to a client that reads) and waits for the checkpoint due after the last command."""
        self.send({"type": "credit", "frames": 1})
        checkpoint: dict[str, Any] = self.expect("checkpoint")["checkpoint"]
        return checkpoint

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
            self.last_checkpoint = message["checkpoint"]
        elif kind == "event":
            self.events.append(message)
        elif kind == "error":
            self.errors.append(message)
        return message

    def close(self) -> None:
        self._connection.__exit__(None, None, None)

    def __enter__(self) -> "PlaygroundClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PlaygroundError(RuntimeError):
    """The server refused a message: `.error` is its typed error."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error['code']} ({error.get('field')}): {error['message']}")
        self.error = error
