"""The upload check uses the server's configured message limit (NN_PLAYGROUND_MAX_MESSAGE_BYTES):
a file too big for it is refused by the page before anything is sent, one that fits is sent."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.browser

LIMIT = 4096


@pytest.fixture
def small_limit_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("NN_PLAYGROUND_MAX_MESSAGE_BYTES", str(LIMIT))
    server = start_live_server()
    yield server
    server.stop()


def _csv(rows: int) -> bytes:
    return "\n".join(
        f"{i / 1000:.3f},{-i / 1000:.3f},{1 if i % 2 else -1}" for i in range(rows)
    ).encode()


def test_a_file_over_the_servers_limit_is_refused_before_sending(
    small_limit_server: LiveServer, page: Any
) -> None:
    """The server fixture comes first so that it stops after the page has closed: a stopping
    server tells its pages to reconnect at once, and this one would find nobody there."""
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    pg = Playground(page, small_limit_server.url).open()
    big = _csv(400)  # ~7 kB: over 4096 bytes, far under the 2 MB default the page used to assume
    assert len(big) > LIMIT
    page.set_input_files(
        "#upload-csv", files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": big}]
    )
    report = page.locator("#upload-report")
    expect(report).to_contain_text("big.csv is too large")
    assert not [m for m in sent if "upload_csv" in m]
    small = _csv(40)  # ~600 bytes: fits, so it goes to the server and is uploaded
    page.set_input_files(
        "#upload-csv", files=[{"name": "small.csv", "mimeType": "text/csv", "buffer": small}]
    )
    expect(report).to_contain_text("40 points uploaded")
    assert len([m for m in sent if "upload_csv" in m]) == 1
    assert pg.epoch() == "000,000"  # the session survived both
