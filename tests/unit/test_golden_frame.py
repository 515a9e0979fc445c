"""The golden frame (tests/golden/, made by scripts/golden_frame.py from the server's encoder)
decoded by app/client.py, and re-encoded byte for byte from its expected decode.

tests/js/golden-frame.test.mjs decodes the same bytes with static/js/protocol.js, so the
encoder, the Python client and the browser agree on one artefact.
"""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.client import decode_frame, decode_header
from app.protocol.frame_layout import OUTPUT_FOCUS, encode_frame

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="module")
def blob() -> bytes:
    return (GOLDEN / "frame-v1.bin").read_bytes()


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GOLDEN / "frame-v1.json").read_text())
    return loaded


def test_the_python_client_decodes_the_golden_frame(blob: bytes, expected: dict[str, Any]) -> None:
    frame = decode_frame(blob)
    assert len(blob) == expected["length"]
    assert (frame.flags, frame.seq, frame.epoch) == (
        expected["flags"],
        expected["seq"],
        expected["epoch"],
    )
    assert (frame.train_loss, frame.test_loss) == (expected["train_loss"], expected["test_loss"])
    assert frame.layer_sizes == expected["layer_sizes"]
    assert list(frame.focus) == expected["focus"] and frame.metrics == expected["metrics"]
    assert frame.focus_map.ravel().tolist() == expected["focus_map"]
    assert frame.thumbnails.ravel().tolist() == expected["thumbnails"]
    assert frame.input_thumbnails is not None
    assert frame.input_thumbnails.ravel().tolist() == expected["input_thumbnails"]
    assert [w.ravel().tolist() for w in frame.weights] == expected["weights"]
    assert frame.gradients is not None and frame.dead_nodes is not None
    assert [g.ravel().tolist() for g in frame.gradients] == expected["gradients"]
    assert [d.astype(int).ravel().tolist() for d in frame.dead] == expected["dead"]
    assert frame.dead_nodes.astype(int).tolist() == expected["dead_nodes"]


def test_the_header_alone_matches_the_full_decode(blob: bytes, expected: dict[str, Any]) -> None:
    header = decode_header(blob)
    assert (header.epoch, header.layers, header.metrics) == (
        expected["epoch"],
        len(expected["layer_sizes"]),
        len(expected["metrics"]),
    )
    assert header.focus != (OUTPUT_FOCUS, 0) and list(header.focus) == expected["focus"]


def test_the_encoder_writes_the_golden_bytes_again(blob: bytes, expected: dict[str, Any]) -> None:
    """Same fields in, same bytes out: the layout did not move (protocol version 1)."""
    sizes = expected["layer_sizes"]
    links = list(zip(sizes[:-1], sizes[1:], strict=True))
    weights = [np.array(w, dtype=np.float32) for w in expected["weights"]]
    again = encode_frame(
        seq=expected["seq"],
        epoch=expected["epoch"],
        losses=(expected["train_loss"], expected["test_loss"]),
        flags=expected["flags"],
        layer_sizes=sizes,
        focus=tuple(expected["focus"]),
        metrics=expected["metrics"],
        focus_map=np.array(expected["focus_map"], dtype=np.uint8),
        thumbnails=np.array(expected["thumbnails"], dtype=np.uint8),
        input_thumbnails=np.array(expected["input_thumbnails"], dtype=np.uint8),
        weights=weights,
        dead=[
            np.array(d, dtype=bool).reshape(a, b)
            for d, (a, b) in zip(expected["dead"], links, strict=True)
        ],
        gradients=[np.array(g, dtype=np.float32) for g in expected["gradients"]],
        dead_nodes=np.array(expected["dead_nodes"], dtype=bool),
    )
    assert again == blob


def test_frame_sections_are_where_docs_protocol_md_puts_them(
    blob: bytes, expected: dict[str, Any]
) -> None:
    """§6: header, sizes and metrics, maps and weights on multiples of 8; the gradient,
    dead-link and dead-node sections follow without padding."""
    sizes = expected["layer_sizes"]
    L, M = len(sizes), len(expected["metrics"])
    maps_at = -(-(40 + 2 * L) // 8) * 8 + 8 * M
    hidden = sum(sizes[1:])
    weights_at = -(-(maps_at + 10000 + 100 * hidden + 700) // 8) * 8
    n_w = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    n_wb = n_w + sum(sizes[1:])
    end = weights_at + 4 * n_wb + 4 * n_w + n_w + sum(sizes[1:-1])
    assert maps_at % 8 == 0 and weights_at % 8 == 0
    assert end == len(blob)
    first_weight = np.frombuffer(blob, "<f4", 1, weights_at)[0]
    assert float(first_weight) == expected["weights"][0][0]
