"""Decision-boundary grids: every node's map over [−6, 6]², thumbnails, and uint8 quantising.

What it is: the playground's 100×100 grid (spec/playground.md §7.1), its cached float32
feature matrix, one batched float32 forward pass that yields every non-input node's map,
10×10 block-average thumbnails (§7.2), the quantiser of docs/protocol.md §6, and
`GridEvaluator.frame_maps`, which computes exactly what one binary frame carries.

What it is not: colouring (the browser maps quantised values to the §7.2 palette and
discretises them) and not frame encoding (protocol code packs the bytes).

Trade-off: the forward pass here is a transposed re-statement of `Network.forward`:
activations are (units, 10,000) so each unit's map is a contiguous row, reshaped to
(100, 100) without a copy, and BLAS gets (units, k) @ (k, 10,000) products, which beat
(10,000, k) @ (k, units) for tiny k. The price is a second, 10-line forward loop to keep in
step with the network's (same weights, same `ACTIVATIONS[name].fn`, checked by tests).

Shapes: grid points are flattened row-major (j, i): point p = 100·j + i is (x_i, y_j), with
column i going left → right and row j top → bottom (j = 0 is y = +6).
"""

import threading
from collections.abc import Iterable
from functools import cache
from itertools import accumulate

import numpy as np
import numpy.typing as npt

from app.engine.activations import ACTIVATIONS, tanh32_of_doubled_into
from app.engine.network import Network
from app.engine.types import AnyFloatArray, Float32Array, FloatArray
from app.playground.features import FEATURE_ORDER, feature_matrix

GRID_SIZE = 100
THUMB_SIZE = 10
DOMAIN = (-6.0, 6.0)

U8Array = npt.NDArray[np.uint8]
Focus = tuple[int, int] | None  # None = output unit 0; (0, u) = input feature u; (l, u) layer l

_BLOCK = GRID_SIZE // THUMB_SIZE
_N_POINTS = GRID_SIZE * GRID_SIZE


# ---- the grid (spec §7.1) ----


def grid_axes() -> tuple[FloatArray, FloatArray]:
    """x (100,) left → right and y (100,) top → bottom, float64, bit-exact with d3.

    Both use d3's interpolation r0·(1 − t) + r1·t (spec §7.1), not −6 + 12·t, so the values
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
def _all_features_t() -> Float32Array:
    """(7, 10,000) float32: every feature in FEATURE_ORDER over the grid, read-only.

    Computed in float64 and rounded once, so x² and sin x are the nearest float32 to the
    exact values at the spec's coordinates (a float32 pipeline would round twice).
    """
    features = feature_matrix(grid_points(), FEATURE_ORDER)
    out = np.ascontiguousarray(features.T, dtype=np.float32)
    out.flags.writeable = False
    return out


@cache
def _input_maps_u8() -> U8Array:
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
    """(7, 100, 100) float32 maps of all 7 features, read-only (spec §7.1: always all 7)."""
    return _all_features_t().reshape(len(FEATURE_ORDER), GRID_SIZE, GRID_SIZE)


def input_thumbnails_u8() -> U8Array:
    """(7, 10, 10) uint8: the frame's optional input thumbnails, canonical order, read-only."""
    return _input_thumbnails_u8()


# ---- thumbnails and quantising (spec §7.2, docs/protocol.md §6) ----


@cache
def _block_matrix(dtype: str) -> AnyFloatArray:
    """(100, 10) 0/1 matrix of `dtype` (a NumPy type code, which unlike `dtype.name` is no
    Python property to compute per frame): column c sums grid columns 10c…10c+9."""
    out = np.repeat(np.eye(THUMB_SIZE, dtype=dtype), _BLOCK, axis=0)
    out.flags.writeable = False
    return out


def block_average(maps: AnyFloatArray, scratch: AnyFloatArray | None = None) -> AnyFloatArray:
    """(..., 100, 100) -> (..., 10, 10): means of 10×10 blocks, in the dtype of `maps`.

    Thumbnail cell [r][c] averages rows 10r…10r+9 and columns 10c…10c+9 (spec §7.2).
    First the 10 rows of each block row are added (whole rows of 100 at a time), then a
    product with a 0/1 matrix adds the columns in blocks of 10; both are far faster than
    NumPy's reductions over the short strided axes of reshape(…, 10, 10, 10, 10).
    `scratch`, if given, is a C-contiguous (maps.size // 10,000, 10, 100) array of maps'
    dtype that receives the row sums, so a per-frame caller allocates no large temporary.
    """
    lead = maps.shape[:-2]
    m = maps.size // _N_POINTS
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


# ---- the evaluator ----


@cache
def _features_t(names: tuple[str, ...]) -> Float32Array:
    """(k, 10,000) float32 rows of the enabled features (canonical `names`), read-only."""
    rows = [FEATURE_ORDER.index(name) for name in names]
    out = np.ascontiguousarray(_all_features_t()[rows])
    out.flags.writeable = False
    return out


class GridEvaluator:
    """Maps of a network over the grid, for one set of enabled input features.

    The float32 feature matrix is built once per feature set (and shared between
    evaluators with the same set); a network change needs no new evaluator, a feature
    change does (the network is rebuilt then anyway, spec §3). Its work buffers are its
    thread's (`_work_buffers`), shared with the thread's other evaluators.
    """

    def __init__(self, feature_names: Iterable[str]) -> None:
        wanted = set(feature_names)
        feature_matrix(np.zeros((0, 2)), wanted)  # the ValueError for unknown names
        self.feature_names = tuple(key for key in FEATURE_ORDER if key in wanted)
        self._features = _features_t(self.feature_names)

    def __repr__(self) -> str:
        return f"GridEvaluator({list(self.feature_names)})"

    def evaluate(self, net: Network) -> list[Float32Array]:
        """Every non-input layer's activations as (units, 100, 100) float32, layer by layer.

        The arrays are the caller's own (copies of the work buffer).
        """
        return [a.reshape(-1, GRID_SIZE, GRID_SIZE).copy() for a in self._forward(net)]

    def frame_maps(
        self, net: Network, focus: Focus = None, class_map: bool = False
    ) -> tuple[U8Array, U8Array]:
        """What a frame carries: (focus map (100, 100) u8, thumbnails (H, 10, 10) u8).

        The focus map is the full map of one node only: the output (None, unit 0), input
        feature `u` in canonical order ((0, u), enabled or not), or unit u of network layer
        l ((l, u), 1 ≤ l ≤ L−1). Thumbnails cover every non-input node, output included,
        layer by layer, unit by unit (docs/protocol.md §6). An input's focus map is a
        shared read-only array; the thumbnails and other focus maps are fresh. With
        `class_map` and the output in focus, the map is `class_map_u8` of the output layer.
        """
        layer, unit = _check_focus(focus, net.layer_sizes)
        acts = self._forward(net)
        maps, rows = _work_buffers(sum(net.layer_sizes[1:]))
        thumbs = quantize(block_average(maps.reshape(-1, GRID_SIZE, GRID_SIZE), rows))
        if class_map and focus is None:
            return class_map_u8(acts[-1]), thumbs
        if layer == 0:
            return _input_maps_u8()[unit], thumbs
        return quantize(acts[layer - 1][unit].reshape(GRID_SIZE, GRID_SIZE)), thumbs

    def _forward(self, net: Network) -> list[Float32Array]:
        """One float32 pass over all 10,000 points: [(units, 10,000)] per non-input layer.

        The results are views of the thread's work buffer (`_work_buffers`), valid until
        the thread's next call. Weights are cast to float32 once per call, so nothing is
        upcast. Activations see z.T, the (n, units) layout `ACTIVATIONS` expects (softmax is
        row-wise).
        """
        self._check_inputs(net)
        hidden = ACTIVATIONS[net.activation].fn
        output = ACTIVATIONS[net.output_activation].fn
        last = len(net.W) - 1
        acts = self._layer_views(net.layer_sizes)
        a: Float32Array = self._features
        for layer, (W, b, z) in enumerate(zip(net.W, net.b, acts, strict=True)):
            name = net.output_activation if layer == last else net.activation
            scale = 2.0 if name == "tanh" else 1.0  # tanh reads 2z (tanh32_of_doubled_into)
            np.matmul((W.T * scale).astype(np.float32), a, out=z)  # (fan_out, 10,000)
            z += (b * scale).astype(np.float32)[:, None]
            if name == "tanh":  # the default: in place, no 160 kB temporary to copy back
                tanh32_of_doubled_into(z, z)
            else:
                fn = output if layer == last else hidden
                zT = z.T
                result = fn(zT)
                if result is not zT:  # linear hands z back: nothing to copy
                    np.copyto(zT, result)
            a = z
        return acts

    def _check_inputs(self, net: Network) -> None:
        if net.layer_sizes[0] != len(self.feature_names):
            raise ValueError(
                f"network has {net.layer_sizes[0]} inputs but the grid has "
                f"{len(self.feature_names)} features {list(self.feature_names)}"
            )

    def _layer_views(self, layer_sizes: list[int]) -> list[Float32Array]:
        """Per non-input layer, its (units, 10,000) rows of the thread's work buffer."""
        maps, _ = _work_buffers(sum(layer_sizes[1:]))
        bounds = list(accumulate(layer_sizes[1:], initial=0))
        return [maps[i:j] for i, j in zip(bounds[:-1], bounds[1:], strict=True)]


_SCRATCH = threading.local()


def _work_buffers(units: int) -> tuple[Float32Array, Float32Array]:
    """This thread's (units, 10,000) maps and (units, 10, 100) row sums: views of buffers
    shared by every evaluator the thread runs, grown to the largest network seen (at most
    49 units: 2 MB).

    Why shared: a worker builds its sessions' frames one at a time on its one loop thread,
    so one buffer serves them all and stays in the core's cache, where 25 buffers of their
    own (one per session) took turns coming back from memory. Why reused at all: fresh
    multi-megabyte arrays each frame cost page faults, as glibc hands the memory back to
    the OS after each frame (measured: 0.8 ms of config B's 3 ms of grids on the 2-core VM).
    """
    maps: Float32Array | None = getattr(_SCRATCH, "maps", None)
    if maps is None or maps.shape[0] < units:
        _SCRATCH.maps = maps = np.empty((units, _N_POINTS), dtype=np.float32)
        _SCRATCH.rows = np.empty((units, THUMB_SIZE, GRID_SIZE), dtype=np.float32)
    rows: Float32Array = _SCRATCH.rows
    return maps[:units], rows[:units]


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


def _check_focus(focus: Focus, layer_sizes: list[int]) -> tuple[int, int]:
    """Focus -> (layer, unit) with layer 0 meaning the 7 input features; ValueError if absent."""
    layer, unit = (len(layer_sizes) - 1, 0) if focus is None else focus
    if not 0 <= layer < len(layer_sizes):
        raise ValueError(f"focus layer must be in 0..{len(layer_sizes) - 1}, got {layer}")
    units = len(FEATURE_ORDER) if layer == 0 else layer_sizes[layer]
    if not 0 <= unit < units:
        raise ValueError(f"focus unit must be in 0..{units - 1} for layer {layer}, got {unit}")
    return layer, unit
