"""The lessons on the web: Markdown rendered once at start-up, an index page, one JSON each.

What it is: `LessonBook` (every lesson rendered to the JSON the panel reads,
static/js/lessons.js, with its place in the index and the lesson after it, so the last step
can lead on) and the routes `GET /lessons` (the index, built-in and the teacher's, each
linking to its first step, its goals listed once each) and `GET /lessons/{id}.json`.
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


def lesson_json(lesson: Lesson, number: int, after: Lesson | None) -> dict[str, Any]:
    """One lesson for the panel: `number` is its place in the index (1 first), `next` the
    lesson after it there (None for the last), which its last step leads on to."""
    steps = [step_json(step) for step in lesson.steps]
    return {
        "id": lesson.id,
        "number": number,
        "title": lesson.title,
        "summary": lesson.summary,
        "builtin": lesson.builtin,
        "steps": steps,
        "goals": goal_summary(steps),
        "next": None if after is None else {"id": after.id, "title": after.title},
    }


def goal_summary(steps: list[dict[str, Any]]) -> str:
    """Each distinct goal once, with the steps that set it ("" without goals).
    Example: "test loss below 0.1 within 2000 epochs (steps 2 and 3); test accuracy above
    0.99 (step 4)"."""
    where: dict[str, list[int]] = {}
    for k, step in enumerate(steps, start=1):
        if step["goal"]:
            where.setdefault(step["goal"]["text"], []).append(k)
    return "; ".join(f"{text} ({_steps(ks)})" for text, ks in where.items())


def _steps(ks: list[int]) -> str:
    """[3] -> "step 3"; [2, 3, 5] -> "steps 2, 3 and 5"."""
    if len(ks) == 1:
        return f"step {ks[0]}"
    return f"steps {', '.join(map(str, ks[:-1]))} and {ks[-1]}"


class LessonBook:
    """Every lesson, checked and rendered; built once per process by create_app."""

    def __init__(self, extra_dir: Path | None = None) -> None:
        self.lessons = load_lessons(extra_dir)
        after = [*self.lessons[1:], None]
        self.rendered = {
            lesson.id: lesson_json(lesson, k, nxt)
            for k, (lesson, nxt) in enumerate(zip(self.lessons, after, strict=True), start=1)
        }


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
