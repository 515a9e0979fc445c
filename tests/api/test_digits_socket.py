"""The digits websocket (/digits/ws, docs/protocol.md §10) through a real uvicorn: the
conversation, step, pause and reset, live and structural changes, the data a server has or
lacks, its caps, and bad messages refused with the session intact."""

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed

from app.digits.frames import Frame
from tests.support.digits import STEMS, fake_mnist
from tests.support.digits_client import DigitsClient
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.timeout(120)

SMALL = {"layers": [{"units": 32, "activation": "relu"}], "seed": 4}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("data")
    fake_mnist(data_dir / "mnist")  # a server with "full MNIST" (120 fake digits)
    broken = data_dir / "fashion-mnist"
    fake_mnist(broken)
    (broken / (STEMS["t10k-labels"] + ".gz")).write_bytes(b"\x1f\x8b broken")
    live = start_live_server(data_dir=data_dir)
    yield live
    live.stop()


@pytest.fixture
def client(server: LiveServer) -> Iterator[DigitsClient]:
    c = DigitsClient(server.url)
    yield c
    c.close()


def test_hello_answers_with_the_model_the_data_and_an_evaluation(client: DigitsClient) -> None:
    state = client.hello(**SMALL)
    assert state["settings"]["layers"] == SMALL["layers"] and state["epoch"] == 0
    assert state["summary"]["total"] == 785 * 32 + 33 * 10
    assert state["code"]["fit"] == [
        "history = model.fit(x_train, y_train, epochs=5, batch_size=100)"
    ]
    assert (state["data"]["source"], state["data"]["train"], state["data"]["test"]) == (
        "sample",
        4000,
        1000,
    )
    evaluation = client.expect("evaluation")  # the untrained network on the test set
    assert evaluation["epoch"] == 0 and sum(map(sum, evaluation["confusion"])) == 1000
    client.send(type="credit", frames=1)
    frame = client.frame()
    assert frame.epoch == 0 and frame.neurons is not None and frame.neurons[:2] == (0, 32)


def test_a_server_made_seed_is_echoed_and_a_given_one_kept(client: DigitsClient) -> None:
    made = client.hello()["settings"]["seed"]
    assert isinstance(made, int) and 0 <= made < 2**31
    assert client.hello(seed=12345)["settings"]["seed"] == 12345


def test_step_trains_exactly_one_epoch_then_answers(client: DigitsClient) -> None:
    client.hello(**SMALL, validation_split=0.1)
    client.send(type="credit", frames=8)
    client.send(type="step")
    epoch = client.expect("epoch")
    state = client.expect("state")
    assert epoch["epoch"] == 1 and state["epoch"] == 1 and not state["playing"]
    assert epoch["val_loss"] is not None and 0 <= epoch["val_accuracy"] <= 1
    assert state["history"][0]["loss"] == epoch["loss"]
    assert client.expect("evaluation")["epoch"] == 1
    while not any(f.points and f.points[-1][0] == pytest.approx(1.0) for f in client.frames):
        client.frame()  # the frame with the epoch's last batches follows the messages
    batches = [p for f in client.frames for p in f.points]
    assert len(batches) == 36  # 3,600 training rows in batches of 100, each sent once


def test_pause_stops_a_512_unit_model_at_once_and_play_goes_on_from_there(
    client: DigitsClient,
) -> None:
    client.hello(layers=[{"units": 512, "activation": "relu"}], seed=1)
    client.send(type="credit", frames=8)
    client.send(type="play")
    while client.frame().progress == 0:
        pass  # training is under way, in the middle of an epoch
    sent = time.monotonic()
    client.send(type="pause")
    assert client.expect("state")["playing"] is False
    # The runner trains in slices of at most 12 ms (benchmarks/digits.py measures the pause
    # latency); a second is the bound a loaded CI machine keeps.
    assert time.monotonic() - sent < 1.0
    mark = len(client.frames)
    for n in range(3):  # whatever the server sends now shows one position, not playing
        time.sleep(0.2)
        client.send(type="ping", id=n)
        client.expect("pong")
    after = client.frames[mark:]
    assert len({(f.epoch, f.progress) for f in after}) <= 1
    assert not any(f.playing for f in after)
    held = after[-1] if after else client.frames[mark - 1]
    client.send(type="play")
    assert client.expect("state")["playing"] is True
    while (later := client.frame()).epoch + later.progress <= held.epoch + held.progress:
        pass  # it goes on from where it was paused


def test_reset_stops_and_draws_new_weights_a_live_change_does_not(client: DigitsClient) -> None:
    first = client.hello(**SMALL)
    client.send(type="set", settings={"learning_rate": 0.5, "batch_size": 50})
    live = client.expect("state")
    assert live["run"] == first["run"] and live["settings"]["learning_rate"] == 0.5
    assert "learning_rate=0.5" in live["code"]["compile"][2]
    client.send(type="set", settings={"layers": [{"units": 8, "activation": "tanh"}]})
    rebuilt = client.expect("state")
    assert rebuilt["run"] != live["run"] and rebuilt["summary"]["total"] == 785 * 8 + 90
    client.send(type="credit", frames=8)
    client.send(type="play")
    client.expect("epoch")
    client.send(type="reset")
    reset = client.expect("state")
    assert reset["run"] != rebuilt["run"] and reset["epoch"] == 0 and not reset["playing"]
    assert reset["history"] == []


def test_a_drawing_gets_probabilities_and_what_the_network_saw(client: DigitsClient) -> None:
    client.hello(**SMALL)
    grid = np.zeros((28, 28), dtype=np.uint8)
    grid[2:20, 3:6] = 255
    client.send(type="credit", frames=4)
    client.send(type="draw", pixels=base64.b64encode(grid.tobytes()).decode())
    frame = client.frame()
    while frame.drawing is None:
        frame = client.frame()
    probabilities, seen = frame.drawing
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5) and len(probabilities) == 10
    seen = seen.reshape(28, 28)
    assert np.flatnonzero(seen.any(axis=1)).size == 20  # scaled to MNIST's 20-pixel box


def test_a_confusion_cell_gets_its_mistakes(client: DigitsClient) -> None:
    client.hello(**SMALL)
    evaluation = client.expect("evaluation")
    matrix = np.array(evaluation["confusion"])
    np.fill_diagonal(matrix, 0)
    label, answer = np.unravel_index(matrix.argmax(), matrix.shape)
    client.send(type="examples", label=int(label), answer=int(answer))
    gallery = client.expect("gallery")
    assert len(gallery["items"]) == min(24, matrix.max())
    assert all(item["label"] == label and item["top"][0][0] == answer for item in gallery["items"])


def test_the_export_is_the_panels_code_as_a_script(client: DigitsClient) -> None:
    state = client.hello(**SMALL, data="mnist", train_images=100)
    client.send(type="export", format="keras")
    export = client.expect("export")
    script = export["content"]
    assert export["filename"] == "digits_mnist_keras.py" and export["data_file"] is None
    assert "keras.datasets.mnist.load_data()" in script
    assert "x_train, y_train = x_train[:100], y_train[:100]" in script
    for line in state["code"]["model"][1:] + state["code"]["compile"] + state["code"]["fit"]:
        assert line in script


def test_the_servers_own_mnist_and_a_broken_data_file(client: DigitsClient) -> None:
    state = client.hello(**SMALL, data="mnist")
    assert (state["data"]["train"], state["data"]["test"]) == (120, 30)
    client.send(type="set", settings={"data": "fashion"})
    error = client.expect("error")
    assert error["code"] == "data_unavailable" and error["field"] == "settings.data"
    assert "t10k-labels-idx1-ubyte.gz: is not a complete gzip file" in error["message"]
    client.send(type="ping", id=2)
    client.expect("pong")
    client.send(type="set", settings={"epochs": 7})
    assert client.expect("state")["settings"]["data"] == "mnist"  # the session is intact


@pytest.mark.parametrize(
    ("message", "code", "field"),
    [
        ({"type": "draw", "pixels": "AAAA"}, "invalid_message", "draw.pixels"),
        ({"type": "set", "settings": {"layers": [{"units": 4096}]}}, "invalid_message", None),
        (
            {"type": "set", "settings": {"optimizer_options": {"momentum": 2}}},
            "invalid_message",
            None,
        ),
        ({"type": "set_weight", "layer": 0}, "invalid_message", "type"),
        ({"type": "neurons", "first": 40}, "invalid_message", "first"),
    ],
)
def test_bad_messages_are_typed_errors_and_change_nothing(
    client: DigitsClient, message: dict[str, object], code: str, field: str | None
) -> None:
    before = client.hello(**SMALL)
    client.ws.send(json.dumps(message))
    error = client.expect("error")
    assert error["code"] == code
    if field is not None:
        assert error["field"] == field
    client.send(type="set", settings={"epochs": 6})
    after = client.expect("state")
    assert after["run"] == before["run"] and after["settings"]["layers"] == SMALL["layers"]


def test_binary_and_oversized_messages_are_refused(client: DigitsClient) -> None:
    client.hello(**SMALL)
    client.ws.send(b"\x00" * 10)
    assert client.expect("error")["code"] == "binary_not_accepted"
    # over max_message_bytes (2 MiB), under the transport's frame limit (1 KiB more), which
    # closes with 1009 (app/web/serving.py)
    client.ws.send(json.dumps({"type": "ping", "id": "x" * (2 * 1024 * 1024)}))
    assert client.expect("error")["code"] == "too_large"
    client.send(type="ping", id=3)
    assert client.expect("pong")["id"] == 3


def test_the_digits_session_cap_refuses_one_more_with_1013() -> None:
    capped = start_live_server(digits_max_sessions=2)
    try:
        clients = [DigitsClient(capped.url) for _ in range(2)]
        for c in clients:
            c.hello(**SMALL)
        extra = DigitsClient(capped.url)
        extra.send(type="ping", id=1)  # a ping takes no slot
        extra.expect("pong")
        extra.send(type="hello", protocol=1, settings=SMALL)
        with pytest.raises(ConnectionClosed) as closed:
            extra.expect("state", timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert "digits workspace is full" in closed.value.rcvd.reason
        for c in clients:
            c.close()
    finally:
        capped.stop()


def test_a_foreign_origin_is_refused_before_the_handshake(server: LiveServer) -> None:
    with pytest.raises(Exception, match="403"):
        DigitsClient(server.url, origin="http://evil.example")


def test_the_sample_download_is_the_built_in_data(server: LiveServer, tmp_path: Path) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/digits/mnist_sample.npz", timeout=10) as r:
        (tmp_path / "s.npz").write_bytes(r.read())
    with np.load(tmp_path / "s.npz") as d:
        assert d["x_train"].shape == (4000, 28, 28) and d["y_test"].shape == (1000,)


def test_frames_never_carry_nan(client: DigitsClient) -> None:
    client.hello(**SMALL)
    client.send(type="credit", frames=8)
    client.send(type="step")
    client.expect("state", epoch=1)
    for frame in client.frames:
        assert isinstance(frame, Frame)
        values = [frame.progress, *(frame.running or ()), *(frame.estimate or ())]
        assert all(np.isfinite(values)) and all(np.isfinite(p).all() for p in frame.points)


def test_training_stops_when_nobody_reads_its_frames(client: DigitsClient) -> None:
    client.hello(**SMALL, train_images=100)
    client.send(type="play")  # and never a credit: a hidden tab draws nothing
    event = client.expect("event", timeout=20)
    assert event["event"] == "unwatched" and "nobody is watching" in event["message"]
    assert client.expect("state")["playing"] is False


def test_data_this_server_lacks_is_refused_and_a_default_hello_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "no-keras"))
    bare = start_live_server(data_dir=tmp_path)
    try:
        client = DigitsClient(bare.url)
        client.send(type="hello", protocol=1, settings={"data": "mnist"})
        error = client.expect("error")
        assert error["field"] == "settings.data" and "this server has no MNIST" in error["message"]
        assert client.hello()["data"]["source"] == "sample"
        client.close()
    finally:
        bare.stop()


def test_the_next_64_weight_pictures_come_on_demand(client: DigitsClient) -> None:
    client.hello(layers=[{"units": 100, "activation": "relu"}], seed=2)
    client.send(type="credit", frames=4)
    while (first := client.frame()).neurons is None:
        pass
    assert first.neurons[:2] == (0, 100) and len(first.neurons[2]) == 64
    client.send(type="neurons", first=64)
    while (later := client.frame()).neurons is None or later.neurons[0] != 64:
        pass
    assert later.neurons[1] == 100 and len(later.neurons[2]) == 36  # units 65-100
