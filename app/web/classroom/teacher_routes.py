"""The teacher's side over HTTP: make a class, watch it, and steer it (`/teach/...`).

What it is: the routes. `POST /teach` makes a class and sends the teacher to its dashboard,
`/teach/<code>/<key>`, a bookmarkable link whose key is the teacher's only credential;
under it, `live.json` (the roster with every student's summary, the board), `choose`,
`push`, `pause`, `challenge`, `links` and `export.csv`. A wrong or missing key is 403 on
every one of them, whether or not the class exists.
What it is not: the page's script (static/js/classroom/teach.js) or the store.
Trade-off: the dashboard polls `live.json` once a second instead of holding a socket: any
worker or replica answers it from the store, so the teacher's view needs nothing sticky,
and a store that is down shows as a clear error on the dashboard (HTTP 503), never as a
stall for the students.
"""

import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2.utils import htmlsafe_json_dumps

from app import __version__
from app.playground.lessons import Goal
from app.playground.registry import page_registries
from app.web.classroom.backends import request_store
from app.web.classroom.challenge import Challenge
from app.web.classroom.dashboard import csv_export, live_view, qr_svg
from app.web.classroom.identity import digest, key_matches, new_code, new_link_id, new_secret
from app.web.classroom.locks import LOCKABLE
from app.web.classroom.store import ClassRecord, StoreDown
from app.web.classroom.teaching import (
    Control,
    HashError,
    check_hash,
    control_of,
    experiment_hash,
    hidden_flags,
    make_start,
)
from app.web.classroom.throttle import throttle
from app.web.lessons import LessonBook

router = APIRouter()
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
FORBIDDEN = "this teacher link is not valid (a wrong or missing key)"


def down(exc: StoreDown) -> HTTPException:
    return HTTPException(503, f"The class store is not reachable: {exc}. Students keep training.")


async def teacher_class(request: Request, code: str, key: str) -> ClassRecord:
    """The class, if `key` is its teacher's key; 403 otherwise (also for no such class)."""
    try:
        record = await request_store(request).get(code)
    except StoreDown as exc:
        raise down(exc) from None
    if record is None or not key_matches(key, record.key_digest):
        raise HTTPException(403, FORBIDDEN)
    return record


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (read after the key is checked: a stranger gets 403 first)."""
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(422, "the request body must be a JSON object") from None
    if not isinstance(body, dict):
        raise HTTPException(422, "the request body must be a JSON object")
    return body


async def save(request: Request, record: ClassRecord, control: Control) -> Control:
    control.version += 1
    try:
        await request_store(request).set_control(record.code, control.model_dump(mode="json"))
    except StoreDown as exc:
        raise down(exc) from None
    return control


@router.get("/teach", response_class=HTMLResponse, include_in_schema=False)
async def teach_page(request: Request) -> Response:
    """The teacher's start page: one button makes a class."""
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "teach.html", {"version": __version__}
    )


@router.post("/teach", include_in_schema=False)
async def create_class(request: Request) -> Response:
    """Make a class with a fresh code and key; 303 to its dashboard."""
    throttle(request, "create")
    key = new_secret()
    control = Control().model_dump(mode="json")
    for _ in range(8):
        record = ClassRecord(new_code(), digest(key), new_secret(), time.time(), control)
        try:
            if await request_store(request).create(record):
                return RedirectResponse(f"/teach/{record.code}/{key}", status_code=303)
        except StoreDown as exc:
            raise down(exc) from None
    raise HTTPException(503, "no free class code was found; try again")


@router.get("/teach/{code}", include_in_schema=False)
async def no_key(code: str) -> Response:
    raise HTTPException(403, FORBIDDEN)


@router.get("/teach/{code}/{key}", response_class=HTMLResponse, include_in_schema=False)
async def dashboard(request: Request, code: str, key: str) -> Response:
    record = await teacher_class(request, code, key)
    join_url = f"{request.base_url}c/{record.code}"
    book: LessonBook = request.app.state.lessons
    registries = page_registries()
    context = {
        "version": __version__,
        "code": record.code,
        "join_url": join_url,
        "loopback": request.url.hostname in LOOPBACK_NAMES,  # students cannot reach it
        "qr": qr_svg(join_url),
        "lessons": [book.rendered[lesson.id] for lesson in book.lessons],
        "lockable": LOCKABLE,
        "registries": registries,
        "registries_json": htmlsafe_json_dumps(registries),  # key order kept, as pages.py
        "key": key,
    }
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "dashboard.html", context
    )


@router.get("/teach/{code}/{key}/live.json")
async def live(request: Request, code: str, key: str) -> dict[str, Any]:
    record = await teacher_class(request, code, key)
    try:
        return await live_view(request_store(request), record)
    except StoreDown as exc:
        raise down(exc) from None


@router.post("/teach/{code}/{key}/choose")
async def choose(request: Request, code: str, key: str) -> dict[str, Any]:
    """The start the next push gives everyone: a link or hash, a lesson step, or defaults."""
    record = await teacher_class(request, code, key)
    body = await json_body(request)
    control = control_of(record.control)
    link, goal, label = str(body.get("link", ""))[:4000], None, "A link you chose"
    if "lesson" in body:
        lesson = request.app.state.lessons.rendered.get(str(body["lesson"]))
        steps = lesson["steps"] if lesson else []
        k = body.get("step", 1)
        if not isinstance(k, int) or not 1 <= k <= len(steps):
            raise HTTPException(422, "no such lesson step")
        step = steps[k - 1]
        link = "&".join([step["hash"], *(f"{h}_hide=true" for h in step["hide"])])
        goal = step["goal"]
        label = f"{lesson['title'] if lesson else ''}, step {k}"
    try:
        chosen = check_hash(experiment_hash(link))
    except HashError as exc:
        raise HTTPException(422, f"that link does not open an experiment here: {exc}") from None
    control.chosen, control.chosen_label = chosen, label if chosen else "The playground's defaults"
    fields = {k: v for k, v in (goal or {}).items() if k != "text"}
    control.chosen_goal = Goal.model_validate(fields) if fields else None
    await save(request, record, control)
    return {"label": control.chosen_label, "hash": chosen, "hidden": hidden_flags(link)}


@router.post("/teach/{code}/{key}/push")
async def push(request: Request, code: str, key: str) -> dict[str, Any]:
    """One start for everyone: the chosen settings, same seed, optional locks."""
    record = await teacher_class(request, code, key)
    body = await json_body(request)
    control = control_of(record.control)
    locked = [str(x) for x in body.get("locked", [])][:64]
    version = (control.start.version if control.start else 0) + 1
    try:
        control.start = make_start(
            control.chosen, locked, version, control.chosen_label, control.chosen_goal
        )
    except HashError as exc:  # a limit changed since it was chosen
        raise HTTPException(422, f"the chosen start no longer opens here: {exc}") from None
    await save(request, record, control)
    return {"version": version, "settings": control.start.settings}


@router.post("/teach/{code}/{key}/pause")
async def pause(request: Request, code: str, key: str) -> dict[str, Any]:
    record = await teacher_class(request, code, key)
    body = await json_body(request)
    control = control_of(record.control)
    control.paused = bool(body.get("paused", True))
    await save(request, record, control)
    return {"paused": control.paused}


@router.post("/teach/{code}/{key}/challenge")
async def challenge(request: Request, code: str, key: str) -> dict[str, Any]:
    """Set (or with `{"end": true}` end) the challenge: its start is pushed to everyone."""
    record = await teacher_class(request, code, key)
    body = await json_body(request)
    control = control_of(record.control)
    if body.get("end"):
        control.challenge = None
        await save(request, record, control)
        return {"challenge": None}
    dataset = str(body.pop("dataset", "circle"))
    base = "&".join(p for p in (control.chosen, f"dataset={dataset}") if p)
    version = (control.start.version if control.start else 0) + 1
    try:
        start = make_start(
            base,
            [str(x) for x in body.pop("locked", [])][:64],
            version,
            f"Challenge on {dataset}",
            None,
        )
        rules = Challenge.model_validate(
            {**body, "id": new_code(), "started": time.time(), "start": start.settings}
        )
    except (HashError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    control.start, control.challenge, control.challenge_id = start, rules, rules.id
    await save(request, record, control)
    return {"challenge": rules.describe(), "id": rules.id}


@router.post("/teach/{code}/{key}/links")
async def short_link(request: Request, code: str, key: str) -> dict[str, Any]:
    """A short `/s/<id>` for a link of this server (a lesson step, a run link…)."""
    record = await teacher_class(request, code, key)
    body = await json_body(request)
    target = str(body.get("target", ""))
    path = target.removeprefix(str(request.base_url).rstrip("/"))
    if not path.startswith("/") or path.startswith("//") or len(path) > 4000:
        raise HTTPException(422, "a short link points to a page of this server")
    for _ in range(8):
        link_id = new_link_id()
        try:
            if await request_store(request).put_link(link_id, record.code, path):
                return {"id": link_id, "url": f"{request.base_url}s/{link_id}"}
        except StoreDown as exc:
            raise down(exc) from None
    raise HTTPException(503, "no free link id was found; try again")


@router.get("/teach/{code}/{key}/export.csv")
async def export(request: Request, code: str, key: str) -> Response:
    record = await teacher_class(request, code, key)
    try:
        text = await csv_export(request_store(request), record)
    except StoreDown as exc:
        raise down(exc) from None
    headers = {"content-disposition": f'attachment; filename="class-{record.code}.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
