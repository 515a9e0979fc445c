"""The students' side over HTTP: the join page `/c/<code>`, joining, and short links `/s/<id>`.

What it is: `GET /c/<code>` (a page whose first text field takes a nickname), `POST
/c/<code>/join` (normalise the name, add the student, answer their token and the class's
start), and `GET /s/<id>` (a short link the teacher made: a redirect to a page here).
What it is not: the live class (hub.py): the page says `join_class` on its websocket with
the token this route gave it.
Trade-off: the token is the student's only proof of who they are, so it stays in the page
(localStorage) and the store keeps only a hash of it; a student who clears their browser
joins again under a new name, which is the safe way round.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import __version__
from app.web.classroom.backends import request_store
from app.web.classroom.identity import (
    BadName,
    clean_code,
    member_id,
    new_secret,
    normalise_name,
    valid_link_id,
    valid_token,
)
from app.web.classroom.store import ClassFull, StoreDown
from app.web.classroom.teaching import control_of
from app.web.classroom.throttle import throttle

router = APIRouter()
NOT_FOUND = "There is no class with this code (or it has ended). Check the code with your teacher."


@router.get("/c", response_class=HTMLResponse, include_in_schema=False)
async def code_page(request: Request, code: str = "") -> Response:
    """Type the code the teacher shows; a good one goes on to its join page."""
    clean = clean_code(code)
    if clean is not None:
        return RedirectResponse(f"/c/{clean}", status_code=303)
    context = {"version": __version__, "code": "", "found": False, "ask": True, "typed": code[:16]}
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "join.html", context
    )


@router.get("/c/{code}", response_class=HTMLResponse, include_in_schema=False)
async def join_page(request: Request, code: str) -> Response:
    clean = clean_code(code)
    found = None
    if clean is not None:
        try:
            found = await request_store(request).get(clean)
        except StoreDown:
            raise HTTPException(503, "The class is not reachable right now; try again.") from None
    context = {"version": __version__, "code": clean or code[:16], "found": found is not None}
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "join.html", context, status_code=200 if found else 404
    )


@router.post("/c/{code}/join")
async def join(
    request: Request, code: str, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Add a student (or find them again by their token); answers their token and start."""
    throttle(request, "join")
    clean = clean_code(code)
    token = body.get("token")
    if not (isinstance(token, str) and valid_token(token)):
        token = new_secret()
    try:
        name = normalise_name(str(body.get("name", ""))[:200])
    except BadName as exc:
        raise HTTPException(422, str(exc)) from None
    store, limit = request_store(request), request.app.state.settings.max_class_size
    try:
        record = None if clean is None else await store.get(clean)
        if record is None or clean is None:
            raise HTTPException(404, NOT_FOUND)
        member = await store.join(clean, member_id(token), name, limit)
        start = control_of(record.control).start
        if start is not None and member.start_version < start.version:  # it lands on it now
            await store.set_start_version(clean, member.id, start.version)
    except ClassFull as exc:
        raise HTTPException(409, f"{exc}; ask your teacher") from None
    except StoreDown:
        raise HTTPException(503, "The class is not reachable right now; try again.") from None
    return {
        "code": clean,
        "token": token,
        "name": member.name,
        "hash": "" if start is None else start.hash,  # with its run and events, if any
    }


@router.get("/s/{link_id}", include_in_schema=False)
async def short_link(request: Request, link_id: str) -> Response:
    target = None
    if valid_link_id(link_id.upper()):
        try:
            target = await request_store(request).get_link(link_id.upper())
        except StoreDown:
            raise HTTPException(503, "Short links are not reachable right now.") from None
    if target is None:
        raise HTTPException(404, "no such short link (it may have ended with its class)")
    return RedirectResponse(target, status_code=303)
