"""Spec §5's table (docs/protocol.md §4) on a Session, without a server: what each change
regenerates, what it resets, and what it leaves alone.

Every case starts from a session that trained a few epochs while playing, so "reset" is
visible (epoch back to 0, paused, fresh weights) and "kept" is too (epoch, weights, data).
"""

from typing import Any

import numpy as np
import pytest

from app.playground.errors import ProtocolError
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings

SEED = "0.12345"
NEW_DATA_AND_RESET = {
    "dataset": "xor",
    "problem": "regression",
    "noise": 25,
    "percent_train": 70,
}
RESET_ONLY = {
    "batch_size": 5,
    "activation": "relu",
    "regularization": "L2",
    "regularization_rate": 0.01,
    "features": ["x", "y", "xSquared"],
    "network_shape": [3],
    "init_zero": True,
    "optimizer": "adam",
    "loss": "binary_crossentropy",
    "initializer": "glorot_uniform",
    "shuffle": True,
}
LIVE = {"learning_rate": 0.1, "speed": 30, "epochs_limit": 500}


def trained() -> Session:
    session = Session(PlaygroundSettings(seed=SEED))
    session.play()
    session.advance(3)
    assert session.epoch == 3 and session.playing
    return session


def snapshot(session: Session) -> dict[str, Any]:
    return {
        "seed": session.settings.seed,
        "Xtr": session.Xtr.copy(),
        "epoch": session.epoch,
        "weights": [w.copy() for w in session.net.get_weights()],
    }


def same_weights(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(
        x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize(("key", "value"), NEW_DATA_AND_RESET.items())
def test_data_changes_draw_new_data_and_reset(key: str, value: Any) -> None:
    session = trained()
    before = snapshot(session)
    session.apply({key: value})
    assert session.settings.seed != before["seed"]  # a new seed from the seeded stream
    assert not np.array_equal(session.Xtr, before["Xtr"]) or key == "percent_train"
    assert (session.epoch, session.playing) == (0, False)
    assert same_weights(session.net.get_weights(), session.initial_weights)


@pytest.mark.parametrize(("key", "value"), RESET_ONLY.items())
def test_structural_changes_reset_the_network_and_keep_the_data(key: str, value: Any) -> None:
    session = trained()
    before = snapshot(session)
    session.apply({key: value})
    assert session.settings.seed == before["seed"]
    assert np.array_equal(session.Xtr, before["Xtr"])
    assert (session.epoch, session.playing) == (0, False)
    assert not same_weights(session.net.get_weights(), before["weights"])
    assert [e for e, _, _ in session.history.points] == [0]  # a new run's chart


@pytest.mark.parametrize(("key", "value"), LIVE.items())
def test_live_changes_keep_the_run_going(key: str, value: Any) -> None:
    session = trained()
    before = snapshot(session)
    session.apply({key: value})
    assert session.settings.seed == before["seed"] and session.playing
    assert session.epoch == before["epoch"]
    assert same_weights(session.net.get_weights(), before["weights"])
    assert np.array_equal(session.Xtr, before["Xtr"])


def test_the_learning_rate_takes_effect_at_the_next_update() -> None:
    session = trained()
    session.apply({"learning_rate": 0.3})
    assert session.trainer.learning_rate == 0.3


def test_a_seed_gives_that_seeds_data_like_a_page_load() -> None:
    session = trained()
    session.apply({"seed": "0.54321"})
    fresh = Session(PlaygroundSettings(seed="0.54321"))
    assert np.array_equal(session.Xtr, fresh.Xtr) and np.array_equal(session.Xte, fresh.Xte)
    assert same_weights(session.net.get_weights(), fresh.net.get_weights())
    assert (session.epoch, session.playing) == (0, False)


def test_regenerate_draws_new_data_and_keeps_the_network() -> None:
    session = trained()
    before = snapshot(session)
    session.regenerate()
    assert session.settings.seed != before["seed"]
    assert not np.array_equal(session.Xtr, before["Xtr"])
    assert session.epoch == 3 and session.playing
    assert same_weights(session.net.get_weights(), before["weights"])


def test_reset_pauses_and_keeps_the_data_with_new_weights_from_the_stream() -> None:
    session = trained()
    before = snapshot(session)
    first_start = [w.copy() for w in session.initial_weights]
    session.reset()
    assert (session.epoch, session.playing) == (0, False)
    assert np.array_equal(session.Xtr, before["Xtr"])
    assert not same_weights(session.initial_weights, first_start)  # the stream went on


def test_editing_a_weight_changes_it_and_nothing_else() -> None:
    session = trained()
    session.set_weight(0, 1, 2, 0.75)
    assert session.net.get_weights()[0][1, 2] == 0.75
    assert session.epoch == 3 and session.playing


def test_an_invalid_change_leaves_the_session_as_it_was() -> None:
    session = trained()
    before = snapshot(session)
    with pytest.raises(ProtocolError):
        session.apply({"network_shape": [4] * 7})  # over the server's 6 layers
    with pytest.raises(ProtocolError):
        session.apply({"loss": "categorical_crossentropy"})  # not for two classes
    assert session.settings == PlaygroundSettings(seed=SEED)
    assert session.epoch == before["epoch"] and session.playing
    assert same_weights(session.net.get_weights(), before["weights"])


def test_a_focused_node_that_the_network_loses_falls_back_to_the_output() -> None:
    session = trained()
    session.set_focus(2, 1)
    session.apply({"network_shape": [4]})
    assert session.focus is None
    session.set_focus(0, 6)  # an input feature stays focusable whatever the network
    session.apply({"network_shape": [2]})
    assert session.focus == (0, 6)


def test_a_step_cost_counts_epochs_samples_and_weights() -> None:
    session = Session(PlaygroundSettings(seed=SEED))  # 250 training points, [2, 4, 2, 1]
    weights = (2 * 4 + 4) + (4 * 2 + 2) + (2 * 1 + 1)
    assert session.training_cost(10) == 10 * 250 * weights
