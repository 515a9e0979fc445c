"""The classroom over a real uvicorn, websockets and HTTP, on both stores: the teacher's key,
joins and names, the live roster, one start for everyone, locks, pause all, a challenge the
server checks (and the runs it refuses to count), signed checkpoints, short links, CSV."""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.client import PlaygroundClient, PlaygroundError
from tests.support.classroom import Teacher, call, join
from tests.support.live_server import LiveServer, start_live_server
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    redis = RedisServer().start() if request.param == "redis" else None
    data = tmp_path_factory.mktemp("classes")
    live = start_live_server(
        data_dir=data,
        redis_url=redis.url if redis else None,
        checkpoint_interval_seconds=0.3,
        join_burst_per_address=1000,
    )
    yield live
    live.stop()
    if redis is not None:
        redis.close()


def student(server: LiveServer, code: str, token: str, **settings: Any) -> PlaygroundClient:
    client = PlaygroundClient(server.ws_url, **settings)
    client.send({"type": "join_class", "code": code, "token": token})
    answer = client.expect("class")
    assert answer["joined"], answer
    return client


def announced(client: PlaygroundClient, key: str, value: Any = None) -> dict[str, Any]:
    """The next `class` message whose `key` is set (or equals `value`): a page may also be
    sent the class's state again when a worker first looks at its class."""
    while True:
        message = client.expect("class")
        if (message[key] == value) if value is not None else message[key]:
            return message


def wait_for(check: Any, seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_every_teacher_url_without_the_key_is_403(server: LiveServer) -> None:
    teacher = Teacher(server.url)
    status, page, _ = call(teacher.base)
    assert status == 200 and "loopback-warning" in page  # 127.0.0.1 is no use to students
    wrong = f"{server.url}/teach/{teacher.code}/{'x' * 32}"
    paths = ["", "/live.json", "/export.csv"]
    for url in [f"{server.url}/teach/{teacher.code}", *(wrong + p for p in paths)]:
        assert call(url)[0] == 403, url
    for action in ["choose", "push", "pause", "challenge", "links"]:
        assert call(f"{wrong}/{action}", {})[0] == 403, action
    assert call(f"{server.url}/teach/ZZZZZZ/{teacher.key}/live.json")[0] == 403


def test_names_are_normalised_suffixed_and_refused_when_unusable(server: LiveServer) -> None:
    teacher = Teacher(server.url)
    assert join(server.url, teacher.code, "  Ａｎａ   Lee ")["name"] == "Ana Lee"
    assert join(server.url, teacher.code, "ana lee")["name"] == "ana lee 2"
    for bad in ["", "   ", "x" * 25, "a\u0007b", "a\u200eb"]:
        status, answer, _ = call(f"{server.url}/c/{teacher.code}/join", {"name": bad})
        assert status == 422, (bad, answer)
    assert call(f"{server.url}/c/ABCDEF/join", {"name": "Kim"})[0] == 404
    status, _, headers = call(f"{server.url}/c?code={teacher.code.lower()[:3]}+{teacher.code[3:]}")
    assert status == 303 and headers["location"] == f"/c/{teacher.code}"  # typed by hand
    assert call(f"{server.url}/c?code=0OIL1")[0] == 200  # asked again, with why
    html = "<img src=x onerror=_x=1>"
    assert join(server.url, teacher.code, html)["name"] == html  # kept as typed, shown as text


def test_the_roster_shows_each_student_training_within_seconds(server: LiveServer) -> None:
    teacher = Teacher(server.url)
    tokens = [join(server.url, teacher.code, name)["token"] for name in ("Ana", "Bo")]
    clients = [student(server, teacher.code, t) for t in tokens]
    try:
        for client in clients:
            client.send({"type": "credit", "frames": 8})
            client.play()

        def training() -> list[dict[str, Any]] | None:
            for client in clients:
                client.send({"type": "credit", "frames": 8})
            roster = teacher.live()["roster"]
            ok = all(s["status"] == "active" and s.get("epoch", 0) > 0 for s in roster)
            return roster if ok and len(roster) == 2 else None

        roster = wait_for(training)
        assert {s["name"] for s in roster} == {"Ana", "Bo"}
        assert all(s["map"] and len(s["map"]) > 800 for s in roster)  # a 25x25 map, base64
    finally:
        for client in clients:
            client.close()
    gone = wait_for(lambda: all(s["status"] == "offline" for s in teacher.live()["roster"]))
    assert gone


def test_a_pushed_start_gives_everyone_the_same_run_and_locks_hold(server: LiveServer) -> None:
    teacher = Teacher(server.url)
    teacher.post("choose", {"link": "http://x/#dataset=xor&networkShape=3,2&learningRate=0.1"})
    clients = [
        student(
            server,
            teacher.code,
            join(server.url, teacher.code, n)["token"],
            dataset="spiral",
            network_shape=[1],
        )
        for n in ("A", "B", "C")
    ]
    try:
        teacher.post("push", {"locked": ["learningRate", "numHiddenLayers"]})
        for client in clients:
            notice = announced(client, "notice")
            assert "new start" in notice["notice"] and "learningRate" in notice["locked"]
        runs = []
        for client in clients:
            state = client.state
            assert state["settings"]["dataset"] == "xor"
            assert state["settings"]["network_shape"] == [3, 2]
            client.step(7)
            frame = client.frame()
            runs.append((state["settings"]["seed"], frame.epoch, frame.train_loss, frame.test_loss))
        assert runs[0][1] == 7 and len(set(runs)) == 1, runs
        with pytest.raises(PlaygroundError, match="locked"):
            clients[0].set(learning_rate=0.3)
        with pytest.raises(PlaygroundError, match="locked"):
            clients[0].set(network_shape=[3])
        assert clients[0].set(network_shape=[4, 2])["settings"]["network_shape"] == [4, 2]
    finally:
        for client in clients:
            client.close()


def test_pause_all_pauses_everyone_and_holds_until_resumed(server: LiveServer) -> None:
    teacher = Teacher(server.url)
    client = student(server, teacher.code, join(server.url, teacher.code, "P")["token"])
    try:
        client.send({"type": "credit", "frames": 8})
        assert client.play()["playing"]
        teacher.post("pause", {"paused": True})
        announced(client, "paused", True)
        assert client.state["playing"] is False
        with pytest.raises(PlaygroundError, match="paused"):
            client.play()
        teacher.post("pause", {"paused": False})
        announced(client, "paused", False)
        assert client.state["playing"] is True
    finally:
        client.close()


def test_a_challenge_counts_real_runs_and_says_why_others_do_not(server: LiveServer) -> None:
    teacher = Teacher(server.url)
    fair = join(server.url, teacher.code, "Fair")["token"]
    cheat = join(server.url, teacher.code, "Cheat")["token"]
    a, b = student(server, teacher.code, fair), student(server, teacher.code, cheat)
    try:
        teacher.post(
            "challenge",
            {
                "dataset": "gauss",
                "metric": "test_loss",
                "below": 0.2,
                "max_neurons": 12,
                "epochs": 500,
            },
        )
        for client in (a, b):
            assert announced(client, "challenge")["challenge"].startswith("test loss below 0.2")
        exported = a.request({"type": "export", "format": "json"}, "export")["content"]
        a.step(60)
        a.frame()
        b.request({"type": "import_json", "content": exported}, "state")
        b.set_weight(0, 0, 0, 0.5)  # typed in too
        b.step(60)
        b.frame()
        board = wait_for(lambda: len(teacher.live()["board"]) == 2 and teacher.live()["board"])
        first, second = board
        assert (first["name"], first["eligible"], first["rank"]) == ("Fair", True, 1)
        assert second["name"] == "Cheat" and not second["eligible"]
        assert second["reason"] in ("imported weights", "typed-in weights")
        seen = a.expect("class_board")
        while len(seen["entries"]) < 2:
            seen = a.expect("class_board")
        assert [e["you"] for e in seen["entries"]] == [True, False]
    finally:
        a.close()
        b.close()


def test_a_signed_checkpoint_resumes_trusted_and_a_forged_one_does_not(server: LiveServer) -> None:
    teacher = Teacher(server.url)
    token = join(server.url, teacher.code, "Resumer")["token"]
    client = student(server, teacher.code, token)
    client.step(3)
    client.send({"type": "credit", "frames": 8})  # checkpoints go to a client that reads
    while (client.last_checkpoint or {}).get("epoch") != 3:
        client.expect("checkpoint")
    saved = client.last_checkpoint
    assert saved is not None
    client.close()
    assert "class_proof" in saved
    forged = {**saved, "weights": _scaled(saved["weights"], 3.0)}  # "better" weights
    for checkpoint, expected in ((saved, None), (forged, "did not sign")):
        client = PlaygroundClient(server.ws_url, checkpoint=checkpoint, **saved["settings"])
        client.send({"type": "join_class", "code": teacher.code, "token": token})
        client.expect("class")

        def provenance() -> Any:
            me = [s for s in teacher.live()["roster"] if s["name"] == "Resumer"][0]
            return me if me["status"] != "offline" and me.get("epoch") == 3 else None

        me = wait_for(provenance)
        assert (me["provenance"] is None) if expected is None else expected in me["provenance"]
        client.close()
        wait_for(lambda: [s for s in teacher.live()["roster"]][0]["status"] == "offline")


def _scaled(value: Any, factor: float) -> Any:
    return [_scaled(v, factor) for v in value] if isinstance(value, list) else value * factor


def test_short_links_and_the_csv_export(server: LiveServer) -> None:
    teacher = Teacher(server.url)
    link = teacher.post("links", {"target": f"{server.url}/#dataset=xor&seed=0.5"})
    status, _, headers = call(link["url"])
    assert status == 303 and headers["location"] == "/#dataset=xor&seed=0.5"
    assert call(f"{teacher.base}/links", {"target": "https://evil.example/"})[0] == 422
    assert call(f"{teacher.base}/links", {"target": "//evil.example/"})[0] == 422
    join(server.url, teacher.code, "=HYPERLINK(1)")
    status, text, headers = call(f"{teacher.base}/export.csv")
    assert status == 200 and "text/csv" in headers["content-type"]
    lines = text.splitlines()
    assert lines[0].startswith("nickname,status,epoch,train_loss,test_loss,goal_met")
    assert lines[1].startswith("'=HYPERLINK(1),offline")
