"""The "Keras script" download: idiomatic Keras 3 a student can read, run on any backend.

Checked here without Keras: it is valid Python with compile() and fit(), no private Keras
module and no forced backend, and its header names each way it parts from the page's run.
tests/export/test_student_script.py runs it for real. Also: which settings each download
starts from (the JSON keeps today's, scripts the run's first).
"""

import ast
import dataclasses
import json
from typing import Any

from app.export import keras_student_script
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings
from app.protocol.downloads import export_message, run_record
from tests.support.training import train


def session_for(**patch: Any) -> Session:
    return Session(merge_settings(PlaygroundSettings(), {"seed": "student", **patch}))


def calls(source: str) -> set[str]:
    """Names of every attribute call in the source, e.g. {"compile", "fit", ...}."""
    tree = ast.parse(source)
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }


def test_it_is_plain_keras_with_compile_and_fit() -> None:
    source = export_message(session_for(), "keras")["content"]
    assert {"compile", "fit", "set_weights", "Sequential"} <= calls(source)
    assert "keras.src" not in source
    # It never overrides a backend: KERAS_BACKEND is set only where the user left it unset
    # and Keras's default (TensorFlow) is not installed.
    unset = 'if "KERAS_BACKEND" not in os.environ and importlib.util.find_spec("tensorflow")'
    assert unset in source
    assert source.count("KERAS_BACKEND") == 2
    assert "train_on_batch" not in source
    start = source.index("    model.fit(\n")
    fit = source[start : source.index("\n    )", start)]
    assert "batch_size=BATCH_SIZE" in fit and "epochs=EPOCHS" in fit


def test_the_playground_loss_is_a_named_python_function() -> None:
    source = export_message(session_for(), "keras")["content"]
    tree = ast.parse(source)
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "half_squared_error" in names
    assert "loss=half_squared_error)" in source and "½·mse" not in source


def test_a_run_at_epoch_zero_gets_a_default_epoch_count_and_says_so() -> None:
    source = export_message(session_for(), "keras")["content"]
    assert "EPOCHS = 100  #" in source and "EPOCHS is set to 100" in source
    trained = session_for()
    train(trained, 7)
    assert "EPOCHS = 7\n" in export_message(trained, "keras")["content"]


def test_the_header_names_each_difference_that_applies() -> None:
    plain = keras_student_script(run_record(session_for()))
    assert "float32" in plain and "Keras exact replay" in plain
    assert "short batch" not in plain and "kills a link" not in plain
    quirky = session_for(batch_size=7, regularization="L1", regularization_rate=0.01)
    train(quirky, 2)
    quirky.set_weight(0, 0, 0, 0.5)
    train(quirky, 1)
    text = " ".join(keras_student_script(run_record(quirky)).split())
    assert "the last 5 samples of each epoch a short batch" in text  # 250 = 35·7 + 5
    assert "kills a link" in text and "not in this script" in text


def test_the_student_script_never_claims_a_replay() -> None:
    record = dataclasses.replace(run_record(session_for()), epochs=3)
    header = keras_student_script(record).split('"""')[1]
    assert "model.fit" in header and "replays the same" not in header


def test_the_json_export_keeps_todays_settings_while_scripts_start_where_the_run_began() -> None:
    session = session_for()
    train(session, 2)
    session.apply({"learning_rate": 0.1})
    session.regenerate()
    document = json.loads(export_message(session, "json")["content"])
    assert document["settings"]["learning_rate"] == 0.1
    assert document["settings"]["seed"] == session.settings.seed != "student"
    replay = export_message(session, "keras_replay")["content"]
    assert "LEARNING_RATE = 0.03\n" in replay and "seed 'student'" in replay
