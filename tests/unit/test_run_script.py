"""Issue 24 item 4: "Link to this run" carries the run's events, so its losses are the same.

A newcomer's pass: after a learning-rate change at epoch 30 the link replayed the new rate
from epoch 0 (test loss 0.120 instead of 0.210 at epoch 30) while promising "same losses".
Here a teacher's session changes the rate, types a weight and a bias, clicks a point and
clears it, epoch by epoch; a student's session from the link alone (its settings, marker
and events) must show the same losses after every epoch, resumed from a checkpoint or not.
"""

from collections.abc import Callable
from typing import Any

import pytest

from app.playground import checkpoint
from app.playground.errors import ProtocolError
from app.playground.run_link import RunMarker, link_status
from app.playground.run_script import MAX_LINK_EVENTS, encode_events, follow
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings
from tests.support.training import train

Action = Callable[[Session], None]
ACTIONS: dict[int, Action] = {
    4: lambda s: s.add_point(1.5, -2.25, 1.0),
    10: lambda s: s.apply({"learning_rate": 0.3}),
    13: lambda s: s.set_weight(0, 1, 2, -0.75),
    13.5: lambda s: s.set_bias(1, 0, 0.125),  # type: ignore[dict-item]
    18: lambda s: s.clear_points(),
    22: lambda s: s.apply({"learning_rate": 0.01}),
}
EPOCHS = 30


def teacher(settings: dict[str, Any]) -> tuple[Session, list[tuple[float, float]]]:
    """A run with the user's actions between epochs; the losses after each epoch."""
    session = Session(merge_settings(PlaygroundSettings(), {"seed": "0.2718", **settings}))
    session.add_point(-3.0, 2.0, -1.0)  # before the run began: the link's first event
    session.reset()
    seen = []
    for epoch in range(EPOCHS):
        for at in sorted(a for a in ACTIONS if int(a) == epoch):
            ACTIONS[at](session)
        train(session, 1)
        seen.append(session.losses())
    return session, seen


def student(source: Session) -> Session:
    """A new session from the link alone: settings at the run's start, marker and events."""
    status = link_status(source.run_marker, False, source.log)
    assert status is not None and status["exact"], status
    start = source.settings.model_copy(update={"learning_rate": status["learning_rate"]})
    session = Session(start, run=RunMarker.parse(status["marker"]))
    follow(session, status["events"])
    return session


@pytest.mark.parametrize(
    "settings",
    [{"activation": "relu"}, {"optimizer": "adam", "shuffle": True, "batch_size": 7}],
    ids=["playground", "keras-shuffled"],
)
def test_a_link_replays_the_runs_events_to_the_same_losses(settings: dict[str, Any]) -> None:
    source, expected = teacher(settings)
    copy = student(source)
    got = []
    for _ in range(EPOCHS):
        train(copy, 1)
        got.append(copy.losses())
    assert got == expected  # to the bit, epoch by epoch
    assert encode_events(copy.log) == encode_events(source.log) and copy.script is None
    assert copy.settings.learning_rate == 0.01 and copy.replayed == 7
    # The student's own link is the teacher's.
    assert link_status(copy.run_marker, False, copy.log) == link_status(
        source.run_marker, False, source.log
    )


def test_without_its_events_the_link_would_not_replay_the_losses() -> None:
    source, expected = teacher({})
    status = link_status(source.run_marker, False, source.log)
    assert status is not None
    plain = Session(
        source.settings.model_copy(update={"learning_rate": status["learning_rate"]}),
        run=RunMarker.parse(status["marker"]),
    )
    train(plain, EPOCHS)
    assert plain.losses() != expected[-1]


def test_a_reload_mid_replay_picks_the_script_up_where_the_log_stands() -> None:
    source, expected = teacher({})
    first = student(source)
    train(first, 15)  # past the rate change, the typed weight and bias
    saved = checkpoint.take(first)
    status = link_status(source.run_marker, False, source.log)
    assert status is not None
    resumed = Session(first.settings)
    checkpoint.restore(resumed, saved)
    follow(resumed, status["events"])
    assert resumed.script is not None and resumed.script.left == 2
    train(resumed, EPOCHS - 15)
    assert resumed.losses() == expected[-1]
    assert encode_events(resumed.log) == encode_events(source.log)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.apply({"learning_rate": 0.1}),
        lambda s: s.set_bias(0, 0, 2.0),
        lambda s: s.reset(),
    ],
    ids=["rate", "bias", "reset"],
)
def test_a_change_by_hand_ends_the_replay(change: Action) -> None:
    source, _ = teacher({})
    copy = student(source)
    train(copy, 5)
    change(copy)
    train(copy, 25)
    assert copy.script is None
    assert not any(e["type"] == "learning_rate" and e["value"] == 0.3 for e in copy.log.events)


def test_speed_and_the_gradient_view_do_not_end_the_replay() -> None:
    source, expected = teacher({})
    copy = student(source)
    train(copy, 3)
    copy.apply({"speed": 5, "gradient_view": True, "epochs_limit": 1000})
    train(copy, EPOCHS - 3)
    assert copy.losses() == expected[-1] and copy.replayed == 7


def test_events_encode_compactly_and_a_regenerate_or_too_many_make_no_exact_link() -> None:
    session = Session(PlaygroundSettings(seed="0.5"))
    train(session, 2)
    session.apply({"learning_rate": 0.1})
    session.set_bias(0, 1, -0.5)
    assert encode_events(session.log) == "2:lr:0.1,2:b:0:1:-0.5"
    for k in range(MAX_LINK_EVENTS):
        session.set_bias(0, 0, k / 8)
    status = link_status(session.run_marker, False, session.log)
    assert status is not None and not status["exact"] and status["events"] == ""
    assert status["changes"] == ["bias", "learning_rate"]
    session.regenerate()
    assert link_status(session.run_marker, False, session.log) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("3:zz:1", "not one a run link carries"),
        ("3:lr", "not one a run link carries"),
        ("3:lr:nan", "finite"),
        ("x:lr:0.1", "event 1"),
        ("5:lr:0.1,2:lr:0.2", "epoch order"),
        ("1:w:9:0:0:1.0", "not in the network"),
        ("1:w:0:5:0:1.0", "names no link"),
        ("1:p:7:0:1", "within ±6"),
        ("1:p:1:1:5", "label"),
        (",".join(["1:c"] * (MAX_LINK_EVENTS + 1)), f"at most {MAX_LINK_EVENTS}"),
    ],
)
def test_a_bad_event_text_is_a_typed_error_naming_it(text: str, words: str) -> None:
    session = Session(PlaygroundSettings(seed="0.5"))
    with pytest.raises(ProtocolError) as caught:
        follow(session, text)
    assert caught.value.code == "invalid_run" and caught.value.field == "run_events"
    assert words in caught.value.message, caught.value.message
    assert session.script is None
