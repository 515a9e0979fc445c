"""The digits workspace in Chromium: it opens on a fresh install with the built-in digits,
trains live, shows what its neurons look for, its confusion matrix and mistakes, reads a
digit drawn with a mouse or a finger, and works on a phone (390x844, touch).

Everything waits on what the page shows (text, `data-*` counters the views keep), never on
sleeps; the page fails its test on any console error, page error or HTTP error.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PageProblems
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

# A model that learns the built-in digits within a few epochs (Adam at Keras's default rate).
QUICK = "layers=64:relu&optimizer=adam&lr=0.001&batch=50&seed=3"


def open_digits(page: Any, base: str, hash_: str = "") -> None:
    page.goto(f"{base}/digits#{hash_}")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    expect(page.locator("#digits-accuracy")).to_have_attribute("data-value", re.compile(r"^0\.\d+"))


def counter(page: Any, selector: str, name: str) -> int:
    return int(page.get_attribute(selector, f"data-{name}") or 0)


def more_than(n: int) -> re.Pattern[str]:
    """Matches decimal integers greater than n (n < 1000 here)."""
    return re.compile(rf"^(?!0*(?:{'|'.join(str(k) for k in range(n + 1))})$)\d+$")


def train_epochs(page: Any, epochs: int) -> None:
    page.click("#digits-play")
    expect(page.locator("#digits-epoch")).to_have_text(more_than(epochs - 1), timeout=60_000)
    page.click("#digits-play")
    expect(page.locator("#digits-play")).not_to_have_class(re.compile("playing"))


def stroke(page: Any, points: list[tuple[float, float]]) -> None:
    """A mouse stroke through points given as fractions of the pad."""
    box = page.locator("#digits-draw").bounding_box()
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=6)
    page.mouse.up()


def test_the_page_opens_on_a_fresh_install_with_the_built_in_digits(
    page: Any, live_server: LiveServer
) -> None:
    open_digits(page, live_server.url)
    expect(page.locator("#digits-data")).to_have_value("sample")
    expect(page.locator("#digits-params")).to_have_attribute("data-value", "7960")
    code = page.locator("#digits-code")
    expect(code).to_contain_text('keras.layers.Dense(10, activation="sigmoid")')
    expect(code).to_contain_text('optimizer="sgd"')
    expect(code).to_contain_text("model.fit(x_train, y_train, epochs=5, batch_size=100)")
    expect(page.locator("#digits-data-note")).to_contain_text("4,000 training")
    # The untrained network was evaluated: a confusion matrix of the 1,000 test digits.
    expect(page.locator("#digits-confusion")).to_have_attribute("data-epoch", "0")
    total = page.evaluate(
        "() => [...document.querySelectorAll('#digits-confusion td')]"
        ".reduce((s, td) => s + Number(td.textContent), 0)"
    )
    assert total == 1000
    expect(page.locator("#digits-neurons canvas")).to_have_count(10)


def test_play_trains_and_every_view_follows(page: Any, live_server: LiveServer) -> None:
    open_digits(page, live_server.url, QUICK)
    before = page.get_attribute("#digits-accuracy", "data-value")
    pictures = counter(page, "#digits-neurons", "updates")
    train_epochs(page, 3)
    accuracy = float(page.get_attribute("#digits-accuracy", "data-value") or 0)
    assert accuracy > 0.6 and str(accuracy) != before  # 64 ReLU units learn the sample fast
    expect(page.locator("#digits-neurons canvas")).to_have_count(64)
    assert counter(page, "#digits-neurons", "updates") > pictures
    expect(page.locator("#digits-confusion")).to_have_attribute("data-epoch", more_than(2))
    assert counter(page, "#digits-gallery", "count") > 0
    first = page.locator("#digits-gallery figure").first
    expect(first.locator("figcaption span")).to_contain_text("%")
    assert counter(page, "#digits-loss-chart", "points") >= 3 * 4000 // 50
    assert counter(page, "#digits-accuracy-chart", "epochs") >= 3
    expect(page.locator("#digits-last-epoch")).to_contain_text("test accuracy")
    expect(page.locator("#digits-estimate")).to_contain_text("per epoch")


def test_a_digit_drawn_with_the_mouse_gets_a_prediction(page: Any, live_server: LiveServer) -> None:
    open_digits(page, live_server.url, QUICK)
    train_epochs(page, 3)
    stroke(page, [(0.5, 0.15), (0.5, 0.5), (0.5, 0.85)])  # a one
    prediction = page.locator("#digits-prediction")
    expect(prediction).to_have_attribute("data-digit", "1")
    bars = page.locator("#digits-bars .bar")
    expect(bars).to_have_count(10)
    expect(page.locator("#digits-bars .bar.best")).to_have_attribute("data-class", "1")
    # The probabilities follow the network as it trains on.
    updates = counter(page, "#digits-bars", "updates")
    page.click("#digits-step")
    expect(page.locator("#digits-bars")).to_have_attribute("data-updates", more_than(updates))
    page.click("#digits-clear")
    expect(prediction).not_to_have_attribute("data-digit", re.compile(r"\d"))


def test_a_change_applies_live_and_the_code_follows(page: Any, live_server: LiveServer) -> None:
    open_digits(page, live_server.url)
    page.click("#digits-add-layer")
    expect(page.locator("#digits-layers .layer-row")).to_have_count(3)
    units = page.locator("#digits-layers .units").nth(0)
    units.fill("512")
    units.press("Enter")
    page.select_option("#digits-layers .activation >> nth=0", "relu")
    code = page.locator("#digits-code")
    expect(code).to_contain_text('keras.layers.Dense(512, activation="relu")')
    expect(page.locator("#digits-params")).to_have_attribute(
        "data-value", str(785 * 512 + 513 * 32 + 33 * 10)
    )
    page.fill("#digits-lr", "0.1")
    page.press("#digits-lr", "Enter")
    expect(page.locator("#digits-code")).to_contain_text("keras.optimizers.SGD(learning_rate=0.1)")
    expect(page).to_have_url(re.compile(r"layers=512%3Arelu%2C32%3Arelu.*lr=0\.1"))
    units.fill("5000")  # beyond the server's cap: refused, said, nothing changes
    units.press("Enter")
    expect(page.locator("#digits-error")).to_contain_text("1024")
    expect(units).to_have_value("512")


def test_the_keras_script_downloads(page: Any, live_server: LiveServer) -> None:
    open_digits(page, live_server.url, "layers=512:relu&epochs=20")
    with page.expect_download() as info:
        page.click("#digits-export")
    download = info.value
    assert download.suggested_filename == "digits_sample_keras.py"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "model.fit(x_train, y_train, epochs=20, batch_size=100)" in text
    assert 'keras.layers.Dense(512, activation="relu")' in text
    expect(page.locator("#digits-export-note")).to_be_visible()


def test_the_lesson_sets_up_the_articles_steps(page: Any, live_server: LiveServer) -> None:
    open_digits(page, live_server.url, "lesson=article&step=3")
    expect(page.locator("#digits-lesson-step")).to_contain_text("Step 3 of 4")
    expect(page.locator("#digits-params")).to_have_attribute("data-value", "407050")
    page.click("#digits-lesson-prev")
    page.click("#digits-lesson-prev")
    page.click("#digits-lesson-apply")
    expect(page.locator("#digits-params")).to_have_attribute("data-value", "7960")
    expect(page.locator("#digits-lesson-goal")).to_contain_text("by epoch 5")
    expect(page).to_have_url(re.compile(r"lesson=article&step=1"))


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = PageProblems(page)
    yield page
    context.close()
    assert not problems.items, problems.items


def touch_stroke(page: Any, points: list[tuple[float, float]]) -> None:
    """A finger stroke, as touch events from the device (Chromium turns them into pointer
    events of type "touch")."""
    box = page.locator("#digits-draw").bounding_box()
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    cdp = page.context.new_cdp_session(page)
    kinds = ["touchStart"] + ["touchMove"] * (len(at) - 1)
    for kind, (x, y) in zip(kinds, at, strict=True):
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_it_works_by_touch_on_a_phone(phone: Any, live_server: LiveServer) -> None:
    open_digits(phone, live_server.url, QUICK)
    width = phone.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    pad = phone.locator("#digits-draw").bounding_box()
    assert pad["width"] >= 250 and pad["x"] >= 0 and pad["x"] + pad["width"] <= 390
    phone.locator("#digits-play").tap()
    expect(phone.locator("#digits-epoch")).to_have_text(more_than(1), timeout=60_000)
    phone.locator("#digits-play").tap()
    phone.locator("#digits-draw").scroll_into_view_if_needed()
    scrolled = phone.evaluate("() => window.scrollY")
    line = [(0.5, 0.12 + 0.76 * k / 12) for k in range(13)]
    touch_stroke(phone, line)
    expect(phone.locator("#digits-prediction")).to_have_attribute("data-digit", re.compile(r"^\d$"))
    # Drawing did not scroll the page: the pad takes the finger (touch-action: none).
    assert phone.evaluate("() => window.scrollY") == scrolled
