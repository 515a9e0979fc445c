"""Decision-boundary grids: every node's map of a network over the grid, as a frame carries them.

What it is: `GridEvaluator`: one batched float32 forward pass over the grid's 10,000 points
(grid_space.py) that yields every non-input node's map, and `frame_maps`, exactly what one
binary frame carries (the focus map and every thumbnail, quantised).
What it is not: the grid itself, thumbnails or quantising (grid_space.py), colouring (the
browser) or frame encoding (protocol code packs the bytes).
Trade-off: the forward pass here is a transposed re-statement of `Network.forward`:
activations are (units, 10,000) so each unit's map is a contiguous row, reshaped to
(100, 100) without a copy, and BLAS gets (units, k) @ (k, 10,000) products, which beat
(10,000, k) @ (k, units) for tiny k. The price is a second, 10-line forward loop to keep in
step with the network's (same weights; `ACTIVATIONS[name].fn`, except tanh, which reads 2z
from doubled weights: activations.tanh32_of_doubled_into; tests/unit/test_grids.py checks
every activation against float64 forward passes).
"""

import threading
from collections.abc import Iterable
from functools import cache
from itertools import accumulate

import numpy as np

from app.engine.activations import ACTIVATIONS, tanh32_of_doubled_into
from app.engine.network import Network
from app.engine.types import Float32Array
from app.playground.features import FEATURE_ORDER, feature_matrix
from app.playground.grid_space import (
    GRID_SIZE,
    N_POINTS,
    THUMB_SIZE,
    U8Array,
    all_features_t,
    block_average,
    class_map_u8,
    input_maps_u8,
    quantize,
)

Focus = tuple[int, int] | None  # None = output unit 0; (0, u) = input feature u; (l, u) layer l


@cache
def _features_t(names: tuple[str, ...]) -> Float32Array:
    """(k, 10,000) float32 rows of the enabled features (canonical `names`), read-only."""
    rows = [FEATURE_ORDER.index(name) for name in names]
    out = np.ascontiguousarray(all_features_t()[rows])
    out.flags.writeable = False
    return out


class GridEvaluator:
    """Maps of a network over the grid, for one set of enabled input features.

    The float32 feature matrix is built once per feature set (and shared between
    evaluators with the same set); a network change needs no new evaluator, a feature
    change does (the network is rebuilt then anyway: docs/playground-rules.md §3). Its work
    buffers are its thread's (`_work_buffers`), shared with the thread's other evaluators.
    """

    def __init__(self, feature_names: Iterable[str]) -> None:
        wanted = set(feature_names)
        feature_matrix(np.zeros((0, 2)), wanted)  # the ValueError for unknown names
        self.feature_names = tuple(key for key in FEATURE_ORDER if key in wanted)
        self._features = _features_t(self.feature_names)

    def __repr__(self) -> str:
        return f"GridEvaluator({list(self.feature_names)})"

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
        acts = self.layer_maps(net)
        maps, rows = _work_buffers(sum(net.layer_sizes[1:]))
        thumbs = quantize(block_average(maps.reshape(-1, GRID_SIZE, GRID_SIZE), rows))
        if class_map and focus is None:
            return class_map_u8(acts[-1]), thumbs
        if layer == 0:
            return input_maps_u8()[unit], thumbs
        return quantize(acts[layer - 1][unit].reshape(GRID_SIZE, GRID_SIZE)), thumbs

    def layer_maps(self, net: Network) -> list[Float32Array]:
        """One float32 pass over all 10,000 points: [(units, 10,000)] per non-input layer.

        The results are views of the thread's work buffer (`_work_buffers`), valid until
        the thread's next call: copy what must outlive it. Weights are cast to float32 once
        per call, so nothing is upcast. Activations see z.T, the (n, units) layout
        `ACTIVATIONS` expects (softmax is row-wise); tanh reads 2z instead (module doc).
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
        _SCRATCH.maps = maps = np.empty((units, N_POINTS), dtype=np.float32)
        _SCRATCH.rows = np.empty((units, THUMB_SIZE, GRID_SIZE), dtype=np.float32)
    rows: Float32Array = _SCRATCH.rows
    return maps[:units], rows[:units]


def _check_focus(focus: Focus, layer_sizes: list[int]) -> tuple[int, int]:
    """Focus -> (layer, unit) with layer 0 meaning the 7 input features; ValueError if absent."""
    layer, unit = (len(layer_sizes) - 1, 0) if focus is None else focus
    if not 0 <= layer < len(layer_sizes):
        raise ValueError(f"focus layer must be in 0..{len(layer_sizes) - 1}, got {layer}")
    units = len(FEATURE_ORDER) if layer == 0 else layer_sizes[layer]
    if not 0 <= unit < units:
        raise ValueError(f"focus unit must be in 0..{units - 1} for layer {layer}, got {unit}")
    return layer, unit
