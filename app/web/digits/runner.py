"""The digits runner: trains a digits session in fair slices and sends what changed.

What it is: `serve(connection)`, the reader beside `run_forever`, a loop that trains one
slice (the worker's FairScheduler grants it: an equal share of a 25 ms round while other
sessions want CPU, 12 ms alone), sends the epoch and evaluation messages it produced, a
binary frame when credit and cadence allow, then yields. A digits epoch is thousands of
such slices; a playground session on the same worker keeps getting its turns between them.
What it is not: the maths (app/digits/fit.py cuts the work into units of a few ms, so a
slice ends close to its deadline) or message handling (handlers.py).
Trade-off: frames carry the weight pictures at most PICTURE_GAP_SECONDS apart (64 pictures
are 50 kB; the curves and the drawing's bars go in every frame), so a page at 30 frames/s
receives about 200 kB/s while training rather than 1.5 MB/s.
"""

import time

import anyio

from app.digits.frames import Frame, build_frame
from app.digits.outbound import evaluation_message, state_message
from app.digits.session import DigitsSession
from app.web.digits.connection import DigitsConnection
from app.web.digits.phase import DigitsPhase as Phase
from app.web.runner import UNWATCHED, keep_running, wait_for
from app.web.scheduler import SLICE_SECONDS, Meter

PICTURE_GAP_SECONDS = 0.25
# Half the playground's slice: a digits session always wants more, so it yields twice as
# often (a playground turn waits at most ~6 ms and a unit); the loop cost of a turn is ~50 µs.
DIGITS_SLICE_SECONDS = SLICE_SECONDS / 2
EVALUATION_GAP_SECONDS = 1.0


async def serve(conn: DigitsConnection) -> None:
    async with anyio.create_task_group() as tg:
        tg.start_soon(run_forever, conn)
        await conn.reader()
        conn.phase = Phase.CLOSING
        tg.cancel_scope.cancel()


async def run_forever(conn: DigitsConnection) -> None:
    await keep_running(conn, turn, sleep_until_needed)


async def turn(conn: DigitsConnection) -> None:
    session = conn.session
    if session is None or conn.phase in (Phase.FAILED, Phase.CLOSING):
        return
    if conn.phase is Phase.PLAYING and conn.pacer.unwatched(time.monotonic()):
        conn.stop()
        await conn.outbox.send_json(UNWATCHED)
        await conn.outbox.send_json(state_message(session))
    elif session.busy or conn.phase is Phase.STEPPING:
        await work_slice(conn, session)
    await send_changes(conn, session)


async def work_slice(conn: DigitsConnection, session: DigitsSession) -> None:
    """One slice of the session's work at its fair share; the messages it produced go out."""
    scheduler, key = conn.scheduler, id(conn)
    wait = scheduler.owed(key)
    if wait > 0:  # it overran its share: the others catch up first (app/web/scheduler.py)
        await anyio.sleep(wait)
    if conn.session is not session:  # replaced meanwhile (a hello)
        return
    stepping = conn.phase is Phase.STEPPING
    training = stepping or conn.phase is Phase.PLAYING  # read after the wait: a pause holds
    if not (training or session.busy):
        return
    share = scheduler.slice(key, DIGITS_SLICE_SECONDS)
    with Meter() as meter:
        messages = session.work(share, train=training, to_epoch_end=stepping)
    scheduler.charge(key, meter.seconds, share, elastic=True)
    for message in messages:
        await conn.outbox.send_json(message)
    ended = any(m["type"] == "epoch" for m in messages) and stepping
    stopped = any(m["type"] == "event" for m in messages)
    if ended or stopped:
        conn.phase = Phase.READY
        session.pause()
        await conn.outbox.send_json(state_message(session))


async def send_changes(conn: DigitsConnection, session: DigitsSession) -> None:
    sent, now = conn.sent, time.monotonic()
    new = session.evaluated_epoch != sent.evaluated and session.evaluated_epoch >= 0
    # While training, at most one evaluation (~30 kB) per EVALUATION_GAP; the last one goes
    # as soon as training stops.
    if new and (not session.busy or now - sent.evaluated_at >= EVALUATION_GAP_SECONDS):
        sent.evaluated, sent.evaluated_at = session.evaluated_epoch, now
        await conn.outbox.send_json(evaluation_message(session))
    pacer = conn.pacer
    pacer.frame_gap = conn.scheduler.frame_stretch() / conn.settings.max_frames_per_second
    if session.version == sent.version or not pacer.frame_due(now):
        return
    sent.version = session.version
    conn.seq += 1
    with Meter() as meter:
        frame = build_frame(frame_for(conn, session, now))
    conn.scheduler.charge(id(conn), meter.seconds)
    await conn.outbox.send_raw(frame)
    pacer.frame_sent(now)


def frame_for(conn: DigitsConnection, session: DigitsSession, now: float) -> Frame:
    """What the next frame carries: always where training stands and the new batch points;
    the weight pictures when they changed (at most every PICTURE_GAP_SECONDS), the drawing's
    probabilities when the drawing or the weights changed."""
    loop, sent = session.loop, conn.sent
    updates = (id(session.run), loop.optimizer.iterations)
    running = loop.running()
    e = session.estimate()
    frame = Frame(
        seq=conn.seq,
        epoch=loop.epoch,
        progress=loop.progress,
        playing=conn.phase in (Phase.PLAYING, Phase.STEPPING),
        evaluating=loop.phase in ("validate", "test"),
        running=running if loop.epoch_sums.rows else None,
        estimate=(e["seconds"] or 0.0, e["compute_seconds"]) if e["compute_seconds"] else None,
        points=loop.take_points(),
    )
    pictures = (*updates, session.neuron_first)
    if pictures != sent.pictures_key and now - sent.pictures_at >= PICTURE_GAP_SECONDS:
        sent.pictures_key, sent.pictures_at = pictures, now
        frame.neurons = session.neuron_images()
    elif pictures != sent.pictures_key:
        sent.version = -1  # the pictures are still due: another frame will carry them
    drawing = (*updates, session.drawings)
    if session.drawing is not None and drawing != sent.drawing_key:
        probabilities = session.prediction()
        if probabilities is not None:
            sent.drawing_key = drawing
            frame.drawing = (probabilities, session.drawing)
    return frame


async def sleep_until_needed(conn: DigitsConnection) -> None:
    """No sleep while work is due (the loop's other tasks still run: this yields); until the
    next frame may go when only a frame is pending; else until a message wakes it."""
    session, phase = conn.session, conn.phase
    live = session is not None and phase not in (Phase.FAILED, Phase.CLOSING)
    busy = live and session is not None and (session.busy or phase is Phase.STEPPING)
    pending = live and session is not None and session.version != conn.sent.version
    delay = conn.pacer.sleep_for(time.monotonic(), pending and conn.pacer.credit > 0, None, busy)
    await wait_for(conn.wake, delay)
    conn.wake = anyio.Event()
