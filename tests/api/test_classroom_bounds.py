"""The classroom's bounds and faults: a full class, a join flood, a student who brings back a
locked setting, a lesson goal on the roster, and a class store that goes down mid-lesson
(Redis stopped): the teacher's view says so, and the students keep training."""

import contextlib
import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.client import PlaygroundClient
from app.web.config import Settings
from app.web.main import create_app
from tests.api.test_classroom import announced, student, wait_for
from tests.support.classroom import Teacher, call, join
from tests.support.live_server import free_port, start_live_server
from tests.support.processes import launch
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.timeout(90)


def test_a_full_class_and_a_join_flood_are_refused_clearly(tmp_path: Path) -> None:
    server = start_live_server(data_dir=tmp_path, max_class_size=2, join_burst_per_address=6)
    try:
        teacher = Teacher(server.url)
        first = join(server.url, teacher.code, "One")
        join(server.url, teacher.code, "Two")
        status, answer, _ = call(f"{server.url}/c/{teacher.code}/join", {"name": "Three"})
        assert status == 409 and "full (2 students)" in answer["detail"]
        again = join(server.url, teacher.code, "Renamed", token=first["token"])
        assert again["name"] == "One"  # a returning student keeps their place and name
        statuses = [call(f"{server.url}/c/{teacher.code}/join", {"name": "x"})[0] for _ in range(8)]
        assert 429 in statuses
    finally:
        server.stop()


def test_a_locked_setting_brought_back_by_a_hello_is_put_right(tmp_path: Path) -> None:
    server = start_live_server(data_dir=tmp_path)
    try:
        teacher = Teacher(server.url)
        teacher.post("choose", {"link": "#dataset=xor&learningRate=0.1&seed=0.42"})
        token = join(server.url, teacher.code, "Edith")["token"]
        client = student(server, teacher.code, token)
        teacher.post("push", {"locked": ["dataset", "learningRate"]})
        announced(client, "notice")
        assert client.state["settings"]["dataset"] == "xor"
        client.send({"type": "hello", "settings": {"dataset": "spiral", "learning_rate": 1}})
        client.expect("state")
        wait_for(lambda: client.expect("state")["settings"]["dataset"] == "xor")
        assert client.state["settings"]["learning_rate"] == 0.1
        client.close()
    finally:
        server.stop()


def test_the_roster_says_whether_the_lesson_goal_is_met(tmp_path: Path) -> None:
    server = start_live_server(data_dir=tmp_path)
    try:
        teacher = Teacher(server.url)
        lessons = server.app.state.lessons.rendered
        lesson, k = next(
            (lid, i + 1)
            for lid, doc in lessons.items()
            for i, step in enumerate(doc["steps"])
            if step["goal"]
        )
        teacher.post("choose", {"lesson": lesson, "step": k})
        client = student(server, teacher.code, join(server.url, teacher.code, "Goal")["token"])
        teacher.post("push", {})
        announced(client, "notice")
        client.step(1)
        client.frame()
        me = wait_for(lambda: [s for s in teacher.live()["roster"] if "goal_met" in s])
        assert me[0]["goal_met"] in (True, False)  # a lesson goal is judged, not absent
        client.close()
    finally:
        server.stop()


def test_a_store_that_goes_down_costs_the_teacher_view_not_training(tmp_path: Path) -> None:
    redis = RedisServer(persistent=True).start()
    server = start_live_server(redis_url=redis.url)
    try:
        teacher = Teacher(server.url)
        rosa = join(server.url, teacher.code, "Rosa")["token"]
        client = student(server, teacher.code, rosa)
        client.send({"type": "credit", "frames": 8})
        client.play()
        wait_for(lambda: teacher.live()["roster"][0].get("epoch", 0) > 0)
        redis.stop()
        status, answer, _ = call(f"{teacher.base}/live.json")
        assert status == 503 and "not reachable" in answer["detail"]
        epochs: list[int] = []
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:  # the student trains on, frame after frame
            client.send({"type": "credit", "frames": 1})
            epochs.append(client.expect_frame().epoch)
        assert epochs[-1] >= epochs[0] + 60, epochs  # ~60 epochs/s for ~4 s, with slack
        status, answer, _ = call(f"{server.url}/c/{teacher.code}/join", {"name": "Late"})
        assert status == 503
        again = PlaygroundClient(
            server.ws_url, timeout=30
        )  # Rosa's page reloads while the store is down
        again.send({"type": "join_class", "code": teacher.code, "token": rosa})
        told = again.expect("class")
        assert (told["joined"], told["retry"]) == (False, True)
        redis.start()  # back, with its data: the page is joined without asking again
        assert announced(again, "joined", True)["name"] == "Rosa"
        assert wait_for(lambda: teacher.live()["roster"][0]["name"] == "Rosa")
        client.close()
        again.close()
    finally:
        server.stop()
        redis.close()


def test_probing_tokens_on_one_connection_and_bad_challenges_are_refused(tmp_path: Path) -> None:
    server = start_live_server(data_dir=tmp_path)
    try:
        teacher = Teacher(server.url)
        probe = PlaygroundClient(server.ws_url)
        for i in range(8):
            probe.send({"type": "join_class", "code": teacher.code, "token": f"guess{i:012d}"})
            assert probe.expect("class")["joined"] is False
        probe.send({"type": "join_class", "code": teacher.code, "token": "guess-one-more-1"})
        assert probe.expect("error")["code"] == "rate_limited"
        probe.send({"type": "join_class", "code": "<script>", "token": "x"})
        assert probe.expect("error")["code"] == "invalid_message"
        probe.close()
        for bad in (
            {"below": -1},
            {"metric": "test_accuracy", "above": 2},
            {"below": 0.1, "features": ["cosZ"]},
            {"below": 0.1, "epochs": 0},
            {"below": 0.1, "x": 1},
        ):
            status, _, _ = call(f"{teacher.base}/challenge", {"dataset": "xor", **bad})
            assert status == 422, bad
        assert call(f"{teacher.base}/challenge", {"dataset": "nope", "below": 0.1})[0] == 422
        assert call(f"{teacher.base}/choose", {"link": "#networkShape=99"})[0] == 422
    finally:
        server.stop()


def test_two_replicas_sharing_one_redis_serve_one_class() -> None:
    """A teacher on one machine, students on another: only the store is shared."""
    redis = RedisServer().start()
    east, west = (start_live_server(redis_url=redis.url) for _ in range(2))
    try:
        teacher = Teacher(east.url)  # the teacher's requests reach the east replica
        token = join(west.url, teacher.code, "Wren")["token"]  # the student's, the west
        client = student(west, teacher.code, token)
        teacher.post("choose", {"link": "#dataset=xor&seed=0.61&networkShape=2"})
        teacher.post("push", {})
        assert announced(client, "notice")["start"]["version"] == 1
        assert client.state["settings"]["seed"] == "0.61"
        client.step(2)
        seen = wait_for(lambda: [s for s in teacher.live()["roster"] if s.get("epoch") == 2])
        assert seen[0]["name"] == "Wren" and seen[0]["shape"] == [2]
        client.close()
    finally:
        east.stop()
        west.stop()
        redis.close()


def test_the_join_link_and_qr_code_name_the_address_the_teacher_used(tmp_path: Path) -> None:
    settings = Settings.from_env(data_dir=tmp_path, host="0.0.0.0", allowed_hosts="school.example")
    with TestClient(create_app(settings), base_url="http://school.example:8000") as client:
        made = client.post("/teach", follow_redirects=False)
        assert made.status_code == 303
        page = client.get(made.headers["location"]).text
    code = made.headers["location"].split("/")[2]
    assert f'href="http://school.example:8000/c/{code}"' in page
    assert "loopback-warning" not in page and "<svg" in page


def test_a_drained_members_final_checkpoint_is_signed(tmp_path: Path) -> None:
    """A rolling update (SIGTERM) must not cost an honest run its place on the board."""
    port = free_port()
    process = launch(port, {"NN_PLAYGROUND_DATA_DIR": str(tmp_path)})
    try:
        teacher = Teacher(f"http://127.0.0.1:{port}")
        token = join(teacher.server, teacher.code, "Dara")["token"]
        with connect(f"ws://127.0.0.1:{port}/ws", compression=None) as ws:
            for message in (
                {"type": "hello", "settings": {"seed": "0.3"}},
                {"type": "join_class", "code": teacher.code, "token": token},
                {"type": "step", "epochs": 4},
            ):
                ws.send(json.dumps(message))
            got: list[dict[str, Any]] = []
            while not {("class", None), ("state", 4)} <= {(m["type"], m.get("epoch")) for m in got}:
                raw = ws.recv(timeout=10)
                if isinstance(raw, str):
                    got.append(json.loads(raw))
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(ConnectionClosed):
                while True:
                    raw = ws.recv(timeout=10)
                    if isinstance(raw, str):
                        got.append(json.loads(raw))
        final = [m["checkpoint"] for m in got if m["type"] == "checkpoint"][-1]
        assert final["epoch"] == 4 and len(final["class_proof"]) == 64
    finally:
        process.kill()
        process.wait()
