"""A keyboard user can do what a mouse user does in the network, and finds the shortcuts
(issue 11, item 7)."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ACTIVE = "() => { const e = document.activeElement; return e.id || e.getAttribute('aria-label'); }"


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


def test_tab_reaches_neurons_links_and_biases_and_enter_edits_a_weight(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    page.locator("#data-regen-button").focus()  # the last control before the network
    reached: set[str] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        kind = page.evaluate(
            """() => { const e = document.activeElement;
                 if (e.dataset.link) return 'link'; if (e.dataset.bias) return 'bias';
                 if (e.classList.contains('hidden-node')) return 'neuron'; return 'other'; }"""
        )
        reached.add(kind)
        if {"link", "bias", "neuron"} <= reached:
            break
    assert {"link", "bias", "neuron"} <= reached, reached

    page.locator("#node-1-0").focus()  # a focused neuron shows its map, as hovering does
    expect(page.locator("#heatmap")).to_have_attribute("data-focus", "1-0")

    link = page.locator('[data-link="2-0-0"]')
    link.focus()
    card = page.locator("#hovercard")
    expect(card).to_be_visible()
    expect(card).to_contain_text(re.compile(r"Weight is \S+\."))
    page.keyboard.press("Enter")
    field = card.locator("input")
    expect(field).to_be_focused()
    field.fill("0.5")
    page.keyboard.press("Enter")
    expect(card).to_contain_text(re.compile(r"Weight is 0\.50*\."))
    link.blur()
    link.focus()  # the server has it: the value read back from the next frame
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
