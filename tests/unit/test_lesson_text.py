"""A lesson step's instructions and statements, checked against the settings its hash applies.

The issue this guards: the Gaussian lesson's second step ticked "Show test data" in its hash
and then told the learner to "Tick **Show test data**", which hid the test points.
"""

from pathlib import Path

import pytest

from app.playground.lesson_hash import read_hash
from app.playground.lesson_text import CONTROLS, check_text, claims
from app.playground.lessons import LessonError, load_file, load_lessons


@pytest.mark.parametrize(
    ("text", "hash_", "words"),
    [
        ("Tick **Show test data**.", "showTestData=true", "already ticked"),
        ("Untick **Show test data**.", "showTestData=false", "already unticked"),
        ("Now untick **Discretize output**.", "", "already unticked"),
        ("**Show gradients** is on: look at the links.", "gradientView=false", "has it off"),
        ("**Show test data** is off.", "showTestData=true", "has it on"),
        ("Choose **ReLU**.", "activation=relu", "already set Activation"),
        ("Then choose **Spiral**.", "dataset=spiral", "already set Which dataset"),
        ("Choose **Adam**.", "optimizer=adam", "already set Optimizer"),
        ("Set **Learning rate** to **0.3**.", "learningRate=0.3", "already set Learning rate"),
        ("Set **Batch size** to **10**.", "", "already set Batch size"),  # the default is 10
        ("Set **Ratio of training to test data** to **30%**", "percTrainData=30", "already set"),
        ("Tick **Show tests**.", "", "no control is called 'Show tests'"),
        ("Choose **Softplus**.", "", "no list on the page offers 'Softplus'"),
        ("Tick **Learning rate**.", "", "Learning rate is not a checkbox"),
        ("Set **Activation** to **Swish**.", "", "'Swish' is not a value of Activation"),
        ("Set **Show test data** to **on**.", "", "is the form"),
        ("Tick **Show test data**.", "showTestData_hide=true", "the step hides Show test data"),
    ],
)
def test_text_that_contradicts_the_hash_is_caught(text: str, hash_: str, words: str) -> None:
    state = read_hash(hash_)
    problems = check_text(text, state, state.hidden)
    assert len(problems) == 1, problems
    assert words in problems[0]


@pytest.mark.parametrize(
    ("text", "hash_"),
    [
        ("Tick **Show test data** to see the test points.", "showTestData=false"),
        ("Untick **Show test data**.", "showTestData=true"),
        ("**Show gradients** is on: the links show gradients.", "gradientView=true"),
        ("Choose **Tanh** and press play.", "activation=relu"),
        ("Set **Learning rate** to **0.3**, then reset.", "learningRate=0.03"),
        ("choose **linear**", "activation=relu"),  # labels match in any case
        ("Press **reset** a few times; **eight** neurons is on the edge.", ""),  # prose
    ],
)
def test_true_instructions_and_prose_pass(text: str, hash_: str) -> None:
    state = read_hash(hash_)
    assert check_text(text, state, state.hidden) == []


def test_claims_name_the_control_and_the_value_asked_for() -> None:
    found = claims("First choose **Sigmoid**. **Show test data** is off. Tick **Show gradients**.")
    assert [(c.said, c.kind, c.control and c.control.label, c.wanted) for c in found] == [
        ("choose Sigmoid", "do", "Activation", "sigmoid"),
        ("Show test data is off", "is", "Show test data", False),
        ("Tick Show gradients", "do", "Show gradients", True),
    ]


def test_the_vocabulary_uses_the_labels_the_page_shows() -> None:
    """Every control's label is written on the page (templates), so a learner finds it."""
    root = Path(__file__).resolve().parents[2]
    page = (root / "templates/index.html").read_text()
    missing = [c.label for c in CONTROLS.values() if c.label not in page]
    assert missing == [], missing


def test_every_built_in_step_agrees_with_its_hash() -> None:
    """The loader refuses a lying step; all built-in lessons load, and their claims hold."""
    for lesson in load_lessons():
        for k, step in enumerate(lesson.steps, start=1):
            for words in (step.spec.text, step.spec.question or ""):
                assert check_text(words, step.state, frozenset(step.hidden)) == [], (lesson.id, k)


def test_the_loader_refuses_a_lying_step_naming_file_and_step(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'title = "T"\nsummary = "S"\n\n[[steps]]\ntext = "Press play."\nhash = "networkShape=2"\n'
        '\n[[steps]]\ntext = "Tick **Show test data**."\nhash = "showTestData=true"\n'
    )
    with pytest.raises(LessonError) as caught:
        load_file(path)
    message = str(caught.value)
    assert "mine.toml, step 2: text:" in message and "already ticked" in message


def test_a_question_is_checked_too(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'title = "T"\nsummary = "S"\n\n[[steps]]\ntext = "Press play."\n'
        'hash = "activation=relu"\nquestion = "What if you choose **ReLU**?"\n'
    )
    with pytest.raises(LessonError, match="step 1: question: .*already set Activation"):
        load_file(path)


def test_a_numbered_title_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    rest = 'summary = "S"\n\n[[steps]]\ntext = "x"\nhash = ""\n'
    path.write_text('title = "3. Mine"\n' + rest)
    with pytest.raises(LessonError, match="title: leave out the number"):
        load_file(path)
    path.write_text('title = "10 ways to fail"\n' + rest)
    assert load_file(path).title == "10 ways to fail"
