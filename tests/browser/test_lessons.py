"""Guided lessons in the page: every built-in lesson walks with no console error and meets
a goal; step hide flags; the hide-controls panel's link; the article and `hideText`.

Goals here are met at speed "max" (the page's speed select) to keep CI short; the
benchmark benchmarks/seed_claims.py shows the same goals are reached well within 60 s at
the default 60 epochs/s. The seed is fixed through the lesson link (`&seed=`), and the
goal each lesson is checked on reached its target for that seed in the benchmark.
"""

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from app.playground.lesson_hash import HIDE_FLAGS, split_hash

pytestmark = pytest.mark.browser
SEED = "0.01000"
# lesson id -> the step whose goal the walk meets (a goal every benchmark seed reached).
GOAL_STEP = {
    "gaussian": 1, "circle": 3, "xor": 2, "spiral": 4, "learning-rate": 3,
    "batch-and-epochs": 1, "activations": 1, "optimizers": 4, "features-and-regularization": 2,
}  # fmt: skip


def lesson(base: str, lesson_id: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/lessons/{lesson_id}.json", timeout=5) as response:
        data: dict[str, Any] = json.load(response)
    return data


def expected_layers(step: dict[str, Any]) -> str:
    shape = split_hash(step["hash"]).get("networkShape")
    return "2" if shape is None else str(len([n for n in shape.split(",") if n]))


def meet_goal(page: Any) -> None:
    page.select_option("#speed", "max")
    page.locator("#play-pause-button").click()
    expect(page.locator("#lesson-goal")).to_have_attribute("data-met", "true", timeout=90_000)
    expect(page.locator("#lesson-goal-state")).to_contain_text("Met at epoch")
    page.locator("#play-pause-button").click()


@pytest.mark.parametrize("lesson_id", sorted(GOAL_STEP))
@pytest.mark.timeout(240)
def test_each_lesson_walks_every_step_and_meets_a_goal(
    page: Any, live_server: Any, lesson_id: str
) -> None:
    data = lesson(live_server.url, lesson_id)
    steps = data["steps"]
    page.goto(f"{live_server.url}/#lesson={lesson_id}&step=1&seed={SEED}")
    expect(page.locator("#lesson")).to_be_visible()
    expect(page.locator("#lesson-title")).to_have_text(data["title"])
    for k, step in enumerate(steps, start=1):
        if k > 1:
            page.locator("#lesson-next").click()
        expect(page.locator("#lesson-count")).to_have_text(f"Step {k} of {len(steps)}")
        expect(page).to_have_url(re.compile(rf"[#&]lesson={lesson_id}&step={k}(&|$)"))
        expect(page).to_have_url(re.compile(rf"[#&]seed={SEED}(&|$)"))
        expect(page.locator("#num-layers")).to_have_text(expected_layers(step))
        expect(page.locator("#lesson-goal")).to_be_visible(visible=bool(step["goal"]))
        expect(page.locator("#lesson-prev")).to_be_enabled(enabled=k > 1)
        expect(page.locator("#lesson-next")).to_be_enabled(enabled=k < len(steps))
        if k == GOAL_STEP[lesson_id]:
            assert step["goal"], f"{lesson_id} step {k} has no goal"
            meet_goal(page)
    page.locator("#lesson-prev").click()
    expect(page.locator("#lesson-count")).to_have_text(f"Step {len(steps) - 1} of {len(steps)}")


def test_a_goal_met_before_a_reload_says_by_which_epoch_not_at_which(
    page: Any, live_server: Any
) -> None:
    """A newcomer's pass: after a reload the panel said "Met at epoch 60" for a goal met at
    31, because the first frame after the reload (epoch 60) already met it."""
    page.goto(f"{live_server.url}/#lesson=circle&step={GOAL_STEP['circle']}&seed={SEED}")
    goal = page.locator("#lesson-goal")
    # At the page's own 60 epochs/s (not "max", as meet_goal plays), so that the pause lands
    # well inside the goal's 500 epochs: past them the goal no longer counts as met.
    page.locator("#play-pause-button").click()
    expect(goal).to_have_attribute("data-met", "true", timeout=90_000)
    page.locator("#play-pause-button").click()
    expect(page.locator("#lesson-goal-state")).to_contain_text("Met at epoch")
    page.wait_for_timeout(500)  # the checkpoint after the pause reaches sessionStorage
    epoch = int(page.locator("#iter-number").inner_text().replace(",", ""))
    assert 0 < epoch < 500, epoch
    page.reload()
    expect(goal).to_have_attribute("data-met", "true", timeout=30_000)
    expect(page.locator("#lesson-goal-state")).to_contain_text("Met by epoch")


def test_step_hide_flags_hide_and_restore_controls(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/#lesson=gaussian&step=1")
    expect(page.locator("#lesson-count")).to_have_text("Step 1 of 2")
    for name in ("regularization", "regularizationRate", "problem"):
        expect(page.locator(f".ui-{name}").first).to_be_hidden()
    expect(page.locator(".ui-learningRate").first).to_be_visible()
    page.locator("#lesson-next").click()
    expect(page.locator("#lesson-count")).to_have_text("Step 2 of 2")
    expect(page.locator(".ui-regularization").first).to_be_visible()


def test_the_panel_works_by_keyboard_and_shows_progress(
    page: Any, live_server: Any, artifacts: Any
) -> None:
    page.goto(f"{live_server.url}/#lesson=circle&step=3&seed={SEED}")
    expect(page.locator("#lesson-count")).to_have_text("Step 3 of 3")
    panel = page.locator("#lesson")
    expect(panel).to_have_attribute("aria-labelledby", "lesson-title")
    expect(page.locator("#lesson-goal")).to_have_attribute("role", "status")
    page.locator("#lesson-prev").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#lesson-count")).to_have_text("Step 2 of 3")
    expect(page).to_have_url(re.compile(r"networkShape=2&.*step=2"))
    page.locator("#lesson-next").focus()
    page.keyboard.press("Space")
    expect(page.locator("#lesson-count")).to_have_text("Step 3 of 3")
    page.select_option("#speed", "5")
    page.locator("#play-pause-button").click()
    expect(page.locator("#lesson-goal-state")).to_contain_text("Now: test loss")
    expect(page.locator("#lesson-goal")).to_have_attribute("data-met", "true", timeout=60_000)
    page.locator("#play-pause-button").click()
    page.screenshot(path=str(artifacts / "lesson-in-progress.png"), full_page=True)


def test_the_lessons_index_header_links_home_in_the_header_colour(
    page: Any, live_server: Any
) -> None:
    """A newcomer's pass found the home link in the browser's default blue on the navy bar."""
    page.goto(f"{live_server.url}/lessons")
    home = page.locator(".titlebar a.brand")
    expect(home).to_have_css("color", "rgb(255, 255, 255)")
    home.click()
    expect(page.locator("#play-pause-button")).to_be_visible()


def test_an_unknown_lesson_says_so(page: Any, live_server: Any, request: Any) -> None:
    request.node.allowed_page_problems = ("http 404", "status of 404")
    page.goto(f"{live_server.url}/#lesson=no-such-lesson&step=1")
    expect(page.locator("#lesson-title")).to_have_text("Lesson not found")
    expect(page.locator("#lesson-text")).to_contain_text("no-such-lesson")


def test_without_a_lesson_there_is_no_panel_and_the_article_follows_hide_text(
    page: Any, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/#seed=0.5")
    expect(page.locator("#article")).to_be_visible()
    expect(page.locator("#lesson")).to_be_hidden()
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    page.goto("about:blank")
    page.goto(f"{live_server.url}/#seed=0.5&hideText=true")
    expect(page.locator("#article")).to_be_hidden()


def test_the_hide_controls_link_hides_exactly_what_was_ticked(
    page: Any, live_server: Any, browser: Any
) -> None:
    page.goto(f"{live_server.url}/#seed=0.25&dataset=xor")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    shown = {name for name in HIDE_FLAGS if page.locator(f".ui-{name}").first.is_visible()}
    assert len(shown) >= 15, shown
    page.locator("#hide-controls summary").click()
    boxes = page.locator("#hide-controls input[data-flag]")
    assert boxes.count() == len(HIDE_FLAGS)
    ticked = ["noise", "learningRate", "playButton", "exports"]
    for name in ticked:
        page.locator(f'#hide-controls input[data-flag="{name}"]').check()
    link = page.locator("#hide-link").input_value()
    assert "dataset=xor" in link and "seed=0.25" in link
    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    other.goto(link)
    expect(other.locator("#connection-status")).to_have_attribute("data-state", "connected")
    for name in sorted(shown):
        expect(other.locator(f".ui-{name}").first).to_be_visible(visible=name not in ticked)
    other.context.close()
