"""`keras_student_script(record)`: the "Keras script" download, idiomatic Keras 3 to read.

What it is: source text a student can read top to bottom and run on any Keras backend
(TensorFlow, JAX or PyTorch): the run's data and initial weights, `keras.Sequential`, the
optimizer, loss and kernel regularizer in `model.compile(...)`, then
`model.fit(..., batch_size, epochs)`, printing the playground's loss before and after.
What it is not: a replay. It is held to "trains like the page", not to the page's digits;
the header lists every place where it parts from the playground run, and points at the
"Keras exact replay" download (keras_script.py) for the numbers.
Trade-off: plain Keras over fidelity: float32, fit's own batching and shuffling, no dead
links and no recorded events, so that nothing in it is there only to match the page.
"""

import textwrap
from string import Template

from app.export.keras_script import (
    KERAS_LOSSES,
    build_model_source,
    inverse_time_decay,
    keras_optimizer,
)
from app.export.record import RunRecord, carries_over, kills_links, never_updates
from app.export.script_needs import PREAMBLES, needs_line
from app.export.script_parts import (
    data_section,
    docstring,
    float_repr,
    header_lines,
    order_and_loss_source,
)

DEFAULT_EPOCHS = 100

HALF_SQUARED_ERROR = '''

def half_squared_error(y_true, y_pred):
    """The playground's loss for one sample, ½·Σ(o − t)² over the outputs. Keras averages it
    over each batch; it is half of Keras's "mean_squared_error" for one output."""
    return 0.5 * keras.ops.sum(keras.ops.square(y_true - y_pred), axis=-1)
'''

SCRIPT = Template("""\
$docstring

$preamble
$epochs_line
BATCH_SIZE = $batch_size
SHUFFLE = $shuffle
$custom_loss

$build_model

$order_and_loss

def main():
    print(f"Keras {keras.__version__} on the {keras.backend.backend()} backend")
    model = build_model()
    before = display_loss(model.predict(F_TRAIN, verbose=0), Y_TRAIN)
    model.fit(
        F_TRAIN,
        Y_TRAIN,
        batch_size=BATCH_SIZE,
        epochs=EPOCHS,
        shuffle=SHUFFLE,
        validation_data=(F_TEST, Y_TEST),
        verbose=2,
    )
    train = display_loss(model.predict(F_TRAIN, verbose=0), Y_TRAIN)
    test = display_loss(model.predict(F_TEST, verbose=0), Y_TEST)
    print(f"loss before training {before:.6g}")
    print(f"after {EPOCHS} epochs: loss {train:.6g} test_loss {test:.6g}")


$data

if __name__ == "__main__":
    main()
""")


def keras_student_script(record: RunRecord) -> str:
    """A readable Keras 3 script that trains like `record`'s run (see the module docstring)."""
    s = record.settings
    epochs = record.epochs or DEFAULT_EPOCHS
    epochs_line = f"EPOCHS = {epochs}"
    if not record.epochs:
        epochs_line += "  # the run was at epoch 0 when exported; 100 epochs to watch it learn"
    lines = header_lines(record, "Keras 3", caveats=False)
    lines[0] = "Keras 3 script for an NN Playground run: read it, run it on any Keras backend."
    lines.insert(1, needs_line("keras"))
    return SCRIPT.substitute(
        docstring=docstring(lines + differences(record)),
        preamble=PREAMBLES["keras"],
        epochs_line=epochs_line,
        batch_size=s.batch_size,
        shuffle=s.shuffle,
        custom_loss=HALF_SQUARED_ERROR if s.loss == "playground" else "",
        build_model=build_model_source(
            record,
            keras_optimizer(record, _learning_rate(record)),
            "half_squared_error" if s.loss == "playground" else KERAS_LOSSES[s.loss],
            schedule=None,
        ),
        order_and_loss=order_and_loss_source(record),
        data=data_section(
            record, "# Keras layout [W1, b1, W2, b2, ...], W of shape (inputs, units)."
        ),
    )


def _learning_rate(record: RunRecord) -> str:
    """The rate, or its schedule where the run decays it."""
    return inverse_time_decay(record) or float_repr(record.settings.learning_rate)


def differences(record: RunRecord) -> list[str]:
    """Header lines: where this script parts from the playground run, and where to go for
    the page's exact numbers."""
    s = record.settings
    notes = [
        "Keras computes in float32 by default; the playground trains in float64, so the "
        "losses drift apart slowly.",
    ]
    if never_updates(record):
        notes.append(
            never_updates(record)[0] + " fit trains on the short batch instead, so its loss "
            "falls while the page's stays where it started."
        )
    elif carries_over(record):
        rest = len(record.Ftr) % s.batch_size
        notes.append(
            f"fit makes the last {rest} samples of each epoch a short batch of their own; the "
            "playground carries them into the next epoch's first batch."
        )
    if kills_links(s):
        notes.append(
            "L1 here only shrinks weights; the playground also kills a link whose weight the "
            "L1 step pushes across zero, and never updates it again."
        )
    if s.shuffle:
        notes.append("fit shuffles with Keras's own random numbers, not the page's.")
    if record.replay.events:
        notes.append(
            "What you did during the run (learning-rate changes, edits, new or added data) is "
            "not in this script; it trains the first data from the first weights."
        )
    if not record.epochs:
        notes.append(f"The run was at epoch 0, so EPOCHS is set to {DEFAULT_EPOCHS}.")
    lines = ["", "Where this script differs from the playground run:"]
    for note in notes:
        lines += textwrap.wrap(note, 92, initial_indent="- ", subsequent_indent="  ")
    lines += [
        "",
        'For the page\'s exact numbers, download "Keras exact replay" instead: it replays the',
        "run step by step in float64 and prints the page's loss after every epoch.",
    ]
    return lines
