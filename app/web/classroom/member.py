"""One connection's place in a class: who it is, what it may do, and where its run came from.

What it is: `Membership`, kept by the worker's hub (hub.py) for each connection that joined
a class: the class code and the student's id and name, the class's locks and pause as this
worker last read them, the newest frame it was sent (read once a second, summary.py), the
best challenge result not yet stored, and the run's provenance: whether its weights came
from the server's own seeded stream (a fresh start, a reset) or from somewhere the server
cannot vouch for (an import, typed-in weights, a checkpoint the class did not sign).
Also the checkpoint proof: a class signs the checkpoints it sends its members (an HMAC with
the class's secret over the member, the epoch and the weights), so a page that resumes one
after a reload or a restart is still trusted, on any worker or machine, and a forged one is
not.
What it is not: the hub's loops or the store.
Trade-off: the proof covers the weights and the epoch, not the optimizer's slots: enough
that no one can bring a trained network in through a checkpoint; momentum forged into one
would only change how a run continues, which the board does not reward.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any

from app.playground.lessons import Goal
from app.playground.run_log import RunLog
from app.playground.session import Session
from app.protocol.frame_layout import OUTPUT_FOCUS
from app.web.classroom.challenge import Challenge, better, broken_rule, result, target_met
from app.web.classroom.summary import FrameFacts, read_focus, read_frame

PROOF_KEY = "class_proof"  # the checkpoint field that carries it (checkpoints ignore extras)
TYPED = "typed-in weights"
IMPORTED = "imported weights"
UNSIGNED = "resumed from a checkpoint this class did not sign"


@dataclass
class Membership:
    """A connection of a class member, as this worker knows it."""

    code: str
    member_id: str
    name: str = ""
    secret: str = ""  # the class's signing secret, once the class has been read
    resolved: bool = False  # the store confirmed the member (name, secret)
    locks: frozenset[str] = frozenset()
    paused: bool = False
    start_version: int = 0
    challenge: Challenge | None = None
    goal: Goal | None = None  # the lesson goal of the class's start, if it has one
    frame: bytes | None = None  # the newest frame this student was sent
    output_frame: bytes | None = None  # the newest that showed the output map
    metric_names: list[str] = field(default_factory=list)
    taint: str | None = None  # why this run's weights cannot be vouched for (None: they can)
    taint_log: RunLog | None = None  # the run the taint belongs to: a reset starts a new one
    pending_proof: tuple[RunLog, str | None] | None = None  # a resume to check once resolved
    scanned: tuple[RunLog | None, int, bool] = (None, 0, False)  # the run log read so far
    best: dict[str, Any] | None = None  # the best challenge result of this challenge so far
    unsaved: dict[str, Any] | None = None  # a better result than the stored one
    published: float = 0.0
    published_state: tuple[Session | None, int] = (None, -1)  # the session and its version
    extra: dict[str, Any] = field(default_factory=dict)

    # -- provenance -------------------------------------------------------------------------

    def provenance(self, session: Session) -> str | None:
        """Why this run cannot count (None: its weights are the server's own)."""
        if self.taint is not None and session.log is self.taint_log:
            return self.taint
        log, events = session.log, session.log.events
        seen_log, seen, typed = self.scanned
        if seen_log is not log or seen > len(events):
            seen, typed = 0, False
        typed = typed or any(e["type"] in ("weight", "bias") for e in events[seen:])
        self.scanned = (log, len(events), typed)  # only new events are read next time
        return TYPED if typed else None

    def tainted(self, session: Session, why: str) -> None:
        self.taint, self.taint_log = why, session.log

    def resumed(self, session: Session, proof: str | None) -> None:
        """A hello resumed a checkpoint: trusted once the class's secret checks its proof."""
        if not self.secret:
            self.pending_proof = (session.log, proof)
            return
        if proof is None or not hmac.compare_digest(proof, self.proof(session)):
            self.tainted(session, UNSIGNED)

    def settle_proof(self, session: Session) -> None:
        """The class was read: check the resume that waited for its secret."""
        pending, self.pending_proof = self.pending_proof, None
        if pending is not None and pending[0] is session.log:
            self.resumed(session, pending[1])

    def proof(self, session: Session) -> str:
        """The HMAC a checkpoint of this state carries."""
        state = hashlib.blake2b(session.net.params.flat.tobytes(), digest_size=32)
        state.update(f"|{session.epoch}|{self.member_id}|{self.code}".encode())
        return hmac.new(self.secret.encode(), state.digest(), hashlib.sha256).hexdigest()

    def sign(self, session: Session, payload: dict[str, Any]) -> None:
        """Add the proof to a checkpoint about to be sent, if this run can be vouched for."""
        if self.secret and self.provenance(session) is None:
            payload[PROOF_KEY] = self.proof(session)

    # -- frames and the challenge -----------------------------------------------------------

    def challenge_id(self) -> str:
        return "" if self.challenge is None else self.challenge.id

    def facts(self) -> tuple[FrameFacts | None, bytes | None]:
        """The newest frame's numbers and the newest output tile (read at publish time,
        about once a second, not at every frame)."""
        facts = None if self.frame is None else read_frame(self.frame, self.metric_names)
        shown = self.output_frame
        tile = None if shown is None else read_frame(shown, self.metric_names).tile
        return facts, tile

    def goal_met(self, facts: FrameFacts | None) -> bool | None:
        """Whether the newest frame meets the start's lesson goal (None: no goal)."""
        goal = self.goal
        if goal is None or facts is None:
            return None if goal is None else False
        values = {"test_loss": facts.test_loss, "train_loss": facts.train_loss, **facts.metrics}
        value = values.get(goal.metric, float("nan"))
        if value != value or (goal.within is not None and facts.epoch > goal.within):
            return False
        return value < goal.below if goal.below is not None else value > (goal.above or 0.0)

    def saw_frame(self, frame: bytes, session: Session) -> None:
        """A frame went to this student: keep it (a reference, no copy); with a challenge
        running, check its numbers against the target. A few microseconds per frame."""
        self.frame, self.metric_names = frame, session.metric_names
        if read_focus(frame) == OUTPUT_FOCUS:
            self.output_frame = frame
        challenge = self.challenge
        if challenge is None:
            return
        facts = read_frame(frame, session.metric_names, tile=False)
        if not target_met(challenge, facts.test_loss, facts.metrics):
            return
        own_data = session.uploaded is not None or bool(session.added)
        why = self.provenance(session) or broken_rule(
            challenge, session.settings, facts.epoch, own_data
        )
        entry = result(
            challenge, self.name, facts.epoch, session.settings.network_shape, time.time(), why
        )
        if better(entry, self.best):
            self.best = self.unsaved = entry
