"""Application assembly: `create_app()` wires settings, assets and routers. Nothing else."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from app import __version__
from app.web.admission import AddressBook
from app.web.budgets import WorkBudgets
from app.web.classroom.hub import ClassHub
from app.web.classroom.student_routes import router as student_router
from app.web.classroom.teacher_routes import router as teacher_router
from app.web.config import Settings
from app.web.digits.routes import router as digits_router
from app.web.drain import Drain, lifespan_for
from app.web.gangs import GangBook
from app.web.hosts import HostGuardMiddleware
from app.web.identity import IDENTITIES_BURST, IDENTITIES_PER_SECOND
from app.web.lessons import LessonBook
from app.web.lessons import router as lessons_router
from app.web.limits import PerAddress
from app.web.offload import (
    BUILD_TIMEOUT_SECONDS,
    INTERACTIVE,
    INTERACTIVE_JOINS_BURST,
    INTERACTIVE_JOINS_PER_SECOND,
    Helper,
)
from app.web.pages import not_found
from app.web.pages import router as pages_router
from app.web.scheduler import FairScheduler
from app.web.security import SecurityHeadersMiddleware
from app.web.server import router as socket_router

# Page loads per address group: a class arriving at once, reloading now and then (issue 20).
PAGE_LOADS_PER_SECOND, PAGE_LOADS_BURST = 5.0, 120


def with_helpers(inner: Any) -> Any:
    """`inner`, with the build helpers started first: the worker listens only once they answer
    (the first hello must not wait for it); the helpers go with the worker (offload.py)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        await asyncio.gather(app.state.hellos.call(len, ""), app.state.builds.call(len, ""))
        async with inner(app) as state:
            yield state
        app.state.hellos.shutdown()
        app.state.builds.shutdown()
        app.state.exports.shutdown()

    return lifespan


def with_classroom(inner: Any) -> Any:
    """`inner` (the drain's lifespan), then the classroom's tasks and store connection end
    with the worker."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            yield state
        await app.state.classroom.close()

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app; uvicorn calls this as a factory in every worker."""
    settings = settings or Settings.from_env()
    for directory in (settings.static_dir, settings.templates_dir):
        if not directory.is_dir():
            raise RuntimeError(f"asset directory not found: {directory}")
    drain = Drain(settings.shutdown_grace_seconds)  # SIGTERM's final checkpoints (drain.py)
    app = FastAPI(
        title="NN Playground",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        lifespan=with_classroom(with_helpers(lifespan_for(drain))),
    )
    app.state.settings = settings
    app.state.drain = drain
    app.state.templates = Jinja2Templates(directory=settings.templates_dir)
    # Outermost last: refusals by the host guard carry the security headers too.
    app.add_middleware(HostGuardMiddleware, settings.host, settings.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    app.state.sessions = set()
    app.state.digits_sessions = set()  # a subset of sessions: /digits/ws (app/web/digits)
    app.state.scheduler = FairScheduler()
    app.state.gangs = GangBook()
    app.state.budgets = WorkBudgets()
    app.state.secret = settings.secret_key or secrets.token_urlsafe(32)
    app.state.page_loads = PerAddress(PAGE_LOADS_PER_SECOND, PAGE_LOADS_BURST)
    app.state.identities = PerAddress(IDENTITIES_PER_SECOND, IDENTITIES_BURST)
    app.state.hellos = Helper("build", BUILD_TIMEOUT_SECONDS, nice=INTERACTIVE)
    app.state.joins = PerAddress(INTERACTIVE_JOINS_PER_SECOND, INTERACTIVE_JOINS_BURST)
    app.state.builds = Helper("build", BUILD_TIMEOUT_SECONDS)
    app.state.exports = Helper("export", settings.export_timeout_seconds)
    app.state.addresses = AddressBook(
        settings.max_connections_per_address,
        settings.connections_per_second_per_address,
        settings.connection_burst_per_address,
    )
    app.state.lessons = LessonBook(settings.lessons_dir)  # a bad lesson file stops start-up
    app.add_exception_handler(HTTPException, not_found)  # HTML for browsers, JSON for the API
    app.state.classroom = ClassHub(settings)  # opens its store on first use
    app.include_router(pages_router)
    app.include_router(lessons_router)
    app.include_router(socket_router)
    app.include_router(digits_router)
    app.include_router(teacher_router)
    app.include_router(student_router)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    return app
