"""Checks a running NN Playground container from the outside, the way a user reaches it.

Why a separate script: `.ci/image-check` owns the container's life (build, run, remove);
this file only speaks HTTP and websockets to the published port, using the project's own
Python client, so what it proves is what a browser or a notebook on the host would get.
Each subcommand prints one line per fact it checked and exits non-zero naming the first
fact that failed, so the CI log says what broke, not just that something did.

    python .ci/image_probe.py wait    URL TIMEOUT   # seconds until /healthz first answers 200
    python .ci/image_probe.py serve   URL VERSION   # /healthz, the page, a static module
    python .ci/image_probe.py train   URL           # a websocket session trains 20 epochs
    python .ci/image_probe.py full    URL           # a second live session is refused: 1013
    python .ci/image_probe.py digits  URL           # /digits trains; Fashion-MNIST is found
"""

import json
import math
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.client import PlaygroundClient

EPOCHS = 20
TRY_AGAIN_LATER = 1013


class ProbeFailed(Exception):
    """A fact about the container that did not hold; the message says which."""


def check(condition: bool, fact: str) -> None:
    """Fail loudly on a broken fact, and log the ones that held (the CI log is the record)."""
    if not condition:
        raise ProbeFailed(fact)
    print(f"  ok  {fact}", flush=True)


def get(url: str) -> tuple[int, str, bytes]:
    """One GET: status, content type and body; an HTTP error status is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read()


def wait(base: str, timeout: str) -> None:
    """Poll /healthz until the first 200 and print the wait: the script's start-up clock
    stops here, so a port that is published but not yet served does not count as up."""
    start = time.monotonic()
    deadline = start + float(timeout)
    while True:
        try:
            if get(base + "/healthz")[0] == 200:
                print(f"{time.monotonic() - start:.2f}")
                return
        except OSError:
            pass  # refused or reset while uvicorn is still starting
        if time.monotonic() > deadline:
            raise ProbeFailed(f"/healthz answered 200 within {timeout} s")
        time.sleep(0.05)


def serve(base: str, version: str) -> None:
    """The three kinds of thing a browser fetches: the probe, the page and an ES module."""
    status, kind, body = get(base + "/healthz")
    health = json.loads(body)
    check(status == 200 and health.get("status") == "ok", f"/healthz is 200 ok: {health}")
    # From outside the container the answer is the public one; its details (the version
    # among them) go to local requests only, which image-check asks from inside.
    check(health == {"status": "ok"} or health.get("version") == version, f"/healthz: {health}")
    status, kind, body = get(base + "/")
    check(status == 200 and "text/html" in kind, f"/ is 200 {kind}")
    check(b"<title>NN Playground" in body, "/ is the playground page")
    status, kind, body = get(base + "/static/js/main.js")
    check(status == 200 and "javascript" in kind, f"/static/js/main.js is 200 {kind}")
    check(b"import" in body, f"/static/js/main.js is an ES module ({len(body)} bytes)")
    status, _, _ = get(base + "/static/js/no-such-module.js")
    check(status == 404, "a missing asset is 404, not the page")


def train(base: str) -> None:
    """A real session over the published port: the image's NumPy stack trains and frames
    encode, which a page fetch alone would never exercise. Two Gaussian blobs at a brisk
    learning rate, so 20 epochs must cut the loss clearly, not by a rounding error."""
    url = ws_url(base)
    with PlaygroundClient(url, seed="0.4242", dataset="gauss", learning_rate=0.1) as pc:
        start = pc.frame()
        check(start.epoch == 0 and math.isfinite(start.train_loss), "a session starts at 0")
        pc.step(EPOCHS)
        end = pc.frame()
        check(end.epoch == EPOCHS, f"the session reached epoch {end.epoch} (want {EPOCHS})")
        check(math.isfinite(end.train_loss), f"training loss is finite: {end.train_loss:.4f}")
        fell = f"training loss fell by half: {start.train_loss:.4f} -> {end.train_loss:.4f}"
        check(end.train_loss < 0.5 * start.train_loss, fell)
        check(not pc.errors, f"no error messages: {pc.errors}")


def full(base: str) -> None:
    """With NN_PLAYGROUND_MAX_SESSIONS=1 the variable must reach the process: one session
    is served, a second is closed with 1013, and the slot comes back once the first leaves."""
    with PlaygroundClient(ws_url(base), seed="0.1") as first:
        first.step(1)
        check(first.frame().epoch == 1, "the first session is served")
        check(refusal_code(base) == TRY_AGAIN_LATER, "a second session is closed with 1013")
    check(eventually(lambda: refusal_code(base) is None), "the slot is free again once it left")


def refusal_code(base: str) -> int | None:
    """Open a bare websocket and say hello: the close code if refused, None if served."""
    hello = {"type": "hello", "protocol": 1, "settings": {}, "checkpoint": None}
    with connect(ws_url(base), open_timeout=5, compression=None, max_size=2**24) as ws:
        try:
            ws.send(json.dumps(hello))
            while True:
                message = ws.recv(timeout=5)
                if isinstance(message, str) and json.loads(message)["type"] == "state":
                    return None
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


def digits(base: str) -> None:
    """The digits workspace in the image: its built-in sample trains one epoch, and Debian's
    Fashion-MNIST (installed by the Dockerfile) is found and read."""
    status, _, body = get(base + "/digits")
    check(status == 200 and b'id="digits-draw"' in body, "/digits is the digits page")
    check(b"Fashion-MNIST" in body, "the page offers Fashion-MNIST (Debian's files were found)")
    url = "ws" + base.removeprefix("http") + "/digits/ws"
    with connect(url, open_timeout=5, compression=None, max_size=2**24) as ws:
        settings = {"layers": [{"units": 16, "activation": "relu"}], "seed": 1}
        ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": settings}))
        state = next_of(ws, "state")
        check(state["data"]["train"] == 4000, "the built-in sample: 4,000 training digits")
        ws.send(json.dumps({"type": "step"}))
        epoch = next_of(ws, "epoch")
        check(epoch["epoch"] == 1 and epoch["test_accuracy"] > 0.15, f"one epoch trains: {epoch}")
        next_of(ws, "state")  # the step's answer
        ws.send(json.dumps({"type": "set", "settings": {"data": "fashion"}}))
        state = next_of(ws, "state", timeout=60)
        check(state["data"]["train"] == 60000, "Fashion-MNIST: 60,000 training images")


def next_of(ws: ClientConnection, kind: str, timeout: float = 30) -> dict[str, Any]:
    """The next JSON message of type `kind` (binary frames and other messages skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        message = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(message, str):
            data: dict[str, Any] = json.loads(message)
            if data["type"] == "error":
                raise ProbeFailed(f"the server said: {data['message']}")
            if data["type"] == kind:
                return data


def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """The server frees a slot after the client's close handshake, not before it."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def ws_url(base: str) -> str:
    return "ws" + base.removeprefix("http") + "/ws"


COMMANDS: dict[str, Callable[..., None]] = {
    "wait": wait,
    "serve": serve,
    "train": train,
    "full": full,
    "digits": digits,
}

if __name__ == "__main__":
    name, *arguments = sys.argv[1:]
    try:
        COMMANDS[name](*arguments)
    except (ProbeFailed, OSError, ConnectionClosed, TimeoutError) as failure:
        sys.exit(f"  FAILED  {name}: {type(failure).__name__}: {failure}")
