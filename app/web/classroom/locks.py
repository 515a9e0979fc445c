"""Locked controls: which settings and commands a teacher's lock takes away from a student.

What it is: the hide-controls set (app/playground/registry.py's hide flags, the features'
own `_hide` flags) read as locks, and `refusal`, the check the server makes before it
applies a class member's message. A page hides what is locked; this is what makes the
lock hold for a client that does not.
What it is not: the page's hiding (static/js/class-member.js adds body classes) or the
hub that knows who is locked (hub.py).
Trade-off: a lock refuses a *change*, not a message: a `set` that repeats the locked value
(the page sends whole settings after a reconnect) is let through, so an honest page never
sees a refusal it did not cause.
"""

from typing import Any

from app.playground.features import FEATURE_ORDER
from app.playground.lesson_hash import HIDE_FLAGS  # flag -> its label
from app.playground.settings import PlaygroundSettings

# Hide flag -> the settings keys it locks (docs/playground-rules.md §8's panel, and ours).
LOCKED_SETTINGS: dict[str, tuple[str, ...]] = {
    "learningRate": ("learning_rate",),
    "activation": ("activation",),
    "regularization": ("regularization",),
    "regularizationRate": ("regularization_rate",),
    "problem": ("problem",),
    "dataset": ("dataset", "reg_dataset"),
    "percTrainData": ("percent_train",),
    "noise": ("noise",),
    "batchSize": ("batch_size",),
    "speed": ("speed",),
    "training": (
        "optimizer",
        "optimizer_options",
        "loss",
        "initializer",
        "seed",
        "shuffle",
        "epochs_limit",
        "init_zero",
    ),
    "gradientView": ("gradient_view",),
}
# Hide flag -> the message types it refuses.
LOCKED_MESSAGES: dict[str, frozenset[str]] = {
    "playButton": frozenset({"play"}),
    "stepButton": frozenset({"step"}),
    "resetButton": frozenset({"reset"}),
    "dataset": frozenset({"regenerate"}),
    "yourData": frozenset({"add_point", "upload_csv", "clear_points"}),
    "exports": frozenset({"export", "import_json"}),
    "confusion": frozenset({"confusion"}),
}
# While the class is paused, nothing may train.
PAUSED_MESSAGES = frozenset({"play", "step"})
LOCKABLE = (*HIDE_FLAGS, *FEATURE_ORDER)


def clean_locks(names: list[str]) -> list[str]:
    """The known lock names among `names`, in the registry's order."""
    wanted = set(names)
    return [name for name in LOCKABLE if name in wanted]


def refusal(
    locks: frozenset[str],
    paused: bool,
    kind: str,
    settings: PlaygroundSettings | None,
    patch: dict[str, Any] | None,
) -> str | None:
    """Why a class member may not send this message now (None: it may).

    `kind` is the message type; `patch` the settings of a `set`, compared with the
    session's current `settings`.
    """
    if paused and kind in PAUSED_MESSAGES:
        return "your teacher paused the class"
    for name in locks:
        if kind in LOCKED_MESSAGES.get(name, ()):
            return f"your teacher locked this ({HIDE_FLAGS.get(name, name)})"
    if patch is None or settings is None:
        return None
    current = settings.model_dump(mode="json")
    for name in locks:
        keys = LOCKED_SETTINGS.get(name, ())
        if any(key in patch and patch[key] != current.get(key) for key in keys):
            return f"your teacher locked this ({HIDE_FLAGS.get(name, name)})"
    return _shape_or_feature(locks, current, patch)


def _shape_or_feature(
    locks: frozenset[str], current: dict[str, Any], patch: dict[str, Any]
) -> str | None:
    """The layer count (numHiddenLayers) and single features (`x_hide`…) lock a part of a
    setting: neurons per layer and the other features stay free."""
    shape = patch.get("network_shape")
    layers_locked = "numHiddenLayers" in locks and isinstance(shape, list)
    if layers_locked and len(shape or ()) != len(current["network_shape"]):
        return "your teacher locked the number of hidden layers"
    features = patch.get("features")
    if isinstance(features, list):
        for name in FEATURE_ORDER:
            if name in locks and (name in features) != (name in current["features"]):
                return f"your teacher locked the feature {name}"
    return None
