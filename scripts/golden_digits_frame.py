"""Regenerate tests/golden/digits-frame-v1.bin and .json: one digits frame with every section.

The frame carries batch points (3, so their padding shows), the running values, an estimate,
three weight pictures and a drawing (docs/protocol.md §10.3). The JSON holds the values handed
to the encoder (app/digits/frames.py), so tests/unit/test_digits_parts.py (Python) and
tests/js/digits.test.mjs (static/js/digits/protocol.js) check both decoders against what the
encoder was asked to write, and that the committed bytes are what it writes today.

    .venv/bin/python scripts/golden_digits_frame.py   # rewrites both files; commit them together
"""

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from app.digits.frames import Frame, build_frame  # noqa: E402

OUT = ROOT / "tests" / "golden"


def golden() -> tuple[Frame, dict[str, Any]]:
    """The frame and its expected decode (float32 fields as float32 rounds them)."""
    points = [(2.25, 0.75, 0.5), (2.5, 0.625, 0.75), (2.75, 0.5, 0.875)]
    pictures = (np.arange(3 * 784) * 7 % 256).astype(np.uint8).reshape(3, 784)
    probabilities = np.array([0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.15, 0.1, 0.05, 0.05])
    image = (np.arange(784) * 3 % 256).astype(np.uint8)
    frame = Frame(
        seq=42,
        epoch=2,
        progress=0.75,
        playing=True,
        running=(0.625, 0.71875),
        estimate=(12.5, 3.25),
        points=points,
        neurons=(64, 512, pictures),
        drawing=(probabilities, image),
    )
    expected = {
        "seq": 42,
        "epoch": 2,
        "progress": 0.75,
        "flags": 1 | 2 | 4 | 16 | 32,
        "running": [0.625, 0.71875],
        "estimate": [12.5, 3.25],
        "points": [float(v) for v in np.float32(points).ravel()],
        "neurons": {"first": 64, "count": 3, "total": 512, "pixels": pictures.ravel().tolist()},
        "probabilities": [float(v) for v in np.float32(probabilities)],
        "image": image.tolist(),
    }
    return frame, expected


def main() -> None:
    frame, expected = golden()
    data = build_frame(frame)
    expected["length"] = len(data)
    (OUT / "digits-frame-v1.bin").write_bytes(data)
    (OUT / "digits-frame-v1.json").write_text(json.dumps(expected) + "\n")
    print(f"wrote {len(data)} bytes")


if __name__ == "__main__":
    main()
