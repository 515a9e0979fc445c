"""What a client should do when its websocket ends: reconnect now, later, or give up.

What it is: the meaning of the close codes this server sends (docs/protocol.md §9) as one
table, and the backoff between tries (exponential, with "equal jitter": half the delay fixed,
half random, so a class dropped together does not come back in lockstep). The Python client
follows it; static/js/reconnect.js is the page's copy of the same rules.
What it is not: the retry loop itself (app/client.py), which also knows what to resume.
Trade-off: a close the table does not know is retried (with backoff): a proxy or a future
server may close with codes we never send, and giving up on those would strand the client,
while a refusal that retrying cannot cure (an origin, a flood, a message too large) has a
code of its own and ends the tries at once.
"""

import random
from enum import Enum
from typing import Any

from app.playground.session import LIVE_KEYS
from app.protocol.inbound import PROTOCOL_VERSION

CLOSE_GOING_AWAY = 1001  # an idle session was closed, or a proxy went away
CLOSE_POLICY = 1008  # refused: origin, host, a flood of bad messages
CLOSE_TOO_BIG = 1009  # a message beyond the transport's cap
CLOSE_SERVICE_RESTART = 1012  # the worker is stopping after a final checkpoint (drain)
CLOSE_TRY_LATER = 1013  # server full, or too many connections from one address

FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 8.0


class Retry(Enum):
    """How to go on after a close."""

    NOW = "now"  # the server asked for it: a stopping worker, another replica answers
    BACKOFF = "backoff"  # a failure that may heal: wait, longer each time
    NEVER = "never"  # a refusal that the same client would only meet again


NEVER_CODES = frozenset({1002, 1003, 1007, CLOSE_POLICY, CLOSE_TOO_BIG, 1010, 1015})


def after_close(code: int | None) -> Retry:
    """What a close with `code` (None: no close frame, the line just died) asks of a client."""
    if code == CLOSE_SERVICE_RESTART:
        return Retry.NOW
    if code in NEVER_CODES:
        return Retry.NEVER
    return Retry.BACKOFF


def after_handshake(status: int | None) -> Retry:
    """What an HTTP status that refused the websocket handshake asks of a client (None: no
    answer at all: refused, reset or timed out). 4xx is this server (or a proxy) saying no,
    except 408 and 429, which say "later"; 5xx is a failing or unreachable upstream."""
    if status is None or status >= 500 or status in (408, 429):
        return Retry.BACKOFF
    return Retry.NEVER


# A generator of its own: the global `random` is the program's (a notebook may seed it, and
# hypothesis watches it in the tests), and jitter needs no shared state.
_JITTER = random.Random()


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """The wait before try `attempt` (0 = the first retry): 0.25 s doubling up to 8 s, of which
    a random half, so that tries of many clients spread out."""
    ceiling = min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2.0 ** max(0, attempt))
    draw = (rng or _JITTER).random()
    return ceiling / 2 + draw * ceiling / 2


def resume_hello(settings: dict[str, Any], checkpoint: dict[str, Any] | None) -> dict[str, Any]:
    """The `hello` that continues a session whose connection dropped, on any server.

    `settings` are the ones last echoed (a `state`), `checkpoint` the newest held. The
    checkpoint is used when it belongs to those settings (only live ones, such as the learning
    rate, may have changed since, and the hello carries them); otherwise the settings, seed
    included, rebuild the same data and page-load weights at epoch 0, as the page does."""
    if checkpoint is not None and _structural(checkpoint.get("settings")) == _structural(settings):
        live = {key: settings[key] for key in LIVE_KEYS if key in settings}
        merged = {**checkpoint["settings"], **live}
        return {
            "type": "hello",
            "protocol": PROTOCOL_VERSION,
            "settings": merged,
            "checkpoint": checkpoint,
        }
    return {"type": "hello", "protocol": PROTOCOL_VERSION, "settings": settings, "checkpoint": None}


def _structural(settings: Any) -> dict[str, Any] | None:
    if not isinstance(settings, dict):
        return None
    return {key: value for key, value in settings.items() if key not in LIVE_KEYS}
