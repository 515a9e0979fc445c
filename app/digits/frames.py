"""The digits workspace's binary frame (docs/protocol.md §10.3), and its decoder.

What it is: `build_frame(...)`, the bytes of one frame: where training stands (epoch,
progress, the epoch's running loss and accuracy, the time an epoch takes here), the batch
points since the last frame, and optionally the first layer's weight pictures and the
drawing's probabilities with the image the network saw; `decode_frame`, its inverse, for
Python clients and the tests. static/js/digits/protocol.js mirrors it.
What it is not: the decision of when a frame goes or what it carries (app/web/digits).
Trade-off: fixed little-endian sections announced by flags, no length-prefixed chunks: a
decoder is a dozen lines, and a section that is not due (pictures change little between
frames) costs nothing.
"""

import math
import struct
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

KIND_DIGITS = 2
FLAG_PLAYING, FLAG_NEURONS, FLAG_DRAWING, FLAG_EVALUATING = 1, 2, 4, 8
FLAG_RUNNING, FLAG_ESTIMATE = 16, 32
HEADER = struct.Struct("<BBHIddddddII")  # 64 bytes
NEURONS = struct.Struct("<HHHH")
PIXELS = 28 * 28


@dataclass
class Frame:
    """What one frame says; `build_frame` encodes it, `decode_frame` gives it back."""

    seq: int
    epoch: int
    progress: float
    playing: bool = False
    evaluating: bool = False
    running: tuple[float, float] | None = None  # (loss, accuracy) of the epoch so far
    estimate: tuple[float, float] | None = None  # (wall, compute) seconds per epoch
    points: list[tuple[float, float, float]] = field(default_factory=list)
    neurons: tuple[int, int, npt.NDArray[np.uint8]] | None = None  # first, total, (k, 784)
    drawing: tuple[npt.NDArray[np.float64], npt.NDArray[np.uint8]] | None = None  # p, image


def _pad(parts: list[bytes]) -> None:
    size = sum(len(p) for p in parts)
    parts.append(b"\0" * (-size % 8))


def build_frame(f: Frame) -> bytes:
    flags = (
        (FLAG_PLAYING if f.playing else 0)
        | (FLAG_EVALUATING if f.evaluating else 0)
        | (FLAG_NEURONS if f.neurons is not None else 0)
        | (FLAG_DRAWING if f.drawing is not None else 0)
        | (FLAG_RUNNING if f.running is not None else 0)
        | (FLAG_ESTIMATE if f.estimate is not None else 0)
    )
    loss, acc = f.running or (0.0, 0.0)
    wall, compute = f.estimate or (0.0, 0.0)
    header = (1, KIND_DIGITS, flags, f.seq, f.epoch, f.progress, loss, acc, wall, compute)
    parts = [HEADER.pack(*header, len(f.points), 0)]
    parts.append(np.asarray(f.points, dtype="<f4").reshape(-1).tobytes())
    _pad(parts)
    if f.neurons is not None:
        first, total, images = f.neurons
        parts.append(NEURONS.pack(first, len(images), total, 0))
        parts.append(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
        _pad(parts)
    if f.drawing is not None:
        probabilities, image = f.drawing
        parts.append(np.asarray(probabilities, dtype="<f4").tobytes())
        parts.append(np.ascontiguousarray(image, dtype=np.uint8).reshape(PIXELS).tobytes())
        _pad(parts)
    return b"".join(parts)


def decode_frame(data: bytes) -> Frame:
    """The Frame a server sent (a client's view; raises ValueError on a foreign frame)."""
    values = HEADER.unpack_from(data, 0)
    version, kind, flags, seq, epoch, progress, loss, acc, wall, compute, n, _ = values
    if (version, kind) != (1, KIND_DIGITS):
        raise ValueError(f"not a digits frame (version {version}, kind {kind})")
    offset = HEADER.size
    points = np.frombuffer(data, "<f4", 3 * n, offset).reshape(n, 3)
    offset += math.ceil(12 * n / 8) * 8
    frame = Frame(seq, int(epoch), progress, bool(flags & FLAG_PLAYING))
    frame.evaluating = bool(flags & FLAG_EVALUATING)
    frame.points = [(float(a), float(b), float(c)) for a, b, c in points]
    frame.running = (loss, acc) if flags & FLAG_RUNNING else None
    frame.estimate = (wall, compute) if flags & FLAG_ESTIMATE else None
    if flags & FLAG_NEURONS:
        first, k, total, _ = NEURONS.unpack_from(data, offset)
        offset += NEURONS.size
        images = np.frombuffer(data, np.uint8, k * PIXELS, offset).reshape(k, PIXELS)
        frame.neurons = (first, total, images)
        offset += math.ceil(k * PIXELS / 8) * 8
    if flags & FLAG_DRAWING:
        p = np.frombuffer(data, "<f4", 10, offset).astype(np.float64)
        image = np.frombuffer(data, np.uint8, PIXELS, offset + 40)
        frame.drawing = (p, image)
    return frame
