"""The digits websocket's client messages (docs/protocol.md §10), validated before use.

What it is: one pydantic model per message a `/digits` page sends, and `parse`, which turns
a text frame into one of them or a typed ProtocolError (the same JSON rules as the
playground's socket: app/protocol/inbound.py `parse_with`). `credit` and `ping` are the
playground's own models.
What it is not: what the messages do (app/web/digits/handlers.py).
Trade-off: a drawing travels as base64 of its 784 bytes (1,048 characters, under any
message cap), not as a JSON list of numbers (up to 3 kB, and 784 values to validate).
"""

import base64
import binascii
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, TypeAdapter, field_validator

from app.digits.settings import HARD_MAX_UNITS
from app.playground.settings import Strict
from app.protocol.inbound import Credit, Ping, parse_with

PROTOCOL_VERSION = 1
DRAWING_BYTES = 28 * 28


class Hello(Strict):
    type: Literal["hello"]
    protocol: int = PROTOCOL_VERSION
    settings: dict[str, Any] = Field(default_factory=dict)


class SetSettings(Strict):
    type: Literal["set"]
    settings: dict[str, Any]


class Command(Strict):
    """play, pause, reset; `step` trains to the end of the current epoch (one epoch)."""

    type: Literal["play", "pause", "reset", "step"]


class Draw(Strict):
    """The 28x28 grid as drawn: base64 of 784 bytes, row by row, 0 = paper, 255 = ink."""

    type: Literal["draw"]
    pixels: Annotated[str, Field(max_length=1100)]

    @field_validator("pixels")
    @classmethod
    def _784_bytes(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("not base64") from None
        if len(raw) != DRAWING_BYTES:
            raise ValueError(f"{len(raw)} bytes; a drawing is {DRAWING_BYTES} (28x28)")
        return value

    @property
    def grid(self) -> bytes:
        return base64.b64decode(self.pixels)


class Neurons(Strict):
    """Show the first layer's units `first` … `first` + 63."""

    type: Literal["neurons"]
    first: Annotated[int, Field(ge=0, lt=HARD_MAX_UNITS)]


class Examples(Strict):
    """The gallery for one cell of the confusion matrix (null: any)."""

    type: Literal["examples"]
    label: Annotated[int, Field(ge=0, le=9)] | None = None
    answer: Annotated[int, Field(ge=0, le=9)] | None = None


class Export(Strict):
    type: Literal["export"]
    format: Literal["keras"] = "keras"


MESSAGE_MODELS = (Hello, SetSettings, Command, Draw, Neurons, Examples, Export, Credit, Ping)
DigitsMessage = Annotated[
    Hello | SetSettings | Command | Draw | Neurons | Examples | Export | Credit | Ping,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[DigitsMessage] = TypeAdapter(DigitsMessage)
MESSAGE_TYPES = tuple(
    kind for model in MESSAGE_MODELS for kind in get_args(model.model_fields["type"].annotation)
)


def parse(text: str) -> DigitsMessage:
    """Validate one text frame; raises ProtocolError with a code the page can show."""
    return parse_with(text, _ADAPTER, MESSAGE_TYPES)
