"""Size by message type: what a message may weigh, decided before any of it is parsed
(issue 20, item 2; docs/protocol.md §2 "Sizes").

What it is: `check_size(text, large_cap)`, which reads the message's type from its first
bytes and holds it to that type's cap, and for a large `hello` also bounds how many JSON
values it may hold; and `unknown_settings(settings)`, the keys no setting has.
What it is not: validation (inbound.py does that, after this said the message may be parsed).
Trade-off: the type is read from the start of the text, so a message larger than
SMALL_CAP must begin with `{"type":"<its type>"` (every client we ship writes it first).
That costs a client nothing and lets the server refuse a 2 MB message of a small type, or
of no type at all, without spending a millisecond on it: parsing 2 MB of `{"0":0,...}`
costs ~0.1–0.4 s of the event loop, which is every other student's time.
"""

import re
from typing import Any

from app.playground.errors import ProtocolError
from app.playground.settings import PlaygroundSettings

# Only these may be large (up to the server's max_message_bytes): a checkpoint, a file.
LARGE_TYPES = frozenset({"hello", "import_json", "upload_csv"})
# Any other message: its type's cap, or SMALL_CAP for a type this table does not name (a
# drawn 28x28 digit as 784 numbers is ~6 kB; a teacher's pushed settings ~1 kB).
SMALL_CAP = 16 * 1024
CAPS = {
    "set": 8 * 1024,  # every setting at once is ~1 kB
    **dict.fromkeys(("play", "pause", "reset", "regenerate", "confusion", "clear_points"), 128),
    **dict.fromkeys(("step", "credit", "focus", "export"), 256),
    **dict.fromkeys(("ping", "set_weight", "set_bias", "add_point"), 512),
}
# JSON values (counted as ':' and ',') a large hello may hold: the largest checkpoint a
# session can make (6x8 network, Adam, 2,000 points, 10,000 run-log events) has ~125,000.
# Parsing costs at most ~0.25 µs per value, so this bounds a hello's parse to ~40 ms.
HELLO_VALUES = 160_000
_HEAD = re.compile(r'\s*\{\s*"type"\s*:\s*"([a-z_]{1,32})"')


def message_type(text: str) -> str | None:
    """The type a message names first, or None. Example: '{"type": "ping"}' -> "ping"."""
    found = _HEAD.match(text, 0, 64)
    return found.group(1) if found else None


def check_size(text: str, large_cap: int) -> str | None:
    """Refuse (ProtocolError "too_large") a message over its type's cap; its type if named
    first. Runs in microseconds whatever the size: nothing is parsed."""
    kind = message_type(text)
    cap = large_cap if kind in LARGE_TYPES else CAPS.get(kind or "", SMALL_CAP)
    if len(text) > cap:
        what = f"a {kind!r} message" if kind else "a message that does not begin with its type"
        raise ProtocolError("too_large", f"{what} may be at most {cap} bytes", "type")
    if kind == "hello" and len(text) > SMALL_CAP:
        values = text.count(":") + text.count(",")
        if values > HELLO_VALUES:
            message = f"a hello may hold at most {HELLO_VALUES} values ({values} here)"
            raise ProtocolError("too_large", message, "checkpoint")
    return kind


KNOWN_SETTINGS = frozenset(PlaygroundSettings.model_fields)


def unknown_settings(settings: dict[str, Any]) -> None:
    """Refuse a settings object with a key no setting has, before validating any of it:
    validation of 200,000 unknown keys costs seconds, naming the first costs nothing."""
    for key in settings:
        if key not in KNOWN_SETTINGS:  # the code and field a validation error would have
            field = f"settings.{key[:40]}"
            raise ProtocolError("invalid_message", f"{field}: no such setting", field)
