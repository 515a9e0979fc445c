"""What a lesson step's text tells the learner to do with the controls, checked against the step.

What it is: `claims`, which finds the instructions a step's Markdown gives in a small
vocabulary ("Tick **Show test data**", "Untick **…**", "Choose **ReLU**", "Set **Learning
rate** to **0.3**") and its statements about checkboxes ("**Show gradients** is on"); and
`check_text`, which says what is wrong with each against the settings and display flags the
step's hash applies: an instruction the step has already carried out (doing it would undo
the step), a statement the hash contradicts, a control the step hides, or a control no page
has. The browser walk (tests/browser/test_lessons.py) reads the same claims off the page.
What it is not: a reader of prose. Text outside the vocabulary is not checked; the lesson
author keeps numbers in sentences ("at 0.03 the same network…") true by hand.
Trade-off: a narrow, exact vocabulary (the verb, then the control's label in bold, as the page
shows it) over guessing from free text: every match is a real instruction, so the loader can
refuse a lying step at start-up without false alarms. Labels come from the registry.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from app.playground import registry
from app.playground.lesson_hash import HashState


@dataclass(frozen=True)
class Control:
    """A control a lesson may name: its label on the page, the hide flag that hides it, what
    value the step gives it, and for a select its options (label -> value)."""

    label: str
    flag: str
    read: Callable[[HashState], object]
    options: Mapping[str, object] = field(default_factory=dict)

    @property
    def checkbox(self) -> bool:
        return isinstance(self.read, _Flag)


class _Flag:
    """A checkbox's value: a display key of the hash ("true" ticks it) or a boolean setting."""

    def __init__(self, display: str | None = None, setting: str | None = None) -> None:
        self.display, self.setting = display, setting

    def __call__(self, state: HashState) -> object:
        if self.display is not None:
            return state.display.get(self.display) == "true"
        return bool(getattr(state.settings, self.setting or ""))


def _setting(name: str) -> Callable[[HashState], object]:
    return lambda state: getattr(state.settings, name)


def _controls() -> dict[str, Control]:
    """Every control the vocabulary knows, by lower-case label; options as the page lists them."""
    lists = registry.page_registries()
    optimizers = {row["label"]: name for name, row in lists["optimizers"].items()}
    datasets = {row["label"]: name for name, row in lists["datasets"].items()}
    rows = [
        Control("Show test data", "showTestData", _Flag(display="showTestData")),
        Control("Discretize output", "discretize", _Flag(display="discretize")),
        Control("Show gradients", "gradientView", _Flag(setting="gradient_view")),
        Control("Shuffle each epoch", "training", _Flag(setting="shuffle")),
        Control("Learning rate", "learningRate", _setting("learning_rate")),
        Control("Regularization rate", "regularizationRate", _setting("regularization_rate")),
        Control("Batch size", "batchSize", _setting("batch_size")),
        Control("Noise", "noise", _setting("noise")),
        Control("Ratio of training to test data", "percTrainData", _setting("percent_train")),
        Control("Activation", "activation", _setting("activation"), _invert(lists["activations"])),
        Control("Regularization", "regularization", _setting("regularization"),
                _invert(lists["regularizations"])),
        Control("Problem type", "problem", _setting("problem"), _invert(lists["problems"])),
        Control("Optimizer", "training", _setting("optimizer"), optimizers),
        Control("Which dataset", "dataset", lambda s: s.settings.active_dataset, datasets),
    ]  # fmt: skip
    return {row.label.lower(): row for row in rows}


def _invert(labels: dict[str, str]) -> dict[str, object]:
    return {label: name for name, label in labels.items()}


@dataclass(frozen=True)
class Claim:
    """One instruction ("do": the learner is to give `control` the value `wanted`) or statement
    ("is": the text says `control` has `wanted`), as `said` in the text; `problem` is set
    instead of `control` when the text names something no page has."""

    said: str
    kind: str  # "do" or "is"
    control: Control | None
    wanted: object = None
    problem: str = ""


CONTROLS = _controls()
# "Tick **X**", "Choose **ReLU**", "Set **Learning rate** to **0.3**" (the verb opens a clause).
_INSTRUCTION = re.compile(
    r"\b(tick|untick|choose|select|set)\s+\*\*([^*]+)\*\*(?:\s+to\s+\*\*([^*]+)\*\*)?",
    re.IGNORECASE,
)
# "**Show gradients** is on" / "is off" / "is ticked" / "is not ticked".
_STATEMENT = re.compile(r"\*\*([^*]+)\*\*\s+is\s+(on|off|ticked|unticked|not ticked)\b")


def claims(text: str) -> list[Claim]:
    """Every instruction and checkbox statement of the vocabulary in `text`, in order.
    Example: claims("Tick **Show test data**.")[0] -> Claim("Tick Show test data", "do",
    <Show test data>, True)."""
    found = [(m.start(), _instruction(m)) for m in _INSTRUCTION.finditer(text)]
    for match in _STATEMENT.finditer(text):
        control = CONTROLS.get(match[1].strip().lower())
        if control is not None and control.checkbox:  # other bold words before "is on": prose
            on = match[2] in ("on", "ticked")
            found.append((match.start(), Claim(_quote(match[0]), "is", control, on)))
    return [claim for _, claim in sorted(found, key=lambda pair: pair[0])]


def check_text(text: str, state: HashState, hidden: frozenset[str] | set[str]) -> list[str]:
    """Problems of one step's text against what its hash applies (empty when it is true).

    Example: check_text("Tick **Show test data**.", read_hash("showTestData=true"), set()) ->
    ['it says "Tick Show test data", but the step has already ticked it']
    """
    problems = []
    for claim in claims(text):
        said = f'it says "{claim.said}"'
        control = claim.control
        if control is None:
            problems.append(f"{said}, but {claim.problem}")
        elif control.flag in hidden:
            problems.append(f"{said}, but the step hides {control.label}")
        elif claim.kind == "is" and control.read(state) != claim.wanted:
            problems.append(
                f"{said}, but the step's hash has it {'on' if not claim.wanted else 'off'}"
            )
        elif claim.kind == "do" and control.read(state) == claim.wanted:
            done = "ticked" if claim.wanted else "unticked"
            if not control.checkbox:
                done = f"set {control.label} to that"
            problems.append(f"{said}, but the step has already {done}")
    return problems


def _instruction(match: re.Match[str]) -> Claim:
    verb, name, value = match[1].lower(), match[2].strip(), match[3]
    said = _quote(match[0])
    if verb in ("choose", "select") and value is None:
        found = _option(name)
        if found is None:
            return Claim(said, "do", None, problem=f"no list on the page offers {name!r}")
        return Claim(said, "do", *found)
    control = CONTROLS.get(name.lower())
    if control is None:
        return Claim(said, "do", None, problem=f"no control is called {name!r} ({_names()})")
    if verb in ("tick", "untick"):
        if not control.checkbox:
            return Claim(said, "do", None, problem=f"{control.label} is not a checkbox")
        return Claim(said, "do", control, verb == "tick")
    if value is None or control.checkbox:
        problem = f'"Set **{control.label}** to **value**" is the form, for a list or a number'
        return Claim(said, "do", None, problem=problem)
    wanted = _value(control, value.strip())
    if wanted is None:
        return Claim(said, "do", None, problem=f"{value!r} is not a value of {control.label}")
    return Claim(said, "do", control, wanted)


def _option(label: str) -> tuple[Control, object] | None:
    """The select offering an option of that label, and the option's value."""
    for control in CONTROLS.values():
        for option, value in control.options.items():
            if option.lower() == label.lower():
                return control, value
    return None


def _value(control: Control, text: str) -> object | None:
    if control.options:
        return next((v for k, v in control.options.items() if k.lower() == text.lower()), None)
    try:
        return float(text.removesuffix("%"))
    except ValueError:
        return None


def _quote(text: str) -> str:
    return " ".join(text.replace("**", "").split())


def _names() -> str:
    return ", ".join(control.label for control in CONTROLS.values())
