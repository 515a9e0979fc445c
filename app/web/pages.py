"""HTTP routes: the page, the health check and "not found". The websocket lives in `server.py`.

Trade-off of `not_found`: a 404 is a page with a way home for a person (a browser asking for
HTML) and stays `{"detail": …}` JSON for a program (the API, `*.json`, anything not asking
for HTML), so a script reading the API never gets markup it has to parse.
"""

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from jinja2.utils import htmlsafe_json_dumps
from starlette.exceptions import HTTPException

from app import __version__
from app.playground.lesson_hash import HIDE_FLAGS
from app.playground.registry import page_registries
from app.web.admission import client_address
from app.web.identity import COOKIE, MAX_AGE_SECONDS, mint, verify

TARPIT_SECONDS = 1.0
TOO_MANY_LOADS = "too many page loads from your address; try again in a moment\n"

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request) -> Response:
    """The playground page; all state lives in the URL hash and the websocket.

    Rendered once and served from memory (it depends on the settings alone), limited per
    address group, and carrying the browser's identity cookie (identity.py) when the
    browser has none yet: what shares the CPU fairly between the tabs behind one address.
    """
    state = request.app.state
    address = client_address(request.client)
    if not state.page_loads.take(address):
        await anyio.sleep(TARPIT_SECONDS)  # a flood over keep-alive gets one answer a second
        headers = {"retry-after": "5", "connection": "close"}
        return PlainTextResponse(TOO_MANY_LOADS, status_code=429, headers=headers)
    if getattr(state, "index_html", None) is None:
        state.index_html = render_index(request).body
    response = HTMLResponse(state.index_html)
    cookie = request.cookies.get(COOKIE)
    if verify(cookie, state.secret) is None and state.identities.take(address):
        response.set_cookie(
            COOKIE, mint(state.secret), max_age=MAX_AGE_SECONDS, httponly=True, samesite="lax"
        )
    return response


def render_index(request: Request) -> HTMLResponse:
    templates = request.app.state.templates
    limits = request.app.state.settings
    registries = page_registries()
    context = {
        "version": __version__,
        "max_layers": limits.max_layers,
        "max_neurons": limits.max_neurons,
        "hide_flags": HIDE_FLAGS,
        "modules": page_modules(Path(limits.static_dir)),
        "max_message_bytes": limits.max_message_bytes,
        "registries": registries,
        # Not the `tojson` filter: it sorts keys, and the registries' order is the page's order.
        "registries_json": htmlsafe_json_dumps(registries),
        "choices": select_choices(registries),
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


def decimal(value: float) -> str:
    """A rate as the select shows it: 0.00001, not 1e-05 (the values the playground's URLs use)."""
    return f"{value:f}".rstrip("0").rstrip(".") or "0"


def _speed_value(speed: float | None) -> str:
    return "max" if speed is None else decimal(speed)


def select_choices(registries: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """(value, label) options of the top bar's selects, by select id, from the registries."""
    rates = [(decimal(v), decimal(v)) for v in registries["learning_rates"]]
    speeds = [(_speed_value(s["value"]), s["label"]) for s in registries["speeds"]]
    return {
        "learningRate": rates,
        "activations": list(registries["activations"].items()),
        "regularizations": list(registries["regularizations"].items()),
        "regularRate": [(decimal(v), decimal(v)) for v in registries["regularization_rates"]],
        "problem": list(registries["problems"].items()),
        "speed": speeds,
    }


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    """Liveness for Docker/Kubernetes: cheap, no training work; "ok" is all the public sees.

    An operator (and the fairness tests) also need to see how a worker shares its CPU:
    which process answered, how busy its loop is, and the CPU seconds of each live session.
    Those go to a local request (loopback, through no proxy) or with NN_PLAYGROUND_HEALTH_DETAILS.
    """
    state = request.app.state
    if not (state.settings.health_details or is_local(request)):
        return {"status": "ok"}
    scheduler = state.scheduler
    return {
        "status": "ok",
        "version": __version__,
        "sessions": len(state.sessions),
        "pid": os.getpid(),
        "busy": round(scheduler.busy(), 3),
        "cpu_seconds": round(scheduler.total_cpu, 3),
        "session_cpu_seconds": sorted(round(v, 4) for v in scheduler.cpu.values()),
        "gang_member_epochs": state.gangs.member_epochs,
    }


async def not_found(request: Request, exc: Exception) -> Response:
    """An HTML 404 with a link home for a browser's page request; JSON for everything else."""
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        raise exc
    wants_html = "text/html" in request.headers.get("accept", "")
    if exc.status_code != 404 or not wants_html or request.url.path.endswith(".json"):
        return await http_exception_handler(request, exc)
    templates = request.app.state.templates
    context = {"path": request.url.path[:200]}
    response: HTMLResponse = templates.TemplateResponse(
        request, "404.html", context, status_code=404
    )
    return response


def is_local(request: Request) -> bool:
    """From this machine and not relayed: a same-host proxy's requests come from loopback
    too, but they carry its forwarding headers."""
    host = request.client.host if request.client else ""
    relayed = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    try:
        return ipaddress.ip_address(host).is_loopback and not relayed
    except ValueError:
        return False
