"""The default page: layout, labels, colours, accessibility and keyboard, as a person sees it."""

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_default_page_shows_circle_and_a_2_4_2_1_network(playground: Any, artifacts: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    expect(page.locator(".dataset.selected")).to_have_attribute("data-dataset", "circle")
    expect(page.locator(".dataset.classification:visible")).to_have_count(4)
    expect(page.locator(".node.input")).to_have_count(7)
    expect(page.locator(".node.input:not(.inactive)")).to_have_count(2)
    expect(page.locator(".node.hidden-node")).to_have_count(6)
    expect(page.locator(".neurons-label")).to_have_text(["4 neurons", "2 neurons"])
    assert page.inner_text("#layers-heading").split() == ["2", "HIDDEN", "LAYERS"]
    expect(page.locator(".link-hover")).to_have_count(2 * 4 + 4 * 2 + 2)
    # The numbers playground.tensorflow.org shows for seed 0.12345 (tests/api/test_live_session.py).
    pg.expect_epoch("000,000")
    expect(page.locator("#loss-test")).to_have_text("0.518")
    expect(page.locator("#loss-train")).to_have_text("0.502")
    for select, value in [
        ("#learningRate", "0.03"),
        ("#activations", "tanh"),
        ("#regularizations", "none"),
        ("#regularRate", "0"),
        ("#problem", "classification"),
        ("#speed", "60"),
    ]:
        expect(page.locator(select)).to_have_value(value)
    expect(page.locator("#percTrainData-value")).to_have_text("50")
    expect(page.locator("#noise-value")).to_have_text("0")
    expect(page.locator("#batchSize-value")).to_have_text("10")
    # 250 training points drawn over the map; test points hidden until asked for.
    expect(page.locator(".train-points circle")).to_have_count(250)
    expect(page.locator(".test-points")).to_be_hidden()
    # No sideways scrolling at 1280x800, and the whole playground is on screen.
    width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1]
    bottom = page.evaluate(
        "() => document.querySelector('.checkboxes').getBoundingClientRect().bottom"
    )
    assert bottom <= 800
    page.screenshot(path=str(artifacts / "playground-default.png"))
    # Every control is reachable and named as the playground names it.
    for name, element_id in [
        ("Run/Pause", "play-pause-button"),
        ("Step", "next-step-button"),
        ("Reset the network", "reset-button"),
        ("Regenerate data", "data-regen-button"),
    ]:
        button = page.get_by_role("button", name=name, exact=True)
        expect(button).to_have_id(element_id)
        expect(button).to_have_attribute("title", name)
    for label in [
        "Learning rate",
        "Activation",
        "Regularization",
        "Regularization rate",
        "Problem type",
        "Speed",
    ]:
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name="Spiral")).to_have_attribute("aria-checked", "false")
    expect(page.get_by_role("checkbox", name="Show test data")).not_to_be_checked()
    expect(page.get_by_role("button", name="Feature X₁", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#connection-status")).to_have_text("connected")


def test_the_map_is_a_100x100_canvas_in_the_31_shades_at_alpha_160(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    size = pg.page.evaluate(
        "() => { const c = document.querySelector('#heatmap canvas');"
        " return [c.width, c.height, c.clientWidth, c.clientHeight]; }"
    )
    assert size == [100, 100, 260, 260]
    from_colors = pg.page.evaluate(
        """async () => { const m = await import('/static/js/colors.js');
           return m.SHADES.map((s) => s.join(',')); }"""
    )
    palette = [tuple(map(int, s.split(","))) for s in from_colors]
    colours, alphas = pg.colours()
    assert alphas == {160}
    # Alpha is premultiplied in the canvas, so read-back RGB may be off by a unit or two.
    assert all(_near_any(c, palette) for c in colours)
    assert len(colours) > 3  # an untrained tanh network is not flat
    # Toggling "Discretize output" redraws the last frame with only the two extreme shades.
    before = pg.frames()
    pg.page.check("#discretize")
    pg.expect_hash("discretize=true")
    pg.wait_frames(before + 1)
    colours, _ = pg.colours()
    assert all(_near_any(c, [(0xF5, 0x93, 0x22), (0x08, 0x77, 0xBD)]) for c in colours)


def _near_any(colour: tuple[int, ...], palette: list[tuple[int, ...]], tol: int = 2) -> bool:
    return any(all(abs(a - b) <= tol for a, b in zip(colour, p, strict=True)) for p in palette)


def test_keyboard_space_plays_and_pauses_arrow_steps_r_resets(playground: Any) -> None:
    pg = playground.open()
    page = pg.page
    page.locator("body").press("ArrowRight")
    pg.expect_epoch("000,001")
    page.keyboard.press("ArrowRight")
    pg.expect_epoch("000,002")
    page.keyboard.press("r")
    pg.expect_epoch("000,000")
    page.keyboard.press(" ")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#iter-number")).not_to_have_text("000,000")
    page.keyboard.press(" ")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    # Typing in a field is not a shortcut.
    page.focus("#learningRate")
    page.keyboard.press("r")
    expect(page.locator("#iter-number")).not_to_have_text("000,000")
