"""A student's live summary, read off the frames the server already builds for them.

What it is: `FrameFacts`, the few numbers of a binary frame the classroom needs (epoch,
losses, metrics by name, and the output map cut down to 25×25), read straight from the
bytes (docs/protocol.md §6) without decoding the rest; and `summary`, the document a
dashboard tile shows: a few hundred bytes plus the map.
What it is not: a frame builder or a second forward pass: nothing here touches the network,
so the classroom costs the server a few struct reads per frame and one small document per
student per second.
Trade-off: the map is whatever the student's frame last showed of the output; while they
hover a neuron (the frame then carries that neuron's map) the tile keeps the output map it
had, which is what a teacher wants to see.
"""

import base64
import struct
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.playground.session import Session
from app.protocol.frame_layout import FLAG_CLASS_MAP, HEADER, MAP_SIDE, OUTPUT_FOCUS

TILE_SIDE = 25
_STRIDE = MAP_SIDE // TILE_SIDE
_FOCUS, _FOCUS_AT = struct.Struct("<H"), 34  # the focus layer's u16 in the header (§6)


@dataclass(frozen=True)
class FrameFacts:
    """What the classroom reads from one frame."""

    epoch: int
    train_loss: float
    test_loss: float
    metrics: dict[str, float]
    tile: bytes | None  # 25×25 u8 of the output map, None if the frame showed another node
    class_map: bool


def read_focus(frame: bytes) -> int:
    """The focus layer a frame's map shows (OUTPUT_FOCUS for the output)."""
    return int(_FOCUS.unpack_from(frame, _FOCUS_AT)[0])


def read_frame(frame: bytes, metric_names: list[str], tile: bool = True) -> FrameFacts:
    """Example: a frame at epoch 12 -> FrameFacts(12, 0.21, 0.24, {"test_accuracy": …}, …)."""
    _, _, flags, _, epoch, train, test, layers, focus, _, count = HEADER.unpack_from(frame, 0)
    offset = HEADER.size + 2 * layers + (-2 * layers % 8)
    values = struct.unpack_from(f"<{count}d", frame, offset)
    offset += 8 * count
    cut = None
    if tile and focus == OUTPUT_FOCUS:
        grid = np.frombuffer(frame, np.uint8, MAP_SIDE * MAP_SIDE, offset)
        half = _STRIDE // 2  # the centre sample of each 4×4 block (class maps cannot average)
        cut = grid.reshape(MAP_SIDE, MAP_SIDE)[half::_STRIDE, half::_STRIDE].tobytes()
    metrics = dict(zip(metric_names, values, strict=False))
    return FrameFacts(int(epoch), train, test, metrics, cut, bool(flags & FLAG_CLASS_MAP))


def _number(value: float) -> float | None:
    return value if np.isfinite(value) else None


def summary(
    name: str,
    session: Session,
    facts: FrameFacts | None,
    tile: bytes | None,
    status: str,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """The dashboard's document for one student (a few hundred bytes and the 25×25 map)."""
    s = session.settings
    doc: dict[str, Any] = {
        "name": name,
        "status": status,
        "epoch": session.epoch if facts is None else facts.epoch,
        "train_loss": None if facts is None else _number(facts.train_loss),
        "test_loss": None if facts is None else _number(facts.test_loss),
        "metrics": {} if facts is None else {k: _number(v) for k, v in facts.metrics.items()},
        "shape": list(s.network_shape),
        "features": list(s.features),
        "dataset": s.active_dataset,
        "problem": s.problem,
        "classes": s.classes,
        "settings": s.model_dump(mode="json"),
        "run": None if session.run_marker is None else str(session.run_marker),
        "map": None if tile is None else base64.b64encode(tile).decode("ascii"),
        "class_map": bool(facts and facts.class_map),
        "at": time.time(),  # the dashboard calls a student offline when this gets old
    }
    doc.update(extra)
    return doc
