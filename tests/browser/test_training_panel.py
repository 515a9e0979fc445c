"""The Training panel (optimizer, loss, initializer, seed, fit options).

Two pages with the same seed start from the same data and the same initial weights, so what
differs after a few steps is what the settings made differ.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground
from tests.conftest import PageProblems
from tests.support.live_server import start_live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def second(browser: Any, playground: Playground) -> Iterator[Playground]:
    """A second window (its own context: a background tab would not draw), failing the test
    on its errors too."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = PageProblems(page)
    yield Playground(page, playground.base_url)
    context.close()
    assert not problems.items, f"the second page reported problems: {problems.items}"


def open_panel(page: Any) -> None:
    """Open the Training panel (a Keras link opens it by itself)."""
    if page.get_attribute("#training-panel", "open") is None:
        page.click("#training-panel summary")
    expect(page.locator("#training-panel")).to_have_attribute("open", "")


def losses(pg: Playground) -> tuple[str, str]:
    return pg.page.inner_text("#loss-train"), pg.page.inner_text("#loss-test")


def test_adam_and_sgd_start_alike_and_then_part_ways(playground: Any, second: Any) -> None:
    sgd = playground.open("seed=0.4242&activation=relu")
    adam = second.open("seed=0.4242&activation=relu&optimizer=adam")
    expect(adam.page.locator("#training-panel")).to_have_attribute("open", "")  # a Keras link
    expect(adam.page.locator("#optimizer")).to_have_value("adam")
    assert losses(sgd) == losses(adam)  # same data, same initial weights
    sgd.step(5)
    adam.step(5)
    assert losses(sgd) != losses(adam)
    # Only Adam's own hyperparameters, with Keras 3's defaults.
    params = adam.page.locator("#optimizer-params")
    expect(params.locator("[data-param]")).to_have_count(5)
    expect(params.locator("#opt-beta_1")).to_have_value("0.9")
    expect(params.locator("#opt-beta_2")).to_have_value("0.999")
    expect(params.locator("#opt-epsilon")).to_have_value("1e-7")
    expect(params.locator("#opt-amsgrad")).not_to_be_checked()
    expect(params.locator("#opt-momentum")).to_have_count(0)
    # The badge says the run left the playground, and why.
    badge = adam.page.locator("#mode-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_attribute("title", re.compile(r"Keras mode: the Adam optimizer"))
    expect(sgd.page.locator("#mode-badge")).to_be_hidden()


def test_the_panel_edits_settings_into_the_hash(playground: Any, artifacts: Any) -> None:
    pg = playground.open("seed=0.12345")
    page = pg.page
    panel = page.locator("#training-panel")
    expect(panel).not_to_have_attribute("open", "")  # closed: the page looks like the playground
    open_panel(page)
    page.select_option("#optimizer", "sgd")
    page.fill("#opt-momentum", "0.9")
    page.press("#opt-momentum", "Enter")
    pg.expect_hash("&momentum=0.9")
    page.check("#opt-nesterov")
    pg.expect_hash("&momentum=0.9&nesterov=true")
    page.select_option("#loss", "binary_crossentropy")
    page.select_option("#initializer", "he_uniform")
    page.check("#shuffle")
    page.fill("#epochs-limit", "3")
    page.press("#epochs-limit", "Enter")
    pg.expect_hash("&loss=binary_crossentropy&initializer=he_uniform&shuffle=true&epochsLimit=3")
    expect(page.locator("#keras-line")).to_have_text(
        "model.compile(optimizer=SGD(learning_rate=0.03, momentum=0.9, nesterov=True), "
        'loss="binary_crossentropy")\nmodel.fit(x, y, batch_size=10, epochs=3, shuffle=True)'
    )
    expect(page.locator("#training-summary")).to_contain_text("SGD (momentum, nesterov)")
    # The playground's keys are untouched by ours.
    assert page.url.split("#")[1].startswith("activation=tanh&batchSize=10&dataset=circle&")
    # "Stop at epoch 3": playing pauses there.
    page.click("#play-pause-button")
    pg.expect_epoch("000,003")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    page.mouse.move(5, 795)
    page.screenshot(path=str(artifacts / "training-panel.png"), full_page=True)
    # The Keras-mode badge explains itself and opens the panel.
    page.click("#training-panel summary")
    expect(page.locator("#training-panel")).not_to_have_attribute("open", "")
    badge = page.locator("#mode-badge")
    expect(badge).to_have_attribute("title", re.compile("SGD with momentum 0.9.*shuffling"))
    badge.click()
    expect(page.locator("#training-panel")).to_have_attribute("open", "")
    # Back to SGD without momentum etc.: the options leave the hash.
    page.fill("#opt-momentum", "0")
    page.press("#opt-momentum", "Enter")
    expect(page).not_to_have_url(re.compile("momentum="))


def test_one_seed_makes_two_runs_identical(playground: Any, second: Any) -> None:
    keras = "optimizer=rmsprop&initializer=glorot_normal&shuffle=true&batchSize=3"
    first = playground.open(f"seed=same-seed&{keras}")
    other = second.open(f"seed=0.98765&{keras}")
    assert losses(first) != losses(other)
    # Type the first run's seed into the second page: data, weights and shuffling follow it.
    page = other.page
    open_panel(page)
    page.fill("#seed-input", "same-seed")
    page.press("#seed-input", "Enter")
    other.expect_hash("&seed=same-seed&")
    expect(page.locator("#loss-train")).to_have_text(losses(first)[0])
    first.step(4)
    other.step(4)
    assert losses(first) == losses(other)


@pytest.mark.parametrize("hidden", [False, True], ids=["shown", "hidden-by-link"])
def test_the_rate_note_points_at_the_top_bar_only_when_it_is_there(
    playground: Playground, hidden: bool
) -> None:
    """A newcomer's pass: a link that hid the learning rate still said "(the top bar sets it)"."""
    flag = "&learningRate_hide=true" if hidden else ""
    pg = playground.open(f"seed=0.5&optimizer=adam&learningRate=0.03{flag}")
    open_panel(pg.page)
    expect(pg.page.locator(".ui-learningRate").first).to_be_visible(visible=not hidden)
    note = pg.page.locator("#optimizer-note")
    expect(note).to_contain_text("Keras's default learning rate for Adam is 0.001")
    if hidden:
        expect(note).to_have_text(
            "Keras's default learning rate for Adam is 0.001; this run uses 0.03."
        )
    else:
        expect(note).to_contain_text("(the top bar sets it)")


def test_the_rate_note_follows_a_lesson_step_that_hides_the_rate(page: Any, tmp_path: Any) -> None:
    """A teacher's step that hides the learning rate (its `hide` list, a body class)."""
    (tmp_path / "quiet-rate.toml").write_text(
        'title = "Adam at a fixed rate"\nsummary = "S"\n\n[[steps]]\ntext = "Press play."\n'
        'hash = "optimizer=adam&learningRate=0.03"\nhide = ["learningRate"]\n'
        '\n[[steps]]\ntext = "Now pick a rate."\nhash = "optimizer=adam&learningRate=0.03"\n'
    )
    server = start_live_server(lessons_dir=tmp_path)
    try:
        page.goto(f"{server.url}/#lesson=quiet-rate&step=1")
        expect(page.locator(".ui-learningRate").first).to_be_hidden()
        note = page.locator("#optimizer-note")
        expect(note).to_have_text(
            "Keras's default learning rate for Adam is 0.001; this run uses 0.03."
        )
        page.locator("#lesson-next").click()
        expect(page.locator(".ui-learningRate").first).to_be_visible()
        expect(note).to_contain_text("(the top bar sets it)")
    finally:
        page.goto("about:blank")  # a stopping server says "reconnect now": nobody must be left
        server.stop()
