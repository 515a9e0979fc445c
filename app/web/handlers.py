"""What each client message does: one handler per message model, looked up in HANDLERS.

What it is: the meaning of docs/protocol.md §2 and §8 on the server, as small async functions
`(connection, message)`. They call Session command methods (whether the session trains is
its own to say: app/playground/training_state.py) and move the connection's phase; they
never write a Session field.
What it is not: parsing (app/protocol/inbound.py), training (runner.py) or sending details
(outbox.py).
Trade-off: a table keyed by the pydantic model, not an isinstance ladder: adding a message is
one function and one row, and a message without a handler fails at import, not at runtime.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from app.protocol.inbound import (
    MESSAGE_MODELS,
    AddPoint,
    Command,
    Credit,
    Export,
    Focus,
    Hello,
    JoinClass,
    Ping,
    ProtocolError,
    Query,
    SetBias,
    SetSettings,
    SetWeight,
    Step,
    Upload,
)
from app.protocol.outbound import confusion_message
from app.web.budgets import off_loop
from app.web.offload import export
from app.web.sessions import (
    RawHello,
    alive,
    build_from_text,
    build_import,
    build_session,
    ensure_session,
)
from app.web.state import ConnectionState
from app.web.uploads import parse_upload

# One `step` may cost at most this many sample-weight updates (epochs x samples x weights):
# about 4 s of one core at batch size 1, 1 s at the default batch of 10.
STEP_COST_LIMIT = 10**8

Handler = Callable[[ConnectionState, Any], Awaitable[None]]


async def changed(conn: ConnectionState) -> None:
    """After a command the client learns the new state, then a checkpoint is due. In that
    order: the runner sends checkpoints while this handler may wait for the socket to drain,
    and a page takes an import's loss history from the first checkpoint after its state."""
    assert conn.session is not None
    await conn.outbox.send_state(conn.session)
    conn.pacer.checkpoint_due = True


# -- handlers ---------------------------------------------------------------------------------


async def on_hello(conn: ConnectionState, msg: Hello) -> None:
    """Built in the hellos' helper within the work budgets (offload.py, budgets.py): a hello
    parsed on the loop is at most SMALL_CAP, so its checkpoint restores and its run link
    rewinds (MAX_DRAWS) in bounded time, and a student is waiting for it. An address past
    its joins at that priority (INTERACTIVE_JOINS_BURST) has them built at the lower one."""
    helper = conn.hellos if conn.joins.take(conn.address) else conn.builds
    conn.install(await off_loop(conn.budgets(), helper, build_session, conn.settings, msg))
    await changed(conn)


async def raw_hello(conn: ConnectionState, msg: RawHello) -> Hello:
    """A large hello, parsed and built in the priced work's helper (connection.py never
    parsed it: its checkpoint's JSON costs the client's choice of time);
    returns the hello without its checkpoint's arrays, for the classroom's hooks."""
    args = (conn.settings, msg.text)
    built, hello = await off_loop(conn.budgets(), conn.builds, build_from_text, *args)
    conn.install(built)
    await changed(conn)
    return hello


async def on_credit(conn: ConnectionState, msg: Credit) -> None:
    conn.pacer.grant(msg.frames)


async def on_ping(conn: ConnectionState, msg: Ping) -> None:
    await conn.outbox.send_json({"type": "pong", "id": msg.id})


async def on_focus(conn: ConnectionState, msg: Focus) -> None:
    ensure_session(conn).set_focus(msg.layer, msg.unit)


async def on_upload(conn: ConnectionState, msg: Upload) -> None:
    if msg.type == "import_json":
        args = (conn.settings, msg.content)
        conn.install(await off_loop(conn.budgets(), conn.builds, build_import, *args))
    else:
        session = ensure_session(conn)
        report = session.use_upload(await parse_upload(conn, session, msg.content))  # a reset
        await conn.outbox.send_json(report)
    await changed(conn)


async def on_query(conn: ConnectionState, msg: Query) -> None:
    await conn.outbox.send_json(confusion_message(ensure_session(conn)))


async def on_export(conn: ConnectionState, msg: Export) -> None:
    """Built in the worker's export process with a time limit (offload.py), within the
    work budgets: an export's cost grows with the run, which the client shapes."""
    session = ensure_session(conn)
    text = await off_loop(conn.budgets(), conn.exports, export, session, msg.format)
    await conn.outbox.send_raw(text)


async def on_set(conn: ConnectionState, msg: SetSettings) -> None:
    session = ensure_session(conn)
    session.apply(msg.settings)
    session.end_step()  # once: a run link's own rate changes (run_script.py) do not end it
    await changed(conn)


async def on_set_weight(conn: ConnectionState, msg: SetWeight) -> None:
    ensure_session(conn).set_weight(msg.layer, msg.src, msg.dst, msg.value)
    await changed(conn)


async def on_set_bias(conn: ConnectionState, msg: SetBias) -> None:
    ensure_session(conn).set_bias(msg.layer, msg.node, msg.value)
    await changed(conn)


async def on_add_point(conn: ConnectionState, msg: AddPoint) -> None:
    ensure_session(conn).add_point(msg.x, msg.y, msg.label)
    await changed(conn)


async def on_step(conn: ConnectionState, msg: Step) -> None:
    """Queue `epochs` more epochs for the runner to train in slices; the `state` answer
    comes when they are done (or when pause, reset or set interrupts them)."""
    session = alive(conn)
    total = session.steps_left + msg.epochs
    cost = session.training_cost(total)
    if cost > STEP_COST_LIMIT:
        message = (
            f"{total} epochs of this network on this data would take {cost:.2g} weight "
            f"updates; at most {STEP_COST_LIMIT:.0e} per step (ask for fewer epochs)"
        )
        raise ProtocolError("step_too_costly", message, "epochs")
    session.step(msg.epochs)


async def on_command(conn: ConnectionState, msg: Command) -> None:
    if msg.type == "play":
        alive(conn).play()
        conn.pacer.start_playing(time.monotonic())
    elif msg.type == "pause":
        ensure_session(conn).pause()
    elif msg.type == "reset":
        ensure_session(conn).reset()
        conn.revive()
    elif msg.type == "clear_points":
        ensure_session(conn).clear_points()
    else:
        ensure_session(conn).regenerate()
    await changed(conn)


async def on_join_class(conn: ConnectionState, msg: JoinClass) -> None:
    """The classroom hook: the worker's hub (app/web/classroom/hub.py) takes it from here."""
    await conn.ws.app.state.classroom.join(conn, msg.code, msg.token)


HANDLERS: dict[type, Handler] = {
    Hello: on_hello,
    Credit: on_credit,
    Ping: on_ping,
    Focus: on_focus,
    Upload: on_upload,
    Query: on_query,
    Export: on_export,
    SetSettings: on_set,
    SetWeight: on_set_weight,
    SetBias: on_set_bias,
    AddPoint: on_add_point,
    Step: on_step,
    Command: on_command,
    JoinClass: on_join_class,
}
assert set(MESSAGE_MODELS) <= set(HANDLERS), "every client message needs a handler"
