"""The session takes its own loss history (issue 21, item 6): which epochs have a point
depends on the run alone, not on frames, and a checkpoint stays small however long it runs."""

from app.playground.history import HISTORY_LIMIT, LossHistory, stride
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from tests.support.training import train


def test_every_epoch_has_a_point_at_first_then_16_per_doubling() -> None:
    assert [stride(e) for e in (0, 1, 31, 32, 63, 64, 127, 128)] == [1, 1, 1, 2, 2, 4, 4, 8]
    history = LossHistory()
    for epoch in range(100_000):
        if history.due(epoch):
            history.add((epoch, 0.0, 0.0))
    epochs = [e for e, _, _ in history.points]
    assert epochs[:32] == list(range(32)) and epochs[32:35] == [32, 34, 36]
    # 32 dense points, 16 in each doubling from 32 to 65,535, and from 65,536 on every
    # 4,096th epoch: 65,536 + 8 x 4,096 = 98,304 is the last before 100,000.
    assert len(epochs) == 32 + 11 * 16 + 9 <= HISTORY_LIMIT
    assert epochs[-1] == 98_304


def test_the_same_run_keeps_the_same_history_however_it_is_sliced() -> None:
    """Trained in one go or an epoch at a time with a frame after each (as the runner's
    turns and the client's credit slice it): the same points, the display losses of
    their epochs."""
    settings = PlaygroundSettings(seed="hist", dataset="xor")
    whole, sliced = Session(settings), Session(settings)
    train(whole, 70)
    for _ in range(70):
        train(sliced, 1)
        sliced.losses()  # what a frame reads
    assert whole.history.points == sliced.history.points
    epochs = [e for e, _, _ in whole.history.points]
    assert epochs == [*range(32), *range(32, 64, 2), 64, 68]
    at_31 = Session(settings)
    train(at_31, 31)
    assert whole.history.points[31] == (31, *at_31.losses())
