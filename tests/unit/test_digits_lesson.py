"""The digits lesson file: four steps that set up the article's four models, goals only for
data they were measured on, and a bad file refused with its name and step."""

from pathlib import Path

import pytest

from app.digits.lesson import LessonError, load_lesson
from app.digits.settings import DigitsSettings, merge


def test_the_article_lesson_walks_the_four_claims() -> None:
    lesson = load_lesson()
    assert lesson.id == "article" and len(lesson.steps) == 4
    models = [merge(DigitsSettings(), step.settings) for step in lesson.steps]
    assert [(m.layers[0].units, m.layers[0].activation, m.epochs) for m in models] == [
        (10, "sigmoid", 5),
        (10, "relu", 5),
        (512, "relu", 5),
        (512, "relu", 20),
    ]
    assert all((m.optimizer, m.learning_rate, m.batch_size) == ("sgd", 0.01, 100) for m in models)
    for step, model in zip(lesson.steps, models, strict=True):
        assert step.goal is not None and step.goal.within == model.epochs
        assert "sample" in step.goal.above  # measured on the built-in digits
    thresholds = [step.goal.above["sample"] for step in lesson.steps if step.goal]
    assert thresholds == sorted(thresholds)  # each claim improves on the one before


def test_a_step_asking_for_an_impossible_model_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'title = "t"\nsummary = "s"\n[[steps]]\ntitle = "x"\ntext = "y"\n'
        'settings = { layers = [{ units = 5000, activation = "relu" }] }\n'
    )
    with pytest.raises(LessonError, match=r"bad.toml, step 1: settings.layers.0.units"):
        load_lesson(bad)
    bad.write_text('title = "t"\nsummary = "s"\nsteps = []\n')
    with pytest.raises(LessonError, match="bad.toml"):
        load_lesson(bad)
