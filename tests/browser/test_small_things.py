"""Smaller student-facing snags (issue 11, items 3 and 11): what the page says and shows must
match what it does."""

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHAPES = """() => ({
  dots: document.querySelectorAll('#heatmap svg .train-points circle').length,
  squares: document.querySelectorAll('#heatmap svg .train-points rect.own').length,
})"""


def test_a_three_class_dataset_does_not_suggest_a_loss_it_cannot_use(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    badge = page.locator("#mode-badge")
    expect(badge).to_be_hidden()
    page.click("[data-dataset=blobs3]")
    expect(badge).to_be_visible()
    title = badge.get_attribute("title") or ""
    assert "softmax" in title and "3 classes" in title
    assert "½ squared-error loss" not in title  # disabled for 3+ classes: never suggested


def test_your_own_points_stand_out_and_uploads_deselect_the_dataset(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    shapes = page.evaluate(SHAPES)
    assert shapes == {"dots": 250, "squares": 0}
    box = page.locator("#heatmap svg").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 12, box["y"] + box["height"] / 12)
    expect(page.locator("#heatmap svg")).to_have_attribute("data-train-points", "251")
    assert page.evaluate(SHAPES) == {"dots": 250, "squares": 1}

    rows = "\n".join(f"{i / 4},{-i / 4},{1 if i % 2 else -1}" for i in range(20)).encode()
    page.set_input_files(
        "#upload-csv", files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": rows}]
    )
    expect(page.locator("#heatmap svg")).to_have_attribute("data-train-points", "10")
    assert page.evaluate(SHAPES) == {"dots": 0, "squares": 10}
    expect(page.locator(".dataset.selected")).to_have_count(0)
    clear = page.locator("#clear-points")
    expect(clear).to_have_text("Clear uploaded data")
    lines = page.evaluate(
        """() => { const r = document.createRange();
             r.selectNodeContents(document.getElementById('clear-points'));
             return new Set([...r.getClientRects()].map((q) => Math.round(q.top))).size; }"""
    )
    assert lines == 1
    clear.click()
    expect(page.locator(".dataset.selected")).to_have_count(1)


def test_the_seed_tooltip_promises_only_what_a_seed_gives(playground: Any) -> None:
    page = playground.open("seed=0.12345").page
    title = page.get_attribute("#seed-input", "title") or ""
    assert "the same seed gives the same run" not in title
    assert "Reset" in title and "continuing stream" in title
