"""Training as a person drives it: step, play, the loss chart, a trained spiral to look at."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ALL_FEATURES = "&".join(
    f"{key}=true" for key in ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")
)


def test_step_advances_exactly_one_epoch(playground: Any) -> None:
    pg = playground.open()
    frames = pg.frames()
    pg.page.click("#next-step-button")
    pg.expect_epoch("000,001")
    pg.wait_frames(frames + 1)
    expect(pg.page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    pg.expect_epoch("000,001")  # still one: stepping pauses, nothing runs on
    pg.page.click("#next-step-button")
    pg.expect_epoch("000,002")


def test_play_trains_the_circle_below_0_1_test_loss(playground: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_class(re.compile(r"\bplaying\b"))
    expect(page.locator("#loss-test")).to_have_text(re.compile(r"^0\.0\d\d$"), timeout=20_000)
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    assert int(pg.epoch().replace(",", "")) > 10
    # The chart drew the falling loss: its canvas has both series' ink.
    assert pg.frames("#linechart canvas") > 1
    ink = pg.page.evaluate(
        """() => { const c = document.querySelector('#linechart canvas');
           const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
           let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }"""
    )
    assert ink > 50
    # Reset: epoch 0, paused, the chart starts again.
    page.click("#reset-button")
    pg.expect_epoch("000,000")
    expect(page.locator("#loss-test")).not_to_have_text(re.compile(r"^0\.0"))


def test_a_trained_spiral_with_six_layers_of_eight(playground: Any, artifacts: Any) -> None:
    shape = ",".join(["8"] * 6)
    pg = playground.open(
        f"dataset=spiral&networkShape={shape}&{ALL_FEATURES}&seed=0.12345&speed=max"
    )
    page = pg.page
    expect(page.locator(".node.hidden-node")).to_have_count(48)
    expect(page.locator(".link-hover")).to_have_count(7 * 8 + 5 * 64 + 8)
    page.click("#play-pause-button")
    expect(page.locator("#iter-number")).to_have_text(
        re.compile(r"^(000,[2-9]\d\d|00[1-9],)"), timeout=25_000
    )
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    page.mouse.move(5, 795)
    page.screenshot(path=str(artifacts / "playground-spiral-trained.png"))


def test_the_loss_chart_stays_cheap_at_100000_epochs(playground: Any) -> None:
    """Min/max per pixel column: the path has a few segments per column, not one per epoch."""
    pg = playground.open()
    segments, width, ms = pg.page.evaluate(
        """() => {
          const chart = window.__playground.chart;
          for (let i = 0; i <= 100000; i++) {
            chart.add(i, 0.5 * Math.exp(-i / 20000), 0.6 * Math.exp(-i / 30000));
          }
          const ctx = chart.canvas.getContext('2d');
          let n = 0;
          const lineTo = ctx.lineTo;
          ctx.lineTo = function (...args) { n += 1; return lineTo.apply(this, args); };
          const t0 = performance.now();
          chart.draw();
          const ms = performance.now() - t0;
          delete ctx.lineTo;
          return [n, chart.canvas.width, ms];
        }"""
    )
    assert 0 < segments <= 2 * 4 * width
    assert ms < 200  # generous for a loaded CI machine; typically a few ms
