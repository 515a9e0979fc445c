"""The reconnect rules the Python client follows (app/protocol/reconnect.py)."""

import random

import pytest

from app.protocol.reconnect import (
    Retry,
    after_close,
    after_handshake,
    backoff_seconds,
    resume_hello,
)


@pytest.mark.parametrize(
    ("code", "retry"),
    [
        (1012, Retry.NOW),  # a draining worker: its final checkpoint is already here
        (None, Retry.BACKOFF),  # the line died (kill -9, a reset)
        (1006, Retry.BACKOFF),
        (1013, Retry.BACKOFF),  # server full: later
        (1001, Retry.BACKOFF),  # idle close: a new session whenever the script goes on
        (1011, Retry.BACKOFF),
        (4321, Retry.BACKOFF),  # a proxy's own code: not ours to give up on
        (1008, Retry.NEVER),  # origin refused, too many refused messages
        (1009, Retry.NEVER),
        (1007, Retry.NEVER),
    ],
)
def test_what_a_close_asks_for(code: int | None, retry: Retry) -> None:
    assert after_close(code) is retry


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (None, Retry.BACKOFF),
        (502, Retry.BACKOFF),  # a balancer with no live replica behind it
        (503, Retry.BACKOFF),
        (429, Retry.BACKOFF),
        (403, Retry.NEVER),  # the origin or host check
        (400, Retry.NEVER),
        (404, Retry.NEVER),  # no websocket at this address at all
    ],
)
def test_what_a_refused_handshake_asks_for(status: int | None, retry: Retry) -> None:
    assert after_handshake(status) is retry


def test_backoff_doubles_to_a_cap_and_half_of_it_is_random() -> None:
    class Fixed(random.Random):
        def __init__(self, value: float) -> None:
            super().__init__()
            self.value = value

        def random(self) -> float:
            return self.value

    lows = [backoff_seconds(n, Fixed(0.0)) for n in range(8)]
    highs = [backoff_seconds(n, Fixed(1.0)) for n in range(8)]
    assert lows == [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert highs == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    spread = {round(backoff_seconds(2), 3) for _ in range(50)}
    assert len(spread) > 10 and min(spread) >= 0.5 and max(spread) <= 1.0


SETTINGS = {"seed": "s", "network_shape": [4, 2], "learning_rate": 0.03, "speed": 60}


def test_a_resume_uses_the_checkpoint_with_the_live_settings_of_now() -> None:
    checkpoint = {"epoch": 120, "settings": SETTINGS}
    now = {**SETTINGS, "learning_rate": 0.1, "speed": None}
    hello = resume_hello(now, checkpoint)
    assert hello["checkpoint"] is checkpoint
    assert hello["settings"] == {**SETTINGS, "learning_rate": 0.1, "speed": None}


def test_a_checkpoint_of_other_structural_settings_is_not_used() -> None:
    checkpoint = {"epoch": 120, "settings": SETTINGS}
    now = {**SETTINGS, "network_shape": [8]}  # the network changed after that checkpoint
    assert resume_hello(now, checkpoint) == {
        "type": "hello",
        "protocol": 1,
        "settings": now,
        "checkpoint": None,
    }
    assert resume_hello(SETTINGS, None)["checkpoint"] is None
    assert resume_hello(SETTINGS, {"epoch": 3, "settings": "junk"})["checkpoint"] is None
