"""Regenerate tests/golden/frame-v1.bin and frame-v1.json: one frame from a fixed session.

The frame covers every section of docs/protocol.md §6 and §8: input thumbnails (flag 4),
the gradient view (flag 16: gradients and dead nodes), a focused hidden node, metrics,
and five layer sizes (10 bytes, so their padding shows) with one dead ReLU. The JSON
is the expected decode, written from the values handed to the encoder (not by decoding the
bytes), so tests/unit/test_golden_frame.py and tests/js/golden-frame.test.mjs check both
decoders against what the encoder was asked to write.

    .venv/bin/python scripts/golden_frame.py      # rewrites both files; commit them together
"""

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from app.playground.session import Session  # noqa: E402
from app.playground.settings import PlaygroundSettings  # noqa: E402
from app.protocol import frame_layout  # noqa: E402
from app.protocol.frames import build_frame  # noqa: E402

OUT = ROOT / "tests" / "golden"
SETTINGS = {"seed": "g6", "network_shape": [3, 2, 2], "activation": "relu",
            "gradient_view": True, "dataset": "xor"}  # fmt: skip


def capture() -> tuple[bytes, dict[str, Any]]:
    """Build the frame with encode_frame wrapped, to keep exactly what it was given."""
    given: dict[str, Any] = {}
    original = frame_layout.encode_frame

    def recording(**fields: Any) -> bytes:
        given.update(fields)
        return original(**fields)

    session = Session(PlaygroundSettings(**SETTINGS))
    session.step(5)
    session.advance(5)
    session.set_focus(2, 1)
    frames_module = sys.modules["app.protocol.frames"]
    frames_module.encode_frame = recording  # type: ignore[attr-defined]
    try:
        blob = build_frame(session, seq=7, with_inputs=True)
    finally:
        frames_module.encode_frame = original  # type: ignore[attr-defined]
    return blob, expected(given)


def f32(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype="<f4").ravel()]


def expected(g: dict[str, Any]) -> dict[str, Any]:
    flags = g["flags"] | frame_layout.FLAG_INPUT_THUMBS | frame_layout.FLAG_GRADIENTS
    return {
        "version": frame_layout.PROTOCOL_VERSION,
        "flags": flags,
        "seq": g["seq"],
        "epoch": g["epoch"],
        "train_loss": g["losses"][0],
        "test_loss": g["losses"][1],
        "layer_sizes": list(g["layer_sizes"]),
        "focus": list(g["focus"]),
        "metrics": [float(m) for m in g["metrics"]],
        "focus_map": np.asarray(g["focus_map"]).ravel().tolist(),
        "thumbnails": np.asarray(g["thumbnails"]).ravel().tolist(),
        "input_thumbnails": np.asarray(g["input_thumbnails"]).ravel().tolist(),
        "weights": [f32(w) for w in g["weights"]],  # W1, b1, W2, b2, ...
        "gradients": [f32(np.abs(gr)) for gr in g["gradients"]],
        "dead": [np.asarray(d, dtype=int).ravel().tolist() for d in g["dead"]],
        "dead_nodes": np.asarray(g["dead_nodes"], dtype=int).ravel().tolist(),
        "length": None,
    }


def main() -> None:
    blob, decode = capture()
    decode["length"] = len(blob)
    OUT.mkdir(exist_ok=True)
    (OUT / "frame-v1.bin").write_bytes(blob)
    (OUT / "frame-v1.json").write_text(json.dumps(decode, separators=(",", ":")) + "\n")
    print(f"wrote {len(blob)} bytes and their expected decode to {OUT}")


if __name__ == "__main__":
    main()
