"""The JSON export carries the run's epoch and loss chart, so an import shows the same run
(issue 11, blocker 1); files written before the chart was added still import."""

import json
import math

import pytest

from app.export import export_json, parse_document, parse_json
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from app.protocol.downloads import export_message, run_record


def trained_session(epochs: int) -> Session:
    session = Session(PlaygroundSettings(seed="history", dataset="xor", activation="relu"))
    for _ in range(epochs):
        session.advance(1)
        session.note_history(*session.losses())
    return session


def test_an_export_brings_back_its_epoch_initial_weights_and_chart() -> None:
    session = trained_session(5)
    text = export_message(session, "json")["content"]
    run = parse_document(text, max_bytes=10**7)
    assert run.epoch == 5
    assert [e for e, _, _ in run.history] == [1, 2, 3, 4, 5]
    assert run.history == session.history  # exact: shortest round-trip floats
    assert [w.tobytes() for w in run.initial_weights] == [
        w.tobytes() for w in session.initial_weights
    ]
    assert run.settings == session.settings


def test_a_file_without_history_still_imports_with_an_empty_chart() -> None:
    document = json.loads(export_message(trained_session(2), "json")["content"])
    del document["history"]
    run = parse_document(json.dumps(document), max_bytes=10**7)
    assert run.history == [] and run.epoch == 2
    assert parse_json(json.dumps(document), max_bytes=10**7)[0] == run.settings


def test_a_missing_loss_travels_as_null_and_comes_back_as_nan() -> None:
    session = trained_session(1)
    record_text = export_message(session, "json")["content"]
    document = json.loads(record_text)
    document["history"] = [[0, 0.5, None], [1, 0.25, 0.3]]
    run = parse_document(json.dumps(document), max_bytes=10**7)
    assert math.isnan(run.history[0][2]) and run.history[1] == (1, 0.25, 0.3)
    weights = session.net.get_weights()
    text = export_json(run_record(session), weights, 1, history=[(0, math.nan, 1.0)])
    assert "NaN" not in text and json.loads(text)["history"] == [[0, None, 1.0]]


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ("nope", "history must be a list"),
        ([[0, 1.0]], r"history\[0\] must be \[epoch"),
        ([[9, 1.0, 1.0]], r"history\[0\]: the epoch must be an integer from 0 to 1"),
        ([[True, 1.0, 1.0]], r"history\[0\]: the epoch must be"),
        ([[0, "x", 1.0]], r"history\[0\] must be a number"),
        ([[0, 1.0, 2.0]] * 2001, "at most 2000 points"),
    ],
)
def test_a_bad_history_is_refused_with_what_is_wrong(history: object, message: str) -> None:
    document = json.loads(export_message(trained_session(1), "json")["content"])
    document["history"] = history
    with pytest.raises(ValueError, match=message):
        parse_document(json.dumps(document), max_bytes=10**7)
