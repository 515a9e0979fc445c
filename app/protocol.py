"""The websocket protocol, version 1: every client message, the settings, the frame layout.

What it is: pydantic models that validate what a client sends (so a bad message becomes a
typed `error` and never reaches the session), and `encode_frame`, the binary layout of
docs/protocol.md §6, mirrored by static/js/protocol.js.
What it is not: transport or session logic (server.py, session.py).
Trade-off: settings are one flat model with every knob, validated as a whole after a partial
update is merged in, so cross-field rules live in one place at the cost of re-validating
~20 fields per change (microseconds).
"""

import json
import math
import struct
from collections.abc import Sequence
from typing import Annotated, Any, Literal, get_args

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from app.datasets import DATASETS
from app.engine import INITIALIZERS, OPTIMIZERS
from app.features import FEATURE_ORDER

PROTOCOL_VERSION = 1
FRAME_KIND = 1
FLAG_PLAYING, FLAG_DIVERGED, FLAG_INPUT_THUMBS = 1, 2, 4
FLAG_CLASS_MAP, FLAG_GRADIENTS = 8, 16
OUTPUT_FOCUS = 0xFFFF
HARD_MAX_LAYERS, HARD_MAX_NEURONS = 10, 16

BINARY_LOSSES = ("playground", "mse", "binary_crossentropy")
REGRESSION_LOSSES = ("playground", "mse")
MULTICLASS_LOSSES = ("categorical_crossentropy",)
SPEED_MAX = 10_000.0

Finite = Annotated[float, Field(allow_inf_nan=False)]


class ProtocolError(Exception):
    """A client mistake: becomes `{"type": "error", code, field, message}`; nothing changes."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message

    def to_message(self) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "field": self.field, "message": self.message}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class PlaygroundSettings(_Strict):
    """Every setting of one experiment (docs/protocol.md §3); defaults are the playground's."""

    dataset: Literal["circle", "xor", "gauss", "spiral", "blobs3", "spiral3", "quadrants4"] = (
        "circle"
    )
    reg_dataset: Literal["reg-plane", "reg-gauss"] = "reg-plane"
    problem: Literal["classification", "regression"] = "classification"
    noise: Annotated[float, Field(ge=0, le=80)] = 0
    percent_train: Annotated[float, Field(ge=10, le=90)] = 50
    batch_size: Annotated[int, Field(ge=1, le=1200)] = 10
    learning_rate: Annotated[float, Field(ge=1e-7, le=10)] = 0.03
    activation: Literal["relu", "tanh", "sigmoid", "linear"] = "tanh"
    regularization: Literal["none", "L1", "L2"] = "none"
    regularization_rate: Annotated[float, Field(ge=0, le=10)] = 0
    features: Annotated[tuple[str, ...], Field(max_length=7)] = ("x", "y")
    network_shape: Annotated[tuple[int, ...], Field(max_length=HARD_MAX_LAYERS)] = (4, 2)
    seed: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x20-\x7e]+$")] = "0.5"
    init_zero: bool = False
    speed: Annotated[float, Field(ge=0.5, le=SPEED_MAX)] | None = 60
    optimizer: str = "sgd"
    optimizer_options: Annotated[dict[str, Finite | bool], Field(max_length=12)] = Field(
        default_factory=dict
    )
    loss: Literal["playground", "mse", "binary_crossentropy", "categorical_crossentropy"] = (
        "playground"
    )
    initializer: str = "playground"
    shuffle: bool = False
    epochs_limit: Annotated[int, Field(ge=1, le=10**9)] | None = None
    gradient_view: bool = False

    @field_validator("features")
    @classmethod
    def _known_features(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in FEATURE_ORDER]
        if unknown:
            raise ValueError(f"unknown feature {unknown[0]!r}; valid: {', '.join(FEATURE_ORDER)}")
        return tuple(name for name in FEATURE_ORDER if name in value)

    @field_validator("network_shape")
    @classmethod
    def _neurons_in_range(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 1 <= n <= HARD_MAX_NEURONS for n in value):
            raise ValueError(f"each layer needs 1 to {HARD_MAX_NEURONS} neurons")
        return value

    @field_validator("optimizer")
    @classmethod
    def _known_optimizer(cls, value: str) -> str:
        if value not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {value!r}; valid: {', '.join(OPTIMIZERS)}")
        return value

    @field_validator("initializer")
    @classmethod
    def _known_initializer(cls, value: str) -> str:
        if value not in INITIALIZERS:
            raise ValueError(f"unknown initializer {value!r}; valid: {', '.join(INITIALIZERS)}")
        return value

    @property
    def active_dataset(self) -> str:
        return self.dataset if self.problem == "classification" else self.reg_dataset

    @property
    def classes(self) -> int:
        """2 for ±1 labels, K for a K-class dataset (softmax), 0 for regression."""
        return 0 if self.problem == "regression" else DATASETS[self.dataset].classes

    @property
    def valid_losses(self) -> tuple[str, ...]:
        if self.problem == "regression":
            return REGRESSION_LOSSES
        return MULTICLASS_LOSSES if self.classes > 2 else BINARY_LOSSES

    @property
    def mode(self) -> Literal["playground", "keras"]:
        """'playground' when every part follows the playground's rules (design.md §3)."""
        plain = self.optimizer == "sgd" and not any(
            self.optimizer_options.get(k) for k in ("momentum", "decay")
        )
        same = self.loss == "playground" and self.initializer == "playground"
        return "playground" if plain and same and not self.shuffle else "keras"


# --- client -> server messages ---------------------------------------------------------------


class Hello(_Strict):
    type: Literal["hello"]
    protocol: int = PROTOCOL_VERSION
    settings: dict[str, Any] = Field(default_factory=dict)
    checkpoint: dict[str, Any] | None = None


class SetSettings(_Strict):
    type: Literal["set"]
    settings: dict[str, Any]


class Command(_Strict):
    type: Literal["play", "pause", "reset", "regenerate"]


class Step(_Strict):
    type: Literal["step"]
    epochs: Annotated[int, Field(ge=1, le=1000)] = 1


class SetWeight(_Strict):
    type: Literal["set_weight"]
    layer: Annotated[int, Field(ge=0, le=HARD_MAX_LAYERS)]
    src: Annotated[int, Field(ge=0, le=64)]
    dst: Annotated[int, Field(ge=0, le=64)]
    value: Annotated[float, Field(ge=-1e6, le=1e6)]


class SetBias(_Strict):
    type: Literal["set_bias"]
    layer: Annotated[int, Field(ge=0, le=HARD_MAX_LAYERS)]
    node: Annotated[int, Field(ge=0, le=64)]
    value: Annotated[float, Field(ge=-1e6, le=1e6)]


class Focus(_Strict):
    type: Literal["focus"]
    layer: Annotated[int, Field(ge=0, le=HARD_MAX_LAYERS + 1)] | None = None
    unit: Annotated[int, Field(ge=0, le=64)] = 0


class Credit(_Strict):
    type: Literal["credit"]
    frames: Annotated[int, Field(ge=1, le=8)] = 1


class AddPoint(_Strict):
    type: Literal["add_point"]
    x: Annotated[float, Field(ge=-6, le=6)]
    y: Annotated[float, Field(ge=-6, le=6)]
    label: Annotated[float, Field(ge=-10, le=10)]


class Upload(_Strict):
    type: Literal["upload_csv", "import_json"]
    content: Annotated[str, Field(max_length=16 * 1024 * 1024)]


class Export(_Strict):
    type: Literal["export"]
    format: Literal["keras", "pytorch", "json", "csv"]


class Query(_Strict):
    type: Literal["confusion", "clear_points"]


class Ping(_Strict):
    type: Literal["ping"]
    id: Annotated[str, Field(max_length=64)] | int | None = None


_MESSAGE_MODELS = (
    *(Hello, SetSettings, Command, Step, SetWeight, SetBias, Focus, Credit, Ping),
    *(AddPoint, Upload, Export, Query),
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
    | Query,
    Field(discriminator="type"),
]
_CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
MESSAGE_TYPES = tuple(
    kind for model in _MESSAGE_MODELS for kind in get_args(model.model_fields["type"].annotation)
)


def _first_error(exc: ValidationError) -> ProtocolError:
    """The first validation problem as a typed error naming the field (e.g. settings.noise)."""
    err = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in err["loc"] if not str(part).startswith("function-"))
    return ProtocolError("invalid_message", f"{field or 'message'}: {err['msg']}", field or None)


def parse_client_message(text: str) -> ClientMessage:
    """Validate one text frame; raises ProtocolError with a code the UI can show."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("invalid_json", f"not valid JSON: {str(exc)[:120]}") from None
    if not isinstance(data, dict):
        raise ProtocolError("invalid_message", "a message must be a JSON object")
    kind = data.get("type")
    if kind not in MESSAGE_TYPES:
        valid = ", ".join(MESSAGE_TYPES)
        raise ProtocolError("invalid_message", f"unknown message type; valid: {valid}", "type")
    try:
        return _CLIENT_MESSAGE.validate_python(data)
    except ValidationError as exc:
        raise _first_error(exc) from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def merge_settings(current: PlaygroundSettings, patch: dict[str, Any]) -> PlaygroundSettings:
    """Apply a partial update; the result is validated as a whole (unknown keys refused).

    A dataset or problem switch that leaves the loss invalid picks the first valid one
    (multi-class needs categorical cross-entropy); an explicitly invalid loss is an error.
    """
    try:
        merged = PlaygroundSettings.model_validate({**current.model_dump(), **patch})
    except ValidationError as exc:
        error = _first_error(exc)
        error.field = f"settings.{error.field}" if error.field else "settings"
        error.message = f"settings.{error.message}"
        raise error from None
    if merged.loss in merged.valid_losses:
        return merged
    if "loss" in patch:
        valid = ", ".join(merged.valid_losses)
        raise ProtocolError("invalid_message", f"settings.loss: use {valid} here", "settings.loss")
    return merged.model_copy(update={"loss": merged.valid_losses[0]})


# --- server -> client binary frame -------------------------------------------------------------

_HEADER = struct.Struct("<BBHIdddHHHH")  # 40 bytes, docs/protocol.md §6


def _pad8(n: int) -> int:
    return -n % 8


def encode_frame(
    *,
    seq: int,
    epoch: int,
    losses: tuple[float, float],
    flags: int,
    layer_sizes: list[int],
    focus: tuple[int, int],
    metrics: list[float],
    focus_map: npt.NDArray[np.uint8],
    thumbnails: npt.NDArray[np.uint8],
    input_thumbnails: npt.NDArray[np.uint8] | None,
    weights: Sequence[npt.NDArray[np.floating[Any]]],
    dead: list[npt.NDArray[np.bool_]],
    gradients: Sequence[npt.NDArray[np.floating[Any]]] | None = None,
    dead_nodes: npt.NDArray[np.bool_] | None = None,
) -> bytes:
    """Pack one visual frame; every section starts on a multiple of 8 (typed-array views)."""
    if input_thumbnails is not None:
        flags |= FLAG_INPUT_THUMBS
    if gradients is not None:
        flags |= FLAG_GRADIENTS
    header = _HEADER.pack(
        PROTOCOL_VERSION,
        FRAME_KIND,
        flags,
        seq & 0xFFFFFFFF,
        float(epoch),
        _finite_or_nan(losses[0]),
        _finite_or_nan(losses[1]),
        len(layer_sizes),
        focus[0],
        focus[1],
        len(metrics),
    )
    sizes = struct.pack(f"<{len(layer_sizes)}H", *layer_sizes)
    parts = [header, sizes, bytes(_pad8(len(sizes)))]
    parts.append(np.asarray(metrics, dtype="<f8").tobytes())
    maps = [focus_map.tobytes(), thumbnails.tobytes()]
    if input_thumbnails is not None:
        maps.append(input_thumbnails.tobytes())
    blob = b"".join(maps)
    parts += [blob, bytes(_pad8(len(blob)))]
    parts.append(b"".join(np.asarray(w, dtype="<f4").tobytes() for w in weights))
    if gradients is not None:  # §8: |∂L/∂W| per weight, then a dead flag per hidden node
        parts.append(b"".join(np.abs(np.asarray(g, dtype="<f4")).tobytes() for g in gradients))
    parts.append(b"".join(np.asarray(d, dtype=np.uint8).tobytes() for d in dead))
    if gradients is not None and dead_nodes is not None:
        parts.append(np.asarray(dead_nodes, dtype=np.uint8).tobytes())
    return b"".join(parts)


def _finite_or_nan(value: float) -> float:
    return value if math.isfinite(value) else math.nan
