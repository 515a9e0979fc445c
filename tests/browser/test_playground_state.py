"""The URL hash and continuity: playground links, hide flags, reload and reconnect."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# A hash as playground.tensorflow.org writes it (front-end issue).
PLAYGROUND_XOR = (
    "activation=relu&batchSize=10&dataset=xor&regDataset=reg-plane&learningRate=0.03"
    "&regularizationRate=0&noise=0&networkShape=3&seed=0.12345&showTestData=false"
    "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
    "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
    "&problem=classification&initZero=false&hideText=false"
)


def test_a_playground_hash_loads_its_settings(playground: Any) -> None:
    pg = playground.open(PLAYGROUND_XOR)
    page = pg.page
    expect(page.locator("#activations")).to_have_value("relu")
    expect(page.locator("#learningRate")).to_have_value("0.03")
    expect(page.locator(".dataset.selected")).to_have_attribute("data-dataset", "xor")
    expect(page.locator(".neurons-label")).to_have_text(["3 neurons"])
    assert page.inner_text("#layers-heading").split() == ["1", "HIDDEN", "LAYER"]
    # The same experiment: the hash is kept as given (the seed in particular).
    assert page.url.endswith("#" + PLAYGROUND_XOR)


def test_a_hash_without_a_seed_gets_one_like_the_playground(playground: Any) -> None:
    page = playground.open("dataset=gauss").page
    expect(page).to_have_url(re.compile(r"&seed=0\.\d{5}&"))
    expect(page.locator(".dataset.selected")).to_have_attribute("data-dataset", "gauss")


def test_hide_flags_remove_controls_and_features(playground: Any) -> None:
    page = playground.open("seed=1&noise_hide=true&x_hide=true&playButton_hide=true").page
    expect(page.locator("#noise")).to_be_hidden()
    expect(page.locator("#play-pause-button")).to_be_hidden()
    expect(page.locator("#batchSize")).to_be_visible()
    expect(page.locator(".node.input")).to_have_count(6)
    expect(page.locator("#node-x")).to_have_count(0)
    expect(page.locator(".link-hover")).to_have_count(1 * 4 + 4 * 2 + 2)  # only y feeds the network
    expect(page).to_have_url(re.compile(r"noise_hide=true&x_hide=true&playButton_hide=true$"))


def test_reload_resumes_from_the_checkpoint(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    pg.step(3)
    expect(page.locator("#connection-status")).to_have_attribute("data-checkpoint-epoch", "3")
    loss = page.inner_text("#loss-train")
    page.reload()
    expect(page.locator("#connection-status")).to_have_text("connected")
    pg.expect_epoch("000,003")
    expect(page.locator("#loss-train")).to_have_text(loss)
    pg.step(1)  # and it trains on from there


def test_a_dropped_connection_reconnects_and_carries_on(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    pg.step(2)
    expect(page.locator("#connection-status")).to_have_attribute("data-checkpoint-epoch", "2")
    status = page.locator("#connection-status")
    expect(status).to_have_attribute("data-connects", "1")
    page.evaluate("() => window.__playground.connection.ws.close()")
    expect(status).to_have_attribute("data-connects", "2")
    expect(status).to_have_text("connected")
    pg.step(1)
    pg.expect_epoch("000,003")
    # Closed by the server for inactivity (1001): wait for the person, then resume.
    expect(status).to_have_attribute("data-checkpoint-epoch", "3")
    page.evaluate(
        """() => { const ws = window.__playground.connection.ws;
                   ws.dispatchEvent(new CloseEvent('close', {code: 1001, reason: 'idle'}));
                   ws.close(); }"""
    )
    expect(status).to_have_attribute("data-state", "idle")
    expect(status).to_contain_text("click to reconnect")
    page.mouse.click(5, 790)
    expect(status).to_have_attribute("data-connects", "3")
    pg.step(1)
    pg.expect_epoch("000,004")


def test_a_setting_the_server_refuses_falls_back_to_its_default(playground: Any) -> None:
    page = playground.open("seed=0.12345&optimizer=nonsense&activation=sigmoid").page
    expect(page.locator("#activations")).to_have_value("sigmoid")
    expect(page).not_to_have_url(re.compile("optimizer="))  # the server's default: sgd
    expect(page.locator("#mode-badge")).to_be_hidden()
