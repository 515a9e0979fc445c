"""The extensions over the live protocol (docs/protocol.md §8): classes, metrics, data, exports."""

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from app.client import PlaygroundClient, PlaygroundError

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def client(live_server: Any) -> Iterator[PlaygroundClient]:
    with PlaygroundClient(live_server.ws_url, seed="beyond") as pc:
        yield pc


def test_multiclass_dataset_uses_softmax_and_sends_a_class_map(client: PlaygroundClient) -> None:
    state = client.set(dataset="spiral3", network_shape=[8, 8])
    assert state["classes"] == 3 and state["layer_sizes"][-1] == 3
    assert state["settings"]["loss"] == "categorical_crossentropy"
    assert state["mode"] == "keras"
    first = client.frame()  # the data message comes between the state and the frame
    assert sorted({int(p[2]) for p in client.data["train"]}) == [0, 1, 2]
    assert first.flags & 8
    assert set(np.unique(first.focus_map // 64)) <= {0, 1, 2}
    assert first.thumbnails.shape[0] == 8 + 8 + 3
    client.set(optimizer="adam", learning_rate=0.01)
    client.step(40)
    later = client.frame()
    assert later.train_loss < first.train_loss
    assert later.metrics[0] > 0.5  # train accuracy well above chance (1/3)
    client.focus(2, 1)  # a hidden node in focus: a plain map, no class map
    assert not client.frame().flags & 8


def test_back_to_a_binary_dataset_restores_the_playground_loss(client: PlaygroundClient) -> None:
    client.set(dataset="blobs3")
    state = client.set(dataset="circle")
    assert state["settings"]["loss"] == "playground" and state["classes"] == 2
    with pytest.raises(PlaygroundError, match="settings.loss"):
        client.set(dataset="blobs3", loss="mse")


def test_confusion_matrix_counts_every_point(client: PlaygroundClient) -> None:
    client.step(5)
    answer = client.request({"type": "confusion"}, "confusion")
    assert answer["labels"] == [-1, 1]
    assert sum(map(sum, answer["train"])) == len(client.data["train"])
    assert sum(map(sum, answer["test"])) == len(client.data["test"])
    accuracy = client.frame().metrics[1]
    diagonal = answer["test"][0][0] + answer["test"][1][1]
    assert diagonal / len(client.data["test"]) == pytest.approx(accuracy)


def test_regression_reports_rmse_and_r2(client: PlaygroundClient) -> None:
    state = client.set(problem="regression")
    assert state["metrics"] == ["train_rmse", "test_rmse", "train_r2", "test_r2"]
    client.step(30)
    rmse, _, r2, _ = client.frame().metrics
    assert rmse > 0 and r2 <= 1


def test_clicked_points_join_the_training_set(client: PlaygroundClient) -> None:
    client.step(3)
    before = len(client.data["train"])
    state = client.request({"type": "add_point", "x": 1.5, "y": -2.0, "label": -1}, "state")
    assert state["custom_points"] == 1 and state["epoch"] == 3  # training continues
    client.frame()
    assert len(client.data["train"]) == before + 1
    assert client.data["train"][-1] == [1.5, -2.0, -1.0]
    client.send({"type": "add_point", "x": 0, "y": 0, "label": 0.5})
    assert "label must be 1 or -1" in client.expect("error")["message"]
    client.send({"type": "add_point", "x": 9, "y": 0, "label": 1})
    assert client.expect("error")["field"] == "add_point.x"
    state = client.request({"type": "clear_points"}, "state")
    client.frame()
    assert state["custom_points"] == 0 and len(client.data["train"]) == before


CSV = "x,y,label\n1,2,1\n-1,-2,-1\n# a comment\n3,abc,1\n0.5,0.5,7\n\n2,2,0\nnan,1,1\n1,1\n"


def test_csv_upload_keeps_good_rows_and_reports_the_bad(client: PlaygroundClient) -> None:
    client.send({"type": "upload_csv", "content": CSV})
    report = client.expect("upload_report")
    assert (report["accepted"], report["rejected"]) == (3, 4)
    assert [p["line"] for p in report["problems"]] == [5, 6, 9, 10]
    state = client.expect("state")
    assert state["uploaded"] is True and state["epoch"] == 0
    client.frame()
    points = sorted(map(tuple, client.data["train"] + client.data["test"]))
    assert points == [(-1.0, -2.0, -1.0), (1.0, 2.0, 1.0), (2.0, 2.0, -1.0)]


@pytest.mark.parametrize(
    ("content", "code"),
    [("", "invalid_upload"), ("\x00\x01\x02garbage", "invalid_upload"),
     ("x,y,label\n" + "nan,nan,nan\n" * 50, "invalid_upload"),
     # over the 2 MiB cap, under uvicorn's frame limit (1 KiB more): the server's own refusal
     ("1" * (2 * 1024 * 1024 - 10), "too_large")],
)  # fmt: skip
def test_bad_uploads_get_typed_errors_and_change_nothing(
    client: PlaygroundClient, content: str, code: str
) -> None:
    client.step(2)
    client.send({"type": "upload_csv", "content": content})
    assert client.expect("error")["code"] == code
    assert client.step()["epoch"] == 3 and client.state["uploaded"] is False


def test_an_upload_over_the_point_limit_keeps_the_first_rows(live_server: Any) -> None:
    rows = "".join(f"{i % 5},{i % 3},1\n" for i in range(5000))
    with PlaygroundClient(live_server.ws_url) as pc:
        pc.send({"type": "upload_csv", "content": rows})
        report = pc.expect("upload_report")
        assert report["accepted"] == 2000 and report["rejected"] == 3000
        assert "limit of 2000" in report["problems"][0]["reason"]


def test_exports_and_json_import_round_trip(client: PlaygroundClient, live_server: Any) -> None:
    client.step(4)
    csv_file = client.request({"type": "export", "format": "csv"}, "export")
    assert csv_file["content"].startswith("x,y,label,split\n")
    assert csv_file["content"].count("\n") == 1 + 500
    for fmt in ("keras", "pytorch"):
        script = client.request({"type": "export", "format": fmt}, "export")
        compile(script["content"], script["filename"], "exec")
        assert script["filename"].endswith(".py")
    exported = client.request({"type": "export", "format": "json"}, "export")
    weights = json.loads(exported["content"])["weights"]
    with PlaygroundClient(live_server.ws_url) as other:
        other.send({"type": "import_json", "content": exported["content"]})
        state = other.expect("state")
        assert state["settings"]["seed"] == "beyond"
        got = other.frame().weights
        for g, w in zip(got, weights, strict=True):
            np.testing.assert_allclose(g, np.asarray(w), rtol=1e-6)
        other.send({"type": "import_json", "content": '{"format": "nope"}'})
        assert other.expect("error")["code"] == "invalid_import"


def test_gradient_view_sends_gradients_and_dead_relus(client: PlaygroundClient) -> None:
    client.set(activation="relu", gradient_view=True)
    client.step(2)
    frame = client.frame()
    assert frame.flags & 16 and frame.gradients is not None and frame.dead_nodes is not None
    assert [g.shape for g in frame.gradients] == [(2, 4), (4, 2), (2, 1)]
    assert all((g >= 0).all() for g in frame.gradients) and any(g.any() for g in frame.gradients)
    assert frame.dead_nodes.shape == (6,)
    state = client.set(gradient_view=False)
    assert state["epoch"] == 2  # a live setting: no reset
    client.step()
    assert client.frame().gradients is None


def test_custom_points_survive_a_checkpoint_resume(live_server: Any) -> None:
    with PlaygroundClient(live_server.ws_url, seed="ck") as a:
        a.request({"type": "add_point", "x": 1, "y": 1, "label": 1}, "state")
        a.step(3)
        checkpoint = a.checkpoint()
        a.step(2)
        expected = a.frame()
        settings = a.state["settings"]
    with PlaygroundClient(live_server.ws_url, checkpoint=checkpoint, **settings) as b:
        assert b.state["custom_points"] == 1 and b.state["epoch"] == 3
        b.step(2)
        assert b.frame().train_loss == expected.train_loss
