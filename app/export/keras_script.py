"""`keras_script(record)`: a standalone Keras 3 script that reruns a playground run.

What it is: source text for a script that builds `keras.Sequential` with the run's layers,
activations and kernel regularizer, sets the initial weights, compiles the Keras optimizer
and loss that the engine mirrors (spec/keras-optimizers.md), then calls `train_on_batch`
per batch in the engine's order and prints each epoch's display loss.
What it is not: an exporter of the playground's own quirks. Carried-over batches and L1 dead
links have no Keras equivalent; the header says so when they occur.
Trade-off: the script runs Keras in float64 by patching one private table. On the torch
backend Keras demotes float64 results to float32 in its type promotion, so
`floatx="float64"` alone leaves parts of each step in float32. Measured over the export
test's ten 8-epoch runs: plain float32 Keras is 2e-8 to 1e-5 off the engine, and 9e-3 in a
relu run at lr 0.1; floatx alone 4e-9 to 9e-6, and 7e-4 there; patched, every run agrees to
the 12 printed digits. The price is a dependency on `keras.src`, so one flag (FLOAT64) in
the script turns it off.
"""

import textwrap
from string import Template
from typing import Any

from app.export.record import RunRecord, layer_sizes, optimizer_of
from app.export.script_parts import (
    data_section,
    docstring,
    float_repr,
    header_lines,
    order_and_loss_source,
)
from app.playground.labels import output_activation

KERAS_OPTIMIZERS = {
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
    "adadelta": "Adadelta",
    "adam": "Adam",
    "adamax": "Adamax",
    "nadam": "Nadam",
}

KERAS_LOSSES = {
    "playground": "playground_loss",
    "mse": '"mean_squared_error"',
    "binary_crossentropy": '"binary_crossentropy"',
    "categorical_crossentropy": '"categorical_crossentropy"',
}

PLAYGROUND_LOSS = '''

def playground_loss(y_true, y_pred):
    """The playground's per-sample error ½Σ(o−t)²; Keras averages it over the batch."""
    return 0.5 * keras.ops.sum(keras.ops.square(y_true - y_pred), axis=-1)
'''

PRECISION_NOTE = [
    "",
    "Precision: FLOAT64 = True (below) runs Keras in float64 like the playground's engine; the",
    "losses then match the engine's to about 1e-12 relative. FLOAT64 = False runs Keras's",
    "default float32: typically 1e-8 to 1e-5 off, but up to 1e-2 in a sensitive run (relu at",
    "a high learning rate), where float32 rounding grows over the epochs.",
]

SCRIPT = Template('''\
$docstring

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402

EPOCHS = $epochs
BATCH_SIZE = $batch_size

# The engine trains in float64; Keras defaults to float32. On the torch backend Keras also
# turns float64 results into float32 in its type promotion even with floatx="float64" (its
# table BIT64_TO_BIT32_DTYPE, which follows JAX). FLOAT64 lifts both, for this process only.
FLOAT64 = True


def use_float64():
    """float64 variables and inputs, and no float64 -> float32 demotion in Keras's ops."""
    keras.config.set_floatx("float64")
    # A private module, checked on Keras 3.15; if a later Keras moves it, set FLOAT64 = False.
    from keras.src.backend.common import dtypes

    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"
$custom_loss

def build_model():
    """The network with the run's initial weights, compiled with its optimizer and loss."""
    penalty = $regularizer
    model = keras.Sequential(
        [
            keras.Input(($inputs,)),
$layers
        ]
    )
    model.set_weights(INITIAL_WEIGHTS)
    optimizer = $optimizer
    model.compile(optimizer=optimizer, loss=$loss)
    return model


$order_and_loss

def main():
    if FLOAT64:
        use_float64()
    model = build_model()
    for epoch, order in enumerate(epoch_orders(), start=1):
        # One update per batch of BATCH_SIZE rows; a short last batch is its own update.
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            model.train_on_batch(F_TRAIN[rows], Y_TRAIN[rows])
        train = display_loss(model.predict(F_TRAIN, verbose=0), Y_TRAIN)
        test = display_loss(model.predict(F_TEST, verbose=0), Y_TEST)
        print(f"epoch {epoch} loss {train:.12g} test_loss {test:.12g}")


$data

if __name__ == "__main__":
    main()
''')


def keras_script(record: RunRecord) -> str:
    """A complete, runnable Keras 3 script (torch backend by default) reproducing `record`."""
    s = record.settings
    return SCRIPT.substitute(
        docstring=docstring(header_lines(record, "Keras 3") + PRECISION_NOTE),
        epochs=record.epochs,
        batch_size=s.batch_size,
        custom_loss=PLAYGROUND_LOSS if s.loss == "playground" else "",
        inputs=len(s.features),
        regularizer=keras_regularizer(record),
        layers=textwrap.indent(_layers(record), " " * 12),
        optimizer=keras_optimizer(record),
        loss=KERAS_LOSSES[s.loss],
        order_and_loss=order_and_loss_source(record),
        data=data_section(record),
    )


def _layers(record: RunRecord) -> str:
    """One `keras.layers.Dense(...)` line per layer, hidden ones first."""
    s = record.settings
    units = layer_sizes(s)[1:]
    acts = [s.activation] * len(s.network_shape) + [output_activation(s)]
    return "\n".join(
        f'keras.layers.Dense({n}, activation="{act}", kernel_regularizer=penalty),'
        for n, act in zip(units, acts, strict=True)
    )


def keras_regularizer(record: RunRecord) -> str:
    """Playground λ as Keras: L1 → L1(λ); L2 is λ·½w², so L2(λ/2)."""
    s = record.settings
    if s.regularization == "L1":
        return f"keras.regularizers.L1({float_repr(s.regularization_rate)})  # λΣ|w|"
    if s.regularization == "L2":
        rate = float_repr(s.regularization_rate / 2)
        return f"keras.regularizers.L2({rate})  # the playground's λ·½w² is Keras's (λ/2)·w²"
    return "None  # no regularization"


def keras_optimizer(record: RunRecord) -> str:
    """`keras.optimizers.X(...)` with every hyperparameter; legacy decay as InverseTimeDecay."""
    config: dict[str, Any] = optimizer_of(record.settings).config()
    name, decay = config.pop("name"), config.pop("decay")
    lr = float_repr(config.pop("learning_rate"))
    if decay:
        # keras-optimizers.md: Keras 3 ignores decay=; lr_k = lr / (1 + decay·k) is this.
        lr = (
            f"keras.optimizers.schedules.InverseTimeDecay({lr}, decay_steps=1, "
            f"decay_rate={float_repr(decay)})"
        )
    kwargs = {"learning_rate": lr} | {k: repr(v) for k, v in config.items()}
    args = "".join(f"\n        {k}={v}," for k, v in kwargs.items())
    return f"keras.optimizers.{KERAS_OPTIMIZERS[name]}({args}\n    )"
