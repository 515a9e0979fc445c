"""Exported scripts and JSON, without Keras or PyTorch: what the scripts say, not how they run.

The scripts are compiled, searched for the calls the rules require (docs/keras-rules.md,
the playground → Keras mapping of regularizers and losses), and their pure-NumPy parts (data,
batch order, display loss) are executed. tests/export/test_reproduction.py runs them for real.
"""

import ast
import dataclasses
import json
import math
import re
from typing import Any

import numpy as np
import pytest

from app.engine import OPTIMIZERS
from app.export import (
    FORMAT,
    RunRecord,
    engine_history,
    engine_losses,
    export_json,
    keras_script,
    parse_json,
    pytorch_script,
)
from app.export.replay_source import REPLAY_SOURCE, replay_constants
from app.export.script_parts import DATA_BEGIN, DATA_END, order_and_loss_source
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings
from app.protocol.downloads import export_message, run_record
from tests.support.training import train

SCRIPTS = {"keras": keras_script, "pytorch": pytorch_script}


def new_session(**patch: Any) -> Session:
    return Session(merge_settings(PlaygroundSettings(), {"seed": "export", **patch}))


def make_record(epochs: int = 3, **patch: Any) -> RunRecord:
    """The record the server exports for a fresh session, as if `epochs` had been trained."""
    return dataclasses.replace(run_record(new_session(**patch)), epochs=epochs)


# ---- the engine's replay is the session's run ----


@pytest.mark.parametrize(
    "patch",
    [
        {},
        {"batch_size": 7, "regularization": "L1", "regularization_rate": 0.01},
        {"optimizer": "adam", "shuffle": True, "initializer": "he_uniform", "activation": "relu"},
        {"loss": "binary_crossentropy", "optimizer": "rmsprop", "regularization": "L2"},
        {"dataset": "blobs3", "optimizer": "nadam", "shuffle": True},
        {"problem": "regression", "loss": "mse", "features": ["x", "y", "sinX"]},
    ],
)
def test_engine_history_is_what_the_session_displays(patch: dict[str, Any]) -> None:
    session = new_session(**patch)
    shown = []
    for _ in range(4):
        train(session, 1)
        shown.append(session.losses())
    record = run_record(session)  # what the server exports after those four epochs
    assert record.epochs == 4 and record.caveats == ()
    assert engine_history(record) == shown
    assert engine_losses(record) == [train for train, _ in shown]


def test_record_refuses_weights_that_do_not_fit_the_network() -> None:
    record = make_record()
    with pytest.raises(ValueError, match="initial_weights shapes"):
        dataclasses.replace(record, initial_weights=record.initial_weights[:-1])


def test_record_refuses_targets_of_the_wrong_width() -> None:
    record = make_record()
    with pytest.raises(ValueError, match=r"y \(n, 1\)"):
        dataclasses.replace(record, ytr=np.zeros((len(record.Ftr), 2)))


def test_record_of_a_shuffled_run_needs_the_generator_state() -> None:
    record = make_record(shuffle=True, optimizer="adam")
    with pytest.raises(ValueError, match="shuffle generator"):
        dataclasses.replace(record, shuffle_state=None)


# ---- scripts: they compile and say the right things ----

OPTIONS = {
    "sgd": {"momentum": 0.9, "nesterov": True},
    "rmsprop": {"rho": 0.8, "centered": True},
    "adagrad": {"initial_accumulator_value": 0.2},
    "adadelta": {"rho": 0.9},
    "adam": {"beta_1": 0.8, "amsgrad": True},
    "adamax": {"beta_2": 0.99},
    "nadam": {"beta_1": 0.85},
}
# Keras 3 class names and keyword names, from docs/keras-rules.md.
KERAS_CALLS = {
    "sgd": "keras.optimizers.SGD(learning_rate=0.03, momentum=0.9, nesterov=True)",
    "rmsprop": "keras.optimizers.RMSprop(learning_rate=0.03, rho=0.8, momentum=0.0, "
    "epsilon=1e-07, centered=True)",
    "adagrad": "keras.optimizers.Adagrad(learning_rate=0.03, initial_accumulator_value=0.2, "
    "epsilon=1e-07)",
    "adadelta": "keras.optimizers.Adadelta(learning_rate=0.03, rho=0.9, epsilon=1e-07)",
    "adam": "keras.optimizers.Adam(learning_rate=0.03, beta_1=0.8, beta_2=0.999, "
    "epsilon=1e-07, amsgrad=True)",
    "adamax": "keras.optimizers.Adamax(learning_rate=0.03, beta_1=0.9, beta_2=0.99, epsilon=1e-07)",
    "nadam": "keras.optimizers.Nadam(learning_rate=0.03, beta_1=0.85, beta_2=0.999, epsilon=1e-07)",
}
# torch.optim where its rule equals Keras's; Keras's rule written out where it cannot.
TORCH_CALLS = {
    "sgd": ["torch.optim.SGD(params, lr=0.03, momentum=0.9, nesterov=True)"],
    "rmsprop": ["KerasRule(params, lr=0.03)", "RHO = 0.8", "CENTERED = True", "s + EPSILON"],
    "adagrad": ["KerasRule(params, lr=0.03)", "INITIAL_ACCUMULATOR_VALUE = 0.2", "acc + EPSILON"],
    "adadelta": ["torch.optim.Adadelta(params, lr=0.03, rho=0.9, eps=1e-07)"],
    "adam": [
        "KerasAdam(params, lr=0.03, betas=(0.8, 0.999), eps=1e-07, amsgrad=True)",
        "class KerasAdam(torch.optim.Adam)",
        'self.keras_eps / (1 - group["betas"][1] ** self.t) ** 0.5',
    ],
    "adamax": ["KerasRule(params, lr=0.03)", "BETA_2 = 0.99", "(u + EPSILON)"],
    "nadam": [
        "torch.optim.NAdam(params, lr=0.03, betas=(0.85, 0.999), eps=1e-07, momentum_decay=1.0)"
    ],
}


def squeezed(source: str) -> str:
    """Source without whitespace or trailing commas, to compare calls however they wrap."""
    return re.sub(r"\s+", "", source).replace(",)", ")")


def test_every_registered_optimizer_has_a_case_here() -> None:
    assert set(OPTIONS) == set(KERAS_CALLS) == set(TORCH_CALLS) == set(OPTIMIZERS)


@pytest.mark.parametrize("framework", SCRIPTS)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_scripts_compile_for_every_optimizer(optimizer: str, framework: str) -> None:
    source = SCRIPTS[framework](
        make_record(optimizer=optimizer, optimizer_options=OPTIONS[optimizer])
    )
    compile(source, f"{framework}_{optimizer}.py", "exec")


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_keras_script_builds_the_keras_optimizer_with_every_hyperparameter(optimizer: str) -> None:
    record = make_record(optimizer=optimizer, optimizer_options=OPTIONS[optimizer])
    # The rate is a named constant (recorded changes set it), or the decay schedule.
    call = KERAS_CALLS[optimizer].replace("0.03", "schedule or LEARNING_RATE", 1)
    source = keras_script(record)
    assert squeezed(f"optimizer = {call}\n") in squeezed(source)
    assert "LEARNING_RATE = 0.03\n" in source and "schedule = None" in source


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_pytorch_script_uses_the_matching_torch_rule(optimizer: str) -> None:
    source = pytorch_script(make_record(optimizer=optimizer, optimizer_options=OPTIONS[optimizer]))
    for expected in TORCH_CALLS[optimizer]:
        assert expected in source


def test_pytorch_sgd_is_written_out_only_when_the_rate_changes_under_momentum() -> None:
    # Keras folds the rate into the velocity; torch scales its buffer by the current rate.
    decayed = make_record(optimizer_options={"momentum": 0.9, "decay": 0.01})
    assert "return KerasRule(params, lr=0.03)" in pytorch_script(decayed)
    assert "v.mul_(MOMENTUM).sub_(lr * g)" in pytorch_script(decayed)
    session = new_session(optimizer_options={"momentum": 0.9})
    train(session, 1)
    session.apply({"learning_rate": 0.1})  # a recorded change parts them just as decay does
    train(session, 1)
    assert "return KerasRule(params, lr=0.03)" in pytorch_script(run_record(session))
    for options in ({"momentum": 0.9}, {"decay": 0.01}):
        source = pytorch_script(make_record(optimizer_options=options))
        assert "return torch.optim.SGD(params, lr=0.03" in source


def test_legacy_decay_becomes_inverse_time_decay_and_a_per_batch_rate() -> None:
    record = make_record(optimizer="adam", optimizer_options={"decay": 0.01})
    keras_lr = "InverseTimeDecay(0.03, decay_steps=1, decay_rate=0.01)"
    assert f"schedule = keras.optimizers.schedules.{keras_lr}" in keras_script(record)
    torch = pytorch_script(record)
    assert "DECAY = 0.01\n" in torch and "return self.base / (1 + DECAY * k)" in torch
    assert 'group["lr"] = lr' in torch and "rate.at(updates)" in torch
    assert "DECAY = 0.0\n" in pytorch_script(make_record(optimizer="adam"))


@pytest.mark.parametrize(
    ("regularization", "keras_call", "torch_penalty"),
    [
        ("L1", "keras.regularizers.L1(0.004)", "RATE * sum(W.abs().sum()"),
        ("L2", "keras.regularizers.L2(0.002)", "RATE / 2 * sum((W**2).sum()"),  # λ·½w²
    ],
)
def test_playground_rate_maps_to_keras_and_torch_penalties(
    regularization: str, keras_call: str, torch_penalty: str
) -> None:
    record = make_record(optimizer="adam", regularization=regularization, regularization_rate=0.004)
    # 2-4-2-1: three kernels, each regularized; biases never.
    keras = keras_script(record)
    assert f"penalty = {keras_call}" in keras
    assert keras.count("kernel_regularizer=penalty)") == 3 and "bias_regularizer" not in keras
    source = pytorch_script(record)
    assert "RATE = 0.004  #" in source and torch_penalty in source


def test_no_regularization_means_no_penalty_anywhere() -> None:
    record = make_record()
    assert "penalty = None" in keras_script(record)
    assert "return 0.0  # no regularization" in pytorch_script(record)


@pytest.mark.parametrize(
    ("patch", "keras_loss", "keras_out", "torch_out"),
    [
        (
            {},
            "loss=playground_loss)",
            'Dense(1, activation="tanh",',
            "nn.Linear(2, 1),\n        nn.Tanh()",
        ),
        ({"loss": "mse"}, 'loss="mean_squared_error")', 'Dense(1, activation="tanh",', "nn.Tanh()"),
        (
            {"loss": "binary_crossentropy"},
            'loss="binary_crossentropy")',
            'Dense(1, activation="sigmoid",',
            "nn.Linear(2, 1),\n        nn.Sigmoid()",
        ),
        (
            {"dataset": "blobs3"},
            'loss="categorical_crossentropy")',
            'Dense(3, activation="softmax",',
            "nn.Linear(2, 3),\n        nn.Softmax(dim=1)",
        ),
        (
            {"problem": "regression"},
            "loss=playground_loss)",
            'Dense(1, activation="linear",',
            "nn.Linear(2, 1),\n    )",
        ),
    ],
)
def test_loss_and_output_layer_follow_the_settings(
    patch: dict[str, Any], keras_loss: str, keras_out: str, torch_out: str
) -> None:
    record = make_record(**patch)
    keras, torch = keras_script(record), pytorch_script(record)
    assert keras_loss in keras and keras_out in keras
    assert torch_out in torch


def test_playground_loss_is_half_the_squared_error_in_keras() -> None:
    assert "0.5 * keras.ops.sum(keras.ops.square(y_true - y_pred), axis=-1)" in keras_script(
        make_record()
    )


# ---- the NumPy parts of a script: data, batch order, display loss ----


def data_namespace(source: str) -> dict[str, Any]:
    """Execute only the marked data section of a script."""
    start, end = source.index(DATA_BEGIN), source.index(DATA_END)
    namespace: dict[str, Any] = {"np": np}
    exec(source[start:end], namespace)
    return namespace


@pytest.mark.parametrize("framework", SCRIPTS)
def test_data_section_round_trips_every_bit(framework: str) -> None:
    record = make_record(
        features=["x", "y", "xTimesY", "sinX"], noise=35, shuffle=True, optimizer="adam"
    )
    data = data_namespace(SCRIPTS[framework](record))
    pairs = [("F_TRAIN", record.Ftr), ("Y_TRAIN", record.ytr), ("F_TEST", record.Fte)]
    pairs += [("Y_TEST", record.yte)]
    for name, expected in pairs:
        assert data[name].dtype == np.float64 and data[name].tobytes() == expected.tobytes()
    for got, expected in zip(data["INITIAL_WEIGHTS"], record.initial_weights, strict=True):
        assert got.shape == expected.shape and got.tobytes() == expected.tobytes()
    assert data["SHUFFLE_STATE"] == record.shuffle_state


def test_unshuffled_scripts_keep_the_stored_order() -> None:
    assert data_namespace(keras_script(make_record()))["SHUFFLE_STATE"] is None


def script_functions(record: RunRecord) -> dict[str, Any]:
    """The NumPy parts of a replay script, executed with its data and constants."""
    namespace = data_namespace(keras_script(record))
    exec(replay_constants(record, 0.0), namespace)
    exec(order_and_loss_source(record), namespace)
    exec(REPLAY_SOURCE, namespace)
    return namespace


def test_epoch_orders_draw_the_engines_permutations() -> None:
    record = make_record(epochs=3, shuffle=True, optimizer="adam")
    assert record.shuffle_state is not None
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = record.shuffle_state
    functions = script_functions(record)
    shuffler = functions["shuffler"]()
    for _ in range(3):
        order = functions["epoch_order"](shuffler, len(record.Ftr))
        assert np.array_equal(order, rng.permutation(len(record.Ftr)))


def test_epoch_orders_without_shuffle_are_the_stored_order() -> None:
    functions = script_functions(make_record(epochs=2))
    assert functions["shuffler"]() is None
    assert np.array_equal(functions["epoch_order"](None, 250), np.arange(250))


def test_carried_rows_join_the_next_epochs_first_batch() -> None:
    functions = script_functions(make_record(batch_size=7))  # 250 = 35·7 + 5
    F, Y = np.arange(250.0)[:, None], -np.arange(250.0)[:, None]
    batches, carried = functions["epoch_batches"](F, Y, np.arange(250), None)
    assert len(batches) == 35 and [len(f) for f, _ in batches] == [7] * 35
    assert carried[0][:, 0].tolist() == [245.0, 246.0, 247.0, 248.0, 249.0]
    batches, carried = functions["epoch_batches"](F, Y, np.arange(250), carried)
    first = [245.0, 246.0, 247.0, 248.0, 249.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert batches[0][0][:, 0].tolist() == first and batches[0][1][:, 0].tolist() == [
        -v for v in first
    ]
    assert len(batches) == 35 and len(carried[0]) == 5


def test_fewer_rows_than_a_batch_accumulate_and_keras_batching_never_carries() -> None:
    functions = script_functions(make_record(batch_size=7))
    F = Y = np.ones((4, 1))
    batches, carried = functions["epoch_batches"](F, Y, np.arange(4), None)
    batches, carried = functions["epoch_batches"](F, Y, np.arange(4), carried)
    assert batches == [] and len(carried[0]) == 8  # nothing is ever applied (§4.5)
    keras = script_functions(make_record(batch_size=7, optimizer="adam"))
    batches, carried = keras["epoch_batches"](np.ones((250, 1)), np.ones((250, 1)),
                                              np.arange(250), None)  # fmt: skip
    assert carried is None and [len(f) for f, _ in batches][-2:] == [7, 5]


def test_an_l1_step_across_zero_kills_the_link_and_dead_links_keep_their_value() -> None:
    functions = script_functions(make_record(regularization="L1", regularization_rate=0.01))
    before = np.array([0.002, 0.5, -0.3, 0.0001])
    dead = np.array([False, False, True, False])
    # lr 0.1, λ 0.01: the L1 step is 0.001. Data steps: 0.0005 (the L1 step crosses zero),
    # 0.45 (it does not), dead link moved by its update, 0.0011 (L1 lands on 0.0001: no).
    w = np.array([0.0005 - 0.001, 0.45 - 0.001, -0.25, 0.0011 - 0.001])
    functions["kill_crossings"](w, before, dead, 0.1)
    assert w.tolist() == pytest.approx([0.0, 0.449, -0.3, 0.0001], abs=1e-15)
    assert dead.tolist() == [True, False, True, False]


@pytest.mark.parametrize(
    ("patch", "p", "y", "expected"),
    [
        ({}, [[0.5], [-0.5]], [[1.0], [-1.0]], 0.125),  # mean of ½(0.5)²
        ({"loss": "mse"}, [[0.5], [-0.5]], [[1.0], [-1.0]], 0.25),
        (
            {"loss": "binary_crossentropy"},
            [[0.8], [0.1], [1.0]],
            [[1.0], [0.0], [1.0]],
            -(math.log(0.8) + math.log(0.9) + math.log(1 - 1e-7)) / 3,  # 1.0 is clipped
        ),
        ({"dataset": "blobs3"}, [[1.0, 1.0, 2.0]], [[0.0, 0.0, 1.0]], -math.log(0.5)),
    ],
)
def test_display_loss_is_the_frames_loss(
    patch: dict[str, Any], p: list[list[float]], y: list[list[float]], expected: float
) -> None:
    display_loss = script_functions(make_record(**patch))["display_loss"]
    assert display_loss(np.array(p), np.array(y)) == pytest.approx(expected, rel=1e-12)


# ---- caveats ----


@pytest.mark.parametrize("framework", SCRIPTS)
def test_carry_over_and_dead_links_are_replayed_not_caveats(framework: str) -> None:
    script = SCRIPTS[framework]
    carry = script(make_record(batch_size=7, regularization="L1", regularization_rate=0.01))
    assert "CARRY = True" in carry and "KILLS_LINKS = True" in carry and "Caveats" not in carry
    keras_batching = script(make_record(batch_size=7, optimizer="adam"))
    assert "CARRY = False" in keras_batching and "KILLS_LINKS = False" in keras_batching
    momentum = {"regularization": "L1", "regularization_rate": 0.01, "optimizer_options": {}}
    momentum["optimizer_options"] = {"momentum": 0.5}
    assert "KILLS_LINKS = False" in script(make_record(**momentum))


@pytest.mark.parametrize("framework", SCRIPTS)
def test_session_caveats_reach_the_header(framework: str) -> None:
    record = make_record()
    noted = dataclasses.replace(record, caveats=("data regenerated after the last reset",))
    header = SCRIPTS[framework](noted).split('"""')[1]
    assert "- data regenerated after the last reset" in header


# ---- JSON ----


def trained_weights(record: RunRecord) -> list[np.ndarray]:
    return [w * 1.5 - 0.1 for w in record.initial_weights]


def test_json_round_trip_is_exact() -> None:
    record = make_record(optimizer="adam", optimizer_options={"amsgrad": True}, shuffle=True)
    weights = trained_weights(record)
    text = export_json(record, weights, epoch=7)
    settings, parsed = parse_json(text, max_bytes=1_000_000)
    assert settings == record.settings
    for got, expected in zip(parsed, weights, strict=True):
        assert got.dtype == np.float64 and got.tobytes() == expected.tobytes()
    document = json.loads(text)
    assert document["format"] == FORMAT == "nn-playground/1" and document["epoch"] == 7
    assert document["initial_weights"][0] == record.initial_weights[0].tolist()


def test_export_refuses_weights_of_another_network_or_not_finite() -> None:
    record = make_record()
    with pytest.raises(ValueError, match="current weights must have shapes"):
        export_json(record, record.initial_weights[:2], epoch=1)
    broken = [w.copy() for w in record.initial_weights]
    broken[0][0, 0] = np.nan
    with pytest.raises(ValueError):
        export_json(record, broken, epoch=1)


def edit(path: list[Any], value: Any) -> Any:
    """A change to the valid document: set document[path...] = value."""

    def change(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def delete(key: str) -> Any:
    return lambda document: document.pop(key)


BAD_DOCUMENTS = {
    "missing key": (delete("epoch"), r"^the epoch \(“epoch”\) is missing$"),
    "unknown key": (edit(["extra"], 1), "it has a field this format does not know: “extra”$"),
    "other format": (
        edit(["format"], "nn-playground/2"),
        "its format tag is “nn-playground/2”; this server reads “nn-playground/1” files",
    ),
    "settings not an object": (edit(["settings"], [1]), "settings must be an object"),
    "unknown setting": (edit(["settings", "bogus"], 1), r"settings\.bogus"),
    "setting out of range": (edit(["settings", "noise"], 200), r"settings\.noise"),
    "loss wrong for the dataset": (
        edit(["settings", "loss"], "categorical_crossentropy"),  # circle has two classes
        "settings.loss",
    ),
    "bad optimizer option": (
        edit(["settings", "optimizer_options"], {"momentum": 2.0}),
        "momentum",
    ),
    "unknown optimizer option": (edit(["settings", "optimizer_options"], {"beta_9": 1}), "beta_9"),
    "epoch negative": (edit(["epoch"], -1), "epoch must be"),
    "epoch a bool": (edit(["epoch"], True), "epoch must be"),
    "epoch a float": (edit(["epoch"], 2.5), "epoch must be"),
    "too few arrays": (edit(["weights"], []), "weights must be a list of 6 arrays"),
    "weights not a list": (edit(["weights"], {"W1": 1}), "weights must be a list"),
    "wrong rows": (
        edit(["weights", 0], [[0.1, 0.2, 0.3, 0.4]]),
        r"weights\[0\] must be a list of 2",
    ),
    "wrong columns": (edit(["weights", 0, 1], [0.1]), r"weights\[0\]\[1\] must be a list of 4"),
    "a string number": (
        edit(["weights", 1, 0], "0.1"),
        r"weights\[1\]\[0\] must be a number, got str",
    ),
    "a bool number": (edit(["weights", 5, 0], True), "must be a number, got bool"),
    "a null": (edit(["weights", 5, 0], None), "must be a number, got NoneType"),
    "an int beyond float64": (edit(["weights", 5, 0], 10**400), "must be finite"),
    "bad initial weights": (edit(["initial_weights", 4], [[1.0]]), r"initial_weights\[4\]"),
    "settings reshape the network": (
        edit(["settings", "network_shape"], [3]),
        "must be a list of 4 arrays",
    ),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_json_import_rejects_every_kind_of_bad_document(case: str) -> None:
    change, message = BAD_DOCUMENTS[case]
    document = json.loads(export_json(make_record(), make_record().initial_weights, epoch=0))
    change(document)
    with pytest.raises(ValueError, match=message):
        parse_json(json.dumps(document), max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"format": NaN}', "NaN is not a number JSON allows"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
)
def test_json_import_rejects_text_that_is_not_a_document(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_json(text, max_bytes=1_000_000)


def test_json_import_rejects_infinity_written_as_a_float_literal() -> None:
    # Python reads 1e400 as inf without complaint; the importer must not.
    document = json.loads(export_json(make_record(), make_record().initial_weights, epoch=0))
    document["weights"][5][0] = 12345.5
    text = json.dumps(document).replace("12345.5", "1e400")
    with pytest.raises(ValueError, match=r"weights\[5\]\[0\] must be finite"):
        parse_json(text, max_bytes=1_000_000)


def test_json_import_enforces_the_size_cap_before_parsing() -> None:
    text = export_json(make_record(), make_record().initial_weights, epoch=0)
    with pytest.raises(ValueError, match=f"at most {len(text) - 1} are accepted"):
        parse_json(text, max_bytes=len(text) - 1)
    assert parse_json(text, max_bytes=len(text))[0] == make_record().settings


def test_a_script_name_in_the_header_says_what_it_reproduces() -> None:
    header = keras_script(make_record(epochs=6)).split('"""')[1]
    assert re.search(r"network 2-4-2-1 .* for 6 epochs", header.replace("\n", " "))


@pytest.mark.parametrize("framework", SCRIPTS)
def test_a_hostile_seed_stays_inside_the_docstring(framework: str) -> None:
    seed = '"""; import os; os.system("echo pwned") #\\N'
    source = SCRIPTS[framework](make_record(seed=seed))
    module = ast.parse(source)
    docstring = ast.get_docstring(module)
    assert docstring is not None and repr(seed) in docstring
    assert "os.system" not in ast.unparse(module.body[1:])


@pytest.mark.parametrize(
    ("kind", "needs"),
    [
        ("keras", "Needs: pip install keras torch  (Keras 3 on any backend: torch, jax or"),
        ("keras_replay", "Needs: pip install keras torch  (Keras 3 on the PyTorch backend)"),
        ("pytorch", "Needs: pip install torch numpy  (PyTorch, on the CPU)"),
    ],
)
def test_each_script_says_in_one_line_what_to_install(kind: str, needs: str) -> None:
    """A newcomer's pass: the readable Keras script died on "No module named tensorflow" with
    only keras installed, and the exact replay without torch; neither had said what it needs."""
    session = Session(merge_settings(PlaygroundSettings(), {"seed": "needs"}))
    lines = export_message(session, kind)["content"].splitlines()
    assert lines[1].startswith(needs), lines[:3]
    assert lines[1].count("pip install") == 1 and lines[2] == ""
    ast.parse("\n".join(lines))  # still a valid script
