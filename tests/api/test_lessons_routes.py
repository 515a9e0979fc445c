"""`GET /lessons`, `GET /lessons/<id>.json`, a teacher's folder, and a bad folder at start-up."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.playground.lessons import LessonError
from app.web.config import Settings
from app.web.main import create_app
from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
TEACHER = """title = "Our own circle"
summary = "A teacher's lesson."

[[steps]]
text = "Look: <script>alert(1)</script> and **bold**."
hash = "dataset=circle&networkShape=3&noise_hide=true"
hide = ["speed"]
goal = { metric = "test_accuracy", above = 0.9 }
question = "Why?"
"""


@pytest.fixture(scope="module")
def teacher_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lessons")
    (folder / "our-circle.toml").write_text(TEACHER)
    return folder


@pytest.fixture(scope="module")
def client(teacher_dir: Path) -> TestClient:
    with TestClient(
        create_app(Settings.from_env(lessons_dir=teacher_dir)), base_url="http://localhost"
    ) as client:
        yield client


def test_the_index_links_every_lesson_to_its_first_step(client: TestClient) -> None:
    page = client.get("/lessons")
    assert page.status_code == 200
    for lesson_id in ("gaussian", "circle", "xor", "spiral", "our-circle"):
        assert f'href="/#lesson={lesson_id}&amp;step=1"' in page.text
    assert "teacher&#39;s" in page.text
    assert "test loss below 0.1 within 500 epochs" in page.text


def test_the_index_numbers_each_lesson_once_and_names_each_goal_once(client: TestClient) -> None:
    """A newcomer's pass saw "1. 1. Two clusters…" (the title's own number inside the list's)
    and "test loss below 0.1 within 2000 epochs; test loss below 0.1 within 2000 epochs"."""
    page = client.get("/lessons").text
    titles = re.findall(r'step=1">([^<]+)</a>', page)
    assert len(titles) >= 10 and not [t for t in titles if re.match(r"\s*\d+[.):]", t)], titles
    spiral = page.split('data-lesson="spiral"', 1)[1].split("</li>", 1)[0]
    goals = spiral.split("Goals:", 1)[1]
    assert goals.count("test loss below 0.1 within 2000 epochs") == 1
    assert "within 2000 epochs (steps 2 and 3)" in goals and "(step 4)" in goals


def test_each_lesson_leads_on_to_the_next_in_the_index(client: TestClient) -> None:
    page = client.get("/lessons").text
    order = re.findall(r'data-lesson="([a-z0-9-]+)"', page)
    for k, (this, after) in enumerate(zip(order, [*order[1:], None], strict=True), start=1):
        data = client.get(f"/lessons/{this}.json").json()
        assert data["number"] == k
        if after is None:
            assert data["next"] is None
        else:
            after_title = client.get(f"/lessons/{after}.json").json()["title"]
            assert data["next"] == {"id": after, "title": after_title}


def test_a_lesson_is_served_rendered_with_raw_html_escaped(client: TestClient) -> None:
    data = client.get("/lessons/our-circle.json").json()
    step = data["steps"][0]
    assert "&lt;script&gt;" in step["html"] and "<script>" not in step["html"]
    assert "<strong>bold</strong>" in step["html"]
    assert step["hide"] == ["noise", "speed"]
    assert step["goal"]["text"] == "test accuracy above 0.9"
    assert step["sets_seed"] is False and not data["builtin"]


def test_an_unknown_lesson_is_a_404_naming_it(client: TestClient) -> None:
    response = client.get("/lessons/nope.json")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_the_page_lists_every_hide_flag_once(client: TestClient) -> None:
    page = client.get("/").text
    assert page.count('data-flag="') == 21
    assert 'id="lesson"' in page and 'id="article"' in page


def test_create_app_refuses_a_broken_teacher_file(tmp_path: Path) -> None:
    (tmp_path / "fine.toml").write_text(TEACHER)
    (tmp_path / "broken.toml").write_text(TEACHER.replace("networkShape=3", "networkShape=x"))
    with pytest.raises(LessonError, match=r"broken\.toml, step 1: hash: networkShape"):
        create_app(Settings.from_env(lessons_dir=tmp_path))


@pytest.mark.timeout(60)
def test_the_command_fails_start_up_naming_the_broken_file(tmp_path: Path) -> None:
    (tmp_path / "fine.toml").write_text(TEACHER)
    (tmp_path / "broken.toml").write_text(TEACHER.replace('metric = "test_accuracy"', "x = 1"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NN_PLAYGROUND_")}
    env["NN_PLAYGROUND_LESSONS_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "app", "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert done.returncode != 0
    assert str(tmp_path / "broken.toml") in done.stderr
    assert "step 1" in done.stderr and "goal" in done.stderr
