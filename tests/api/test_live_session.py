"""Live sessions through a real uvicorn and the Python client (docs/protocol.md)."""

import json
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from app.client import PlaygroundClient, PlaygroundError

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def client(live_server: Any) -> Iterator[PlaygroundClient]:
    with PlaygroundClient(live_server.ws_url, seed="0.12345") as pc:
        yield pc


def test_page_load_losses_match_the_real_playground(client: PlaygroundClient) -> None:
    # A screenshot of playground.tensorflow.org at seed 0.12345 (not kept here), default
    # settings, right after load, shows "Test loss 0.518" and "Training loss 0.502".
    frame = client.frame()
    assert (frame.epoch, f"{frame.test_loss:.3f}", f"{frame.train_loss:.3f}") == (
        0,
        "0.518",
        "0.502",
    )


def test_settings_are_echoed_complete_and_validated(client: PlaygroundClient) -> None:
    state = client.set(learning_rate=0.1, speed=None)
    assert state["settings"]["learning_rate"] == 0.1
    assert state["settings"]["speed"] is None
    assert state["settings"]["network_shape"] == [4, 2]
    assert state["layer_sizes"] == [2, 4, 2, 1]
    assert state["mode"] == "playground"


def test_step_trains_exactly_one_epoch(client: PlaygroundClient) -> None:
    assert client.frame().epoch == 0
    state = client.step()
    assert state["epoch"] == 1 and not state["playing"]
    assert client.frame().epoch == 1
    assert client.step(5)["epoch"] == 6


def test_play_streams_frames_with_rising_epochs_and_falling_loss(client: PlaygroundClient) -> None:
    first = client.frame()
    client.play()
    frames = client.frames(25)
    client.pause()
    epochs = [f.epoch for f in frames]
    assert epochs == sorted(epochs) and epochs[-1] > first.epoch
    assert all(f.playing for f in frames[:-1])
    deadline = time.monotonic() + 20
    while client.frame().test_loss > 0.1:  # the default circle is learnt within seconds
        assert time.monotonic() < deadline, "test loss did not fall below 0.1"
        client.step(20)


def test_frame_sizes_and_thumbnails_follow_the_layout(client: PlaygroundClient) -> None:
    frame = client.frame()
    assert frame.focus_map.shape == (100, 100)
    assert frame.thumbnails.shape == (4 + 2 + 1, 10, 10)
    assert frame.input_thumbnails is not None and frame.input_thumbnails.shape == (7, 10, 10)
    assert [w.shape for w in frame.weights] == [(2, 4), (4,), (4, 2), (2,), (2, 1), (1,)]
    client.step()
    assert client.frame().input_thumbnails is None  # input maps travel once per connection


def test_learning_rate_applies_live_without_reset(client: PlaygroundClient) -> None:
    client.step(3)
    assert client.set(learning_rate=0.3)["epoch"] == 3


@pytest.mark.parametrize(
    "change",
    [{"activation": "relu"}, {"batch_size": 5}, {"regularization": "L2"},
     {"features": ["x", "y", "xSquared"]}, {"network_shape": [3]}],
)  # fmt: skip
def test_network_changes_reset_but_keep_the_data(client: PlaygroundClient, change: dict) -> None:
    client.step(3)
    data_before = client.data
    seed = client.state["settings"]["seed"]
    state = client.set(**change)
    assert state["epoch"] == 0 and state["settings"]["seed"] == seed
    assert client.data is data_before  # no new data message was needed


@pytest.mark.parametrize(
    "change", [{"dataset": "xor"}, {"noise": 25}, {"percent_train": 70}, {"problem": "regression"}]
)
def test_data_changes_reset_and_draw_a_new_seed(client: PlaygroundClient, change: dict) -> None:
    client.step(3)
    old_train = client.data["train"]
    state = client.set(**change)
    assert state["epoch"] == 0
    assert state["settings"]["seed"] != "0.12345"
    client.frame()  # the data message precedes the frame
    assert client.data["train"] != old_train


def test_feature_toggle_rebuilds_inputs_and_keeps_training(client: PlaygroundClient) -> None:
    state = client.set(features=["x", "y", "xSquared"])
    assert state["layer_sizes"] == [3, 4, 2, 1] and state["epoch"] == 0
    assert client.frame().weights[0].shape == (3, 4)
    client.step(2)
    assert client.frame().epoch == 2


def test_regenerate_keeps_network_and_epoch(client: PlaygroundClient) -> None:
    client.step(4)
    weights = client.frame().weights
    state = client.regenerate()
    assert state["epoch"] == 4 and state["settings"]["seed"] != "0.12345"
    assert all(np.array_equal(a, b) for a, b in zip(weights, client.frame().weights, strict=True))


def test_reset_draws_new_weights_and_zeroes_the_epoch(client: PlaygroundClient) -> None:
    client.step(2)
    before = client.frame().weights
    assert client.reset()["epoch"] == 0
    after = client.frame().weights
    assert not np.array_equal(before[0], after[0])
    assert np.all(after[1] == np.float32(0.1))  # playground biases start at 0.1


def test_weight_edit_changes_the_output_map(client: PlaygroundClient) -> None:
    before = client.frame()
    client.set_weight(2, 0, 0, 5.0)  # hidden-2 unit 0 -> output
    after = client.frame()
    assert after.weights[4][0, 0] == 5.0
    assert not np.array_equal(before.focus_map, after.focus_map)
    client.send({"type": "set_bias", "layer": 2, "node": 0, "value": -0.75})  # the output bias
    client.expect("state")
    assert client.frame().weights[5][0] == np.float32(-0.75)


def test_focus_selects_which_full_map_travels(client: PlaygroundClient) -> None:
    output = client.frame().focus_map
    client.focus(1, 0)
    hidden = client.frame()
    assert hidden.focus == (1, 0)
    assert not np.array_equal(hidden.focus_map, output)
    client.focus(0, 0)  # input feature x: orange (low) on the left, blue (high) on the right
    x_map = client.frame().focus_map
    assert x_map[50, 0] == 0 and x_map[50, 99] == 255


BAD_MESSAGES = [
    ("{not json", "invalid_json", None),
    ("[1, 2]", "invalid_message", None),
    (json.dumps({"type": "explode"}), "invalid_message", "type"),
    (json.dumps({"type": "set", "settings": {"noise": 1000}}), "invalid_message", "settings.noise"),
    (json.dumps({"type": "set", "settings": {"bogus": 1}}), "invalid_message", "settings.bogus"),
    (json.dumps({"type": "set", "settings": {"network_shape": [9]}}), "invalid_message",
     "settings.network_shape"),
    (json.dumps({"type": "set", "settings": {"network_shape": [2] * 7}}), "invalid_message",
     "settings.network_shape"),
    (json.dumps({"type": "set", "settings": {"optimizer": "adam",
                                             "optimizer_options": {"beta_1": 2}}}),
     "invalid_message", "settings.optimizer_options"),
    ('{"type": "set_weight", "layer": 0, "src": 0, "dst": 0, "value": NaN}', "invalid_json", None),
    (json.dumps({"type": "set_weight", "layer": 9, "src": 0, "dst": 0, "value": 1}),
     "invalid_message", "layer"),
    (json.dumps({"type": "step", "epochs": 10**9}), "invalid_message", "step.epochs"),
    (json.dumps({"type": "credit", "frames": -1}), "invalid_message", "credit.frames"),
    (json.dumps({"type": "hello", "protocol": 99}), "protocol_version", "protocol"),
    ("[" * 10_000, "invalid_json", None),
    ("[" * 100_000, "too_large", "type"),  # over 16 KiB without its type first: not parsed
]  # fmt: skip


@pytest.mark.parametrize(("raw", "code", "field"), BAD_MESSAGES)
def test_bad_messages_get_typed_errors_and_change_nothing(
    client: PlaygroundClient, raw: str, code: str, field: str | None
) -> None:
    client.step(2)
    before = client.frame()
    client.send(raw)
    error = client.expect("error")
    assert error["code"] == code
    if field is not None:
        assert error["field"] == field
    assert error["message"]
    assert client.step()["epoch"] == 3  # the session still works, from where it was
    assert client.state["settings"]["noise"] == 0
    after = client.frame()
    assert after.layer_sizes == before.layer_sizes


def test_binary_frames_from_the_client_are_refused(client: PlaygroundClient) -> None:
    client.send(b"\x00\x01\x02")
    assert client.expect("error")["code"] == "binary_not_accepted"
    assert client.step()["epoch"] == 1


def test_setting_through_client_raises_typed_error(client: PlaygroundClient) -> None:
    with pytest.raises(PlaygroundError, match="settings.activation"):
        client.set(activation="swish")


def test_no_credit_means_no_frames(client: PlaygroundClient) -> None:
    client.play()
    with pytest.raises(TimeoutError):
        client.expect_frame(timeout=0.7)
    assert client.pause()["epoch"] > 0  # it trained all along; it just sent nothing


def test_checkpoint_resumes_bit_identically(live_server: Any) -> None:
    with PlaygroundClient(
        live_server.ws_url,
        seed="resume",
        network_shape=[3, 3],
        batch_size=7,
        regularization="L1",
        regularization_rate=0.003,
    ) as a:
        a.step(5)
        checkpoint = a.checkpoint()
        a.step(4)
        uninterrupted = a.frame()
        settings = a.state["settings"]
    with PlaygroundClient(live_server.ws_url, checkpoint=checkpoint, **settings) as b:
        assert b.state["epoch"] == 5
        b.step(4)
        resumed = b.frame()
    assert resumed.epoch == uninterrupted.epoch == 9
    assert resumed.train_loss == uninterrupted.train_loss
    for x, y in zip(resumed.weights, uninterrupted.weights, strict=True):
        assert np.array_equal(x, y)


def test_a_foreign_checkpoint_is_refused_and_a_fresh_session_runs(live_server: Any) -> None:
    with PlaygroundClient(live_server.ws_url, seed="a") as a:
        checkpoint = a.checkpoint()
    checkpoint["weights"][0][0][0] = "boom"
    with pytest.raises(PlaygroundError, match="invalid_checkpoint"):
        PlaygroundClient(live_server.ws_url, checkpoint=checkpoint, seed="a")


def test_two_sessions_do_not_interfere(live_server: Any) -> None:
    with (
        PlaygroundClient(live_server.ws_url, seed="same") as a,
        PlaygroundClient(live_server.ws_url, seed="same") as b,
    ):
        a.set(learning_rate=1)
        a.step(10)
        b.step(3)
        assert (a.frame().epoch, b.frame().epoch) == (10, 3)
        b.step(7)
        a_loss = a.last_frame.train_loss if a.last_frame else None
        assert a_loss != b.frame().train_loss  # same data, other learning rate


def test_divergence_pauses_and_never_sends_nan(live_server: Any) -> None:
    with PlaygroundClient(live_server.ws_url, seed="boom", activation="relu", learning_rate=10,
                          problem="regression") as pc:  # fmt: skip
        pc.play()
        deadline = time.monotonic() + 20
        while not pc.events:
            frame = pc.frame()
            assert np.isfinite(frame.train_loss) and np.isfinite(frame.test_loss)
            assert all(np.isfinite(w).all() for w in frame.weights)
            assert time.monotonic() < deadline
        assert pc.events[0]["event"] == "diverged"
        assert "learning rate" in pc.events[0]["message"]
        assert pc.state["playing"] is False and pc.state["diverged"] is True  # sent with the event
