"""HTTP routes: the page and the health check. The websocket lives in `server.py`."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app import __version__
from app.playground.lesson_hash import HIDE_FLAGS

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request) -> HTMLResponse:
    """The playground page; all state lives in the URL hash and the websocket."""
    templates = request.app.state.templates
    limits = request.app.state.settings
    context = {
        "version": __version__,
        "max_layers": limits.max_layers,
        "max_neurons": limits.max_neurons,
        "hide_flags": HIDE_FLAGS,
        "modules": page_modules(Path(limits.static_dir)),
    }
    response: HTMLResponse = templates.TemplateResponse(request, "index.html", context)
    return response


@lru_cache(maxsize=4)
def page_modules(static_dir: Path) -> tuple[str, ...]:
    """Every ES module of the page (static/js/*.js, by stem), for the template's preload list.

    Read from the directory rather than listed by hand, so a new module is preloaded without a
    template edit (a hand list went stale before); tests/api checks it equals the import graph.
    """
    return tuple(sorted(path.stem for path in (static_dir / "js").glob("*.js")))


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    """Liveness for Docker/Kubernetes: cheap, no training work."""
    registry = getattr(request.app.state, "sessions", None)
    active = len(registry) if registry is not None else 0
    return {"status": "ok", "version": __version__, "sessions": active}
