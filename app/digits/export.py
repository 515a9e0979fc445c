"""`keras_script(settings)`: a digits experiment as a Keras 3 script to read and run.

What it is: the script the page's "Keras script" download holds: it loads the same data
(`keras.datasets.mnist.load_data()` for full MNIST, `fashion_mnist` for Fashion-MNIST, the
built-in sample from `mnist_sample.npz`, which the page also offers), scales it as the page
does, builds, compiles and fits exactly the model the panel shows (keras_code.py), and
evaluates it on the test set.
What it is not: a replay. Keras draws its own initial weights and shuffles with its own
random numbers, so the script trains like the page, not to its digits; the docstring says
so, and tests/export/test_digits_keras.py is where the page is held to Keras's numbers.
Trade-off: nothing but Keras and NumPy in the script (no private Keras module, no page
state), so it runs on any backend (it picks one that is installed, as the playground's
readable script does: app/export/script_needs.py); the price is the float64 note in its header.
"""

import textwrap
from typing import Any

from app.digits.keras_code import compile_source, fit_source, model_source
from app.digits.settings import DigitsSettings
from app.digits.sources import SOURCES
from app.export.script_needs import PREAMBLES, needs_line

SAMPLE_FILE = "mnist_sample.npz"

LOAD_KERAS = """\
(x_train, y_train), (x_test, y_test) = keras.datasets.{name}.load_data()"""

LOAD_SAMPLE = f"""\
# The page's built-in sample: 5,000 MNIST digits (CC BY-SA 3.0: Yann LeCun, Corinna Cortes,
# Christopher J.C. Burges) in the layout of Keras's mnist.npz. Download {SAMPLE_FILE} from
# the page (or copy app/digits/data/{SAMPLE_FILE} from an installed nn-playground) and put
# it beside this script.
with np.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "{SAMPLE_FILE}")) as d:
    x_train, y_train, x_test, y_test = d["x_train"], d["y_train"], d["x_test"], d["y_test"]"""


def _load(s: DigitsSettings) -> list[str]:
    source = SOURCES[s.data]
    lines = (
        LOAD_SAMPLE
        if source.keras_dataset is None
        else LOAD_KERAS.format(name=source.keras_dataset)
    ).splitlines()
    if s.train_images is not None:
        n = s.train_images
        lines.append(f"x_train, y_train = x_train[:{n}], y_train[:{n}]  # the page's {n:,} images")
    return lines


def _docstring(s: DigitsSettings) -> str:
    source = SOURCES[s.data]
    layers = f"{len(s.layers)} hidden layer{'' if len(s.layers) == 1 else 's'}"
    text = (
        f"The model: {layers}, {s.params:,} parameters; {s.optimizer} at learning rate "
        f"{s.learning_rate:g}, batch size {s.batch_size}, {s.epochs} epochs. The data: "
        f"{source.label}. It runs on whichever Keras backend is installed, and trains like "
        "the page but not to its digits: Keras draws its own initial weights and shuffles "
        "with its own random numbers, so accuracies differ a little from run to run, as they "
        "do on the page after a reset."
    )
    if s.precision == "float64":
        text += (
            " It asks Keras for float64, as the page computes; on the torch backend Keras "
            "still rounds some intermediate results to float32 (the page's exact Keras check "
            "patches that), which changes the numbers only in their last digits."
        )
    head = f"The NN Playground digits model as a Keras 3 script.\n{needs_line('keras')}\n\n"
    return '"""' + head + "\n".join(textwrap.wrap(text, 92)) + '\n"""'


def keras_script(s: DigitsSettings) -> str:
    dtype = s.precision
    lines = [_docstring(s), "", *PREAMBLES["keras"].splitlines(), ""]
    if dtype == "float64":
        lines += ['keras.config.set_floatx("float64")', ""]
    lines += _load(s)
    lines += [
        "",
        f'x_train = x_train.reshape(-1, 784).astype("{dtype}") / 255',
        f'x_test = x_test.reshape(-1, 784).astype("{dtype}") / 255',
        "y_train = keras.utils.to_categorical(y_train, 10)",
        "y_test = keras.utils.to_categorical(y_test, 10)",
        "",
        *model_source(s),
        "model.summary()",
        "",
        *compile_source(s),
        *fit_source(s),
        "",
        "test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)",
        'print(f"test loss {test_loss:.4f} test accuracy {test_accuracy:.4f}")',
    ]
    return "\n".join(lines) + "\n"


def export_message(s: DigitsSettings) -> dict[str, Any]:
    """The `export` answer: the script as a download."""
    return {
        "type": "export",
        "format": "keras",
        "filename": f"digits_{s.data}_keras.py",
        "media_type": "text/x-python",
        "content": keras_script(s),
        "data_file": SAMPLE_FILE if SOURCES[s.data].keras_dataset is None else None,
    }
