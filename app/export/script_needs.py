"""What each downloaded script needs to run: one header line, and the check at its top.

What it is: for the three scripts (the readable Keras script, the Keras exact replay, the
PyTorch replay), `needs_line(kind)`, the header's one line of what to `pip install` and on
which backend, and `PREAMBLES[kind]`, the few lines after the docstring that make sure it is
there before anything is imported: the readable script picks a Keras backend that is
installed (Keras 3 defaults to TensorFlow, which a `pip install keras` does not bring), and
every script stops with the `pip install` line when what it needs is missing.
What it is not: the scripts' bodies (keras_student.py, keras_script.py, pytorch_script.py).
Trade-off: the check costs each script a dozen lines at the top, against a student's first
run ending in "No module named tensorflow" for a script that never needed it.
"""

NEEDS = {
    "keras": "pip install keras torch  (Keras 3 on any backend: torch, jax or tensorflow)",
    "keras_replay": "pip install keras torch  (Keras 3 on the PyTorch backend)",
    "pytorch": "pip install torch numpy  (PyTorch, on the CPU)",
}


def needs_line(kind: str) -> str:
    """The header's line, e.g. "Needs: pip install torch numpy  (PyTorch, on the CPU)"."""
    return f"Needs: {NEEDS[kind]}"


# The readable script: KERAS_BACKEND if set; else Keras's own choice when TensorFlow (its
# default) is there; else JAX or PyTorch, whichever is installed.
_KERAS_ANY = """\
import importlib.util
import os

if importlib.util.find_spec("keras") is None:
    raise SystemExit("This script needs Keras 3 and a backend: pip install keras torch")
if "KERAS_BACKEND" not in os.environ and importlib.util.find_spec("tensorflow") is None:
    # Keras 3 defaults to TensorFlow; without it, use another backend that is installed.
    installed = [name for name in ("jax", "torch") if importlib.util.find_spec(name)]
    if not installed:
        raise SystemExit(
            "Keras needs a backend: pip install torch (or jax, or tensorflow), then run again."
        )
    os.environ["KERAS_BACKEND"] = installed[0]

import keras  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
"""

# The exact replay: its float64 digits were checked on the torch backend.
_KERAS_TORCH = """\
import importlib.util
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
needed = ["keras"] + (["torch"] if os.environ["KERAS_BACKEND"] == "torch" else [])
missing = [name for name in needed if importlib.util.find_spec(name) is None]
if missing:
    raise SystemExit(
        f"This replay runs Keras 3 on PyTorch; {' and '.join(missing)} is not installed: "
        "pip install keras torch"
    )

import keras  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
"""

_TORCH = """\
import importlib.util

missing = [name for name in ("torch", "numpy") if importlib.util.find_spec(name) is None]
if missing:
    raise SystemExit(
        f"This replay needs PyTorch and NumPy; {' and '.join(missing)} is not installed: "
        "pip install torch numpy"
    )

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
"""

PREAMBLES = {"keras": _KERAS_ANY, "keras_replay": _KERAS_TORCH, "pytorch": _TORCH}
