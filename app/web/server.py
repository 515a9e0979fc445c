"""WS /ws: admission of a websocket, then one Connection (connection.py) for its lifetime.

What it is: the endpoint: Origin check before accepting, per-address admission
(admission.py), the registry /healthz counts (sessions join it at hello), refusal while the
worker drains (drain.py), and `POST /socket-check`, which tells a page whose handshake failed
whether it was refused.
What it is not: message handling (handlers.py), training (runner.py), pacing (pacer.py) or
sending (outbox.py).
Trade-off: sessions are counted in a plain set on app.state: one process, one event loop,
no lock needed; workers each count their own (docs/deploy.md).
"""

from fastapi import APIRouter, Request, WebSocket

from app.web.admission import AddressBook, client_address
from app.web.config import Settings
from app.web.connection import CLOSE_POLICY, CLOSE_TRY_LATER, Connection
from app.web.drain import CLOSE_SERVICE_RESTART, RESTARTING, Drain
from app.web.identity import COOKIE, share_group
from app.web.limits import origin_allowed
from app.web.runner import GONE

router = APIRouter()
REFUSED_ORIGIN = "this page's origin is not allowed to open a session here"


@router.post("/socket-check", include_in_schema=False)
async def socket_check(request: Request) -> dict[str, object]:
    """Would a websocket from this page be admitted? The page asks after a failed handshake.

    A browser reports a 403 from the origin check exactly as a balancer's 502 for a dead
    replica (close 1006, no status), so only the server can tell the page which it was. A
    POST carries the page's real Origin (browsers add it to every POST), and the Host guard
    (hosts.py) has already answered 400 if the name is refused. Always 200: a balancer's
    own errors then stay distinguishable from this answer.
    """
    settings: Settings = request.app.state.settings
    if origin_allowed(request.headers, settings.allowed_origins):
        return {"admitted": True}
    return {"admitted": False, "message": REFUSED_ORIGIN}


async def admit(websocket: WebSocket) -> str | None:
    """The perimeter every websocket of this server passes (this one and /digits/ws): the
    Origin, refused before accepting (HTTP 403), then the per-address caps (accepted, then
    closed with 1013). The client's address if admitted (release it in the AddressBook when
    the connection ends), else None: the socket is closed."""
    settings: Settings = websocket.app.state.settings
    if not origin_allowed(websocket.headers, settings.allowed_origins):
        await websocket.close(CLOSE_POLICY, "origin not allowed")  # before accept: HTTP 403
        return None
    book: AddressBook = websocket.app.state.addresses
    address = client_address(websocket.client)
    refusal = book.admit(address)  # per-address caps (admission.py)
    await websocket.accept()
    if refusal is not None:
        await websocket.close(CLOSE_TRY_LATER, refusal)
        return None
    return address


@router.websocket("/ws")
async def playground_socket(websocket: WebSocket) -> None:
    address = await admit(websocket)
    if address is None:
        return
    settings: Settings = websocket.app.state.settings
    book: AddressBook = websocket.app.state.addresses
    # The session cap is applied at hello (Connection.admitted): silent sockets take no slot.
    registry: set[Connection] = websocket.app.state.sessions
    drain: Drain = websocket.app.state.drain
    connection = Connection(websocket, settings)
    if not drain.join(connection):  # this worker is stopping: try another one now
        book.release(address)
        await websocket.close(CLOSE_SERVICE_RESTART, RESTARTING)
        return
    cookie = websocket.cookies.get(COOKIE)  # the handshake carries the page's cookies
    connection.group = share_group(cookie, websocket.app.state.secret, address)
    connection.address = address
    connection.scheduler.join(id(connection), connection.group)
    try:
        await connection.run()
    except* GONE:
        pass  # the client left (possibly while a task was sending): nothing to clean up
    finally:
        drain.leave(connection)
        registry.discard(connection)
        book.release(address)
        connection.scheduler.forget(id(connection))
        connection.gangs.forget(connection)
        websocket.app.state.classroom.leave(connection)  # classroom hook: now offline
