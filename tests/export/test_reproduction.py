"""The exported Keras and PyTorch scripts, run for real, print the engine's per-epoch losses.

Needs keras and torch in the venv (the `export` extra, which scripts/test installs); skipped
without them, except under CI=true, where it runs and fails if they are missing.
Every generated script is written to disk and run as __main__ in one interpreter per
framework (startup dominates: keras+torch import in ~4 s, a run takes 1–4 s), both
frameworks in parallel. One script per framework is also run on its own, as `python` would
run it.
The settings avoid what Keras cannot reproduce (carried-over batches, L1 dead links): the
test checks that no caveat applies to any of them.
"""

import dataclasses
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.engine import OPTIMIZERS
from app.export import (
    RunRecord,
    engine_history,
    keras_script,
    pytorch_script,
    reproduction_caveats,
)
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings
from app.protocol.downloads import run_record
from tests.support.scripts import losses, run_scripts

MISSING = [name for name in ("keras", "torch") if importlib.util.find_spec(name) is None]
pytestmark = [
    pytest.mark.export,
    pytest.mark.timeout(600),
    # CI installs the `export` extra (scripts/test), so there a missing framework is a failure.
    pytest.mark.skipif(
        bool(MISSING) and not os.environ.get("CI"),
        reason=f"needs {MISSING}: pip install -e '.[export]'",
    ),
]

SCRIPTS = {"keras": keras_script, "pytorch": pytorch_script}
EPOCHS = 8
TOLERANCE = 1e-4  # relative, per epoch, on the training and the test loss

CONFIGS: dict[str, dict[str, Any]] = {
    "sgd plain, playground loss, L2": {"regularization": "L2", "regularization_rate": 0.003},
    "sgd momentum nesterov decay, mse, L1": {
        "optimizer": "sgd",
        "learning_rate": 0.05,
        "optimizer_options": {"momentum": 0.9, "nesterov": True, "decay": 0.01},
        "loss": "mse",
        "regularization": "L1",
        "regularization_rate": 0.001,
    },
    "rmsprop centered momentum, bce, L2, shuffle": {
        "optimizer": "rmsprop",
        "learning_rate": 0.01,
        "optimizer_options": {"centered": True, "momentum": 0.5},
        "loss": "binary_crossentropy",
        "regularization": "L2",
        "regularization_rate": 0.001,
        "shuffle": True,
    },
    "adagrad, relu, L1, four inputs": {
        "optimizer": "adagrad",
        "learning_rate": 0.1,
        "activation": "relu",
        "initializer": "he_uniform",
        "features": ["x", "y", "xSquared", "ySquared"],
        "regularization": "L1",
        "regularization_rate": 0.001,
    },
    "adadelta, sigmoid, mse, shuffle": {
        "optimizer": "adadelta",
        "learning_rate": 1.0,
        "activation": "sigmoid",
        "loss": "mse",
        "shuffle": True,
    },
    "adam amsgrad, bce, L1, shuffle": {
        "optimizer": "adam",
        "learning_rate": 0.03,
        "optimizer_options": {"amsgrad": True},
        "loss": "binary_crossentropy",
        "regularization": "L1",
        "regularization_rate": 0.001,
        "shuffle": True,
    },
    "adamax, regression, L2": {
        "problem": "regression",
        "optimizer": "adamax",
        "learning_rate": 0.01,
        "regularization": "L2",
        "regularization_rate": 0.001,
    },
    "nadam, three classes, shuffle": {
        "dataset": "blobs3",
        "optimizer": "nadam",
        "learning_rate": 0.01,
        "activation": "relu",
        "initializer": "glorot_uniform",
        "network_shape": [6, 3],
        "shuffle": True,
    },
    "adagrad accumulator from 0, mse": {
        "optimizer": "adagrad",
        "learning_rate": 0.01,
        "optimizer_options": {"initial_accumulator_value": 0.0},
        "loss": "mse",
    },
    "adamax epsilon 1e-3": {
        "optimizer": "adamax",
        "learning_rate": 0.01,
        "optimizer_options": {"epsilon": 1e-3},
    },
}


def record_for(patch: dict[str, Any]) -> RunRecord:
    """What the server exports for a fresh session with these settings, EPOCHS epochs long."""
    session = Session(merge_settings(PlaygroundSettings(), {"seed": "reproduce", **patch}))
    return dataclasses.replace(run_record(session), epochs=EPOCHS)


@pytest.fixture(scope="module")
def records() -> dict[str, RunRecord]:
    return {name: record_for(patch) for name, patch in CONFIGS.items()}


def script_env() -> dict[str, str]:
    # No KERAS_BACKEND from outside: the scripts must choose torch themselves.
    return {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}


@pytest.fixture(scope="module")
def printed(records: dict[str, RunRecord], tmp_path_factory: Any) -> dict[tuple[str, str], str]:
    """What every script printed, keyed by (framework, config): one interpreter per framework,
    the two running in parallel."""
    scripts = {
        (framework, name): generate(record)
        for framework, generate in SCRIPTS.items()
        for name, record in records.items()
    }
    return run_scripts(scripts, tmp_path_factory.mktemp("scripts"), script_env(), timeout=500)


def parse(text: str) -> list[tuple[float, float]]:
    return losses(text)


def test_configs_cover_every_optimizer_loss_and_regularizer_without_caveats(
    records: dict[str, RunRecord],
) -> None:
    settings = [r.settings for r in records.values()]
    assert {s.optimizer for s in settings} == set(OPTIMIZERS)
    assert {s.loss for s in settings} >= {"playground", "mse", "binary_crossentropy"}
    assert {s.regularization for s in settings} >= {"L1", "L2"}
    assert any(s.shuffle for s in settings) and any(s.mode == "playground" for s in settings)
    assert all(reproduction_caveats(r) == [] for r in records.values())


@pytest.mark.parametrize("framework", SCRIPTS)
@pytest.mark.parametrize("config", CONFIGS)
def test_script_prints_the_engines_losses(
    printed: dict[tuple[str, str], str],
    records: dict[str, RunRecord],
    framework: str,
    config: str,
) -> None:
    got = parse(printed[framework, config])
    expected = engine_history(records[config])
    assert len(got) == len(expected) == EPOCHS
    for epoch, (pair, want) in enumerate(zip(got, expected, strict=True), start=1):
        assert pair == pytest.approx(want, rel=TOLERANCE), f"epoch {epoch}"


@pytest.mark.parametrize("framework", SCRIPTS)
def test_a_script_runs_standalone(
    printed: dict[tuple[str, str], str],
    records: dict[str, RunRecord],
    framework: str,
    tmp_path: Path,
) -> None:
    config = "nadam, three classes, shuffle"
    path = tmp_path / "reproduce.py"
    path.write_text(SCRIPTS[framework](records[config]))
    run = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=script_env(),
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert parse(run.stdout) == parse(printed[framework, config])
