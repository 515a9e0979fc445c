"""GET /digits, GET /digits/mnist_sample.npz and WS /digits/ws.

What it is: the page (its lists and defaults as a JSON island, like the playground's), the
built-in sample as a download (the exported Keras script reads it), and the websocket's
admission: the same perimeter as /ws (Origin before accepting, per-address caps), then one
DigitsConnection for its lifetime.
What it is not: message handling (handlers.py) or training (runner.py).
Trade-off: the page lists only the data sources this server has, looked up per request
(a few `stat` calls), so files added or fetched while it runs appear on the next load.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import FileResponse, HTMLResponse
from jinja2.utils import htmlsafe_json_dumps

from app import __version__
from app.digits.lesson import load_lesson
from app.digits.outbound import page_lists
from app.digits.settings import DigitsSettings
from app.digits.sources import SAMPLE_FILE, available, default_data_dir
from app.web.admission import AddressBook
from app.web.config import Settings
from app.web.digits.connection import DigitsConnection, digits_limits
from app.web.digits.handlers import HANDLERS
from app.web.digits.runner import serve
from app.web.drain import CLOSE_SERVICE_RESTART, RESTARTING, Drain
from app.web.lessons import render_markdown
from app.web.runner import GONE
from app.web.server import admit

router = APIRouter()


@router.get("/digits", response_class=HTMLResponse, include_in_schema=False)
async def digits_page(request: Request) -> HTMLResponse:
    """The digits workspace; its settings live in the URL hash and the websocket."""
    settings: Settings = request.app.state.settings
    lists = page_lists(available(settings.data_dir or default_data_dir()), digits_limits(settings))
    lists["defaults"] = DigitsSettings().model_dump(exclude={"seed"})
    lists["lesson"] = lesson_for_page()
    context = {
        "version": __version__,
        "lists_json": htmlsafe_json_dumps(lists),
        "modules": digits_modules(Path(settings.static_dir)),
        "max_message_bytes": settings.max_message_bytes,
    }
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, "digits.html", context)
    return response


@lru_cache(maxsize=1)
def lesson_for_page() -> dict[str, Any]:
    """The article lesson with its Markdown rendered (read once; checked at start-up)."""
    lesson = load_lesson()
    steps = [
        {
            "title": step.title,
            "html": render_markdown(step.text),
            "settings": step.settings,
            "goal": step.goal.model_dump() if step.goal else None,
        }
        for step in lesson.steps
    ]
    return {"id": lesson.id, "title": lesson.title, "summary": lesson.summary, "steps": steps}


def digits_modules(static_dir: Path) -> tuple[str, ...]:
    """The page's ES modules (static/js/digits/*.js), for the template's preload list."""
    return tuple(sorted(path.stem for path in (static_dir / "js" / "digits").glob("*.js")))


@router.get("/digits/mnist_sample.npz", include_in_schema=False)
async def sample_file() -> FileResponse:
    """The built-in 5,000 digits (CC BY-SA 3.0), for the exported Keras script."""
    return FileResponse(
        SAMPLE_FILE, media_type="application/octet-stream", filename=SAMPLE_FILE.name
    )


@router.websocket("/digits/ws")
async def digits_socket(websocket: WebSocket) -> None:
    address = await admit(websocket)  # the playground socket's perimeter (server.py)
    if address is None:
        return
    settings: Settings = websocket.app.state.settings
    book: AddressBook = websocket.app.state.addresses
    drain: Drain = websocket.app.state.drain
    if drain.draining:  # this worker is stopping (drain.py): try another one now
        book.release(address)
        await websocket.close(CLOSE_SERVICE_RESTART, RESTARTING)
        return
    # Not one of the drain's connections: a digits session has no checkpoint to hand over;
    # uvicorn's own shutdown closes it, and the page says hello again with its settings.
    connection = DigitsConnection(websocket, settings, HANDLERS)
    try:
        await serve(connection)
    except* GONE:
        pass  # the client left, possibly while a task was sending
    finally:
        connection.registry.discard(connection)
        connection.digits_registry.discard(connection)
        book.release(address)
        connection.scheduler.forget(id(connection))
