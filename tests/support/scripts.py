"""Running exported scripts for real, shared by the export tests and benchmarks/replay_fidelity.

What it is: `run_scripts` (write the scripts, run each framework's in one interpreter, the
frameworks in parallel, and return what each printed), `losses` (the per-epoch lines a
script prints), `drive` (a Session stepped one epoch at a time with the user's actions in
between, noting the page's losses) and the runs issue 14 measured.
What it is not: an assertion; callers decide what "close" means.
Trade-off: one interpreter per framework, because importing keras and torch (~4 s) costs more
than running a small script.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings
from tests.support.training import train

Action = Callable[[Session], None]
MISSING = [name for name in ("keras", "torch") if importlib.util.find_spec(name) is None]


def export_marks(timeout: int) -> list[pytest.MarkDecorator]:
    """The marks of a test that runs Keras or PyTorch (the `export` extra): skipped without
    them, except under CI=true, where they are installed and a missing one is a failure."""
    return [
        pytest.mark.export,
        pytest.mark.timeout(timeout),
        pytest.mark.skipif(
            bool(MISSING) and not os.environ.get("CI"),
            reason=f"needs {MISSING}: pip install -e '.[export]'",
        ),
    ]


Losses = list[tuple[float, float]]

RUNNER = """
import contextlib, io, json, runpy, sys
printed = {}
for path in sys.argv[1:]:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        runpy.run_path(path, run_name="__main__")
    printed[path] = out.getvalue()
print(json.dumps(printed))
"""
LINE = re.compile(r"^epoch (\d+) loss (\S+) test_loss (\S+)$", re.MULTILINE)


def losses(printed: str) -> Losses:
    """Example: "epoch 1 loss 0.5 test_loss 0.6" -> [(0.5, 0.6)]."""
    return [(float(m[2]), float(m[3])) for m in LINE.finditer(printed)]


def run_scripts(
    scripts: Mapping[tuple[str, str], str],
    folder: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 850,
) -> dict[tuple[str, str], str]:
    """{(framework, name): what the script printed}. Scripts are keyed by (framework, name);
    each framework's run in one interpreter, the frameworks side by side."""
    paths = {}
    for i, ((framework, name), text) in enumerate(scripts.items()):
        slug = re.sub(r"\W+", "_", name)
        paths[framework, name] = folder / f"{framework}_{i}_{slug}.py"
        paths[framework, name].write_text(text)
    procs = {
        framework: subprocess.Popen(
            [
                sys.executable,
                "-c",
                RUNNER,
                *(str(p) for (f, _), p in paths.items() if f == framework),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ if env is None else env),
        )
        for framework in dict.fromkeys(f for f, _ in paths)
    }
    outputs: dict[str, str] = {}
    for framework, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{framework} scripts failed:\n{stderr[-4000:]}")
        outputs |= json.loads(stdout.splitlines()[-1])
    return {key: outputs[str(path)] for key, path in paths.items()}


def drive(
    patch: dict[str, Any], actions: Mapping[int, Action], epochs: int = 8, seed: str = "replay"
) -> tuple[Session, Losses]:
    """(the session after `epochs` epochs, the page's (train, test) loss after each epoch);
    actions[k] runs before epoch k + 1, as a user acting between steps would."""
    session = Session(merge_settings(PlaygroundSettings(), {"seed": seed, **patch}))
    shown = []
    for epoch in range(epochs):
        if epoch in actions:
            actions[epoch](session)
        train(session, 1)
        shown.append(session.losses())
    return session, shown


def rate_and_edits(session: Session) -> None:
    session.apply({"learning_rate": 0.1})
    session.set_weight(0, 1, 2, 0.75)
    session.set_bias(1, 0, -0.2)


XOR_L1 = {
    "dataset": "xor",
    "network_shape": [6, 3],
    "activation": "relu",
    "batch_size": 7,
    "regularization": "L1",
    "regularization_rate": 0.003,
    "learning_rate": 0.1,
    "noise": 20,
}
SPIRAL_L2 = {
    "dataset": "spiral",
    "network_shape": [8, 8],
    "batch_size": 30,
    "regularization": "L2",
    "regularization_rate": 0.001,
    "features": ["x", "y", "sinX", "sinY"],
}
# The runs issue 14 measured, plus its run with user events: (settings, actions by epoch).
ISSUE_RUNS: dict[str, tuple[dict[str, Any], dict[int, Action]]] = {
    "circle 4,2, batch 13, 70% training": ({"batch_size": 13, "percent_train": 70}, {}),
    "spiral 8,8, batch 30, L2 0.001, x, y, sinX, sinY": (SPIRAL_L2, {}),
    "xor 6,3 ReLU, batch 7, L1 0.003, lr 0.1, noise 20": (XOR_L1, {}),
    "circle, batch 10: rate + edits at 3, regenerate at 5": (
        {"batch_size": 10},
        {3: rate_and_edits, 5: lambda s: s.regenerate()},
    ),
}
