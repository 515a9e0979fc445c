"""Issue 20, item 6: slots belong to students who train. A full server gives an idle tab's
slot to a new student; the tab says so and resumes from its checkpoint on the next click."""

from typing import Any

import pytest
from playwright.sync_api import expect

from app.client import PlaygroundClient
from tests.browser.conftest import Playground
from tests.browser.test_faults import RECONNECT_NOISE
from tests.support.live_server import start_live_server

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_an_idle_tab_gives_its_slot_to_a_new_student_and_resumes_on_a_click(
    page: Any, request: pytest.FixtureRequest
) -> None:
    request.node.allowed_page_problems = RECONNECT_NOISE  # the server stops before the page
    server = start_live_server(max_sessions=1, reclaim_idle_seconds=1)
    try:
        pg = Playground(page, server.url).open("seed=0.12345")
        status = page.locator("#connection-status")
        pg.step(3)
        expect(status).to_have_attribute("data-checkpoint-epoch", "3")
        page.wait_for_timeout(1500)  # the tab idles past reclaim_idle_seconds
        with PlaygroundClient(server.ws_url, seed="newcomer") as newcomer:
            assert newcomer.step(2)["epoch"] == 2  # admitted: the full server made room
            expect(status).to_have_attribute("data-state", "reclaimed")
            expect(page.locator("#offline-banner")).to_contain_text("went to another student")
            expect(status).to_contain_text("click to resume")
        page.mouse.click(5, 790)  # the next click: back, from the checkpoint
        expect(status).to_have_attribute("data-state", "connected")
        pg.expect_epoch("000,003")
        pg.step(1)
        pg.expect_epoch("000,004")
    finally:
        server.stop()
