"""Checkpoints continue a run bit for bit, and a bad one changes nothing."""

import copy
import json
from typing import Any

import numpy as np
import pytest

from app.export import pytorch_script
from app.playground import checkpoint
from app.playground.errors import ProtocolError
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings
from app.protocol.downloads import run_record
from tests.support.training import train


def make(**settings: Any) -> Session:
    return Session(merge_settings(PlaygroundSettings(), {"seed": "ck", **settings}))


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"batch_size": 7, "regularization": "L1", "regularization_rate": 0.01},
        {"optimizer": "adam", "optimizer_options": {"amsgrad": True}, "shuffle": True},
        {"optimizer": "nadam", "initializer": "he_uniform", "activation": "relu"},
        {"problem": "regression", "optimizer": "rmsprop", "optimizer_options": {"centered": True}},
    ],
)
def test_a_checkpoint_through_json_continues_identically(settings: dict[str, Any]) -> None:
    a = make(**settings)
    a.reset()  # the run now starts from weights a fresh session does not have
    train(a, 3)
    snapshot = json.loads(json.dumps(checkpoint.take(a), allow_nan=False))
    train(a, 4)
    b = make(**settings)
    checkpoint.restore(b, snapshot)
    train(b, 4)
    assert b.epoch == a.epoch == 7
    for x, y in zip(a.net.get_weights(), b.net.get_weights(), strict=True):
        assert np.array_equal(x, y)
    for x, y in zip(a.trainer.dead, b.trainer.dead, strict=True):
        assert np.array_equal(x, y)
    for x, y in zip(a.initial_weights, b.initial_weights, strict=True):
        assert np.array_equal(x, y)  # where the run began travels too (exports need it)
    a.reset()
    b.reset()  # the seeded stream continued identically too: same new weights
    assert np.array_equal(a.net.W[0], b.net.W[0])


def corrupt(snapshot: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(snapshot)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return broken


BROKEN = [
    (("version",), 99),
    (("settings", "noise"), 10),
    (("epoch",), -1),
    (("weights", 0), [[1.0, 2.0]]),
    (("weights", 0, 0, 0), float("nan")),
    (("optimizer", "slots", "v"), [[1.0]]),
    (("optimizer", "name"), "adam"),
    (("trainer", "carry_count"), -3),
    (("trainer", "dead", 0), [[True]]),
    (("rng", "S"), [0] * 256),
    (("keras_rng",), {"bit_generator": "MT19937"}),
    (("history",), [[1, 0.5, 0.5]] * 5000),
    (("history", 0), ["x", 1, 2]),
    (("initial_weights", 1), [1.0]),
    (("initial_shuffle_state",), {"state": 3}),
    (("run_log",), "not a log"),
    (("run_log", "events", 0, "type"), "teleport"),
    (("run_log", "events", 0, "layer"), 9),
    (("run_log", "events", 0, "dst"), 4),
    (("run_log", "events", 0, "epoch"), 3),
    (("run_log", "events", 0, "value"), float("nan")),
    (("run_log", "events", 0, "extra"), 1),
    (("run_log", "events"), [{"epoch": 0, "type": "clear_points"}] * 10_001),
    (("run_log", "events", 1), {"epoch": 1, "type": "diverged"}),
    (("run_log", "added"), [[0.0, 0.0, 1.0, 5.0]]),
    (("run_log", "added"), [[0.0, 0.0, 7.0]]),
    (("run_log", "events", 1), {"epoch": 2, "type": "add_point", "x": 0, "y": 0, "label": 7}),
    (("run_log", "learning_rate"), "fast"),
    (("run_log", "dropped_at"), -1),
    (("run_log", "seed"), 5),
]


@pytest.mark.parametrize(("path", "value"), BROKEN)
def test_a_broken_checkpoint_is_refused_and_changes_nothing(
    path: tuple[Any, ...], value: Any
) -> None:
    source = make(optimizer="sgd", optimizer_options={"momentum": 0.9})
    train(source, 2)
    source.set_weight(0, 1, 3, 0.25)  # two events for the run log's broken cases
    source.set_bias(1, 1, 0.5)
    snapshot = checkpoint.take(source)
    snapshot["history"] = [[0, 0.5, 0.5]]
    target = make(optimizer="sgd", optimizer_options={"momentum": 0.9})
    train(target, 1)
    before = checkpoint.take(target)
    with pytest.raises(ProtocolError) as refused:
        checkpoint.restore(target, corrupt(snapshot, path, value))
    assert refused.value.code == "invalid_checkpoint"
    assert checkpoint.take(target) == before


def test_the_run_log_travels_so_an_export_after_a_reconnect_replays_from_the_start() -> None:
    a = make(batch_size=7, regularization="L1", regularization_rate=0.01)
    train(a, 2)
    a.apply({"learning_rate": 0.1})
    a.set_weight(0, 1, 0, -0.4)
    a.add_point(1.5, -2.0, 1.0)
    train(a, 1)
    a.regenerate()
    train(a, 1)
    snapshot = json.loads(json.dumps(checkpoint.take(a), allow_nan=False))
    b = Session(a.settings)  # a reconnect: the client's settings, then its checkpoint
    checkpoint.restore(b, snapshot)
    assert [e["type"] for e in b.log.events] == ["learning_rate", "weight", "add_point",
                                                 "regenerate"]  # fmt: skip
    assert b.log.seed == "ck" and b.log.learning_rate == 0.03
    assert pytorch_script(run_record(b)) == pytorch_script(run_record(a))


def test_a_long_lesson_keeps_its_checkpoints_small() -> None:
    """Every checkpoint carries the loss history, once a second per student: it must stop
    growing however long the lesson, and still span the whole run."""
    session = make()
    for epoch in range(1, 20_001):  # a point every epoch it is due, for a whole lesson
        if session.history.due(epoch):
            session.history.add((epoch, 1 / epoch, 2 / epoch))
    history = checkpoint.take(session)["history"]
    assert 150 <= len(history) <= 500  # 32, then 16 for each doubling of the epoch count
    assert history[0][0] == 0 and history[-1][0] > 19_000  # the start and the end are there
    assert len(json.dumps(checkpoint.take(session))) < 40_000


def test_a_checkpoint_with_an_older_servers_longer_history_resumes_thinned() -> None:
    source = make()
    train(source, 2)
    snapshot = json.loads(json.dumps(checkpoint.take(source), allow_nan=False))
    snapshot["history"] = [[e, 1 / (e + 1), 2 / (e + 1)] for e in range(2000)]
    target = make()
    checkpoint.restore(target, snapshot)
    assert 250 <= len(target.history.points) <= 500
    assert target.history.points[0] == (0, 1.0, 2.0)
    assert target.epoch == source.epoch
