"""What each digits message does (docs/protocol.md §10.1): one handler per message model.

What it is: `HANDLERS`, small async functions `(connection, message)` that call the
session's commands and set the connection's phase, and answer with `state` (or the message
asked for: `pong`, `gallery`, `export`).
What it is not: parsing (app/digits/messages.py), training (runner.py) or sending rules.
Trade-off: anything that may take longer than a few milliseconds (reading a data source
the first time, drawing a large model's first weights) runs in a worker thread and is
installed on the event loop when done, so one page's reset never stalls the others; the
old run is paused first, so a reset stops training at once.
"""

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from app.digits.export import export_message
from app.digits.idx import DataFileError
from app.digits.messages import (
    MESSAGE_MODELS,
    PROTOCOL_VERSION,
    Command,
    Draw,
    Examples,
    Export,
    Hello,
    Neurons,
    SetSettings,
)
from app.digits.outbound import gallery_message, state_message
from app.digits.session import DigitsSession, Run, build_run
from app.digits.settings import DigitsSettings, merge
from app.digits.sources import SOURCES, default_data_dir, locate
from app.digits.store import Dataset, load
from app.playground.errors import ProtocolError
from app.protocol.inbound import Credit, Ping
from app.web.digits.connection import DigitsConnection
from app.web.digits.phase import DigitsPhase as Phase

Handler = Callable[[DigitsConnection, Any], Awaitable[None]]


def dataset_for(conn: DigitsConnection, source: str) -> Dataset:
    """The source's shared data (read from disk the first time; call off the event loop)."""
    located = locate(source, conn.settings.data_dir or default_data_dir())
    if located is None:
        message = f"this server has no {SOURCES[source].label} (docs/digits.md, Data)"
        raise ProtocolError("invalid_message", message, "settings.data")
    try:
        return load(located)
    except DataFileError as exc:
        raise ProtocolError(
            "data_unavailable", f"this server's data file is broken: {exc}", "settings.data"
        ) from None


def prepared(conn: DigitsConnection, settings: DigitsSettings, generation: int) -> Run:
    """A run for `settings` (its data loaded), built in a worker thread by the caller."""
    conn.digits_limits.check(settings)
    return build_run(settings, dataset_for(conn, settings.data), conn.digits_limits, generation)


async def answer(conn: DigitsConnection) -> None:
    conn.settle()
    assert conn.session is not None
    await conn.outbox.send_json(state_message(conn.session))


def session_of(conn: DigitsConnection) -> DigitsSession:
    if conn.session is None:
        raise ProtocolError("invalid_message", "say hello first", "type")
    return conn.session


def alive(conn: DigitsConnection) -> DigitsSession:
    session = session_of(conn)
    if conn.phase is Phase.FAILED:
        message = "this session hit an internal error; reset it to continue"
        raise ProtocolError("session_failed", message)
    return session


# -- handlers ---------------------------------------------------------------------------------


async def on_hello(conn: DigitsConnection, msg: Hello) -> None:
    if msg.protocol != PROTOCOL_VERSION:
        message = f"this server speaks protocol {PROTOCOL_VERSION}, not {msg.protocol}"
        raise ProtocolError("protocol_version", message, "protocol")
    patch = dict(msg.settings)
    patch.setdefault("seed", secrets.randbelow(2**31))  # not the global `random`, a shared state
    settings = merge(DigitsSettings(), patch)
    if conn.session is not None:
        conn.stop()
    run = await anyio.to_thread.run_sync(prepared, conn, settings, 0)
    conn.phase = Phase.READY
    conn.install(DigitsSession(run, conn.digits_limits))
    await answer(conn)


async def on_set(conn: DigitsConnection, msg: SetSettings) -> None:
    session = session_of(conn)
    new = merge(session.settings, msg.settings)
    if not session.needs_new_run(new):
        session.apply_live(new)
        await answer(conn)
        return
    conn.stop()
    run = await anyio.to_thread.run_sync(prepared, conn, new, session.next_generation())
    session.install(run)
    conn.install(session)
    await answer(conn)


async def on_command(conn: DigitsConnection, msg: Command) -> None:
    if msg.type == "play":
        alive(conn).play()
        conn.phase = Phase.PLAYING
        conn.pacer.start_playing(anyio.current_time())
    elif msg.type == "step":
        alive(conn).pause()
        conn.phase = Phase.STEPPING  # to the end of this epoch; its `state` comes then
        return
    elif msg.type == "pause":
        session_of(conn)
        conn.stop()
    else:  # reset: training stops now, the new weights follow
        session = session_of(conn)
        conn.stop()
        settings = session.settings
        run = await anyio.to_thread.run_sync(prepared, conn, settings, session.next_generation())
        session.install(run)
        conn.install(session)
    await answer(conn)


async def on_draw(conn: DigitsConnection, msg: Draw) -> None:
    session_of(conn).draw(msg.grid)


async def on_neurons(conn: DigitsConnection, msg: Neurons) -> None:
    session_of(conn).show_neurons(msg.first)


async def on_examples(conn: DigitsConnection, msg: Examples) -> None:
    await conn.outbox.send_json(gallery_message(session_of(conn), msg.label, msg.answer))


async def on_export(conn: DigitsConnection, msg: Export) -> None:
    await conn.outbox.send_json(export_message(session_of(conn).settings))


async def on_credit(conn: DigitsConnection, msg: Credit) -> None:
    conn.pacer.grant(msg.frames)


async def on_ping(conn: DigitsConnection, msg: Ping) -> None:
    await conn.outbox.send_json({"type": "pong", "id": msg.id})


HANDLERS: dict[type, Handler] = {
    Hello: on_hello,
    SetSettings: on_set,
    Command: on_command,
    Draw: on_draw,
    Neurons: on_neurons,
    Examples: on_examples,
    Export: on_export,
    Credit: on_credit,
    Ping: on_ping,
}
assert set(HANDLERS) == set(MESSAGE_MODELS), "every digits message needs a handler"
