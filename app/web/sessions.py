"""Where a connection's Session comes from: `hello`, an import, or a first command.

What it is: building a Session within the server's limits, from a hello (settings plus an
optional checkpoint) or an exported JSON document, and installing it on the connection.
What it is not: what commands do to a session once it exists (handlers.py).
Trade-off: a message that arrives before `hello` gets a default session, as if `hello` had
come first, instead of an error: scripts may skip the greeting.
"""

from dataclasses import dataclass

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
    parse_client_message,
)
from app.web.config import Settings
from app.web.state import ConnectionState


@dataclass(frozen=True)
class RawHello:
    """A hello too large to parse on the event loop: its text, parsed by the build helper."""

    text: str
    type: str = "hello"  # what the classroom's lock check reads of any message


def new_session(
    limits: Settings, settings: PlaygroundSettings, run: RunMarker | None = None
) -> Session:
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
    conn.install(build_session(conn.settings, msg))


def build_session(limits: Settings, msg: Hello) -> Session:
    """The session a hello asks for, checkpoint restored. Pure: the server runs it in its
    hellos' helper (offload.py), since building costs ~12 ms (over the 10 ms a message may
    hold the event loop), a run link's rewind and a large checkpoint tens more."""
    if msg.protocol != PROTOCOL_VERSION:
        message = f"this server speaks protocol {PROTOCOL_VERSION}, not {msg.protocol}"
        raise ProtocolError("protocol_version", message, "protocol")
    run = None if msg.run is None else RunMarker.parse(msg.run)  # checked even if resuming
    patch = dict(msg.settings)
    patch.setdefault("seed", native_seed())
    settings = merge_settings(PlaygroundSettings(), patch)
    session = new_session(limits, settings, None if msg.checkpoint is not None else run)
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


def build_from_text(limits: Settings, text: str) -> tuple[Session, Hello]:
    """The session a large hello asks for, from its text (parsing ~1 MB of checkpoint is
    ~20 ms of the GIL, which the build helper pays instead of the event loop), and the hello
    with only the short strings of its checkpoint (what the classroom reads: its proof)."""
    message = parse_client_message(text)
    if not isinstance(message, Hello):
        raise ProtocolError("invalid_message", "a large message here must be a hello", "type")
    session = build_session(limits, message)
    gist = None
    if message.checkpoint is not None:
        gist = {k: v for k, v in message.checkpoint.items() if isinstance(v, str) and len(v) < 512}
    return session, message.model_copy(update={"checkpoint": gist})


def build_import(limits: Settings, content: str) -> Session:
    """A session rebuilt from an exported JSON document: its settings, weights, epoch and
    history. Pure: it runs in the build helper (offload.py)."""
    try:
        run = parse_json_run(content, limits.max_message_bytes)
    except ValueError as exc:
        raise ProtocolError("invalid_import", f"not a usable export: {exc}") from None
    session = new_session(limits, run.settings)
    session.load_weights(run.weights, run.epoch, run.history)
    return session
