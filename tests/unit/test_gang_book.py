"""Who trains together (app/web/gangs.py): the rules for picking a runner's mates, and how
a mate gets what a gang trained for it.

Real sessions and pacers, made-up clocks; the connections are plain objects with the fields
a gang reads (gangs.Member).
"""

from dataclasses import dataclass, field

import numpy as np
import pytest

from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from app.web import gangs
from app.web.gangs import GangBook, Turn, gang_turn, take_gang_work
from app.web.pacer import UNWATCHED_SECONDS, Pacer
from app.web.scheduler import FairScheduler


@pytest.fixture(autouse=True)
def time_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """A turn's gangs stop after SLICE_SECONDS of them: on a loaded machine that could cut
    any turn short, so here only the test of that rule (which sets it to 0) has a limit."""
    monkeypatch.setattr(gangs, "SLICE_SECONDS", 3600.0)


@dataclass(eq=False)
class Conn:
    session: Session
    gangs: GangBook
    scheduler: FairScheduler = field(default_factory=FairScheduler)
    pacer: Pacer = field(default_factory=lambda: Pacer(30.0, 60.0, 0.0))
    live: bool = True


def playing(book: GangBook, seeds: list[str]) -> list[Conn]:
    """Fresh sessions that play: their first epoch gangs, as every later one does."""
    conns = []
    for seed in seeds:
        session = Session(
            PlaygroundSettings(dataset="circle", network_shape=[4, 2], seed=seed, speed=60)
        )
        session.play()
        conn = Conn(session, book)
        conn.pacer.grant(8)
        conn.pacer.start_playing(0.0)
        conn.pacer.accrue(60, 0.0)
        conns.append(conn)
    for conn in conns:
        gang_turn(conn, 0, 0.0)  # enrols it, trains nothing
    return conns


def test_every_watched_player_of_the_key_that_owes_an_epoch_is_a_mate() -> None:
    book = GangBook()
    me, *others = playing(book, ["a", "b", "c", "d", "e"])
    hidden, racing, changed, watching = others
    hidden.pacer.credit, hidden.pacer.starved_since = 0, -UNWATCHED_SECONDS  # a hidden tab
    racing.session.apply({"speed": None})  # "max" trains in its own slices
    changed.session.apply({"batch_size": 5})  # enrolled under the old key until its turn
    changed.session.play()
    key = book.key_of[me]
    assert book.mates(me, key, 0.05) == [watching]


def test_a_turn_trains_the_mates_who_take_their_epochs_on_their_own_turns() -> None:
    book = GangBook()
    conns = playing(book, ["a", "b", "c"])
    leader, *mates = conns
    before = [(c.session.version, c.pacer.epoch_debt, c.pacer.last_tick) for c in mates]
    # 3 epochs at 60/s in 50 ms, capped at a frame's worth (60/s x 1/30 s): 2 are owed.
    assert leader.pacer.accrue(60, 0.05) == 2
    assert gang_turn(leader, 2, 0.05) == Turn(2, alone=True)
    assert leader.session.epoch == 2  # its own epochs are recorded at once
    assert book.member_epochs == 6
    # The leader's runner wrote nothing of the mates: their sessions and pacers are as
    # they were until their own turns take what the gang did for them.
    assert [(c.session.version, c.pacer.epoch_debt, c.pacer.last_tick) for c in mates] == before
    assert [m.session.epoch for m in mates] == [0, 0]
    for mate in mates:
        mate.pacer.accrue(60, 0.05)
        assert take_gang_work(mate) == 2
        assert mate.session.epoch == 2
        assert mate.pacer.accrue(60, 0.05) == 0  # 2 owed, 2 trained by the leader
        assert mate.pacer.epoch_debt == 0.0


def test_a_mate_is_never_more_than_one_epoch_ahead_of_its_pace() -> None:
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    leader.pacer.accrue(60, 0.05)
    # By 0.05 s the mate's pace is 3 epochs: it joins three times on its debt and once more
    # on credit, then it is one epoch ahead and the gang stops; the leader trains the rest
    # alone.
    assert gang_turn(leader, 6, 0.05) == Turn(4, alone=True)
    assert take_gang_work(mate) == 4


def test_a_mate_whose_own_turns_come_rarely_is_still_trained_at_its_pace() -> None:
    """On an overloaded worker a runner's own turns are far apart. The frame's worth its
    own runner may owe (2 epochs here) must not cap what gangs train for it meanwhile: capped
    so, a mate dropped out of every gang once two epochs waited for it, the gangs shrank and
    each epoch cost more (benchmarks/classroom.py at 80 students: 30 epochs/s instead of 56)."""
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    leader.pacer.accrue(60, 1.0)  # the mate's last turn was 1 s ago: 60 epochs of pace
    assert gang_turn(leader, 5, 1.0) == Turn(5, alone=True)
    mate.pacer.accrue(60, 1.0)
    assert take_gang_work(mate) == 5


def test_a_gang_stops_at_the_leaders_epoch_limit() -> None:
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    leader.session.apply({"epochs_limit": leader.session.epoch + 1})  # one more epoch
    leader.pacer.accrue(60, 0.05)
    assert gang_turn(leader, 2, 0.05) == Turn(1, alone=True)  # its advance reports the limit
    assert leader.session.epoch == leader.session.settings.epochs_limit


def test_a_turn_out_of_time_leaves_the_rest_owed_instead_of_training_it_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    start = leader.session.epoch
    assert leader.pacer.accrue(60, 0.05) == 2
    monkeypatch.setattr(gangs, "SLICE_SECONDS", 0.0)  # every gang overruns the turn
    assert gang_turn(leader, 2, 0.05) == Turn(1, alone=False)
    assert leader.session.epoch == start + 1
    leader.pacer.trained(1)  # what the runner does with Turn.done
    assert leader.pacer.epoch_debt == 1.0  # the other epoch is still owed, for a later gang


def test_the_stacking_order_does_not_depend_on_who_leads() -> None:
    book = GangBook()
    conns = playing(book, ["a", "b", "c"])
    for conn in conns:
        conn.pacer.accrue(60, 0.05)
    orders = []
    for t, leader in zip([0.05, 0.07, 0.09], [conns[2], conns[0], conns[1]], strict=True):
        for conn in conns:
            take_gang_work(conn)
        leader.pacer.accrue(60, t)
        gang_turn(leader, 1, t)
        kernel = next(iter(book.gangs._kernels.values()))
        orders.append([id(F) for F, _ in kernel._data_refs])
    assert orders[0] == orders[1] == orders[2]  # so the stacked data is built once


def test_the_first_epoch_after_a_reset_trains_in_the_gang() -> None:
    """A reset builds a new optimizer: it has met the weights' shapes from the start
    (Optimizer.build), so the next epoch gangs instead of training alone."""
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    leader.pacer.accrue(60, 0.05)
    gang_turn(leader, 1, 0.05)
    take_gang_work(mate)
    for conn in (leader, mate):
        conn.session.reset()
        conn.session.play()
        conn.pacer.start_playing(1.0)
        conn.pacer.accrue(60, 1.0)
    assert leader.pacer.accrue(60, 1.02) == 1
    assert gang_turn(leader, 1, 1.02) == Turn(1, alone=True)
    assert book.member_epochs == 2 + 2  # the leader's and the mate's first epochs
    assert take_gang_work(mate) == 1 and mate.session.epoch == 1


def test_work_waiting_for_a_mate_is_dropped_when_its_session_changed() -> None:
    """A command between the gang's epoch and the mate's turn voids the epoch: the mate
    trains it again itself, from the session as the command left it."""
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    leader.pacer.accrue(60, 0.05)
    assert gang_turn(leader, 1, 0.05) == Turn(1, alone=True)
    mate.session.set_weight(0, 0, 0, 0.5)  # the reader applied a message meanwhile
    weights = mate.session.net.params.flat.copy()
    assert take_gang_work(mate) == 0
    assert mate.session.epoch == 0 and np.array_equal(mate.session.net.params.flat, weights)


def test_work_waiting_for_a_mate_survives_a_change_of_what_its_page_shows() -> None:
    """Focusing another node changes the frames, not the run: the epoch the gang trained
    still applies, and is the same as the one the mate would have trained alone. (Dropping
    it made a class whose pages hover over neurons train every such epoch twice: at 80
    students benchmarks/classroom.py, whose students move the focus every 0.5 s, lost 40%
    of its epochs.)"""
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    alone = Session(PlaygroundSettings(dataset="circle", network_shape=[4, 2], seed="b", speed=60))
    alone.play()
    alone.advance(1)
    leader.pacer.accrue(60, 0.05)
    assert gang_turn(leader, 1, 0.05) == Turn(1, alone=True)
    mate.session.set_focus(1, 0)  # the reader applied a focus message meanwhile
    assert take_gang_work(mate) == 1 and mate.session.epoch == 1
    assert np.array_equal(mate.session.net.params.flat, alone.net.params.flat)


def test_a_paused_mate_takes_nothing_and_is_not_trained_again() -> None:
    book = GangBook()
    leader, mate, other = playing(book, ["a", "b", "c"])
    leader.pacer.accrue(60, 0.05)
    gang_turn(leader, 1, 0.05)
    mate.session.pause()
    assert take_gang_work(mate) == 0 and mate.session.epoch == 0
    take_gang_work(leader)
    leader.pacer.accrue(60, 0.07)
    gang_turn(leader, 1, 0.07)
    assert mate.session.epoch == 0 and book.work_for(mate) is None
