"""While the server is unreachable the page says so, and nothing the person does is lost
(issue 11, item 6).

- A dead server: a banner, the run greyed out, play/step/reset disabled, play not showing
  "pause"; a learning rate and a feature changed meanwhile are applied after the reconnect.
- The banner leaves the top bar readable, on a desktop and on a phone.
- When the server is back, a short polite notice says so and goes away by itself.
- A path that stalls without breaking (TCP reports nothing): the page's ping watchdog notices,
  reconnects and training resumes.
"""

import re
import socket
import threading
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground
from tests.browser.test_faults import RECONNECT_NOISE, KillableServer, killable
from tests.browser.test_small_screens import meet, open_on
from tests.support.live_server import start_live_server
from tests.support.relay import Relay

__all__ = ["killable"]  # the fixture, used by name below

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_edits_made_while_the_server_is_down_are_applied_after_the_reconnect(
    page: Any, killable: KillableServer, request: pytest.FixtureRequest
) -> None:
    request.node.allowed_page_problems = RECONNECT_NOISE
    pg = Playground(page, killable.url).open("seed=0.12345")
    status = page.locator("#connection-status")
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
    killable.kill()
    expect(status).to_have_attribute("data-state", "reconnecting")

    banner = page.locator("#offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Not connected")
    for button in ("#play-pause-button", "#next-step-button", "#reset-button"):
        expect(page.locator(button)).to_be_disabled()
        # ... and look it: the dark play disc stayed dark while disabled (a newcomer's pass).
        assert float(page.eval_on_selector(button, "el => getComputedStyle(el).opacity")) < 1
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    opacity = page.eval_on_selector("#network", "el => getComputedStyle(el).opacity")
    assert float(opacity) < 1

    page.select_option("#learningRate", "0.3")
    page.get_by_role("button", name="Feature X₁²", exact=True).click()
    expect(page.locator("#learningRate")).to_have_value("0.3")  # shown at once
    expect(page.locator("#node-xSquared")).to_have_attribute("aria-pressed", "true")

    killable.start()  # slow on a loaded machine; the page's next try may be 8 s away
    expect(status).to_have_attribute("data-connects", "2", timeout=30_000)
    expect(banner).to_be_hidden()
    expect(page.locator("#online-notice")).to_contain_text("edits you made meanwhile are applied")
    pg.expect_hash("learningRate=0.3&")
    pg.expect_hash("xSquared=true")
    expect(page.locator("#learningRate")).to_have_value("0.3")
    expect(page.locator("#play-pause-button")).to_be_enabled()
    # It was playing when the line dropped, so it plays on, with the server holding the edits.
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".link-hover")).to_have_count(3 * 4 + 4 * 2 + 2)  # X₁² is an input
    pg.wait_frames(pg.frames() + 5)


# What a person reads in the top bar and the title bar's status, as [name, left, top, right,
# bottom]: the labels over the selects, "Epoch" and its counter, the play, step and reset buttons.
TOP_BAR = """() => [...document.querySelectorAll(`#top-controls label, #top-controls .label,
    #iter-number, #top-controls button, #top-controls select, #connection-status`)]
  .filter((e) => e.getClientRects().length)
  .map((e) => { const r = e.getBoundingClientRect();
    return [e.getAttribute('aria-label') || e.textContent.trim() || e.id,
            r.left, r.top, r.right, r.bottom]; })"""

# The banner as a person sees it: its box, the screen's size, and whether its text is cut off.
BANNER = """() => { const b = document.getElementById('offline-banner'),
    r = b.getBoundingClientRect();
  return {box: [r.left, r.top, r.right, r.bottom], screen: [innerWidth, innerHeight],
          clipped: b.scrollHeight > b.clientHeight || b.scrollWidth > b.clientWidth}; }"""


def test_the_offline_banner_leaves_the_top_bar_readable(
    page: Any, browser: Any, killable: KillableServer, request: pytest.FixtureRequest
) -> None:
    """Found by a newcomer's pass: the banner lay over the top bar, hiding "Epoch", the
    labels of the selects and the play controls while the server was down."""
    request.node.allowed_page_problems = RECONNECT_NOISE
    page.set_viewport_size({"width": 1280, "height": 900})
    Playground(page, killable.url).open("seed=0.12345")
    phone, phone_pg = open_on(browser, killable.url, 390, 844)
    try:
        killable.kill()
        for where in (page, phone_pg.page):
            expect(where.locator("#offline-banner")).to_be_visible()
            expect(where.locator("#offline-banner")).to_contain_text("Not connected")
            banner = where.evaluate(BANNER)
            box, (width, height) = banner["box"], banner["screen"]
            assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height, banner
            assert not banner["clipped"], f"at {width} px the banner's text is cut off"
            for name, *drawn in where.evaluate(TOP_BAR):
                assert not meet(box, drawn), f"at {width} px the banner {box} covers {name!r}"
    finally:
        phone.close()


def test_a_notice_says_the_connection_is_back_then_goes_away(
    page: Any, killable: KillableServer, request: pytest.FixtureRequest
) -> None:
    """Found by a newcomer's pass: after the server came back the banner just vanished, and
    only the small status word in the corner said anything had changed."""
    request.node.allowed_page_problems = RECONNECT_NOISE
    Playground(page, killable.url).open("seed=0.12345")
    status = page.locator("#connection-status")
    notice = page.locator("#online-notice")
    expect(notice).to_have_attribute("role", "status")  # polite: read out, nothing interrupted
    expect(notice).to_be_hidden()  # the first connection is no news
    expect(notice).to_have_text("")

    killable.kill()
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(notice).to_be_hidden()
    killable.start()
    expect(status).to_have_attribute("data-connects", "2", timeout=30_000)
    expect(notice).to_be_visible()
    expect(notice).to_have_text("Connected again, thanks for waiting.")
    expect(page.locator("#offline-banner")).to_be_hidden()
    box = notice.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= 800, box  # on screen
    shown = time.monotonic()
    expect(notice).to_be_hidden(timeout=10_000)  # by itself, after a few seconds
    assert time.monotonic() - shown > 2, "gone before it could be read"
    expect(notice).to_have_text("")


class StallingRelay(Relay):
    """A TCP relay whose `stall()` stops forwarding on every open connection while keeping
    them open: what a hung proxy or a sleeping NAT does. New connections pass normally."""

    def __init__(self, target_port: int) -> None:
        self.stalled: list[threading.Event] = []
        super().__init__(target_port)

    def relay(self, client: socket.socket, upstream: socket.socket) -> None:
        stall = threading.Event()
        self.stalled.append(stall)
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(src, dst, stall), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, stall: threading.Event) -> None:
        try:
            while (data := src.recv(65536)) and not stall.is_set():
                dst.sendall(data)
        except OSError:
            pass

    def stall(self) -> None:
        for event in self.stalled:
            event.set()


def test_a_stalled_connection_is_noticed_and_replaced(
    page: Any, request: pytest.FixtureRequest
) -> None:
    request.node.allowed_page_problems = RECONNECT_NOISE
    server = start_live_server(checkpoint_interval_seconds=0.3)
    relay = StallingRelay(server.port)
    try:
        pg = Playground(page, relay.url).open("seed=0.12345")
        status = page.locator("#connection-status")
        page.click("#play-pause-button")
        pg.wait_frames(pg.frames() + 10)
        relay.stall()  # no close, no reset: the socket just goes quiet
        stalled = time.monotonic()
        # The watchdog pings after 4 s of silence and gives up after 9 s; then it reconnects.
        expect(status).to_have_attribute("data-connects", "2", timeout=25_000)
        assert time.monotonic() - stalled > 4  # not before it could have had an answer
        stalled_at = pg.frames()
        pg.wait_frames(stalled_at + 10)  # training resumed over the new connection
        expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
    finally:
        relay.close()
        server.stop()


def test_a_line_that_stalls_right_after_a_checkpoint_is_noticed_too(
    page: Any, live_server: Any, request: pytest.FixtureRequest
) -> None:
    """The watchdog waited for an answer only to what the page sent: a checkpoint arriving
    after the page's last credit counted as that answer, so a line that stalled just then
    went unseen for good (the page sends nothing more until a frame comes). While a session
    plays, the server's silence itself is suspect. Here the first connection goes quiet in
    both directions right after a checkpoint reaches the page."""
    request.node.allowed_page_problems = RECONNECT_NOISE
    lines: list[dict[str, Any]] = []

    def connect(ws: Any) -> None:
        server = ws.connect_to_server()
        line = {"quiet": False, "armed": False}
        lines.append(line)

        def to_server(message: Any) -> None:
            if not line["quiet"]:
                server.send(message)

        def to_page(message: Any) -> None:
            if line["quiet"]:
                return
            ws.send(message)
            if line["armed"] and isinstance(message, str) and '"type":"checkpoint"' in message:
                line["quiet"] = True  # stall now: nothing more either way

        ws.on_message(to_server)
        server.on_message(to_page)

    page.route_web_socket(re.compile(r".*/ws$"), connect)
    pg = Playground(page, live_server.url).open("seed=0.12345")
    status = page.locator("#connection-status")
    expect(status).to_have_attribute("data-connects", "1")
    page.click("#play-pause-button")
    pg.wait_frames(pg.frames() + 5)
    lines[0]["armed"] = True  # its next checkpoint (one a second while playing) stalls it
    expect(status).to_have_attribute("data-connects", "2", timeout=25_000)
    assert lines[0]["quiet"]
    frames = pg.frames()
    pg.wait_frames(frames + 5)  # training goes on over the new connection
