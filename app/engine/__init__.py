"""The NumPy training engine: networks, losses, regularizers, initializers, optimizers, trainer.

What it is: the public engine API, re-exported (see docs/engine.md).
What it is not: anything web-facing; nothing under app/engine imports the server side.
Trade-off: a flat namespace for the few public names; each module keeps its own registry.
"""

from app.engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from app.engine.initializers import INITIALIZERS
from app.engine.losses import LOSSES
from app.engine.network import Network
from app.engine.optimizers import OPTIMIZERS, make_optimizer
from app.engine.regularizers import REGULARIZERS
from app.engine.training import DivergenceError, Trainer

__all__ = [
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "OPTIMIZERS",
    "REGULARIZERS",
    "DivergenceError",
    "Network",
    "Trainer",
    "make_optimizer",
]
