"""The digits workspace's smaller parts: settings and caps, the Keras code the panel shows,
a drawn digit made MNIST-like, the weight pictures, confusion matrix and gallery, the binary
frame and the client messages."""

import base64
import json
import math
from pathlib import Path

import numpy as np
import pytest

from app.digits.drawing import centre_of_mass, mnist_style, resample_matrix
from app.digits.frames import Frame, build_frame, decode_frame
from app.digits.keras_code import optimizer_source, panel_code
from app.digits.messages import Draw, parse
from app.digits.model import summary
from app.digits.session import DigitsSession, build_run
from app.digits.settings import DigitsSettings, Limits, merge
from app.digits.sources import locate
from app.digits.store import Dataset, load
from app.digits.views import confusion, gallery, weight_images
from app.playground.errors import ProtocolError


@pytest.fixture(scope="module")
def sample() -> Dataset:
    located = locate("sample", None)
    assert located is not None
    return load(located)


# -- settings ---------------------------------------------------------------------------------


def test_the_defaults_are_the_articles_model() -> None:
    s = DigitsSettings()
    assert s.layer_sizes == [784, 10, 10] and s.activations == ["sigmoid", "softmax"]
    assert (s.optimizer, s.learning_rate, s.batch_size, s.epochs) == ("sgd", 0.01, 100, 5)
    assert s.params == 7850 + 110  # Dense(10) on 784 inputs, then Dense(10) on 10


@pytest.mark.parametrize(
    ("patch", "field", "words"),
    [
        (
            {"layers": [{"units": 10, "activation": "swish"}]},
            "settings.layers.0.activation",
            "swish",
        ),
        ({"layers": [{"units": 0}]}, "settings.layers.0.units", "greater than or equal to 1"),
        ({"layers": [{"units": 8}] * 4}, "settings.layers", "at most 3"),
        ({"optimizer": "lbfgs"}, "settings.optimizer", "valid: sgd, rmsprop"),
        ({"initializer": "playground"}, "settings.initializer", "unknown initializer"),
        ({"data": "cifar"}, "settings.data", "valid: sample, mnist, fashion"),
        ({"validation_split": 0.9}, "settings.validation_split", "less than or equal to 0.5"),
        ({"learning_rate": math.inf}, "settings.learning_rate", ""),
        ({"colour": "blue"}, "settings.colour", "Extra inputs"),
    ],
)
def test_bad_settings_are_typed_errors_naming_the_field(
    patch: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ProtocolError) as caught:
        merge(DigitsSettings(), patch)
    assert caught.value.code == "invalid_message" and caught.value.field == field
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("patch", "field", "words"),
    [
        ({"layers": [{"units": 600}]}, "settings.layers", "at most 512 units"),
        ({"layers": [{"units": 500}, {"units": 500}]}, "settings.layers", "648,010 parameters"),
        ({"train_images": 30000}, "settings.train_images", "at most 20,000 training images"),
    ],
)
def test_the_servers_caps_refuse_bigger_models_and_data(
    patch: dict[str, object], field: str, words: str
) -> None:
    limits = Limits(max_units=512, max_params=500_000, max_train_images=20_000)
    with pytest.raises(ProtocolError) as caught:
        limits.check(merge(DigitsSettings(), patch))
    assert caught.value.field == field and words in caught.value.message


def test_a_session_apart_from_its_settings_keeps_its_limits(sample: Dataset) -> None:
    limits = Limits(max_train_images=1000, max_test_images=200)
    session = DigitsSession(build_run(DigitsSettings(seed=1), sample, limits, 0), limits)
    data = session.loop.data
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (1000, 0, 200)
    session.apply_live(merge(session.settings, {"learning_rate": 0.5, "batch_size": 10}))
    assert session.run.optimizer.learning_rate == 0.5 and session.loop.batch_size == 10
    assert session.needs_new_run(merge(session.settings, {"validation_split": 0.1}))
    assert not session.needs_new_run(merge(session.settings, {"precision": "float32"}))


def test_the_same_seed_gives_the_same_first_weights_and_a_reset_new_ones(sample: Dataset) -> None:
    s, limits = DigitsSettings(seed=9), Limits()
    first, again = build_run(s, sample, limits, 0), build_run(s, sample, limits, 0)
    reset = build_run(s, sample, limits, 1)
    assert np.array_equal(first.stack.params.flat, again.stack.params.flat)
    assert not np.array_equal(first.stack.params.flat, reset.stack.params.flat)


# -- the Keras code ---------------------------------------------------------------------------


def test_the_articles_model_reads_as_the_article_writes_it() -> None:
    code = panel_code(DigitsSettings())
    assert code["model"][1:] == [
        "model = keras.Sequential([",
        "    keras.Input(shape=(784,)),",
        '    keras.layers.Dense(10, activation="sigmoid"),',
        '    keras.layers.Dense(10, activation="softmax"),',
        "])",
    ]
    assert "set_floatx" in code["model"][0]
    assert code["compile"][2] == '    optimizer="sgd",'
    assert code["fit"] == ["history = model.fit(x_train, y_train, epochs=5, batch_size=100)"]


@pytest.mark.parametrize(
    ("patch", "source"),
    [
        ({"optimizer": "adam", "learning_rate": 0.001}, '"adam"'),
        ({"learning_rate": 1.0}, "keras.optimizers.SGD(learning_rate=1.0)"),
        (
            {"optimizer_options": {"momentum": 0.9, "nesterov": True}},
            "keras.optimizers.SGD(momentum=0.9, nesterov=True)",
        ),
        (
            {"learning_rate": 0.1, "optimizer_options": {"decay": 0.01}},
            "keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay("
            "0.1, decay_steps=1, decay_rate=0.01))",
        ),
        (
            {"optimizer": "rmsprop", "learning_rate": 0.001, "optimizer_options": {"rho": 0.8}},
            "keras.optimizers.RMSprop(rho=0.8)",
        ),
    ],
)
def test_the_optimizer_is_written_with_what_differs_from_keras(
    patch: dict[str, object], source: str
) -> None:
    assert optimizer_source(merge(DigitsSettings(), patch)) == source


def test_summary_rows_are_model_summarys() -> None:
    s = merge(DigitsSettings(), {"layers": [{"units": 512, "activation": "relu"}]})
    rows = summary(s)
    assert [(r.name, r.units, r.params) for r in rows] == [
        ("dense", 512, 401920),
        ("dense_1", 10, 5130),
    ]
    assert s.params == 407050  # what Keras prints for the article's 512-unit model
    fit = panel_code(merge(s, {"validation_split": 0.1, "shuffle": False}))["fit"][0]
    assert fit.endswith("batch_size=100, validation_split=0.1, shuffle=False)")


# -- a drawn digit ----------------------------------------------------------------------------


def test_resampling_averages_areas() -> None:
    assert resample_matrix(4, 2).tolist() == [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]]
    assert np.allclose(resample_matrix(7, 20).sum(axis=1), 1.0)


def test_a_drawing_is_cropped_scaled_to_20_pixels_and_centred_by_mass() -> None:
    drawing = np.zeros((28, 28), dtype=np.uint8)
    drawing[1:9, 2:5] = 255  # a small stroke in the top left corner, 8 tall and 3 wide
    image = mnist_style(drawing)
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    assert rows[-1] - rows[0] + 1 == 20 and cols[-1] - cols[0] + 1 in (7, 8)  # aspect kept
    cy, cx = centre_of_mass(image.astype(float))
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    assert image.max() == 255


def test_mnist_digits_come_back_nearly_as_they_were(sample: Dataset) -> None:
    """MNIST digits already are what mnist_style makes: it changes them little."""
    for image in sample.x_test[:50]:
        again = mnist_style(image.reshape(28, 28)).astype(float).ravel()
        assert np.corrcoef(again, image.astype(float))[0, 1] > 0.8


def test_where_and_how_big_a_digit_is_drawn_does_not_matter() -> None:
    small = np.zeros((28, 28), dtype=np.uint8)
    small[3:13, 4:8] = 200  # a 10 x 4 bar, top left
    big = np.zeros((28, 28), dtype=np.uint8)
    big[6:26, 12:20] = 255  # a 20 x 8 bar, lower right
    assert np.abs(mnist_style(small).astype(int) - mnist_style(big).astype(int)).max() <= 1
    assert not mnist_style(np.zeros((28, 28), dtype=np.uint8)).any()


# -- what the page shows ----------------------------------------------------------------------


def test_weight_pictures_scale_each_unit_by_its_largest_weight() -> None:
    W = np.zeros((784, 3))
    W[:3, 0] = [-2.0, 0.0, 1.0]
    W[:2, 2] = [0.001, -0.004]
    images = weight_images(W, 0, 3)
    assert images.shape == (3, 784) and images.dtype == np.uint8
    assert images[0, :3].tolist() == [0, 128, 191]
    assert images[1].tolist() == [128] * 784  # all zero: the neutral shade
    assert images[2, :2].tolist() == [159, 0]  # tiny weights still use the whole range


def test_confusion_and_gallery_show_the_most_confident_mistakes() -> None:
    p = np.full((5, 10), 0.01, dtype=np.float32)
    answers = [3, 3, 7, 1, 3]
    confidence = [0.5, 0.9, 0.6, 0.8, 0.7]
    for i, (a, c) in enumerate(zip(answers, confidence, strict=True)):
        p[i, a] = c
    p[0, 8] = 0.3  # the runner-up of the first image
    labels = np.array([3, 8, 7, 2, 5], dtype=np.uint8)
    images = np.arange(5 * 784, dtype=np.uint32).astype(np.uint8).reshape(5, 784)
    matrix = confusion(p, labels)
    assert sum(map(sum, matrix)) == 5 and matrix[8][3] == 1 and matrix[3][3] == 1
    items = gallery(p, labels, images)
    assert [i["index"] for i in items] == [1, 3, 4]  # wrong ones, most confident first
    assert items[0]["top"][0] == [3, pytest.approx(0.9)] and items[0]["label"] == 8
    assert base64.b64decode(items[2]["image"]) == images[4].tobytes()
    assert [i["index"] for i in gallery(p, labels, images, true=2, answer=1)] == [3]
    assert gallery(p, labels, images, answer=7) == []


def test_a_frame_decodes_to_what_was_encoded() -> None:
    images = np.arange(3 * 784).astype(np.uint8).reshape(3, 784)
    probabilities = np.linspace(0, 1, 10)
    drawn = np.arange(784).astype(np.uint8)
    frame = Frame(
        seq=7,
        epoch=3,
        progress=0.25,
        playing=True,
        running=(0.5, 0.75),
        estimate=(12.0, 3.5),
        points=[(3.1, 0.4, 0.9), (3.2, 0.3, 1.0), (3.25, 0.2, 0.5)],
        neurons=(64, 512, images),
        drawing=(probabilities, drawn),
    )
    data = build_frame(frame)
    assert len(data) % 8 == 0
    back = decode_frame(data)
    assert (back.seq, back.epoch, back.progress, back.playing) == (7, 3, 0.25, True)
    assert back.running == (0.5, 0.75) and back.estimate == (12.0, 3.5)
    assert np.allclose(back.points, frame.points)
    assert back.neurons is not None and back.neurons[:2] == (64, 512)
    assert np.array_equal(back.neurons[2], images)
    assert back.drawing is not None and np.allclose(back.drawing[0], probabilities)
    assert np.array_equal(back.drawing[1], drawn)
    bare = decode_frame(build_frame(Frame(seq=1, epoch=0, progress=0.0)))
    assert bare.points == [] and bare.neurons is None and bare.running is None


# -- client messages --------------------------------------------------------------------------


def test_a_drawing_is_784_bytes_of_base64() -> None:
    pixels = base64.b64encode(bytes(range(256)) * 3 + bytes(16)).decode()
    message = parse(f'{{"type": "draw", "pixels": "{pixels}"}}')
    assert isinstance(message, Draw) and len(message.grid) == 784
    assert len(pixels) < 1100  # well under any message cap
    for bad, words in [
        (base64.b64encode(bytes(783)).decode(), "783 bytes"),
        ("not base64!", "not base64"),
        ("A" * 2000, "at most 1100 characters"),
    ]:
        with pytest.raises(ProtocolError) as caught:
            parse(f'{{"type": "draw", "pixels": "{bad}"}}')
        assert caught.value.field == "draw.pixels" and words in caught.value.message


def test_unknown_and_malformed_messages_are_typed_errors() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse('{"type": "set_weight"}')
    assert caught.value.code == "invalid_message" and "valid: hello, set" in caught.value.message
    with pytest.raises(ProtocolError) as caught:
        parse("{not json")
    assert caught.value.code == "invalid_json"
    with pytest.raises(ProtocolError) as caught:
        parse('{"type": "neurons", "first": 5000}')
    assert caught.value.field == "neurons.first"


def test_the_golden_frame_is_what_the_encoder_writes_today() -> None:
    """tests/golden/digits-frame-v1.* (scripts/golden_digits_frame.py): the JS decoder's test
    reads the same bytes (tests/js/digits.test.mjs)."""
    golden = Path(__file__).resolve().parents[1] / "golden"
    blob = (golden / "digits-frame-v1.bin").read_bytes()
    expected = json.loads((golden / "digits-frame-v1.json").read_text())
    frame = decode_frame(blob)
    assert len(blob) == expected["length"]
    assert (frame.seq, frame.epoch, frame.progress) == (42, 2, 0.75)
    assert np.array_equal(np.ravel(frame.points), expected["points"])
    assert frame.neurons is not None and frame.drawing is not None
    assert frame.neurons[2].ravel().tolist() == expected["neurons"]["pixels"]
    assert frame.drawing[0].tolist() == expected["probabilities"]
    assert build_frame(frame) == blob  # the committed bytes are not stale
