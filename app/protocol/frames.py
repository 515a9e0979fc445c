"""The binary frame of one session's current state (docs/protocol.md §6 and §8).

What it is: `build_frame`, which gathers what the browser draws — losses, metrics, the focus
map (or the class map), every thumbnail, weights, dead links and, with the gradient view,
gradients and dead ReLU nodes — and hands it to `frame_layout.encode_frame`.
What it is not: the layout (app/protocol/frame_layout.py) or the maths
(app/playground/grids.py, the engine); when frames are sent is app/web/runner.py's call.
Trade-off: metrics and dead-node checks run a forward pass over the data per frame (well
under a millisecond) instead of being tracked during training, so they always describe the
weights the frame shows.
"""

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from app.playground.grid_space import input_thumbnails_u8
from app.protocol.frame_layout import (
    FLAG_CLASS_MAP,
    FLAG_DIVERGED,
    FLAG_PLAYING,
    OUTPUT_FOCUS,
    encode_frame,
)

if TYPE_CHECKING:
    from app.playground.session import Session

F32_MAX = float(np.finfo(np.float32).max)


def build_frame(session: "Session", seq: int, with_inputs: bool) -> bytes:
    """Everything one frame carries, for the session as it is now."""
    s = session.settings
    train, test = session.losses()
    class_map = s.classes > 2 and session.focus is None
    # Finite float64 weights can still overflow float32 on the grid (a run on the verge of
    # divergence): the maps then saturate (quantize clips, NaN -> mid grey).
    with np.errstate(over="ignore", invalid="ignore"):
        focus_map, thumbs = session.grid.frame_maps(session.net, session.focus, class_map)
    flags = FLAG_PLAYING if session.playing else 0
    flags |= (FLAG_DIVERGED if session.diverged else 0) | (FLAG_CLASS_MAP if class_map else 0)
    gradients = session.view_gradients() if s.gradient_view else None
    return encode_frame(
        seq=seq,
        epoch=session.epoch,
        losses=(train, test),
        flags=flags,
        layer_sizes=session.net.layer_sizes,
        focus=(OUTPUT_FOCUS, 0) if session.focus is None else session.focus,
        metrics=session.metrics(),
        focus_map=focus_map,
        thumbnails=thumbs,
        input_thumbnails=input_thumbnails_u8() if with_inputs else None,
        weights=[_float32_safe(session.net.params.flat)],
        dead=session.trainer.dead,
        gradients=None if gradients is None else [np.clip(g, -F32_MAX, F32_MAX) for g in gradients],
        dead_nodes=dead_relu_nodes(session) if s.gradient_view else None,
    )


def _float32_safe(flat: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The weights clipped into float32's range, as one vector: the frame lays the arrays
    out in Keras order back to back, which is the order of the flat vector they are views
    of (app/engine/flat.py), so one clip and one cast replace 2L of each."""
    return np.clip(flat, -F32_MAX, F32_MAX)


def dead_relu_nodes(session: "Session") -> npt.NDArray[np.bool_]:
    """One flag per hidden node: a ReLU whose output is 0 for every training point."""
    net = session.net
    hidden = len(net.layer_sizes) - 2
    if net.activation != "relu" or hidden == 0 or len(session.Ftr) == 0:
        return np.zeros(sum(net.layer_sizes[1:-1]), dtype=bool)
    _, acts = net.forward(session.Ftr)
    return np.concatenate([(a == 0).all(axis=0) for a in acts[1 : 1 + hidden]])
