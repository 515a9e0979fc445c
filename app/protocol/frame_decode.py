"""Decoding the binary frame (docs/protocol.md §6) into NumPy arrays, for Python clients.

What it is: `decode_frame` (every section) and `decode_header` (the fixed header alone, for
load generators that read thousands of frames), the inverse of frame_layout.encode_frame.
What it is not: used by the server, which only encodes; app/client.py and the tests use it.
Trade-off: arrays are views on the received bytes where the layout allows (np.frombuffer),
so a decode allocates little; a caller that keeps a frame keeps its buffer alive.
"""

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

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
