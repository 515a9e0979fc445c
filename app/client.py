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
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from websockets.sync.client import ClientConnection, connect

from app.protocol.frame_layout import (
    FLAG_GRADIENTS,
    FLAG_INPUT_THUMBS,
    FLAG_PLAYING,
    FRAME_KIND,
    HEADER,
    INPUT_FEATURES,
    PROTOCOL_VERSION,
)
from app.protocol.frame_layout import MAP_SIDE as GRID
from app.protocol.frame_layout import THUMB_SIDE as THUMB


@dataclass
class Frame:
    """One decoded binary frame (docs/protocol.md §6)."""

    flags: int
    seq: int
    epoch: int
    train_loss: float
    test_loss: float
    layer_sizes: list[int]
    focus: tuple[int, int]
    metrics: list[float]
    focus_map: npt.NDArray[np.uint8]
    thumbnails: npt.NDArray[np.uint8]
    input_thumbnails: npt.NDArray[np.uint8] | None
    weights: list[npt.NDArray[np.float32]] = field(default_factory=list)
    dead: list[npt.NDArray[np.bool_]] = field(default_factory=list)
    gradients: list[npt.NDArray[np.float32]] | None = None  # flag 16: |dL/dW| per kernel
    dead_nodes: npt.NDArray[np.bool_] | None = None  # flag 16: dead ReLU per hidden node

    @property
    def playing(self) -> bool:
        return bool(self.flags & FLAG_PLAYING)


@dataclass
class FrameHeader:
    """The fixed 40 bytes every frame starts with: enough to follow a run cheaply."""

    flags: int
    seq: int
    epoch: int
    train_loss: float
    test_loss: float
    layers: int
    focus: tuple[int, int]
    metrics: int


def decode_header(blob: bytes) -> FrameHeader:
    """The header alone (docs/protocol.md §6); ValueError on a version or kind mismatch."""
    version, kind, flags, seq, epoch, train, test, n_layers, f_layer, f_unit, n_metrics = (
        HEADER.unpack_from(blob, 0)
    )
    if (version, kind) != (PROTOCOL_VERSION, FRAME_KIND):
        raise ValueError(f"unsupported frame version/kind {version}/{kind}")
    return FrameHeader(flags, seq, int(epoch), train, test, n_layers, (f_layer, f_unit), n_metrics)


def decode_frame(blob: bytes) -> Frame:
    """Parse a binary frame; raises ValueError on a version or length mismatch."""
    head = decode_header(blob)
    flags, n_layers, n_metrics = head.flags, head.layers, head.metrics
    offset = HEADER.size
    sizes = list(struct.unpack_from(f"<{n_layers}H", blob, offset))
    offset += _align(2 * n_layers)
    metrics = list(np.frombuffer(blob, "<f8", n_metrics, offset))
    offset += 8 * n_metrics
    focus_map, offset = _take(blob, offset, GRID * GRID, (GRID, GRID))
    hidden = sum(sizes[1:])
    thumbs, offset = _take(blob, offset, hidden * THUMB * THUMB, (hidden, THUMB, THUMB))
    inputs = None
    if flags & FLAG_INPUT_THUMBS:
        count = INPUT_FEATURES * THUMB * THUMB
        inputs, offset = _take(blob, offset, count, (INPUT_FEATURES, THUMB, THUMB))
    offset += -offset % 8
    grads = bool(flags & FLAG_GRADIENTS)
    weights, dead, gradients, dead_nodes = _weights(blob, offset, sizes, grads)
    return Frame(
        flags,
        head.seq,
        head.epoch,
        head.train_loss,
        head.test_loss,
        sizes,
        head.focus,
        metrics,
        focus_map,
        thumbs,
        inputs,
        weights,
        dead,
        gradients,
        dead_nodes,
    )


def _align(n: int) -> int:
    return n + (-n % 8)


def _take(blob: bytes, offset: int, count: int, shape: tuple[int, ...]) -> tuple[Any, int]:
    return np.frombuffer(blob, np.uint8, count, offset).reshape(shape), offset + count


def _weights(blob: bytes, offset: int, sizes: list[int], grads: bool) -> tuple[Any, ...]:
    """Weights and biases, [gradients], dead-link masks, [dead nodes] (§6 and §8)."""
    weights: list[Any] = []
    shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
    for fan_in, fan_out in shapes:
        W = np.frombuffer(blob, "<f4", fan_in * fan_out, offset).reshape(fan_in, fan_out)
        b = np.frombuffer(blob, "<f4", fan_out, offset + 4 * fan_in * fan_out)
        weights += [W, b]
        offset += 4 * (fan_in * fan_out + fan_out)
    gradients = None
    if grads:
        gradients = []
        for fan_in, fan_out in shapes:
            count = fan_in * fan_out
            gradients.append(np.frombuffer(blob, "<f4", count, offset).reshape(fan_in, fan_out))
            offset += 4 * count
    dead = []
    for fan_in, fan_out in shapes:
        mask = np.frombuffer(blob, np.uint8, fan_in * fan_out, offset)
        dead.append(mask.reshape(fan_in, fan_out).astype(bool))
        offset += fan_in * fan_out
    dead_nodes = None
    if grads:
        hidden = sum(sizes[1:-1])
        dead_nodes = np.frombuffer(blob, np.uint8, hidden, offset).astype(bool)
        offset += hidden
    if offset != len(blob):
        raise ValueError(f"frame length {len(blob)} does not match its layout ({offset})")
    return weights, dead, gradients, dead_nodes


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
