"""A playground URL hash, read on the server with the page's rules, to check a lesson's steps.

What it is: `read_hash`, which splits a hash as static/js/state.js does (on "&", then "=",
no URL decoding), maps each key to a PlaygroundSettings field, a display flag or a `_hide`
flag, and validates the settings as a session would. It answers "would this link open a
working experiment?" at start-up, so a teacher's typo fails there and not in a classroom.
What it is not: the page's parser. The page still reads the hash itself (state.js); this
module only mirrors its key table. Unknown keys are an error here (the page ignores them)
because in a lesson file they are always a mistake.
Trade-off: the key table is repeated from state.js (hide flags and hyperparameters come from
app/playground/registry.py); tests/unit/test_lesson_files.py checks that every key of state.js's
table is known here, so the two cannot drift apart silently.
"""

import math
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.playground import registry
from app.playground.errors import ProtocolError, from_validation
from app.playground.features import FEATURE_ORDER
from app.playground.run_link import RunMarker
from app.playground.run_script import parse_events
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings

# A label for every hide flag of the registry (the hide-controls panel's checkboxes).
_HIDE_LABELS: dict[str, str] = {
    "showTestData": "Show test data",
    "discretize": "Discretize output",
    "playButton": "Play button",
    "stepButton": "Step button",
    "resetButton": "Reset button",
    "learningRate": "Learning rate",
    "activation": "Activation",
    "regularization": "Regularization",
    "regularizationRate": "Regularization rate",
    "problem": "Problem type",
    "dataset": "Which dataset",
    "percTrainData": "Ratio train data",
    "noise": "Noise level",
    "batchSize": "Batch size",
    "numHiddenLayers": "# of hidden layers",
    "speed": "Speed",
    "training": "Training panel (optimizer, loss, seed)",
    "yourData": "Your own data (clicks, CSV upload)",
    "exports": "Downloads and import",
    "confusion": "Confusion matrix",
    "gradientView": "Show gradients",
}

_ENUMS = {"activation": "activation", "dataset": "dataset", "regDataset": "reg_dataset",
          "problem": "problem", "optimizer": "optimizer", "loss": "loss",
          "initializer": "initializer"}  # fmt: skip
_NUMBERS = {"batchSize": "batch_size", "learningRate": "learning_rate",
            "regularizationRate": "regularization_rate", "noise": "noise",
            "percTrainData": "percent_train", "epochsLimit": "epochs_limit"}  # fmt: skip
_BOOLS = {"initZero": "init_zero", "shuffle": "shuffle", "gradientView": "gradient_view"}
HIDE_FLAGS: dict[str, str] = {name: _HIDE_LABELS.get(name, name) for name in registry.HIDE_FLAGS}
# Keras hyperparameters: hash key -> optimizer keyword (the registry's table).
_OPTIONS = {p.hash: keyword for keyword, p in registry.HYPERPARAMETERS.items()}
_BOOL_OPTIONS = {registry.HYPERPARAMETERS[k].hash for k in registry.BOOLEAN_KEYWORDS}
_DISPLAY = {"showTestData", "discretize", "hideText", "collectStats", "tutorial"}
_RUN = "run"  # "Link to this run" (run_link.py): passed to the page, checked for its form
_RUN_EVENTS = "runEvents"  # and its events (run_script.py), checked against the step's network
_IGNORED_FEATURES = {"cosX", "cosY"}  # the playground's hash has them; no input uses them
KNOWN_KEYS = (
    set(_ENUMS) | set(_NUMBERS) | set(_BOOLS) | set(_OPTIONS) | _DISPLAY | _IGNORED_FEATURES
) | {_RUN, _RUN_EVENTS, "regularization", "networkShape", "seed", "speed", *FEATURE_ORDER}


class HashError(ValueError):
    """A hash a lesson cannot use; the message names the key."""


@dataclass(frozen=True)
class HashState:
    """What a hash opens: validated settings, the `_hide` flags set, and the display keys."""

    settings: PlaygroundSettings
    hidden: frozenset[str]
    display: dict[str, str]


def split_hash(hash_: str) -> dict[str, str | None]:
    """Split like state.js's hashToMap. Example: "#a=1&b" -> {"a": "1", "b": None}."""
    body = hash_[1:] if hash_.startswith("#") else hash_
    pairs: dict[str, str | None] = {}
    for part in body.split("&") if body else []:
        key, _, value = part.partition("=")
        pairs[key] = value.split("=")[0] if "=" in part else None
    return pairs


def _number(key: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise HashError(f"{key}={raw!r} is not a number") from None
    if not math.isfinite(value):
        raise HashError(f"{key}={raw!r} is not a finite number")
    return value


def _setting(key: str, raw: str, patch: dict[str, Any]) -> None:
    """Put one hash key's value into the settings patch (state.js's stateToSettings)."""
    if key in _ENUMS:
        patch[_ENUMS[key]] = raw
    elif key in _NUMBERS:
        value = _number(key, raw)
        patch[_NUMBERS[key]] = round(value) if key in ("batchSize", "epochsLimit") else value
    elif key in _BOOLS:
        patch[_BOOLS[key]] = raw != "false"
    elif key in _OPTIONS:
        options = patch.setdefault("optimizer_options", {})
        options[_OPTIONS[key]] = raw != "false" if key in _BOOL_OPTIONS else _number(key, raw)
    elif key == "regularization":
        patch["regularization"] = raw
    elif key == "networkShape":
        shape = [_number(key, n) for n in raw.split(",")] if raw else []
        if any(n != int(n) for n in shape):
            raise HashError(f"networkShape={raw!r} must list whole numbers of neurons")
        patch["network_shape"] = [int(n) for n in shape]
    elif key == "seed":
        patch["seed"] = raw
    elif key == "speed":
        patch["speed"] = None if raw == "max" else _number(key, raw)


def read_hash(hash_: str) -> HashState:
    """Validate a lesson step's hash; raises HashError naming the key that is wrong."""
    pairs = split_hash(hash_.strip())
    patch: dict[str, Any] = {}
    hidden: set[str] = set()
    display: dict[str, str] = {}
    features = {"x": True, "y": True}
    for key, raw in pairs.items():
        if key.endswith("_hide"):
            name = key.removesuffix("_hide")
            if name not in HIDE_FLAGS and name not in FEATURE_ORDER:
                raise HashError(f"{key}: no control or feature is called {name!r}")
            if raw == "true":
                hidden.add(name)
            continue
        if key not in KNOWN_KEYS:
            raise HashError(f"unknown key {key!r} (keys are case-sensitive, as in the URL)")
        if key == "networkShape" and not (raw or "").strip():
            # Read even when empty: no hidden layer (docs/playground-rules.md §8).
            patch["network_shape"] = []
            continue
        if raw is None or raw.strip() == "":
            continue  # the page keeps the default for an empty value
        if key in FEATURE_ORDER:
            features[key] = raw != "false"
        elif key in _DISPLAY:
            display[key] = raw
        elif key in (_RUN, _RUN_EVENTS):
            display[key] = _run_marker(raw) if key == _RUN else raw
        elif key not in _IGNORED_FEATURES:
            _setting(key, raw, patch)
    patch["features"] = [f for f in FEATURE_ORDER if features.get(f) and f not in hidden]
    try:
        settings = PlaygroundSettings.model_validate(patch)
    except ValidationError as exc:
        error = from_validation(exc)
        raise HashError(error.message) from None
    if _RUN_EVENTS in display:
        _run_events(display[_RUN_EVENTS], settings)
    return HashState(settings, frozenset(hidden), display)


def _run_marker(raw: str) -> str:
    """A step may pin a run (the page replays it); its marker must have the link's form."""
    try:
        return str(RunMarker.parse(raw))
    except ProtocolError as exc:
        raise HashError(f"run: {exc.message}") from None


def _run_events(raw: str, settings: PlaygroundSettings) -> None:
    """A pinned run's events must fit the step's network and data (a session is built for
    the check: a few ms, once per such step at start-up)."""
    try:
        parse_events(raw, Session(settings))
    except ProtocolError as exc:
        raise HashError(f"runEvents: {exc.message}") from None
