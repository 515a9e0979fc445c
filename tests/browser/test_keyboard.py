"""A keyboard user can do what a mouse user does in the network, and finds the shortcuts
(issue 11, item 7)."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ACTIVE = "() => { const e = document.activeElement; return e.id || e.getAttribute('aria-label'); }"
# What kind of stop the focus is on, for reading the Tab order.
KIND = """() => { const e = document.activeElement;
  if (e.dataset && e.dataset.link) return 'link';
  if (e.dataset && e.dataset.bias) return 'bias';
  if (e.classList.contains('hidden-node')) return 'neuron';
  if (e.classList.contains('node') && e.classList.contains('input')) return 'feature';
  if (e.closest('.plus-minus-neurons')) return 'layer button';
  return e.id || e.getAttribute('aria-label') || e.tagName; }"""
SIX_BY_EIGHT = "networkShape=8,8,8,8,8,8&seed=0.12345"
GROUP = re.compile(r"^Weights and biases")
FIRST_LINK = "Weight from node 1 of layer 0 to node 1 of layer 1"


def test_focus_stays_on_the_control_after_the_network_is_rebuilt(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    page.locator("#node-xSquared").focus()
    page.keyboard.press("Enter")
    pg.expect_hash("xSquared=true")
    expect(page.locator(".link-hover")).to_have_count(3 * 4 + 4 * 2 + 2)  # rebuilt
    assert page.evaluate(ACTIVE) == "node-xSquared"

    add = "Add a neuron to hidden layer 1"
    page.get_by_role("button", name=add).focus()
    page.keyboard.press("Enter")
    pg.expect_hash("networkShape=5,2&")
    expect(page.locator(".node.hidden-node")).to_have_count(7)
    assert page.evaluate(ACTIVE) == add
    page.keyboard.press("Enter")  # and the key goes on working where it is
    pg.expect_hash("networkShape=6,2&")

    # The weights group keeps one Tab stop, on the link it had, across a rebuild.
    page.get_by_role("button", name="Weight from node 1 of layer 2 to node 1 of layer 3").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#add-layers")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".plus-minus-neurons")).to_have_count(3)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(ACTIVE) == "Weight from node 1 of layer 2 to node 1 of layer 3"
    expect(page.locator('#svg [tabindex="0"]')).to_have_count(1)


def test_a_plus_button_that_reaches_its_limit_hands_the_focus_to_its_minus(
    playground: Any,
) -> None:
    """A button disabled under the focus drops it to the page body (found by a stranger's
    keyboard-only pass): at 8 neurons, or at 6 layers, the − beside it takes the focus."""
    pg = playground.open("networkShape=7,7,7,7,7&seed=0.12345")
    page = pg.page
    add = page.get_by_role("button", name="Add a neuron to hidden layer 1")
    add.focus()
    page.keyboard.press("Enter")
    pg.expect_hash("networkShape=8,7,7,7,7&")
    expect(page.get_by_role("button", name="Add a neuron to hidden layer 1")).to_be_disabled()
    expect(page.get_by_role("button", name="Remove a neuron from hidden layer 1")).to_be_focused()
    page.keyboard.press("Enter")  # and the key goes on working where it landed
    pg.expect_hash("networkShape=7,7,7,7,7&")

    page.locator("#add-layers").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#add-layers")).to_be_disabled()  # 6 hidden layers, the most
    expect(page.locator("#remove-layers")).to_be_focused()


def test_tab_reaches_the_features_soon_and_the_links_are_one_stop_after_them(
    playground: Any,
) -> None:
    # 6 layers of 8: 336 links and 49 biases, which once were 385 Tab stops before the features.
    pg = playground.open(SIX_BY_EIGHT)
    page = pg.page
    expect(page.locator(".link-hover")).to_have_count(2 * 8 + 5 * 64 + 8)
    stops: list[str] = []
    for _ in range(150):  # from page load: the top bar, the data column, then the network
        page.keyboard.press("Tab")
        stops.append(page.evaluate(KIND))
        if stops[-1] == "remove-layers":  # the first stop after the network (add is disabled)
            break
    assert "feature" in stops, stops
    first = stops.index("feature")
    assert first < 40, stops[: first + 1]
    network = stops[first:]
    order = [kind for i, kind in enumerate(network) if i == 0 or network[i - 1] != kind]
    assert order == ["feature", "neuron", "layer button", "link", "remove-layers"], order
    assert network.count("feature") == 7 and network.count("neuron") == 48
    assert network.count("link") + network.count("bias") == 1  # one stop for the whole group
    page.keyboard.press("Shift+Tab")  # back into the group, then on to the neurons' buttons
    expect(page.get_by_role("button", name=FIRST_LINK)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(KIND) == "layer button"


def test_arrow_keys_walk_the_links_and_biases_and_show_each_value(playground: Any) -> None:
    pg = playground.open("seed=0.12345")  # x, y into 4 then 2 neurons, then the output
    page = pg.page
    group = page.get_by_role("toolbar", name=GROUP)
    expect(group).to_have_count(1)
    # Screen readers get every link and bias by its label, whichever one holds the Tab stop.
    expect(group.get_by_role("button")).to_have_count(2 * 4 + 4 * 2 + 2 + 4 + 2 + 1)
    page.get_by_role("button", name="Remove a neuron from hidden layer 2").focus()
    page.keyboard.press("Tab")
    card = page.locator("#hovercard")

    def at(name: str, kind: str) -> None:
        expect(group.get_by_role("button", name=name, exact=True)).to_be_focused()
        expect(card).to_be_visible()
        expect(card).to_contain_text(re.compile(kind + r" is -?\d\.\d+\."))

    # Neuron by neuron: its incoming weights from the top, then its bias.
    at(FIRST_LINK, "Weight")
    page.keyboard.press("ArrowDown")
    at("Weight from node 2 of layer 0 to node 1 of layer 1", "Weight")
    page.keyboard.press("ArrowRight")
    at("Bias of neuron 1 in layer 1", "Bias")
    page.keyboard.press("ArrowRight")
    at("Weight from node 1 of layer 0 to node 2 of layer 1", "Weight")
    page.keyboard.press("ArrowLeft")
    at("Bias of neuron 1 in layer 1", "Bias")
    page.keyboard.press("End")
    at("Bias of neuron 1 in layer 3", "Bias")  # the output's
    page.keyboard.press("ArrowDown")  # the ends do not wrap
    at("Bias of neuron 1 in layer 3", "Bias")
    page.keyboard.press("ArrowUp")
    at("Weight from node 2 of layer 2 to node 1 of layer 3", "Weight")
    page.keyboard.press("Home")
    at(FIRST_LINK, "Weight")
    page.keyboard.press("ArrowUp")
    at(FIRST_LINK, "Weight")
    pg.expect_epoch("000,000")  # → moved the focus: it did not also step the training
    assert page.locator('#svg [tabindex="0"]').count() == 1


def test_enter_edits_the_focused_weight_and_tab_leaves_the_group(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    page.locator("#node-1-0").focus()  # a focused neuron shows its map, as hovering does
    expect(page.locator("#heatmap")).to_have_attribute("data-focus", "1-0")

    page.get_by_role("button", name="Remove a neuron from hidden layer 2").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("End")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    link = page.locator('[data-link="2-0-0"]')
    expect(link).to_be_focused()
    card = page.locator("#hovercard")
    expect(card).to_contain_text(re.compile(r"Weight is \S+\."))
    page.keyboard.press("Enter")
    field = card.locator("input")
    expect(field).to_be_focused()
    field.fill("0.5")
    page.keyboard.press("Enter")
    expect(card).to_contain_text(re.compile(r"Weight is 0\.50*\."))
    expect(link).to_be_focused()  # the editor gives the focus back, so the arrows go on
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    page.keyboard.press("Escape")
    expect(field).to_be_hidden()
    expect(link).to_be_focused()
    expect(card).to_be_visible()
    page.keyboard.press("Tab")  # one Tab leaves the group
    expect(page.locator("#add-layers")).to_be_focused()
    expect(card).to_be_hidden()
    page.keyboard.press("Shift+Tab")  # and the group remembers where it was
    expect(link).to_be_focused()
    # The server has it: the value read back from a frame.
    expect(card).to_contain_text(re.compile(r"Weight is 0\.50*\."))


def test_question_mark_opens_the_shortcut_help(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    help_ = page.locator("#shortcut-help")
    expect(help_).to_be_hidden()
    page.keyboard.press("?")
    expect(help_).to_be_visible()
    for text in ("Space", "play or pause", "one step", "reset the network", "Keras mode"):
        expect(help_).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()
    expect(page.locator("#help-button")).to_be_focused()
    page.click("#help-button")
    expect(help_).to_be_visible()
