"""Custom data: your own points, CSV upload, downloads and the JSON import."""

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BLUE, ORANGE = "#0877bd", "#f59322"


def test_clicking_the_map_adds_points_and_clear_removes_them(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    overlay = page.locator("#heatmap svg")
    expect(overlay).to_have_attribute("data-train-points", "250")
    expect(page.locator("#clear-points")).to_be_hidden()
    box = page.locator("#heatmap canvas").bounding_box()
    assert box is not None
    # A click at data (-5, 5): a blue (+1) point; shift-click at (5, -5): an orange one.
    page.mouse.click(box["x"] + box["width"] / 12, box["y"] + box["height"] / 12)
    expect(overlay).to_have_attribute("data-train-points", "251")
    page.keyboard.down("Shift")
    page.mouse.click(box["x"] + box["width"] * 11 / 12, box["y"] + box["height"] * 11 / 12)
    page.keyboard.up("Shift")
    expect(overlay).to_have_attribute("data-train-points", "252")
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('.train-points circle')].map(
             (c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy')),
                     c.getAttribute('fill')])"""
    )
    s = 260  # the map's size in px: data (x, y) is at (s (x + 6) / 12, s (6 - y) / 12)

    def drawn_at(px: float, py: float, fill: str) -> bool:
        return any(abs(x - px) < 2 and abs(y - py) < 2 and f == fill for x, y, f in drawn)

    assert drawn_at(s / 12, s / 12, BLUE)
    assert drawn_at(11 * s / 12, 11 * s / 12, ORANGE)
    clear = page.locator("#clear-points")
    expect(clear).to_have_text(re.compile(r"Clear my points \(2\)", re.I))
    clear.click()
    expect(overlay).to_have_attribute("data-train-points", "250")
    expect(clear).to_be_hidden()


def test_a_csv_with_bad_rows_keeps_the_good_ones_and_says_why(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    rows = ["x,y,label", "# my data", "1,2,1", "-1,-2,-1", "oops,1,1", "3,3,7", ""]
    rows += [f"{i / 10},{-i / 10},{1 if i % 2 else -1}" for i in range(20)]
    page.set_input_files(
        "#upload-csv",
        files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}],
    )
    report = page.locator("#upload-report")
    expect(report).to_contain_text("22 points uploaded, 2 rows skipped:")
    expect(report).to_contain_text("line 5:")
    expect(report).to_contain_text("line 6:")
    overlay = page.locator("#heatmap svg")
    expect(overlay).to_have_attribute("data-train-points", "11")  # 50 % of 22
    assert overlay.get_attribute("data-test-points") == "11"
    expect(page.locator("#clear-points")).to_have_text(re.compile("clear uploaded data", re.I))
    # A file with no good row changes nothing and says so.
    page.set_input_files(
        "#upload-csv", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"a,b,c\n"}]
    )
    expect(report).to_contain_text("Nothing uploaded")
    expect(overlay).to_have_attribute("data-train-points", "11")
    page.click("#clear-points")
    expect(overlay).to_have_attribute("data-train-points", "250")


def test_downloads_and_the_json_import(playground: Any, tmp_path: Any) -> None:
    pg = playground.open("seed=0.12345&activation=relu")
    page = pg.page
    pg.step(2)
    starts = {
        "csv": ("nn-playground", ".csv", lambda t: t.startswith("x,y,label,split\n")),
        "keras": ("nn-playground", ".py", lambda t: "import keras" in t),
        "pytorch": ("nn-playground", ".py", lambda t: "import torch" in t),
        "json": ("nn-playground", ".json", lambda t: "settings" in json.loads(t)),
    }
    saved = {}
    for fmt, (prefix, suffix, looks_right) in starts.items():
        with page.expect_download() as info:
            page.click(f"[data-export={fmt}]")
        download = info.value
        name = download.suggested_filename
        assert name.startswith(prefix) and name.endswith(suffix), name
        path = tmp_path / name
        download.save_as(path)
        text = path.read_text()
        assert looks_right(text), f"{fmt}: {text[:200]!r}"
        saved[fmt] = path
    assert len(saved["csv"].read_text().splitlines()) == 1 + 500
    # Change the run, then import the JSON: its settings and weights come back.
    loss = page.inner_text("#loss-train")
    page.select_option("#activations", "sigmoid")
    pg.expect_epoch("000,000")
    page.set_input_files("#import-json", str(saved["json"]))
    expect(page.locator("#activations")).to_have_value("relu")
    expect(page.locator("#loss-train")).to_have_text(loss)
    expect(page.locator("#transfer-message")).to_contain_text("Imported")
