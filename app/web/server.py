"""WS /ws: admission of a websocket, then one Connection (connection.py) for its lifetime.

What it is: the endpoint: Origin check before accepting, the per-process session cap, and
the registry /healthz counts.
What it is not: message handling (handlers.py), training (runner.py), pacing (pacer.py) or
sending (outbox.py).
Trade-off: sessions are counted in a plain set on app.state: one process, one event loop,
no lock needed; workers each count their own (docs/deploy.md).
"""

from fastapi import APIRouter, WebSocket

from app.web.config import Settings
from app.web.connection import CLOSE_POLICY, Connection
from app.web.limits import origin_allowed
from app.web.runner import GONE

router = APIRouter()

CLOSE_TRY_LATER = 1013


@router.websocket("/ws")
async def playground_socket(websocket: WebSocket) -> None:
    settings: Settings = websocket.app.state.settings
    if not origin_allowed(websocket.headers, settings.allowed_origins):
        await websocket.close(CLOSE_POLICY, "origin not allowed")  # before accept: HTTP 403
        return
    await websocket.accept()
    registry: set[Connection] = websocket.app.state.sessions
    if len(registry) >= settings.max_sessions:
        reason = "server full: too many live sessions, try again later"
        await websocket.close(CLOSE_TRY_LATER, reason)
        return
    connection = Connection(websocket, settings)
    registry.add(connection)
    try:
        await connection.run()
    except* GONE:
        pass  # the client left (possibly while a task was sending): nothing to clean up
    finally:
        registry.discard(connection)
