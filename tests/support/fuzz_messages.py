"""Hypothesis strategies for hostile client messages, and a driver that tallies the answers.

Shared by tests/api/test_fuzz.py (a few thousand messages in CI) and benchmarks/fuzz.py
(100,000). Every message is sent on one live connection, followed by a ping; whatever the
server says before the pong is that message's answer.
"""

import json
from collections import Counter
from typing import Any

from hypothesis import strategies as st
from websockets.sync.client import ClientConnection

from app.protocol.inbound import MESSAGE_TYPES, PlaygroundSettings

SETTING_KEYS = sorted(PlaygroundSettings.model_fields)
FIELD_NAMES = ["type", "settings", "epochs", "layer", "src", "dst", "node", "value", "unit",
               "frames", "id", "protocol", "checkpoint", *SETTING_KEYS]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["tanh", "relu", "circle", "L1", "adam", "x", "", "0.1", "\u0000"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=30,
)
wrong_fields = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    st.sampled_from(MESSAGE_TYPES),
    st.dictionaries(st.sampled_from(FIELD_NAMES[1:]), json_values, max_size=4),
)
wrong_settings = st.builds(
    lambda key, value: {"type": "set", "settings": {key: value}},
    st.sampled_from(SETTING_KEYS),
    json_values,
)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


raw_text = st.one_of(
    st.builds(_deep, st.integers(min_value=100, max_value=200_000)),
    st.text(max_size=200),
    st.builds(lambda n: json.dumps({"type": "ping", "id": "x" * n}), st.integers(0, 300_000)),
    st.sampled_from(["", "null", "1e999999", "-" + "9" * 5000, '{"type":', "\ud800"]),
)
binary = st.binary(max_size=512)
truncated_utf8 = st.sampled_from([b"\xe2\x82", b"\xff\xfe", b'{"type":"ping","id":"\xc3'])

messages = st.one_of(
    wrong_fields.map(lambda m: ("text", json.dumps(m))),
    wrong_settings.map(lambda m: ("text", json.dumps(m))),
    json_values.map(lambda v: ("text", json.dumps(v))),
    raw_text.map(lambda t: ("text", t)),
    binary.map(lambda b: ("binary", b)),
)


def exchange(ws: ClientConnection, kind: str, payload: Any, probe: int) -> list[dict[str, Any]]:
    """Send one message then a ping; return the JSON answers that arrived before the pong."""
    if kind == "binary":
        ws.send(payload)
    elif kind == "bad_utf8":
        ws.send(payload, text=True)  # an invalid text frame: the server must close with 1007
    else:
        ws.send(payload.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
    ws.send(json.dumps({"type": "ping", "id": probe}))
    answers: list[dict[str, Any]] = []
    while True:
        raw = ws.recv(timeout=10)
        if isinstance(raw, bytes):
            continue  # a frame: only if the message granted credit
        message = json.loads(raw)
        if message.get("type") == "pong" and message.get("id") == probe:
            return answers
        answers.append(message)


def tally_answer(tally: Counter[str], answers: list[dict[str, Any]]) -> None:
    """Count what one message got back; an answer must be typed (error code or a message)."""
    kinds = [a.get("code", a["type"]) if a["type"] == "error" else a["type"] for a in answers]
    tally[" + ".join(sorted(set(kinds))) or "(no answer)"] += 1
