"""Phones and tablets get a layout of their own; the desktop keeps the playground's (issue 11,
item 10; the layouts themselves: test_phone_and_tablet.py).

At 390×844 (a phone) and 768×1024 (a tablet), with a touch screen: no horizontal scroll, every
control inside the screen's width, the main controls work by tapping, and the two notes under
the network never overlap. At 1280×900 every
landmark sits exactly where it did before the narrow layout existed (boxes measured on the
desktop layout as it was). Screenshots of all three go to test-results/ as CI artifacts.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

# [x, y, width, height] in CSS px at 1280×900, measured before the narrow layout was added.
DESKTOP_BOXES = {
    "#top-controls": [0, 40, 1280, 85],
    "#play-pause-button": [136, 54, 56, 56],
    "#learningRate": [422, 79, 104, 26],
    ".column.data": [90, 151, 165, 668],
    ".column.features": [255, 151, 165, 668],
    ".column.hidden-layers": [420, 151, 440, 668],
    ".column.output": [915, 151, 275, 668],
    "#heatmap": [915, 259, 280, 280],
    "#linechart": [1052, 191, 138, 55],
    "#node-x": [308, 267, 30, 30],
    "#node-1-0": [481, 267, 30, 30],
    "#node-2-1": [783, 322, 30, 30],
    "#add-layers": [518, 148, 32, 32],
    ".exports": [706, 857, 484, 32],  # two lines since "Keras exact replay" joined "Keras script"
    "#training-panel": [90, 854, 1100, 21],
    ".callout.thumbnail": [493, 467, 95, 60],  # both notes under the network stay as they were
    ".callout.weights": [700, 366, 95, 75],
}

# Every visible control's box, and whether it lies inside the viewport's width.
OUTSIDE = """() => [...document.querySelectorAll(
    'button, select, input:not(.file-input), summary, label.file-button, [role=radio]')]
  .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => [e.id || e.getAttribute('aria-label') || e.textContent.trim(),
               e.getBoundingClientRect()])
  .filter(([, r]) => r.width > 0 && (r.left < 0 || r.right > innerWidth + 0.5))
  .map(([name, r]) => `${name}: ${Math.round(r.left)}..${Math.round(r.right)}`)"""


def open_on(browser: Any, url: str, width: int, height: int) -> tuple[Any, Playground]:
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, is_mobile=width < 500
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, Playground(page, url).open("seed=0.12345")


@pytest.mark.parametrize(("width", "height"), [(390, 844), (768, 1024)])
def test_a_narrow_screen_fits_and_works_by_touch(
    browser: Any, live_server: Any, artifacts: Path, width: int, height: int
) -> None:
    context, pg = open_on(browser, live_server.url, width, height)
    page = pg.page
    try:
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner, f"{scroll} px of page in a {inner} px screen"
        assert page.evaluate(OUTSIDE) == []
        heatmap = page.locator("#heatmap").bounding_box()
        network = page.locator(".column.features").bounding_box()
        assert heatmap and network
        if width < 600:  # a phone: the map comes first (test_phone_and_tablet.py)
            assert heatmap["y"] + heatmap["height"] < network["y"]
        else:  # a tablet: beside the network
            assert heatmap["x"] > network["x"] + network["width"]
        page.screenshot(path=str(artifacts / f"small-screen-{width}x{height}.png"), full_page=True)

        page.tap("#next-step-button")
        pg.expect_epoch("000,001")
        page.tap("#play-pause-button")
        expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
        page.tap("#play-pause-button")
        expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
        page.locator("#node-xSquared").tap()
        pg.expect_hash("xSquared=true")
        page.get_by_role("button", name="Add a neuron to hidden layer 1").tap()
        pg.expect_hash("networkShape=5,2&")
        page.locator("#add-layers").tap()
        pg.expect_hash("networkShape=5,2,2&")
        page.locator("[data-dataset=xor]").tap()
        pg.expect_hash("dataset=xor")
        page.select_option("#learningRate", "0.1")
        pg.expect_hash("learningRate=0.1&")
        page.locator("#training-panel summary").tap()
        expect(page.locator("#optimizer")).to_be_visible()
        assert page.evaluate(OUTSIDE) == []  # still inside after the network grew
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= inner
    finally:
        context.close()


# Which control a tap at the centre of the named button reaches (it must be that button).
TAPPED = """(name) => { const b = document.querySelector(`button[aria-label="${name}"]`);
  b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const button = hit && hit.closest('button');
  return button ? button.getAttribute('aria-label') : null; }"""


def test_every_layers_neuron_buttons_take_taps_on_a_phone_with_six_layers(
    browser: Any, live_server: Any, artifacts: Path
) -> None:
    """Found by a newcomer's pass: with 4+ layers at 390 px, each layer's + / − pair lay under
    the next layer's, so "remove a neuron" could not be tapped on layers 1 to 5."""
    context, pg = open_on(browser, live_server.url, 390, 844)
    page = pg.page
    try:
        page.goto(f"{live_server.url}/#seed=0.12345&networkShape=4,4,4,4,4,4")
        pg.expect_hash("networkShape=4,4,4,4,4,4")
        expect(page.locator("#node-6-0")).to_be_visible()
        for layer in range(1, 7):
            for kind in ("Add a neuron to", "Remove a neuron from"):
                name = f"{kind} hidden layer {layer}"
                assert page.evaluate(TAPPED, name) == name
        page.screenshot(path=str(artifacts / "small-screen-390x844-six-layers.png"), full_page=True)
        page.get_by_role("button", name="Remove a neuron from hidden layer 1").tap()
        pg.expect_hash("networkShape=3,4,4,4,4,4&")
        page.get_by_role("button", name="Add a neuron to hidden layer 5").tap()
        pg.expect_hash("networkShape=3,4,4,4,5,4&")
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner
    finally:
        context.close()


# What each callout draws (its arrow and its text) as [left, top, right, bottom]; null if hidden.
CALLOUT_PARTS = """() => Object.fromEntries(['thumbnail', 'weights'].map((kind) => {
  const callout = document.querySelector(`#network .callout.${kind}`);
  if (!callout.getClientRects().length) return [kind, null];
  return [kind, [...callout.querySelectorAll('svg, .label')].map((e) => {
    const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; })]; }))"""


def meet(a: list[float], b: list[float]) -> bool:
    """Whether two [left, top, right, bottom] boxes share any area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_callouts_under_the_network_do_not_overlap_on_a_phone(
    browser: Any, live_server: Any, artifacts: Path
) -> None:
    """Found by a newcomer's pass: at 390 px the weights note ("The outputs are mixed with
    varying weights") was drawn over the neuron note whenever the second layer was as tall as
    the first (4,4 and 2,2, among others)."""
    context, pg = open_on(browser, live_server.url, 390, 844)
    page = pg.page
    try:
        for shape in ("4,2", "4,4", "2,2", "3,3,3", "8,8"):
            page.goto(f"{live_server.url}/#seed=0.12345&networkShape={shape}")
            pg.expect_hash(f"networkShape={shape}&")
            neurons = sum(int(n) for n in shape.split(","))  # the network of this shape is built
            expect(page.locator("#network .node.hidden-node")).to_have_count(neurons)
            parts = page.evaluate(CALLOUT_PARTS)
            page.locator("#network").scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / f"callouts-390x844-{shape}.png"))
            assert parts["thumbnail"], f"{shape}: the neuron note is gone"
            if shape == "4,2":  # the default network has room for both
                assert parts["weights"], "the weights note is gone from the default network"
            for a in parts["thumbnail"]:
                for b in parts["weights"] or []:
                    assert not meet(a, b), f"{shape}: {a} overlaps {b}"
    finally:
        context.close()


def test_the_desktop_layout_is_unchanged(page: Any, live_server: Any, artifacts: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    pg = Playground(page, live_server.url)
    pg.open("seed=0.12345")
    boxes: dict[str, list[int]] = {}

    def laid_out() -> bool:  # the layout settles after the first frame's network build
        for selector in DESKTOP_BOXES:
            box = page.locator(selector).first.bounding_box()
            assert box is not None, selector
            boxes[selector] = [round(box[k]) for k in ("x", "y", "width", "height")]
        return boxes == DESKTOP_BOXES

    pg.until(laid_out, lambda: f"the desktop boxes {boxes}, not {DESKTOP_BOXES}")
    page.screenshot(path=str(artifacts / "desktop-1280x900.png"))
