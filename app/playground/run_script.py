"""A run link's events: what the user did during the linked run, replayed at the same epochs.

What it is: `encode_events(log)`, the run log's learning-rate changes, typed weights and
biases and clicked or cleared points as the text a "Link to this run" carries (None when it
cannot carry them all); `parse_events`, its strict reader; and `RunScript`, which a session
consults before each epoch and which applies the events due then through the session's own
commands, so they are logged as the original's were and the losses really are the same.
A script follows one run only: it stops at a reset (a new run log), and as soon as the log
holds an event the script did not put there (the student changed something), or one of
its events cannot be applied here (a server with a lower point limit). An epoch that
diverged and was rolled back needs no carrying: the replay diverges at the same epoch.
What it is not: the marker (run_link.py: the data and initial weights) or the log itself
(run_log.py).
Trade-off: events travel in the URL (about 10–40 characters each, at most MAX_LINK_EVENTS)
rather than in a store of runs on the server: a link stays self-contained and any server
replays it; a run with more events gets the initial-weights link and says so.
"""

import math
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from app.engine.network import Network
from app.playground.custom_data import check_row
from app.playground.errors import ProtocolError
from app.playground.run_log import RunLog, check_event
from app.playground.settings import PlaygroundSettings

MAX_LINK_EVENTS = 200
MAX_TEXT = 8000  # characters: also the hello field's limit (app/protocol/inbound.py)
MAX_EPOCH = 10**9
# Event type -> its code in the link, and its fields after the epoch, in order.
CODES = {
    "learning_rate": ("lr", ("value",)),
    "weight": ("w", ("layer", "src", "dst", "value")),
    "bias": ("b", ("layer", "node", "value")),
    "add_point": ("p", ("x", "y", "label")),
    "clear_points": ("c", ()),
}
TYPES = {code: kind for kind, (code, _) in CODES.items()}
UNCARRIED = frozenset({"diverged"})  # happens again by itself in the replay


class Session(Protocol):
    """What a script needs of a session (session.py, which imports this module)."""

    settings: PlaygroundSettings
    net: Network
    log: RunLog
    epoch: int
    replayed: int
    script: "RunScript | None"

    def apply(self, patch: dict[str, Any]) -> None: ...
    def set_weight(self, layer: int, src: int, dst: int, value: float) -> None: ...
    def set_bias(self, layer: int, node: int, value: float) -> None: ...
    def add_point(self, x: float, y: float, label: float) -> None: ...
    def clear_points(self) -> None: ...


def encode_events(log: RunLog) -> str | None:
    """The link text of a run's events, the points it started with first (as points added
    at epoch 0); None when a link cannot carry them (a regenerate, dropped events, too many).
    Example: lr 0.3 after epoch 30, a bias typed after 45 -> "30:lr:0.3,45:b:1:0:-0.5"."""
    if log.dropped_at is not None or log.first_epoch != 0:
        return None
    if len(log.added) + len(log.events) > MAX_LINK_EVENTS and "diverged" not in log.kinds:
        return None  # too many, known without a pass over them (a state message asks)
    start = [{"epoch": 0, "type": "add_point", "x": x, "y": y, "label": c} for x, y, c in log.added]
    events = [e for e in [*start, *log.events] if e["type"] not in UNCARRIED]
    if len(events) > MAX_LINK_EVENTS or any(e["type"] not in CODES for e in events):
        return None
    text = ",".join(_encode(event) for event in events)
    return text if len(text) <= MAX_TEXT else None


def _encode(event: dict[str, Any]) -> str:
    code, names = CODES[event["type"]]
    values = [
        repr(float(event[n])) if n in ("value", "x", "y", "label") else str(event[n]) for n in names
    ]
    return ":".join([str(event["epoch"]), code, *values])


def parse_events(text: str, session: Session) -> list[dict[str, Any]]:
    """The events of a link, each checked against the session's network and settings:
    a typed `invalid_run` error (field `run_events`) names the first that is wrong."""
    parts = text.split(",") if text else []
    if len(text) > MAX_TEXT or len(parts) > MAX_LINK_EVENTS:
        _refuse(f"a link carries at most {MAX_LINK_EVENTS} events")
    kernels = [tuple(W.shape) for W in session.net.W]
    events = [_event(k, part, kernels, session) for k, part in enumerate(parts, start=1)]
    if any(a["epoch"] > b["epoch"] for a, b in zip(events, events[1:], strict=False)):
        _refuse("the events must be in epoch order")
    return events


def _event(k: int, part: str, kernels: list[tuple[int, ...]], session: Session) -> dict[str, Any]:
    fields = part.split(":")
    kind = TYPES.get(fields[1], "") if len(fields) > 1 else ""
    if not kind or len(fields) != 2 + len(CODES[kind][1]):
        _refuse(f"event {k} ({part[:40]!r}) is not one a run link carries")
    raw: dict[str, Any] = {"type": kind}
    try:
        raw["epoch"] = int(fields[0])
        for name, value in zip(CODES[kind][1], fields[2:], strict=True):
            raw[name] = _number(value) if name in ("value", "x", "y", "label") else int(value)
        event = check_event(raw, MAX_EPOCH, kernels)
        if kind == "add_point":
            check_row(session.settings, event["x"], event["y"], event["label"])
    except ValueError as exc:
        _refuse(f"event {k} ({part[:40]!r}): {exc}")
    return event


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("numbers must be finite")
    return value


def _refuse(message: str) -> NoReturn:
    raise ProtocolError("invalid_run", message, "run_events")


@dataclass
class RunScript:
    """The linked run's events, followed while `log` is the session's run log and holds
    nothing but the script's first `matched` events (and divergences)."""

    events: list[dict[str, Any]]
    log: RunLog
    matched: int = 0  # script events found in the log, in order
    seen: int = 0  # log events looked at
    stopped: str = ""  # why the script no longer runs ("" while it does)

    @property
    def left(self) -> int:
        return len(self.events) - self.matched

    def due(self, session: Session) -> int:
        """Apply the events due at the session's epoch, before it trains the next one (the
        original's came after that epoch's frames); returns how many. A script that is over
        (done, or no longer following the run) leaves the session."""
        applied = 0
        while self.follows(session) and self.left:
            event = self.events[self.matched]
            if event["epoch"] != session.epoch:
                return applied
            try:
                _apply(session, event)
            except ProtocolError as exc:
                at = event["epoch"]
                self.stopped = f"its event at epoch {at} could not be applied: {exc.message}"
                break
            applied += 1
            session.replayed += 1
        if not self.follows(session) or not self.left:
            session.script = None
        return applied

    def follows(self, session: Session) -> bool:
        """Whether the run is still the linked one: the same log, holding only our events."""
        if self.stopped:
            return False
        if session.log is not self.log:
            self.stopped = "the run was reset"
            return False
        for event in self.log.events[self.seen :]:
            self.seen += 1
            if event["type"] in UNCARRIED:
                continue
            if self.matched < len(self.events) and event == self.events[self.matched]:
                self.matched += 1
                continue
            self.stopped = "the run was changed by hand"
            return False
        if self.left and self.events[self.matched]["epoch"] < session.epoch:
            self.stopped = f"the run is past epoch {self.events[self.matched]['epoch']}"
            return False
        return True


def _apply(session: Session, event: dict[str, Any]) -> None:
    kind = event["type"]
    if kind == "learning_rate":
        session.apply({"learning_rate": event["value"]})
    elif kind == "weight":
        session.set_weight(event["layer"], event["src"], event["dst"], event["value"])
    elif kind == "bias":
        session.set_bias(event["layer"], event["node"], event["value"])
    elif kind == "add_point":
        session.add_point(event["x"], event["y"], event["label"])
    else:
        session.clear_points()


def follow(session: Session, text: str) -> None:
    """Give a session the link's events; those due at its epoch are applied at once."""
    session.script = RunScript(parse_events(text, session), session.log)
    session.script.due(session)
