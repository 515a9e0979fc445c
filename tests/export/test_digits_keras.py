"""The digits workspace is Keras-exact: the same initial weights and batch order give real
Keras's per-epoch loss, accuracy, val_loss and val_accuracy to 1e-9 (docs/digits.md).

Keras runs on torch in float64 (floatx float64 and the float64 promotion patch that the
exported scripts use, app/export/keras_script.py), in its own interpreter: it builds the
model with the session's initial weights, compiles it with the optimizer the panel shows
(app/digits/keras_code.py), and for each epoch calls `model.fit(x[order], y[order],
batch_size, epochs=1, shuffle=False, validation_data=...)` with the session's own
shuffled order, then `model.evaluate` on the test rows. Needs the `export` extra; skipped
without it, except under CI=true, where it must run.
"""

import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.digits.export import keras_script
from app.digits.keras_code import optimizer_source
from app.digits.results import EpochResult
from app.digits.session import DigitsSession, build_run
from app.digits.settings import DigitsSettings, Limits, merge
from app.digits.sources import SAMPLE_FILE, locate
from app.digits.store import load
from app.engine import OPTIMIZERS
from tests.support.scripts import export_marks

pytestmark = export_marks(600)

EPOCHS = 3
TOLERANCE = 1e-9  # relative to max(1, |value|), per epoch and metric
LIMITS = Limits(max_train_images=600, max_test_images=300)
CONFIGS: dict[str, dict[str, Any]] = {
    "the article: sigmoid 10, sgd, validation 0.1": {
        "layers": [{"units": 10, "activation": "sigmoid"}],
        "validation_split": 0.1,
    },
    "relu 64-32, adam amsgrad, batch 64 (short last batch)": {
        "layers": [{"units": 64, "activation": "relu"}, {"units": 32, "activation": "relu"}],
        "optimizer": "adam",
        "learning_rate": 0.003,
        "optimizer_options": {"amsgrad": True},
        "batch_size": 64,
        "validation_split": 0.2,
    },
    "tanh 24 + linear 12, rmsprop centered momentum, he_normal": {
        "layers": [{"units": 24, "activation": "tanh"}, {"units": 12, "activation": "linear"}],
        "optimizer": "rmsprop",
        "optimizer_options": {"centered": True, "momentum": 0.5},
        "initializer": "he_normal",
        "batch_size": 32,
    },
    "no hidden layer, nadam, no shuffle, lecun_uniform": {
        "layers": [],
        "optimizer": "nadam",
        "learning_rate": 0.002,
        "initializer": "lecun_uniform",
        "shuffle": False,
        "validation_split": 0.1,
    },
    "three layers, sgd nesterov with decay, glorot_normal": {
        "layers": [
            {"units": 40, "activation": "relu"},
            {"units": 20, "activation": "sigmoid"},
            {"units": 16, "activation": "tanh"},
        ],
        "learning_rate": 0.05,
        "optimizer_options": {"momentum": 0.9, "nesterov": True, "decay": 0.01},
        "initializer": "glorot_normal",
        "batch_size": 50,
    },
    "relu 30, adagrad, batch 7": {
        "layers": [{"units": 30, "activation": "relu"}],
        "optimizer": "adagrad",
        "learning_rate": 0.05,
        "batch_size": 7,
        "validation_split": 0.05,
    },
    "sigmoid 20, adadelta at 1.0": {
        "layers": [{"units": 20, "activation": "sigmoid"}],
        "optimizer": "adadelta",
        "learning_rate": 1.0,
        "batch_size": 100,
    },
    "relu 16, adamax, random_uniform": {
        "layers": [{"units": 16, "activation": "relu"}],
        "optimizer": "adamax",
        "learning_rate": 0.01,
        "initializer": "random_uniform",
        "batch_size": 40,
        "validation_split": 0.25,
    },
}

SCRIPT = r"""
import json, sys
import numpy as np
import torch
torch.set_num_threads(1)
import keras
from keras.src.backend.common import dtypes

keras.config.set_floatx("float64")
dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"  # as the exported scripts do

results = {}
for name, job in json.load(open(sys.argv[1])).items():
    d = np.load(job["arrays"])
    x = lambda key: d[key].astype("float64") / 255.0
    y = lambda key: np.eye(10)[d[key]]
    layers = [keras.Input(shape=(784,))]
    layers += [keras.layers.Dense(u, activation=a) for u, a in job["layers"]]
    layers.append(keras.layers.Dense(10, activation="softmax"))
    model = keras.Sequential(layers)
    model.set_weights([d[f"w{i}"] for i in range(job["weights"])])
    model.compile(loss="categorical_crossentropy", optimizer=eval(job["optimizer"]),
                  metrics=["accuracy"])
    X, Y, T = x("x_train"), y("y_train"), (x("x_test"), y("y_test"))
    val = (x("x_val"), y("y_val")) if job["validation"] else None
    rows = []
    for order in d["orders"]:
        h = model.fit(X[order], Y[order], batch_size=job["batch_size"], epochs=1,
                      shuffle=False, validation_data=val, verbose=0).history
        test = model.evaluate(*T, batch_size=job["batch_size"], verbose=0)
        rows.append({k: v[0] for k, v in h.items()} | {"test_loss": test[0],
                                                       "test_accuracy": test[1]})
    results[name] = rows
print(json.dumps(results))
"""


def train(
    patch: dict[str, Any],
) -> tuple[DigitsSession, list[np.ndarray], list[EpochResult], list[np.ndarray]]:
    """A session of these settings (on 600 of the built-in digits), trained EPOCHS epochs
    one at a time; its initial weights, its epochs and each epoch's order of the rows."""
    settings = merge(DigitsSettings(train_images=600, seed=25), patch)
    data = load(locate("sample", None))
    session = DigitsSession(build_run(settings, data, LIMITS, 0), LIMITS)
    initial = session.run.stack.get_weights()
    orders = []
    while len(session.history) < EPOCHS:
        session.work(math.inf, train=True, to_epoch_end=True)
        assert session.loop.order is not None
        orders.append(session.loop.order.copy())
    return session, initial, session.history, orders


def job(name: str, patch: dict[str, Any], folder: Path) -> tuple[dict[str, Any], list[EpochResult]]:
    session, initial, history, orders = train(patch)
    data = session.loop.data
    arrays = folder / f"{len(list(folder.iterdir()))}.npz"
    weights = {f"w{i}": w for i, w in enumerate(initial)}
    np.savez(
        arrays,
        x_train=data.x_train,
        y_train=data.y_train,
        x_val=data.x_val,
        y_val=data.y_val,
        x_test=data.x_test,
        y_test=data.y_test,
        orders=np.array(orders),
        **weights,
    )
    s = session.settings
    spec = {
        "arrays": str(arrays),
        "layers": [[layer.units, layer.activation] for layer in s.layers],
        "weights": len(weights),
        "optimizer": optimizer_source(s),
        "batch_size": s.batch_size,
        "validation": len(data.x_val) > 0,
    }
    return spec, history


@pytest.fixture(scope="module")
def compared(tmp_path_factory: Any) -> dict[str, tuple[list[EpochResult], list[dict[str, float]]]]:
    folder = tmp_path_factory.mktemp("digits_keras")
    jobs, ours = {}, {}
    for name, patch in CONFIGS.items():
        jobs[name], ours[name] = job(name, patch, folder)
    (folder / "jobs.json").write_text(json.dumps(jobs))
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"} | {"KERAS_BACKEND": "torch"}
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder / "jobs.json")],
        capture_output=True,
        text=True,
        timeout=500,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    keras = json.loads(run.stdout.splitlines()[-1])
    print(f"keras ran {len(CONFIGS)} configs in {time.monotonic() - started:.1f} s")
    return {name: (ours[name], keras[name]) for name in CONFIGS}


def test_the_configs_cover_every_optimizer_activation_and_a_short_batch() -> None:
    settings = [merge(DigitsSettings(), patch) for patch in CONFIGS.values()]
    assert {s.optimizer for s in settings} == set(OPTIMIZERS)
    assert {layer.activation for s in settings for layer in s.layers} == {
        "relu",
        "tanh",
        "sigmoid",
        "linear",
    }
    assert {len(s.layers) for s in settings} == {0, 1, 2, 3}
    assert any(540 % s.batch_size for s in settings if s.validation_split == 0.1)


@pytest.mark.parametrize("config", CONFIGS)
def test_every_epoch_equals_keras_to_1e_9(
    compared: dict[str, tuple[list[EpochResult], list[dict[str, float]]]], config: str
) -> None:
    ours, keras = compared[config]
    assert len(ours) == len(keras) == EPOCHS
    for mine, theirs in zip(ours, keras, strict=True):
        expected = {"loss": mine.loss, "accuracy": mine.accuracy}
        expected |= {"test_loss": mine.test_loss, "test_accuracy": mine.test_accuracy}
        if mine.val_loss is not None:
            expected |= {"val_loss": mine.val_loss, "val_accuracy": mine.val_accuracy}
        assert set(theirs) == set(expected), (theirs, expected)
        for metric, value in expected.items():
            assert value is not None
            gap = abs(value - theirs[metric]) / max(1.0, abs(theirs[metric]))
            assert gap <= TOLERANCE, f"epoch {mine.epoch} {metric}: {value} vs {theirs[metric]}"


def test_the_exported_script_loads_the_same_data_and_trains_the_panels_model(
    tmp_path: Path,
) -> None:
    """The readable script (app/digits/export.py), run as a student would: beside the
    sample it was told to download, on Keras's default backend choice of the script."""
    settings = merge(DigitsSettings(), {"epochs": 2, "train_images": 1000, "validation_split": 0.1})
    script = tmp_path / "digits.py"
    script.write_text(keras_script(settings))
    shutil.copy(SAMPLE_FILE, tmp_path / SAMPLE_FILE.name)
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Total params: 7,960" in run.stdout  # model.summary(), as the panel counts
    assert "900/900" not in run.stdout and "9/9" in run.stdout  # 900 training rows, batch 100
    accuracy = float(run.stdout.split("test accuracy ")[-1].split()[0])
    assert 0.0 <= accuracy <= 1.0
