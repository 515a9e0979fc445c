"""The `checkpoint` message as text, with what rarely changes encoded once (issue 20, item 7).

What it is: `CheckpointText`, one per connection, which turns `checkpoint.take(session)` into
the message's JSON, keeping the encoded run-log events (they are only ever appended to,
until a reset starts a new log) and the encoded points (they change with the data version)
from one checkpoint to the next.
What it is not: what a checkpoint holds (app/playground/checkpoint.py) or when one is sent
(pacer.py).
Trade-off: a session may legally hold 10,000 run-log events and 2,000 points; encoding them
all costs ~20 ms of the event loop, once a second while it plays, and after every command.
Encoding only the events added since the last checkpoint makes the usual checkpoint ~2 ms,
at the price of splicing JSON text by hand (every piece is `json.dumps` output, so the
result is the same JSON object `json.dumps` would write, with three keys moved to the end).
"""

import json
from collections.abc import Callable
from typing import Any

from app.playground import checkpoint
from app.playground.session import Session


def dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=False, separators=(",", ":"))


class CheckpointText:
    """Encodes a connection's checkpoints; remembers the encoded events and points."""

    def __init__(self) -> None:
        self.log: object | None = None  # the RunLog whose events are encoded
        self.encoded = 0  # how many of its events
        self.events = ""  # their JSON, without the brackets
        self.points_key: tuple[object, int, int, int] | None = None
        self.points = ""

    def message(
        self, session: Session, sign: Callable[[dict[str, Any]], None] | None = None
    ) -> str:
        """`{"type":"checkpoint","checkpoint":{...}}` for the session as it is now; `sign`
        may add to the checkpoint first (the classroom's proof)."""
        data = checkpoint.take(session)
        if sign is not None:
            sign(data)
        log = data.pop("run_log")
        events = self.events_of(session, log.pop("events"))
        points = self.points_of(session, data.pop("added"), data.pop("uploaded"))
        head = dumps(data)[:-1]  # without its closing brace: the spliced keys follow
        run_log = dumps(log)[:-1] + f',"events":[{events}]}}'
        body = f'{head},"run_log":{run_log},{points}}}'
        return f'{{"type":"checkpoint","checkpoint":{body}}}'

    def events_of(self, session: Session, events: list[dict[str, Any]]) -> str:
        if self.log is not session.log or len(events) < self.encoded:
            self.log, self.encoded, self.events = session.log, 0, ""
        new = events[self.encoded :]
        if new:
            more = dumps(new)[1:-1]
            self.events = f"{self.events},{more}" if self.events else more
            self.encoded = len(events)
        return self.events

    def points_of(self, session: Session, added: Any, uploaded: Any) -> str:
        key = (session, session.data_version, len(added), len(uploaded or ()))
        if key != self.points_key:
            self.points_key = key
            self.points = f'"added":{dumps(added)},"uploaded":{dumps(uploaded)}'
        return self.points
