"""The server's JSON messages about a session: `state`, `data` and `confusion`.

What it is: pure builders from a Session to the dicts of docs/protocol.md §5 and §8, so the
transport (app/web/runner.py, app/web/outbox.py) only decides when to send them.
What it is not: the binary frame (frames.py) or error messages (app/playground/errors.py).
Trade-off: data points are rounded to 6 decimals (ample for drawing, a third of the bytes);
the exact values travel in the CSV export.
"""

from typing import TYPE_CHECKING, Any

from app.engine.types import FloatArray
from app.playground.labels import class_labels
from app.playground.metrics import confusion_matrix
from app.playground.run_link import link_status
from app.protocol.frame_layout import PROTOCOL_VERSION

if TYPE_CHECKING:
    from app.playground.session import Session


def state_message(session: "Session") -> dict[str, Any]:
    """The validated settings and the run's status, sent after every accepted command."""
    s = session.settings
    return {
        "type": "state",
        "protocol": PROTOCOL_VERSION,
        "settings": s.model_dump(mode="json"),
        "epoch": session.epoch,
        "playing": session.playing,
        "diverged": session.diverged,
        "mode": s.mode,
        "mode_reasons": s.mode_reasons,
        "layer_sizes": session.net.layer_sizes,
        "metrics": session.metric_names,
        "classes": s.classes,
        "custom_points": len(session.added),
        "uploaded": session.uploaded is not None,
        "limits": {"max_layers": session.max_layers, "max_neurons": session.max_neurons},
        "run": run_link(session),
    }


def run_link(session: "Session") -> dict[str, Any] | None:
    """The `run=` marker that replays this run, with its events when a link can carry them,
    and, while this session replays a linked run, what of it is still to come."""
    status = link_status(session.run_marker, session.uploaded is not None, session.log)
    script = session.script
    if status is not None and script is not None and script.follows(session) and script.left:
        upcoming = script.events[script.matched]
        status["replaying"] = {"left": script.left, "next_epoch": upcoming["epoch"]}
    return status


def data_message(session: "Session") -> dict[str, Any]:
    """Every train and test point as [x, y, label] (label: ±1, a class, or a number)."""
    return {
        "type": "data",
        "train": points(session.Xtr, session.ytr),
        "test": points(session.Xte, session.yte),
    }


def confusion_message(session: "Session") -> dict[str, Any]:
    """Confusion matrices of train and test (rows true, columns predicted)."""
    s, net = session.settings, session.net
    return {
        "type": "confusion",
        "labels": class_labels(s),
        "train": confusion_matrix(s, net.predict(session.Ftr), session.ytr),
        "test": confusion_matrix(s, net.predict(session.Fte), session.yte),
    }


def points(X: FloatArray, y: FloatArray) -> list[list[float]]:
    """Example: X [[0.1234567, 2]], y [1] -> [[0.123457, 2.0, 1.0]]."""
    return [
        [round(a, 6), round(b, 6), round(c, 6)]
        for (a, b), c in zip(X.tolist(), y.tolist(), strict=True)
    ]
