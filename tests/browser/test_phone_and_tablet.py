"""Watching a network train on a phone or a tablet (issue 24, item 1).

At 390×844 (a phone, touch) the play bar sticks to the top of the screen with the epoch, the
losses and, once the big map has scrolled away, a small copy of it; the output map comes right
under it, before the lesson. At 768×1024 (a tablet in portrait) the map sits beside the network.
Touch screens read "tap", never "hover" or "click". Screenshots of the three sizes, idle,
training and with a lesson open, go to test-results/.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = (390, 844)
TABLET = (768, 1024)
DESKTOP = (1280, 900)
LESSON = "lesson=gaussian&step=1&seed=0.12345"
# The share of an element's box inside the viewport, as the page is scrolled now.
INSIDE = """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
  const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
  const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
  return r.width * r.height > 0 ? (w * h) / (r.width * r.height) : 0; }"""
# Every word for a pointer that a touch screen has not got, in the text the page shows.
POINTER_WORDS = re.compile(r"\b(hover\w*|click\w*)\b", re.IGNORECASE)
NUMBER = re.compile(r"^\d+\.\d+$")


def open_on(
    browser: Any, url: str, size: tuple[int, int], hash_: str, touch: bool = True
) -> tuple[Any, Playground]:
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=touch, is_mobile=width < 500
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, Playground(page, url).open(hash_)


def inside(page: Any, selector: str) -> float:
    return float(page.evaluate(INSIDE, selector))


def play(pg: Playground) -> None:
    """Tap play and wait for training to show: the epoch counter moves."""
    pg.page.tap("#play-pause-button")
    expect(pg.page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
    expect(pg.page.locator("#iter-number")).not_to_have_text("000,000")


def test_a_phone_with_a_lesson_open_shows_map_pause_epoch_and_losses_while_training(
    browser: Any, live_server: Any
) -> None:
    context, pg = open_on(browser, live_server.url, PHONE, LESSON)
    page = pg.page
    try:
        expect(page.locator("#lesson")).to_be_visible()
        expect(page.locator("#lesson-title")).not_to_be_empty()
        play(pg)
        assert page.evaluate("() => scrollY") == 0  # nothing scrolled
        assert inside(page, "#heatmap canvas") >= 0.9
        assert inside(page, "#play-pause-button") >= 0.9
        assert inside(page, "#iter-number") == 1
        for loss in ("#bar-loss-test", "#bar-loss-train"):
            assert inside(page, loss) == 1, loss
            expect(page.locator(loss)).to_have_text(NUMBER)
        # The lesson follows the map: its title is on the first screen too.
        assert inside(page, "#lesson-title") > 0
    finally:
        context.close()


def test_on_a_phone_the_play_bar_and_a_small_map_stay_in_view_while_the_page_scrolls(
    browser: Any, live_server: Any
) -> None:
    context, pg = open_on(browser, live_server.url, PHONE, LESSON)
    page = pg.page
    mini = page.locator("#mini-map")
    try:
        expect(mini).to_be_hidden()  # the big map is in view: no copy
        play(pg)
        page.locator("#node-1-0").scroll_into_view_if_needed()
        page.locator(".column.data").scroll_into_view_if_needed()  # well past the map
        assert inside(page, "#heatmap canvas") < 0.5
        assert inside(page, "#play-pause-button") >= 0.9  # the bar stuck to the top
        assert inside(page, "#iter-number") == 1
        expect(mini).to_be_visible()
        assert inside(page, "#mini-map") == 1
        page.tap("#play-pause-button")  # pause: the small map then changes only by the tap below
        expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
        page.locator("#node-1-0").scroll_into_view_if_needed()
        copy = "#mini-map canvas"
        pg.until(lambda: pg.digest(copy) == pg.digest(), "the small map to copy the big one")
        before = pg.digest(copy)
        page.locator("#node-1-0").tap()  # a neuron's picture goes to the map...
        expect(page.locator("#heatmap")).to_have_attribute("data-focus", "1-0")
        pg.until(lambda: pg.digest(copy) != before, "the small map to show the neuron")
        assert pg.digest(copy) == pg.digest()  # ...and to its copy, which is in view
        assert inside(page, "#mini-map") == 1
        mini.tap()  # back to the big map
        pg.until(lambda: inside(page, "#heatmap canvas") >= 0.9, "the big map in view")
        expect(mini).to_be_hidden()
    finally:
        context.close()


def test_a_tablet_in_portrait_has_the_map_beside_the_network(
    browser: Any, live_server: Any
) -> None:
    context, pg = open_on(browser, live_server.url, TABLET, "seed=0.12345")
    page = pg.page
    try:
        nodes = page.evaluate(
            """() => [...document.querySelectorAll('#network .node')].map((e) => {
                 const r = e.getBoundingClientRect();
                 return [r.left, r.top, r.right, r.bottom]; })"""
        )
        assert len(nodes) == 7 + 4 + 2  # features, then the default 4,2
        map_box = page.locator("#heatmap canvas").bounding_box()
        assert map_box
        left, top = map_box["x"], map_box["y"]
        bottom = top + map_box["height"]
        assert left > max(n[2] for n in nodes)  # right of every node
        assert top < max(n[3] for n in nodes) and bottom > min(n[1] for n in nodes)  # same rows
        assert inside(page, "#heatmap canvas") == 1  # and on the first screen
        assert inside(page, "#play-pause-button") == 1
        # The data column comes under them, the whole width.
        data = page.locator(".column.data").bounding_box()
        assert data and data["y"] > bottom and data["width"] > 700
    finally:
        context.close()


@pytest.mark.parametrize("size", [PHONE, TABLET])
def test_a_touch_screen_reads_tap_never_hover_or_click(
    browser: Any, live_server: Any, size: tuple[int, int]
) -> None:
    context, pg = open_on(browser, live_server.url, size, "seed=0.12345")
    page = pg.page
    try:
        expect(page.locator(".callout.thumbnail")).to_contain_text("Tap it to see it larger")
        assert POINTER_WORDS.findall(page.inner_text("body")) == []
        page.locator('[data-bias="0-0"]').tap()  # a bias: the card opens, ready to edit
        card = page.locator("#hovercard")
        expect(card).to_be_visible()
        expect(card.locator("input")).to_be_focused()
        expect(card.locator(".hint")).to_have_text(re.compile(r"\btap\b", re.IGNORECASE))
        assert POINTER_WORDS.findall(card.inner_text()) == []
        page.locator("#play-pause-button").focus()  # done; then the output's bias, at the right
        expect(card).to_be_hidden()
        page.locator('[data-bias="2-0"]').tap()
        expect(card).to_be_visible()
        box = card.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= size[0]  # on the screen,
        scroll = page.evaluate("() => [scrollX, document.documentElement.scrollWidth]")
        assert scroll[0] == 0 and scroll[1] <= size[0]  # not by scrolling the page sideways
    finally:
        context.close()


def test_a_phone_paused_while_idle_is_told_to_tap(browser: Any, live_server: Any) -> None:
    context, pg = open_on(browser, live_server.url, PHONE, "seed=0.12345")
    page = pg.page
    status = page.locator("#connection-status")
    try:
        page.evaluate(  # the server closes an idle session with 1001
            """() => { const ws = window.__playground.connection.ws;
                       ws.dispatchEvent(new CloseEvent('close', {code: 1001, reason: 'idle'}));
                       ws.close(); }"""
        )
        expect(status).to_have_attribute("data-state", "idle")
        expect(status).to_have_text("paused while idle: tap to reconnect")
        expect(page.locator("#offline-banner")).to_contain_text("tap anywhere")
        assert POINTER_WORDS.findall(page.inner_text("body")) == []
        page.tap(".column.features > p")  # anywhere
        expect(status).to_have_attribute("data-state", "connected")
    finally:
        context.close()


# The fills of the user's own points (squares) and of the dataset's (dots) on the map.
FILLS = """(kind) => [...document.querySelectorAll(`#heatmap .train-points ${kind}`)]
  .map((e) => e.getAttribute('fill'))"""


def test_a_touch_screen_adds_points_of_either_label(browser: Any, live_server: Any) -> None:
    """No shift-click on a touch screen: the label a tap adds is picked under the map."""
    context, pg = open_on(browser, live_server.url, PHONE, "seed=0.12345")
    page = pg.page
    overlay = page.locator("#heatmap svg")
    try:
        picker = page.get_by_role("radiogroup", name="Label of the points a tap adds")
        expect(picker).to_be_visible()
        points = int(overlay.get_attribute("data-train-points") or 0)
        overlay.tap(position={"x": 60, "y": 60})
        expect(overlay).to_have_attribute("data-train-points", str(points + 1))
        picker.get_by_role("radio", name="orange, −1").tap()
        expect(picker.get_by_role("radio", name="orange, −1")).to_have_attribute(
            "aria-checked", "true"
        )
        overlay.tap(position={"x": 200, "y": 200})
        expect(overlay).to_have_attribute("data-train-points", str(points + 2))
        own, dots = page.evaluate(FILLS, "rect.own"), page.evaluate(FILLS, "circle")
        assert len(own) == 2 and len(set(own)) == 2 and set(own) == set(dots)
    finally:
        context.close()


def test_a_mouse_still_reads_hover_and_click(browser: Any, live_server: Any) -> None:
    """The same check on a desktop finds the playground's own words: it can fail."""
    context, pg = open_on(browser, live_server.url, DESKTOP, "seed=0.12345", touch=False)
    try:
        words = {w.lower() for w in POINTER_WORDS.findall(pg.page.inner_text("body"))}
        assert {"hover", "click"} <= words
        expect(pg.page.locator("#touch-labels")).to_be_hidden()  # shift-click does it
    finally:
        context.close()


@pytest.mark.parametrize("size", [PHONE, TABLET, DESKTOP])
def test_screenshots_idle_training_and_with_a_lesson(
    browser: Any, live_server: Any, artifacts: Path, size: tuple[int, int]
) -> None:
    width, height = size
    touch = width < 1000
    name = f"{width}x{height}"
    context, pg = open_on(browser, live_server.url, size, "seed=0.12345", touch)
    page = pg.page
    tap = page.tap if touch else page.click
    try:
        page.screenshot(path=str(artifacts / f"{name}-idle.png"))
        tap("#play-pause-button")
        expect(page.locator("#iter-number")).not_to_have_text(re.compile("^000,0"))
        page.screenshot(path=str(artifacts / f"{name}-training.png"))
        tap("#play-pause-button")
        page.goto("about:blank")  # a lesson link opened afresh, as from the lessons list
        page.goto(f"{live_server.url}/#{LESSON}")
        expect(page.locator("#lesson-title")).not_to_be_empty()
        pg.expect_hash("dataset=gauss")  # the step's settings are on, its network drawn
        expect(page.locator("#network .node.hidden-node")).to_have_count(1)
        page.screenshot(path=str(artifacts / f"{name}-lesson.png"))
        page.screenshot(path=str(artifacts / f"{name}-lesson-full.png"), full_page=True)
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner
    finally:
        context.close()
