"""A class, end to end in Chromium (issue 22's "Done when"), on both stores, against
`nn-playground --workers 2` in a subprocess: a teacher makes a class; three students join at
/c/<code> in separate browser contexts (one a 390×844 phone); the roster shows them training
within 3 s; one pushed start gives all three the same settings and, step for step, the same
losses; a challenge is met by one student and refused for another whose weights were
imported; pause all pauses everyone; the server is killed and restarted and the class, its
roster and board are still there and the students rejoin by themselves; a nickname made of
HTML shows as text; and every teacher URL without the key is 403.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PageProblems
from tests.support.live_server import free_port, start_live_server
from tests.support.polling import wait_until
from tests.support.processes import process_tree
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

HTML_NAME = "<img src=x onerror=_x=1>"
STUDENTS = [
    ("Ana", {"width": 1280, "height": 800}),
    ("Bo", {"width": 390, "height": 844}),
    (HTML_NAME, {"width": 1024, "height": 768}),
]
# A server restart makes every page log its failed reconnect attempts (test_faults.py).
RECONNECT_NOISE = (
    "WebSocket connection to",
    "/healthz",
    "/socket-check",
    "ERR_CONNECTION_REFUSED",
    "live.json",
)
FRAME = (
    "() => { const f = window.__playground.loop.frame; return [f.epoch, f.lossTrain, f.lossTest]; }"
)


class ClassServer:
    """`nn-playground --workers 2` on a fixed port, which can be killed and started again."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "ClassServer":
        command = [
            str(Path(sys.executable).with_name("nn-playground")),
            "--port",
            str(self.port),
            "--workers",
            "2",
        ]
        self.process = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        pids: set[int] = set()
        deadline = time.monotonic() + 60
        while len(pids) < 2 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    pids.add(json.load(response)["pid"])
            except OSError:
                time.sleep(0.1)
        assert len(pids) == 2, "both workers must answer"
        return self

    def kill(self) -> None:
        """SIGKILL the supervisor and its workers: a crash, not a drain."""
        if self.process is None:
            return
        for pid in process_tree(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(params=["sqlite", "redis"])
def class_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClassServer]:
    redis = RedisServer().start() if request.param == "redis" else None
    env = {
        "NN_PLAYGROUND_DATA_DIR": str(tmp_path),
        "NN_PLAYGROUND_CHECKPOINT_INTERVAL_SECONDS": "0.3",
    }
    if redis is not None:
        env["NN_PLAYGROUND_REDIS_URL"] = redis.url
    server = ClassServer(env).start()
    expect.set_options(timeout=20_000)  # a loaded 2-core machine runs two workers and 4 pages
    yield server
    expect.set_options(timeout=5_000)
    server.kill()
    if redis is not None:
        redis.close()


def new_page(browser: Any, viewport: dict[str, int], pages: list[Any]) -> Any:
    phone = viewport["width"] < 500
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.problems = PageProblems(page)
    pages.append(page)
    return page


def frame_numbers(page: Any) -> list[float]:
    return list(page.evaluate(FRAME))


def epoch_of(page: Any) -> int:
    return int(page.inner_text("#iter-number").replace(",", ""))


def test_a_class_from_first_join_to_a_restart(browser: Any, class_server: ClassServer) -> None:
    pages: list[Any] = []
    base = class_server.url
    try:
        teacher = new_page(browser, {"width": 1024, "height": 768}, pages)  # a tablet
        teacher.goto(f"{base}/teach")
        teacher.click("#create-class")
        code = teacher.inner_text("#class-code").strip()
        assert len(code) == 6 and not set(code) & set("0O1IL")
        assert teacher.locator("#join-qr svg path").count() == 1
        dashboard = teacher.url
        key = dashboard.rsplit("/", 1)[1]

        students = [new_page(browser, viewport, pages) for _, viewport in STUDENTS]
        for i, ((name, _), page) in enumerate(zip(STUDENTS, students, strict=True)):
            page.goto(f"{base}/c/{code}")
            field = page.locator("input[type=text]").first
            field.fill(name)
            if i == 1:
                page.click("#join-button")
            else:
                field.press("Enter")
            expect(page.locator("#class-badge")).to_contain_text(f"{name} · class {code}")
            expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
        for page in students:
            page.click("#play-pause-button")

        tiles = teacher.locator("#roster .student[data-status=active]")
        expect(tiles).to_have_count(3, timeout=3000)  # within 3 s, whichever worker

        def epochs() -> dict[str, int]:
            return {
                t.get_attribute("data-name"): int(t.get_attribute("data-epoch"))
                for t in tiles.all()
            }

        before = epochs()
        expect(
            teacher.locator(f'#roster .student[data-name="{HTML_NAME}"] .student-name')
        ).to_have_text(HTML_NAME)
        assert teacher.evaluate("() => window._x") is None  # the name never ran
        assert set(before) == {n for n, _ in STUDENTS}
        # Rising: each worker publishes once a second and the dashboard polls once a second,
        # out of step with each other, so the rise is awaited rather than sampled once.
        wait_until(
            lambda: all(epochs().get(n, -1) > before[n] for n in before),
            lambda: f"rising epochs: {before}, then {epochs()}",
            seconds=6.0,
        )

        teacher.select_option("#sort", "name")
        shown = [t.get_attribute("data-name") for t in teacher.locator("#roster .student").all()]
        assert shown == sorted(shown)

        # One start for everyone: the same settings, then step for step the same losses.
        teacher.fill("#start-link", "#dataset=xor&networkShape=3,2&learningRate=0.1")
        teacher.click("#use-link")
        expect(teacher.locator("#start-status")).to_contain_text("Next start")
        teacher.click("#locks summary")
        teacher.check('#locks input[data-lock="learningRate"]')
        teacher.click("#push-start")
        for page in students:
            expect(page.locator("#class-notice")).to_contain_text("new start")
            expect(
                page.locator("#learningRate")
            ).to_be_hidden()  # locked: the server refuses it too
            expect(page.locator("#iter-number")).to_have_text("000,000")
        seeds = {page.evaluate("() => location.hash.match(/seed=([^&]*)/)[1]") for page in students}
        shapes = {
            page.evaluate("() => location.hash.match(/networkShape=([^&]*)/)[1]")
            for page in students
        }
        assert len(seeds) == 1 and shapes == {"3,2"}
        runs = []
        for page in students:
            for k in range(1, 6):
                page.click("#next-step-button")
                expect(page.locator("#iter-number")).to_have_text(f"000,00{k}")
            runs.append(tuple(wait_frame(page, 5)))
        assert len(set(runs)) == 1, runs
        teacher.click('#roster .student[data-name="Ana"]')  # her run, in the teacher's tab
        expect(teacher.locator("#student-view")).to_be_visible()
        expect(teacher.locator("#view-name")).to_have_text("Ana")
        seed = seeds.pop()
        view = teacher.locator("#view-open")  # the tile follows her run within a second or two
        expect(view).to_have_attribute("href", re.compile(f"dataset=xor.*seed={seed}.*run="))
        teacher.click("#student-view .popover-close")

        # A challenge: Ana meets it; Bo imports weights and is not eligible.
        form = teacher.locator("#challenge-form")
        form.locator("select[name=dataset]").select_option("gauss")
        form.locator("input[name=threshold]").fill("0.2")
        form.locator("button[type=submit]").click()
        expect(teacher.locator("#challenge-text")).to_contain_text("test loss below 0.2")
        ana, bo = students[0], students[1]
        for page in students:
            expect(page.locator("#class-challenge")).to_contain_text("test loss below 0.2")
        with bo.expect_download() as download:
            bo.click('[data-export="json"]')
        exported = Path(download.value.path())
        bo.set_input_files("#import-json", str(exported))
        expect(bo.locator("#transfer-message")).to_contain_text("mport")
        for page in (ana, bo):
            page.click("#play-pause-button")
        expect(teacher.locator('#board .entry[data-name="Ana"]')).to_have_count(1)
        expect(teacher.locator('#board .entry.not-eligible[data-name="Bo"]')).to_contain_text(
            "imported weights"
        )
        expect(ana.locator("#class-rank")).to_have_text("You are number 1.")

        # Pause all.
        teacher.click("#pause-all")
        for page in students:
            expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
            expect(page.locator("#class-notice")).to_contain_text("paused")
        expect(teacher.locator("#roster .student[data-status=paused]")).to_have_count(3)

        # The server dies and comes back: the class, roster and board are still there.
        class_server.kill()
        class_server.start()
        for page in students:
            expect(page.locator("#connection-status")).to_have_attribute(
                "data-state", "connected", timeout=30_000
            )
        teacher.goto(dashboard)  # the bookmarked link still works
        expect(teacher.locator("#roster .student")).to_have_count(3)
        expect(teacher.locator("#roster .student[data-status=offline]")).to_have_count(
            0, timeout=15_000
        )
        expect(teacher.locator('#board .entry[data-name="Ana"]')).to_have_count(1)
        for (name, _), page in zip(STUDENTS, students, strict=True):
            expect(page.locator("#class-badge-text")).to_have_text(f"{name} · class {code}")

        # Every teacher URL without the key is 403.
        near = key[:-1] + ("y" if key[-1] != "y" else "z")  # one character off
        urls = [
            f"/teach/{code}",
            f"/teach/{code}/nokey/live.json",
            f"/teach/{code}/{near}/export.csv",
        ]
        for url in (base + u for u in urls):
            assert teacher.request.get(url).status == 403, url
        assert teacher.request.post(f"{base}/teach/{code}/wrong/push", data="{}").status == 403
    finally:
        for page in pages:
            problems = [p for p in page.problems.items if not any(n in p for n in RECONNECT_NOISE)]
            page.context.close()
            assert not problems, problems


def wait_frame(page: Any, epoch: int) -> list[float]:
    """The newest frame's (epoch, train loss, test loss), once it is at `epoch`."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        numbers = frame_numbers(page)
        if numbers[0] == epoch:
            return numbers
        time.sleep(0.05)
    raise AssertionError(f"no frame at epoch {epoch}")


def test_the_teacher_makes_a_changed_playground_the_next_start(
    browser: Any, tmp_path: Path
) -> None:
    server = start_live_server(data_dir=tmp_path)
    pages: list[Any] = []
    try:
        teacher = new_page(browser, {"width": 1280, "height": 800}, pages)
        teacher.goto(f"{server.url}/teach")
        teacher.click("#create-class")
        code = teacher.inner_text("#class-code").strip()
        playground = teacher.context.new_page()  # the teacher's own browser, another tab
        playground.problems = PageProblems(playground)
        pages.append(playground)
        playground.goto(f"{server.url}/#seed=0.777")
        expect(playground.locator("#connection-status")).to_have_attribute(
            "data-state", "connected"
        )
        playground.click('.dataset[data-dataset="xor"]')
        expect(playground).to_have_url(re.compile(r".*dataset=xor"))
        button = playground.locator("#class-make-start")
        expect(button).to_have_text(f"Make this class {code}'s next start")
        button.click()
        expect(playground.locator("#run-link-note")).to_contain_text("next start")
        expect(teacher.locator("#chosen-label")).to_have_text("A link you chose")
        chosen = teacher.get_attribute("#open-chosen", "href") or ""
        assert "dataset=xor" in chosen and "seed=" in chosen
    finally:
        problems = [p for page in pages for p in page.problems.items]
        pages[0].context.close()
        server.stop()
        assert not problems, problems
