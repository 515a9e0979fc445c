"""`keras_script(record)`: a standalone Keras 3 script that reruns a playground run.

What it is: source text for a script that builds `keras.Sequential` with the run's layers,
activations and kernel regularizer, sets the initial weights, compiles the Keras optimizer
and loss that the engine mirrors (docs/keras-rules.md), then calls `train_on_batch`
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

from app.export.record import RunRecord, layer_sizes
from app.export.replay_source import (
    REPLAY_SOURCE,
    events_section,
    replay_constants,
    replay_facts,
)
from app.export.script_needs import PREAMBLES, needs_line
from app.export.script_parts import (
    data_section,
    docstring,
    float_repr,
    header_lines,
    order_and_loss_source,
)
from app.playground.build import optimizer_from
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

BUILD_MODEL = Template('''\
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
$schedule    optimizer = $optimizer
    model.compile(optimizer=optimizer, loss=$loss)
    return $returns
''')

SCRIPT = Template('''\
$docstring

$preamble
EPOCHS = $epochs
$constants

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

$build_model

$order_and_loss
$replay

def apply_event(model, schedule, event, data, rate, rng):
    """One recorded event: a learning-rate change, a hand edit or a data event."""
    kind, *args = event
    if kind == "learning_rate":
        rate.base = args[0]
        if schedule is not None:  # the decay schedule reads its base rate at every update
            schedule.initial_learning_rate = args[0]
        else:
            model.optimizer.learning_rate = args[0]
    elif not data.apply(event, rng):
        layer, *where, value = args
        dense = model.layers[layer]
        variable = dense.kernel if kind == "weight" else dense.bias
        values = keras.ops.convert_to_numpy(variable).copy()
        values[tuple(where)] = value
        variable.assign(values)


def train_batch(model, f, y, lr, dead):
    """One update (train_on_batch at rate lr), then L1's dead links on the kernels."""
    kernels = [layer.kernel for layer in model.layers]
    before = [keras.ops.convert_to_numpy(k).copy() for k in kernels] if KILLS_LINKS else None
    model.train_on_batch(f, y)
    if KILLS_LINKS:
        for kernel, w_old, d in zip(kernels, before, dead):
            w = keras.ops.convert_to_numpy(kernel).copy()
            kill_crossings(w, w_old, d, lr)
            kernel.assign(w)


def main():
    if FLOAT64:
        use_float64()
    model, schedule = build_model()
    data, rate, rng, carried, updates = Data(), Rate(), shuffler(), None, 0
    dead = [np.zeros(tuple(layer.kernel.shape), dtype=bool) for layer in model.layers]
    for epoch in range(1, EPOCHS + 1):
        for event in EVENTS.get(epoch - 1, ()):
            apply_event(model, schedule, event, data, rate, rng)
        F, Y = data.train()
        batches, carried = epoch_batches(F, Y, epoch_order(rng, len(F)), carried)
        for f, y in batches:
            train_batch(model, f, y, rate.at(updates), dead)
            updates += 1
        train = display_loss(model.predict(F, verbose=0), Y)
        test = display_loss(model.predict(data.test[0], verbose=0), data.test[1])
        print(f"epoch {epoch} loss {train:.12g} test_loss {test:.12g}")


$data

$events

if __name__ == "__main__":
    main()
''')


def keras_script(record: RunRecord) -> str:
    """A complete, runnable Keras 3 script (torch backend by default) reproducing `record`."""
    s = record.settings
    decay = optimizer_from(s).decay
    lines = header_lines(record, "Keras 3") + replay_facts(record) + PRECISION_NOTE
    lines.insert(1, needs_line("keras_replay"))
    return SCRIPT.substitute(
        docstring=docstring(lines),
        preamble=PREAMBLES["keras_replay"],
        epochs=record.epochs,
        constants=replay_constants(record, decay),
        custom_loss=PLAYGROUND_LOSS if s.loss == "playground" else "",
        build_model=build_model_source(
            record, keras_optimizer(record), KERAS_LOSSES[s.loss], keras_schedule(record)
        ),
        order_and_loss=order_and_loss_source(record),
        replay=REPLAY_SOURCE,
        data=data_section(
            record, "# Keras layout [W1, b1, W2, b2, ...], W of shape (inputs, units)."
        ),
        events=events_section(record),
    )


def build_model_source(record: RunRecord, optimizer: str, loss: str, schedule: str | None) -> str:
    """Both Keras scripts' `build_model()`: the run's layers and initial weights, compiled.
    With a `schedule` (the replay's), it is built first and returned beside the model."""
    s = record.settings
    return BUILD_MODEL.substitute(
        regularizer=keras_regularizer(record),
        inputs=len(s.features),
        layers=textwrap.indent(keras_layers(record), " " * 12),
        schedule="" if schedule is None else f"    schedule = {schedule}\n",
        optimizer=optimizer,
        loss=loss,
        returns="model" if schedule is None else "model, schedule",
    )


def keras_layers(record: RunRecord) -> str:
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


def keras_schedule(record: RunRecord) -> str:
    """The replay's schedule: inverse_time_decay, or None at a constant rate."""
    return inverse_time_decay(record) or "None  # a constant learning rate"


def inverse_time_decay(record: RunRecord) -> str | None:
    """Keras 2's legacy decay= as Keras 3's InverseTimeDecay (Keras 3 ignores decay=;
    lr_k = lr / (1 + decay·k) is this schedule: docs/keras-rules.md §2), None without."""
    config = optimizer_from(record.settings).config()
    if not config["decay"]:
        return None
    lr, decay = float_repr(config["learning_rate"]), float_repr(config["decay"])
    return f"keras.optimizers.schedules.InverseTimeDecay({lr}, decay_steps=1, decay_rate={decay})"


def keras_optimizer(record: RunRecord, lr: str = "schedule or LEARNING_RATE") -> str:
    """`keras.optimizers.X(...)` with every hyperparameter; `lr` is the learning-rate source."""
    config: dict[str, Any] = optimizer_from(record.settings).config()
    name = config.pop("name")
    config.pop("decay"), config.pop("learning_rate")
    kwargs = {"learning_rate": lr} | {k: repr(v) for k, v in config.items()}
    args = "".join(f"\n        {k}={v}," for k, v in kwargs.items())
    return f"keras.optimizers.{KERAS_OPTIMIZERS[name]}({args}\n    )"
