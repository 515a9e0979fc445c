"""The boundary grid's space: its points over [−6, 6]², their features, thumbnails, quantising.

What it is: the playground's 100×100 grid (docs/playground-rules.md §7.1) and its cached
float32 feature matrix, the input features' maps, 10×10 block-average thumbnails (§7.2),
the quantiser of docs/protocol.md §6 and the class map of §8: everything about the grid that
does not depend on a network.
What it is not: a network's maps (grids.py evaluates those) or colouring (the browser maps
quantised values to the palette).
Trade-off: the constant parts (features, input maps, their thumbnails) are computed once per
process and kept read-only, ~400 kB, instead of once per frame.

Shapes: grid points are flattened row-major (j, i): point p = 100·j + i is (x_i, y_j), with
column i going left → right and row j top → bottom (j = 0 is y = +6).
"""

from functools import cache

import numpy as np
import numpy.typing as npt

from app.engine.types import AnyFloatArray, Float32Array, FloatArray
from app.playground.features import FEATURE_ORDER, feature_matrix

GRID_SIZE = 100
THUMB_SIZE = 10
DOMAIN = (-6.0, 6.0)

U8Array = npt.NDArray[np.uint8]

_BLOCK = GRID_SIZE // THUMB_SIZE
N_POINTS = GRID_SIZE * GRID_SIZE


# ---- the grid (§7.1) ----


def grid_axes() -> tuple[FloatArray, FloatArray]:
    """x (100,) left → right and y (100,) top → bottom, float64, bit-exact with d3.

    Both use d3's interpolation r0·(1 − t) + r1·t (§7.1), not −6 + 12·t, so the values
    are the playground's to the last bit. Example: x[0] = −6, x[99] = 6, y[0] = 6.
    """
    lo, hi = DOMAIN
    steps = np.arange(GRID_SIZE, dtype=np.float64)
    last = GRID_SIZE - 1
    tx = steps / last
    ty = (steps - last) / -last
    return lo * (1 - tx) + hi * tx, lo * (1 - ty) + hi * ty


def grid_points() -> FloatArray:
    """(10,000, 2) float64 points (x_i, y_j), row-major over (j, i)."""
    x, y = grid_axes()
    return np.column_stack([np.tile(x, GRID_SIZE), np.repeat(y, GRID_SIZE)])


@cache
def all_features_t() -> Float32Array:
    """(7, 10,000) float32: every feature in FEATURE_ORDER over the grid, read-only.

    Computed in float64 and rounded once, so x² and sin x are the nearest float32 to the
    exact values at the spec's coordinates (a float32 pipeline would round twice).
    """
    features = feature_matrix(grid_points(), FEATURE_ORDER)
    out = np.ascontiguousarray(features.T, dtype=np.float32)
    out.flags.writeable = False
    return out


@cache
def input_maps_u8() -> U8Array:
    """(7, 100, 100) uint8 quantised input maps, read-only: constant, so computed once."""
    out = quantize(input_maps())
    out.flags.writeable = False
    return out


@cache
def _input_thumbnails_u8() -> U8Array:
    """(7, 10, 10) uint8 quantised input thumbnails, read-only."""
    out = quantize(block_average(input_maps()))
    out.flags.writeable = False
    return out


def input_maps() -> Float32Array:
    """(7, 100, 100) float32 maps of all 7 features, read-only (§7.1: always all 7)."""
    return all_features_t().reshape(len(FEATURE_ORDER), GRID_SIZE, GRID_SIZE)


def input_thumbnails_u8() -> U8Array:
    """(7, 10, 10) uint8: the frame's optional input thumbnails, canonical order, read-only."""
    return _input_thumbnails_u8()


# ---- thumbnails and quantising (§7.2, docs/protocol.md §6) ----


@cache
def _block_matrix(dtype: str) -> AnyFloatArray:
    """(100, 10) 0/1 matrix of `dtype` (a NumPy type code, which unlike `dtype.name` is no
    Python property to compute per frame): column c sums grid columns 10c…10c+9."""
    out = np.repeat(np.eye(THUMB_SIZE, dtype=dtype), _BLOCK, axis=0)
    out.flags.writeable = False
    return out


def block_average(maps: AnyFloatArray, scratch: AnyFloatArray | None = None) -> AnyFloatArray:
    """(..., 100, 100) -> (..., 10, 10): means of 10×10 blocks, in the dtype of `maps`.

    Thumbnail cell [r][c] averages rows 10r…10r+9 and columns 10c…10c+9 (§7.2).
    First the 10 rows of each block row are added (whole rows of 100 at a time), then a
    product with a 0/1 matrix adds the columns in blocks of 10; both are far faster than
    NumPy's reductions over the short strided axes of reshape(…, 10, 10, 10, 10).
    `scratch`, if given, is a C-contiguous (maps.size // 10,000, 10, 100) array of maps'
    dtype that receives the row sums, so a per-frame caller allocates no large temporary.
    """
    lead = maps.shape[:-2]
    m = maps.size // N_POINTS
    blocks = maps.reshape(m, THUMB_SIZE, _BLOCK, GRID_SIZE)  # (m, block row, row in it, x)
    rows = np.add.reduce(blocks, axis=2, out=scratch)  # (m, 10, 100)
    sums = rows.reshape(-1, GRID_SIZE) @ _block_matrix(maps.dtype.char)  # (m·10, 10)
    result: AnyFloatArray = (sums / (_BLOCK * _BLOCK)).reshape(*lead, THUMB_SIZE, THUMB_SIZE)
    return result


def quantize(values: AnyFloatArray) -> U8Array:
    """Any float array -> uint8 of the same shape: q = round((clip(v, −1, 1) + 1) · 127.5).

    So −1 → 0, 0 → 128 (127.5 rounds to even), +1 → 255, and v ≈ q / 127.5 − 1
    (docs/protocol.md §6). `round` is NumPy's rint: half to even, like Python's round().
    Callers guarantee finite values (a diverged network is caught by the trainer before a
    frame is built); NaN is still mapped to 127 rather than to an undefined cast.
    """
    q = np.clip(values, -1, 1)
    q += 1
    q *= 127.5
    np.rint(q, out=q)
    q[np.isnan(q)] = 127
    return q.astype(np.uint8)


def class_map_u8(probs: Float32Array) -> U8Array:
    """(K, 10,000) class probabilities -> (100, 100) u8: 64·winner + confidence level 0…63.

    The level maps the winner's probability from 1/K (a tie) to 1 (certain), so the client
    can colour by class and lighten by doubt (docs/protocol.md §8). K is at most 4.
    Example (K=2): p = [0.25, 0.75] -> 64·1 + round(63·(0.75 − 0.5)/0.5) = 96.
    """
    k = probs.shape[0]
    winner = np.argmax(probs, axis=0)
    confidence = np.take_along_axis(probs, winner[None], axis=0)[0]
    level = np.rint(np.clip((confidence - 1 / k) / (1 - 1 / k), 0, 1) * 63)
    encoded: U8Array = (winner * 64 + level).astype(np.uint8).reshape(GRID_SIZE, GRID_SIZE)
    return encoded
