"""What the teacher's dashboard shows, read from the store: the roster, the board, the CSV.

What it is: `live_view` (the document `live.json` answers: the class's control, one entry
per student with their newest summary and status, the challenge board), `csv_export` and
`qr_svg` (the join link as an inline SVG QR code, drawn by segno on the server).
What it is not: routing or authorisation (teacher_routes.py).
Trade-off: "offline" is decided here from the summary's age, not stored: a worker that was
killed cannot say its students left, but their summaries stop, and after OFFLINE_SECONDS
the dashboard says so.
"""

import csv
import io
import json
import time
from typing import Any

import segno

from app.web.classroom.challenge import board
from app.web.classroom.store import ClassRecord, ClassStore, Doc
from app.web.classroom.teaching import control_of

OFFLINE_SECONDS = 6.0
CSV_COLUMNS = (
    "nickname",
    "status",
    "epoch",
    "train_loss",
    "test_loss",
    "goal_met",
    "challenge_result",
    "challenge_epoch",
    "dataset",
    "network_shape",
    "features",
    "settings",
)


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (no inline styles: the page's CSP forbids them)."""
    return str(segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True))


def status(doc: Doc | None, now: float) -> str:
    """active / paused / offline, from a summary and its age."""
    if doc is None or now - float(doc.get("at", 0.0)) > OFFLINE_SECONDS:
        return "offline"
    return str(doc.get("status", "offline"))


async def live_view(store: ClassStore, record: ClassRecord) -> dict[str, Any]:
    """The dashboard's data, about once a second."""
    control = control_of(record.control)
    members = await store.members(record.code)
    summaries = await store.summaries(record.code)
    results = {}
    if control.challenge is not None:
        results = await store.results(record.code, control.challenge.id)
    now = time.time()
    roster = []
    for member in members:
        doc = summaries.get(member.id)
        entry = {**(doc or {}), "id": member.id, "name": member.name, "status": status(doc, now)}
        entry["result"] = results.get(member.id)
        roster.append(entry)
    start = control.start
    return {
        "code": record.code,
        "chosen": {"label": control.chosen_label, "hash": control.chosen},
        "start": None if start is None else start.model_dump(mode="json"),
        "paused": control.paused,
        "challenge": None
        if control.challenge is None
        else {"text": control.challenge.describe(), "id": control.challenge.id},
        "board": board(results),
        "roster": roster,
    }


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def csv_export(store: ClassStore, record: ClassRecord) -> str:
    """One row per student: nickname, epoch, losses, goal met, challenge result, settings."""
    view = await live_view(store, record)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for s in view["roster"]:
        result = s.get("result") or {}
        verdict = "" if not result else ("eligible" if result["eligible"] else result["reason"])
        row = (
            s["name"],
            s["status"],
            s.get("epoch"),
            s.get("train_loss"),
            s.get("test_loss"),
            s.get("goal_met"),
            verdict,
            result.get("epoch"),
            s.get("dataset"),
            "-".join(map(str, s.get("shape") or [])),
            " ".join(s.get("features") or []),
            json.dumps(s.get("settings")),
        )
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
