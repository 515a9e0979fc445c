"""A keyboard user can do what a mouse user does in the network, and finds the shortcuts
(issue 11, item 7; issue 24, item 7: the datasets and each layer's neurons are one Tab stop
each, points are added from the keyboard, links and biases are named by their nodes)."""

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
FIRST_LINK = "Weight from X₁ to neuron 1 of hidden layer 1"


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

    # The weights group keeps one Tab stop, on the link it had, across a rebuild: the same
    # weight matrix, source and target, renamed now that a hidden layer follows it.
    page.get_by_role("button", name="Weight from neuron 1 of hidden layer 2 to the output").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#add-layers")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".plus-minus-neurons")).to_have_count(3)
    page.keyboard.press("Shift+Tab")
    expect(page.locator('[data-link="2-0-0"]')).to_be_focused()
    renamed = "Weight from neuron 1 of hidden layer 2 to neuron 1 of hidden layer 3"
    assert page.evaluate(ACTIVE) == renamed
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
    assert network.count("feature") == 7
    assert network.count("neuron") == 6  # one stop a layer, not 48
    assert network.count("link") + network.count("bias") == 1  # one stop for the whole group
    assert stops.index("link") < 40, stops  # 62 presses before the neurons were grouped
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
    at("Weight from X₂ to neuron 1 of hidden layer 1", "Weight")
    page.keyboard.press("ArrowRight")
    at("Bias of neuron 1 of hidden layer 1", "Bias")
    page.keyboard.press("ArrowRight")
    at("Weight from X₁ to neuron 2 of hidden layer 1", "Weight")
    page.keyboard.press("ArrowLeft")
    at("Bias of neuron 1 of hidden layer 1", "Bias")
    page.keyboard.press("End")
    at("Bias of the output", "Bias")
    page.keyboard.press("ArrowDown")  # the ends do not wrap
    at("Bias of the output", "Bias")
    page.keyboard.press("ArrowUp")
    at("Weight from neuron 2 of hidden layer 2 to the output", "Weight")
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


def test_the_datasets_are_one_radio_group_walked_with_the_arrow_keys(playground: Any) -> None:
    pg = playground.open("seed=0.12345")  # circle
    page = pg.page
    group = page.get_by_role("radiogroup", name="Which dataset do you want to use?")
    expect(group.get_by_role("radio")).to_have_count(7)  # the classification ones are shown
    stop = group.locator('[tabindex="0"]')
    expect(stop).to_have_count(1)
    expect(stop).to_have_attribute("data-dataset", "circle")  # the Tab stop is the checked one
    page.locator("#speed").focus()  # the top bar's last control
    page.keyboard.press("Tab")
    expect(page.locator("[data-dataset=circle]")).to_be_focused()
    page.keyboard.press("ArrowRight")  # moves and picks, as a radio group does
    pg.expect_hash("dataset=xor")
    xor = page.locator("[data-dataset=xor]")
    expect(xor).to_be_focused()
    expect(xor).to_have_attribute("aria-checked", "true")
    pg.expect_epoch("000,000")  # → picked a dataset: it did not step the training
    page.keyboard.press("Tab")  # one press leaves the group
    expect(page.locator("#percTrainData")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # and comes back to the checked one
    expect(xor).to_be_focused()
    expect(stop).to_have_count(1)
    page.keyboard.press("Home")
    pg.expect_hash("dataset=circle")
    expect(page.locator("[data-dataset=circle]")).to_be_focused()


def test_a_layers_neurons_are_one_stop_walked_with_the_arrows(playground: Any) -> None:
    pg = playground.open("seed=0.12345")  # 4, 2
    page = pg.page
    page.locator("#node-sinY").focus()  # the last feature
    page.keyboard.press("Tab")
    expect(page.locator("#node-1-0")).to_be_focused()
    expect(page.locator("#heatmap")).to_have_attribute("data-focus", "1-0")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#node-1-1")).to_be_focused()
    expect(page.locator("#heatmap")).to_have_attribute("data-focus", "1-1")  # its map shows
    page.keyboard.press("End")
    expect(page.locator("#node-1-3")).to_be_focused()
    page.keyboard.press("Tab")  # the next layer
    expect(page.locator("#node-2-0")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back to the neuron the layer's stop was left on
    expect(page.locator("#node-1-3")).to_be_focused()
    pg.expect_epoch("000,000")


def test_links_and_biases_are_named_by_the_features_and_neurons_they_join(
    playground: Any,
) -> None:
    pg = playground.open("seed=0.12345&x=true&y=false&sinY=true&networkShape=2")
    page = pg.page
    group = page.get_by_role("toolbar", name=GROUP)
    for name in (
        "Weight from X₁ to neuron 1 of hidden layer 1",
        "Weight from sin(X₂) to neuron 2 of hidden layer 1",
        "Bias of neuron 2 of hidden layer 1",
        "Weight from neuron 2 of hidden layer 1 to the output",
        "Bias of the output",
    ):
        expect(group.get_by_role("button", name=name, exact=True)).to_have_count(1)
    expect(group.get_by_role("button", name=re.compile(r"node \d of layer"))).to_have_count(0)


# The own points (squares) on the map, as [x, y, fill] in the overlay's px.
OWN = """() => [...document.querySelectorAll('#heatmap .train-points rect.own')]
  .map((r) => [Number(r.getAttribute('x')) + 3.5, Number(r.getAttribute('y')) + 3.5,
               r.getAttribute('fill')])"""


def test_points_are_added_from_the_keyboard_with_the_maps_cursor(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    overlay = page.locator("#heatmap svg")
    page.locator("#remove-layers").focus()  # the map is the next stop
    page.keyboard.press("Tab")
    expect(overlay).to_be_focused()
    expect(page.locator(".map-cursor")).to_be_visible()
    status = page.locator("#heatmap [role=status]")
    expect(status).to_have_text("Cursor at x 0, y 0.")
    for key in ["ArrowRight"] * 4 + ["ArrowUp"] * 2 + ["Shift+ArrowLeft"]:
        page.keyboard.press(key)
    expect(status).to_have_text("x 1.9, y 1")
    pg.expect_epoch("000,000")  # → moved the cursor: it did not step the training
    points = int(overlay.get_attribute("data-train-points") or 0)
    page.keyboard.press("Enter")
    expect(status).to_have_text("Point added at x 1.9, y 1.")
    expect(overlay).to_have_attribute("data-train-points", str(points + 1))
    page.keyboard.press("Shift+Enter")  # the other label, as shift-click
    expect(overlay).to_have_attribute("data-train-points", str(points + 2))
    own = page.evaluate(OWN)
    assert len(own) == 2
    # At (1.9, 1) in data coordinates on the 260 px map of [-6, 6]².
    for x, y, _ in own:
        assert abs(x - 260 * (1.9 + 6) / 12) < 0.1 and abs(y - 260 * (6 - 1) / 12) < 0.1
    # One of each label: the two colours of the dataset's own two classes.
    dataset = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('#heatmap .train-points circle')]"
        ".map((c) => c.getAttribute('fill')))]"
    )
    assert len(dataset) == 2 and {fill for _, _, fill in own} == set(dataset)


def test_with_more_classes_the_arrows_pick_the_class_the_cursor_adds(playground: Any) -> None:
    pg = playground.open("seed=0.12345&dataset=blobs3")
    page = pg.page
    picker = page.get_by_role("radiogroup", name="Class of the points you add")
    choices = picker.get_by_role("radio")
    expect(choices).to_have_count(3)
    expect(page.locator('#class-legend [tabindex="0"]')).to_have_count(1)  # one Tab stop
    choices.nth(0).focus()
    page.keyboard.press("ArrowRight")
    expect(choices.nth(1)).to_be_focused()
    expect(choices.nth(1)).to_have_attribute("aria-checked", "true")
    overlay = page.locator("#heatmap svg")
    points = int(overlay.get_attribute("data-train-points") or 0)
    overlay.focus()
    page.keyboard.press("Enter")
    expect(overlay).to_have_attribute("data-train-points", str(points + 1))
    [(_, _, fill)] = page.evaluate(OWN)
    colour = "(e) => getComputedStyle(e).backgroundColor"
    swatch = choices.nth(1).locator(".swatch").evaluate(colour)
    rgb = tuple(int(fill[i : i + 2], 16) for i in (1, 3, 5))
    assert swatch == f"rgb{rgb}"  # "rgb(r, g, b)": the colour of the class picked
