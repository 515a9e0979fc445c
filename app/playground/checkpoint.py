"""Checkpoints: everything needed to continue a session bit-identically, as plain JSON.

What it is: `take(session)` and `restore(session, data)`. The client stores the newest
checkpoint and sends it back after a reload, a dropped connection or a server restart, on
any server process (docs/architecture.md §2–3: the client holds the state, servers share nothing).
What it is not: trusted. A checkpoint comes from the client, so `restore` validates every
shape, count and number, and either applies all of it or raises ProtocolError and applies
nothing.
Trade-off: float64 arrays travel as JSON numbers (shortest round-trip repr, exact in Python
and JavaScript) rather than base64: ~2x larger, but readable and exact.
"""

import math
from typing import Any

import numpy as np

from app.playground.custom_data import Row, check_row
from app.playground.errors import ProtocolError
from app.playground.history import LossHistory
from app.playground.run_link import RunMarker
from app.playground.run_log import RunLog
from app.playground.session import LIVE_KEYS, MAX_EPOCH, Session

CHECKPOINT_VERSION = 2  # 2: the run log (events for exact replays) replaced "caveats"
COUNTER_MAX = 10**12  # iterations and carried samples: far beyond any real run
# Loss-chart points a checkpoint may carry: what servers kept before HISTORY_LIMIT was 500,
# so a page that stored one of theirs still resumes (thinned to the limit).
ACCEPTED_HISTORY = 2000


def take(session: Session) -> dict[str, Any]:
    """A JSON-able snapshot of the session (call between epochs, never during one)."""
    return {
        "version": CHECKPOINT_VERSION,
        "settings": session.settings.model_dump(mode="json"),
        "epoch": session.epoch,
        "diverged": session.diverged,
        "weights": [w.tolist() for w in session.net.get_weights()],
        "optimizer": _jsonable(session.trainer.optimizer.get_state()),
        "trainer": _jsonable(session.trainer.get_state()),
        "rng": session.rng.get_state(),
        "keras_rng": _jsonable(session.keras_rng.bit_generator.state),
        "history": [[e, _number(a), _number(b)] for e, a, b in session.history.points],
        "initial_weights": [w.tolist() for w in session.initial_weights],
        "initial_shuffle_state": _jsonable(session.initial_shuffle_state),
        "run_log": session.log.to_json(),
        "added": [list(row) for row in session.added],
        "uploaded": None if session.uploaded is None else [list(r) for r in session.uploaded],
        "run": None if session.run_marker is None else str(session.run_marker),
        "generation": session.generation,
    }


def restore(session: Session, data: dict[str, Any]) -> None:
    """Continue from `data` (a `take` result) if it belongs to the session's settings.

    The session must have been built from the checkpoint's settings (live ones such as the
    learning rate may differ and stay the session's), so its data, rebuilt from the seed, is
    the checkpoint's data. All or nothing: on any problem the session is
    left exactly as it was and ProtocolError("invalid_checkpoint") explains why.
    """
    try:
        if not isinstance(data, dict):
            raise TypeError("a checkpoint must be an object")
        _check_header(session, data)
        _check_counters(data)
        before = take(session)
        try:
            _apply(session, data)
        except Exception:
            _apply(session, before)
            raise
    except Exception as exc:  # whatever a forged field raises, the answer is the same
        raise ProtocolError("invalid_checkpoint", _why(exc)) from None


def _why(exc: Exception) -> str:
    """A reason for the client; our own checks explain, anything else is just 'malformed'."""
    if isinstance(exc, ValueError | TypeError | KeyError | OverflowError):
        return f"checkpoint not usable: {exc}"[:300]
    return "checkpoint not usable: a field is malformed"


def _check_counters(data: dict[str, Any]) -> None:
    """Counters a later step computes with must be small integers (10**4000 iterations
    would overflow inside the optimizer's bias correction, long after the restore)."""
    optimizer, trainer = data["optimizer"], data["trainer"]
    if not isinstance(optimizer, dict) or not isinstance(trainer, dict):
        raise TypeError("optimizer and trainer must be objects")
    for name, value in (
        ("optimizer iterations", optimizer.get("iterations")),
        ("trainer carry_count", trainer.get("carry_count")),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNTER_MAX:
            raise ValueError(f"{name} must be an integer from 0 to {COUNTER_MAX}")


def _finite(name: str, arrays: Any) -> None:
    """Every array in a (nested) list or dict of arrays is finite, or ValueError."""
    if isinstance(arrays, dict):
        for key, value in arrays.items():
            _finite(f"{name} {key}", value)
    elif isinstance(arrays, list):
        for value in arrays:
            _finite(name, value)
    elif (
        isinstance(arrays, np.ndarray)
        and arrays.dtype != np.bool_
        and not np.isfinite(arrays).all()
    ):
        raise ValueError(f"{name} must be finite")


def _structural(settings: Any) -> dict[str, Any]:
    """The settings that fix data and network; live ones (learning rate, speed) may differ."""
    if not isinstance(settings, dict):
        raise ValueError("settings must be an object")
    return {k: v for k, v in settings.items() if k not in LIVE_KEYS}


def _check_header(session: Session, data: dict[str, Any]) -> None:
    if data.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"version must be {CHECKPOINT_VERSION}")
    if _structural(data["settings"]) != _structural(session.settings.model_dump(mode="json")):
        raise ValueError("it was taken under other settings")
    epoch = data["epoch"]
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= MAX_EPOCH:
        raise ValueError(f"epoch must be an integer from 0 to {MAX_EPOCH} (what a run can reach)")
    history = data["history"]
    if not isinstance(history, list) or len(history) > ACCEPTED_HISTORY:
        raise ValueError(f"history must be a list of at most {ACCEPTED_HISTORY} points")


def _apply(session: Session, data: dict[str, Any]) -> None:
    _restore_points(session, data["added"], data["uploaded"])
    weights = [np.asarray(w, dtype=np.float64) for w in data["weights"]]
    if not all(np.isfinite(w).all() for w in weights):
        raise ValueError("weights must be finite")
    session.net.set_weights(weights)
    _restore_run_start(session, data)
    optimizer = _arrays(data["optimizer"])
    _finite("optimizer slot", optimizer["slots"])
    _finite("optimizer scalars", [np.asarray(list(optimizer["scalars"].values()), float)])
    shapes = [w.shape for w in weights]
    for slot, arrays in optimizer["slots"].items():
        if [a.shape for a in arrays] != shapes:
            raise ValueError(f"optimizer slot {slot!r} does not match the network's shapes")
    session.trainer.optimizer.set_state(optimizer)
    trainer = _arrays(data["trainer"], bool_keys=("dead",))
    _finite("trainer carry", trainer)
    session.trainer.set_state(trainer)
    session.rng.set_state(data["rng"])
    _restore_run_marker(session, data)
    session.keras_rng.bit_generator.state = data["keras_rng"]
    session.history = LossHistory(_history_point(p) for p in data["history"])
    session.epoch = data["epoch"]
    session.diverged = bool(data["diverged"])
    session.pause()


def _restore_run_start(session: Session, data: dict[str, Any]) -> None:
    """Where the run began and what happened since (for exports): initial weights, shuffle
    state and the run log."""
    initial = [np.asarray(w, dtype=np.float64) for w in data["initial_weights"]]
    if [w.shape for w in initial] != [w.shape for w in session.initial_weights]:
        raise ValueError("initial weights do not match the network")
    if not all(np.isfinite(w).all() for w in initial):
        raise ValueError("initial weights must be finite")
    probe = np.random.Generator(np.random.PCG64())
    probe.bit_generator.state = data["initial_shuffle_state"]  # raises on a malformed state
    kernels = [w.shape for w in session.net.W]
    log = RunLog.from_json(
        data["run_log"], session.settings, data["epoch"], session.max_points, kernels
    )
    session.initial_weights = initial
    session.initial_shuffle_state = dict(probe.bit_generator.state)
    session.log = log


def _restore_run_marker(session: Session, data: dict[str, Any]) -> None:
    """What "Link to this run" names, so a resumed session keeps its link. Checkpoints from
    before run links lack it: then no link is offered until the next reset."""
    run, generation = data.get("run"), data.get("generation", session.generation)
    if isinstance(generation, bool) or not isinstance(generation, int) or generation < 0:
        raise ValueError("generation must be a non-negative integer")
    if run is not None and not isinstance(run, str):
        raise ValueError("run must be a string or null")
    try:
        session.run_marker = None if run is None else RunMarker.parse(run)
    except ProtocolError as exc:
        raise ValueError(exc.message) from None
    session.generation = generation


def _restore_points(session: Session, added: Any, uploaded: Any) -> None:
    """The user's own points first: the data (and so the shapes below) depends on them."""
    clicked = _points(session, added)
    replaced = None if uploaded is None else _points(session, uploaded)
    if len(clicked) + len(replaced or ()) > session.max_points:
        raise ValueError(f"more than {session.max_points} points of the user's own")
    if (clicked, replaced) != (session.added, session.uploaded):
        session.added, session.uploaded = clicked, replaced
        session.rebuild_data()


def _points(session: Session, raw: Any) -> list[Row]:
    if not isinstance(raw, list) or len(raw) > session.max_points:
        raise ValueError("points must be a list within the server's limit")
    return [check_row(session.settings, *map(float, point)) for point in raw]


def _number(value: float) -> float | None:
    """JSON has no NaN: a missing loss (empty test set) travels as null."""
    return value if math.isfinite(value) else None


def _history_point(point: Any) -> tuple[int, float, float]:
    epoch, train, test = point
    values = tuple(math.nan if v is None else float(v) for v in (train, test))
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise ValueError("history epochs must be integers")
    return epoch, values[0], values[1]


def _jsonable(value: Any) -> Any:
    """ndarrays (also nested in dicts and lists) -> lists; numpy scalars -> Python."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _arrays(state: dict[str, Any], bool_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """Turn the lists of a JSON state back into the lists of arrays the engine expects."""
    out: dict[str, Any] = {}
    for key, value in state.items():
        if key == "slots":
            out[key] = {k: [np.asarray(a, dtype=np.float64) for a in v] for k, v in value.items()}
        elif isinstance(value, list):
            dtype = np.bool_ if key in bool_keys else np.float64
            out[key] = [np.asarray(a, dtype=dtype) for a in value]
        else:
            out[key] = value
    return out
