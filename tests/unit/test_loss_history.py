"""The session takes its own loss history (issue 21, item 6): which epochs have a point
depends on the run alone, not on frames, and a checkpoint stays small however long it runs."""

from app.playground.history import HISTORY_LIMIT, LossHistory, stride
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from tests.support.training import train


def test_every_epoch_has_a_point_at_first_then_32_per_doubling() -> None:
    assert [stride(e) for e in (0, 1, 63, 64, 127, 128, 255, 256)] == [1, 1, 1, 2, 2, 4, 4, 8]
    history = LossHistory()
    for epoch in range(100_000):
        if history.due(epoch):
            history.add((epoch, 0.0, 0.0))
    epochs = [e for e, _, _ in history.points]
    assert epochs[:64] == list(range(64)) and epochs[64:67] == [64, 66, 68]
    # 64 dense points, 32 in each doubling from 64 to 65,535, and from 65,536 on every
    # 2,048th epoch: 65,536 + 16 x 2,048 = 98,304 is the last before 100,000.
    assert len(epochs) == 64 + 10 * 32 + 17 <= HISTORY_LIMIT
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
    assert [e for e, _, _ in whole.history.points] == [*range(64), 64, 66, 68, 70]
    at_63 = Session(settings)
    train(at_63, 63)
    assert whole.history.points[63] == (63, *at_63.losses())
