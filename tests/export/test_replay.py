"""Exact replays: the exported scripts print the page's losses, quirks and user events included.

A real Session is driven one epoch at a time, the user's actions applied between epochs as
the server would, and the page's (train, test) loss noted after each epoch. The exact-replay
scripts (Keras 3 on the torch backend, PyTorch, both float64) are then run for real and must
print those losses to 1e-9 relative (issue 14): carried-over batches (batch sizes that do not
divide the training set), L2, L1 with dead links, a learning-rate change and hand edits at
epoch 3 and regenerated data at epoch 5, clicked points, an epoch that diverged and was rolled
back, and Keras-mode shuffling.
"""

import importlib.util
import os
from typing import Any

import numpy as np
import pytest

from app.playground.session import Session
from app.protocol.downloads import export_message
from tests.support.scripts import (
    ISSUE_RUNS,
    SPIRAL_L2,
    XOR_L1,
    Action,
    drive,
    losses,
    rate_and_edits,
    run_scripts,
)
from tests.support.training import train

MISSING = [name for name in ("keras", "torch") if importlib.util.find_spec(name) is None]
pytestmark = [
    pytest.mark.export,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        bool(MISSING) and not os.environ.get("CI"),
        reason=f"needs {MISSING}: pip install -e '.[export]'",
    ),
]

EPOCHS = 8
TOLERANCE = 1e-9  # relative, per epoch, train and test loss (issue 14)
FORMATS = {"keras": "keras_replay", "pytorch": "pytorch"}


def click_points(session: Session) -> None:
    session.add_point(1.0, 2.0, 1.0)
    session.add_point(-3.0, 0.5, -1.0)


def diverge_then_slow_down(session: Session) -> None:
    assert train(session, 1)[0]["event"] == "diverged"  # rolled back: still epoch 0
    session.apply({"learning_rate": 0.001})


RUNS: dict[str, tuple[dict[str, Any], dict[int, Action]]] = {
    "circle 4,2 batch 13 70%": ISSUE_RUNS["circle 4,2, batch 13, 70% training"],
    "spiral 8,8 batch 30 L2": (SPIRAL_L2, {}),
    "xor 6,3 relu batch 7 L1": (XOR_L1, {}),
    "rate and edits at 3, regenerate at 5": (
        {"batch_size": 10},
        {3: rate_and_edits, 5: lambda s: s.regenerate()},
    ),
    "points clicked at 2 with carry, cleared at 6, L1": (
        {"batch_size": 12, "regularization": "L1", "regularization_rate": 0.002},
        {2: click_points, 6: lambda s: s.clear_points()},
    ),
    "diverged at lr 10 (shuffled, rolled back), then lr 0.001": (
        {
            "problem": "regression",
            "activation": "linear",
            "network_shape": [8, 8, 8],
            "learning_rate": 10,
            "shuffle": True,
        },
        {0: diverge_then_slow_down},
    ),
    "keras mode: adam, shuffle, rate at 4, regenerate at 6": (
        {"optimizer": "adam", "shuffle": True, "batch_size": 9, "loss": "binary_crossentropy"},
        {4: lambda s: s.apply({"learning_rate": 0.01}), 6: lambda s: s.regenerate()},
    ),
}


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[Session, list[Any]]]:
    return {name: drive(patch, actions, EPOCHS) for name, (patch, actions) in RUNS.items()}


@pytest.fixture(scope="module")
def printed(runs: dict[str, Any], tmp_path_factory: Any) -> dict[tuple[str, str], str]:
    """What each exported script printed; one interpreter per framework, both in parallel."""
    scripts = {
        (framework, name): export_message(session, fmt)["content"]
        for framework, fmt in FORMATS.items()
        for name, (session, _) in runs.items()
    }
    folder = tmp_path_factory.mktemp("replays")
    return run_scripts(scripts, folder, {**os.environ, "KERAS_BACKEND": "torch"})


def test_the_runs_exercise_what_they_claim(runs: dict[str, Any]) -> None:
    carry = runs["circle 4,2 batch 13 70%"][0]
    assert len(carry.Ftr) % 13 == 12  # 350 = 26·13 + 12 rows carried every epoch
    dead = runs["xor 6,3 relu batch 7 L1"][0]
    assert any(d.any() for d in dead.trainer.dead)  # links died on the page
    events = runs["rate and edits at 3, regenerate at 5"][0].log.events
    assert [(e["epoch"], e["type"]) for e in events] == [
        (3, "learning_rate"),
        (3, "weight"),
        (3, "bias"),
        (5, "regenerate"),
    ]
    clicked = runs["points clicked at 2 with carry, cleared at 6, L1"][0].log.events
    assert [e["type"] for e in clicked] == ["add_point", "add_point", "clear_points"]
    diverged = runs["diverged at lr 10 (shuffled, rolled back), then lr 0.001"][0].log.events
    assert [e["type"] for e in diverged] == ["diverged", "learning_rate"]


@pytest.mark.parametrize("framework", FORMATS)
@pytest.mark.parametrize("run", RUNS)
def test_replay_prints_the_pages_losses(
    printed: dict[tuple[str, str], str], runs: dict[str, Any], framework: str, run: str
) -> None:
    got = losses(printed[framework, run])
    shown = runs[run][1]
    assert len(got) == len(shown) == EPOCHS
    for epoch, (pair, want) in enumerate(zip(got, shown, strict=True), start=1):
        assert np.allclose(pair, want, rtol=TOLERANCE, atol=0), f"epoch {epoch}: {pair} {want}"


@pytest.mark.parametrize("framework", FORMATS)
def test_replay_header_has_no_caveat_for_what_it_replays(
    runs: dict[str, Any], framework: str
) -> None:
    for session, _ in runs.values():
        header = export_message(session, FORMATS[framework])["content"].split('"""')[1]
        assert "Caveats" not in header
