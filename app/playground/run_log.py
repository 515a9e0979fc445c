"""The run log: where a run began and what the user did along the way, for exact replays.

What it is: `RunLog`, started at every reset with the run's seed, learning rate and clicked
points, then fed one small event per user action that changes training without a reset
(a learning-rate change, a weight or bias typed in, data regenerated, a point added or the
points cleared, an epoch that diverged and was rolled back). Each event carries the epoch it
happened after; training runs whole epochs, so that is its exact place in the run. Also
`seeded_data`, the one recipe for "the data of this seed", shared by the session and the
exports that rebuild the data a regenerate produced.
What it is not: a history of losses or a store of data; a regenerate keeps its seed, not
its points, and the exporter rebuilds them.
Trade-off: the log is bounded (MAX_EVENTS). Past that, events are no longer kept and the
first dropped one's epoch is remembered, so an export replays exactly up to there and says
why it stops, instead of the checkpoint growing without bound.
"""

from dataclasses import dataclass, field
from typing import Any

from app.engine.types import FloatArray
from app.playground.custom_data import Row, check_row, rows_to_arrays
from app.playground.datasets import generate, split
from app.playground.rng import PlaygroundRandom
from app.playground.settings import PlaygroundSettings

MAX_EVENTS = 10_000

# Event type -> its fields besides "epoch" and "type", with each field's type.
EVENT_FIELDS: dict[str, dict[str, type]] = {
    "learning_rate": {"value": float},
    "weight": {"layer": int, "src": int, "dst": int, "value": float},
    "bias": {"layer": int, "node": int, "value": float},
    "regenerate": {"seed": str},
    "add_point": {"x": float, "y": float, "label": float},
    "clear_points": {},
    "diverged": {},
}

Split = tuple[tuple[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


def seeded_data(settings: PlaygroundSettings, uploaded: list[Row] | None) -> tuple[Any, Split]:
    """(the seeded stream after drawing the data, (train, test) split) for settings.seed.

    The generated dataset, or the uploaded rows in the order the seed shuffles them into
    (the playground's shuffle); the stream continues for the weights
    (docs/playground-rules.md §2.8).
    """
    rng = PlaygroundRandom(settings.seed)
    if uploaded is None:
        X, y = generate(settings.active_dataset, settings.noise / 100, rng)
    else:
        X, y = rows_to_arrays(uploaded)
        order = list(range(len(X)))
        rng.shuffle(order)
        X, y = X[order], y[order]
    return rng, split(X, y, settings.percent_train)


@dataclass
class RunLog:
    """The start of a run and its events, in order; `dropped_at` is the epoch of the first
    event that did not fit (None while none was dropped). A run starts at epoch 0 after a
    reset, or at `first_epoch` from imported weights; epochs here count like the page's."""

    seed: str
    learning_rate: float
    added: list[Row]
    events: list[dict[str, Any]] = field(default_factory=list)
    dropped_at: int | None = None
    first_epoch: int = 0
    kinds: set[str] = field(default_factory=set, compare=False)  # event types seen

    def __post_init__(self) -> None:
        self.kinds = {event["type"] for event in self.events}

    @classmethod
    def start(
        cls, settings: PlaygroundSettings, added: list[Row], first_epoch: int = 0
    ) -> "RunLog":
        return cls(settings.seed, settings.learning_rate, list(added), first_epoch=first_epoch)

    def note(self, epoch: int, kind: str, **fields: Any) -> None:
        """Record one event after `epoch` epochs (fields as EVENT_FIELDS[kind] names them)."""
        if len(self.events) >= MAX_EVENTS:
            if self.dropped_at is None:
                self.dropped_at = epoch
            return
        self.events.append({"epoch": epoch, "type": kind, **fields})
        self.kinds.add(kind)  # so a state message need not scan 10,000 events (issue 20)

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "learning_rate": self.learning_rate,
            "added": [list(row) for row in self.added],
            "events": [dict(e) for e in self.events],
            "dropped_at": self.dropped_at,
            "first_epoch": self.first_epoch,
        }

    @classmethod
    def from_json(
        cls,
        data: Any,
        settings: PlaygroundSettings,
        epoch: int,
        max_points: int,
        kernels: list[tuple[int, ...]],
    ) -> "RunLog":
        """A checkpoint's log, validated against the run's settings, epoch, point limit and
        kernel shapes: ValueError/TypeError/KeyError on anything off."""
        if not isinstance(data, dict) or set(data) != set(cls("", 0.0, []).to_json()):
            raise ValueError("run_log must be an object with the run log's keys")
        raw_added, raw_events = data["added"], data["events"]
        if not isinstance(raw_added, list) or len(raw_added) > max_points:
            raise ValueError("run_log.added must be a list within the server's point limit")
        if not isinstance(raw_events, list) or len(raw_events) > MAX_EVENTS:
            raise ValueError(f"run_log.events must be a list of at most {MAX_EVENTS}")
        added = [check_row(settings, *map(float, row)) for row in raw_added]
        first = _integer("run_log.first_epoch", data["first_epoch"], 0, epoch)
        events = [check_event(e, epoch, kernels) for e in raw_events]
        if any(e["epoch"] < first for e in events):
            raise ValueError("run_log events must not come before the run's first epoch")
        for event in events:
            if event["type"] == "add_point":
                check_row(settings, event["x"], event["y"], event["label"])
        if any(a["epoch"] > b["epoch"] for a, b in zip(events, events[1:], strict=False)):
            raise ValueError("run_log.events must be in epoch order")
        dropped = data["dropped_at"]
        if dropped is not None:
            dropped = _integer("run_log.dropped_at", dropped, 0, epoch)
        rate = _number("run_log.learning_rate", data["learning_rate"])
        if not isinstance(data["seed"], str) or len(data["seed"]) > 200:
            raise ValueError("run_log.seed must be a short string")
        return cls(data["seed"], rate, added, events, dropped, first)


def check_event(event: Any, epoch: int, kernels: list[tuple[int, ...]]) -> dict[str, Any]:
    """One event with exactly its type's fields, each of the right type and range, at an
    epoch up to `epoch`; a weight or bias must name a link or node of the network (a
    checkpoint's log, and a run link's events: run_script.py)."""
    if not isinstance(event, dict) or event.get("type") not in EVENT_FIELDS:
        raise ValueError("each run_log event must be an object with a known type")
    fields = EVENT_FIELDS[event["type"]]
    if set(event) != {"epoch", "type", *fields}:
        raise ValueError(f"a {event['type']} event must have fields {sorted(fields)}")
    out: dict[str, Any] = {"epoch": _integer("event epoch", event["epoch"], 0, epoch)}
    out["type"] = event["type"]
    for name, kind in fields.items():
        value = event[name]
        if kind is int:
            out[name] = _integer(f"event {name}", value, 0, 1000)
        elif kind is float:
            out[name] = _number(f"event {name}", value)
        elif not isinstance(value, str) or len(value) > 200:
            raise ValueError(f"event {name} must be a short string")
        else:
            out[name] = value
    if out["type"] in ("weight", "bias"):
        _check_link(out, kernels)
    return out


def _check_link(event: dict[str, Any], kernels: list[tuple[int, ...]]) -> None:
    layer = event["layer"]
    if layer >= len(kernels):
        raise ValueError(f"event layer {layer} is not in the network")
    fan_in, fan_out = kernels[layer]
    src, dst = (event["src"], event["dst"]) if event["type"] == "weight" else (0, event["node"])
    if src >= fan_in or dst >= fan_out:
        raise ValueError(f"event names no link or node of layer {layer}")


def _integer(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}]")
    return value


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    number = float(value)
    if number != number or abs(number) == float("inf"):
        raise ValueError(f"{name} must be finite")
    return number
