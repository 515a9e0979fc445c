"""Guided lessons: TOML files, read and checked once at start-up (docs/lessons.md).

What it is: the lesson model (a lesson is a title and steps; a step is Markdown text, a
playground URL hash, optional hide flags, an optional goal and an optional question), and
`load_lessons`, which reads the built-in folder `app/lessons/` plus a teacher's folder and
refuses the first bad file with a LessonError that names the file, the step and the problem.
What it is not: rendering (app/web/lessons.py turns the Markdown into HTML) or the panel.
Trade-off: TOML (stdlib `tomllib`, no new dependency) over YAML: no implicit typing
surprises ("no" is not false, "0.10" stays a string in a hash), and multi-line strings keep
Markdown readable. A file per lesson keeps a teacher's change to one file.
"""

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.playground.lesson_hash import HIDE_FLAGS, HashError, HashState, read_hash
from app.playground.lesson_text import check_text

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "lessons"
LESSON_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
NUMBERED = re.compile(r"^\s*\d+\s*[.):]\s")  # "3. Four zones": the index numbers lessons itself
METRICS = ("test_loss", "train_loss", "test_accuracy", "train_accuracy")
MAX_STEPS, MAX_TEXT = 20, 8000


class LessonError(ValueError):
    """A lesson file that cannot be used: `str()` names the file, the step and the problem."""

    def __init__(self, path: Path, problem: str, step: int | None = None) -> None:
        where = f"{path}" if step is None else f"{path}, step {step}"
        super().__init__(f"lesson file {where}: {problem}")
        self.path, self.step, self.problem = path, step, problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Goal(_Strict):
    """A target the panel checks on every frame: `metric` below/above a value, optionally
    by epoch `within` (the epoch counter, so a reset starts the count again)."""

    metric: Literal["test_loss", "train_loss", "test_accuracy", "train_accuracy"]
    below: float | None = None
    above: float | None = None
    within: Annotated[int, Field(ge=1, le=100_000)] | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> "Goal":
        if (self.below is None) == (self.above is None):
            raise ValueError("a goal needs exactly one of `below` or `above`")
        return self

    def describe(self) -> str:
        """Example: "test loss below 0.1 within 500 epochs"."""
        name = self.metric.replace("_", " ")
        bound = f"below {self.below:g}" if self.below is not None else f"above {self.above:g}"
        return f"{name} {bound}" + (f" within {self.within} epochs" if self.within else "")


class StepFile(_Strict):
    """One step as written in the file."""

    title: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    hash: Annotated[str, Field(max_length=2000)]
    hide: tuple[str, ...] = ()
    goal: Goal | None = None
    question: Annotated[str, Field(min_length=1, max_length=1000)] | None = None


class LessonFile(_Strict):
    """One lesson as written in the file; `order` sorts the index (then the id)."""

    title: Annotated[str, Field(min_length=1, max_length=120)]
    summary: Annotated[str, Field(min_length=1, max_length=400)]
    order: int = 1000
    steps: Annotated[list[dict[str, object]], Field(min_length=1, max_length=MAX_STEPS)]


@dataclass(frozen=True)
class Step:
    """A checked step: its file form plus the state its hash opens."""

    spec: StepFile
    state: HashState

    @property
    def hidden(self) -> tuple[str, ...]:
        """Every control the step hides: the `hide` list and the hash's `_hide` flags."""
        return tuple(sorted(set(self.spec.hide) | self.state.hidden))


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    order: int
    steps: tuple[Step, ...]
    source: Path
    builtin: bool


def _step(path: Path, index: int, raw: dict[str, object]) -> Step:
    try:
        spec = StepFile.model_validate(raw)
    except ValidationError as exc:
        raise LessonError(path, _first(exc), index) from None
    unknown = [name for name in spec.hide if name not in HIDE_FLAGS]
    if unknown:
        raise LessonError(path, f"hide: no control is called {unknown[0]!r}", index)
    try:
        state = read_hash(spec.hash)
    except HashError as exc:
        raise LessonError(path, f"hash: {exc}", index) from None
    step = Step(spec, state)
    hidden = frozenset(step.hidden)
    for part, words in (("text", spec.text), ("question", spec.question or "")):
        problems = check_text(words, state, hidden)
        if problems:
            raise LessonError(path, f"{part}: {problems[0]}", index)
    return step


def _first(exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in err["loc"])
    return f"{field}: {err['msg']}" if field else str(err["msg"])


def load_file(path: Path, builtin: bool = False) -> Lesson:
    """One lesson file, checked whole; raises LessonError naming the file (and step)."""
    if not LESSON_ID.match(path.stem):
        raise LessonError(path, "the file name must be a lesson id: a-z, 0-9 and '-', then .toml")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LessonError(path, f"not readable TOML: {exc}") from None
    try:
        lesson = LessonFile.model_validate(raw)
    except ValidationError as exc:
        raise LessonError(path, _first(exc)) from None
    if NUMBERED.match(lesson.title):
        problem = "title: leave out the number; the list of lessons numbers them by `order`"
        raise LessonError(path, problem)
    steps = tuple(_step(path, k, step) for k, step in enumerate(lesson.steps, start=1))
    return Lesson(path.stem, lesson.title, lesson.summary, lesson.order, steps, path, builtin)


def load_lessons(extra_dir: Path | None = None, builtin_dir: Path = BUILTIN_DIR) -> list[Lesson]:
    """Built-in lessons, then the teacher's (`*.toml` in `extra_dir`), sorted for the index.

    A teacher's lesson may not reuse a built-in id: two lessons behind one link would make
    a shared link ambiguous.
    """
    if extra_dir is not None and not extra_dir.is_dir():
        raise LessonError(extra_dir, "the lessons directory does not exist")
    lessons: dict[str, Lesson] = {}
    sources: Iterable[tuple[Path, bool]] = [(p, True) for p in sorted(builtin_dir.glob("*.toml"))]
    if extra_dir is not None:
        sources = [*sources, *((p, False) for p in sorted(extra_dir.glob("*.toml")))]
    for path, builtin in sources:
        lesson = load_file(path, builtin)
        if lesson.id in lessons:
            other = lessons[lesson.id].source
            raise LessonError(path, f"lesson id {lesson.id!r} is already used by {other}")
        lessons[lesson.id] = lesson
    return sorted(lessons.values(), key=lambda lesson: (lesson.order, lesson.id))
