"""Weights and settings as JSON: `export_json` writes them, `parse_json` takes them back.

What it is: the "nn-playground/1" document {"format", "settings", "epoch", "weights",
"initial_weights"} and, optionally, "history" (the loss chart's [epoch, train, test] points,
so an import shows the run where it was; older documents without it still load), with
every float64 written as its shortest round-trip JSON number, and a strict reader for the
import path: size cap, real JSON without NaN/Infinity, exact keys, settings validated by
the protocol's model plus the session's cross-field rules, and every array checked against
the network those settings describe.
What it is not: a checkpoint (no optimizer state, carry or random streams; a resumed run
starts a fresh optimizer) and not aware of a server's own size limits, which the session
applies when it builds from the settings.
Trade-off: arrays are nested JSON lists rather than base64 blobs: about twice the bytes,
but readable, editable by hand and exact in Python and JavaScript alike.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from app.engine.flat import param_shapes
from app.engine.types import AnyFloatArray, FloatArray
from app.export.record import RunRecord, layer_sizes
from app.playground.session import MAX_EPOCH
from app.playground.settings import PlaygroundSettings

FORMAT = "nn-playground/1"
KEYS = frozenset({"format", "settings", "epoch", "weights", "initial_weights"})
OPTIONAL_KEYS = frozenset({"history"})
# Each field in words, for messages a person reads ("the epoch (“epoch”) is missing").
FIELD_WORDS = {
    "format": "the format tag",
    "settings": "the settings",
    "epoch": "the epoch",
    "weights": "the weights",
    "initial_weights": "the initial weights",
    "history": "the loss history",
}
HISTORY_LIMIT = 10_000  # points; a session keeps at most 2,000


@dataclass(frozen=True)
class ImportedRun:
    """What an import restores: settings, current weights, epoch and loss history."""

    settings: PlaygroundSettings
    weights: list[FloatArray]
    epoch: int
    history: list[tuple[int, float, float]]


def export_json(
    record: RunRecord,
    current_weights: Sequence[AnyFloatArray],
    epoch: int,
    history: Sequence[tuple[int, float, float]] = (),
) -> str:
    """The document for `record` with the weights reached at `epoch` and the loss history
    so far (NaN losses written as null); shapes are checked."""
    shapes = param_shapes(layer_sizes(record.settings))
    if [np.shape(w) for w in current_weights] != shapes:
        raise ValueError(f"current weights must have shapes {shapes}")
    _check_epoch(epoch)
    document = {
        "format": FORMAT,
        "settings": record.settings.model_dump(mode="json"),
        "epoch": epoch,
        "weights": [np.asarray(w, dtype=np.float64).tolist() for w in current_weights],
        "initial_weights": [w.tolist() for w in record.initial_weights],
    }
    if history:
        document["history"] = [[e, _json_loss(a), _json_loss(b)] for e, a, b in history]
    # allow_nan=False: a non-finite weight is an error here, never an unreadable file.
    return json.dumps(document, allow_nan=False)


def parse_json(text: str, max_bytes: int) -> tuple[PlaygroundSettings, list[FloatArray]]:
    """Settings and current weights from an `export_json` document; ValueError says what is
    wrong (too large, not JSON, a key, a setting, an array's shape or a number)."""
    run = parse_json_run(text, max_bytes)
    return run.settings, run.weights


def parse_json_run(text: str, max_bytes: int) -> ImportedRun:
    """`parse_json` plus the epoch and the loss history (empty when the document has none)."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise ValueError(f"the file is {size} bytes; at most {max_bytes} are accepted")
    document = _load(text)
    if document["format"] != FORMAT:
        got = str(document["format"])[:40]
        raise ValueError(f"its format tag is “{got}”; this server reads “{FORMAT}” files")
    settings = _settings(document["settings"])
    _check_epoch(document["epoch"])
    shapes = param_shapes(layer_sizes(settings))
    _arrays("initial_weights", document["initial_weights"], shapes)
    weights = _arrays("weights", document["weights"], shapes)
    history = _history(document.get("history", []))
    return ImportedRun(settings, weights, document["epoch"], history)


def _json_loss(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _history(raw: object) -> list[tuple[int, float, float]]:
    """[[epoch, train, test], ...] with integer epochs >= 0 and numbers or null (NaN)."""
    if not isinstance(raw, list) or len(raw) > HISTORY_LIMIT:
        raise ValueError(f"history must be a list of at most {HISTORY_LIMIT} points")
    points = []
    for i, point in enumerate(raw):
        if not isinstance(point, list) or len(point) != 3:
            raise ValueError(f"history[{i}] must be [epoch, train loss, test loss]")
        _check_epoch(point[0])
        losses = [math.nan if v is None else _numbers(v, (), f"history[{i}]")[0] for v in point[1:]]
        points.append((int(point[0]), losses[0], losses[1]))
    return points


def _check_epoch(epoch: object) -> None:
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= MAX_EPOCH:
        raise ValueError(f"epoch must be an integer from 0 to {MAX_EPOCH}, got {str(epoch)[:40]}")


def _load(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not valid JSON: {str(exc)[:120]}") from None
    if not isinstance(document, dict):
        raise ValueError("the file must hold a JSON object")
    problem = _fields_problem(document)
    if problem:
        raise ValueError(problem)
    return document


def _fields_problem(document: dict[str, Any]) -> str:
    """What is wrong with a document's fields, in words ("" when nothing is).
    Example: {"format": …, "settings": …, "weights": …, "colour": 1} -> "the epoch (“epoch”)
    and the initial weights (“initial_weights”) are missing; it has a field this format does
    not know: “colour”"."""
    missing = [key for key in FIELD_WORDS if key in KEYS and key not in document]
    unknown = sorted(set(document) - KEYS - OPTIONAL_KEYS)
    if len(missing) == len(KEYS):
        fields = _words([FIELD_WORDS[key].removeprefix("the ") for key in missing])
        return f"it has none of the fields of a Weights JSON download ({fields})"
    parts = []
    if missing:
        named = _words([f"{FIELD_WORDS[key]} (“{key}”)" for key in missing])
        parts.append(f"{named} {'is' if len(missing) == 1 else 'are'} missing")
    if unknown:
        some = "a field" if len(unknown) == 1 else "fields"
        more = [f"{len(unknown) - 5} more"] if unknown[5:] else []
        named = _words([f"“{key[:40]}”" for key in unknown[:5]] + more)
        parts.append(f"it has {some} this format does not know: {named}")
    return "; ".join(parts)


def _words(items: list[str]) -> str:
    """["a"] -> "a"; ["a", "b", "c"] -> "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _settings(raw: object) -> PlaygroundSettings:
    """The protocol's validation (settings.py, the optimizer's options included), then the
    rule merge_settings adds (the loss must fit the problem)."""
    if not isinstance(raw, dict):
        raise ValueError("settings must be an object")
    try:
        settings = PlaygroundSettings.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in err["loc"])
        raise ValueError(f"settings.{where}: {err['msg']}") from None
    if settings.loss not in settings.valid_losses:
        valid = ", ".join(settings.valid_losses)
        raise ValueError(f"settings.loss: for this dataset it must be one of {valid}")
    return settings


def _arrays(name: str, raw: object, shapes: list[tuple[int, ...]]) -> list[FloatArray]:
    """float64 arrays of exactly `shapes` from nested lists of finite JSON numbers."""
    if not isinstance(raw, list) or len(raw) != len(shapes):
        raise ValueError(f"{name} must be a list of {len(shapes)} arrays [W1, b1, ...]")
    arrays = []
    for i, (value, shape) in enumerate(zip(raw, shapes, strict=True)):
        where = f"{name}[{i}]"
        arrays.append(np.array(_numbers(value, shape, where), dtype=np.float64).reshape(shape))
    return arrays


def _numbers(value: object, shape: tuple[int, ...], where: str) -> list[float]:
    """The numbers of a nested list of this shape, in row-major order (recursive per axis)."""
    if not shape:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where} must be a number, got {type(value).__name__}")
        try:
            number = float(value)
        except OverflowError:  # an integer beyond float64
            number = math.inf
        if not math.isfinite(number):
            raise ValueError(f"{where} must be finite, got {value!r}")
        return [number]
    if not isinstance(value, list) or len(value) != shape[0]:
        raise ValueError(f"{where} must be a list of {shape[0]} (array shape {shape})")
    return [x for i, item in enumerate(value) for x in _numbers(item, shape[1:], f"{where}[{i}]")]
