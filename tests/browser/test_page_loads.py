"""The page opens in real Chromium with no errors and the right title."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_page_opens_without_errors_and_has_the_title(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile(r"^NN Playground"))
    page.wait_for_load_state("networkidle")
    assert page.problems.items == []
