"""Messages a person can read (issue 24, item 6): the JSON import says what it did, or what
is wrong with the file in words, next to the button that was pressed; an unknown address is a
page with a way home.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
SIZES = [(1280, 900), (390, 844)]


def open_at(browser: Any, base_url: str, size: tuple[int, int]) -> tuple[Any, Playground]:
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=width < 500, is_mobile=width < 500
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, Playground(page, base_url).open("seed=0.12345&activation=relu")


def weights_json(pg: Playground, folder: Path) -> Path:
    with pg.page.expect_download() as info:
        pg.page.click("[data-export=json]")
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def expect_beside(message: Any, button: Any) -> None:
    """The message is on screen, and no farther than a line or two from the button."""
    expect(message).to_be_visible()
    expect(message).to_be_in_viewport(ratio=1)
    a, b = message.bounding_box(), button.bounding_box()
    gap = max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]), 0)
    assert gap <= 40, f"the message is {gap:.0f} px from the button: {a} vs {b}"


@pytest.mark.parametrize("size", SIZES, ids=["desktop", "phone"])
def test_an_import_says_what_it_did_beside_the_button(
    browser: Any, live_server: Any, tmp_path: Path, size: tuple[int, int], artifacts: Path
) -> None:
    """A newcomer's pass: after Import JSON at 1280×900 the success message sat below the fold."""
    context, pg = open_at(browser, live_server.url, size)
    page = pg.page
    pg.step(2)
    saved = weights_json(pg, tmp_path)
    page.select_option("#activations", "sigmoid")
    pg.expect_epoch("000,000")
    button = page.locator("label.file-button", has=page.locator("#import-json"))
    button.scroll_into_view_if_needed()
    page.set_input_files("#import-json", str(saved))
    message = page.locator("#transfer-message")
    expect(message).to_have_text("Imported: settings and weights restored.")
    expect(page.locator("#activations")).to_have_value("relu")
    expect_beside(message, button)
    page.screenshot(path=str(artifacts / f"import-message-{size[0]}.png"))
    context.close()


def test_a_bad_import_names_the_fields_in_words(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    """A newcomer's pass: "missing ['epoch', …], unknown []" (Python lists) for a bad file."""
    context, pg = open_at(browser, live_server.url, (1280, 900))
    page = pg.page
    document = json.loads(weights_json(pg, tmp_path).read_text())
    del document["epoch"], document["initial_weights"]
    document["colour"] = "blue"
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(document))
    page.set_input_files("#import-json", str(bad))
    message = page.locator("#transfer-message")
    expect(message).to_have_text(
        "Nothing imported: not a usable export: the epoch (“epoch”) and the initial weights "
        "(“initial_weights”) are missing; it has a field this format does not know: “colour”"
    )
    expect_beside(message, page.locator("label.file-button", has=page.locator("#import-json")))
    assert "[" not in message.inner_text()
    bad.write_text(json.dumps({"name": "my notes"}))
    page.set_input_files("#import-json", str(bad))
    expect(message).to_contain_text(
        "it has none of the fields of a Weights JSON download (format tag, settings, epoch, "
        "weights and initial weights)"
    )
    pg.step(1)  # the session is intact
    context.close()


def test_an_unknown_address_is_a_page_with_a_way_home(
    page: Any, live_server: Any, request: Any
) -> None:
    request.node.allowed_page_problems = ("http 404", "status of 404")
    response = page.goto(f"{live_server.url}/lesson")  # "lessons" mistyped
    assert response is not None and response.status == 404
    expect(page).to_have_title("Page not found — NN Playground")
    expect(page.locator("main h2")).to_have_text("There is no page at /lesson")
    page.locator("#home-link").click()
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    page.goto(f"{live_server.url}/nothing")
    page.get_by_role("link", name="guided lessons").click()
    expect(page.locator(".lesson-card").first).to_be_visible()
