"""The digits websocket's JSON messages to the page, and the page's lists (docs/protocol.md §10).

What it is: `state_message` (the settings, what they amount to in Keras: `model.summary()`'s
rows and total and the compile()/fit() code, the data in use, the estimate of an epoch's
time), `evaluation_message` (confusion matrix and gallery after a test pass),
`gallery_message` (one cell's gallery) and `page_lists`, what the page offers in its
selects, assembled from the same tables the settings validate against.
What it is not: the binary frame (frames.py) or the sending (app/web/digits).
Trade-off: the Keras code is sent as text lines the page shows as they are: the page never
re-derives Keras from the settings, so the panel and the exported script cannot disagree.
"""

from typing import Any

from app.digits.keras_code import panel_code
from app.digits.session import DigitsSession
from app.digits.settings import EXCLUDED_INITIALIZERS, Limits
from app.digits.sources import SOURCES, Located
from app.digits.views import confusion, gallery
from app.playground.registry import ACTIVATION_LABELS, INITIALIZER_LABELS, page_registries


def state_message(session: DigitsSession) -> dict[str, Any]:
    s, loop = session.settings, session.loop
    source = SOURCES[s.data]
    data = loop.data
    return {
        "type": "state",
        "protocol": 1,
        "settings": s.model_dump(),
        "run": session.run_id,
        "playing": session.playing,
        "epoch": loop.epoch,
        "summary": {
            "layers": [
                {"name": name, "units": units, "activation": act, "params": params}
                for name, units, act, params in session.summary()
            ],
            "total": s.params,
        },
        "code": panel_code(s),
        "data": {
            "source": s.data,
            "label": source.label,
            "note": source.note,
            "classes": list(source.classes),
            "origin": session.data.origin,
            "available": min(len(session.data.x_train), session.limits.max_train_images),
            "train": len(data.x_train),
            "validation": len(data.x_val),
            "test": len(data.x_test),
        },
        "estimate": session.estimate(),
        "history": session.history_rows(),
    }


def evaluation_message(session: DigitsSession) -> dict[str, Any]:
    """After a test pass: the confusion matrix and the gallery of the most confident
    mistakes, with the test accuracy they come from."""
    loop, data = session.loop, session.loop.data
    probabilities = loop.test_probs
    matrix = confusion(probabilities, data.y_test)
    right = sum(matrix[i][i] for i in range(10))
    return {
        "type": "evaluation",
        "epoch": session.evaluated_epoch,
        "test_accuracy": right / max(1, len(data.y_test)),
        "confusion": matrix,
        "gallery": gallery(probabilities, data.y_test, data.x_test),
    }


def gallery_message(
    session: DigitsSession, label: int | None, answer: int | None
) -> dict[str, Any]:
    data = session.loop.data
    items = gallery(session.loop.test_probs, data.y_test, data.x_test, label, answer)
    return {"type": "gallery", "label": label, "answer": answer, "items": items}


def page_lists(available: dict[str, Located], limits: Limits) -> dict[str, Any]:
    """What the page's selects offer (its JSON island), from the engine's and the sources'
    tables; only the data this server has is listed."""
    playground = page_registries()
    return {
        "sources": {
            name: {"label": SOURCES[name].label, "note": SOURCES[name].note} for name in available
        },
        "activations": ACTIVATION_LABELS,
        "initializers": {
            name: label
            for name, label in INITIALIZER_LABELS.items()
            if name not in EXCLUDED_INITIALIZERS
        },
        "optimizers": playground["optimizers"],
        "hyperparameters": playground["hyperparameters"],
        "learning_rates": playground["learning_rates"],
        "limits": {
            "max_units": limits.max_units,
            "max_params": limits.max_params,
            "max_train_images": limits.max_train_images,
        },
    }
