"""DigitsSettings: the model and the training of one digits session, in Keras's vocabulary.

What it is: the pydantic model of a digits experiment (docs/digits.md): the data, 0-3 hidden
`Dense` layers with their activations, the output (always `Dense(10, softmax)`), the
initializer, optimizer and its keyword arguments, and `fit()`'s batch size, epochs,
validation split and shuffle; plus the precision and the seed. `merge` applies a partial
update and re-validates the whole; `Limits` is what this server lets a session build.
What it is not: the effects of a change (session.py decides what resets) or the engine.
Trade-off: the names the user picks are validated against the engine's and the sources'
tables at call time (one source of truth), so the page's lists, the settings and the
exported script cannot disagree.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator

from app.digits.sources import SOURCES
from app.engine import HIDDEN_ACTIVATIONS, INITIALIZERS, OPTIMIZERS
from app.playground.errors import ProtocolError, settings_error
from app.playground.settings import Finite, Strict, known_name

INPUTS, CLASSES = 28 * 28, 10
HARD_MAX_LAYERS, HARD_MAX_UNITS, HARD_MAX_BATCH = 3, 1024, 1024
# The playground's own U(-0.5, 0.5) scheme has no Keras name and is drawn value by value
# (seconds for a 784x1024 layer): the digits workspace offers the Keras ones and zeros.
EXCLUDED_INITIALIZERS = frozenset({"playground"})
# What a change leaves running: the rate from the next update, the rest from the next
# epoch (the batch size and shuffling of an epoch under way stay as they were).
LIVE_KEYS = frozenset({"learning_rate", "batch_size", "epochs", "shuffle", "precision"})


def initializer_names() -> tuple[str, ...]:
    return tuple(name for name in INITIALIZERS if name not in EXCLUDED_INITIALIZERS)


# Each named field's allowed values, looked up at validation time.
_NAMED: dict[str, Callable[[], Collection[str]]] = {
    "data": lambda: SOURCES,
    "initializer": initializer_names,
    "optimizer": lambda: OPTIMIZERS,
}


class HiddenLayer(Strict):
    """One hidden `Dense(units, activation=...)`."""

    units: Annotated[int, Field(ge=1, le=HARD_MAX_UNITS)]
    activation: str = "relu"

    @field_validator("activation")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in HIDDEN_ACTIVATIONS:
            valid = ", ".join(HIDDEN_ACTIVATIONS)
            raise ValueError(f"unknown activation {value!r}; valid: {valid}")
        return value


class DigitsSettings(Strict):
    """Every setting of a digits experiment; the defaults are the article's model."""

    data: str = "sample"
    train_images: Annotated[int, Field(ge=100, le=60_000)] | None = None  # None: all there are
    layers: Annotated[tuple[HiddenLayer, ...], Field(max_length=HARD_MAX_LAYERS)] = (
        HiddenLayer(units=10, activation="sigmoid"),
    )
    initializer: str = "glorot_uniform"
    optimizer: str = "sgd"
    learning_rate: Annotated[float, Field(ge=1e-7, le=10)] = 0.01
    optimizer_options: Annotated[dict[str, Finite | bool], Field(max_length=12)] = Field(
        default_factory=dict
    )
    batch_size: Annotated[int, Field(ge=1, le=HARD_MAX_BATCH)] = 100
    epochs: Annotated[int, Field(ge=1, le=1000)] = 5
    validation_split: Annotated[float, Field(ge=0, le=0.5)] = 0.0
    shuffle: bool = True
    precision: Literal["float64", "float32"] = "float64"
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0

    @field_validator(*_NAMED)
    @classmethod
    def _known_name(cls, value: str, info: ValidationInfo) -> str:
        """A name the user picks must be in its table (one source of truth)."""
        return known_name(_NAMED, value, info)

    @property
    def layer_sizes(self) -> list[int]:
        """[784, *hidden units, 10]."""
        return [INPUTS, *(layer.units for layer in self.layers), CLASSES]

    @property
    def activations(self) -> list[str]:
        """One per layer with weights: the hidden ones, then softmax."""
        return [layer.activation for layer in self.layers] + ["softmax"]

    @property
    def params(self) -> int:
        """model.summary()'s total: every kernel and bias."""
        sizes = self.layer_sizes
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def merge(current: DigitsSettings, patch: dict[str, Any]) -> DigitsSettings:
    """Apply a partial update, re-validated whole; a bad one is a ProtocolError naming the
    field (settings.<name>), and nothing changes."""
    try:
        return DigitsSettings.model_validate({**current.model_dump(), **patch})
    except ValidationError as exc:
        raise settings_error(exc) from None


@dataclass(frozen=True, slots=True)
class Limits:
    """What this server lets one digits session use (app/web/config.py, docs/deploy.md)."""

    max_units: int = HARD_MAX_UNITS
    max_params: int = 1_000_000
    max_train_images: int = 60_000
    max_test_images: int = 10_000

    def check(self, s: DigitsSettings) -> None:
        """Refuse a model or a data size beyond this server's caps (a typed error)."""
        widest = max((layer.units for layer in s.layers), default=0)
        if widest > self.max_units:
            message = f"at most {self.max_units} units per layer on this server"
            raise ProtocolError("invalid_message", message, "settings.layers")
        if s.params > self.max_params:
            message = (
                f"this model has {s.params:,} parameters; this server trains at most "
                f"{self.max_params:,} per session (fewer or narrower layers)"
            )
            raise ProtocolError("invalid_message", message, "settings.layers")
        if s.train_images is not None and s.train_images > self.max_train_images:
            message = f"at most {self.max_train_images:,} training images per session here"
            raise ProtocolError("invalid_message", message, "settings.train_images")
