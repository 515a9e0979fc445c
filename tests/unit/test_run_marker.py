"""Issue 11 item 3: "Link to this run" replays a reset, on a Session without a server.

The teacher's session resets several times with different network sizes (so the stream's
position at the last reset depends on all of them); a new session built from the marker
alone must draw the same initial weights and, trained alike, reach the same losses.
"""

from typing import Any

import numpy as np
import pytest

from app.playground import checkpoint
from app.playground.errors import ProtocolError
from app.playground.rng import PlaygroundRandom, keras_generator
from app.playground.run_link import MAX_DRAWS, RunMarker
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from tests.support.training import train

SEED = "0.31415"
KERAS = {"initializer": "he_uniform", "shuffle": True, "optimizer": "adam"}


def teacher(extra: dict[str, Any]) -> Session:
    """A page load, two resets of other shapes, a plain Reset, then the final shape."""
    session = Session(PlaygroundSettings(seed=SEED, **extra))
    train(session, 3)
    session.apply({"network_shape": [6, 5, 3]})
    train(session, 2)
    session.reset()
    session.apply({"network_shape": [3, 2]})
    return session


def same_weights(a: Session, b: Session) -> bool:
    mine, theirs = a.net.get_weights(), b.net.get_weights()
    return len(mine) == len(theirs) and all(
        np.array_equal(x, y) for x, y in zip(mine, theirs, strict=True)
    )


@pytest.mark.parametrize("extra", [{}, KERAS], ids=["playground", "keras"])
def test_a_session_from_the_marker_draws_the_same_weights_and_losses(extra: dict[str, Any]):
    source = teacher(extra)
    marker = source.run_marker
    assert marker is not None and marker.generation == 3
    fresh = Session(source.settings)  # a plain link: the page-load weights, not the run's
    assert not same_weights(source, fresh)

    student = Session(source.settings, run=RunMarker.parse(str(marker)))

    assert same_weights(source, student)
    train(source, 7)
    train(student, 7)
    assert student.epoch == source.epoch == 7
    assert student.losses() == source.losses()
    assert same_weights(source, student)
    assert student.run_marker == marker  # the student's own link names the same run


def test_the_page_load_keeps_the_seed_streams_of_before():
    """Generation 0 is today's page load: the stream right after the data, Keras stream
    keras_generator(seed), so page-load weights (and the golden tests) do not move."""
    session = Session(PlaygroundSettings(seed=SEED, **KERAS))
    expected = keras_generator(SEED)
    expected.integers(2**63)  # the one draw a Keras initializer takes (build.py)
    assert session.run_marker is not None and session.run_marker.generation == 0
    assert session.run_marker.draws > 0  # the data came first
    state = session.keras_rng.bit_generator.state
    assert state == expected.bit_generator.state


def test_keras_resets_draw_from_a_stream_per_generation():
    session = Session(PlaygroundSettings(seed=SEED, **KERAS))
    session.reset()
    expected = keras_generator(f"{SEED}/1")
    expected.integers(2**63)
    assert session.keras_rng.bit_generator.state == expected.bit_generator.state


def test_the_draw_counter_counts_every_value_and_skip_lands_on_the_same_state():
    rng = PlaygroundRandom("x")
    for _ in range(10):
        rng.normal()
    drawn = rng.draws
    assert drawn is not None and drawn >= 20  # two per polar attempt
    other = PlaygroundRandom("x")
    other.skip(drawn)
    assert other.get_state() == rng.get_state()
    assert other.random() == rng.random()


@pytest.mark.parametrize("text", ["", "12", "1.2.3", "a.1", "-1.2", "1e3.1", " 1.2", "1.2\n"])
def test_a_malformed_marker_is_a_typed_error(text: str):
    with pytest.raises(ProtocolError) as err:
        RunMarker.parse(text)
    assert (err.value.code, err.value.field) == ("invalid_run", "run")


def test_a_marker_beyond_the_bound_is_refused_before_any_drawing():
    with pytest.raises(ProtocolError, match=str(MAX_DRAWS)) as err:
        RunMarker.parse(f"{MAX_DRAWS + 1}.1")
    assert err.value.code == "invalid_run"


def test_a_marker_inside_the_data_is_refused():
    settings = PlaygroundSettings(seed=SEED)
    with pytest.raises(ProtocolError, match="does not belong") as err:
        Session(settings, run=RunMarker(5, 1))
    assert err.value.code == "invalid_run"


def test_a_resumed_session_keeps_its_link_and_its_next_resets():
    source = teacher({})
    saved = checkpoint.take(source)
    resumed = Session(source.settings)
    checkpoint.restore(resumed, saved)
    assert resumed.run_marker == source.run_marker
    source.reset()
    resumed.reset()
    assert resumed.run_marker == source.run_marker
    assert same_weights(source, resumed)


def test_a_bad_marker_in_a_checkpoint_changes_nothing():
    source = teacher({})
    saved = checkpoint.take(source)
    before = checkpoint.take(source)
    with pytest.raises(ProtocolError) as err:
        checkpoint.restore(source, {**saved, "run": "1.2.3"})
    assert err.value.code == "invalid_checkpoint"
    assert checkpoint.take(source) == before


def test_what_the_page_is_told_about_the_link():
    from app.protocol.outbound import run_link

    session = teacher({})
    assert run_link(session) == {
        "marker": str(session.run_marker),
        "exact": True,
        "changes": [],
        "events": "",
        "learning_rate": 0.03,
    }
    session.apply({"learning_rate": 0.1})  # carried by the link since issue 24
    assert run_link(session) == {
        "marker": str(session.run_marker),
        "exact": True,
        "changes": [],
        "events": "0:lr:0.1",
        "learning_rate": 0.03,
    }
    session.regenerate()  # new data under the old weights: no URL reaches them
    assert run_link(session) is None
    session.reset()
    assert run_link(session) is not None
