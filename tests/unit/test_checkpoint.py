"""Checkpoints continue a run bit for bit, and a bad one changes nothing."""

import copy
import json
from typing import Any

import numpy as np
import pytest

from app.playground import checkpoint
from app.playground.errors import ProtocolError
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings


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
    a.advance(3)
    snapshot = json.loads(json.dumps(checkpoint.take(a), allow_nan=False))
    a.advance(4)
    b = make(**settings)
    checkpoint.restore(b, snapshot)
    b.advance(4)
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
    (("caveats",), "not a list"),
]


@pytest.mark.parametrize(("path", "value"), BROKEN)
def test_a_broken_checkpoint_is_refused_and_changes_nothing(
    path: tuple[Any, ...], value: Any
) -> None:
    source = make(optimizer="sgd", optimizer_options={"momentum": 0.9})
    source.advance(2)
    snapshot = checkpoint.take(source)
    snapshot["history"] = [[0, 0.5, 0.5]]
    target = make(optimizer="sgd", optimizer_options={"momentum": 0.9})
    target.advance(1)
    before = checkpoint.take(target)
    with pytest.raises(ProtocolError) as refused:
        checkpoint.restore(target, corrupt(snapshot, path, value))
    assert refused.value.code == "invalid_checkpoint"
    assert checkpoint.take(target) == before
