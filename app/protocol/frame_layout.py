"""The binary frame layout, version 1 (docs/protocol.md §6 and §8), server side.

What it is: `encode_frame`, which packs one visual frame, and the layout's constants (header
struct, flags, map sizes) that app/client.py's decoder imports; mirrored by
static/js/protocol.js. The header, layer sizes, metrics, maps and weights start on a
multiple of 8; the gradient, dead-link and dead-node sections follow without padding
(docs/protocol.md §6), which version-1 decoders rely on.
What it is not: what goes into a frame (frames.py) or how often one is sent (app/web/runner.py).
Trade-off: the header is fixed at 40 bytes even where a field is unused, for a layout a
client can read without branches.
"""

import math
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

PROTOCOL_VERSION = 1
FRAME_KIND = 1
FLAG_PLAYING, FLAG_DIVERGED, FLAG_INPUT_THUMBS = 1, 2, 4
FLAG_CLASS_MAP, FLAG_GRADIENTS = 8, 16
OUTPUT_FOCUS = 0xFFFF
MAP_SIDE, THUMB_SIDE, INPUT_FEATURES = 100, 10, 7  # cells per side; the 7 input features

# version, kind, flags, seq, epoch, train loss, test loss, L, focus layer, focus unit, M
HEADER = struct.Struct("<BBHIdddHHHH")  # 40 bytes, docs/protocol.md §6


def _pad8(n: int) -> int:
    return -n % 8


def encode_frame(
    *,
    seq: int,
    epoch: int,
    losses: tuple[float, float],
    flags: int,
    layer_sizes: list[int],
    focus: tuple[int, int],
    metrics: list[float],
    focus_map: npt.NDArray[np.uint8],
    thumbnails: npt.NDArray[np.uint8],
    input_thumbnails: npt.NDArray[np.uint8] | None,
    weights: Sequence[npt.NDArray[np.floating[Any]]],
    dead: list[npt.NDArray[np.bool_]],
    gradients: Sequence[npt.NDArray[np.floating[Any]]] | None = None,
    dead_nodes: npt.NDArray[np.bool_] | None = None,
) -> bytes:
    """Pack one visual frame (docs/protocol.md §6 and §8)."""
    if input_thumbnails is not None:
        flags |= FLAG_INPUT_THUMBS
    if gradients is not None:
        flags |= FLAG_GRADIENTS
    header = HEADER.pack(
        PROTOCOL_VERSION,
        FRAME_KIND,
        flags,
        seq & 0xFFFFFFFF,
        float(epoch),
        _finite_or_nan(losses[0]),
        _finite_or_nan(losses[1]),
        len(layer_sizes),
        focus[0],
        focus[1],
        len(metrics),
    )
    sizes = struct.pack(f"<{len(layer_sizes)}H", *layer_sizes)
    parts = [header, sizes, bytes(_pad8(len(sizes)))]
    parts.append(np.asarray(metrics, dtype="<f8").tobytes())
    maps = [focus_map.tobytes(), thumbnails.tobytes()]
    if input_thumbnails is not None:
        maps.append(input_thumbnails.tobytes())
    blob = b"".join(maps)
    parts += [blob, bytes(_pad8(len(blob)))]
    parts.append(b"".join(np.asarray(w, dtype="<f4").tobytes() for w in weights))
    if gradients is not None:  # §8: |∂L/∂W| per weight, then a dead flag per hidden node
        parts.append(b"".join(np.abs(np.asarray(g, dtype="<f4")).tobytes() for g in gradients))
    parts.append(b"".join(np.asarray(d, dtype=np.uint8).tobytes() for d in dead))
    if gradients is not None and dead_nodes is not None:
        parts.append(np.asarray(dead_nodes, dtype=np.uint8).tobytes())
    return b"".join(parts)


def _finite_or_nan(value: float) -> float:
    return value if math.isfinite(value) else math.nan
