"""A class challenge: its rules, the server's verdict on a student's run, and the board.

What it is: `Challenge` (the teacher's form, validated: the data to start from, the
constraints, the target), `verdict` (does this session's current state meet the target,
and may it count), and `board` (results ranked: epochs used, then neurons, then time).
What it is not: where results are stored (store.py) or when runs are checked (member.py
checks every frame a member is sent: the numbers the student sees are the ones judged).
Trade-off: the verdict trusts only what the server itself computed: the session it trains,
the frame it built, and whether the run's weights came from its own seeded stream
(member.py's provenance). A run whose weights were imported, typed in or resumed from a
checkpoint the class did not sign still shows on the board, marked not eligible, with why.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.playground.features import FEATURE_ORDER
from app.playground.settings import PlaygroundSettings

DATA_KEYS = ("problem", "dataset", "reg_dataset", "noise", "percent_train", "seed")


class Challenge(BaseModel):
    """What the teacher set; `start` is the pushed start's settings (the data to use)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,16}$")]
    metric: Literal["test_loss", "test_accuracy"] = "test_loss"
    below: Annotated[float, Field(gt=0, le=10)] | None = None
    above: Annotated[float, Field(gt=0, lt=1)] | None = None
    max_neurons: Annotated[int, Field(ge=1, le=200)] | None = None
    max_layers: Annotated[int, Field(ge=0, le=10)] | None = None
    features: Annotated[list[str], Field(max_length=len(FEATURE_ORDER))] | None = None
    epochs: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    started: float = 0.0  # wall-clock time it was set: "time" on the board counts from here
    start: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_target(self) -> "Challenge":
        unknown = set(self.features or ()) - set(FEATURE_ORDER)
        if unknown:
            raise ValueError(f"no feature is called {sorted(unknown)[0]!r}")
        if (self.below is None) == (self.above is None):
            raise ValueError("a target is a test loss below x or an accuracy above y")
        if self.metric == "test_loss" and self.below is None:
            raise ValueError("a test loss target is 'below'")
        if self.metric == "test_accuracy" and self.above is None:
            raise ValueError("an accuracy target is 'above'")
        return self

    def describe(self) -> str:
        """Example: "test loss below 0.05; at most 6 neurons, 300 epochs"."""
        target = (
            f"test loss below {self.below:g}"
            if self.below is not None
            else f"test accuracy above {self.above:g}"
        )
        rules = [f"at most {self.max_neurons} neurons"] if self.max_neurons else []
        rules += [f"{self.max_layers} hidden layers"] if self.max_layers is not None else []
        rules += [f"features {', '.join(self.features)}"] if self.features is not None else []
        rules += [f"{self.epochs} epochs"] if self.epochs else []
        return target + ("; " + ", ".join(rules) if rules else "")


def target_met(challenge: Challenge, test_loss: float, metrics: dict[str, float]) -> bool:
    """Whether a frame's numbers reach the target (NaN never does)."""
    if challenge.below is not None:
        return test_loss < challenge.below
    value = metrics.get("test_accuracy", float("nan"))
    return challenge.above is not None and value > challenge.above


def broken_rule(
    challenge: Challenge, settings: PlaygroundSettings, epoch: int, own_data: bool
) -> str | None:
    """The first constraint this run breaks, in words; None when it keeps them all."""
    start = challenge.start
    current = settings.model_dump(mode="json")
    if own_data or any(start.get(key, current[key]) != current[key] for key in DATA_KEYS):
        return "trained on other data than the challenge's"
    shape = settings.network_shape
    if challenge.max_neurons is not None and sum(shape) > challenge.max_neurons:
        return f"{sum(shape)} neurons, more than {challenge.max_neurons}"
    if challenge.max_layers is not None and len(shape) > challenge.max_layers:
        return f"{len(shape)} hidden layers, more than {challenge.max_layers}"
    if challenge.features is not None:
        extra = [f for f in settings.features if f not in challenge.features]
        if extra:
            return f"used the feature {extra[0]}, which is not allowed"
    if challenge.epochs is not None and epoch > challenge.epochs:
        return f"met at epoch {epoch}, past the budget of {challenge.epochs}"
    return None


def result(
    challenge: Challenge,
    name: str,
    epoch: int,
    shape: tuple[int, ...] | list[int],
    at: float,
    why: str | None,
) -> dict[str, Any]:
    """One board entry as stored."""
    return {
        "name": name,
        "epoch": epoch,
        "neurons": sum(shape),
        "shape": list(shape),
        "seconds": round(max(0.0, at - challenge.started), 1),
        "eligible": why is None,
        "reason": why,
    }


def better(new: dict[str, Any], old: dict[str, Any] | None) -> bool:
    """Whether `new` should replace a student's stored result."""
    return old is None or rank_key(new) < rank_key(old)


def rank_key(entry: dict[str, Any]) -> tuple[bool, int, int, float]:
    return (not entry["eligible"], entry["epoch"], entry["neurons"], entry["seconds"])


def board(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries ranked: eligible first, by epochs used, then neurons, then time; eligible
    entries get a rank, the others a reason."""
    ordered = sorted(results.items(), key=lambda item: rank_key(item[1]))
    entries, rank = [], 0
    for member_id, entry in ordered:
        if entry["eligible"]:
            rank += 1
        entries.append({**entry, "id": member_id, "rank": rank if entry["eligible"] else None})
    return entries
