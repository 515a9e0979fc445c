"""A digit drawn on the page, made to look like an MNIST digit before the network sees it.

What it is: `mnist_style(pixels)`, the preparation MNIST's own digits went through: the
drawing's ink is cropped to its bounding box, scaled (aspect ratio kept, with area
averaging, so strokes stay smooth) until its longer side is 20 pixels, and placed in a
28x28 field so that its centre of mass falls on the field's centre (row 14, column 14,
where MNIST's digits have theirs: measured over the built-in sample, 13.99 and 14.01).
What it is not: a model of handwriting or a cleaner: a scribble stays a scribble.
Trade-off: the page sends its 28x28 grid as drawn and this module does the rest, so the
centring is written once, in Python, and tested against MNIST's own digits; the price is
that the page learns what the network saw from the server (the preview beside the pad).

Shapes: pixels (28, 28) uint8 in, (28, 28) uint8 out; 0 = background, 255 = ink.
"""

import numpy as np
import numpy.typing as npt

SIDE, BOX, CENTRE = 28, 20, 14.0
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]


def resample_matrix(n: int, m: int) -> F64:
    """(m, n) weights that resize a line of n pixels to m by area averaging: output pixel i
    covers input span [i·n/m, (i+1)·n/m) and averages what it covers.
    Example: n=4, m=2 -> [[.5, .5, 0, 0], [0, 0, .5, .5]]."""
    edges = np.arange(m + 1) * (n / m)
    lo, hi = edges[:-1, None], edges[1:, None]
    cells = np.arange(n)[None, :]
    overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0, None)
    weights: F64 = overlap / (n / m)
    return weights


def centre_of_mass(image: F64) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass."""
    total = image.sum()
    rows, cols = np.arange(image.shape[0]), np.arange(image.shape[1])
    return float(image.sum(axis=1) @ rows / total), float(image.sum(axis=0) @ cols / total)


def mnist_style(pixels: U8) -> U8:
    """The drawing as MNIST would have it; an empty drawing stays empty."""
    ink = np.asarray(pixels, dtype=np.float64).reshape(SIDE, SIDE)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return np.zeros((SIDE, SIDE), dtype=np.uint8)
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = resample_matrix(h, new_h) @ crop @ resample_matrix(w, new_w).T
    cy, cx = centre_of_mass(small)
    top, left = round(CENTRE - cy), round(CENTRE - cx)
    field = np.zeros((SIDE, SIDE))
    # Paste with clipping: a very lopsided drawing may reach past the border after centring.
    r0, c0 = max(0, top), max(0, left)
    r1, c1 = min(SIDE, top + new_h), min(SIDE, left + new_w)
    field[r0:r1, c0:c1] = small[r0 - top : r1 - top, c0 - left : c1 - left]
    peak = field.max()
    if peak > 0:
        field *= 255.0 / peak  # strokes as dark as MNIST's, whatever the resampling did
    return np.rint(field).astype(np.uint8)
