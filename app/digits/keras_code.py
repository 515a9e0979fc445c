"""The Keras code a digits experiment amounts to: `Sequential`, `compile()` and `fit()`.

What it is: the source lines the page's model panel shows and the exported script runs,
written once: `model_source`, `compile_source`, `fit_source` and `optimizer_source`. The
article's own model reads as the article writes it (`optimizer="sgd"`,
`metrics=["accuracy"]`); only what differs from Keras's defaults is spelt out.
What it is not: a script (export.py wraps these lines in one) or a replay: Keras's `fit`
shuffles with its own random numbers, so the code trains like the page, not to its digits.
Trade-off: defaults are left out (as a person writes Keras), which needs the defaults; they
come from the engine's optimizer dataclasses, which mirror Keras 3's.
"""

import dataclasses

from app.digits.settings import DigitsSettings
from app.engine import OPTIMIZERS

INDENT = "    "


def number(x: float | bool) -> str:
    """A hyperparameter as Python source, a float always (Keras refuses learning_rate=1).
    Example: 0.01 -> '0.01', 1 -> '1.0', 1e-07 -> '1e-07'."""
    return repr(x) if isinstance(x, bool) else repr(float(x))


def keras_defaults(name: str) -> dict[str, object]:
    """Every keyword of Keras's optimizer `name` with its default (the engine's fields)."""
    return {f.name: f.default for f in dataclasses.fields(OPTIMIZERS[name])}


def optimizer_source(s: DigitsSettings) -> str:
    """`"sgd"` for Keras's defaults (the article's string form), else the optimizer class
    with the arguments that differ, legacy decay as InverseTimeDecay (Keras 3 has no decay=).

    Example: SGD at 0.1 with momentum 0.9 -> 'keras.optimizers.SGD(learning_rate=0.1,
    momentum=0.9)'.
    """
    defaults = keras_defaults(s.optimizer)
    given = {"learning_rate": s.learning_rate, **s.optimizer_options}
    changed = {k: v for k, v in given.items() if k in defaults and v != defaults[k]}
    if not changed:
        return f'"{s.optimizer}"'
    decay = changed.pop("decay", 0.0)
    args = [f"{k}={number(v)}" for k, v in changed.items() if k != "learning_rate"]
    lr = number(s.learning_rate)
    if decay:
        lr = (
            f"keras.optimizers.schedules.InverseTimeDecay({lr}, decay_steps=1, "
            f"decay_rate={number(decay)})"
        )
    if decay or "learning_rate" in changed:
        args.insert(0, f"learning_rate={lr}")
    return f"keras.optimizers.{OPTIMIZERS[s.optimizer].__name__}({', '.join(args)})"


def dense_line(units: int, activation: str, initializer: str) -> str:
    """One layer. Example: (512, 'relu', 'glorot_uniform') -> 'keras.layers.Dense(512,
    activation="relu"),'; another initializer adds kernel_initializer=…."""
    extra = "" if initializer == "glorot_uniform" else f', kernel_initializer="{initializer}"'
    return f'keras.layers.Dense({units}, activation="{activation}"{extra}),'


def model_source(s: DigitsSettings) -> list[str]:
    """`model = keras.Sequential([...])` as lines."""
    layers = [dense_line(layer.units, layer.activation, s.initializer) for layer in s.layers]
    layers.append(dense_line(10, "softmax", s.initializer))
    body = [INDENT + "keras.Input(shape=(784,)),"] + [INDENT + line for line in layers]
    return ["model = keras.Sequential([", *body, "])"]


def compile_source(s: DigitsSettings) -> list[str]:
    return [
        "model.compile(",
        f'{INDENT}loss="categorical_crossentropy",',
        f"{INDENT}optimizer={optimizer_source(s)},",
        f'{INDENT}metrics=["accuracy"],',
        ")",
    ]


def fit_source(s: DigitsSettings, x: str = "x_train", y: str = "y_train") -> list[str]:
    """`model.fit(...)` with Keras's defaults left out (shuffle=True, validation_split=0)."""
    args = [x, y, f"epochs={s.epochs}", f"batch_size={s.batch_size}"]
    if s.validation_split:
        args.append(f"validation_split={number(s.validation_split)}")
    if not s.shuffle:
        args.append("shuffle=False")
    return [f"history = model.fit({', '.join(args)})"]


def precision_lines(s: DigitsSettings) -> list[str]:
    if s.precision == "float64":
        return ['keras.config.set_floatx("float64")  # the page computes in float64']
    return ["# float32: Keras's default precision, as on the page"]


def panel_code(s: DigitsSettings) -> dict[str, list[str]]:
    """What the page's model panel shows, by section."""
    return {
        "model": precision_lines(s) + model_source(s),
        "compile": compile_source(s),
        "fit": fit_source(s),
    }
