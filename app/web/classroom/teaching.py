"""A class's control document: what the teacher chose, the start pushed to everyone, the
pause, the locks and the challenge, and what a member's page is told about them.

What it is: the pydantic models of the document the store keeps per class (`Control`,
`Start`), `make_start` (a playground hash, a lesson step's or a pasted link's, checked the
way lesson files are and given a seed when it has none, so every student draws the same
data and weights), and `class_message`, the `class` message a member's page receives.
What it is not: storage (store.py) or who applies it (hub.py).
Trade-off: a start is a URL hash plus a run marker, not weights: every student's server
rebuilds the same session from the seed (app/playground/run_link.py), so a start is a few
hundred bytes whatever the network, and it works on any worker or machine.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.playground.lesson_hash import HashError, read_hash, split_hash
from app.playground.lessons import Goal
from app.playground.rng import native_seed
from app.web.classroom.challenge import Challenge
from app.web.classroom.locks import clean_locks
from app.web.classroom.member import Membership

DEFAULT_LABEL = "The playground's defaults"
PAGE_KEYS = ("lesson", "step")  # keys of the page, not of the experiment


class Start(BaseModel):
    """A start pushed to every student: version n is the teacher's n-th push."""

    model_config = ConfigDict(extra="forbid")

    version: int
    hash: str
    settings: dict[str, Any]
    run: str | None = None
    run_events: str | None = None  # what a run link's run did along the way (run_script.py)
    locked: list[str] = Field(default_factory=list)
    label: str = DEFAULT_LABEL
    goal: Goal | None = None


class Control(BaseModel):
    """Everything a teacher steers, as one versioned document."""

    model_config = ConfigDict(extra="forbid")

    version: int = 0
    chosen: str = ""  # the hash the teacher last chose ("" = the playground's defaults)
    chosen_label: str = DEFAULT_LABEL
    chosen_goal: Goal | None = None
    start: Start | None = None
    paused: bool = False
    challenge: Challenge | None = None
    challenge_id: str = ""


def control_of(raw: dict[str, Any]) -> Control:
    return Control.model_validate(raw)


def experiment_hash(text: str) -> str:
    """The experiment part of a link or hash: after "#", without page keys or `_hide` flags.

    Example: "http://h/#lesson=a&step=2&dataset=xor&x_hide=true" -> "dataset=xor".
    """
    body = text.split("#", 1)[1] if "#" in text else text
    keep = [
        part
        for part in body.strip().split("&")
        if part and part.split("=")[0] not in PAGE_KEYS and not part.split("=")[0].endswith("_hide")
    ]
    return "&".join(keep)


def hidden_flags(text: str) -> list[str]:
    """The `_hide` flags a link sets (a hide-controls link, a lesson step's own)."""
    body = text.split("#", 1)[1] if "#" in text else text
    pairs = split_hash(body)
    return clean_locks(
        [k.removesuffix("_hide") for k, v in pairs.items() if k.endswith("_hide") and v == "true"]
    )


def check_hash(hash_: str) -> str:
    """Raises HashError (with the key) if the hash would not open a working experiment."""
    read_hash(hash_)
    return hash_


def make_start(
    chosen: str, locked: list[str], version: int, label: str, goal: Goal | None
) -> Start:
    """The start every student gets: `chosen`'s settings with a seed of their own if the
    hash names none, its run marker if it has one."""
    hash_ = (
        chosen
        if "seed" in split_hash(chosen)
        else "&".join(part for part in (chosen, f"seed={native_seed()}") if part)
    )
    state = read_hash(hash_)  # checked when chosen; checked again: the store is shared
    settings = state.settings.model_dump(mode="json")
    return Start(
        version=version,
        hash=hash_,
        settings=settings,
        run=state.display.get("run"),
        run_events=state.display.get("runEvents"),
        locked=clean_locks(locked),
        label=label,
        goal=goal,
    )


def class_message(member: Membership, control: Control, notice: str | None) -> dict[str, Any]:
    """What a member's page shows: the badge, locks, pause, the challenge and a notice."""
    start = control.start
    return {
        "type": "class",
        "joined": True,
        "code": member.code,
        "name": member.name,
        "locked": list(member.locks),
        "paused": control.paused,
        "start": None if start is None else {"version": start.version, "label": start.label},
        "challenge": None if control.challenge is None else control.challenge.describe(),
        "notice": notice,
    }


__all__ = ["HashError", "Control", "Start", "make_start"]
