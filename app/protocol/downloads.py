"""What the `export` message sends back: a file's name, media type and text.

What it is: the map from an export format to a file built from the session — the readable
Keras 3 script ("keras"), a Keras 3 or PyTorch script that replays the run since the last
reset exactly ("keras_replay", "pytorch"; app/export), the weights and
settings as importable JSON, or the current split as CSV.
What it is not: a generator of those files (app/export, app/custom_data).
Trade-off: files travel as text inside a JSON message rather than through an HTTP download
route, so they come from the live session on its own socket and need no shared storage.
"""

from typing import TYPE_CHECKING, Any

from app.export import (
    RunRecord,
    export_json,
    keras_script,
    keras_student_script,
    pytorch_script,
    replay_record,
)
from app.playground.custom_data import split_csv

if TYPE_CHECKING:
    from app.playground.session import Session

PYTHON = "text/x-python"
MEDIA_TYPES = {"keras": PYTHON, "keras_replay": PYTHON, "pytorch": PYTHON,
               "json": "application/json", "csv": "text/csv"}  # fmt: skip
EXTENSIONS = {"keras": "_keras.py", "keras_replay": "_keras_replay.py",
              "pytorch": "_pytorch.py", "json": ".json", "csv": ".csv"}  # fmt: skip


def run_record(session: "Session") -> RunRecord:
    """The run since the last reset, with what the user did along the way."""
    return replay_record(
        session.log,
        session.settings,
        session.uploaded,
        session.epoch,
        session.initial_weights,
        session.initial_shuffle_state,
    )


def current_record(session: "Session") -> RunRecord:
    """Today's settings and data with the run's initial weights, for the JSON export: an
    import must bring back the settings as they are now (seed and rate included), not as the
    run began, which is what a replay starts from."""
    s = session.settings
    return RunRecord(
        settings=s,
        initial_weights=session.initial_weights,
        Ftr=session.Ftr,
        ytr=session.Ttr,
        Fte=session.Fte,
        yte=session.Tte,
        epochs=session.epoch,
        shuffle_state=session.initial_shuffle_state if s.shuffle else None,
    )


def export_message(session: "Session", fmt: str) -> dict[str, Any]:
    """The `export` answer for format `fmt` (one of MEDIA_TYPES)."""
    if fmt == "csv":
        content = split_csv((session.Xtr, session.ytr), (session.Xte, session.yte))
    elif fmt == "json":
        weights, epoch = session.net.get_weights(), session.epoch
        content = export_json(current_record(session), weights, epoch, session.history.points)
    elif fmt == "keras":
        content = keras_student_script(run_record(session))
    elif fmt == "keras_replay":
        content = keras_script(run_record(session))
    else:
        content = pytorch_script(run_record(session))
    name = f"nn-playground-{session.settings.seed}-epoch{session.epoch}{EXTENSIONS[fmt]}"
    filename = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return {"type": "export", "format": fmt, "filename": filename,
            "media_type": MEDIA_TYPES[fmt], "content": content}  # fmt: skip
