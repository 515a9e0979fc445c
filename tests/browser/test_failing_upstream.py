"""A balancer still routing the websocket to a dead replica is not a refused origin (issue 23).

The balancer here is a small relay that answers `GET /ws` with 503 while it is "failing" (as
haproxy does when the only server it picks is down) and passes every other request to a live
server. The browser reports such a handshake exactly as a refused origin (close 1006, no
status); the page must ask the server, learn that it would be admitted, keep saying
"reconnecting" and retry with backoff, and resume from its checkpoint once the balancer heals.
"""

import contextlib
import socket
import threading
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_faults import (
    MOST_EPOCHS_LOST,
    MOST_SAVED_AHEAD,
    RECONNECT_NOISE,
    epoch_text_at_least,
    train_through,
)
from tests.support.live_server import start_live_server
from tests.support.polling import wait_until
from tests.support.relay import Relay

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

UNAVAILABLE = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class FailingBalancer(Relay):
    """A relay to one server that can fail websocket handshakes and drop what it carries."""

    def __init__(self, target_port: int) -> None:
        self.failing = False
        self.refused_upgrades = 0
        super().__init__(target_port)

    def relay(self, client: socket.socket, upstream: socket.socket) -> None:
        threading.Thread(target=self._serve, args=(client, upstream), daemon=True).start()

    def _serve(self, client: socket.socket, upstream: socket.socket) -> None:
        """Read the request's head; a websocket handshake while failing gets 503 (as haproxy
        answers when its only server is down), anything else goes to the server."""
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                client.close()
                upstream.close()
                return
            head += chunk
        if self.failing and head.startswith(b"GET /ws "):
            with self.lock:
                self.refused_upgrades += 1
            client.sendall(UNAVAILABLE)
            client.close()
            upstream.close()
            return
        upstream.sendall(head)
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                sock.close()

    def fail(self) -> None:
        """The replica behind the websocket died: its connections drop, new ones get 503."""
        self.failing = True
        with self.lock:
            doomed, self.sockets = self.sockets, []
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.fail()
        super().close()


def test_a_balancer_failing_the_websocket_is_retried_not_called_a_refusal(
    page: Any, request: pytest.FixtureRequest
) -> None:
    request.node.allowed_page_problems = (*RECONNECT_NOISE, "503")
    server = start_live_server(checkpoint_interval_seconds=0.3)
    balancer = FailingBalancer(server.port)
    try:
        status, counter, shown, since = train_through(page, balancer.url)
        balancer.fail()
        expect(status).to_have_attribute("data-state", "reconnecting")
        # Several refused handshakes (more than the two after which a refusal is announced),
        # each followed by a probe that the server answers "admitted".
        wait_until(lambda: balancer.refused_upgrades >= 4, "four refused upgrades", seconds=20)
        expect(status).to_have_attribute(
            "data-detail",
            "the server answers, but its balancer could not reach a replica; retrying",
        )
        expect(page.locator("#offline-banner")).to_contain_text("training is stopped")
        assert ("state", "refused") not in shown.log()[since:]

        balancer.failing = False  # the balancer routes to a live replica again
        expect(status).to_have_attribute("data-connects", "2", timeout=20_000)
        saved, last_shown, _ = shown.across_the_fault(since)
        expect(counter).to_have_text(epoch_text_at_least(last_shown + 30))
        _, _, after = shown.across_the_fault(since)
        assert 0 < saved <= last_shown + MOST_SAVED_AHEAD, (saved, last_shown)
        assert last_shown - saved <= MOST_EPOCHS_LOST, (saved, last_shown)
        assert after and min(after) >= saved and after == sorted(after), (saved, after[:20])
        assert ("state", "refused") not in shown.log()[since:]
    finally:
        balancer.close()
        server.stop()
