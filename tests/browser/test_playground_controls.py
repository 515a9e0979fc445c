"""Each control has the playground's effect (docs/playground-rules.md §5): new data or not,
network reset or not."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _change(pg: Any, action: Any, hash_fragment: str) -> tuple[bool, bool, str]:
    """Step twice, apply a change, wait for the server's answer and the next frame.

    The epoch text changes only when a frame is drawn, so after `step` the stepped frame is
    on screen; the hash changes when the server's `state` arrives; the next frame follows.
    A fragment starting with "!" waits for the hash to lose it instead.
    Returns (data redrawn, network reset, seed afterwards).
    """
    if pg.epoch() == "000,000":
        pg.step(2)
    draws, frames = pg.data_draws(), pg.frames()
    action()
    if hash_fragment.startswith("!"):
        expect(pg.page).not_to_have_url(re.compile(".*" + re.escape(hash_fragment[1:])))
    else:
        pg.expect_hash(hash_fragment)  # the server echoed the change in `state`
    pg.wait_frames(frames + 1)  # ...and a frame drawn after it
    return pg.data_draws() != draws, pg.epoch() == "000,000", pg.hash_value("seed")


# (select, value, hash fragment, resets the network); none of them makes new data (§5).
SELECTS = [
    ("#learningRate", "0.1", "learningRate=0.1&", False),
    ("#activations", "relu", "activation=relu&", True),
    ("#regularizations", "L2", "regularization=L2&", True),
    ("#regularRate", "0.01", "regularizationRate=0.01&", True),
    ("#speed", "240", "speed=240", False),
]


def test_each_top_bar_select_resets_the_network_or_not(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    for select, value, fragment, resets in SELECTS:
        effect = _change(pg, lambda s=select, v=value: pg.page.select_option(s, v), fragment)
        assert effect == (False, resets, "0.12345"), select
        expect(pg.page.locator(select)).to_have_value(value)


def test_problem_type_switches_to_regression_with_new_data(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    redrawn, reset, seed = _change(
        pg, lambda: page.select_option("#problem", "regression"), "problem=regression"
    )
    assert redrawn and reset and seed != "0.12345"
    expect(page.locator(".dataset:visible")).to_have_count(2)
    expect(page.locator(".dataset.selected")).to_have_attribute("data-dataset", "reg-plane")
    expect(page.locator(".train-points circle")).to_have_count(600)
    # A regression dataset thumbnail: new data again, network reset.
    redrawn, reset, _ = _change(
        pg, lambda: page.get_by_role("radio", name="Multi gaussian").click(), "regDataset=reg-gauss"
    )
    assert redrawn and reset


# (slider, value, hash fragment, new data); every one of them resets the network (§5).
SLIDERS = [
    ("#percTrainData", "70", "percTrainData=70&", True),
    ("#noise", "20", "noise=20&", True),
    ("#batchSize", "20", "batchSize=20&", False),
]


def test_each_data_slider_regenerates_and_resets_as_the_playground(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    for slider, value, fragment, new_data in SLIDERS:
        seed = pg.hash_value("seed")
        redrawn, reset, new_seed = _change(
            pg, lambda s=slider, v=value: pg.page.fill(s, v), fragment
        )
        assert reset, slider
        assert redrawn == new_data, slider
        assert (new_seed != seed) == new_data, slider  # new data comes with a new seed
        expect(pg.page.locator(f"{slider}-value")).to_have_text(value)
    expect(pg.page.locator(".train-points circle")).to_have_count(350)  # 70 % of 500


def test_regenerate_dataset_thumbnails_and_show_test_data(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    # Regenerate: new data and seed, but the network, epoch and chart carry on (§2.8).
    redrawn, reset, seed = _change(pg, lambda: page.click("#data-regen-button"), "!seed=0.12345&")
    assert redrawn and not reset
    pg.expect_epoch("000,002")
    # A dataset thumbnail: new data, reset; the same one again is ignored.
    redrawn, reset, _ = _change(
        pg, lambda: page.get_by_role("radio", name="Exclusive or").click(), "dataset=xor&"
    )
    assert redrawn and reset
    expect(page.get_by_role("radio", name="Exclusive or")).to_have_attribute("aria-checked", "true")
    # "Show test data" only shows or hides the test points (§5).
    page.get_by_label("Show test data", exact=True).check()
    pg.expect_hash("showTestData=true")
    expect(page.locator(".test-points")).to_be_visible()
    expect(page.locator(".test-points circle")).to_have_count(250)
    page.get_by_label("Show test data", exact=True).uncheck()
    expect(page.locator(".test-points")).to_be_hidden()
    pg.expect_epoch("000,000")


def test_a_dataset_picked_before_the_server_answers_is_applied(page: Any, live_server: Any) -> None:
    """A click between the socket opening and the session's first `state` was dropped while
    the button showed it picked (a slow first hello made it visible): the page now sends it,
    and the server applies it after the hello. The server's messages are held back here
    until the click has gone out, so the race is taken every time."""
    held: list[Any] = []  # the server's messages, while `holding`
    sent: list[str] = []  # the page's messages
    route: dict[str, Any] = {"holding": True}

    def from_server(message: Any) -> None:
        if route["holding"]:
            held.append(message)
        else:
            route["page"].send(message)

    def connect(ws: Any) -> None:
        server = ws.connect_to_server()
        route["page"] = ws
        ws.on_message(lambda message: (sent.append(str(message)), server.send(message)))
        server.on_message(from_server)

    page.route_web_socket(re.compile(r".*/ws$"), connect)
    page.goto(f"{live_server.url}/#seed=0.777")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    page.click('.dataset[data-dataset="xor"]')
    for _ in range(50):  # the click's `set` goes out while the hello is still unanswered
        if any('"type":"set"' in m for m in sent):
            break
        page.wait_for_timeout(100)
    assert any('"dataset":"xor"' in m for m in sent), sent
    while held:
        route["page"].send(held.pop(0))  # messages that arrive meanwhile join the queue
    route["holding"] = False
    expect(page).to_have_url(re.compile(r".*dataset=xor"))
