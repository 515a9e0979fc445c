"""Who trains together (app/web/gangs.py): the rules for picking a runner's mates.

Real sessions and pacers, made-up clocks; the connections are plain objects with the fields
a gang reads (gangs.Member).
"""

from dataclasses import dataclass, field

import pytest

from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from app.web import gangs
from app.web.gangs import GangBook, Turn, gang_turn
from app.web.pacer import UNWATCHED_SECONDS, Pacer
from app.web.phase import Phase
from app.web.scheduler import FairScheduler


@dataclass(eq=False)
class Conn:
    session: Session
    gangs: GangBook
    scheduler: FairScheduler = field(default_factory=FairScheduler)
    phase: Phase = Phase.PLAYING
    pacer: Pacer = field(default_factory=lambda: Pacer(30.0, 60.0, 0.0))


def playing(book: GangBook, seeds: list[str]) -> list[Conn]:
    conns = []
    for seed in seeds:
        session = Session(
            PlaygroundSettings(dataset="circle", network_shape=[4, 2], seed=seed, speed=60)
        )
        session.advance(1)  # plain SGD gangs once it has taken a step
        session.play()
        conn = Conn(session, book)
        conn.pacer.grant(8, 0.0)
        conn.pacer.start_playing(0.0)
        conn.pacer.owed_epochs(60, 0.0)
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


def test_a_turn_trains_the_mates_and_pays_their_debts() -> None:
    book = GangBook()
    conns = playing(book, ["a", "b", "c"])
    epochs = [c.session.epoch for c in conns]
    leader = conns[0]
    # 3 epochs at 60/s in 50 ms, capped at a frame's worth (60/s x 1/30 s): 2 are owed.
    assert leader.pacer.owed_epochs(60, 0.05) == 2
    assert gang_turn(leader, 2, 0.05) == Turn(2, alone=True)
    assert [c.session.epoch - e for c, e in zip(conns, epochs, strict=True)] == [2, 2, 2]
    assert book.member_epochs == 6
    for mate in conns[1:]:
        assert mate.pacer.owed_epochs(60, 0.05) == 0  # 2 owed, 2 paid by the leader
        assert mate.pacer.epoch_debt == 0.0


def test_a_mate_is_never_more_than_one_epoch_ahead_of_its_pace() -> None:
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    leader.pacer.owed_epochs(60, 1.0)
    # The mate owes 2 (a frame's worth): it joins twice on its debt and once more on
    # credit, then it is one epoch ahead and the gang stops; the leader trains the rest alone.
    assert gang_turn(leader, 5, 1.0) == Turn(3, alone=True)
    assert mate.pacer.epoch_debt == -1.0


def test_a_gang_stops_at_the_leaders_epoch_limit() -> None:
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    leader.session.apply({"epochs_limit": leader.session.epoch + 1})  # one more epoch
    leader.session.play()
    leader.pacer.owed_epochs(60, 0.05)
    assert gang_turn(leader, 2, 0.05) == Turn(1, alone=True)  # its advance reports the limit
    assert leader.session.epoch == leader.session.settings.epochs_limit


def test_a_turn_out_of_time_leaves_the_rest_owed_instead_of_training_it_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = GangBook()
    leader, mate = playing(book, ["a", "b"])
    start = leader.session.epoch
    assert leader.pacer.owed_epochs(60, 0.05) == 2
    monkeypatch.setattr(gangs, "GANG_SLICE_SECONDS", 0.0)  # every gang overruns the turn
    assert gang_turn(leader, 2, 0.05) == Turn(1, alone=False)
    assert leader.session.epoch == start + 1
    leader.pacer.trained(1)  # what the runner does with Turn.done
    assert leader.pacer.epoch_debt == 1.0  # the other epoch is still owed, for a later gang


def test_the_stacking_order_does_not_depend_on_who_leads() -> None:
    book = GangBook()
    conns = playing(book, ["a", "b", "c"])
    for conn in conns:
        conn.pacer.owed_epochs(60, 0.05)
    orders = []
    for t, leader in zip([0.05, 0.07, 0.09], [conns[2], conns[0], conns[1]], strict=True):
        leader.pacer.owed_epochs(60, t)
        gang_turn(leader, 1, t)
        kernel = next(iter(book.gangs._kernels.values()))
        orders.append([id(F) for F, _ in kernel._data_refs])
    assert orders[0] == orders[1] == orders[2]  # so the stacked data is built once
