"""What replaces a running experiment shows the new one (issue 11, blockers 1 and 2).

Method: do what a user does on one page, then open a fresh page on the same file or link and
compare what the two show: the epoch, both losses, the metric labels, the data points, the
neuron thumbnails, the output map and the loss chart. A fresh page is the reference because
nothing stale can be on it.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

XOR_RELU = "activation=relu&dataset=xor&networkShape=4,2&seed=0.77777"
REG_PLANE = "problem=regression&regDataset=reg-plane&networkShape=3&seed=0.31415&noise=10"

# What a person sees, read in one go: texts, point positions and colours, every canvas's pixels.
SEEN = """() => {
  const fingerprint = (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
    return (h >>> 0).toString(16);
  };
  const points = (sel) => [...document.querySelectorAll(sel + ' circle')]
    .map((c) => [c.getAttribute('cx'), c.getAttribute('cy'), c.getAttribute('fill')].join(' '));
  return {
    epoch: document.getElementById('iter-number').textContent,
    lossTrain: document.getElementById('loss-train').textContent,
    lossTest: document.getElementById('loss-test').textContent,
    metrics: document.getElementById('extra-metrics').innerText,
    train: points('#heatmap svg .train-points'),
    test: points('#heatmap svg .test-points'),
    map: fingerprint(document.querySelector('#heatmap canvas')),
    neurons: [...document.querySelectorAll('#network .node canvas')].map(fingerprint),
    chart: window.__playground.chart.points(),
  };
}"""


def seen(page: Any) -> dict[str, Any]:
    return page.evaluate(SEEN)


def settled(pg: Playground, epoch: str) -> dict[str, Any]:
    """What the page shows once it has drawn `epoch` and nothing more is on its way."""
    pg.expect_epoch(epoch)
    before = seen(pg.page)
    while True:  # a frame or a data message may still be arriving: read until two agree
        pg.page.wait_for_timeout(300)
        now = seen(pg.page)
        if now == before:
            return now
        before = now


def test_an_imported_json_shows_the_exported_run(
    page: Any, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    teacher = Playground(page, live_server.url).open(XOR_RELU)
    teacher.step(40)
    shown = settled(teacher, "000,040")
    with page.expect_download() as download:
        page.click("[data-export=json]")
    file = tmp_path / "run.json"
    download.value.save_as(file)

    student_page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        student = Playground(student_page, live_server.url).open("seed=0.12345")
        student.step(2)  # another run (the default circle) is under way
        student_page.set_input_files("#import-json", str(file))
        expect(student_page.locator("#transfer-message")).to_contain_text("Imported")
        message = student_page.locator("#transfer-message").bounding_box()
        for link in student_page.locator(".exports .link-button").all():  # it lay across two
            box = link.bounding_box()
            assert message and box and not overlap(message, box), (message, box)
        got = settled(student, "000,040")
        assert got["train"] and got["neurons"]
        assert {k: got[k] for k in shown if k != "chart"} == {
            k: v for k, v in shown.items() if k != "chart"
        }
        # The chart is the exporter's saved history (the session takes its own points: every
        # epoch to 31, then every other one, docs/protocol.md §2), not the frames its page drew.
        # It comes with the imported session's first checkpoint, which may follow its first
        # frame (the point at epoch 40) by a checkpoint gap (app/web/pacer.py): wait for it.
        history = json.loads(file.read_text())["history"]
        assert len(history) == 37
        chart_length = "(n) => window.__playground.chart.points().length === n"
        student_page.wait_for_function(chart_length, arg=len(history), timeout=10_000)
        assert seen(student_page)["chart"] == history
        # No seed draws imported weights, so no link replays them; the button says what does.
        link = student_page.locator("#run-link-button")
        expect(link).to_be_disabled()
        expect(link).to_have_attribute("title", re.compile("imported from a file.*Weights JSON"))

        student.step(1)  # and the run continues from where it was
        student.expect_epoch("000,041")
        assert seen(student_page)["train"] == shown["train"]
    finally:
        student_page.close()


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two bounding boxes share any area."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def fresh(browser: Any, url: str, hash_: str) -> dict[str, Any]:
    """What a new page opened on `hash_` shows once it is idle at epoch 0."""
    other = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        return settled(Playground(other, url).open(hash_), "000,000")
    finally:
        other.close()


def test_a_link_pasted_into_an_open_tab_shows_what_a_fresh_page_shows(
    playground: Any, browser: Any, live_server: Any
) -> None:
    pg = playground.open("seed=0.12345")
    pg.step(3)
    pg.page.evaluate("(h) => { location.hash = h; }", REG_PLANE)
    pg.expect_hash("problem=regression")
    got = settled(pg, "000,000")
    expected = fresh(browser, live_server.url, REG_PLANE)
    assert got == expected
    assert "Accuracy" not in got["metrics"]


def test_a_link_pasted_while_playing_shows_its_data_and_losses(
    playground: Any, browser: Any, live_server: Any
) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    page.click("#play-pause-button")
    pg.wait_frames(pg.frames() + 5)
    page.evaluate("(h) => { location.hash = h; }", REG_PLANE)
    pg.expect_hash("problem=regression")
    expected = fresh(browser, live_server.url, REG_PLANE)
    expect(page.locator("#heatmap svg")).to_have_attribute(
        "data-train-points", str(len(expected["train"]))
    )
    got = seen(page)
    assert got["train"] == expected["train"] and got["test"] == expected["test"]
    assert "Accuracy" not in got["metrics"]
    assert got["chart"][0][0] == 0  # the chart restarted with the new run
