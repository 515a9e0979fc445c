"""The registries: every name a user can pick, with what the page shows for it, defined once.

What it is: the datasets (label, problem, classes), features (labels), activations, losses
(labels and the problems each is valid for), optimizers (hyperparameters with their Keras 3
defaults), initializers, speeds, learning and regularization rates, hide flags, and the
credit cap the page grants up to. Names and
defaults come from the engine and the playground modules that implement them; this module adds
the labels and the page's order. `PlaygroundSettings` validates against these tables, the
template renders its lists from them, and `page_registries()` hands them to the page's JS once,
as the JSON island `<script type="application/json" id="registries">`.
What it is not: behaviour. Which setting resets what lives in session.py; the maths in app/engine.
Trade-off: the tables are read at call time (not frozen at import), so a test can add a row
with monkeypatch and see it in the settings, the page and the JSON without restarting anything.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from app.engine import HIDDEN_ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS
from app.playground.datasets import DATASETS
from app.playground.features import FEATURES

ProblemKind = Literal["binary", "multiclass", "regression"]

PROBLEMS: dict[str, str] = {"classification": "Classification", "regression": "Regression"}

ACTIVATION_LABELS: dict[str, str] = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "linear": "Linear",
}


@dataclass(frozen=True, slots=True)
class LossRow:
    """A loss the page offers: its label and the kinds of problem it is valid for."""

    label: str
    valid_for: tuple[ProblemKind, ...]


# The first valid loss of a kind is what a dataset or problem switch falls back to.
LOSS_ROWS: dict[str, LossRow] = {
    "playground": LossRow("½ squared error (playground)", ("binary", "regression")),
    "mse": LossRow("Mean squared error", ("binary", "regression")),
    "binary_crossentropy": LossRow("Binary cross-entropy", ("binary",)),
    "categorical_crossentropy": LossRow("Categorical cross-entropy", ("multiclass",)),
}

INITIALIZER_LABELS: dict[str, str] = {
    "playground": "Playground: U(−0.5, 0.5), bias 0.1",
    "glorot_uniform": "Glorot uniform (Keras default)",
    "glorot_normal": "Glorot normal",
    "he_uniform": "He uniform",
    "he_normal": "He normal",
    "lecun_uniform": "LeCun uniform",
    "lecun_normal": "LeCun normal",
    "zeros": "Zeros",
    "random_normal": "Random normal (σ 0.05)",
    "random_uniform": "Random uniform (±0.05)",
}


@dataclass(frozen=True, slots=True)
class Hyperparameter:
    """How the page shows one optimizer keyword: URL hash key, label, input range and a hint."""

    hash: str
    label: str
    hint: str
    min: float | None = None
    max: float | None = None
    step: float | str | None = None


# Keyed by the Keras keyword; which optimizer takes which (and its default) comes from the engine.
HYPERPARAMETERS: dict[str, Hyperparameter] = {
    "momentum": Hyperparameter(
        "momentum", "Momentum", "0 … 1: how much of the last step carries over", 0, 1, 0.1
    ),
    "nesterov": Hyperparameter("nesterov", "Nesterov", "look ahead before the momentum step"),
    "rho": Hyperparameter(
        "rho", "Rho", "decay of the squared-gradient average, 0 … <1", 0, 0.999, 0.01
    ),
    "beta_1": Hyperparameter(
        "beta1", "β₁", "decay of the first-moment (mean) estimate, 0 … <1", 0, 0.999, 0.01
    ),
    "beta_2": Hyperparameter(
        "beta2", "β₂", "decay of the second-moment estimate, 0 … <1", 0, 0.9999, 0.001
    ),
    "epsilon": Hyperparameter("epsilon", "ε", "> 0: keeps the division stable", 1e-12, 1, "any"),
    "centered": Hyperparameter(
        "centered", "Centered", "normalise by the gradient's variance, not its raw second moment"
    ),
    "amsgrad": Hyperparameter("amsgrad", "AMSGrad", "use the largest second moment seen so far"),
    "initial_accumulator_value": Hyperparameter(
        "initialAccumulator",
        "Initial accumulator",
        "≥ 0: where the sum of squared gradients starts",
        0,
        10,
        0.1,
    ),
    "decay": Hyperparameter(
        "decay",
        "Learning-rate decay",
        "≥ 0: lr / (1 + decay · updates), the Keras 2 `decay=`",
        0,
        1e3,
        "any",
    ),
}

# Epochs per second; None is "max" (as fast as possible).
SPEEDS: tuple[float | None, ...] = (1, 5, 15, 60, 240, 1000, None)
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATIONS: dict[str, str] = {"none": "None", "L1": "L1", "L2": "L2"}
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
# Frames a client may have granted and not yet received (docs/protocol.md §7): the protocol's
# `credit` refuses more, the server's pacer caps what it holds, and the page grants no more.
MAX_CREDIT = 8

# The playground's 15 `_hide` flags (docs/playground-rules.md §8), `speed`, and ours (a
# teacher can hide them too).
HIDE_FLAGS: tuple[str, ...] = (
    "showTestData", "discretize", "playButton", "stepButton", "resetButton", "learningRate",
    "activation", "regularization", "regularizationRate", "problem", "dataset", "percTrainData",
    "noise", "batchSize", "numHiddenLayers", "speed",
    "training", "yourData", "exports", "confusion", "gradientView",
)  # fmt: skip

# The playground's URL hash keys for inputs, in its serialisation order; cosX and cosY are
# legacy keys it still writes (no feature of ours), kept so a playground link round-trips.
HASH_INPUT_KEYS: tuple[str, ...] = (
    "x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY",
)  # fmt: skip


def activation_names() -> tuple[str, ...]:
    """Names valid for `settings.activation` (the engine's hidden-layer activations)."""
    return HIDDEN_ACTIVATIONS


def classification_datasets() -> list[str]:
    """Names valid for `settings.dataset` (two or more classes)."""
    return [name for name, d in DATASETS.items() if d.problem != "regression"]


def regression_datasets() -> list[str]:
    """Names valid for `settings.reg_dataset`."""
    return [name for name, d in DATASETS.items() if d.problem == "regression"]


def valid_losses(kind: ProblemKind) -> tuple[str, ...]:
    """The losses valid for a kind of problem, in the page's order (the first is the fallback)."""
    return tuple(name for name, row in LOSS_ROWS.items() if kind in row.valid_for)


# The keywords that are switches (nesterov, centered, amsgrad), read from the engine's defaults.
BOOLEAN_KEYWORDS = frozenset(
    f.name
    for cls in OPTIMIZERS.values()
    for f in dataclasses.fields(cls)
    if isinstance(f.default, bool)
)


def optimizer_defaults(name: str) -> tuple[float, dict[str, Any]]:
    """(Keras 3 default learning rate, hyperparameter defaults in Keras order, decay last)."""
    fields: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(OPTIMIZERS[name])}
    lr = fields.pop("learning_rate")
    decay = fields.pop("decay")
    return float(lr), {**fields, "decay": decay}


def _hyperparameter(key: str, default: object) -> dict[str, Any]:
    row = dataclasses.asdict(HYPERPARAMETERS[key])
    kind = "bool" if isinstance(default, bool) else "number"
    return {"key": key, "type": kind, **{k: v for k, v in row.items() if v is not None}}


def _speed_label(speed: float | None) -> str:
    if speed is None:
        return "max"
    return f"{speed:g} epoch/s" if speed == 1 else f"{speed:g} epochs/s"


def page_registries() -> dict[str, Any]:
    """Everything the page lists, as JSON-able data (the template and the JSON island)."""
    optimizers = {}
    for name, cls in OPTIMIZERS.items():
        lr, defaults = optimizer_defaults(name)
        optimizers[name] = {"label": cls.__name__, "lr": lr, "defaults": defaults}
    first_default = {k: v for name in OPTIMIZERS for k, v in optimizer_defaults(name)[1].items()}
    return {
        "datasets": {
            name: {"label": d.label, "problem": d.problem, "classes": d.classes}
            for name, d in DATASETS.items()
        },
        "features": {key: {"label": f.label} for key, f in FEATURES.items()},
        "hash_input_keys": list(HASH_INPUT_KEYS),
        "problems": PROBLEMS,
        "activations": {name: ACTIVATION_LABELS.get(name, name) for name in activation_names()},
        "losses": {
            name: {"label": row.label, "valid_for": list(row.valid_for)}
            for name, row in LOSS_ROWS.items()
            if name in LOSSES
        },
        "optimizers": optimizers,
        "hyperparameters": [_hyperparameter(k, first_default.get(k)) for k in HYPERPARAMETERS],
        "initializers": {
            name: INITIALIZER_LABELS.get(name, name)
            for name in [*INITIALIZER_LABELS, *INITIALIZERS]
            if name in INITIALIZERS
        },
        "speeds": [{"value": s, "label": _speed_label(s)} for s in SPEEDS],
        "learning_rates": list(LEARNING_RATES),
        "regularizations": REGULARIZATIONS,
        "regularization_rates": list(REGULARIZATION_RATES),
        "hide_flags": list(HIDE_FLAGS),
        "max_credit": MAX_CREDIT,
    }


if __name__ == "__main__":  # writes tests/js/registries.json: python -m app.playground.registry
    import json

    print(json.dumps(page_registries(), ensure_ascii=False, indent=1))
