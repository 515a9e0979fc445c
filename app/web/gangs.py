"""Who trains together: connections of one worker whose sessions share a gang key.

What it is: `GangBook`, the worker's index of playing connections by gang key
(app/playground/gangs.py), and `gang_turn`, which a runner calls with the epochs its own
session owes: while it owes one, it trains one epoch for itself and for every other
connection of its key that owes one too, in one stacked pass, and pays their debts.
What it is not: pacing (pacer.py) or the arithmetic (app/engine/gang.py).
Trade-off: a class running one lesson is 25 sessions of one shape per worker, and 25
solo epochs of config A cost 4–6 times what one gang epoch of 25 does (benchmarks/engine.py).
Whoever's turn comes first trains for the others, so their own turns find nothing owed
and only draw. Each member is charged an equal part of the gang's time (scheduler.py).
Anything a gang does not cover (a divergence, an epoch limit, settings it cannot stack)
falls back to the session's own `advance`, which reports it as before.
"""

from typing import NamedTuple, Protocol

from app.playground.gangs import GangKey, Gangs, gang_of, most_members
from app.playground.session import Session
from app.web.pacer import Pacer
from app.web.phase import Phase
from app.web.scheduler import FairScheduler, Meter

EARLY_EPOCHS = 1.0  # how far ahead of its pace a member may be trained (see mates)
GANG_SLICE_SECONDS = 0.012  # at most this long per turn in gang epochs, as a solo slice
GANG_EPOCH_SECONDS = 0.008  # a gang has as many members as fit in about this (engine/gang.py)


class Member(Protocol):
    """What a gang needs of a connection (state.ConnectionState, which imports this)."""

    session: Session | None
    phase: Phase
    pacer: Pacer
    scheduler: FairScheduler
    gangs: "GangBook"


class GangBook:
    """Per worker: playing connections by the key they had at their last turn."""

    def __init__(self) -> None:
        self.gangs = Gangs()
        self.members: dict[GangKey, set[Member]] = {}
        self.key_of: dict[Member, GangKey] = {}
        self.member_epochs = 0  # epochs trained in gangs so far (/healthz)

    def enrol(self, conn: Member, key: GangKey | None) -> None:
        old = self.key_of.get(conn)
        if old == key:
            return
        self.forget(conn)
        if key is not None:
            self.key_of[conn] = key
            self.members.setdefault(key, set()).add(conn)

    def forget(self, conn: Member) -> None:
        key = self.key_of.pop(conn, None)
        if key is not None:
            mates = self.members[key]
            mates.discard(conn)
            if not mates:
                del self.members[key]

    def mates(self, conn: Member, key: GangKey, now: float) -> list[Member]:
        """Others of `key` that are playing, watched and owe an epoch, or nearly: a member
        may be trained up to EARLY_EPOCHS ahead of its pace, its debt then goes negative
        and its own turns only draw until its pace catches up. So the whole class trains
        in one gang per epoch instead of in small ones that cost nearly as much. A key is
        checked again: settings may have changed since that connection's last turn."""
        found = []
        for other in self.members.get(key, ()):
            session = other.session
            if other is conn or session is None or other.phase is not Phase.PLAYING:
                continue
            speed = session.settings.speed
            if speed is None or other.pacer.unwatched(now) or gang_of(session) != key:
                continue  # speed "max" trains in its own slices
            other.pacer.owed_epochs(speed, now)  # brings its debt up to now
            if other.pacer.epoch_debt + EARLY_EPOCHS >= 1:  # after it: at most that far ahead
                found.append(other)
        found.sort(key=lambda m: m.pacer.epoch_debt, reverse=True)  # the most behind first
        return found[: most_members(key, GANG_EPOCH_SECONDS) - 1]


class Turn(NamedTuple):
    """What a gang turn did: epochs trained in gangs, and whether the rest of what the
    connection owes must be trained alone now (False: it waits for a later gang)."""

    done: int
    alone: bool


def gang_turn(conn: Member, due: int, now: float) -> Turn:
    """Train up to `due` of conn's epochs in gangs.

    The rest is trained alone when conn cannot gang (no key, no mate due, an epoch limit
    reached, a result that is not finite: its own advance then reports what happened),
    but not when the turn's time ran out: an epoch alone costs 2–4 member-epochs of a
    gang, so on a busy worker falling back to it made the load worse (a quarter of all
    epochs trained alone at 50 students); the debt waits for the next gang instead, as
    a member or a leader, and the pacer caps it at a frame's worth.
    """
    book, session = conn.gangs, conn.session
    key = None if session is None else gang_of(session)
    book.enrol(conn, key)
    done, spent = 0, 0.0
    while key is not None and session is not None and done < due:
        if done and spent >= GANG_SLICE_SECONDS:
            return Turn(done, alone=False)  # the first gang always runs
        if done and gang_of(session) != key:
            break  # it reached its epoch limit: its own advance says so
        mates = book.mates(conn, key, now)
        if not mates:
            break
        members = sorted([conn, *mates], key=id)  # a stable order keeps the stacked data
        sessions = [m.session for m in members if m.session is not None]
        with Meter() as meter:
            recorded = book.gangs.advance(key, sessions)  # mates() kept only live sessions
        spent += meter.seconds
        book.member_epochs += sum(recorded)
        for member, ok in zip(members, recorded, strict=True):
            conn.scheduler.charge(id(member), meter.seconds / len(members))
            if ok and member is not conn:
                member.pacer.trained(1)
        if not recorded[members.index(conn)]:
            break  # conn's own advance runs this epoch and reports what went wrong
        done += 1
    return Turn(done, alone=True)
