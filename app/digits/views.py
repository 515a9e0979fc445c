"""What the digits page shows about a trained network, as small arrays and JSON.

What it is: `weight_images` (each first-layer unit's 784 incoming weights as a 28x28
picture, what that unit looks for), `confusion` (true digit x predicted digit counts on the
test set) and `gallery` (misclassified test images with the network's three most likely
answers), computed from the weights and from the test set's stored probabilities.
What it is not: a renderer (the page colours them) or an evaluator (fit.py computed the
probabilities in its test pass).
Trade-off: each weight picture is scaled by its own largest |weight|, so every unit's
pattern is visible however small its weights are; the price is that two pictures' shades
are not comparable in absolute terms (the page says so).

Shapes: W0 (784, units) float64; probabilities (n, 10) float32; labels (n,) uint8.
"""

import base64
from typing import Any

import numpy as np
import numpy.typing as npt

from app.engine.types import FloatArray

U8 = npt.NDArray[np.uint8]
GALLERY_SIZE = 24
PAGE_UNITS = 64  # first-layer pictures per page


def weight_images(W0: FloatArray, first: int, count: int) -> U8:
    """(count, 784) uint8: units first…first+count−1, q = round((w / max|w| + 1) · 127.5),
    so 0 is the most negative weight, 255 the most positive and 127.5 zero.
    Example: a column [-2, 0, 1] -> [0, 128, 191] (127.5 rounds to even, 128)."""
    block = W0[:, first : first + count].T
    scale = np.abs(block).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    q: U8 = np.rint((block / scale + 1.0) * 127.5).astype(np.uint8)
    return q


def confusion(probabilities: npt.NDArray[np.float32], labels: U8) -> list[list[int]]:
    """10x10 counts: row = true class, column = the network's answer (its argmax)."""
    predicted = probabilities.argmax(axis=1)
    counts = np.bincount(labels.astype(np.int64) * 10 + predicted, minlength=100)
    return [[int(c) for c in row] for row in counts.reshape(10, 10)]


def gallery(
    probabilities: npt.NDArray[np.float32],
    labels: U8,
    images: U8,
    true: int | None = None,
    answer: int | None = None,
) -> list[dict[str, Any]]:
    """Up to GALLERY_SIZE misclassified test images, the most confident mistakes first,
    each with its index, true label, image (base64 of 784 bytes) and top three answers
    [[class, probability], …]; `true`/`answer` narrow it to one cell of the confusion matrix."""
    predicted = probabilities.argmax(axis=1)
    wrong = predicted != labels
    if true is not None:
        wrong &= labels == true
    if answer is not None:
        wrong &= predicted == answer
    index = np.flatnonzero(wrong)
    confidence = probabilities[index, predicted[index]]
    index = index[np.argsort(-confidence, kind="stable")][:GALLERY_SIZE]
    items = []
    for i in index:
        top = np.argsort(-probabilities[i], kind="stable")[:3]
        items.append(
            {
                "index": int(i),
                "label": int(labels[i]),
                "top": [[int(c), round(float(probabilities[i, c]), 4)] for c in top],
                "image": base64.b64encode(images[i].tobytes()).decode("ascii"),
            }
        )
    return items
