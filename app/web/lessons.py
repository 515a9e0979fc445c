"""The lessons on the web: Markdown rendered once at start-up, an index page, one JSON each.

What it is: `LessonBook` (every lesson rendered to the JSON the panel reads,
static/js/lessons.js) and the routes `GET /lessons` (the index, built-in and the teacher's,
each linking to its first step) and `GET /lessons/{id}.json`.
What it is not: the file format or its checks (app/playground/lessons.py).
Trade-off: Markdown goes through markdown-it-py in its CommonMark preset with `html` off,
so raw HTML in a lesson is escaped and shown as text; links keep markdown-it's URL
validation (no `javascript:`). Rendering once at start-up makes every request a dict lookup.
"""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt

from app import __version__
from app.playground.lesson_hash import split_hash
from app.playground.lessons import Lesson, Step, load_lessons

router = APIRouter()
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str) -> str:
    """Lesson Markdown -> HTML; raw HTML is escaped. Example: "<b>x</b>" -> "<p>&lt;b&gt;…"."""
    html: str = _MARKDOWN.render(text)
    return html


def step_json(step: Step) -> dict[str, Any]:
    """What the panel needs for one step: rendered text, the hash, hide flags, goal, question."""
    spec = step.spec
    goal = None
    if spec.goal is not None:
        goal = {**spec.goal.model_dump(), "text": spec.goal.describe()}
    return {
        "title": spec.title,
        "html": render_markdown(spec.text),
        "hash": spec.hash.strip().lstrip("#"),
        "sets_seed": "seed" in split_hash(spec.hash),
        "hide": list(step.hidden),
        "goal": goal,
        "question": render_markdown(spec.question) if spec.question else None,
    }


def lesson_json(lesson: Lesson) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "title": lesson.title,
        "summary": lesson.summary,
        "builtin": lesson.builtin,
        "steps": [step_json(step) for step in lesson.steps],
    }


class LessonBook:
    """Every lesson, checked and rendered; built once per process by create_app."""

    def __init__(self, extra_dir: Path | None = None) -> None:
        self.lessons = load_lessons(extra_dir)
        self.rendered = {lesson.id: lesson_json(lesson) for lesson in self.lessons}


@router.get("/lessons", response_class=HTMLResponse, include_in_schema=False)
async def lessons_index(request: Request) -> HTMLResponse:
    """Every lesson with its goals, each linking to `/#lesson=<id>&step=1`."""
    book: LessonBook = request.app.state.lessons
    context = {"version": __version__, "lessons": [book.rendered[x.id] for x in book.lessons]}
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, "lessons.html", context)
    return response


@router.get("/lessons/{lesson_id}.json")
async def lesson_data(request: Request, lesson_id: str) -> dict[str, Any]:
    """One lesson for the panel; 404 names the id it could not find."""
    book: LessonBook = request.app.state.lessons
    if lesson_id not in book.rendered:
        raise HTTPException(status_code=404, detail=f"no lesson called {lesson_id!r}")
    return book.rendered[lesson_id]
