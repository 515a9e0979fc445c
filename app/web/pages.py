"""HTTP routes: the page and the health check. The websocket lives in `server.py`."""

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
    }
    response: HTMLResponse = templates.TemplateResponse(request, "index.html", context)
    return response


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    """Liveness for Docker/Kubernetes: cheap, no training work."""
    registry = getattr(request.app.state, "sessions", None)
    active = len(registry) if registry is not None else 0
    return {"status": "ok", "version": __version__, "sessions": active}
