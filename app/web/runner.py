"""The runner: trains a connection's session in slices and sends what changed.

What it is: `run_forever(connection)`, a loop that looks at the connection's phase and the
session's training (app/playground/training_state.py), takes the epochs gangs trained for
it, trains a slice (playing at the session's speed, or stepping), sends data, a frame when
credit and cadence allow, and checkpoints, then sleeps exactly as long as the Pacer says.
What it is not: message handling (handlers.py) or pacing arithmetic (pacer.py).
Trade-off: one slice per loop turn (at most SLICE_SECONDS of CPU) then a yield, so a
`step 1000` or a max-speed run never holds the event loop, and a `pause` read meanwhile
takes effect at the next turn. The runner never spins: a failed, paused, finished or
unwatched session sleeps until a message wakes it.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import anyio
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from app.playground.session import Session
from app.playground.training_state import Training
from app.web.gangs import gang_turn, take_gang_work
from app.web.pacer import UNWATCHED_SECONDS
from app.web.scheduler import MIN_SLICE_SECONDS, SLICE_SECONDS, Meter
from app.web.slots import training
from app.web.state import ConnectionState

# The peer is gone: not a bug in the session, so never reported as an internal error.
GONE = (WebSocketDisconnect, WebSocketDisconnected)
UNWATCHED = {
    "type": "event",
    "event": "unwatched",
    "message": f"Paused: no frame was asked for in {UNWATCHED_SECONDS:g} s, so nobody is "
    "watching (a hidden tab?). Press play, or come back to the tab, to go on.",
}


async def run_forever(conn: ConnectionState) -> None:
    await keep_running(conn, turn, sleep_until_needed)


class Runnable(Protocol):
    """What the loop needs of a connection (the playground's, or the digits workspace's)."""

    @property
    def closing(self) -> bool: ...

    async def internal_error(self) -> None: ...


C = TypeVar("C", bound=Runnable)


async def keep_running(
    conn: C, turn: Callable[[C], Awaitable[None]], sleep: Callable[[C], Awaitable[None]]
) -> None:
    """Turn, then sleep, until the connection closes; a bug in a turn is this session's
    `internal` error (it then sleeps until revived), never the loop's end."""
    while not conn.closing:
        try:
            await turn(conn)
        except GONE:
            raise
        except Exception:
            await conn.internal_error()
        await sleep(conn)


async def turn(conn: ConnectionState) -> None:
    session = conn.session
    if session is None or not conn.live:
        return
    take_gang_work(conn)  # what gangs trained for it since its last turn (gangs.py)
    now = time.monotonic()
    if training(conn, now):
        conn.active_at = now  # slots.py: a session that trains keeps its slot
    if session.training is Training.PLAYING and conn.pacer.unwatched(now):
        await stop_unwatched(conn, session)
    elif session.training is Training.PLAYING:
        await play_slice(conn, session, now)
    elif session.training is Training.STEPPING:
        await step_slice(conn, session)
    if conn.live:  # training may have failed just now
        await send_changes(conn, session)


async def play_slice(conn: ConnectionState, session: Session, now: float) -> None:
    budget = conn.pacer.slice_budget(now, SLICE_SECONDS, MIN_SLICE_SECONDS)
    speed = session.settings.speed
    if speed is None:  # as fast as possible: it fills the time left (scheduler.charge)
        await train_slice(conn, session, 10**6, budget, filler=True)
        return
    due = conn.pacer.accrue(speed, now)
    if due > 0:
        done, alone = gang_turn(conn, due, now)  # epochs trained with others (gangs.py)
        if done < due and alone:
            trained, _ = await train_slice(conn, session, due - done, budget)
            done += trained
        conn.pacer.trained(done)


async def step_slice(conn: ConnectionState, session: Session) -> None:
    """One slice of a `step n`; when the last epoch is done, the `state` answer goes."""
    _, stopped = await train_slice(conn, session, session.steps_left, SLICE_SECONDS)
    if session.training is not Training.STEPPING:
        conn.pacer.checkpoint_due = True
        if not stopped:  # a stop (divergence, epoch limit) already sent the state
            await conn.outbox.send_state(session)


async def train_slice(
    conn: ConnectionState, session: Session, epochs: int, budget: float, filler: bool = False
) -> tuple[int, bool]:
    """Up to `epochs` epochs within `budget` seconds; (epochs done, whether an event
    stopped the run). Events (divergence, epoch limit) go out with the new state."""
    scheduler, key = conn.scheduler, id(conn)
    wait = scheduler.owed(key)
    if wait > 0:  # it overran its share: the others catch up first (scheduler.py)
        await anyio.sleep(wait)
        if session is not conn.session or session.training is Training.PAUSED:
            return 0, False  # a command came meanwhile: nothing more to train
    share = scheduler.slice(key, budget)
    start, replayed = session.epoch, session.replayed
    with Meter() as meter:
        events = session.advance(epochs, share)
    scheduler.charge(key, meter.seconds, share, filler=filler)
    for event in events:
        await conn.outbox.send_json(event)
    # A stop, or a run link's event that changed the settings shown: the client learns it.
    if events or session.replayed != replayed:
        conn.pacer.checkpoint_due = True
        await conn.outbox.send_state(session)
    return max(1, session.epoch - start), bool(events)


async def stop_unwatched(conn: ConnectionState, session: Session) -> None:
    """Training only while someone watches: the page resumes when it is visible again."""
    session.pause()
    conn.pacer.checkpoint_due = True
    await conn.outbox.send_json(UNWATCHED)
    await conn.outbox.send_state(session)


async def send_changes(conn: ConnectionState, session: Session) -> None:
    now, outbox, pacer = time.monotonic(), conn.outbox, conn.pacer
    await outbox.send_data_if_changed(session)
    # Under overload frames thin out first (scheduler.py): the gap stretches up to 2x.
    stretch = conn.scheduler.frame_stretch(id(conn))  # only a group over its share's
    pacer.frame_gap = stretch / conn.settings.max_frames_per_second
    if outbox.frame_pending(session) and pacer.frame_due(now):
        await outbox.send_frame(session)
        conn.scheduler.charge(id(conn), outbox.build_seconds)
        pacer.frame_sent(now)
    if pacer.checkpoint_wanted(now, session.playing):
        sign = conn.ws.app.state.classroom.sign  # classroom hook: a member's proof
        with Meter() as meter:  # ~2 ms; the pacer spaces larger ones out (issue 20)
            text = conn.checkpoints.message(session, lambda payload: sign(conn, payload))
        await outbox.send_raw(text)
        pacer.checkpoint_sent(now, meter.seconds, len(text))


async def sleep_until_needed(conn: ConnectionState) -> None:
    """Sleep until the next epoch is owed or the next frame may go, or until woken."""
    session = conn.session
    live = session is not None and conn.live
    pending = live and session is not None and conn.outbox.frame_pending(session)
    training = session.training if live and session is not None else Training.PAUSED
    busy = training is not Training.PAUSED
    playing = session is not None and training is Training.PLAYING
    speed = session.settings.speed if playing and session is not None else None
    now = time.monotonic()
    delay = conn.pacer.sleep_for(now, pending and conn.pacer.credit > 0, speed, busy)
    if live:  # a checkpoint a command asked for may be waiting for its gap (pacer.py)
        delay = min(delay, conn.pacer.checkpoint_wait(now))
    await wait_for(conn.wake, delay)
    conn.wake = anyio.Event()


async def wait_for(wake: anyio.Event, seconds: float) -> None:
    """Until `wake` is set or `seconds` have passed, whichever comes first.

    A timer that sets the event, not a cancel scope (`anyio.move_on_after`): a playing
    runner sleeps 60–90 times a second and its sleep usually ends by the clock, and a
    scope that runs out delivers a cancellation, which cost ~64 µs per sleep against ~13
    µs for the timer (uvloop, this VM): a tenth of a worker's CPU with 25 students.
    """
    timer = asyncio.get_running_loop().call_later(seconds, wake.set)
    try:
        await wake.wait()
    finally:
        timer.cancel()
