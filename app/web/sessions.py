"""Where a connection's Session comes from: `hello`, an import, or a first command.

What it is: building a Session within the server's limits, from a hello (settings plus an
optional checkpoint) or an exported JSON document, and installing it on the connection.
What it is not: what commands do to a session once it exists (handlers.py).
Trade-off: a message that arrives before `hello` gets a default session, as if `hello` had
come first, instead of an error: scripts may skip the greeting.
"""

from app.export import parse_json_run
from app.playground import checkpoint
from app.playground.rng import native_seed
from app.playground.run_link import RunMarker
from app.playground.run_script import follow
from app.playground.session import Session
from app.protocol.inbound import (
    PROTOCOL_VERSION,
    Hello,
    PlaygroundSettings,
    ProtocolError,
    merge_settings,
)
from app.web.state import ConnectionState


def new_session(
    conn: ConnectionState, settings: PlaygroundSettings, run: RunMarker | None = None
) -> Session:
    limits = conn.settings
    return Session(
        settings, limits.max_layers, limits.max_neurons, limits.max_custom_points, run=run
    )


def ensure_session(conn: ConnectionState) -> Session:
    """Messages before `hello` act on a default session, as if `hello` had come first."""
    if conn.session is None:
        start_session(conn, Hello(type="hello"))
    assert conn.session is not None
    return conn.session


def start_session(conn: ConnectionState, msg: Hello) -> None:
    conn.install(build_session(conn, msg))


def build_session(conn: ConnectionState, msg: Hello) -> Session:
    """The session a hello asks for, checkpoint restored; touches nothing of `conn` but its
    limits, so it may run in a worker thread (building costs ~12 ms: over the 10 ms a
    message may hold the event loop; a run link's rewind up to ~0.5 s more)."""
    if msg.protocol != PROTOCOL_VERSION:
        message = f"this server speaks protocol {PROTOCOL_VERSION}, not {msg.protocol}"
        raise ProtocolError("protocol_version", message, "protocol")
    run = None if msg.run is None else RunMarker.parse(msg.run)  # checked even if resuming
    patch = dict(msg.settings)
    patch.setdefault("seed", native_seed())
    settings = merge_settings(PlaygroundSettings(), patch)
    session = new_session(conn, settings, None if msg.checkpoint is not None else run)
    if msg.checkpoint is not None:  # refused: the session from before stays (all or nothing)
        checkpoint.restore(session, msg.checkpoint)
    if msg.run_events and run is not None and session.run_marker == run:
        follow(session, msg.run_events)  # the linked run's events, from where it stands
    return session


def alive(conn: ConnectionState) -> Session:
    """The session, refusing commands that would train a failed one (reset revives it)."""
    session = ensure_session(conn)
    if conn.failed:
        message = "this session hit an internal error; reset it to continue"
        raise ProtocolError("session_failed", message)
    return session


def import_json(conn: ConnectionState, content: str) -> None:
    """Rebuild from an exported JSON document: its settings, weights, epoch and history."""
    try:
        run = parse_json_run(content, conn.settings.max_message_bytes)
    except ValueError as exc:
        raise ProtocolError("invalid_import", f"not a usable export: {exc}") from None
    session = new_session(conn, run.settings)
    session.load_weights(run.weights, run.epoch, run.history)
    conn.install(session)
