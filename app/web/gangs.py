"""Who trains together: connections of one worker whose sessions share a gang key.

What it is: `can_gang`, the one rule for whether a connection's next epoch may train in a
gang (and under which key); `GangBook`, the worker's index of playing connections by key and
the work gangs did for each that it has not taken yet; and `gang_turn`, which a runner calls
with the epochs its own session owes: while it owes one, it trains one epoch for itself and
for every other connection of its key that owes one too, in one stacked pass. Its own
epochs it records at once; each mate's go into the book, and the mate's runner takes them
on its own turn (`take_gang_work`). So a runner writes only its own connection, pacer and
session.
What it is not: pacing (pacer.py), the stacked arithmetic (app/engine/gang.py) or what a
gang epoch is for a session (app/playground/gangs.py).
Trade-off: a class running one lesson is 25 sessions of one shape per worker, and 25
solo epochs of config A cost 4–6 times what one gang epoch of 25 does (benchmarks/engine.py).
Whoever's turn comes first trains for the others, so their own turns find their epochs
waiting and only take them and draw. Each member is charged an equal part of the gang's
time (scheduler.py). Anything a gang does not cover (a divergence, an epoch limit, settings
it cannot stack) falls back to the session's own `advance`, which reports it as before.
"""

from typing import NamedTuple, Protocol

from app.engine.gang import GangKey, gang_key, most_members
from app.playground.gangs import Gangs, GangWork
from app.playground.session import Session
from app.web.pacer import Pacer
from app.web.scheduler import SLICE_SECONDS, FairScheduler, Meter

EARLY_EPOCHS = 1.0  # how far ahead of its pace a member may be trained (see mates)
GANG_EPOCH_SECONDS = 0.008  # a gang has as many members as fit in about this (engine/gang.py)


class Member(Protocol):
    """What a gang needs of a connection (state.ConnectionState, which imports this)."""

    session: Session | None
    pacer: Pacer
    scheduler: FairScheduler
    gangs: "GangBook"

    @property
    def live(self) -> bool: ...


def can_gang(conn: Member, now: float) -> GangKey | None:
    """The key under which conn's next epoch may train in a gang, or None: the one rule.

    A live connection whose session plays at a set speed (speed "max" trains in its own
    slices), is watched, replays no run link's events, stays under its epoch limit
    counting the epochs gangs trained for it that it has not taken yet, and whose trainer
    the stacked kernel can run (engine/gang.py's gang_key: plain SGD, no penalty, ...).
    Leaders and mates are both held to it, at every epoch: settings may have changed since
    the last turn.
    """
    session = conn.session
    if session is None or not conn.live or not session.playing:
        return None
    speed, limit = session.settings.speed, session.settings.epochs_limit
    if speed is None or conn.pacer.unwatched(now) or session.script is not None:
        return None  # "max" trains in its own slices; a run link's events come between epochs
    work = conn.gangs.work_for(conn)
    epoch = session.epoch + (0 if work is None else len(work.epochs))
    if limit is not None and epoch >= limit:
        return None
    return gang_key(session.trainer, len(session.Ftr))


class GangBook:
    """Per worker: playing connections by the key they had at their last turn, and the
    epochs gangs trained for each that it has not taken yet."""

    def __init__(self) -> None:
        self.gangs = Gangs()
        self.members: dict[GangKey, set[Member]] = {}
        self.key_of: dict[Member, GangKey] = {}
        self.work: dict[Member, GangWork] = {}
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
        self.work.pop(conn, None)
        key = self.key_of.pop(conn, None)
        if key is not None:
            mates = self.members[key]
            mates.discard(conn)
            if not mates:
                del self.members[key]

    def work_for(self, conn: Member) -> GangWork | None:
        """The epochs waiting for conn, if they still apply (stale ones are dropped)."""
        work = self.work.get(conn)
        if work is not None and not work.fresh(conn.session):
            del self.work[conn]
            return None
        return work

    def owed(self, conn: Member, now: float) -> float:
        """What conn owes by now, less the epochs already waiting for it."""
        assert conn.session is not None and conn.session.settings.speed is not None
        work = self.work.get(conn)
        waiting = 0 if work is None else len(work.epochs)
        return conn.pacer.owed(conn.session.settings.speed, now, waiting)

    def mates(self, conn: Member, key: GangKey, now: float) -> list[Member]:
        """Others of `key` that can gang and owe an epoch, or nearly: a member may be
        trained up to EARLY_EPOCHS ahead of its pace, its debt then goes negative and its
        own turns only take and draw until its pace catches up. So the whole class trains
        in one gang per epoch instead of in small ones that cost nearly as much."""
        found = [
            other
            for other in self.members.get(key, ())
            if other is not conn
            and can_gang(other, now) == key
            and self.owed(other, now) + EARLY_EPOCHS >= 1
        ]
        found.sort(key=lambda m: self.owed(m, now), reverse=True)  # the most behind first
        return found[: most_members(key, GANG_EPOCH_SECONDS) - 1]

    def take(self, conn: Member) -> GangWork | None:
        """The epochs waiting for conn, handed over (its own runner calls this)."""
        work = self.work_for(conn)
        if work is not None:
            del self.work[conn]
        return work

    def train(self, key: GangKey, members: list[Member], leader: Member) -> list[bool]:
        """One gang epoch for `members`: each mate's result waits for it in the book, and
        the leader's own is recorded in its session at once (only the leader's runner
        calls this). True where a member's epoch is done."""
        stacked = [(m, self.work_for(m)) for m in members]
        pairs = [(m.session, work) for m, work in stacked if m.session is not None]
        results = self.gangs.train(key, pairs)
        for (member, work), (session, _), result in zip(stacked, pairs, results, strict=True):
            if result is None:
                continue
            self.member_epochs += 1
            if member is leader:
                session.record_trained(result)
            else:
                if work is None:
                    work = self.work[member] = GangWork(session, session.run_version)
                work.epochs.append(result)
        return [result is not None for result in results]


def take_gang_work(conn: Member) -> int:
    """On conn's own turn: record the epochs gangs trained for it (if nothing visible
    changed since: otherwise it trains them again itself) and pay them off its debt."""
    work = conn.gangs.take(conn)
    if work is None or conn.session is None:
        return 0
    for result in work.epochs:
        conn.session.record_trained(result)
    conn.pacer.trained(len(work.epochs))
    return len(work.epochs)


class Turn(NamedTuple):
    """What a gang turn did: epochs trained in gangs, and whether the rest of what the
    connection owes must be trained alone now (False: it waits for a later gang)."""

    done: int
    alone: bool


def gang_turn(conn: Member, due: int, now: float) -> Turn:
    """Train up to `due` of conn's epochs in gangs, conn leading.

    The rest is trained alone when conn cannot gang (no key, no mate due, an epoch limit
    reached, a result that is not finite: its own advance then reports what happened),
    but not when the turn's time ran out: an epoch alone costs 2–4 member-epochs of a
    gang, so on a busy worker falling back to it made the load worse (a quarter of all
    epochs trained alone at 50 students); the debt waits for the next gang instead, as
    a member or a leader, and the pacer caps it at a frame's worth.
    """
    book = conn.gangs
    key = can_gang(conn, now)
    book.enrol(conn, key)
    done, spent = 0, 0.0
    while key is not None and done < due:
        if done and spent >= SLICE_SECONDS:
            return Turn(done, alone=False)  # the first gang always runs
        if done and can_gang(conn, now) != key:
            break  # it reached its epoch limit: its own advance says so
        mates = book.mates(conn, key, now)
        if not mates:
            break
        members = sorted([conn, *mates], key=id)  # a stable order keeps the stacked data
        with Meter() as meter:
            trained = book.train(key, members, leader=conn)
        spent += meter.seconds
        for member in members:
            conn.scheduler.charge(id(member), meter.seconds / len(members))
        if not trained[members.index(conn)]:
            break  # conn's own advance runs this epoch and reports what went wrong
        done += 1
    return Turn(done, alone=True)
