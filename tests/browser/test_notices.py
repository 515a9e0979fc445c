"""When training runs but nothing can change, the page says why and offers the way out
(issue 11, items 4, 5 and 8)."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

NOTICE = "#notice"


def upload(page: Any, rows: list[str]) -> None:
    content = "\n".join(["x,y,label", *rows]).encode()
    page.set_input_files(
        "#upload-csv", files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": content}]
    )


def test_the_epoch_limit_says_what_to_do_and_raises_or_clears(playground: Any) -> None:
    pg = playground.open("seed=0.12345&epochsLimit=3")
    page = pg.page
    pg.step(3)
    page.click("#next-step-button")  # at the limit: nothing trains, and the page says why
    notice = page.locator(NOTICE)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Stopped at epoch 3")
    expect(notice).to_contain_text("raised or cleared")
    pg.expect_epoch("000,003")

    page.get_by_role("button", name="Raise the limit to 6").click()
    pg.expect_hash("epochsLimit=6")
    expect(notice).to_be_hidden()
    pg.step(3)
    page.click("#play-pause-button")
    expect(notice).to_contain_text("Stopped at epoch 6")
    page.get_by_role("button", name="Clear the limit").click()
    expect(notice).to_be_hidden()
    assert "epochsLimit" not in page.url
    pg.step(1)
    pg.expect_epoch("000,007")


def test_fewer_points_than_the_batch_size_is_explained_and_fixed(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    upload(
        page, ["1,1,1", "-1,-1,-1", "2,2,1", "-2,-2,-1", "3,1,1", "-3,-1,-1", "1,3,1", "-1,-3,-1"]
    )
    expect(page.locator("#heatmap svg")).to_have_attribute("data-train-points", "4")
    notice = page.locator(NOTICE)
    expect(notice).to_contain_text(
        "Only 4 of the 8 points are for training: the ratio of training to test data (50%) "
        "keeps the other 4 for testing. That is fewer than the batch size 10"
    )
    expect(notice).to_contain_text("never trains")
    pg.step(1)  # read off a frame of the uploaded data (the notice comes with the state)
    loss = page.inner_text("#loss-train")
    pg.step(2)
    assert page.inner_text("#loss-train") == loss  # true: the playground's rule

    page.get_by_role("button", name="Set the batch size to 4").click()
    pg.expect_hash("batchSize=4&")
    expect(notice).to_be_hidden()
    pg.expect_epoch("000,000")  # the new batch size restarted the run
    pg.step(2)
    assert page.inner_text("#loss-train") != loss  # now it learns


def test_an_upload_smaller_than_a_batch_says_the_split_took_the_rest(playground: Any) -> None:
    """A newcomer's pass: "5 points uploaded", then "Only 2 training points": where did the
    other three go?"""
    pg = playground.open("seed=0.12345")
    page = pg.page
    upload(page, ["1,1,1", "-1,-1,-1", "2,2,1", "-2,-2,-1", "3,1,1"])
    expect(page.locator("#upload-report")).to_contain_text("5 points uploaded.")
    notice = page.locator(NOTICE)
    expect(notice).to_contain_text("Only 2 of the 5 points are for training")
    expect(notice).to_contain_text("keeps the other 3 for testing")
    page.get_by_role("button", name="Train on 90% of the points").click()
    pg.expect_hash("percTrainData=90&")
    expect(page.locator("#heatmap svg")).to_have_attribute("data-train-points", "4")
    expect(notice).to_contain_text("Only 4 of the 5 points are for training")
    expect(page.get_by_role("button", name="Train on 90% of the points")).to_have_count(0)
    expect(page.get_by_role("button", name="Set the batch size to 4")).to_be_visible()


def test_an_uploaded_point_off_the_plane_is_refused_with_its_line(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    page.set_viewport_size({"width": 1280, "height": 900})
    upload(page, ["1,1,1", "7,7,1", "-1,-1,-1", "2,-6.5,1"])
    report = page.locator("#upload-report")
    expect(report).to_contain_text("2 points uploaded, 2 rows skipped")
    expect(report).to_contain_text(re.compile(r"line 3: x must be a number within ±6"))
    expect(report).to_contain_text(re.compile(r"line 5: y must be a number within ±6"))
    expect(report).to_be_in_viewport()  # where the person is looking, not below the fold


def test_a_relu_stall_at_a_large_learning_rate_is_explained(playground: Any) -> None:
    pg = playground.open("activation=relu&learningRate=10&dataset=xor&seed=0.777")
    page = pg.page
    page.click("#play-pause-button")
    notice = page.locator(NOTICE)
    expect(notice).to_contain_text("Training has stalled", timeout=20_000)
    expect(notice).to_contain_text("neurons die")
    page.get_by_role("button", name="Show the gradient view").click()
    pg.expect_hash("gradientView=true")
    expect(notice).to_contain_text(re.compile(r"\d+ of 6 ReLU neurons are dead"))
    note = page.locator("#gradient-note")
    expect(note).to_be_visible()
    expect(note).not_to_contain_text("once training has taken a step")
