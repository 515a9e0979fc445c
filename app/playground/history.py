"""The loss chart's points a session keeps for checkpoints and exports, taken by the session.

What it is: `LossHistory`, points (epoch, train loss, test loss) at the epochs `due` names:
every epoch up to DENSE_EPOCHS, then 16 per doubling of the epoch count (every 2nd epoch
from 32, every 4th from 64, ...), and every other point dropped should there be more than
HISTORY_LIMIT (after about 10^13 epochs: never, in practice).
What it is not: the page's own chart, which draws a point per frame it receives; a
reloaded page or an import redraws it from these (docs/protocol.md §2).
Trade-off: which epochs have a point depends on the run alone, never on how fast a client
grants frames, so one run always saves one history. Each point costs a pass over the
training and test sets (~0.1 ms for config A, about a gang epoch's cost; a frame of the same
weights reuses it), so points thin out as the run goes on: ~150 by epoch 6,000 instead of
one a frame, and a class pays for them mostly in the first second after a reset. Loss
curves change fastest at the start, which is where the points are densest.
"""

from collections.abc import Iterable

Point = tuple[int, float, float]  # (epoch, train loss, test loss) on the loss chart

DENSE_EPOCHS = 32  # every epoch below this has a point; then 16 per doubling
# Every checkpoint carries them all, once a second per student: 2,000 points took ~6 ms of
# JSON and 80 kB a second per student, 15% of a worker's CPU for 25 students late in a
# lesson; 500 is still more points than the chart has pixels.
HISTORY_LIMIT = 500


class LossHistory:
    """The points of one run; `due(epoch)` says whether that epoch gets one."""

    def __init__(self, points: Iterable[Point] = ()) -> None:
        self.points = thinned(list(points))

    def due(self, epoch: int) -> bool:
        if self.points and self.points[-1][0] == epoch:
            return False
        return epoch % stride(epoch) == 0

    def add(self, point: Point) -> None:
        self.points.append(point)
        if len(self.points) > HISTORY_LIMIT:
            self.points = thinned(self.points)


def stride(epoch: int) -> int:
    """1 below DENSE_EPOCHS, then doubling as the epoch doubles: 2 for 32–63, 4 for
    64–127, ... Example: stride(31) -> 1, stride(32) -> 2, stride(6000) -> 256."""
    return 1 << max(0, epoch.bit_length() - DENSE_EPOCHS.bit_length() + 1)


def thinned(points: list[Point]) -> list[Point]:
    """At most HISTORY_LIMIT points: every other one dropped until it fits, so the whole
    run's shape stays, at a lower resolution (a longer history comes from a very long run,
    an import or an older server's checkpoint)."""
    while len(points) > HISTORY_LIMIT:
        points = points[::2]
    return points
