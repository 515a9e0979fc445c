"""Multi-class maps, the confusion matrix, the gradient view, divergence."""

import colorsys
import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Hues of the class palette (colors.js CLASS_COLORS): orange, blue, green, purple.
CLASS_HUES = [32, 203, 141, 268]


def class_shares(rgb: set[tuple[int, ...]], counts: dict[tuple[int, ...], int]) -> list[float]:
    """Share of the map's pixels tinted towards each class colour (by hue)."""
    shares = [0] * len(CLASS_HUES)
    total = sum(counts.values())
    for colour in rgb:
        h, _, s = colorsys.rgb_to_hls(*(c / 255 for c in colour[:3]))
        if s < 0.08:
            continue  # grey: a tie
        hue = h * 360
        nearest = min(range(4), key=lambda k: abs((hue - CLASS_HUES[k] + 180) % 360 - 180))
        shares[nearest] += counts[colour]
    return [n / total for n in shares]


def map_colours(page: Any) -> dict[tuple[int, ...], int]:
    pairs = page.evaluate(
        """() => { const c = document.querySelector('#heatmap canvas');
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             const n = new Map();
             for (let i = 0; i < d.length; i += 4) {
               const k = `${d[i]},${d[i + 1]},${d[i + 2]}`; n.set(k, (n.get(k) || 0) + 1);
             }
             return [...n]; }"""
    )
    return {tuple(int(v) for v in k.split(",")): n for k, n in pairs}


def test_three_blobs_train_into_three_class_colours(playground: Any, artifacts: Any) -> None:
    pg = playground.open("seed=0.12345&dataset=blobs3&speed=max")
    page = pg.page
    expect(page.locator(".dataset.selected")).to_have_attribute("data-dataset", "blobs3")
    expect(page.locator(".node.output-node")).to_have_count(3)
    expect(page.locator("#class-legend .class-choice")).to_have_count(3)
    expect(page.locator("#ramp-legend")).to_be_hidden()
    expect(page.locator("#loss")).to_be_disabled()
    expect(page.locator("#loss")).to_have_value("categorical_crossentropy")
    fills = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('.train-points circle')]"
        ".map((c) => c.getAttribute('fill')))].sort()"
    )
    assert fills == ["#0877bd", "#2e9e55", "#f59322"]
    page.click("#play-pause-button")
    expect(page.locator("#extra-metrics")).to_contain_text(
        re.compile(r"Accuracy (9\d|100)\.\d% test"), timeout=20_000
    )
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    counts = map_colours(page)
    shares = class_shares(set(counts), counts)
    assert all(share > 0.05 for share in shares[:3]), shares  # every class wins a region
    assert shares[3] < 0.01, shares  # and there is no fourth
    # Pick class 2 (green) and click the map: a green point joins the training set.
    page.click('#class-legend .class-choice[data-class="2"]')
    box = page.locator("#heatmap canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 20, box["y"] + 20)
    expect(page.locator("#heatmap svg")).to_have_attribute("data-train-points", "251")
    page.mouse.move(5, 795)
    page.screenshot(path=str(artifacts / "blobs3-class-map.png"))


def test_the_confusion_matrix_counts_every_point(playground: Any) -> None:
    pg = playground.open("seed=0.12345&dataset=quadrants4&percTrainData=70")
    page = pg.page
    pg.step(3)
    page.get_by_role("button", name="Confusion matrix").click()
    popover = page.locator("#confusion")
    expect(popover).to_be_visible()
    train = popover.locator("table[data-set=training]")
    test = popover.locator("table[data-set=test]")
    expect(train).to_have_attribute("data-total", "350")
    expect(test).to_have_attribute("data-total", "150")
    for table, size in ((train, 350), (test, 150)):
        cells = [int(t) for t in table.locator("td").all_inner_texts()]
        assert len(cells) == 16 and sum(cells) == size
    popover.locator(".popover-close").click()
    expect(popover).to_be_hidden()


def test_gradient_view_restyles_links_and_marks_a_dead_relu(playground: Any) -> None:
    pg = playground.open("seed=0.12345&activation=relu")
    page = pg.page
    pg.step(2)
    weight_colour = pg.link_inks("0-0-0")["0-0-0"]["color"]
    page.check("#gradient-view")
    pg.expect_hash("&gradientView=true")
    expect(page.locator("#network")).to_have_class(re.compile(r"\bgradient-view\b"))
    # No update has run with the view on yet: the training set's gradient at these weights.
    note = page.locator("#gradient-note")
    expect(note).to_contain_text("over all training points at the current weights")
    pg.step(1)
    expect(note).to_contain_text("Links show |∂L/∂w| of the last update: the darkest")
    # Read off the screen: the largest gradient is drawn thickest (10 px) in the darkest ink, and
    # the links no longer show the weights' colours.
    links = page.eval_on_selector_all("[data-link]", "(els) => els.map((el) => el.dataset.link)")

    def gradient_drawn() -> bool:
        inks = pg.link_inks(*links)
        thickest = max(inks.values(), key=lambda ink: ink["width"])
        return (
            abs(thickest["width"] - 10) <= 0.5
            and thickest["color"] == "rgb(24, 61, 78)"
            and inks["0-0-0"]["color"] != weight_colour
        )

    pg.until(gradient_drawn, "the links show the gradients")
    # A bias of -50 silences hidden neuron 1-0 on every training point: a dead ReLU.
    page.hover('[data-bias="0-0"]')
    page.click('[data-bias="0-0"]')
    field = page.locator("#hovercard input")
    field.fill("-50")
    field.press("Enter")
    page.mouse.move(5, 795)
    pg.step(1)
    node = page.locator("#node-1-0")
    expect(node).to_have_class(re.compile(r"\bdead\b"))
    expect(node).to_have_attribute("title", re.compile("dead ReLU: zero for every training point"))
    expect(page.locator("#gradient-note")).to_contain_text("1 dead ReLU neuron")
    # Off again: weights, not gradients, and no dead marks.
    page.uncheck("#gradient-view")
    expect(page.locator("#network")).not_to_have_class(re.compile(r"\bgradient-view\b"))
    expect(node).not_to_have_class(re.compile(r"\bdead\b"))
    expect(page.locator("#gradient-note")).to_be_hidden()


def test_divergence_offers_a_reset_with_a_smaller_learning_rate(playground: Any) -> None:
    pg = playground.open(
        "problem=regression&regDataset=reg-plane&activation=relu&learningRate=10&seed=0.12345"
    )
    page = pg.page
    page.click("#play-pause-button")
    button = page.locator("#smaller-lr-button")
    expect(button).to_be_visible()
    expect(button).to_have_text("Reset with learning rate 1")
    button.click()
    expect(page.locator("#learningRate")).to_have_value("1")
    pg.expect_epoch("000,000")
    expect(page.locator("#event-message")).to_be_hidden()
    expect(page.locator("#extra-metrics")).to_contain_text(re.compile(r"RMSE \d+\.\d{3} test"))
    expect(page.locator("#extra-metrics")).to_contain_text("R²")


def test_the_gradient_view_shows_gradients_whenever_training_has_run(playground: Any) -> None:
    """A newcomer's pass: ticked after 245 epochs of play, the view said "…once training has
    taken a step" and showed nothing until Step was pressed."""
    pg = playground.open("seed=0.54321&gradientView=true")
    page = pg.page
    note = page.locator("#gradient-note")
    expect(note).to_contain_text("once training has taken a step")  # epoch 0: nothing yet
    page.uncheck("#gradient-view")
    page.click("#play-pause-button")
    pg.wait_frames(pg.frames() + 20)
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).not_to_have_class(re.compile(r"\bplaying\b"))
    page.check("#gradient-view")
    expect(note).to_contain_text(
        re.compile(r"over all training points at the current weights.*largest, \d")
    )
    assert pg.epoch() != "000,000"
    # A reload resumes only a saved checkpoint whose settings match the page's: wait for the
    # one the tick made due (it follows the state; under load it can lag the note's frame).
    page.wait_for_function(
        """() => {
          const c = JSON.parse(sessionStorage.getItem("nn-playground.checkpoint") || "null");
          return c !== null && c.epoch > 0 && c.settings.gradient_view === true;
        }""",
        timeout=10_000,
    )
    page.reload()  # the resumed run has trained too
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    expect(note).to_contain_text("over all training points at the current weights")
    pg.step(1)
    expect(note).to_contain_text("Links show |∂L/∂w| of the last update:")
