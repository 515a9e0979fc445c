"""The websocket protocol, version 1: every client message and how it is validated.

What it is: pydantic models of the client -> server messages (docs/protocol.md §2 and §8),
so a bad message becomes a typed `error` and never reaches the session. The settings model
(app/playground/settings.py), the error type (app/playground/errors.py) and the frame layout
(frame_layout.py) are part of the same protocol and re-exported here for callers that
speak it.
What it is not: transport or session logic (app/web/connection.py, app/playground/session.py).
Trade-off: a discriminated union on "type" gives precise errors ("step.epochs: …") at the
price of field paths that include the message type.
"""

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import Field, TypeAdapter, ValidationError

from app.playground.errors import ProtocolError, from_validation
from app.playground.registry import MAX_CREDIT
from app.playground.settings import (
    HARD_MAX_LAYERS,
    PlaygroundSettings,
    Strict,
    merge_settings,
)
from app.protocol.caps import unknown_settings
from app.protocol.frame_layout import (
    FLAG_CLASS_MAP,
    FLAG_DIVERGED,
    FLAG_GRADIENTS,
    FLAG_INPUT_THUMBS,
    FLAG_PLAYING,
    OUTPUT_FOCUS,
    PROTOCOL_VERSION,
    encode_frame,
)

__all__ = [
    "FLAG_CLASS_MAP",
    "FLAG_DIVERGED",
    "FLAG_GRADIENTS",
    "FLAG_INPUT_THUMBS",
    "FLAG_PLAYING",
    "MESSAGE_MODELS",
    "MESSAGE_TYPES",
    "OUTPUT_FOCUS",
    "PROTOCOL_VERSION",
    "ClientMessage",
    "PlaygroundSettings",
    "ProtocolError",
    "encode_frame",
    "merge_settings",
    "parse_client_message",
]


M = TypeVar("M")


class Hello(Strict):
    type: Literal["hello"]
    protocol: int = PROTOCOL_VERSION
    settings: dict[str, Any] = Field(default_factory=dict)
    checkpoint: dict[str, Any] | None = None
    # "Link to this run": "<draws>.<generation>" (app/playground/run_link.py); checked there.
    run: Annotated[str, Field(max_length=32)] | None = None
    # Its events, "30:lr:0.3,45:b:1:0:-0.5" (app/playground/run_script.py); checked there.
    run_events: Annotated[str, Field(max_length=8000)] | None = None


class SetSettings(Strict):
    type: Literal["set"]
    settings: dict[str, Any]


class Command(Strict):
    """The commands without arguments; each changes the session and gets a `state`."""

    type: Literal["play", "pause", "reset", "regenerate", "clear_points"]


class Step(Strict):
    type: Literal["step"]
    epochs: Annotated[int, Field(ge=1, le=1000)] = 1


class SetWeight(Strict):
    type: Literal["set_weight"]
    layer: Annotated[int, Field(ge=0, le=HARD_MAX_LAYERS)]
    src: Annotated[int, Field(ge=0, le=64)]
    dst: Annotated[int, Field(ge=0, le=64)]
    value: Annotated[float, Field(ge=-1e6, le=1e6)]


class SetBias(Strict):
    type: Literal["set_bias"]
    layer: Annotated[int, Field(ge=0, le=HARD_MAX_LAYERS)]
    node: Annotated[int, Field(ge=0, le=64)]
    value: Annotated[float, Field(ge=-1e6, le=1e6)]


class Focus(Strict):
    type: Literal["focus"]
    layer: Annotated[int, Field(ge=0, le=HARD_MAX_LAYERS + 1)] | None = None
    unit: Annotated[int, Field(ge=0, le=64)] = 0


class Credit(Strict):
    type: Literal["credit"]
    frames: Annotated[int, Field(ge=1, le=MAX_CREDIT)] = 1


class AddPoint(Strict):
    type: Literal["add_point"]
    x: Annotated[float, Field(ge=-6, le=6)]
    y: Annotated[float, Field(ge=-6, le=6)]
    label: Annotated[float, Field(ge=-10, le=10)]


class Upload(Strict):
    type: Literal["upload_csv", "import_json"]
    content: Annotated[str, Field(max_length=16 * 1024 * 1024)]


class Export(Strict):
    type: Literal["export"]
    format: Literal["keras", "keras_replay", "pytorch", "json", "csv"]


class Query(Strict):
    """A question that changes nothing."""

    type: Literal["confusion"]


class JoinClass(Strict):
    """Be this class's student again (a page that joined at /c/<code> says it after hello)."""

    type: Literal["join_class"]
    code: Annotated[str, Field(max_length=16)]
    token: Annotated[str, Field(max_length=64)]


class Ping(Strict):
    type: Literal["ping"]
    id: Annotated[str, Field(max_length=64)] | int | None = None


MESSAGE_MODELS = (
    *(Hello, SetSettings, Command, Step, SetWeight, SetBias, Focus, Credit, Ping),
    *(AddPoint, Upload, Export, Query, JoinClass),
)
ClientMessage = Annotated[
    Hello
    | SetSettings
    | Command
    | Step
    | SetWeight
    | SetBias
    | Focus
    | Credit
    | Ping
    | AddPoint
    | Upload
    | Export
    | Query
    | JoinClass,
    Field(discriminator="type"),
]
_CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
MESSAGE_TYPES = tuple(
    kind for model in MESSAGE_MODELS for kind in get_args(model.model_fields["type"].annotation)
)


def parse_client_message(text: str) -> ClientMessage:
    """Validate one text frame; raises ProtocolError with a code the UI can show. A
    `settings` object with a key no setting has is refused before validation (caps.py)."""
    return parse_with(text, _CLIENT_MESSAGE, MESSAGE_TYPES, unknown_settings)


def parse_with(
    text: str,
    adapter: TypeAdapter[M],
    types: tuple[str, ...],
    check_settings: Callable[[dict[str, Any]], None] | None = None,
) -> M:
    """One text frame validated by `adapter`, whose messages have these `type`s: the rules
    every websocket of this server shares (the digits workspace has its own messages);
    `check_settings` sees a `settings` object before validation does."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("invalid_json", f"not valid JSON: {str(exc)[:120]}") from None
    if not isinstance(data, dict):
        raise ProtocolError("invalid_message", "a message must be a JSON object")
    kind = data.get("type")
    if kind not in types:
        valid = ", ".join(types)
        raise ProtocolError("invalid_message", f"unknown message type; valid: {valid}", "type")
    if check_settings is not None and isinstance(data.get("settings"), dict):
        check_settings(data["settings"])  # before validation, which is slow on many keys
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise from_validation(exc) from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")
