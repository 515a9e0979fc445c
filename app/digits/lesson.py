"""The digits lesson, "The article's MNIST model": a TOML file read and checked at start-up.

What it is: the lesson model (steps of Markdown text, the settings a step sets up and an
optional goal: test accuracy above a threshold by an epoch, one threshold per data source,
since 4,000 digits do not reach what 60,000 do) and `load_lesson`, which refuses a bad file
with a message naming the file, the step and the problem.
What it is not: the playground's lessons (app/playground/lessons.py: URL hashes, hide flags,
loss goals) or the rendering (app/web/digits/routes.py turns the Markdown into HTML).
Trade-off: a step's settings are DigitsSettings keys, validated by the same model a `set`
message is, so a lesson cannot ask for a model the page could not build.
"""

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from app.digits.settings import DigitsSettings, merge
from app.digits.sources import SOURCES
from app.playground.errors import ProtocolError
from app.playground.settings import Strict

ARTICLE_LESSON = Path(__file__).resolve().parent / "lessons" / "article.toml"


class Goal(Strict):
    """Test accuracy above `above[data]` by epoch `within`, for the data in use."""

    metric: Literal["test_accuracy"] = "test_accuracy"
    within: Annotated[int, Field(ge=1, le=1000)]
    above: dict[str, Annotated[float, Field(gt=0, lt=1)]]

    @field_validator("above")
    @classmethod
    def _known_sources(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(SOURCES))
        if unknown:
            raise ValueError(f"unknown data {unknown[0]!r}; valid: {', '.join(SOURCES)}")
        return value


class Step(Strict):
    title: Annotated[str, Field(max_length=120)]
    text: Annotated[str, Field(max_length=8000)]
    settings: dict[str, Any]
    goal: Goal | None = None


class DigitsLesson(Strict):
    id: str
    title: Annotated[str, Field(max_length=120)]
    summary: Annotated[str, Field(max_length=400)]
    steps: Annotated[list[Step], Field(min_length=1, max_length=20)]


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and the problem."""


def load_lesson(path: Path = ARTICLE_LESSON) -> DigitsLesson:
    """The lesson in `path`, every step's settings checked as a `set` would be."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        lesson = DigitsLesson.model_validate({"id": path.stem, **raw})
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise LessonError(f"digits lesson {path}: {exc}") from None
    for number, step in enumerate(lesson.steps, start=1):
        try:
            merge(DigitsSettings(), step.settings)
        except ProtocolError as exc:
            raise LessonError(f"digits lesson {path}, step {number}: {exc.message}") from None
    return lesson
