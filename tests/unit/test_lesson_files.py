"""Lesson files: the built-in ones load, bad ones are refused naming file, step and problem."""

import re
from pathlib import Path

import pytest

from app.playground import registry
from app.playground.lesson_hash import HIDE_FLAGS, KNOWN_KEYS, HashError, read_hash
from app.playground.lessons import LessonError, load_file, load_lessons
from app.web.lessons import render_markdown

ROOT = Path(__file__).resolve().parents[2]
GOOD_STEP = 'text = "Press play."\nhash = "dataset=circle&networkShape=3"\n'


def write(folder: Path, name: str, steps: str, head: str = "") -> Path:
    path = folder / f"{name}.toml"
    body = head or 'title = "T"\nsummary = "S"\n'
    path.write_text(body + "".join(f"\n[[steps]]\n{s}" for s in steps.split("---")))
    return path


def test_the_built_in_lessons_load_and_each_has_a_goal() -> None:
    lessons = load_lessons()
    assert len(lessons) >= 9
    for lesson in lessons:
        assert lesson.builtin
        assert any(step.spec.goal for step in lesson.steps), lesson.id


def test_the_walkthrough_lessons_open_the_article_settings() -> None:
    circle = {lesson.id: lesson for lesson in load_lessons()}["circle"]
    shapes = [step.state.settings.network_shape for step in circle.steps]
    assert shapes == [(1,), (2,), (3,)]
    first = circle.steps[0].state.settings
    assert (first.activation, first.learning_rate, first.batch_size) == ("relu", 0.03, 10)


def test_every_hash_key_of_the_page_is_known_to_the_checker() -> None:
    state_js = (ROOT / "static/js/state.js").read_text()
    names = set(re.findall(r'\{ name: "(\w+)"', state_js)) - {"lesson", "step"}
    names |= {p.hash for p in registry.HYPERPARAMETERS.values()} | set(registry.HASH_INPUT_KEYS)
    assert len(names) > 30, "the key table was not found"
    assert names <= KNOWN_KEYS, names - KNOWN_KEYS
    assert list(HIDE_FLAGS) == list(registry.HIDE_FLAGS)
    assert all(label != name for name, label in HIDE_FLAGS.items())  # every flag has a label


def test_a_hash_is_read_with_the_page_rules() -> None:
    state = read_hash("#activation=relu&networkShape=8,8&x=false&sinX=true&noise_hide=true")
    assert state.settings.network_shape == (8, 8)
    assert state.settings.features == ("y", "sinX")
    assert state.hidden == {"noise"}
    assert read_hash("networkShape=").settings.network_shape == ()


@pytest.mark.parametrize(
    ("hash_", "words"),
    [
        ("learningrate=0.1", "unknown key 'learningrate'"),
        ("noise=abc", "noise='abc' is not a number"),
        ("networkShape=2.5", "whole numbers"),
        ("dataset=moons", "dataset"),
        ("bogus_hide=true", "no control or feature is called 'bogus'"),
    ],
)
def test_a_bad_hash_names_its_key(hash_: str, words: str) -> None:
    with pytest.raises(HashError, match=re.escape(words)):
        read_hash(hash_)


def test_a_broken_step_names_the_file_the_step_and_the_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "mine", GOOD_STEP + "---" + 'text = "x"\nhash = "noise=lots"\n')
    with pytest.raises(LessonError) as caught:
        load_file(path)
    message = str(caught.value)
    assert str(path) in message and "step 2" in message and "noise='lots'" in message


@pytest.mark.parametrize(
    ("step", "words"),
    [
        (GOOD_STEP + 'goal = { metric = "test_loss" }', "exactly one of"),
        (GOOD_STEP + 'goal = { metric = "speed", below = 1 }', "goal.metric"),
        (GOOD_STEP + 'hide = ["nosuch"]', "hide: no control is called 'nosuch'"),
        ('hash = "x=true"', "text"),
        (GOOD_STEP + "colour = 3", "colour"),
    ],
)
def test_bad_steps_are_refused(tmp_path: Path, step: str, words: str) -> None:
    with pytest.raises(LessonError, match=re.escape(words)):
        load_file(write(tmp_path, "mine", step))


def test_a_teacher_folder_adds_lessons_and_may_not_reuse_an_id(tmp_path: Path) -> None:
    write(tmp_path, "my-own", GOOD_STEP)
    lessons = load_lessons(tmp_path)
    mine = [lesson for lesson in lessons if lesson.id == "my-own"]
    assert len(mine) == 1 and not mine[0].builtin
    write(tmp_path, "circle", GOOD_STEP)
    with pytest.raises(LessonError, match="already used"):
        load_lessons(tmp_path)


def test_not_toml_and_bad_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("title = \n")
    with pytest.raises(LessonError, match=r"broken\.toml: not readable TOML"):
        load_lessons(tmp_path)
    with pytest.raises(LessonError, match="does not exist"):
        load_lessons(tmp_path / "missing")
    with pytest.raises(LessonError, match="file name"):
        load_file(write(tmp_path, "Bad Name", GOOD_STEP))


def test_markdown_escapes_raw_html_and_unsafe_links() -> None:
    html = render_markdown("**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_the_worked_example_in_the_docs_loads(tmp_path: Path) -> None:
    docs = (ROOT / "docs/lessons.md").read_text()
    example = docs.split("## A worked example", 1)[1]
    body = re.search(r"```toml\n(.*?)```", example, re.S)
    assert body is not None
    (tmp_path / "circle-2.toml").write_text(body.group(1))
    lesson = {x.id: x for x in load_lessons(tmp_path)}["circle-2"]
    assert [s.state.settings.features for s in lesson.steps] == [
        ("x", "y"),
        ("xSquared", "ySquared"),
    ]
    assert lesson.steps[1].spec.goal is not None


def test_a_step_may_pin_a_run_but_only_with_a_well_formed_marker() -> None:
    state = read_hash("seed=0.5&networkShape=2&run=1234.2")
    assert state.display["run"] == "1234.2"
    with pytest.raises(HashError, match="run"):
        read_hash("seed=0.5&run=12")


def test_a_step_may_pin_a_run_with_its_events_that_fit_its_network() -> None:
    state = read_hash("seed=0.5&networkShape=2&run=1234.2&runEvents=3:lr:0.3,4:b:0:1:-0.5")
    assert state.display["runEvents"] == "3:lr:0.3,4:b:0:1:-0.5"
    with pytest.raises(HashError, match="runEvents: event 1 .*layer 5 is not in the network"):
        read_hash("seed=0.5&networkShape=2&run=1234.2&runEvents=3:w:5:0:0:1.0")
