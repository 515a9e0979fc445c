"""'Link to this run' end to end (issue 11, item 3): a student opening the teacher's link in
a fresh browser context gets the teacher's initial weights and, at the same epoch, the same
losses; a plain link does not; a bad `run=` is dropped with a visible note.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground
from tests.browser.test_page_truth import seen, settled

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

TEACHER = "activation=relu&dataset=xor&networkShape=3,2&seed=0.42424&noise=10"
EPOCHS = 4


def student(browser: Any, url: str, hash_: str) -> tuple[Any, Playground]:
    """A new page in a browser context of its own (nothing stored from the teacher)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    return context, Playground(context.new_page(), url).open(hash_)


def test_a_run_link_gives_a_fresh_page_the_same_run(
    playground: Playground, browser: Any, live_server: Any
) -> None:
    pg = playground.open(TEACHER)
    page = pg.page
    for _ in range(3):
        page.click("#reset-button")
    page.click("#add-layers")  # a network change: one more reset, of another size
    pg.expect_hash("networkShape=3,2,2")
    pg.step(EPOCHS)
    page.click("#run-link-button")
    field = page.locator("#run-link-field")
    expect(field).to_be_visible()
    expect(field).to_have_value(re.compile(r".*#.*&run=\d+\.4$"))
    link = field.input_value()
    expect(page.locator("#run-link-note")).to_be_visible()
    taught = settled(pg, "000,004")
    assert link.startswith(live_server.url)
    hash_ = link.split("#", 1)[1]

    context, pupil = student(browser, live_server.url, hash_)
    try:
        pupil.step(EPOCHS)
        learnt = settled(pupil, "000,004")
        assert pupil.hash_value("run") == hash_.rsplit("run=", 1)[1]  # still names the run
    finally:
        context.close()
    context, stranger = student(browser, live_server.url, hash_.rsplit("&run=", 1)[0])
    try:
        stranger.step(EPOCHS)
        unlinked = settled(stranger, "000,004")
    finally:
        context.close()

    for key in ("epoch", "lossTrain", "lossTest", "train", "test", "map", "neurons"):
        assert learnt[key] == taught[key], key
    assert unlinked["train"] == taught["train"]  # same seed, same data...
    assert (unlinked["lossTrain"], unlinked["map"]) != (taught["lossTrain"], taught["map"])


@pytest.mark.parametrize("run", ["nonsense", "999999999.1", "2.1"])
def test_a_bad_run_marker_is_dropped_with_a_note_and_the_page_works(
    playground: Playground, browser: Any, live_server: Any, run: str
) -> None:
    plain = "dataset=circle&networkShape=2&seed=0.13579"
    pg = playground.open(f"{plain}&run={run}")
    note = pg.page.locator("#run-link-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("could not be replayed")
    expect(pg.page).not_to_have_url(re.compile(r".*run="))
    got = settled(pg, "000,000")
    context, other = student(browser, live_server.url, plain)
    try:
        expected = settled(other, "000,000")
    finally:
        context.close()
    assert got["train"] == expected["train"] and got["lossTrain"] == expected["lossTrain"]
    pg.step(1)
    assert seen(pg.page)["epoch"] == "000,001"


def test_a_run_link_carries_a_learning_rate_change_and_the_same_losses(
    playground: Playground, browser: Any, live_server: Any
) -> None:
    """A newcomer's pass: after a learning-rate change partway the link carried the new rate
    from epoch 0 (test loss 0.120 instead of 0.210 at epoch 30) while promising "same losses"."""
    pg = playground.open(TEACHER)
    page = pg.page
    pg.step(6)
    page.select_option("#learningRate", "0.3")
    pg.expect_hash("learningRate=0.3&")
    pg.step(6)
    taught = settled(pg, "000,012")
    button = page.locator("#run-link-button")
    expect(button).to_have_attribute(
        "title", re.compile("changes along the way at the same epochs")
    )
    button.click()
    link = page.locator("#run-link-field").input_value()
    hash_ = link.split("#", 1)[1]
    assert re.search(r"(^|&)learningRate=0\.03(&|$)", hash_), hash_  # the rate it began at
    assert re.search(r"(^|&)runEvents=6:lr:0\.3(&|$)", hash_), hash_

    context, pupil = student(browser, live_server.url, hash_)
    try:
        expect(pupil.page.locator("#learningRate")).to_have_value("0.03")
        expect(pupil.page.locator("#run-link-note")).to_have_text(
            "This run follows the link it was opened from: 1 change still to come, the next "
            "at epoch 6."
        )
        pupil.step(12)
        learnt = settled(pupil, "000,012")
        expect(pupil.page.locator("#learningRate")).to_have_value("0.3")  # changed at epoch 6
        expect(pupil.page.locator("#run-link-note")).to_be_hidden()
    finally:
        context.close()
    without = hash_.replace("&runEvents=6:lr:0.3", "")  # what the old link did (rate 0.03 only)
    context, other = student(browser, live_server.url, without)
    try:
        other.step(12)
        plain = settled(other, "000,012")
    finally:
        context.close()
    for key in ("lossTrain", "lossTest", "map", "neurons"):
        assert learnt[key] == taught[key], key
    assert (plain["lossTrain"], plain["lossTest"]) != (taught["lossTrain"], taught["lossTest"])


def test_link_copied_goes_away_when_the_run_changes(browser: Any, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        pg = Playground(context.new_page(), live_server.url).open(TEACHER)
        page = pg.page
        pg.step(2)
        page.click("#run-link-button")
        note, field = page.locator("#run-link-note"), page.locator("#run-link-field")
        expect(note).to_have_text("Link copied.")
        copied = field.input_value()
        assert page.evaluate("navigator.clipboard.readText()") == copied
        pg.step(1)  # the run goes on: the link still names it
        expect(note).to_have_text("Link copied.")
        page.select_option("#learningRate", "0.1")  # the run changed: that link is not this run
        expect(note).to_be_hidden()
        expect(field).to_be_hidden()
        page.click("#run-link-button")
        expect(note).to_have_text("Link copied.")
        assert "runEvents=3:lr:0.1" in field.input_value()
        page.click("#reset-button")  # a new run altogether
        expect(note).to_be_hidden()
    finally:
        context.close()
