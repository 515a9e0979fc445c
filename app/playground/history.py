"""The loss chart's points a session keeps for checkpoints and exports, taken by the session.

What it is: `LossHistory`, points (epoch, train loss, test loss) at every `stride`-th epoch,
the stride doubling, and every other point going, whenever there are more than
HISTORY_LIMIT: a run of any length keeps at most that many points, spread evenly over it.
What it is not: the page's own chart, which draws a point per frame it receives; a
reloaded page or an import redraws it from these (docs/protocol.md §2).
Trade-off: which epochs have a point depends on the run alone, never on how fast a client
grants frames, so one run always saves one history; the price is a loss pass at those
epochs (every epoch of the first 500, every other one up to 1,000, then ever fewer),
which a frame of the same weights then reuses (readouts.py).
"""

from collections.abc import Iterable

Point = tuple[int, float, float]  # (epoch, train loss, test loss) on the loss chart

# Every checkpoint carries them all, once a second per student: 2,000 points took ~6 ms of
# JSON and 80 kB a second per student, 15% of a worker's CPU for 25 students late in a
# lesson; 500 is still more points than the chart has pixels.
HISTORY_LIMIT = 500


class LossHistory:
    """The points of one run; `due(epoch)` says whether that epoch gets one."""

    def __init__(self, points: Iterable[Point] = ()) -> None:
        self.points = thinned(list(points))
        self.stride = _stride_of(self.points)

    def due(self, epoch: int) -> bool:
        return epoch % self.stride == 0 and not (self.points and self.points[-1][0] == epoch)

    def add(self, point: Point) -> None:
        self.points.append(point)
        while len(self.points) > HISTORY_LIMIT:
            self.stride *= 2
            self.points = [p for p in self.points if p[0] % self.stride == 0]


def thinned(points: list[Point]) -> list[Point]:
    """At most HISTORY_LIMIT points: every other one dropped until it fits, so the whole
    run's shape stays, at a lower resolution (a longer history comes from an import or
    an older server's checkpoint)."""
    while len(points) > HISTORY_LIMIT:
        points = points[::2]
    return points


def _stride_of(points: list[Point]) -> int:
    """The stride a resumed history was kept at: the largest power of two that divides
    every epoch in it (1 for a history whose points fall anywhere, as older servers' did)."""
    stride = 1
    epochs = [e for e, _, _ in points if e > 0]
    while epochs and stride < 2**40 and all(e % (stride * 2) == 0 for e in epochs):
        stride *= 2
    return stride
