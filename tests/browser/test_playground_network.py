"""The network drawing: layers and neurons, feature toggles, hovering nodes, editing weights."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_adding_and_removing_layers_and_neurons_redraws_the_counts(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    page.click("#add-layers")
    pg.expect_hash("networkShape=4,2,2&")
    expect(page.locator(".neurons-label")).to_have_text(["4 neurons", "2 neurons", "2 neurons"])
    assert page.inner_text("#layers-heading").split() == ["3", "HIDDEN", "LAYERS"]
    expect(page.locator(".node.hidden-node")).to_have_count(8)
    expect(page.locator(".link-hover")).to_have_count(2 * 4 + 4 * 2 + 2 * 2 + 2)
    page.get_by_role("button", name="Add a neuron to hidden layer 1").click()
    pg.expect_hash("networkShape=5,2,2&")
    expect(page.locator(".neurons-label").first).to_have_text("5 neurons")
    page.get_by_role("button", name="Remove a neuron from hidden layer 3").click()
    pg.expect_hash("networkShape=5,2,1&")
    expect(page.locator(".neurons-label").last).to_have_text("1 neuron")
    for _ in range(3):
        page.click("#remove-layers")
    pg.expect_hash("networkShape=&")
    assert page.inner_text("#layers-heading").split() == ["0", "HIDDEN", "LAYERS"]
    expect(page.locator(".node.hidden-node")).to_have_count(0)
    expect(page.locator(".link-hover")).to_have_count(2)  # x and y straight into the output
    expect(page.locator("#remove-layers")).to_be_disabled()
    page.click("#add-layers")
    pg.expect_hash("networkShape=2&")
    assert page.inner_text("#layers-heading").split() == ["1", "HIDDEN", "LAYER"]


def test_clicking_a_feature_toggles_it_and_resets(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    pg.step(1)
    feature = page.get_by_role("button", name="Feature X₁²", exact=True)
    expect(feature).to_have_attribute("aria-pressed", "false")
    feature.click()
    pg.expect_hash("xSquared=true")
    expect(page.locator("#node-xSquared")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".link-hover")).to_have_count(3 * 4 + 4 * 2 + 2)
    expect(page.locator("#iter-number")).to_have_text("000,000")
    expect(page.locator("#event-message")).to_be_hidden()
    page.locator("#node-x").focus()
    page.keyboard.press("Enter")  # keyboard users toggle too
    pg.expect_hash("&x=false&")


def test_hovering_a_node_shows_its_map_in_the_output(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    output = pg.digest()
    page.hover("#node-1-0")
    expect(page.locator("#heatmap")).to_have_attribute("data-focus", "1-0")
    hidden = pg.digest()
    assert hidden != output
    page.hover("#node-y")  # input nodes too (layer 0, unit 1)
    expect(page.locator("#heatmap")).to_have_attribute("data-focus", "0-1")
    assert pg.digest() not in (output, hidden)
    page.mouse.move(1, 790)
    expect(page.locator("#heatmap")).to_have_attribute("data-focus", "output")
    assert pg.digest() == output


def test_editing_a_weight_or_the_output_bias_in_the_hover_card(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    pg.step(1)
    before = pg.digest()
    page.hover('[data-link="2-0-0"]')  # second hidden layer, node 1 -> output
    card = page.locator("#hovercard")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Click anywhere to edit.")
    expect(card).to_contain_text(re.compile(r"Weight is -?\d\.\d+\."))
    page.click('[data-link="2-0-0"]')
    field = card.locator("input")
    expect(field).to_be_focused()
    field.fill("5")
    pg.expect_link("2-0-0", width=10, color="rgb(8, 119, 189)")  # 1 + 9·5/5, the ramp at +1
    assert pg.digest() != before
    field.press("Enter")
    expect(card.locator(".value")).to_have_text("5.0")
    pg.expect_epoch("000,001")  # an edit neither trains nor resets
    # The output's bias, which the playground never shows, has a square and a card too.
    before = pg.digest()
    page.mouse.move(1, 790)
    expect(card).to_be_hidden()
    page.hover('[data-bias="2-0"]')
    expect(card).to_contain_text(re.compile(r"Bias is -?\d\.\d+\."))
    page.click('[data-bias="2-0"]')
    card.locator("input").fill("-3")
    expect(page.locator("#bias-2-0")).to_have_css("fill", "rgb(245, 147, 34)")  # clamped orange
    assert pg.digest() != before
    card.locator("input").press("Escape")
    expect(card).to_be_hidden()
