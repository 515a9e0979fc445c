"""PlaygroundSettings: every setting of one experiment, validated as a whole.

What it is: the pydantic model of docs/protocol.md §3 (defaults are the playground's),
the cross-field rules (which losses a problem allows, how many classes a dataset has,
playground vs Keras mode) and `merge_settings`, which applies a partial update.
What it is not: the effects of a change (session.py decides what regenerates or resets).
Trade-off: one flat model with every knob, re-validated whole after each partial update, so
cross-field rules live in one place at the cost of re-validating ~25 fields (microseconds).
"""

from collections.abc import Callable, Collection
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.engine import INITIALIZERS, OPTIMIZERS, make_optimizer
from app.playground import registry
from app.playground.datasets import DATASETS
from app.playground.errors import ProtocolError, settings_error
from app.playground.features import FEATURE_ORDER

HARD_MAX_LAYERS, HARD_MAX_NEURONS = 10, 16
SPEED_MAX = 10_000.0

Finite = Annotated[float, Field(allow_inf_nan=False)]

# Each named field's allowed values, looked up at validation time in the registries.
_NAMED: dict[str, Callable[[], Collection[str]]] = {
    "dataset": registry.classification_datasets,
    "reg_dataset": registry.regression_datasets,
    "activation": registry.activation_names,
    "loss": lambda: registry.LOSS_ROWS,
    "optimizer": lambda: OPTIMIZERS,
    "initializer": lambda: INITIALIZERS,
}


def known_name(
    tables: dict[str, Callable[[], Collection[str]]], value: str, info: ValidationInfo
) -> str:
    """`value` if its field's table (looked up now, so a test may add a row) has it, else a
    ValueError listing the valid names. Settings models validate named fields with this."""
    names = tables[info.field_name or ""]()
    if value not in names:
        raise ValueError(f"unknown {info.field_name} {value!r}; valid: {', '.join(names)}")
    return value


class Strict(BaseModel):
    """Unknown keys, NaN and infinity are refused; instances are immutable."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class PlaygroundSettings(Strict):
    """Every setting of one experiment (docs/protocol.md §3); defaults are the playground's."""

    dataset: str = "circle"
    reg_dataset: str = "reg-plane"
    problem: Literal["classification", "regression"] = "classification"
    noise: Annotated[float, Field(ge=0, le=80)] = 0
    percent_train: Annotated[float, Field(ge=10, le=90)] = 50
    batch_size: Annotated[int, Field(ge=1, le=1200)] = 10
    learning_rate: Annotated[float, Field(ge=1e-7, le=10)] = 0.03
    activation: str = "tanh"
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
    loss: str = "playground"
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

    @field_validator(*_NAMED)
    @classmethod
    def _known_name(cls, value: str, info: ValidationInfo) -> str:
        """A name a user picks must be in the registry for that field (app/playground/registry)."""
        return known_name(_NAMED, value, info)

    @field_validator("optimizer_options")
    @classmethod
    def _options_fit(cls, value: dict[str, float | bool], info: ValidationInfo) -> Any:
        """The options must be the chosen optimizer's, in its ranges: checked by building it,
        once, here (the engine's rules: optimizer_base.py), so a session never has to."""
        name, rate = info.data.get("optimizer"), info.data.get("learning_rate")
        if name is None or rate is None:
            return value  # already refused
        try:
            make_optimizer(name, learning_rate=rate, **value)
        except (TypeError, ValueError) as exc:
            reason = {"reason": str(exc)}
            raise PydanticCustomError("optimizer_options", "{reason}", reason) from None
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
            return registry.valid_losses("regression")
        return registry.valid_losses("multiclass" if self.classes > 2 else "binary")

    @property
    def mode(self) -> Literal["playground", "keras"]:
        """'playground' when every part follows the playground's rules (docs/architecture.md §1)."""
        plain = self.optimizer == "sgd" and not any(
            self.optimizer_options.get(k) for k in ("momentum", "decay")
        )
        same = self.loss == "playground" and self.initializer == "playground"
        return "playground" if plain and same and not self.shuffle else "keras"

    @property
    def mode_reasons(self) -> list[str]:
        """Why the run is in Keras mode, in words for the badge: empty in playground mode."""
        reasons = []
        options = self.optimizer_options
        if self.optimizer != "sgd":
            reasons.append(f"the {OPTIMIZERS[self.optimizer].__name__} optimizer")
        elif options.get("momentum"):
            reasons.append(f"SGD with momentum {_number(options['momentum'])}")
        if options.get("decay"):
            reasons.append(f"learning-rate decay {_number(options['decay'])}")
        if self.loss != "playground":
            reasons.append(f"{registry.LOSS_ROWS[self.loss].label.lower()} loss")
        if self.initializer != "playground":
            reasons.append(f"the {self.initializer} initializer")
        if self.shuffle:
            reasons.append("shuffling each epoch")
        return reasons


def _number(value: float | bool) -> str:
    """A number as the page writes it: 0.9, 1, 1e-07."""
    return f"{float(value):g}"


def merge_settings(current: PlaygroundSettings, patch: dict[str, Any]) -> PlaygroundSettings:
    """Apply a partial update; the result is validated as a whole (unknown keys refused).

    A dataset or problem switch that leaves the loss invalid picks the first valid one
    (multi-class needs categorical cross-entropy); an explicitly invalid loss is an error.
    """
    try:
        merged = PlaygroundSettings.model_validate({**current.model_dump(), **patch})
    except ValidationError as exc:
        raise settings_error(exc) from None
    if merged.loss in merged.valid_losses:
        return merged
    if "loss" in patch:
        valid = ", ".join(merged.valid_losses)
        raise ProtocolError("invalid_message", f"settings.loss: use {valid} here", "settings.loss")
    return merged.model_copy(update={"loss": merged.valid_losses[0]})
