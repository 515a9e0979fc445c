"""Run links: a URL that gives a student the teacher's initial weights, not just the data.

What it is: `RunMarker`, the two numbers that pin a reset down given the seed and the
settings: how many draws the seeded playground stream had given when the reset drew its
weights, and the reset's generation since seeding (which picks the Keras stream of that
reset, `keras_stream`). `rewind` takes a freshly seeded stream to a marker's position;
`link_status` says what the page may promise about the link of a session's run, and gives
the run's events in the link's form (run_script.py) when a link can carry them all.
What it is not: the default behaviour. A plain link still draws each reset's weights from
the continuing stream, as TensorFlow Playground does; only a link with `run=` replays one.
Trade-off: a count of resets alone cannot replay a run (the stream's position at a reset
depends on every network size before it), so the marker carries the position itself, and a
new page pays for it by drawing that many values again (~3 µs each, bounded by MAX_DRAWS).
"""

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.playground.errors import ProtocolError
from app.playground.rng import PlaygroundRandom, keras_generator
from app.playground.run_log import RunLog
from app.playground.run_script import encode_events

# About 60 ms of one core (~3 µs a draw, benchmarks/run_link.py), in a worker thread: a hello
# with a marker costs a few default page loads, so a student replaying links cannot buy whole
# seconds of the server's CPU. Still ~45 resets of the largest network (6×8 on 7 inputs: ~390
# draws each, after 2,500 for the data), hundreds of the default one.
MAX_DRAWS = 20_000
MAX_GENERATION = 10**6
_MARKER = re.compile(r"(\d{1,9})\.(\d{1,9})")
# Changes during a run that only its events make the link replay: without them (too many
# for a URL) the link still gives the data and the initial weights.
_EVENTS = frozenset({"learning_rate", "weight", "bias", "add_point", "clear_points"})


@dataclass(frozen=True, slots=True)
class RunMarker:
    """Where a run's weights came from: `draws` into the seeded stream, reset `generation`."""

    draws: int
    generation: int

    def __str__(self) -> str:
        """The URL form, e.g. "1234.3" (digits only, so it needs no escaping)."""
        return f"{self.draws}.{self.generation}"

    @classmethod
    def parse(cls, text: str) -> "RunMarker":
        """ "1234.3" -> RunMarker(1234, 3); anything else is a typed `invalid_run` error."""
        match = _MARKER.fullmatch(text)
        if match is None:
            message = 'a run marker is "<draws>.<generation>", two whole numbers'
            raise ProtocolError("invalid_run", message, "run")
        marker = cls(int(match[1]), int(match[2]))
        if marker.draws > MAX_DRAWS or marker.generation > MAX_GENERATION:
            message = (
                f"this server replays runs up to {MAX_DRAWS} draws and generation "
                f"{MAX_GENERATION}; the link asks for {marker}"
            )
            raise ProtocolError("invalid_run", message, "run")
        return marker


def keras_stream(seed: str, generation: int) -> np.random.Generator:
    """The Keras stream of the reset of this generation: generation 0 (the page load, a seed
    change) keeps `keras_generator(seed)`; later resets get their own stream per generation,
    so a link can replay them without replaying every shuffle before."""
    return keras_generator(seed if generation == 0 else f"{seed}/{generation}")


def marker_at(rng: PlaygroundRandom, generation: int) -> RunMarker | None:
    """The marker of a reset about to draw from `rng` (None: the position is unknown)."""
    return None if rng.draws is None else RunMarker(rng.draws, generation)


def rewind(rng: PlaygroundRandom, marker: RunMarker) -> int:
    """Take a stream that has just drawn the data to the marker's position; returns the
    generation the next reset has."""
    done = rng.draws or 0
    if marker.draws < done:
        message = (
            f"the run starts at draw {marker.draws}, but this seed's data alone takes "
            f"{done} draws: the link does not belong to these settings"
        )
        raise ProtocolError("invalid_run", message, "run")
    rng.skip(marker.draws - done)
    return marker.generation


def link_status(marker: RunMarker | None, uploaded: bool, log: RunLog) -> dict[str, Any] | None:
    """What the page says about "Link to this run", or None when no link replays it.

    An upload, or data regenerated after the reset, makes the initial weights unreachable
    from a URL. What the user did along the way (a learning-rate change, typed weights,
    clicked points) travels in the link as its events, with the rate the run began at, so
    the link is exact; a run with more events than a link carries gives the initial
    weights only, and `changes` names what the link leaves out.
    """
    kinds = log.kinds  # not a scan of up to 10,000 events per state message (issue 20)
    if marker is None or uploaded or "regenerate" in kinds:
        return None
    events = encode_events(log)
    changes = (
        [] if events is not None else sorted(kinds & _EVENTS) + (["points"] if log.added else [])
    )
    return {
        "marker": str(marker),
        "exact": events is not None,
        "changes": changes,
        "events": events or "",
        "learning_rate": log.learning_rate,
    }
