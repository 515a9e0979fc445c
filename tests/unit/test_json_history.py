"""The JSON export carries the run's epoch and loss chart, so an import shows the same run
(issue 11, blocker 1); files written before the chart was added still import."""

import json
import math

import pytest

from app.export import parse_json, parse_json_run
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from app.protocol.downloads import export_message
from tests.support.training import train


def trained_session(epochs: int) -> Session:
    session = Session(PlaygroundSettings(seed="history", dataset="xor", activation="relu"))
    train(session, epochs)  # the session takes a history point at every epoch, early on
    return session


def test_an_export_brings_back_its_epoch_and_chart_exactly() -> None:
    session = trained_session(5)
    run = parse_json_run(export_message(session, "json")["content"], max_bytes=10**7)
    assert run.epoch == 5
    assert [e for e, _, _ in run.history] == [0, 1, 2, 3, 4, 5]
    assert run.history == session.history.points  # exact: shortest round-trip floats
    assert run.settings == session.settings


def test_a_file_without_history_still_imports_with_an_empty_chart() -> None:
    document = json.loads(export_message(trained_session(2), "json")["content"])
    del document["history"]
    run = parse_json_run(json.dumps(document), max_bytes=10**7)
    assert run.history == [] and run.epoch == 2
    assert parse_json(json.dumps(document), max_bytes=10**7)[0] == run.settings


def test_a_missing_loss_travels_as_null_and_comes_back_as_nan() -> None:
    document = json.loads(export_message(trained_session(1), "json")["content"])
    document["history"] = [[0, 0.5, None], [1, 0.25, 0.3]]
    run = parse_json_run(json.dumps(document), max_bytes=10**7)
    assert math.isnan(run.history[0][2]) and run.history[1] == (1, 0.25, 0.3)


@pytest.mark.parametrize("history", ["nope", [[0, 1.0]], [[0, "x", 1.0]]])
def test_a_bad_history_is_refused(history: object) -> None:
    document = json.loads(export_message(trained_session(1), "json")["content"])
    document["history"] = history
    with pytest.raises(ValueError, match="history"):
        parse_json_run(json.dumps(document), max_bytes=10**7)
