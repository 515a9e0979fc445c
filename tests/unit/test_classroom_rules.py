"""The classroom's pure rules, against cases worked out by hand: nicknames, codes, locks,
a challenge's constraints and its board's order, and the summary read off a real frame."""

import base64

import numpy as np
import pytest

from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from app.protocol.frames import build_frame
from app.web.classroom.challenge import Challenge, board, broken_rule, target_met
from app.web.classroom.identity import (
    CODE_ALPHABET,
    BadName,
    clean_code,
    digest,
    key_matches,
    new_code,
    new_secret,
    normalise_name,
    suffixed,
)
from app.web.classroom.locks import refusal
from app.web.classroom.summary import read_focus, read_frame, summary
from tests.support.training import train


@pytest.mark.parametrize(
    ("raw", "name"),
    [("Ana", "Ana"), ("  Ａｎａ \u00a0 Lee ", "Ana Lee"), ("ﬁ", "fi"), ("x" * 24, "x" * 24),
     ("<img src=x onerror=_x=1>", "<img src=x onerror=_x=1>")],
)  # fmt: skip
def test_nicknames_are_normalised(raw: str, name: str) -> None:
    assert normalise_name(raw) == name


@pytest.mark.parametrize(
    "raw", ["", " \t ", "x" * 25, "a\x00b", "a\u202eb", "a\u200bb", "\x1b[31m"]
)
def test_unusable_nicknames_are_refused(raw: str) -> None:
    with pytest.raises(BadName):
        normalise_name(raw)


def test_a_suffixed_name_stays_within_24_characters() -> None:
    assert suffixed("Ana", 2) == "Ana 2"
    assert suffixed("y" * 24, 12) == "y" * 21 + " 12"


def test_codes_avoid_characters_read_aloud_wrongly_and_keys_are_long() -> None:
    assert not set(CODE_ALPHABET) & set("0O1IL")
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert clean_code(" k7q x3m ") == "K7QX3M" and clean_code("K7QX30") is None
    key = new_secret()
    assert len(base64.urlsafe_b64decode(key + "==")) * 8 >= 128
    assert key_matches(key, digest(key)) and not key_matches(key + "x", digest(key))


def test_locks_refuse_changes_of_what_they_cover_only() -> None:
    s = PlaygroundSettings(learning_rate=0.03, network_shape=[4, 2], features=["x", "y"])
    locks = frozenset({"learningRate", "numHiddenLayers", "x", "playButton"})
    assert refusal(locks, False, "set", s, {"learning_rate": 0.1}) is not None
    assert refusal(locks, False, "set", s, {"learning_rate": 0.03}) is None  # the same value
    assert refusal(locks, False, "set", s, {"network_shape": [4]}) is not None
    assert refusal(locks, False, "set", s, {"network_shape": [8, 8]}) is None  # neurons free
    assert refusal(locks, False, "set", s, {"features": ["y"]}) is not None
    assert refusal(locks, False, "set", s, {"features": ["x", "y", "sinX"]}) is None
    assert refusal(locks, False, "play", s, None) is not None
    assert refusal(frozenset(), True, "step", s, None) == "your teacher paused the class"
    assert refusal(frozenset(), False, "step", s, None) is None


def test_a_challenge_names_the_rule_a_run_breaks() -> None:
    start = PlaygroundSettings(dataset="xor", seed="0.1").model_dump(mode="json")
    rules = Challenge(id="c1", below=0.1, max_neurons=6, max_layers=2, features=["x", "y"],
                      epochs=100, start=start)  # fmt: skip
    ok = PlaygroundSettings(dataset="xor", seed="0.1", network_shape=[4, 2])
    assert broken_rule(rules, ok, 90, own_data=False) is None
    assert "other data" in (broken_rule(rules, ok, 90, own_data=True) or "")
    other_seed = ok.model_copy(update={"seed": "0.2"})
    assert "other data" in (broken_rule(rules, other_seed, 90, own_data=False) or "")
    wide = ok.model_copy(update={"network_shape": (4, 4)})
    assert broken_rule(rules, wide, 90, own_data=False) == "8 neurons, more than 6"
    deep = ok.model_copy(update={"network_shape": (1, 1, 1)})
    assert broken_rule(rules, deep, 90, own_data=False) == "3 hidden layers, more than 2"
    sines = ok.model_copy(update={"features": ("x", "sinX")})
    assert "sinX" in (broken_rule(rules, sines, 90, own_data=False) or "")
    assert "budget" in (broken_rule(rules, ok, 101, own_data=False) or "")
    assert target_met(rules, 0.09, {}) and not target_met(rules, float("nan"), {})
    accuracy = Challenge(id="c2", metric="test_accuracy", above=0.9)
    assert target_met(accuracy, 9.0, {"test_accuracy": 0.95})
    with pytest.raises(ValueError):
        Challenge(id="c3", metric="test_accuracy", below=0.1)


def test_the_board_ranks_by_epochs_then_neurons_then_time() -> None:
    def entry(epoch: int, neurons: int, seconds: float, why: str | None = None) -> dict:  # type: ignore[type-arg]
        return {"name": "n", "epoch": epoch, "neurons": neurons, "seconds": seconds,
                "eligible": why is None, "reason": why}  # fmt: skip

    results = {"slow": entry(90, 4, 10), "wide": entry(50, 9, 5), "lean": entry(50, 4, 30),
               "quick": entry(50, 4, 20), "cheat": entry(10, 2, 1, "imported weights")}  # fmt: skip
    ranked = board(results)
    assert [e["id"] for e in ranked] == ["quick", "lean", "wide", "slow", "cheat"]
    assert [e["rank"] for e in ranked] == [1, 2, 3, 4, None]


def test_the_summary_is_read_off_the_frame_the_student_was_sent() -> None:
    session = Session(PlaygroundSettings(seed="0.5"))
    train(session, 5)
    frame = build_frame(session, 1, with_inputs=True)
    facts = read_frame(frame, session.metric_names)
    train_loss, test_loss = session.losses()
    assert (facts.epoch, facts.train_loss, facts.test_loss) == (5, train_loss, test_loss)
    assert facts.metrics["test_accuracy"] == session.metrics()[1]
    maps, _ = session.grid.frame_maps(session.net, None, False)
    assert facts.tile == np.asarray(maps)[2::4, 2::4].tobytes()  # the centre of each 4x4 block
    assert read_focus(frame) == 0xFFFF
    doc = summary("Ana", session, facts, facts.tile, "active", {})
    assert len(base64.b64decode(doc["map"])) == 625 and doc["shape"] == [4, 2]
    assert len(str({k: v for k, v in doc.items() if k != "map"})) < 1200  # a few hundred bytes
