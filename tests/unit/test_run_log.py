"""The run log: every action that changes training without a reset is recorded, in order,
with its epoch; a reset starts a new log; the log is bounded and the export says where the
replay stops."""

from typing import Any

from app.playground.run_log import MAX_EVENTS
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings
from app.protocol.downloads import export_message
from tests.support.training import train


def session_for(**patch: Any) -> Session:
    return Session(merge_settings(PlaygroundSettings(), {"seed": "log", **patch}))


def test_each_action_is_one_event_at_its_epoch() -> None:
    session = session_for()
    train(session, 2)
    session.apply({"learning_rate": 0.3})
    session.apply({"speed": 5})  # pacing only: nothing to replay
    session.set_weight(1, 2, 0, -0.5)
    train(session, 1)
    session.set_bias(0, 3, 0.25)
    session.add_point(1.0, -1.0, -1.0)
    session.clear_points()
    session.regenerate()
    assert session.log.events == [
        {"epoch": 2, "type": "learning_rate", "value": 0.3},
        {"epoch": 2, "type": "weight", "layer": 1, "src": 2, "dst": 0, "value": -0.5},
        {"epoch": 3, "type": "bias", "layer": 0, "node": 3, "value": 0.25},
        {"epoch": 3, "type": "add_point", "x": 1.0, "y": -1.0, "label": -1.0},
        {"epoch": 3, "type": "clear_points"},
        {"epoch": 3, "type": "regenerate", "seed": session.settings.seed},
    ]
    assert (session.log.seed, session.log.learning_rate) == ("log", 0.03)


def test_a_reset_starts_a_new_log_from_the_current_rate_and_points() -> None:
    session = session_for()
    session.add_point(2.0, 2.0, 1.0)
    session.apply({"learning_rate": 0.1})
    session.reset()
    assert session.log.events == []
    assert session.log.learning_rate == 0.1 and session.log.added == [(2.0, 2.0, 1.0)]


def test_a_full_log_stops_the_replay_at_the_first_unrecorded_event_and_says_so() -> None:
    session = session_for()
    train(session, 1)
    for i in range(MAX_EVENTS):
        session.set_bias(0, 0, i / MAX_EVENTS)
    train(session, 1)
    session.set_bias(0, 0, 0.5)  # the first event past the bound, after epoch 2
    train(session, 2)
    assert len(session.log.events) == MAX_EVENTS and session.log.dropped_at == 2
    script = export_message(session, "pytorch")["content"]
    assert "\nEPOCHS = 2\n" in script
    assert "event log is full" in " ".join(script.split('"""')[1].split())


def test_an_imported_run_replays_from_the_imported_weights_and_epoch() -> None:
    source = session_for()
    train(source, 5)
    session = session_for()
    session.load_weights(source.net.get_weights(), epoch=5, history=[])
    train(session, 2)
    session.set_bias(0, 1, 0.125)
    train(session, 1)
    assert session.log.first_epoch == 5 and session.log.events[0]["epoch"] == 7
    script = export_message(session, "pytorch")["content"]
    assert "\nEPOCHS = 3\n" in script  # epochs 6, 7 and 8 of the page
    assert "EVENTS = {\n    2: [\n        ('bias', 0, 1, 0.125),\n    ],\n}" in script
    assert "imported at epoch 5" in " ".join(script.split('"""')[1].split())
