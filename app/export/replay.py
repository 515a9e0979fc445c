"""From a session's run log to a replay plan: the run's start and its events in script terms.

What it is: `Replay` (events as tuples a script applies between epochs, the datasets that
regenerates produced, how many training rows were clicked in at the start) and
`replay_start`, which rebuilds, from the log alone, the settings, data and events of the run
since its last reset. Data are rebuilt from seeds with the session's own recipe
(app/playground/run_log.py `seeded_data`), featurized like the session does
(app/playground/features.py, app/playground/labels.py).
What it is not: framework code; replay_source.py writes the script side.
Trade-off: a regenerate costs the export one data generation (~5 ms) and its points in the
script, so at most MAX_DATASETS regenerates are replayed; the replay stops before the next,
and says so, rather than writing a script of hundreds of megabytes.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.types import FloatArray
from app.export.record import Data4, Replay, RunRecord
from app.export.replay_source import edit_notes
from app.playground.custom_data import Row, rows_to_arrays
from app.playground.features import feature_matrix
from app.playground.labels import targets
from app.playground.run_log import RunLog, seeded_data
from app.playground.settings import PlaygroundSettings

MAX_DATASETS = 100


@dataclass(frozen=True, eq=False)
class ReplayStart:
    settings: PlaygroundSettings
    data: Data4
    epochs: int
    replay: Replay


def featurized(settings: PlaygroundSettings, rows: list[Row]) -> tuple[FloatArray, FloatArray]:
    """Clicked or uploaded rows as (features, targets), as the session featurizes them."""
    X, y = rows_to_arrays(rows)
    return feature_matrix(X, settings.features), targets(settings, y)


def base_data(settings: PlaygroundSettings, uploaded: list[Row] | None) -> Data4:
    """(F_train, T_train, F_test, T_test) of settings.seed, without any clicked points."""
    _, ((Xtr, ytr), (Xte, yte)) = seeded_data(settings, uploaded)
    s = settings
    return (
        feature_matrix(Xtr, s.features),
        targets(s, ytr),
        feature_matrix(Xte, s.features),
        targets(s, yte),
    )


def replay_start(
    log: RunLog, settings: PlaygroundSettings, uploaded: list[Row] | None, epochs: int
) -> ReplayStart:
    """The run since its last reset: its first settings (seed and learning rate from the
    log), first data, the number of epochs to replay, and the events in between."""
    s = settings.model_copy(update={"seed": log.seed, "learning_rate": log.learning_rate})
    Fb, Tb, Fte, Tte = base_data(s, uploaded)
    Fa, Ta = featurized(s, log.added) if log.added else (Fb[:0], Tb[:0])
    data = (np.vstack([Fb, Fa]), np.vstack([Tb, Ta]), Fte, Tte)
    events: list[tuple[int, tuple[Any, ...]]] = []
    datasets: list[Data4] = []
    notes: list[str] = []
    # Epochs of the run itself: an imported run starts at log.first_epoch, not at 0.
    epochs -= log.first_epoch
    dropped = None if log.dropped_at is None else log.dropped_at - log.first_epoch
    stop = epochs if dropped is None else min(epochs, dropped)
    if dropped is not None and dropped < epochs:
        notes.append(
            f"The run's event log is full ({len(log.events)} events), so this replay stops at "
            f"epoch {stop}, where the first event that was not recorded happened."
        )
    if log.first_epoch:
        notes.append(
            f"The run continues from weights imported at epoch {log.first_epoch}: this script "
            f"starts from them and numbers its epochs from 1 (the page's {log.first_epoch + 1} on)."
        )
    for event in log.events:
        event = {**event, "epoch": event["epoch"] - log.first_epoch}
        if event["epoch"] >= stop:
            break
        if event["type"] == "regenerate" and len(datasets) == MAX_DATASETS:
            stop = event["epoch"]
            notes.append(
                f"The data was regenerated more than {MAX_DATASETS} times; this replay stops "
                f"at epoch {stop}, before the next one, to keep the script a readable size."
            )
            break
        step = _script_event(event, s, uploaded, datasets)
        events.append((event["epoch"], step))
    replay = Replay(tuple(events), tuple(datasets), len(log.added), tuple(notes))
    return ReplayStart(s, data, stop, replay)


def _script_event(
    event: dict[str, Any],
    settings: PlaygroundSettings,
    uploaded: list[Row] | None,
    datasets: list[Data4],
) -> tuple[Any, ...]:
    kind = event["type"]
    if kind == "learning_rate":
        return (kind, event["value"])
    if kind == "weight":
        return (kind, event["layer"], event["src"], event["dst"], event["value"])
    if kind == "bias":
        return (kind, event["layer"], event["node"], event["value"])
    if kind == "regenerate":
        datasets.append(base_data(settings.model_copy(update={"seed": event["seed"]}), uploaded))
        return (kind, len(datasets) - 1)
    if kind == "add_point":
        f, t = featurized(settings, [(event["x"], event["y"], event["label"])])
        return (kind, f[0], t[0])
    return (kind,)  # clear_points, diverged


def replay_record(
    log: RunLog,
    settings: PlaygroundSettings,
    uploaded: list[Row] | None,
    epochs: int,
    initial_weights: list[FloatArray],
    shuffle_state: dict[str, Any] | None,
) -> RunRecord:
    """The RunRecord of the run since its last reset, events included, with a note where a
    hand edit meets carried-over rows (replay_source.py `edit_notes`)."""
    start = replay_start(log, settings, uploaded, epochs)
    Ftr, Ttr, Fte, Tte = start.data
    uploaded_note = (
        "The data came from an uploaded CSV file, not the dataset named above; its rows are "
        "in this script, in the order the seed shuffled them into."
    )
    record = RunRecord(
        settings=start.settings,
        initial_weights=initial_weights,
        Ftr=Ftr,
        ytr=Ttr,
        Fte=Fte,
        yte=Tte,
        epochs=start.epochs,
        shuffle_state=shuffle_state if settings.shuffle else None,
        caveats=(uploaded_note,) if uploaded is not None else (),
        replay=start.replay,
    )
    notes = edit_notes(record)
    return dataclasses.replace(record, caveats=(*record.caveats, *notes)) if notes else record
