"""The parts the Keras and PyTorch scripts share: header, data literals, batch order, loss.

What it is: functions that turn a RunRecord into pieces of Python source. The data become
exact literals (repr of each float64, which round-trips bit for bit); the batch order and the
display loss are written once here so that both scripts replay and measure the run the same
way as the engine (app/engine/training.py `train_epoch`, app/engine/losses.py).
What it is not: a framework mapping; keras_script.py and pytorch_script.py own those.
Trade-off: data are written as one literal row per line instead of compressed blobs, so a
script is larger (tens of kB) but readable, diffable and free of decoding code.
"""

import textwrap
from string import Template
from typing import Any

import numpy as np

from app.engine.types import FloatArray
from app.export.record import RunRecord, layer_sizes, reproduction_caveats
from app.playground.build import optimizer_from
from app.playground.labels import output_activation

DATA_BEGIN = "# ---- data: the engine's exact float64 values (repr round-trips) ----"
DATA_END = "# ---- end of data ----"

LOSS_NAMES = {
    "playground": "playground ½(o−t)² (per sample ½Σ(o−t)², batch mean)",
    "mse": "mean squared error",
    "binary_crossentropy": "binary cross-entropy on 0/1 targets (probabilities clipped to "
    "[1e-7, 1 − 1e-7])",
    "categorical_crossentropy": "categorical cross-entropy on one-hot targets (outputs "
    "renormalised to sum 1, then clipped to [1e-7, 1 − 1e-7])",
}

# The display loss of a frame, in NumPy float64 (app/engine/losses.py): p, y are (n, K).
DISPLAY_LOSS = {
    "playground": "return float(np.mean(0.5 * np.sum((p - y) ** 2, axis=1)))",
    "mse": "return float(np.mean(np.mean((p - y) ** 2, axis=1)))",
    "binary_crossentropy": (
        "q = np.clip(p, 1e-7, 1 - 1e-7)\n"
        "return float(np.mean(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q), axis=1)))"
    ),
    "categorical_crossentropy": (
        "q = np.clip(p / p.sum(axis=1, keepdims=True), 1e-7, 1 - 1e-7)\n"
        "return float(np.mean(-np.sum(y * np.log(q), axis=1)))"
    ),
}

ORDER_AND_LOSS = Template('''\
def display_loss(p, y):
    """The loss the playground shows for predictions p (n, K), without the penalty."""
    p = np.asarray(p, dtype=np.float64)
$body
''')


def order_and_loss_source(record: RunRecord) -> str:
    """Source of `display_loss(p, y)` for the record's loss."""
    body = textwrap.indent(DISPLAY_LOSS[record.settings.loss], "    ")
    return ORDER_AND_LOSS.substitute(body=body)


def header_lines(record: RunRecord, framework: str, caveats: bool = True) -> list[str]:
    """Docstring lines: what the script reproduces, the settings, and (for a replay) every
    caveat; `caveats=False` is the student script, which trains with fit instead."""
    s = record.settings
    sizes = "-".join(str(n) for n in layer_sizes(s))
    config = optimizer_from(s).config()
    network = f"the network {sizes} (inputs: {', '.join(s.features) or 'none'})"
    summary = (
        f"It rebuilds {network} with the run's initial weights, replays the same training "
        "data, batches, batch order, optimizer, regularization and your actions during the "
        f"run for {record.epochs} epochs, and prints the loss the playground displays after "
        "each epoch, on the training and the test set."
    )
    if not caveats:
        summary = (
            f"It builds {network} with the run's initial weights and trains it on the run's "
            "data with the same optimizer, loss and regularization: model.compile(...), then "
            "model.fit(...)."
        )
    facts = [
        f"Data: {s.active_dataset}, noise {s.noise:g}%, {s.percent_train:g}% training, seed "
        f"{s.seed!r}: {len(record.Ftr)} training and {len(record.Fte)} test samples.",
        f"Activations: {s.activation} (hidden), {output_activation(s)} (output).",
        f"Loss: {LOSS_NAMES[s.loss]}.",
        f"Optimizer: {config.pop('name')}, {fmt_kwargs(config)}.",
        f"Regularization: {s.regularization}, rate {s.regularization_rate:g} (kernels only).",
        f"Batch size {s.batch_size}, shuffle {'on' if s.shuffle else 'off'}.",
    ]
    lines = [f"{framework} reproduction of an NN Playground run.", "", *_wrap(summary), ""]
    for fact in facts:
        lines += _wrap(fact, indent="  ")
    notes = reproduction_caveats(record) if caveats else []
    if notes:
        lines += ["", "Caveats:"]
        for note in notes:
            lines += _wrap(note, first="- ", indent="  ")
    return lines


def _wrap(text: str, first: str = "", indent: str = "") -> list[str]:
    return textwrap.wrap(text, 92, initial_indent=first or indent, subsequent_indent=indent)


def docstring(lines: list[str]) -> str:
    """A module docstring of `lines`. Backslashes and double quotes are escaped: a seed may
    hold `\"\"\"` and must not end the docstring and put its remainder into the code."""
    text = "\n".join(lines).replace("\\", "\\\\").replace('"', '\\"')
    return f'"""{text}\n"""'


# ---- exact literals ----


def array_literal(a: FloatArray, indent: str = "") -> str:
    """Source that rebuilds `a` exactly, one row per line, closing at `indent`.

    Example: [[0.1, 2.0], [3.0, -0.5]] -> "np.array([\n    [0.1, 2.0],\n    [3.0, -0.5],\n])".
    """
    if a.size == 0:
        return f"np.zeros({a.shape!r})"
    if a.ndim == 1:
        return f"np.array([{_row(a)}])"
    rows = "".join(f"{indent}    [{_row(r)}],\n" for r in a)
    return f"np.array([\n{rows}{indent}])"


def _row(values: FloatArray) -> str:
    return ", ".join(repr(float(v)) for v in values)


def data_section(record: RunRecord, layout: str = "") -> str:
    """The marked data block: training/test sets, initial weights (`layout` says how they
    are laid out) and the shuffle state."""
    weights = "".join(f"    {array_literal(w, '    ')},\n" for w in record.initial_weights)
    parts = [
        DATA_BEGIN,
        f"F_TRAIN = {array_literal(record.Ftr)}",
        f"Y_TRAIN = {array_literal(record.ytr)}",
        f"F_TEST = {array_literal(record.Fte)}",
        f"Y_TEST = {array_literal(record.yte)}",
        layout or "# [W1, b1, W2, b2, ...], W of shape (inputs, units).",
        f"INITIAL_WEIGHTS = [\n{weights}]",
        f"SHUFFLE_STATE = {_state_literal(record)}",
        DATA_END,
    ]
    return "\n".join(parts)


def _state_literal(record: RunRecord) -> str:
    # Only a shuffled run needs the generator; an unshuffled one keeps the stored order.
    shuffled = record.settings.shuffle and record.shuffle_state is not None
    return repr(record.shuffle_state) if shuffled else "None"


def fmt_kwargs(kwargs: dict[str, Any]) -> str:
    """`a=1, b=True` from a dict, values as repr (exact for floats)."""
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def float_repr(x: float) -> str:
    return repr(float(np.float64(x)))
