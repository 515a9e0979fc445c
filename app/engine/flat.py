"""One contiguous vector seen as a list of arrays: the engine's parameter layout.

What it is: `FlatParams`, a list of arrays that are consecutive C-ordered views of one 1-D
float64 buffer `flat`, in list order. The network's [W1, b1, W2, b2, ...] live in one, and so
do the kernel's gradient sums, the trainer's carry and every optimizer state slot. An update
over all parameters is then a few whole-vector operations instead of a few per array, and
`layer_blocks` sees the same memory as one (fan_in + 1, fan_out) block [W; b] per layer.
What it is not: a copy. Writing into an item writes into `flat` and the other way round.
Rebinding an item (`params[0] = other`) would cut that link, so the engine never does it.
Trade-off: the per-array lists (`net.W`, `get_state()` slots) stay the public face and the
flat vector is the fast one, so every holder of such a list must write into it in place
rather than assign new arrays.

Shapes: `flat` (size,) with size = Σ prod(shape); item i has shapes[i].
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from app.engine.types import FloatArray

Shape = tuple[int, ...]


def views(flat: npt.NDArray[Any], shapes: Sequence[Shape]) -> list[npt.NDArray[Any]]:
    """Consecutive views of a 1-D array. Example: views(arange(5), [(2, 2), (1,)]) -> [[0, 1],
    [2, 3]] and [4], both sharing arange's memory."""
    out = []
    offset = 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(flat[offset : offset + size].reshape(shape))
        offset += size
    if offset != flat.size:
        raise ValueError(f"a vector of {flat.size} values cannot hold shapes {list(shapes)}")
    return out


class FlatParams(list[FloatArray]):
    """Arrays of `shapes` that are consecutive views of `flat` (zeros, or `fill`, if not given)."""

    def __init__(
        self, shapes: Sequence[Shape], flat: FloatArray | None = None, fill: float = 0.0
    ) -> None:
        if flat is None:
            flat = np.full(sum(math.prod(s) for s in shapes), fill, dtype=np.float64)
        super().__init__(views(flat, shapes))
        self.flat = flat
        self.shapes: tuple[Shape, ...] = tuple(tuple(s) for s in shapes)

    @classmethod
    def of(cls, arrays: Sequence[npt.ArrayLike]) -> "FlatParams":
        """A new FlatParams holding float64 copies of `arrays`."""
        copies = [np.asarray(a, dtype=np.float64) for a in arrays]
        flat = np.concatenate([a.ravel() for a in copies]) if copies else np.zeros(0)
        return cls([a.shape for a in copies], flat)


def param_shapes(layer_sizes: Sequence[int]) -> list[Shape]:
    """Keras order [W1, b1, W2, b2, ...]. Example: [2, 3, 1] -> [(2, 3), (3,), (3, 1), (1,)]."""
    shapes: list[Shape] = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:], strict=True):
        shapes += [(fan_in, fan_out), (fan_out,)]
    return shapes


def layer_blocks(flat: npt.NDArray[Any], layer_sizes: Sequence[int]) -> list[npt.NDArray[Any]]:
    """Per layer, the (fan_in + 1, fan_out) view [W; b] of a vector laid out by param_shapes.

    W (fan_in, fan_out) is followed by b (fan_out,) in memory, so b is the block's last row.
    """
    return views(flat, [(n + 1, m) for n, m in zip(layer_sizes[:-1], layer_sizes[1:], strict=True)])
