"""The Pacer's rules (docs/protocol.md §7) with made-up clock values: no socket, no sleep."""

import pytest

from app.web.pacer import IDLE_SLEEP, MAX_CREDIT, UNWATCHED_SECONDS, Pacer

FPS = 20  # frames/s: a gap of 50 ms


def pacer(now: float = 100.0) -> Pacer:
    return Pacer(FPS, checkpoint_interval=1.0, now=now)


def test_no_frame_without_credit_and_credit_is_capped() -> None:
    p = pacer()
    assert not p.frame_due(100.0)
    p.grant(5)
    p.grant(5)
    assert p.credit == MAX_CREDIT == 8
    assert p.frame_due(100.0)


def test_frames_keep_a_fixed_cadence_without_drift() -> None:
    p = pacer()
    p.grant(8)
    p.frame_sent(100.0)  # after a long pause: never closer than half a gap (25 ms)
    assert not p.frame_due(100.024) and p.frame_due(100.025)
    p.frame_sent(100.030)  # 5 ms late: the next one stays on the 50 ms grid
    assert p.next_frame == pytest.approx(100.075)
    p.frame_sent(100.075)
    assert p.next_frame == pytest.approx(100.125)
    p.frame_sent(100.400)  # very late: half a gap after it, not a burst to catch up
    assert p.next_frame == pytest.approx(100.425)
    assert p.credit == 4


def test_epochs_are_owed_at_the_speed_and_capped_at_one_frame() -> None:
    p = pacer()
    p.start_playing(100.0)
    assert p.accrue(60, 100.0) == 0  # nothing is owed for the time before play
    assert p.accrue(60, 100.04) == 2  # 60 epochs/s x 40 ms = 2.4
    p.trained(2)
    # A stalled worker comes back after 10 s: at most a frame's worth (60/20 = 3) is owed,
    # not 600 epochs trained in silence.
    assert p.accrue(60, 110.04) == 3


def test_slow_speeds_owe_at_least_one_epoch_when_it_is_due() -> None:
    p = pacer()
    p.start_playing(100.0)
    p.accrue(1, 100.0)
    assert p.accrue(1, 100.5) == 0
    assert p.accrue(1, 101.0) == 1


def test_reading_what_is_owed_changes_nothing_only_accruing_does() -> None:
    """A gang's leader reads its mates' debts (owed); only a runner accrues its own."""
    p = pacer()
    p.start_playing(100.0)
    p.accrue(60, 100.0)
    assert p.owed(60, 100.04) == pytest.approx(2.4)
    assert p.owed(60, 100.04) == pytest.approx(2.4)  # asked twice: still the same
    assert (p.epoch_debt, p.last_tick) == (0.0, 100.0)
    assert p.accrue(60, 100.04) == 2
    assert p.epoch_debt == pytest.approx(2.4) and p.owed(60, 100.04) == pytest.approx(2.4)


def test_an_idle_or_failed_connection_sleeps_until_woken() -> None:
    p = pacer()
    assert p.sleep_for(100.0, frame_pending=False, speed=60, busy=False) == IDLE_SLEEP
    # A changed picture but no credit: the caller passes frame_pending=False, and it sleeps.
    assert p.sleep_for(100.0, frame_pending=False, speed=None, busy=False) == IDLE_SLEEP


def test_sleep_until_the_next_frame_or_the_next_owed_epoch() -> None:
    p = pacer()
    p.grant(2)
    p.frame_sent(100.0)  # the next frame may go at 100.025
    assert p.sleep_for(100.01, frame_pending=True, speed=None, busy=False) == pytest.approx(0.015)
    p.start_playing(100.01)
    # Playing at 10 epochs/s: the next epoch is owed in 0.1 s, but frames are 50 ms apart.
    assert p.sleep_for(100.01, frame_pending=False, speed=10, busy=True) == pytest.approx(0.05)
    assert p.sleep_for(100.01, frame_pending=False, speed=None, busy=True) == 0.0


def test_nobody_watches_five_seconds_after_the_credit_ran_out() -> None:
    p = pacer(now=100.0)
    p.start_playing(100.0)  # a client that never grants anything
    assert not p.unwatched(100.0 + UNWATCHED_SECONDS - 0.01)
    assert p.unwatched(100.0 + UNWATCHED_SECONDS)
    p.grant(1)  # credit in hand: the client waits for a frame, so it watches
    assert not p.unwatched(200.0)  # however long a slow speed makes it wait
    p.frame_sent(200.0)  # the credit runs out now: the clock starts again
    assert not p.unwatched(204.9)
    assert p.unwatched(205.0)


def test_checkpoints_go_after_commands_or_periodically_only_to_a_reader() -> None:
    p = pacer(now=100.0)
    p.checkpoint_due = True
    assert not p.checkpoint_wanted(100.0, playing=False)  # granted nothing: sent nothing
    p.grant(1)
    assert p.checkpoint_wanted(100.0, playing=False)
    p.checkpoint_sent(100.0)
    p.grant(1)
    assert not p.checkpoint_wanted(100.9, playing=True)
    assert p.checkpoint_wanted(101.0, playing=True)  # every interval while playing
    assert not p.checkpoint_wanted(101.0, playing=False)
